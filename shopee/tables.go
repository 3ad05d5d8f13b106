package shopee

import (
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"

	"github.com/facolos/etl/connector"
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
	}
	if err := t.Validate(); err != nil {
		panic(err)
	}
	return &table{Table: t, fields: fields}
}

var orderSN = key(str("order_sn", 50, ""))

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
		bit("hot_listing_order", "hot_listing_order"))

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
type Transformer struct{}

// Tables implements connector.Transformer.
func (Transformer) Tables() []*connector.Table { return Tables() }

// rowCtx carries what a row needs besides its JSON object.
type rowCtx struct {
	sn, requestID string
	// prefix is the JSON path of the object, for errors: a format with up
	// to two indexes ("item_list[%d].").
	prefix string
	i, j   int
	// synthetic is the value of the one path-less column (location_id,
	// package_number, term, ...) named synName.
	synName, synthetic string
}

// path renders the JSON path of the object.
func (rc rowCtx) path() string {
	switch strings.Count(rc.prefix, "%d") {
	case 0:
		return rc.prefix
	case 1:
		return fmt.Sprintf(rc.prefix, rc.i)
	}
	return fmt.Sprintf(rc.prefix, rc.i, rc.j)
}

func (t *table) row(obj object, rc rowCtx) ([]any, error) {
	row := make([]any, len(t.fields))
	for i, f := range t.fields {
		switch {
		case f.col.Name == "order_sn":
			row[i] = rc.sn
		case f.col.Name == "source_request_id":
			if rc.requestID != "" {
				row[i] = rc.requestID
			}
		case f.col.Name == "etl_source":
			row[i] = ETLSource
		case f.col.Auto != connector.AutoNone:
		case f.path == nil:
			if f.col.Name == rc.synName {
				row[i] = rc.synthetic
			}
		default:
			v, err := lookup(obj, f.path)
			if err == nil {
				row[i], err = convert(f.col.Type, v)
			}
			if err != nil {
				return nil, fmt.Errorf("field %s%s: %w", rc.path(), strings.Join(f.path, "."), err)
			}
		}
	}
	return row, nil
}

// Unmapped returns the API fields seen by any Transformer of this process
// that no column stores ("item_list[].promotion_list"), so schema drift is
// visible instead of silent; each is also logged once.
func Unmapped() []string {
	var out []string
	unmapped.Range(func(k, _ any) bool { out = append(out, k.(string)); return true })
	sort.Strings(out)
	return out
}

var (
	unmapped sync.Map // field path -> struct{}
	// known holds the JSON keys the tables read, per object kind.
	known = map[string]map[string]bool{
		"":                            keysOf(tOrders, "order_sn", "recipient_address", "item_list", "package_list", "invoice_data", "payment_info", "pending_terms", "warnings", "prescription_images", "buyer_proof_of_collection"),
		"item_list[].":                keysOf(tItems, "product_location_id"),
		"package_list[].":             keysOf(tPackages, "item_list"),
		"package_list[].item_list[].": keysOf(tPackageItems),
	}
)

func keysOf(t *table, extra ...string) map[string]bool {
	m := map[string]bool{}
	for _, f := range t.fields {
		if len(f.path) > 0 {
			m[f.path[0]] = true
		}
	}
	for _, k := range extra {
		m[k] = true
	}
	return m
}

// noteUnmapped records the keys of obj that no column reads.
func noteUnmapped(kind string, obj object) {
	k := known[kind]
	for key := range obj {
		if k[key] {
			continue
		}
		if _, seen := unmapped.LoadOrStore(kind+key, struct{}{}); !seen {
			slog.Default().Info("shopee: API field not stored in the warehouse", "field", kind+key)
		}
	}
}

// Transform implements connector.Transformer.
func (Transformer) Transform(rec connector.Record, out connector.Output) error {
	tree, err := decodeTree(rec.Data)
	o, ok := tree.(map[string]any)
	if err != nil || !ok {
		return fmt.Errorf("order %s: not a JSON object", rec.Key)
	}
	if o["order_sn"] == nil {
		return fmt.Errorf("order %s: field order_sn: missing", rec.Key)
	}
	sn, err := connector.KeyText(o["order_sn"], false)
	if err != nil {
		return fmt.Errorf("order %s: field order_sn: %w", rec.Key, err)
	}
	rc := rowCtx{sn: sn, requestID: rec.RequestID}
	noteUnmapped("", o)
	if err := transformOrder(o, rc, out); err != nil {
		return fmt.Errorf("order %s: %w", rc.sn, err)
	}
	return nil
}

func transformOrder(o object, rc rowCtx, out connector.Output) error {
	row, err := tOrders.row(o, rc)
	if err != nil {
		return err
	}
	out.Add(tOrders.Table, row)

	if err := single(tAddress, o, "recipient_address", rc, out); err != nil {
		return err
	}
	if err := single(tInvoice, o, "invoice_data", rc, out); err != nil {
		return err
	}

	items, err := objects(o, "item_list")
	if err != nil {
		return err
	}
	for i, it := range items {
		irc := rc
		irc.prefix, irc.i = "item_list[%d].", i
		row, err := tItems.row(it, irc)
		if err != nil {
			return err
		}
		out.Add(tItems.Table, row)
		noteUnmapped("item_list[].", it)
		for j, raw := range list(it["product_location_id"]) {
			loc, err := toString(raw)
			if err != nil {
				return fmt.Errorf("field %sproduct_location_id[%d]: %w", irc.path(), j, err)
			}
			if loc == nil || loc.(string) == "" {
				continue
			}
			irc.synName, irc.synthetic = "location_id", loc.(string)
			row, err := tItemLocations.row(it, irc)
			if err != nil {
				return err
			}
			out.Add(tItemLocations.Table, row)
		}
	}

	pkgs, err := objects(o, "package_list")
	if err != nil {
		return err
	}
	for i, p := range pkgs {
		prc := rc
		prc.prefix, prc.i = "package_list[%d].", i
		row, err := tPackages.row(p, prc)
		if err != nil {
			return err
		}
		out.Add(tPackages.Table, row)
		noteUnmapped("package_list[].", p)
		num, _ := toString(p["package_number"])
		pitems, err := objects(p, "item_list")
		if err != nil {
			return fmt.Errorf("%s%w", prc.path(), err)
		}
		for j, pi := range pitems {
			irc := prc
			irc.prefix, irc.j = "package_list[%d].item_list[%d].", j
			if num != nil {
				irc.synName, irc.synthetic = "package_number", num.(string)
			}
			row, err := tPackageItems.row(pi, irc)
			if err != nil {
				return err
			}
			out.Add(tPackageItems.Table, row)
			noteUnmapped("package_list[].item_list[].", pi)
		}
	}

	pays, err := objects(o, "payment_info")
	if err != nil {
		return err
	}
	for i, p := range pays {
		prc := rc
		prc.prefix, prc.i = "payment_info[%d].", i
		row, err := tPayment.row(p, prc)
		if err != nil {
			return err
		}
		out.Add(tPayment.Table, row)
	}

	for _, l := range []struct {
		t      *table
		key    string
		column string
	}{
		{tPendingTerms, "pending_terms", "term"},
		{tWarnings, "warnings", "warning"},
		{tPrescription, "prescription_images", "image_url"},
		{tProof, "buyer_proof_of_collection", "image_url"},
	} {
		for j, raw := range list(o[l.key]) {
			v, err := toString(raw)
			if err != nil {
				return fmt.Errorf("field %s[%d]: %w", l.key, j, err)
			}
			if v == nil || v.(string) == "" {
				continue
			}
			row, err := l.t.row(nil, rowCtx{sn: rc.sn, requestID: rc.requestID, synName: l.column, synthetic: v.(string)})
			if err != nil {
				return err
			}
			out.Add(l.t.Table, row)
		}
	}
	return nil
}

// single adds the row of a 0..1 child object (recipient_address,
// invoice_data) when it is a non-empty object.
func single(t *table, o object, k string, rc rowCtx, out connector.Output) error {
	if o[k] == nil {
		return nil
	}
	obj, ok := o[k].(map[string]any)
	if !ok {
		return fmt.Errorf("field %s: not an object", k)
	}
	if len(obj) == 0 {
		return nil
	}
	rc.prefix = k + "."
	row, err := t.row(obj, rc)
	if err != nil {
		return err
	}
	out.Add(t.Table, row)
	return nil
}

var errNotObjects = errors.New("not a list of objects")

func objects(o object, k string) ([]object, error) {
	vals := list(o[k])
	out := make([]object, 0, len(vals))
	for i, v := range vals {
		if v == nil {
			continue
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("field %s[%d]: %w", k, i, errNotObjects)
		}
		out = append(out, obj)
	}
	return out, nil
}

var _ connector.Transformer = Transformer{}
