package shopee

import (
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/jsonscan"
)

// ETLSource is the constant written to etl_source.
const ETLSource = "shopee_api"

// field maps one column to a JSON path in the source object. A field
// without a path is filled by the transformer (order_sn, the element of a
// string list, ETL columns).
type field struct {
	col  connector.Column
	path []string
}

func path(p string) []string {
	if p == "" {
		return nil
	}
	return strings.Split(p, ".")
}

func str(name string, length int, p string) field {
	return field{connector.Column{Name: name, Type: connector.String, Length: length, Nullable: true}, path(p)}
}
func i64(name, p string) field {
	return field{connector.Column{Name: name, Type: connector.Int, Nullable: true}, path(p)}
}
func dec(name string, prec, scale int, p string) field {
	return field{connector.Column{Name: name, Type: connector.Decimal, Precision: prec, Scale: scale, Nullable: true}, path(p)}
}
func bit(name, p string) field {
	return field{connector.Column{Name: name, Type: connector.Bool, Nullable: true}, path(p)}
}
func ts(name, p string) field {
	return field{connector.Column{Name: name, Type: connector.Timestamp, Nullable: true}, path(p)}
}

// key makes a field a non-nullable key column.
func key(f field) field { f.col.Nullable = false; return f }

// money is DECIMAL(18,4), as the warehouse has it.
func money(name, p string) field { return dec(name, 18, 4, p) }

// etlFields are the bookkeeping columns of every Shopee table.
var etlFields = []field{
	{connector.Column{Name: "source_request_id", Type: connector.String, Length: 100, Nullable: true, Meta: true}, nil},
	{connector.Column{Name: "ingested_at", Type: connector.Timestamp, Nullable: true, Auto: connector.AutoUpdatedAt}, nil},
	{connector.Column{Name: "etl_created_at", Type: connector.Timestamp, Nullable: true, Auto: connector.AutoCreatedAt}, nil},
	{connector.Column{Name: "etl_updated_at", Type: connector.Timestamp, Nullable: true, Auto: connector.AutoUpdatedAt}, nil},
	{connector.Column{Name: "etl_batch_id", Type: connector.String, Length: 50, Nullable: true, Auto: connector.AutoRunID}, nil},
	{connector.Column{Name: "etl_source", Type: connector.String, Length: 50, Nullable: true, Meta: true}, nil},
}

// table is a staging table with its JSON mapping.
type table struct {
	*connector.Table
	fields []field
}

const ordersTable = "shopee_orders"

func newTable(name string, pk []string, fields ...field) *table {
	fields = append(fields, etlFields...)
	t := &connector.Table{Schema: "staging", Name: name, PrimaryKey: pk}
	for _, f := range fields {
		t.Columns = append(t.Columns, f.col)
	}
	if name != ordersTable {
		// Every child table hangs off the order, so a re-synced order
		// replaces all of its child rows, however deep they are nested.
		t.Parent, t.ParentKey = "staging."+ordersTable, []string{"order_sn"}
	} else {
		// The order's update_time is the version: an older copy never
		// replaces a newer order, and its child rows follow the order.
		t.Version = "update_time"
	}
	if err := t.Validate(); err != nil {
		panic(err)
	}
	return &table{Table: t, fields: fields}
}

var orderSN = key(str("order_sn", 50, ""))

// shopID is the shop an order came from (Transformer.ShopID; Shopee's
// answers do not carry it). Nullable: Prepare adds it to tables created
// before it, and their rows keep NULL until their order is synced again.
var shopID = i64("shop_id", "")

// The twelve tables of tables.md (superset of V1..V3, keys of V2+).
var (
	tOrders = newTable(ordersTable, []string{"order_sn"},
		orderSN, str("region", 10, "region"), str("currency", 10, "currency"), bit("cod", "cod"),
		money("total_amount", "total_amount"), str("order_status", 50, "order_status"), str("shipping_carrier", 100, "shipping_carrier"),
		str("payment_method", 100, "payment_method"), money("estimated_shipping_fee", "estimated_shipping_fee"),
		str("message_to_seller", 0, "message_to_seller"), ts("create_time", "create_time"), ts("update_time", "update_time"),
		i64("days_to_ship", "days_to_ship"), ts("ship_by_date", "ship_by_date"), i64("buyer_user_id", "buyer_user_id"),
		str("buyer_username", 100, "buyer_username"), money("actual_shipping_fee", "actual_shipping_fee"),
		bit("actual_shipping_fee_confirmed", "actual_shipping_fee_confirmed"), bit("goods_to_declare", "goods_to_declare"),
		str("note", 0, "note"), ts("note_update_time", "note_update_time"), ts("pay_time", "pay_time"),
		str("dropshipper", 100, "dropshipper"), str("dropshipper_phone", 50, "dropshipper_phone"), bit("split_up", "split_up"),
		str("buyer_cancel_reason", 0, "buyer_cancel_reason"), str("cancel_by", 100, "cancel_by"), str("cancel_reason", 0, "cancel_reason"),
		str("buyer_cpf_id", 50, "buyer_cpf_id"), str("fulfillment_flag", 50, "fulfillment_flag"), ts("pickup_done_time", "pickup_done_time"),
		money("reverse_shipping_fee", "reverse_shipping_fee"), i64("order_chargeable_weight_gram", "order_chargeable_weight_gram"),
		i64("prescription_check_status", "prescription_check_status"), str("pharmacist_name", 100, "pharmacist_name"),
		ts("prescription_approval_time", "prescription_approval_time"), ts("prescription_rejection_time", "prescription_rejection_time"),
		ts("edt_from", "edt_from"), ts("edt_to", "edt_to"), str("booking_sn", 50, "booking_sn"), bit("advance_package", "advance_package"),
		ts("return_request_due_date", "return_request_due_date"), bit("is_buyer_shop_collection", "is_buyer_shop_collection"),
		bit("hot_listing_order", "hot_listing_order"), shopID)

	tAddress = newTable("shopee_recipient_address", []string{"order_sn"},
		orderSN, str("name", 200, "name"), str("phone", 50, "phone"), str("town", 100, "town"), str("district", 100, "district"),
		str("city", 100, "city"), str("state", 100, "state"), str("region", 100, "region"), str("zipcode", 20, "zipcode"),
		str("full_address", 0, "full_address"), dec("latitude", 10, 6, "geolocation.latitude"), dec("longitude", 10, 6, "geolocation.longitude"))

	tItems = newTable("shopee_order_items", []string{"order_sn", "order_item_id", "model_id"},
		orderSN, key(i64("order_item_id", "order_item_id")), i64("item_id", "item_id"), str("item_name", 500, "item_name"),
		str("item_sku", 100, "item_sku"), key(i64("model_id", "model_id")), str("model_name", 500, "model_name"),
		str("model_sku", 100, "model_sku"), i64("model_quantity_purchased", "model_quantity_purchased"),
		money("model_original_price", "model_original_price"), money("model_discounted_price", "model_discounted_price"),
		bit("wholesale", "wholesale"), dec("weight", 18, 4, "weight"), bit("add_on_deal", "add_on_deal"), bit("main_item", "main_item"),
		i64("add_on_deal_id", "add_on_deal_id"), str("promotion_type", 50, "promotion_type"), i64("promotion_id", "promotion_id"),
		i64("promotion_group_id", "promotion_group_id"), bit("is_prescription_item", "is_prescription_item"),
		bit("is_b2c_owned_item", "is_b2c_owned_item"), str("consultation_id", 100, "consultation_id"),
		str("image_url", 0, "image_info.image_url"), bit("hot_listing_item", "hot_listing_item"))

	tItemLocations = newTable("shopee_order_item_locations", []string{"order_sn", "order_item_id", "model_id", "location_id"},
		orderSN, key(i64("order_item_id", "order_item_id")), key(i64("model_id", "model_id")), key(str("location_id", 100, "")))

	tPackages = newTable("shopee_packages", []string{"order_sn", "package_number"},
		orderSN, key(str("package_number", 100, "package_number")), str("logistics_status", 50, "logistics_status"),
		i64("logistics_channel_id", "logistics_channel_id"), str("shipping_carrier", 100, "shipping_carrier"),
		bit("allow_self_design_awb", "allow_self_design_awb"), i64("parcel_chargeable_weight_gram", "parcel_chargeable_weight_gram"),
		i64("group_shipment_id", "group_shipment_id"), str("virtual_contact_number", 50, "virtual_contact_number"),
		str("package_query_number", 100, "package_query_number"), str("sorting_group", 100, "sorting_group"))

	tPackageItems = newTable("shopee_package_items", []string{"order_sn", "package_number", "order_item_id", "model_id"},
		orderSN, key(str("package_number", 100, "")), key(i64("order_item_id", "order_item_id")), i64("item_id", "item_id"),
		key(i64("model_id", "model_id")), i64("model_quantity", "model_quantity"), i64("promotion_group_id", "promotion_group_id"),
		str("product_location_id", 100, "product_location_id"), i64("parcel_chargeable_weight", "parcel_chargeable_weight"))

	tInvoice = newTable("shopee_invoice", []string{"order_sn"},
		orderSN, str("number", 100, "number"), str("series_number", 100, "series_number"), str("access_key", 200, "access_key"),
		ts("issue_date", "issue_date"), money("total_value", "total_value"), money("products_total_value", "products_total_value"),
		str("tax_code", 50, "tax_code"))

	tPayment = newTable("shopee_payment_info", []string{"order_sn", "transaction_id"},
		orderSN, key(str("transaction_id", 100, "transaction_id")), str("payment_method", 100, "payment_method"),
		str("payment_processor_register", 100, "payment_processor_register"), str("card_brand", 50, "card_brand"))

	tPendingTerms = newTable("shopee_order_pending_terms", []string{"order_sn", "term"}, orderSN, key(str("term", 400, "")))
	tWarnings     = newTable("shopee_order_warnings", []string{"order_sn", "warning"}, orderSN, key(str("warning", 400, "")))
	tPrescription = newTable("shopee_prescription_images", []string{"order_sn", "image_url"}, orderSN, key(str("image_url", 400, "")))
	tProof        = newTable("shopee_buyer_proof_of_collection", []string{"order_sn", "image_url"}, orderSN, key(str("image_url", 400, "")))

	allTables = []*table{tOrders, tAddress, tItems, tItemLocations, tPackages, tPackageItems, tInvoice, tPayment,
		tPendingTerms, tWarnings, tPrescription, tProof}
)

// The secondary indexes of tables.md, created by every sink.
func init() {
	ix := func(t *table, cols ...string) {
		for _, c := range cols {
			name := strings.TrimSuffix(strings.TrimSuffix(c, "_at"), "_id")
			if c != "etl_updated_at" && c != "etl_batch_id" {
				name = c
			}
			t.Indexes = append(t.Indexes, connector.Index{Name: "IX_" + t.Name + "_" + name, Columns: []string{c}})
		}
	}
	ix(tOrders, "update_time", "order_status", "create_time", "buyer_user_id", "etl_updated_at", "etl_batch_id")
	ix(tAddress, "etl_updated_at")
	ix(tItems, "item_id", "model_id", "etl_updated_at")
	ix(tPackages, "logistics_status", "shipping_carrier", "etl_updated_at")
	ix(tInvoice, "etl_updated_at")
	ix(tPayment, "transaction_id", "etl_updated_at")
}

// Tables returns the twelve staging tables, parent first.
func Tables() []*connector.Table {
	out := make([]*connector.Table, len(allTables))
	for i, t := range allTables {
		out[i] = t.Table
	}
	return out
}

// Transformer turns one get_order_detail order into rows of the twelve
// tables. Money is exact (DECIMAL(18,4)), times are UTC instants, text is kept
// as sent. A malformed order is rejected with an error naming the field.
type Transformer struct {
	// ShopID fills shopee_orders.shop_id, the shop the orders come from
	// (0: NULL). Source.Transformer and the platform driver set it.
	ShopID int64
}

// Transformer returns the transformer of the source's records: its shop
// fills shopee_orders.shop_id.
func (s *Source) Transformer() Transformer { return Transformer{ShopID: s.cfg.ShopID} }

// Tables implements connector.Transformer: the twelve order tables, then
// the finance tables (FinanceTables).
func (Transformer) Tables() []*connector.Table { return append(Tables(), FinanceTables()...) }

// rowCtx carries what a row needs besides its JSON object.
type rowCtx struct {
	sn, requestID string
	// snVal, reqVal and shopVal are sn, requestID and the shop id (nil
	// when empty) as row values, boxed once per order rather than once per
	// row.
	snVal, reqVal, shopVal any
	// prefix is the JSON path of the object, for errors: a format with up
	// to two indexes ("item_list[%d].").
	prefix string
	i, j   int
	// syn is the value of the table's one path-less column (location_id,
	// package_number, term, ...), or nil.
	syn any
	// bx boxes the values.
	bx *connector.Boxer
}

// path renders the JSON path of the object.
func (rc *rowCtx) path() string {
	switch strings.Count(rc.prefix, "%d") {
	case 0:
		return rc.prefix
	case 1:
		return fmt.Sprintf(rc.prefix, rc.i)
	}
	return fmt.Sprintf(rc.prefix, rc.i, rc.j)
}

// A binding says where each column of a table gets its value when the row
// is made from an object of a given shape.
type binding struct {
	t     *table
	cols  []colBinding
	names []colNames
	// vals are the columns read from the object, in column order; at*
	// are the columns of the order_sn, the request id, etl_source and the
	// path-less value (-1: none).
	vals                              []colBinding
	atSN, atReq, atSrc, atSyn, atShop int
}

type role uint8

const (
	roleNone      role = iota // Auto columns: the sink fills them
	roleOrderSN               // the order's order_sn
	roleRequestID             // the API request id
	roleSource                // ETLSource
	roleShop                  // Transformer.ShopID
	roleSynthetic             // rowCtx.syn
	roleValue                 // a slot of the object
	roleNested                // a slot of a nested object (geolocation.latitude)
)

// colBinding is kept small (the fill loop reads one per cell); the names
// for errors are in binding.names.
type colBinding struct {
	role  role
	typ   connector.Type
	op    fastOp // how fillFast converts it (convert.go)
	i     int32  // the column
	slot  int32
	group int32
}

// colNames are the JSON path of a column in its object (name) and, for a
// nested column, the key inside the nested object (sub).
type colNames struct{ name, sub string }

func bind(t *table, sh *shape) *binding {
	b := &binding{t: t, cols: make([]colBinding, len(t.fields)), names: make([]colNames, len(t.fields)),
		atSN: -1, atReq: -1, atSrc: -1, atSyn: -1, atShop: -1}
	for i, f := range t.fields {
		c := colBinding{typ: f.col.Type, i: int32(i)}
		b.names[i].name = strings.Join(f.path, ".")
		switch {
		case f.col.Name == "order_sn":
			c.role = roleOrderSN
		case f.col.Name == "source_request_id":
			c.role = roleRequestID
		case f.col.Name == "etl_source":
			c.role = roleSource
		case f.col.Name == "shop_id" && f.path == nil:
			c.role = roleShop
		case f.col.Auto != connector.AutoNone:
		case f.path == nil:
			c.role = roleSynthetic
		default:
			sl, ok := sh.slotOf(f.path[0])
			switch {
			case ok && len(f.path) == 1 && sl.typ == slotValue:
				c.role, c.slot = roleValue, int32(sl.idx)
			case ok && len(f.path) == 2 && sl.typ == slotGroup:
				c.role, c.group, b.names[i].sub = roleNested, int32(sl.idx), f.path[1]
				c.slot = int32(sh.groups[sl.idx][f.path[1]])
			default:
				panic("shopee: column " + t.Name + "." + f.col.Name + " is not in its object's shape")
			}
		}
		c.op = fastOpOf(c.role, c.typ)
		b.cols[i] = c
		switch c.role {
		case roleOrderSN:
			b.atSN = i
		case roleRequestID:
			b.atReq = i
		case roleSource:
			b.atSrc = i
		case roleShop:
			b.atShop = i
		case roleSynthetic:
			if b.atSyn >= 0 {
				panic("shopee: table " + t.Name + " has two columns without a path")
			}
			b.atSyn = i
		case roleValue, roleNested:
			b.vals = append(b.vals, c)
		}
	}
	return b
}

var (
	bOrders    = bind(tOrders, orderShape)
	bAddress   = bind(tAddress, addrShape)
	bInvoice   = bind(tInvoice, invShape)
	bItems     = bind(tItems, itemShape)
	bLocations = bind(tItemLocations, itemShape)
	bPackages  = bind(tPackages, pkgShape)
	bPkgItems  = bind(tPackageItems, pkgItShape)
	bPayments  = bind(tPayment, payShape)
	bLists     = func() []*binding {
		out := make([]*binding, len(stringLists))
		for i, l := range stringLists {
			out[i] = bind(l.t, nil)
		}
		return out
	}()
	// locFromItem gives, per column of shopee_order_item_locations, the
	// column of shopee_order_items holding the same converted value, or -1:
	// a location row copies the item's values instead of converting again.
	locFromItem = sameValues(bLocations, bItems)
	// pkgNumber is the column of package_number in shopee_packages.
	pkgNumber = tPackages.ColumnIndex("package_number")
)

// sameValues maps the value columns of b to the columns of src that read
// the same slot with the same type (-1: none).
func sameValues(b, src *binding) []int {
	from := make([]int, len(b.cols))
	for i, c := range b.cols {
		from[i] = -1
		for j, s := range src.cols {
			if c.role == roleValue && s.role == roleValue && c.slot == s.slot && c.typ == s.typ {
				from[i] = j
			}
		}
	}
	return from
}

// fillFrom is fill, taking the values of the columns from maps from src.
func (b *binding) fillFrom(row []any, o *obj, rc *rowCtx, src []any, from []int) error {
	if err := b.fill(row, o, rc, from); err != nil {
		return err
	}
	for i, j := range from {
		if j >= 0 {
			row[i] = src[j]
		}
	}
	return nil
}

// fill makes the row of o (nil for the tables without a JSON object) into
// row, which has one cell per column; the columns i with skip[i] >= 0 are
// left alone, and so are the Auto columns (the sink fills them).
func (b *binding) fill(row []any, o *obj, rc *rowCtx, skip []int) error {
	row = row[:len(b.cols)]
	if b.atSN >= 0 {
		row[b.atSN] = rc.snVal
	}
	if b.atReq >= 0 {
		row[b.atReq] = rc.reqVal
	}
	if b.atSrc >= 0 {
		row[b.atSrc] = ETLSource
	}
	if b.atShop >= 0 {
		row[b.atShop] = rc.shopVal
	}
	if b.atSyn >= 0 {
		row[b.atSyn] = rc.syn
	}
	vals := b.vals
	if skip == nil && len(vals) > 0 {
		vals = vals[b.fillFast(row, o.vals, rc.bx):] // the rest (if any) with the general rules
	}
	for _, c := range vals {
		if skip != nil && skip[c.i] >= 0 {
			continue
		}
		v := o.vals[c.slot]
		if c.role == roleNested {
			switch o.groups[c.group] {
			case kAbsent, kNull:
				v = val{}
			case kObject:
			default:
				return fmt.Errorf("field %s%s: %s is not inside an object", rc.path(), b.names[c.i].name, b.names[c.i].sub)
			}
		}
		// Text and integers as the API sends them here, the rest by convert.
		switch {
		case c.typ == connector.String && v.kind() == kString:
			row[c.i] = rc.bx.String(v.raw())
			continue
		case c.typ == connector.Int && v.kind() == kNumber:
			if n, ok := jsonscan.SmallInt(v.raw()); ok {
				row[c.i] = rc.bx.Int(n)
				continue
			}
		}
		x, err := convert(c.typ, v, rc.bx)
		if err != nil {
			return fmt.Errorf("field %s%s: %w", rc.path(), b.names[c.i].name, err)
		}
		row[c.i] = x
	}
	return nil
}

// Unmapped returns the API fields seen by any Transformer of this process
// that no column stores ("item_list[].promotion_list"), so schema drift is
// visible instead of silent; each is also logged once.
func Unmapped() []string {
	var out []string
	if m := unmapped.Load(); m != nil {
		for k := range *m {
			out = append(out, k.kind+k.key)
		}
	}
	sort.Strings(out)
	return out
}

// unmappedKey is a field path: the object kind ("item_list[].") and the key.
type unmappedKey struct{ kind, key string }

var (
	// unmapped is read without a lock on every order (a copy-on-write set:
	// new fields are rare).
	unmapped   atomic.Pointer[map[unmappedKey]struct{}]
	unmappedMu sync.Mutex
)

// noteUnmapped records keys of an object of kind that no column reads.
func noteUnmapped(kind string, keys []string) {
	if len(keys) == 0 {
		return
	}
	m := unmapped.Load()
	for _, k := range keys {
		if m != nil {
			if _, ok := (*m)[unmappedKey{kind, k}]; ok {
				continue
			}
		}
		addUnmapped(kind, k)
	}
}

func addUnmapped(kind, key string) {
	unmappedMu.Lock()
	defer unmappedMu.Unlock()
	old := unmapped.Load()
	if old != nil {
		if _, ok := (*old)[unmappedKey{kind, key}]; ok {
			return
		}
	}
	m := make(map[unmappedKey]struct{}, 1)
	if old != nil {
		for k := range *old {
			m[k] = struct{}{}
		}
	}
	// The key is a substring of an order: clone it so the set does not keep
	// the order alive.
	m[unmappedKey{kind, strings.Clone(key)}] = struct{}{}
	unmapped.Store(&m)
	slog.Default().Info("shopee: API field not stored in the warehouse", "field", kind+key)
}

// Transform implements connector.Transformer. The order's JSON is read once
// (see decode.go), then each column's value is converted once.
func (t Transformer) Transform(rec connector.Record, out connector.Output) error {
	if isFinance(rec) {
		return transformFinance(rec, out, t.ShopID)
	}
	if err := Quarantined(rec); err != nil { // an order the source quarantined (walk.go)
		return err
	}
	d := orderPool.Get().(*decodedOrder)
	defer func() {
		// The slots still point into the order until the next one overwrites
		// them: a pooled decoder keeps at most one order's text alive.
		d.data = ""
		orderPool.Put(d)
	}()
	if !d.decode(rec.Data) {
		return fmt.Errorf("order %s: not a JSON object", rec.Key)
	}
	return d.transform(rec, out, &d.bx, t.ShopID)
}

// transform makes the rows of a decoded order of shop shopID (0: unknown),
// boxing the values with bx.
func (d *decodedOrder) transform(rec connector.Record, out connector.Output, bx *connector.Boxer, shopID int64) error {
	key, err := d.sn.key(bx)
	if err != nil {
		return fmt.Errorf("order %s: field order_sn: %w", rec.Key, err)
	}
	rc := rowCtx{sn: key, requestID: rec.RequestID, snVal: bx.String(key), bx: bx}
	if shopID != 0 {
		rc.shopVal = bx.Int(shopID)
	}
	if rec.RequestID != "" {
		rc.reqVal = bx.String(rec.RequestID)
	}
	noteUnmapped("", d.order.unknown)
	if err := d.rows(&rc, out); err != nil {
		return fmt.Errorf("order %s: %w", rc.sn, err)
	}
	return nil
}

// cells is an upper bound of the number of cells of the order's rows.
func (d *decodedOrder) cells() int {
	n := len(bOrders.cols) + len(bAddress.cols) + len(bInvoice.cols)
	for i := range d.items[:d.nItems] {
		n += len(bItems.cols) + len(d.items[i].locs)*len(bLocations.cols)
	}
	for i := range d.pkgs[:d.nPkgs] {
		n += len(bPackages.cols) + d.pkgs[i].n*len(bPkgItems.cols)
	}
	n += d.nPays * len(bPayments.cols)
	for i, l := range d.lists {
		n += len(l) * len(bLists[i].cols)
	}
	return n
}

var errNotObjects = errors.New("not a list of objects")

// rows makes the rows in the order of the tables, as the reference
// transformer does (so the first error is the same).
func (d *decodedOrder) rows(rc *rowCtx, out connector.Output) error {
	// All the rows of an order share one backing array.
	cells := make([]any, d.cells())
	take := func(b *binding) []any {
		n := len(b.cols)
		row := cells[:n:n]
		cells = cells[n:]
		return row
	}
	add := func(b *binding, o *obj, rc *rowCtx) error {
		row := take(b)
		if err := b.fill(row, o, rc, nil); err != nil {
			return err
		}
		out.Add(b.t.Table, row)
		return nil
	}
	if err := add(bOrders, &d.order, rc); err != nil {
		return err
	}
	for _, s := range []struct {
		b           *binding
		x           *single
		key, prefix string
	}{{bAddress, &d.addr, "recipient_address", "recipient_address."}, {bInvoice, &d.inv, "invoice_data", "invoice_data."}} {
		switch {
		case s.x.k == kAbsent || s.x.k == kNull:
		case s.x.k != kObject:
			return fmt.Errorf("field %s: not an object", s.key)
		case s.x.o.keys > 0:
			src := *rc
			src.prefix = s.prefix
			if err := add(s.b, &s.x.o, &src); err != nil {
				return err
			}
		}
	}

	if d.itemsBad >= 0 {
		return fmt.Errorf("field item_list[%d]: %w", d.itemsBad, errNotObjects)
	}
	for i := range d.items[:d.nItems] {
		it := &d.items[i]
		irc := *rc
		irc.prefix, irc.i = "item_list[%d].", i
		itemRow := cells[:len(bItems.cols)]
		if err := add(bItems, &it.obj, &irc); err != nil {
			return err
		}
		noteUnmapped(itemShape.note, it.unknown)
		for j, v := range it.locs {
			loc, ok, err := v.string()
			if err != nil {
				return fmt.Errorf("field %sproduct_location_id[%d]: %w", irc.path(), j, err)
			}
			if !ok || loc == "" {
				continue
			}
			irc.syn = rc.bx.String(loc)
			row := take(bLocations)
			if err := bLocations.fillFrom(row, &it.obj, &irc, itemRow, locFromItem); err != nil {
				return err
			}
			out.Add(tItemLocations.Table, row)
		}
	}

	if d.pkgsBad >= 0 {
		return fmt.Errorf("field package_list[%d]: %w", d.pkgsBad, errNotObjects)
	}
	for i := range d.pkgs[:d.nPkgs] {
		p := &d.pkgs[i]
		prc := *rc
		prc.prefix, prc.i = "package_list[%d].", i
		row := cells[:len(bPackages.cols)]
		if err := add(bPackages, &p.obj, &prc); err != nil {
			return err
		}
		noteUnmapped(pkgShape.note, p.unknown)
		num := row[pkgNumber] // the text of package_number, or nil
		if p.bad >= 0 {
			return fmt.Errorf("%sfield item_list[%d]: %w", prc.path(), p.bad, errNotObjects)
		}
		for j := range p.items[:p.n] {
			irc := prc
			irc.prefix, irc.j = "package_list[%d].item_list[%d].", j
			irc.syn = num
			if err := add(bPkgItems, &p.items[j], &irc); err != nil {
				return err
			}
			noteUnmapped(pkgItShape.note, p.items[j].unknown)
		}
	}

	if d.paysBad >= 0 {
		return fmt.Errorf("field payment_info[%d]: %w", d.paysBad, errNotObjects)
	}
	for i := range d.pays[:d.nPays] {
		prc := *rc
		prc.prefix, prc.i = "payment_info[%d].", i
		if err := add(bPayments, &d.pays[i], &prc); err != nil {
			return err
		}
	}

	for l, vals := range d.lists {
		for j, v := range vals {
			s, ok, err := v.string()
			if err != nil {
				return fmt.Errorf("field %s[%d]: %w", stringLists[l].key, j, err)
			}
			if !ok || s == "" {
				continue
			}
			lrc := rowCtx{sn: rc.sn, requestID: rc.requestID, snVal: rc.snVal, reqVal: rc.reqVal, syn: rc.bx.String(s), bx: rc.bx}
			if err := add(bLists[l], nil, &lrc); err != nil {
				return err
			}
		}
	}
	return nil
}

var _ connector.Transformer = Transformer{}
