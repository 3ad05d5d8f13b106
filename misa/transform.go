package misa

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/jsonscan"
)

// Stream names.
const (
	StreamCustomers    = "customers"
	StreamSaleOrders   = "sale_orders"
	StreamContacts     = "contacts"
	StreamProducts     = "products"
	StreamStocks       = "stocks"
	StreamProductStock = "product_stock"
)

// Transformer turns MISA records into rows of the staging.misa_* tables. It
// dispatches on Record.Stream (set by the runner): customers, contacts,
// products and stocks give one row each (column = API field); a sale order
// gives its row in staging.misa_sale_orders and one flattened row per item
// (order_* and item_* columns, has_multiple_items, total_items_in_order), or
// one row with item_id NoItemID when it has no items; a product_stock record
// gives one stock-on-hand row. Every row carries the tenant, which leads
// every table's primary key. The zero value is ready to use for a
// warehouse of one tenant (its rows carry DefaultTenant); a warehouse of
// several tenants needs each source's own transformer (Source.Transformer).
type Transformer struct {
	// Tenant fills the tenant column of every table: the account the
	// source reads (Source.Transformer and the driver set it to
	// Config.Account, by default the AppID). Empty means DefaultTenant.
	// At most TenantLength characters: a longer one rejects every record.
	Tenant string
}

// DefaultTenant is the tenant of the rows of a Transformer without one.
// Sources always name theirs (Config.Account, by default the AppID), so it
// appears only where a Transformer is built by hand without a Tenant.
const DefaultTenant = "default"

// Transformer returns the transformer of the source's records, with its
// tenant.
func (s *Source) Transformer() Transformer { return Transformer{Tenant: s.cfg.Account} }

// Tables implements connector.Transformer.
func (Transformer) Tables() []*connector.Table { return Tables() }

// Transform implements connector.Transformer. A malformed record is
// rejected with an error naming the field.
func (tr Transformer) Transform(rec connector.Record, out connector.Output) error {
	if !jsonscan.Valid(rec.Data) {
		return fmt.Errorf("misa %s %s: record is not valid JSON", rec.Stream, rec.Key)
	}
	switch rec.Stream {
	case StreamCustomers:
		return tr.simple(tCustomers, StreamCustomers, rec, out)
	case StreamContacts:
		return tr.simple(tContacts, StreamContacts, rec, out)
	case StreamProducts:
		return tr.simple(tProducts, StreamProducts, rec, out)
	case StreamStocks:
		return tr.simple(tStocks, StreamStocks, rec, out)
	case StreamProductStock:
		return tr.simple(tProductStock, StreamProductStock, rec, out)
	case StreamSaleOrders:
		return tr.saleOrder(rec, out)
	}
	return fmt.Errorf("misa: record of unknown stream %q", rec.Stream)
}

func (tr Transformer) simple(t *table, entity string, rec connector.Record, out connector.Output) error {
	row := make([]any, len(t.Columns))
	if err := t.fill(row, rec.Data, t.byField, entity, "", nil); err != nil {
		return fmt.Errorf("misa %s %s: %w", entity, rec.Key, err)
	}
	tr.setTenant(t, row)
	out.Add(t.Table, row)
	return nil
}

// setTenant fills the tenant column of a row.
func (tr Transformer) setTenant(t *table, row []any) {
	row[t.tenant] = tr.tenant()
}

func (tr Transformer) tenant() string {
	if tr.Tenant == "" {
		return DefaultTenant
	}
	return tr.Tenant
}

// fill reads the members of obj into row through byField. Booleans that are
// absent become false. items, when not nil, receives the raw
// sale_order_product_mappings.
func (t *table) fill(row []any, obj []byte, byField map[string]int, entity, prefix string, items *[]byte) error {
	err := eachMember(obj, func(name string, val []byte) error {
		i, ok := byField[name]
		if !ok {
			switch {
			case items != nil && name == itemsField:
				*items = val
			case prefix == "" && notStored[entity+"."+name]:
			default:
				noteUnmapped(entity, prefix+name)
			}
			return nil
		}
		v, err := convert(t.cols[i].kind, val)
		if err != nil {
			return fmt.Errorf("field %s%s: %w", prefix, t.cols[i].field, err)
		}
		row[i] = v
		return nil
	})
	if err != nil {
		if err == errNotObject {
			return fmt.Errorf("%s is not an object", strings.TrimSuffix(prefix, "."))
		}
		return err
	}
	for _, i := range t.bools {
		if row[i] == nil && (t.cols[i].item == (prefix != "")) {
			row[i] = false
		}
	}
	row[t.source] = ETLSource
	return nil
}

const itemsField = "sale_order_product_mappings"

func (tr Transformer) saleOrder(rec connector.Record, out connector.Output) error {
	t := tSaleOrders
	base := make([]any, len(t.Columns))
	var items []byte
	if err := t.fill(base, rec.Data, t.byField, StreamSaleOrders, "", &items); err != nil {
		return fmt.Errorf("misa sale order %s: %w", rec.Key, err)
	}
	tr.setTenant(t, base) // copied into every item row
	var rows [][]any
	n := 0
	if items != nil {
		err := eachElement(items, func(val []byte) error {
			row := make([]any, len(base))
			copy(row, base)
			prefix := itemsField + "[" + strconv.Itoa(n) + "]."
			n++
			if err := t.fill(row, val, t.byItemField, StreamSaleOrders, prefix, nil); err != nil {
				return err
			}
			if row[colItemID] == nil {
				return fmt.Errorf("field %sid is missing", prefix)
			}
			if id := row[colItemID].(int64); id <= 0 {
				return fmt.Errorf("field %sid is %d, not a positive id", prefix, id)
			}
			rows = append(rows, row)
			return nil
		})
		if err != nil {
			return fmt.Errorf("misa sale order %s: %w", rec.Key, err)
		}
	}
	if len(rows) == 0 {
		base[colItemID] = NoItemID
		rows = append(rows, base)
	}
	for _, row := range rows {
		row[colHasMultiple] = len(rows) > 1 && n > 1
		row[colTotalItems] = int64(n)
	}
	head := make([]any, len(tSaleOrderHead.Columns))
	head[0], head[1], head[2], head[3] = base[colOrderID], base[colOrderNo], base[colOrderModified], int64(n)
	head[tSaleOrderHead.source] = ETLSource
	tr.setTenant(tSaleOrderHead, head)
	out.Add(tSaleOrderHead.Table, head)
	for _, row := range rows {
		out.Add(t.Table, row)
	}
	return nil
}

var (
	colOrderID       = tSaleOrders.ColumnIndex("order_id")
	colOrderNo       = tSaleOrders.ColumnIndex("order_sale_order_no")
	colOrderModified = tSaleOrders.ColumnIndex("order_modified_date")
	colItemID        = tSaleOrders.ColumnIndex("item_id")
	colHasMultiple   = tSaleOrders.ColumnIndex("has_multiple_items")
	colTotalItems    = tSaleOrders.ColumnIndex("total_items_in_order")
)

// ---- unmapped fields ----

// notStored are the API fields tables.md lists as sent by MISA and not
// stored (the original loader dropped them): they are not reported as
// unmapped, which is kept for fields nobody declared.
var notStored = map[string]bool{
	"customers.list_product_name": true, "products.is_no_recorded_sales": true,
	"sale_orders.contact_name": true, "sale_orders.sale_order_type": true, "sale_orders.un_subcrible": true,
	"sale_orders.amount_summary": true, "sale_orders.usage_unit_amount_summary": true, "sale_orders.other_sys_order_code": true,
	"sale_orders.related_users": true, "sale_orders.produced_quantity_summary": true, "sale_orders.opportunity_code": true,
	"sale_orders.quote_code": true,
}

var unmapped sync.Map // "entity.field" -> struct{}

func noteUnmapped(entity, field string) {
	unmapped.LoadOrStore(entity+"."+field, struct{}{})
}

// Unmapped returns the API fields ("customers.some_new_field") seen by any
// Transformer of this process that no column stores and tables.md does not
// list as deliberately not stored, sorted.
func Unmapped() []string {
	var out []string
	unmapped.Range(func(k, _ any) bool { out = append(out, k.(string)); return true })
	sort.Strings(out)
	return out
}

// ---- value conversion, straight from the raw JSON bytes ----

func convert(k kind, raw []byte) (any, error) {
	if len(raw) == 0 || raw[0] == 'n' {
		return nil, nil
	}
	switch k {
	case cStr:
		return toString(raw)
	case cInt:
		return toInt(raw)
	case cDec:
		return toDec(raw)
	case cBool:
		return toBool(raw)
	case cTime:
		return toTime(raw)
	case cUUID:
		return toUUID(raw)
	}
	return nil, fmt.Errorf("unknown column kind %d", k)
}

func toString(raw []byte) (any, error) {
	if s, ok := rawString(raw); ok {
		if s == "" {
			return nil, nil
		}
		return s, nil
	}
	if raw[0] == '"' {
		return nil, fmt.Errorf("bad string %s", describeRaw(raw))
	}
	return string(raw), nil // a number, a boolean, an object or a list as JSON text
}

// scalarText is the text of a number or a string, trimmed; ok is false for
// the empty string.
func scalarText(raw []byte) (string, bool, error) {
	if raw[0] == '"' {
		s, _ := rawString(raw)
		s = strings.TrimSpace(s)
		return s, s != "", nil
	}
	if raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9') {
		return string(raw), true, nil
	}
	return "", false, fmt.Errorf("%s is not a number", describeRaw(raw))
}

func toInt(raw []byte) (any, error) {
	s, ok, err := scalarText(raw)
	if !ok || err != nil {
		return nil, err
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, nil
	}
	d, err := connector.ParseDec(s)
	if err != nil || d.Scale() != 0 || d.IntDigits() > 18 {
		return nil, fmt.Errorf("%s is not an integer", strconv.Quote(clip(s)))
	}
	i, err := strconv.ParseInt(d.String(), 10, 64)
	if err != nil {
		return nil, fmt.Errorf("%s is not an integer", strconv.Quote(clip(s)))
	}
	return i, nil
}

// toDec parses an exact decimal. Text may carry a trailing "%" ("8%") and
// thousands separators ("1,200,000"); a comma anywhere else is an error
// rather than a guess.
func toDec(raw []byte) (any, error) {
	s, ok, err := scalarText(raw)
	if !ok || err != nil {
		return nil, err
	}
	t := strings.TrimSpace(strings.TrimSuffix(s, "%"))
	if strings.Contains(t, ",") {
		if !thousands(t) {
			return nil, fmt.Errorf("%s is not a decimal number", strconv.Quote(clip(s)))
		}
		t = strings.ReplaceAll(t, ",", "")
	}
	d, err := connector.ParseDec(t)
	if err != nil {
		return nil, fmt.Errorf("%s is not a decimal number", strconv.Quote(clip(s)))
	}
	return d, nil
}

// thousands reports whether s is digits grouped by commas in threes
// ("1,200,000" or "-1,200.5").
func thousands(s string) bool {
	s = strings.TrimPrefix(s, "-")
	intPart, _, _ := strings.Cut(s, ".")
	groups := strings.Split(intPart, ",")
	if len(groups[0]) == 0 || len(groups[0]) > 3 {
		return false
	}
	for i, g := range groups {
		if (i > 0 && len(g) != 3) || !digits(g) {
			return false
		}
	}
	return true
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func toBool(raw []byte) (any, error) {
	switch raw[0] {
	case 't':
		return true, nil
	case 'f':
		return false, nil
	case '"':
		s, _ := rawString(raw)
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true", "1", "yes", "on", "y":
			return true, nil
		case "false", "0", "no", "off", "n", "":
			return false, nil
		}
		return nil, fmt.Errorf("%s is not a boolean", strconv.Quote(clip(s)))
	}
	switch string(raw) {
	case "0":
		return false, nil
	case "1":
		return true, nil
	}
	return nil, fmt.Errorf("%s is not a boolean", describeRaw(raw))
}

var timeLayouts = []struct {
	layout string
	zoned  bool
}{
	{"2006-01-02T15:04:05.999999999Z07:00", true},
	{"2006-01-02T15:04:05.999999999", false},
	{"2006-01-02 15:04:05.999999999Z07:00", true},
	{"2006-01-02 15:04:05.999999999", false},
	{"2006-01-02", false},
}

// toTime parses an ISO-8601 instant ("2025-07-16T00:00:00.000+07:00"). A
// value without an offset is Vietnam time, the zone MISA works in.
func toTime(raw []byte) (any, error) {
	s, ok := rawString(raw)
	if !ok {
		return nil, fmt.Errorf("%s is not a date", describeRaw(raw))
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	for _, l := range timeLayouts {
		var t time.Time
		var err error
		if l.zoned {
			t, err = time.Parse(l.layout, s)
		} else {
			t, err = time.ParseInLocation(l.layout, s, connector.Vietnam)
		}
		if err == nil {
			return t.UTC(), nil
		}
	}
	return nil, fmt.Errorf("%s is not an ISO-8601 date", strconv.Quote(clip(s)))
}

// toUUID checks and canonicalises a UNIQUEIDENTIFIER (lowercase, braces
// removed).
func toUUID(raw []byte) (any, error) {
	s, ok := rawString(raw)
	if !ok {
		return nil, fmt.Errorf("%s is not a UUID", describeRaw(raw))
	}
	s = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "{"), "}")
	if s == "" {
		return nil, nil
	}
	if len(s) != 36 {
		return nil, fmt.Errorf("%s is not a UUID", strconv.Quote(clip(s)))
	}
	b := []byte(strings.ToLower(s))
	for i, c := range b {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return nil, fmt.Errorf("%s is not a UUID", strconv.Quote(clip(s)))
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return nil, fmt.Errorf("%s is not a UUID", strconv.Quote(clip(s)))
			}
		}
	}
	return string(b), nil
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
