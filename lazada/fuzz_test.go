package lazada_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/lazada"
)

type discard struct{ n int }

func (d *discard) Add(*connector.Table, []any) { d.n++ }

// FuzzClientPath answers every request of the client with the fuzzed
// status and body: the list, items and token calls and the transformer
// (with the body as an order, and as an order's items) never panic; an
// answer the client does not understand is an error, never data: what is
// accepted came with a 2xx status and the success code, the orders and
// items are those encoding/json finds in data, a token has an
// access_token, and every rejection of the transformer names the order or
// the record.
func FuzzClientPath(f *testing.F) {
	f.Add(200, []byte(`{"code":"0","data":{"count":1,"countTotal":1,"orders":[{"order_id":1,"created_at":"2024-05-01 10:00:00 +0700","updated_at":"2024-05-01T10:00:00+07:00","price":"1,000.00","statuses":["pending"]}]}}`))
	f.Add(200, []byte(`{"code":"0","data":[{"order_id":"1","order_items":[{"order_item_id":"11","order_id":1,"paid_price":"9.5","is_digital":"0"}]}]}`))
	f.Add(200, []byte(`{"code":"0","access_token":"a","refresh_token":"r","expires_in":"60","refresh_expires_in":0,"country":"vn","country_user_info_list":[{"country":"vn","seller_id":1}]}`))
	f.Add(200, []byte(`{"code":"ApiCallLimit","type":"ISV","message":"ban"}`))
	f.Add(200, []byte(`{"code":"0","data":{"orders":null}}`))
	f.Add(502, []byte(`<html>bad gateway</html>`))
	f.Add(200, []byte(`{"code":"0","data":{"countTotal":"x","orders":[1,"a",null,{}]}}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 200 || status > 599 {
			status = 200
		}
		var calls atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			w.WriteHeader(status)
			_, _ = w.Write(body)
		}))
		defer srv.Close()
		c, err := lazada.NewClient(lazada.Config{BaseURL: srv.URL, AuthURL: srv.URL, AppKey: "k", AppSecret: "s", AccessToken: "access",
			RefreshToken: "refresh", SellerID: "1", Logger: quiet,
			HTTP: connector.HTTPConfig{Attempts: 1, Timeout: time.Second, Logger: quiet, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		ok2xx := status >= 200 && status <= 299
		var env struct {
			Code json.RawMessage `json:"code"`
			Data json.RawMessage `json:"data"`
		}
		envErr := json.Unmarshal(body, &env)
		success := envErr == nil && codeOK(env.Code)
		page, err := c.ListOrders(ctx, lazada.ListRequest{Field: "created_at", From: 1, To: 2})
		if err == nil {
			var d struct {
				Orders *[]json.RawMessage `json:"orders"`
			}
			if !ok2xx || !success || json.Unmarshal(env.Data, &d) != nil {
				t.Fatalf("orders accepted from HTTP %d %q", status, body)
			}
			if d.Orders == nil && (page.CountTotal != 0 || len(page.Orders) != 0) || d.Orders != nil && len(*d.Orders) != len(page.Orders) {
				t.Fatalf("%d orders (countTotal %d) accepted from %q", len(page.Orders), page.CountTotal, body)
			}
			if len(page.Orders) > lazada.MaxLimit {
				t.Fatalf("a page of %d orders accepted", len(page.Orders))
			}
		}
		items, _, err := c.GetOrderItems(ctx, []int64{1})
		if err == nil {
			var d []json.RawMessage
			if !ok2xx || !success || json.Unmarshal(env.Data, &d) != nil || len(d) != len(items) {
				t.Fatalf("%d orders' items accepted from HTTP %d %q", len(items), status, body)
			}
		}
		ti, err := c.CreateToken(ctx, "code")
		if err == nil && (!ok2xx || !success || ti.AccessToken == "") {
			t.Fatalf("token %+v accepted from HTTP %d %q", ti, status, body)
		}
		var out discard
		rec := []byte(`{"seller_id":"1","order":` + string(body) + `,"items":[]}`)
		checkRejection(t, lazada.Transformer{}.Transform(connector.Record{Key: "k", Data: rec}, &out))
		rec = []byte(`{"seller_id":"1","order":{"order_id":1},"items":[` + string(body) + `]}`)
		checkRejection(t, lazada.Transformer{}.Transform(connector.Record{Key: "k", Data: rec}, &out))
	})
}

// codeOK reports whether an envelope's code is the success code, 0 or "0",
// as encoding/json reads it.
func codeOK(raw json.RawMessage) bool {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s == lazada.CodeOK
	}
	return strings.TrimSpace(string(raw)) == lazada.CodeOK
}

// checkRejection fails unless a transformer's error names the order or the
// record.
func checkRejection(t *testing.T, err error) {
	t.Helper()
	if err != nil && !strings.Contains(err.Error(), "order ") && !strings.Contains(err.Error(), "record ") {
		t.Fatalf("a rejection that names no order or record: %v", err)
	}
}
