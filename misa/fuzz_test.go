package misa

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/facolos/etl/connector"
)

type collect struct{ rows map[*connector.Table][][]any }

func (c *collect) Add(t *connector.Table, row []any) {
	if c.rows == nil {
		c.rows = map[*connector.Table][][]any{}
	}
	c.rows[t] = append(c.rows[t], row)
}

var fuzzStreams = []string{StreamCustomers, StreamSaleOrders, StreamContacts, StreamProducts, StreamStocks, StreamProductStock}

// FuzzTransform: any bytes, any stream: no panic; rows have one value per
// column, of the column's Go type; errors name a field or the record.
func FuzzTransform(f *testing.F) {
	f.Add(uint8(0), []byte(`{"id":1,"account_name":"Công ty TNHH Sao Việt","debt":"1,200,000","is_personal":"yes","modified_date":"2025-07-16T00:00:00.000+07:00"}`))
	f.Add(uint8(1), []byte(`{"id":2,"sale_order_no":"DH1","sale_order_product_mappings":[{"id":5,"tax_percent":"8%","amount":2},{"id":6}]}`))
	f.Add(uint8(1), []byte(`{"id":3,"sale_order_no":"DH2","sale_order_product_mappings":[]}`))
	f.Add(uint8(4), []byte(`{"stock_code":"KHO1","async_id":"{6F9619FF-8B86-D011-B42D-00C04FC964FF}"}`))
	f.Add(uint8(5), []byte(`{"stock_async_id":"6f9619ff-8b86-d011-b42d-00c04fc964ff","product_code":"SP1","main_stock_quantity":12.5}`))
	f.Fuzz(func(t *testing.T, s uint8, data []byte) {
		stream := fuzzStreams[int(s)%len(fuzzStreams)]
		var out collect
		err := Transformer{}.Transform(connector.Record{Stream: stream, Key: "k", Data: data}, &out)
		if err != nil {
			if !strings.Contains(err.Error(), "misa") {
				t.Fatalf("error without context: %v", err)
			}
			return
		}
		for tb, rows := range out.rows {
			for _, row := range rows {
				// Values the runner rejects (too long, out of range, NUL) are
				// fine; a row of the wrong shape or Go type is a bug.
				if err := connector.ValidateRow(tb, row); err != nil {
					msg := err.Error()
					if strings.Contains(msg, "values for") || strings.Contains(msg, "cannot hold") {
						t.Fatalf("row of the wrong shape: %v", err)
					}
				}
			}
		}
	})
}

// FuzzDecodeEnvelope: any body and status: an *APIError or an envelope
// whose data, when read as a page, is a list of valid JSON values.
func FuzzDecodeEnvelope(f *testing.F) {
	f.Add(200, []byte(`{"success":true,"code":"","data":[{"id":1},{"id":2}]}`), false)
	f.Add(200, []byte(`{"success":false,"code":0,"data":[{"product_code":"A"}],"total_pages":3,"total_records":250}`), true)
	f.Add(401, []byte(``), false)
	f.Add(400, []byte(`{"ErrorCode":"InvalidParam","DevMsg":"pageSize","UserMsg":"Tham số không hợp lệ","TraceId":"x"}`), false)
	f.Add(200, []byte(`{"success":true,"code":null,"data":null}`), false)
	f.Add(502, []byte(`<html><body>502 Bad Gateway</body></html>`), false)
	f.Add(200, []byte(`{"Success":true,"CODE":"x","data":[1],"success":null,"total_pages":null,"total_pages":7,"TraceId":"t"}`), false)
	f.Add(200, []byte(`{"success":"true","data":[]}`), false)
	f.Add(200, []byte(`{"succ\u0065ss":true,"data":[]}`), false)
	f.Fuzz(func(t *testing.T, status int, body []byte, quirk bool) {
		resp := &connector.Response{StatusCode: status, Body: body}
		env, err := decodeEnvelope("/Customers", resp, quirk, json.Valid(body))
		// The one-pass read of a valid body decides exactly as encoding/json.
		slow, slowErr := decodeEnvelope("/Customers", resp, quirk, false)
		if fmt.Sprint(err) != fmt.Sprint(slowErr) {
			t.Fatalf("one pass: %v, encoding/json: %v", err, slowErr)
		}
		if err == nil && fmt.Sprintf("%v %s %s %v %v %q %q %q %q", deref(env.Success), env.Code, env.Data, deref(env.TotalPages), deref(env.TotalRecords), env.ErrorCode, env.DevMsg, env.UserMsg, env.TraceID) !=
			fmt.Sprintf("%v %s %s %v %v %q %q %q %q", deref(slow.Success), slow.Code, slow.Data, deref(slow.TotalPages), deref(slow.TotalRecords), slow.ErrorCode, slow.DevMsg, slow.UserMsg, slow.TraceID) {
			t.Fatalf("one pass %+v, encoding/json %+v", env, slow)
		}
		if err != nil {
			var ae *APIError
			if !asAPIError(err, &ae) {
				t.Fatalf("not an APIError: %v", err)
			}
			return
		}
		if status < 200 || status > 299 || env.Success == nil {
			t.Fatalf("status %d accepted", status)
		}
		p, err := pageOf("/Customers", env)
		if err != nil {
			return
		}
		for _, r := range p.Records {
			if !json.Valid(r) {
				t.Fatalf("record %q is not valid JSON", r)
			}
		}
	})
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

func asAPIError(err error, target **APIError) bool {
	ae, ok := err.(*APIError)
	*target = ae
	return ok
}

// FuzzScanner: on valid JSON objects the scanner sees the same members as
// encoding/json, each with the same raw value.
func FuzzScanner(f *testing.F) {
	f.Add([]byte(`{"a":1,"b":"x\"y","c":{"d":[1,{"e":"}"}]},"f":null, "g" : true}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var want map[string]json.RawMessage
		if json.Unmarshal(data, &want) != nil || want == nil {
			return
		}
		got := map[string]string{}
		if err := eachMember(data, func(k string, v []byte) error {
			got[strings.Clone(k)] = string(v)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("members %v, want %v", got, want)
		}
		for k, v := range want {
			if g, ok := got[k]; !ok || g != string(v) {
				t.Fatalf("member %q = %q, want %q", k, got[k], v)
			}
		}
	})
}
