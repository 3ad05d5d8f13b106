package lazada

import (
	"encoding/json"

	"github.com/facolos/etl/connector"
)

// Table names.
const (
	OrdersTable = "lazada_orders"
	ItemsTable  = "lazada_order_items"
)

// kind says how a field is read (decode.go).
type kind int

const (
	kString kind = iota
	kInt
	kDec
	kBool
	kTime
	kJSON       // any JSON value kept as JSON
	kJSONString // a string holding JSON (extra_attributes)
)

// field maps one column to its place in the answer: src is the key in
// the object (a dotted path for an address field).
type field struct {
	col    string
	src    string
	kind   kind
	length int
}

func (f field) column() connector.Column {
	c := connector.Column{Name: f.col, Nullable: true}
	switch f.kind {
	case kString:
		c.Type, c.Length = connector.String, f.length
	case kInt:
		c.Type = connector.Int
	case kDec:
		c.Type, c.Precision, c.Scale = connector.Decimal, 18, 2
	case kBool:
		c.Type = connector.Bool
	case kTime:
		c.Type = connector.Timestamp
	case kJSON, kJSONString:
		c.Type = connector.JSON
	}
	return c
}

func (f field) read(raw json.RawMessage) (any, error) {
	switch f.kind {
	case kInt:
		return asInt(raw)
	case kDec:
		return asDec(raw)
	case kBool:
		return asBool(raw)
	case kTime:
		return asTime(raw)
	case kJSON:
		return asJSON(raw)
	case kJSONString:
		return asJSONString(raw)
	}
	return asString(raw)
}

// address fields, flattened as billing_* and shipping_*. The district's
// key is addressDsitrict on /orders/get (sic) and addressDistrict on
// /order/get; both are read.
var addressFields = []string{"first_name", "last_name", "phone", "phone2", "address1", "address2", "address3", "address4", "address5",
	"city", "post_code", "country", "customer_email"}

// orderFields are the columns of staging.lazada_orders read from the order
// object (contract §4.1), after seller_id and order_id.
var orderFields = func() []field {
	f := []field{
		{"order_number", "order_number", kString, 50},
		{"created_at", "created_at", kTime, 0},
		{"updated_at", "updated_at", kTime, 0},
		{"price", "price", kDec, 0},
		{"voucher", "voucher", kDec, 0},
		{"voucher_platform", "voucher_platform", kDec, 0},
		{"voucher_seller", "voucher_seller", kDec, 0},
		{"shipping_fee", "shipping_fee", kDec, 0},
		{"shipping_fee_original", "shipping_fee_original", kDec, 0},
		{"shipping_fee_discount_seller", "shipping_fee_discount_seller", kDec, 0},
		{"shipping_fee_discount_platform", "shipping_fee_discount_platform", kDec, 0},
		{"items_count", "items_count", kInt, 0},
		{"statuses", "statuses", kJSON, 0},
		{"payment_method", "payment_method", kString, 100},
		{"customer_first_name", "customer_first_name", kString, 255},
		{"customer_last_name", "customer_last_name", kString, 255},
		{"voucher_code", "voucher_code", kString, 255},
		{"gift_option", "gift_option", kBool, 0},
		{"gift_message", "gift_message", kString, 0},
		{"remarks", "remarks", kString, 0},
		{"delivery_info", "delivery_info", kString, 0},
		{"promised_shipping_times", "promised_shipping_times", kString, 255},
		{"national_registration_number", "national_registration_number", kString, 100},
		{"branch_number", "branch_number", kString, 100},
		{"tax_code", "tax_code", kString, 100},
		{"buyer_note", "buyer_note", kString, 0},
		{"extra_attributes", "extra_attributes", kJSONString, 0},
		{"address_updated_at", "address_updated_at", kString, 50},
		{"warehouse_code", "warehouse_code", kString, 100},
		{"recipient_passport_no", "recipient_info.passport_no", kString, 100},
		{"recipient_identify_no", "recipient_info.identify_no", kString, 100},
		{"recipient_detail_address", "recipient_info.detail_address", kString, 0},
		{"need_cancel_confirm", "need_cancel_confirm", kBool, 0},
		{"is_cancel_pending", "is_cancel_pending", kBool, 0},
	}
	for _, side := range []string{"billing", "shipping"} {
		for _, a := range addressFields {
			f = append(f, field{side + "_" + a, "address_" + side + "." + a, kString, 255})
		}
		f = append(f, field{side + "_district", "address_" + side + ".addressDsitrict", kString, 255})
	}
	return f
}()

// itemFields are the columns of staging.lazada_order_items read from the
// item object (contract §4.5), after seller_id, order_item_id, order_id.
var itemFields = []field{
	{"shop_sku", "shop_sku", kString, 255},
	{"sku", "sku", kString, 255},
	{"sku_id", "sku_id", kString, 50},
	{"product_id", "product_id", kString, 50},
	{"name", "name", kString, 0},
	{"variation", "variation", kString, 0},
	{"item_price", "item_price", kDec, 0},
	{"paid_price", "paid_price", kDec, 0},
	{"tax_amount", "tax_amount", kDec, 0},
	{"voucher_amount", "voucher_amount", kDec, 0},
	{"shipping_amount", "shipping_amount", kDec, 0},
	{"wallet_credits", "wallet_credits", kDec, 0},
	{"voucher_platform", "voucher_platform", kDec, 0},
	{"voucher_seller", "voucher_seller", kDec, 0},
	{"voucher_platform_lpi", "voucher_platform_lpi", kDec, 0},
	{"voucher_seller_lpi", "voucher_seller_lpi", kDec, 0},
	{"shipping_fee_original", "shipping_fee_original", kDec, 0},
	{"shipping_fee_discount_seller", "shipping_fee_discount_seller", kDec, 0},
	{"shipping_fee_discount_platform", "shipping_fee_discount_platform", kDec, 0},
	{"shipping_service_cost", "shipping_service_cost", kDec, 0},
	{"voucher_code", "voucher_code", kString, 255},
	{"voucher_code_seller", "voucher_code_seller", kString, 255},
	{"voucher_code_platform", "voucher_code_platform", kString, 255},
	{"currency", "currency", kString, 10},
	{"status", "status", kString, 50},
	{"reason", "reason", kString, 0},
	{"reason_detail", "reason_detail", kString, 0},
	{"cancel_return_initiator", "cancel_return_initiator", kString, 100},
	{"return_status", "return_status", kString, 100},
	{"tracking_code", "tracking_code", kString, 100},
	{"tracking_code_pre", "tracking_code_pre", kString, 100},
	{"shipment_provider", "shipment_provider", kString, 255},
	{"shipping_provider_type", "shipping_provider_type", kString, 50},
	{"shipping_type", "shipping_type", kString, 50},
	{"package_id", "package_id", kString, 100},
	{"purchase_order_id", "purchase_order_id", kString, 100},
	{"purchase_order_number", "purchase_order_number", kString, 100},
	{"invoice_number", "invoice_number", kString, 100},
	{"created_at", "created_at", kTime, 0},
	{"updated_at", "updated_at", kTime, 0},
	{"promised_shipping_time", "promised_shipping_time", kString, 50},
	{"sla_time_stamp", "sla_time_stamp", kString, 50},
	{"payment_time", "payment_time", kTime, 0},
	{"is_digital", "is_digital", kBool, 0},
	{"is_fbl", "is_fbl", kBool, 0},
	{"is_reroute", "is_reroute", kBool, 0},
	{"delivery_option_sof", "delivery_option_sof", kBool, 0},
	{"order_type", "order_type", kString, 50},
	{"order_flag", "order_flag", kString, 50},
	{"stage_pay_status", "stage_pay_status", kString, 50},
	{"warehouse_code", "warehouse_code", kString, 100},
	{"buyer_id", "buyer_id", kString, 50},
	{"shop_id", "shop_id", kString, 255},
	{"product_main_image", "product_main_image", kString, 0},
	{"product_detail_url", "product_detail_url", kString, 0},
	{"digital_delivery_info", "digital_delivery_info", kString, 0},
	{"extra_attributes", "extra_attributes", kString, 0},
	{"pick_up_store_info", "pick_up_store_info", kJSON, 0},
	{"need_cancel_confirm", "need_cancel_confirm", kBool, 0},
	{"is_cancel_pending", "is_cancel_pending", kBool, 0},
	{"can_escalate_pickup", "can_escalate_pickup", kBool, 0},
	{"mp3_order", "mp3_order", kBool, 0},
	{"cancel_trigger_time", "cancel_trigger_time", kInt, 0},
	{"reverse_order_id", "reverse_order_id", kString, 50},
	{"schedule_delivery_start_timeslot", "schedule_delivery_start_timeslot", kInt, 0},
	{"schedule_delivery_end_timeslot", "schedule_delivery_end_timeslot", kInt, 0},
	{"biz_group", "biz_group", kInt, 0},
}

// Bookkeeping columns of both tables.
var etlColumns = []connector.Column{
	{Name: "request_id", Type: connector.String, Nullable: true, Length: 64, Meta: true},
	{Name: "etl_created_at", Type: connector.Timestamp, Nullable: true, Auto: connector.AutoCreatedAt},
	{Name: "etl_updated_at", Type: connector.Timestamp, Nullable: true, Auto: connector.AutoUpdatedAt},
	{Name: "etl_batch_id", Type: connector.String, Nullable: true, Length: 50, Auto: connector.AutoRunID},
}

// Leading columns of each table.
const (
	ordersLead = 3 // seller_id, order_id, status
	itemsLead  = 3 // seller_id, order_item_id, order_id
)

func columns(lead []connector.Column, fields []field) []connector.Column {
	out := append([]connector.Column(nil), lead...)
	for _, f := range fields {
		out = append(out, f.column())
	}
	return append(out, etlColumns...)
}

var ordersTable = mustValidate(&connector.Table{Schema: "staging", Name: OrdersTable,
	Columns: columns([]connector.Column{
		{Name: "seller_id", Type: connector.String, Length: 50},
		{Name: "order_id", Type: connector.Int},
		// status is the order's own status when all its items agree
		// (statuses has one value), NULL otherwise.
		{Name: "status", Type: connector.String, Nullable: true, Length: 50},
	}, orderFields),
	PrimaryKey: []string{"seller_id", "order_id"},
	// updated_at is the order's version: an older copy never replaces a
	// newer row, and its items follow the order's decision.
	Version: "updated_at",
	Indexes: []connector.Index{
		{Name: "IX_lazada_orders_updated_at", Columns: []string{"updated_at"}},
		{Name: "IX_lazada_orders_created_at", Columns: []string{"created_at"}},
		{Name: "IX_lazada_orders_status", Columns: []string{"status"}},
	}})

var itemsTable = mustValidate(&connector.Table{Schema: "staging", Name: ItemsTable,
	Columns: columns([]connector.Column{
		{Name: "seller_id", Type: connector.String, Length: 50},
		{Name: "order_item_id", Type: connector.Int},
		{Name: "order_id", Type: connector.Int},
	}, itemFields),
	PrimaryKey: []string{"seller_id", "order_item_id"},
	Parent:     "staging." + OrdersTable, ParentKey: []string{"seller_id", "order_id"},
	Indexes: []connector.Index{
		{Name: "IX_lazada_order_items_updated_at", Columns: []string{"updated_at"}},
		{Name: "IX_lazada_order_items_created_at", Columns: []string{"created_at"}},
		{Name: "IX_lazada_order_items_status", Columns: []string{"status"}},
	}})

func mustValidate(t *connector.Table) *connector.Table {
	if err := t.Validate(); err != nil {
		panic(err)
	}
	return t
}

// OrdersTableDef returns staging.lazada_orders: one row per order, key
// (seller_id, order_id).
func OrdersTableDef() *connector.Table { return ordersTable }

// ItemsTableDef returns staging.lazada_order_items: one row per order
// item, key (seller_id, order_item_id), child of its order: the item set
// of every order written is replaced, so items that vanish upstream
// vanish from the table.
func ItemsTableDef() *connector.Table { return itemsTable }
