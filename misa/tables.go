package misa

import (
	"github.com/facolos/etl/connector"
)

// ETLSource is the constant written to etl_source.
const ETLSource = "misa_crm_api"

// NoItemID is the item_id of the one row an order without line items gets
// in staging.misa_sale_orders_flattened (every item_* column is NULL on it),
// so such an order is stored instead of dropped. Real item ids are positive.
const NoItemID int64 = 0

// kind is how a column's value is read from the API.
type kind int

const (
	cStr  kind = iota + 1 // text; numbers and booleans as their JSON text, objects and lists as JSON text
	cInt                  // integer
	cDec                  // exact decimal; "8%" and "1,200,000" accepted
	cBool                 // boolean; missing or null is false
	cTime                 // ISO-8601 instant; without offset it is Vietnam time
	cUUID                 // UNIQUEIDENTIFIER: canonical lowercase 8-4-4-4-12 text
)

// col is one column of a MISA table and the API field it comes from.
type col struct {
	name  string
	kind  kind
	size  [2]int // string length (0 = MAX) or decimal precision, scale
	field string // API field ("" = derived)
	item  bool   // read from sale_order_product_mappings[] (sale orders)
	key   bool
	// notNull: the column is NOT NULL in the warehouse.
	notNull bool
}

func (c col) column() connector.Column {
	cc := connector.Column{Name: c.name, Nullable: !(c.key || c.notNull)}
	switch c.kind {
	case cStr:
		cc.Type, cc.Length = connector.String, c.size[0]
	case cUUID:
		cc.Type = connector.UUID
	case cInt:
		cc.Type = connector.Int
	case cDec:
		cc.Type, cc.Precision, cc.Scale = connector.Decimal, c.size[0], c.size[1]
	case cBool:
		cc.Type = connector.Bool
	case cTime:
		cc.Type = connector.Timestamp
	}
	return cc
}

// etlColumns are the bookkeeping columns of every MISA table.
var etlColumns = []connector.Column{
	{Name: "etl_created_at", Type: connector.Timestamp, Nullable: true, Auto: connector.AutoCreatedAt},
	{Name: "etl_updated_at", Type: connector.Timestamp, Nullable: true, Auto: connector.AutoUpdatedAt},
	{Name: "etl_batch_id", Type: connector.String, Length: 50, Nullable: true, Auto: connector.AutoRunID},
	{Name: "etl_source", Type: connector.String, Length: 50, Nullable: true, Meta: true},
}

// tenantColumn records the tenant a row came from on every table
// (Transformer.Tenant: the source's Config.Account, by default the AppID).
// MISA's ids (customer and order ids, product codes, stock ids) are ids of
// one tenant's database, so two tenants in one warehouse hold the same ids:
// tenant leads the primary key of every table, so that their rows are
// told apart instead of overwriting each other.
var tenantColumn = connector.Column{Name: "tenant", Type: connector.String, Length: TenantLength}

// TenantLength is the length of the tenant column: the longest account
// name (Config.Account) a source accepts.
const TenantLength = 100

// table is a staging table and its API mapping.
type table struct {
	*connector.Table
	cols []col
	// byField maps an API field to its column (order-level fields for sale
	// orders); byItemField the item fields of sale orders.
	byField, byItemField map[string]int
	source               int // position of etl_source
	tenant               int // position of tenant
	bools                []int
}

// newTable builds a table from its API columns: tenant is added after them
// and leads the primary key (and the parent key of a child table).
func newTable(name string, cols []col, parent string, parentKey ...string) *table {
	t := &connector.Table{Schema: "staging", Name: name, Parent: parent, PrimaryKey: []string{tenantColumn.Name}}
	if parent != "" {
		t.ParentKey = append([]string{tenantColumn.Name}, parentKey...)
	}
	tb := &table{Table: t, cols: cols, byField: map[string]int{}, byItemField: map[string]int{}}
	for i, c := range cols {
		t.Columns = append(t.Columns, c.column())
		if c.key {
			t.PrimaryKey = append(t.PrimaryKey, c.name)
		}
		switch {
		case c.field == "":
		case c.item:
			tb.byItemField[c.field] = i
		default:
			tb.byField[c.field] = i
		}
		if c.kind == cBool && c.field != "" {
			tb.bools = append(tb.bools, i)
		}
	}
	tb.tenant = len(t.Columns)
	t.Columns = append(t.Columns, tenantColumn)
	t.Columns = append(t.Columns, etlColumns...)
	tb.source = len(t.Columns) - 1
	if err := t.Validate(); err != nil {
		panic(err)
	}
	return tb
}

// productStockCols are the columns of staging.misa_product_stock, the stock
// on hand per warehouse and product from /Stocks/product_ledger (a table the
// original system did not have). The stream adds stock_async_id and
// stock_code (the warehouse the ledger page was asked for) to every row.
var productStockCols = []col{
	{name: "stock_async_id", kind: cUUID, field: "stock_async_id", key: true},
	{name: "product_code", kind: cStr, size: [2]int{50}, field: "product_code", key: true},
	{name: "stock_code", kind: cStr, size: [2]int{50}, field: "stock_code"},
	{name: "main_stock_quantity", kind: cDec, size: [2]int{18, 4}, field: "main_stock_quantity"},
	{name: "usage_unit_name", kind: cStr, size: [2]int{50}, field: "usage_unit_name"},
	{name: "product_category_name", kind: cStr, size: [2]int{255}, field: "product_category_name"},
}

// saleOrderHeadCols are the columns of staging.misa_sale_orders, one row per
// sale order: the parent of the flattened item rows, so that a re-synced
// order replaces its item rows (items removed upstream vanish).
var saleOrderHeadCols = []col{
	{name: "order_id", kind: cInt, field: "id", key: true},
	{name: "order_sale_order_no", kind: cStr, size: [2]int{50}, field: "sale_order_no"},
	{name: "order_modified_date", kind: cTime, field: "modified_date"},
	{name: "total_items_in_order", kind: cInt},
}

// The tables, parents before children. A record's modified_date is its
// version (an older copy never replaces a newer row); the flattened sale
// order rows follow their order's, and misa_product_stock has none (a
// ledger balance carries no modification time).
var (
	tCustomers     = versioned(newTable("misa_customers", customerCols, ""), "modified_date")
	tSaleOrderHead = versioned(newTable("misa_sale_orders", saleOrderHeadCols, ""), "order_modified_date")
	tSaleOrders    = newTable("misa_sale_orders_flattened", saleOrderCols, "staging.misa_sale_orders", "order_id")
	tContacts      = versioned(newTable("misa_contacts", contactCols, ""), "modified_date")
	tProducts      = versioned(newTable("misa_products", productCols, ""), "modified_date")
	tStocks        = versioned(newTable("misa_stocks", stockCols, ""), "modified_date")
	tProductStock  = newTable("misa_product_stock", productStockCols, "")
)

// versioned declares the version column of tb (connector.Table.Version).
func versioned(tb *table, column string) *table {
	tb.Version = column
	if err := tb.Validate(); err != nil {
		panic(err)
	}
	return tb
}

// The secondary indexes of tables.md. IX_misa_sale_orders_order_id and
// IX_misa_stocks_stock_code, which the original's keys served, are
// declared too: the keys start with tenant, so they do not serve a lookup
// by order id or stock code. The unique index of
// product codes is unique per tenant (two tenants may use one code).
func init() {
	ix := func(t *table, name string, cols ...string) {
		t.Indexes = append(t.Indexes, connector.Index{Name: name, Columns: cols})
	}
	ix(tCustomers, "IX_misa_customers_account_number", "account_number")
	ix(tCustomers, "IX_misa_customers_modified_date", "modified_date")
	ix(tSaleOrders, "IX_misa_sale_orders_order_id", "order_id")
	ix(tSaleOrders, "IX_misa_sale_orders_item_id", "item_id")
	ix(tSaleOrders, "IX_misa_sale_orders_item_product_code", "item_product_code")
	ix(tSaleOrders, "IX_misa_sale_orders_order_date", "order_sale_order_date")
	ix(tContacts, "IX_misa_contacts_account_code", "account_code")
	ix(tContacts, "IX_misa_contacts_contact_code", "contact_code")
	ix(tStocks, "IX_misa_stocks_stock_code", "stock_code")
	// Unique where not NULL: any number of products without a code. The
	// name differs from the original's unique index on product_code
	// alone, which a migrated warehouse drops (docs/operations.md).
	tProducts.Indexes = append(tProducts.Indexes, connector.Index{Name: "IX_misa_products_tenant_product_code_unique",
		Columns: []string{"tenant", "product_code"}, Unique: true, WhereNotNull: true})
	for _, t := range Tables() {
		if err := t.Validate(); err != nil {
			panic(err)
		}
	}
}

// Tables returns every table the MISA transformer writes, parents before
// children: staging.misa_customers, misa_sale_orders (one row per order, the
// parent of the flattened rows), misa_sale_orders_flattened, misa_contacts,
// misa_products, misa_stocks and misa_product_stock.
func Tables() []*connector.Table {
	return []*connector.Table{tCustomers.Table, tSaleOrderHead.Table, tSaleOrders.Table, tContacts.Table, tProducts.Table,
		tStocks.Table, tProductStock.Table}
}
