package tiktok_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

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

// FuzzEnvelope: the envelope decoder returns data or an *APIError naming
// the endpoint, never nothing and never a panic; data comes only from a
// 2xx answer whose body encoding/json reads as an envelope with code 0, and
// it is that envelope's data.
func FuzzEnvelope(f *testing.F) {
	f.Add(200, []byte(`{"code":0,"message":"Success","request_id":"r","data":{"orders":[]}}`))
	f.Add(200, []byte(`{"code":0,"data":null}`))
	f.Add(401, []byte(`{"code":105002,"message":"Expired"}`))
	f.Add(502, []byte(`<html>502</html>`))
	f.Add(200, []byte(`{"code":"0"}`))
	f.Add(306, []byte(`{"code":0,"data":{}}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		data, _, err := tiktok.DecodeEnvelope("/x", status, body)
		if err != nil {
			var ae *tiktok.APIError
			if !errors.As(err, &ae) || ae.Endpoint != "/x" {
				t.Fatalf("error %v is not an *APIError of the endpoint", err)
			}
			return
		}
		if len(data) == 0 || string(data) == "null" {
			t.Fatal("success without data")
		}
		var env struct {
			Code *int            `json:"code"`
			Data json.RawMessage `json:"data"`
		}
		if status < 200 || status > 299 || json.Unmarshal(body, &env) != nil || env.Code == nil || *env.Code != 0 ||
			!bytes.Equal(bytes.TrimSpace(env.Data), bytes.TrimSpace(data)) {
			t.Fatalf("data %q accepted from HTTP %d %q", data, status, body)
		}
	})
}

// answer is a RoundTripper that plays the platform: the shops listing and
// the token refresh answer right, every order search gets status and body.
type answer struct {
	status int
	body   []byte
}

func (a answer) RoundTrip(r *http.Request) (*http.Response, error) {
	status, body := http.StatusOK, []byte(`{"code":0,"message":"Success","request_id":"r","data":{"shops":[{"cipher":"ROW_c","id":"1","region":"VN"}]}}`)
	switch r.URL.Path {
	case tiktok.PathRefresh:
		body = []byte(`{"code":0,"message":"success","data":{"access_token":"at2","access_token_expire_in":4102444800,"refresh_token":"rt2","refresh_token_expire_in":4102444800}}`)
	case tiktok.PathSearch:
		status, body = a.status, a.body
	}
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(body)), Request: r}, nil
}

// FuzzSearchAnswer drives the whole client path of a load: the orders
// stream reads [start, now) through the real client (signing, retries,
// envelope, search page, windows and their count checks) with every search
// answered by the fuzzed status and body, and its records go through the
// transformer. Nothing panics and nothing hangs (a body that keeps
// answering with a page token ends on the token that does not move); a
// load that ends without an error was answered a 2xx success envelope
// whose data carries total_count, no next_page_token and at least as many
// orders as total_count, and every one of those orders reached the
// transformer.
func FuzzSearchAnswer(f *testing.F) {
	page := `{"code":0,"message":"Success","request_id":"r","data":{"next_page_token":"","total_count":1,"orders":[{"id":"576461413038785752","create_time":1700000000,"update_time":1700000001,"line_items":[{"id":"1","sale_price":"12.50"}]}]}}`
	f.Add(200, []byte(page))
	f.Add(200, []byte(page[:len(page)/2]))
	f.Add(200, []byte(strings.Replace(page, `"total_count":1`, `"total_count":2000000000`, 1)))
	f.Add(200, []byte(strings.Replace(page, `"next_page_token":""`, `"next_page_token":"A"`, 1)))
	f.Add(200, []byte(`{"code":0,"data":{"orders":[],"total_count":5}}`))
	f.Add(200, []byte(`{"code":0,"data":null}`))
	f.Add(200, []byte(`{"code":21011500,"message":"Internal error"}`))
	f.Add(401, []byte(`{"code":105002,"message":"Expired"}`))
	f.Add(429, []byte(``))
	f.Add(502, []byte(`<html>502 Bad Gateway</html>`))
	f.Add(306, []byte(`{"Code":0,"dAtA":{}}`))
	f.Add(200, []byte(`{"code":0,"data":{}}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 999 {
			status = 200
		}
		now := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
		src, err := tiktok.NewSource(tiktok.Config{BaseURL: "http://tiktok.invalid", AuthURL: "http://auth.invalid",
			AppKey: "k", AppSecret: "s", AccessToken: "at", RefreshToken: "rt", ShopCipher: "ROW_c", Concurrency: 1,
			StartDate: now.AddDate(0, 0, -30), Now: func() time.Time { return now }, Logger: quiet,
			HTTP: connector.HTTPConfig{Attempts: 2, MinBackoff: time.Microsecond, MaxBackoff: time.Microsecond,
				MaxRetryAfter: time.Microsecond, Transport: answer{status: status, body: body}, Logger: quiet}})
		if err != nil {
			t.Fatal(err)
		}
		tr := src.Transformer()
		records := 0
		err = src.Streams()[0].Read(context.Background(), connector.ReadOptions{}, func(_ context.Context, p connector.Page) error {
			for _, rec := range p.Records {
				records++
				var out collect
				_ = tr.Transform(rec, &out) // an error quarantines the record
			}
			return nil
		})
		if err == nil {
			var env struct {
				Code *int `json:"code"`
				Data struct {
					TotalCount    *int              `json:"total_count"`
					NextPageToken string            `json:"next_page_token"`
					Orders        []json.RawMessage `json:"orders"`
				} `json:"data"`
			}
			if status < 200 || status > 299 || json.Unmarshal(body, &env) != nil || env.Code == nil || *env.Code != 0 || env.Data.TotalCount == nil {
				t.Fatalf("a load answered HTTP %d %q ended without an error", status, body)
			}
			if env.Data.NextPageToken != "" || len(env.Data.Orders) < *env.Data.TotalCount || records < len(env.Data.Orders) {
				t.Fatalf("a load answered %q ended without an error after %d records", body, records)
			}
		}
	})
}
