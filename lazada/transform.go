package lazada

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/facolos/etl/connector"
)

// Transformer turns one record of the orders stream ({"seller_id",
// "order", "items"}) into one row of staging.lazada_orders and one row
// per item of staging.lazada_order_items. Ids are BIGINT, money exact
// decimals, times UTC instants, both addresses flattened, extra_attributes
// decoded from its JSON string; every value is accepted in the real-wire
// and in the documentation's form. A malformed record is rejected with an
// error naming the field and the order. It is safe for concurrent use.
type Transformer struct{}

// Tables implements connector.Transformer: orders, items, then the
// finance tables (FinanceTables).
func (Transformer) Tables() []*connector.Table {
	return append([]*connector.Table{ordersTable, itemsTable}, FinanceTables()...)
}

// lookup reads a field by its path ("address_billing.first_name"); nested
// objects are decoded once per record (in nested).
func lookup(obj map[string]json.RawMessage, path string, nested map[string]map[string]json.RawMessage) (json.RawMessage, error) {
	head, rest, isNested := strings.Cut(path, ".")
	raw := obj[head]
	if !isNested {
		return raw, nil
	}
	inner, done := nested[head]
	if !done {
		if len(raw) > 0 && string(raw) != "null" {
			if err := json.Unmarshal(raw, &inner); err != nil {
				return nil, fmt.Errorf("%s is not an object", head)
			}
		}
		nested[head] = inner
	}
	v := inner[rest]
	if v == nil && rest == "addressDsitrict" {
		v = inner["addressDistrict"] // the spelling of /order/get
	}
	return v, nil
}

func fill(row []any, at int, obj map[string]json.RawMessage, fields []field) error {
	nested := map[string]map[string]json.RawMessage{}
	for i, f := range fields {
		raw, err := lookup(obj, f.src, nested)
		if err == nil {
			row[at+i], err = f.read(raw)
		}
		if err != nil {
			return fmt.Errorf("field %s: %w", f.src, err)
		}
	}
	return nil
}

// Transform implements connector.Transformer.
func (Transformer) Transform(rec connector.Record, out connector.Output) error {
	if isFinance(rec) {
		return transformFinance(rec, out)
	}
	var r struct {
		SellerID string                       `json:"seller_id"`
		Order    map[string]json.RawMessage   `json:"order"`
		Items    []map[string]json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(rec.Data, &r); err != nil || r.Order == nil || r.SellerID == "" {
		return fmt.Errorf("record %s: not a Lazada order record (%v)", rec.Key, err)
	}
	id, err := asInt(r.Order["order_id"])
	if err != nil || id == nil {
		return fmt.Errorf("order %s: field order_id: not a usable id (%v)", rec.Key, err)
	}
	row := make([]any, len(ordersTable.Columns))
	row[0], row[1] = r.SellerID, id
	if err := fill(row, ordersLead, r.Order, orderFields); err != nil {
		return fmt.Errorf("order %d: %w", id, err)
	}
	var statuses []string
	if raw := r.Order["statuses"]; len(raw) > 0 && string(raw) != "null" {
		if err := json.Unmarshal(raw, &statuses); err != nil {
			return fmt.Errorf("order %d: field statuses: not a list of strings", id)
		}
	}
	if len(statuses) == 1 {
		row[2] = statuses[0]
	}
	row[len(row)-len(etlColumns)] = rec.RequestID
	rows := make([][]any, 0, len(r.Items))
	seen := map[int64]bool{}
	for j, it := range r.Items {
		iid, err := asInt(it["order_item_id"])
		if err != nil || iid == nil {
			return fmt.Errorf("order %d: item %d: field order_item_id: not a usable id (%v)", id, j, err)
		}
		if seen[iid.(int64)] {
			return fmt.Errorf("order %d: item %d: order_item_id %d appears twice", id, j, iid)
		}
		seen[iid.(int64)] = true
		if oid, err := asInt(it["order_id"]); err != nil || oid != nil && oid.(int64) != id.(int64) {
			return fmt.Errorf("order %d: item %d: field order_id is %v", id, iid, oid)
		}
		irow := make([]any, len(itemsTable.Columns))
		irow[0], irow[1], irow[2] = r.SellerID, iid, id
		if err := fill(irow, itemsLead, it, itemFields); err != nil {
			return fmt.Errorf("order %d: item %d: %w", id, iid, err)
		}
		irow[len(irow)-len(etlColumns)] = rec.RequestID
		rows = append(rows, irow)
	}
	out.Add(ordersTable, row)
	for _, ir := range rows {
		out.Add(itemsTable, ir)
	}
	return nil
}
