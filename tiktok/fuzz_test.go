package tiktok_test

import (
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/tiktok"
)

type collect struct{ rows [][]any }

func (c *collect) Add(_ *connector.Table, row []any) { c.rows = append(c.rows, row) }

// FuzzTransform: any bytes either transform into valid rows (every row
// passes ValidateRow or is rejected by the runner with a reason) or are
// rejected with an error; the transformer never panics and every accepted
// row has the order id and a distinct item id.
func FuzzTransform(f *testing.F) {
	f.Add([]byte(`{"id":"576461413038785752","status":"COMPLETED","create_time":1700000000,"line_items":[{"id":"1","sale_price":"12.50"}]}`))
	f.Add([]byte(`{"id":1729000000000000001,"line_items":[],"payment":{"total_amount":"1e3"}}`))
	f.Add([]byte(`{"id":"x","recommended_shipping_time":1761955200000,"is_cod":"yes","recipient_address":{"district_info":[{"address_level":"L0"}]}}`))
	f.Add([]byte(`{"id":"x","line_items":[{"id":"1"},{"id":"1"}]}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var out collect
		err := tiktok.Transformer{}.Transform(connector.Record{Key: "k", Data: data}, &out)
		if err != nil {
			if len(out.rows) != 0 {
				t.Fatalf("rows emitted with an error: %v", err)
			}
			return
		}
		if len(out.rows) == 0 {
			t.Fatal("an accepted order emits at least one row")
		}
		tb := tiktok.Table()
		oi, ii := tb.ColumnIndex("order_id"), tb.ColumnIndex("item_id")
		seen := map[any]bool{}
		for _, r := range out.rows {
			if len(r) != len(tb.Columns) {
				t.Fatalf("row of %d values", len(r))
			}
			if r[oi] != out.rows[0][oi] || r[oi] == "" {
				t.Fatalf("order id %v", r[oi])
			}
			if seen[r[ii]] {
				t.Fatalf("item id %v twice", r[ii])
			}
			seen[r[ii]] = true
			_ = connector.ValidateRow(tb, r) // may reject (length, precision), must not panic
		}
	})
}

// FuzzEnvelope: the envelope decoder returns data or an error, never
// nothing and never a panic.
func FuzzEnvelope(f *testing.F) {
	f.Add(200, []byte(`{"code":0,"message":"Success","request_id":"r","data":{"orders":[]}}`))
	f.Add(200, []byte(`{"code":0,"data":null}`))
	f.Add(401, []byte(`{"code":105002,"message":"Expired"}`))
	f.Add(502, []byte(`<html>502</html>`))
	f.Add(200, []byte(`{"code":"0"}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		data, _, err := tiktok.DecodeEnvelope("/x", status, body)
		if err == nil && (len(data) == 0 || string(data) == "null") {
			t.Fatal("success without data")
		}
	})
}
