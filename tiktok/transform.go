package tiktok

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/facolos/etl/connector"
)

// ETLSource is the constant written to etl_source.
const ETLSource = "tiktok_shop_api"

// TableName is the table the transformer writes.
const TableName = "tiktok_shop_order_detail"

// table is staging.tiktok_shop_order_detail: one row per line item, key
// (order_id, item_id). It is its own parent by order_id, so the sinks
// replace an order's line set on every write of the order: a line item that
// vanished upstream (split, cancel) vanishes from the table, and the
// placeholder row of an order without line items (item_id "") goes when
// its first items appear. The order's update_time is the version: an
// older copy of an order never replaces the newer one's line set. Its
// secondary indexes are those of tables.md but IX_..._order_id, which the
// primary key's leading column already serves.
var table = func() *connector.Table {
	ix := func(name, col string) connector.Index {
		return connector.Index{Name: "IX_" + TableName + "_" + name, Columns: []string{col}}
	}
	t := &connector.Table{Schema: "staging", Name: TableName, Columns: columns,
		PrimaryKey: []string{"order_id", "item_id"}, Parent: "staging." + TableName, ParentKey: []string{"order_id"},
		Version: "update_time",
		Indexes: []connector.Index{ix("item_id", "item_id"), ix("create_time", "create_time"),
			ix("update_time", "update_time"), ix("etl_updated", "etl_updated_at")}}
	if err := t.Validate(); err != nil {
		panic(err)
	}
	return t
}()

// Table returns the definition of staging.tiktok_shop_order_detail.
func Table() *connector.Table { return table }

// Transformer turns one order object (from the search or the detail call)
// into one row per line item of staging.tiktok_shop_order_detail, and the
// records of the finance streams into the finance tables
// (finance_tables.go). NULL
// stays NULL, ids stay the exact text sent (never a float), money is an
// exact decimal, times are UTC instants (a millisecond
// recommended_shipping_time is recognised), JSON columns hold the API's
// JSON. A malformed order is rejected with an error naming the field.
//
// The order object carries no shop: the transformer of a source
// (Source.Transformer) fills shop_id, region and shop_cipher from the shop
// the source resolved (an order's own field, if ever sent, wins); the zero
// Transformer leaves them to the order.
type Transformer struct{ src *Source }

// Transformer returns the transformer of the source's records: it fills
// the shop columns from the shop the source resolved.
func (s *Source) Transformer() Transformer { return Transformer{src: s} }

// Tables implements connector.Transformer: the order table, then the
// finance tables (FinanceTables).
func (Transformer) Tables() []*connector.Table {
	return append([]*connector.Table{table}, financeTables...)
}

// Transform implements connector.Transformer. The order's text is copied
// once into a string (the raw_order_json column) and decoded in one
// validating pass (decode.go): every value is a substring of it, numbers
// keep their exact text (never parsed as floats) and only escaped strings
// are unquoted. The values are boxed into slabs (connector.Boxer), not one
// by one. The rows keep no reference to rec.Data.
func (t Transformer) Transform(rec connector.Record, out connector.Output) error {
	if isFinance(rec) {
		return transformFinance(rec, out)
	}
	s := string(rec.Data)
	sc := scratchPool.Get().(*scratch)
	defer sc.release()
	if err := decodeOrder(s, &sc.order); err != nil {
		return fmt.Errorf("order %s: not a JSON order object: %w", rec.Key, err)
	}
	var shop *shopCols
	if t.src != nil {
		shop = t.src.shop.Load()
	}
	return transform(&sc.order, &sc.cells, s, rec.Key, shop, out)
}

// scratch is what one Transform call works in: the decoded order (whose
// item list keeps its capacity from order to order) and the boxer of the
// row values. Neither is referenced by the rows once the call returns, but
// for the boxer's slabs, whose written cells are never written again.
type scratch struct {
	order apiOrder
	cells cells
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// maxPooledItems bounds the item list a pooled scratch keeps: the list of
// an order with thousands of line items is not held for the next order.
const maxPooledItems = 256

// release returns the scratch to the pool. Until it is reused (or the pool
// is emptied by the garbage collector) it keeps the last order's text
// alive, as the rows do anyway.
func (sc *scratch) release() {
	if cap(sc.order.items) > maxPooledItems {
		sc.order.items = nil
	}
	scratchPool.Put(sc)
}

// transform emits the rows of an order decoded by decodeOrder; raw is its
// JSON text.
func transform(o *apiOrder, c *cells, raw string, key string, shop *shopCols, out connector.Output) error {
	if o.ID.k == kNull || o.ID.k == kOther || o.ID.s == "" {
		return fmt.Errorf("order %s: field id: missing", key)
	}
	oid := o.ID.s
	fail := func(err error) error { return fmt.Errorf("order %s: %w", oid, err) }
	if notKind(o.Payment, '{') {
		return fail(errors.New("field payment: not an object"))
	}
	if notKind(o.RecipientAddress, '{') {
		return fail(errors.New("field recipient_address: not an object"))
	}
	if notKind(o.Packages, '[') {
		return fail(errors.New("field packages: not a list"))
	}
	if notKind(o.pkgRaw, '{') {
		return fail(errors.New("field packages[0]: not an object"))
	}
	if notKind(o.LineItems, '[') {
		return fail(errors.New("field line_items: not a list"))
	}
	items := o.items
	// One allocation holds every row of the order; the order-level values
	// are boxed once, into the first row, and shared by the others.
	n := max(len(items), 1)
	slab := make([]any, n*len(columns))
	base := slab[:len(columns):len(columns)]
	if err := fillOrder(c, base, o); err != nil {
		return fail(err)
	}
	base[cEtlSource] = ETLSource
	if shop != nil {
		fillShop(base, shop)
	}
	base[cRawOrderJson] = c.JSON(connector.RawJSON(raw))
	base[cPaymentInfoJson] = c.jsonObject(o.Payment)
	base[cRecipientAddressJson] = c.jsonObject(o.RecipientAddress)
	base[cPackagesJson] = c.jsonList(o.Packages)
	if lj := c.jsonList(o.LineItems); lj != nil {
		base[cLineItemsJson] = lj
	} else {
		base[cLineItemsJson] = emptyList
	}
	if di := c.jsonList(o.recipient.DistrictInfo); di != nil {
		base[cRecipientDistrictInfo] = di
	} else if notKind(o.recipient.DistrictInfo, '[') {
		return fail(errors.New("field recipient_address.district_info: not a list"))
	}
	if len(items) == 0 {
		// The order still lands: one row, item_id "", every item column NULL.
		base[cItemID] = ""
		out.Add(table, base)
		return nil
	}
	// Item ids are checked for repeats against the earlier rows; a map only
	// for a long list.
	var seen map[string]struct{}
	if len(items) > 16 {
		seen = make(map[string]struct{}, len(items))
	}
	for i := range items {
		li := &items[i]
		if notKind(li.raw, '{') {
			return fail(fmt.Errorf("field line_items[%d]: not an object", i))
		}
		row := slab[i*len(columns) : (i+1)*len(columns) : (i+1)*len(columns)]
		if i > 0 {
			// The order's columns; fillItem and the item_sku_attributes
			// below set every column of the item block.
			copy(row[:cItemID], base[:cItemID])
			copy(row[cItemSKUAttributes+1:], base[cItemSKUAttributes+1:])
		}
		if err := fillItem(c, row, &li.apiItem, i); err != nil {
			return fail(err)
		}
		iid, _ := row[cItemID].(string)
		if iid == "" {
			return fail(fmt.Errorf("field line_items[%d].id: missing", i))
		}
		dup := false
		if seen != nil {
			_, dup = seen[iid]
			seen[iid] = struct{}{}
		} else {
			for k := 0; k < i && !dup; k++ {
				dup = slab[k*len(columns)+cItemID] == iid
			}
		}
		if dup {
			return fail(fmt.Errorf("field line_items[%d].id: %s appears twice", i, iid))
		}
		row[cItemSKUAttributes] = c.JSON(rawJSON(li.raw))
	}
	for i := range items {
		out.Add(table, slab[i*len(columns):(i+1)*len(columns):(i+1)*len(columns)])
	}
	return nil
}

// shopCols are the shop columns' values of a resolved shop, boxed once
// (nil for a value the shop listing left empty).
type shopCols [3]any

var shopColIdx = [3]int{cShopID, cRegion, cShopCipher}

func newShopCols(shop Shop) *shopCols {
	var c shopCols
	for i, v := range [3]string{shop.ID, shop.Region, shop.Cipher} {
		if v != "" {
			c[i] = v
		}
	}
	return &c
}

// fillShop sets the shop columns the order left NULL from the source's
// shop.
func fillShop(row []any, shop *shopCols) {
	for i, col := range shopColIdx {
		if row[col] == nil {
			row[col] = shop[i]
		}
	}
}

// emptyList is line_items_json of an order without line items.
var emptyList any = connector.RawJSON("[]")

// text is b as a string without a copy. Only for bytes that never change
// again: the order decoder's raw messages alias the order's string.
func text(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// rawJSON is the JSON column value of a raw message this package owns.
func rawJSON(raw json.RawMessage) connector.RawJSON { return connector.RawJSON(text(raw)) }

func fieldErr(path string, err error) error { return fmt.Errorf("field %s: %w", path, err) }

func itemErr(i int, field string, err error) error {
	return fmt.Errorf("field line_items[%d].%s: %w", i, field, err)
}

func isNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}

// notKind is whether raw, a value as the decoder recorded it (no white
// space around it), is present, not null and does not start with open.
func notKind(raw json.RawMessage, open byte) bool {
	return len(raw) > 0 && raw[0] != open && string(raw) != "null"
}

// cells converts the API's values to column values, boxing them into
// slabs.
type cells struct{ connector.Boxer }

// jsonObject is the JSON text of an object, nil when absent, null or {}.
func (c *cells) jsonObject(raw json.RawMessage) any {
	if isNull(raw) || raw[0] != '{' || isEmpty(raw, '{', '}') {
		return nil
	}
	return c.JSON(rawJSON(raw))
}

// jsonList is the JSON text of a list, nil when absent, null or [].
func (c *cells) jsonList(raw json.RawMessage) any {
	if isNull(raw) || raw[0] != '[' || isEmpty(raw, '[', ']') {
		return nil
	}
	return c.JSON(rawJSON(raw))
}

func isEmpty(raw []byte, open, close byte) bool {
	s := bytes.TrimSpace(raw)
	if len(s) < 2 || s[0] != open || s[len(s)-1] != close {
		return false
	}
	return len(bytes.TrimSpace(s[1:len(s)-1])) == 0
}

// kind is the JSON kind of a scalar.
type kind uint8

const (
	kNull kind = iota // absent or null
	kString
	kNumber
	kBool
	kOther // an object or a list where a scalar belongs
)

// val is one scalar of the order as sent: its kind and its text (the
// unquoted string, the number's digits, "true"/"false"). Decoding never
// fails on a value's kind; the column converters decide, so their errors
// name the field.
type val struct {
	s string
	k kind
}

// UnmarshalJSON implements json.Unmarshaler (for decoders other than
// decode.go's; it copies what it keeps).
func (v *val) UnmarshalJSON(data []byte) error {
	switch data[0] {
	case 'n':
		*v = val{}
	case '"':
		if bytes.IndexByte(data, '\\') < 0 {
			v.s, v.k = string(data[1:len(data)-1]), kString
			return nil
		}
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		v.s, v.k = s, kString
	case 't':
		v.s, v.k = "true", kBool
	case 'f':
		v.s, v.k = "false", kBool
	case '{', '[':
		v.s, v.k = "", kOther
		if data[0] == '[' {
			v.s = "["
		}
	default:
		v.s, v.k = string(data), kNumber
	}
	return nil
}

func (v *val) what() string {
	if v.s == "[" {
		return "a list"
	}
	return "an object"
}

func quote(s string) string {
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return strconv.Quote(s)
}

// str: text as sent ("" stays ""), numbers as their digits.
func str(v *val) (any, error) {
	switch v.k {
	case kNull:
		return nil, nil
	case kOther:
		return nil, fmt.Errorf("%s is not text", v.what())
	}
	return v.s, nil
}

// str is str boxed into the slabs.
func (c *cells) str(v *val) (any, error) {
	switch v.k {
	case kNull:
		return nil, nil
	case kOther:
		return nil, fmt.Errorf("%s is not text", v.what())
	}
	return c.String(v.s), nil
}

func number(v *val) (string, bool, error) {
	switch v.k {
	case kNull:
		return "", false, nil
	case kString:
		s := strings.TrimSpace(v.s)
		return s, s != "", nil
	case kNumber:
		return v.s, true, nil
	case kBool:
		return "", false, fmt.Errorf("%s is not a number", v.s)
	}
	return "", false, fmt.Errorf("%s is not a number", v.what())
}

// parseInt reads an integer (1700000000.0 too); ok is false for NULL.
func parseInt(v *val) (n int64, ok bool, err error) {
	s, ok, err := number(v)
	if !ok || err != nil {
		return 0, false, err
	}
	if i := strings.IndexByte(s, '.'); i > 0 && strings.Trim(s[i+1:], "0") == "" {
		s = s[:i] // 1700000000.0
	}
	n, err = strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("%s is not an integer", quote(s))
	}
	return n, true, nil
}

func integer(v *val) (any, error) {
	n, ok, err := parseInt(v)
	if !ok || err != nil {
		return nil, err
	}
	return n, nil
}

// integer is integer boxed into the slabs.
func (c *cells) integer(v *val) (any, error) {
	n, ok, err := parseInt(v)
	if !ok || err != nil {
		return nil, err
	}
	return c.Int(n), nil
}

// dec reads an exact decimal.
func (c *cells) dec(v *val) (any, error) {
	s, ok, err := number(v)
	if !ok || err != nil {
		return nil, err
	}
	d, err := connector.ParseDec(s)
	if err != nil {
		return nil, fmt.Errorf("%s is not a decimal number", quote(s))
	}
	return c.Dec(d), nil
}

// boolean: true/false, 1/0, yes/no, on/off; any other text is NULL (as
// the old loader read it).
func boolean(v *val) (any, error) {
	switch v.k {
	case kNull:
		return nil, nil
	case kBool:
		return v.s == "true", nil
	case kNumber:
		switch v.s {
		case "1":
			return true, nil
		case "0":
			return false, nil
		}
		return nil, nil
	case kString:
		switch strings.ToLower(strings.TrimSpace(v.s)) {
		case "true", "1", "yes", "on":
			return true, nil
		case "false", "0", "no", "off":
			return false, nil
		}
		return nil, nil
	}
	return nil, fmt.Errorf("%s is not a boolean", v.what())
}

// ts reads Unix seconds (milliseconds beyond 1e10, as
// recommended_shipping_time is sometimes sent); 0 means not set (NULL).
func (c *cells) ts(v *val) (any, error) {
	n, ok, err := parseInt(v)
	switch {
	case !ok || err != nil:
		return nil, err
	case n == 0:
		return nil, nil
	case n < 0:
		return nil, fmt.Errorf("%d is not a Unix time", n)
	case n > 1e10:
		return c.Time(time.UnixMilli(n).UTC()), nil
	}
	return c.Time(time.Unix(n, 0).UTC()), nil
}
