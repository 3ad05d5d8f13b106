package shopee

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
)

// The decoders of Shopee answers never panic, and what they accept keeps
// their promises: an envelope without error from a 2xx answer, a list page
// whose more has a cursor and whose orders (all of the list's) have
// numbers, a detail answer with one key per order where every order of the
// list is an order or a malformed record. Seeds: f.Add below plus
// testdata/fuzz/<name>/.

func FuzzDecodeEnvelope(f *testing.F) {
	for _, s := range []string{
		`{"request_id":"r1","error":"","message":"","response":{"more":false,"order_list":[]}}`,
		`{"request_id":"r2","error":"error_auth","message":"Invalid access_token."}`,
		`{"error":"","response":null}`,
		`<html><body>502 Bad Gateway</body></html>`,
		`{"request_id":"r3","error":"","message":"","response":{"order_list":[{"order_sn":"A"}]},"warning":["x"]}`,
		`{"error":1}`, `[]`, `null`, ``,
	} {
		f.Add(200, []byte(s))
		f.Add(502, []byte(s))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		env, err := decode(PathOrderList, &connector.Response{StatusCode: status, Body: body})
		if err != nil {
			if env != nil {
				t.Fatal("an error and an envelope")
			}
			var ae *APIError
			if !asAPIError(err, &ae) || ae.Code == "" {
				t.Fatalf("error %v is not an *APIError with a code", err)
			}
			return
		}
		if status < 200 || status > 299 || env.Error != "" {
			t.Fatalf("accepted status %d error %q", status, env.Error)
		}
	})
}

func asAPIError(err error, target **APIError) bool {
	ae, ok := err.(*APIError)
	if ok {
		*target = ae
	}
	return ok
}

func FuzzParseListPage(f *testing.F) {
	for _, s := range []string{
		`{"more":true,"next_cursor":"abc","order_list":[{"order_sn":"2510A"},{"order_sn":"2510B"}]}`,
		`{"more":false,"next_cursor":"","order_list":[]}`,
		`{"more":false}`, `{"more":true,"next_cursor":"","order_list":[]}`, `{"order_list":[{"order_sn":""}],"more":false}`,
		`{"more":"yes"}`, `null`, ``, `{"more":false,"order_list":[{"order_sn":12}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		p, err := parseListPage(json.RawMessage(raw), len(raw)%2 == 1)
		if err != nil {
			return
		}
		if len(raw)%2 == 1 && len(p.Statuses) != len(p.OrderSNs) {
			t.Fatalf("%d statuses for %d orders", len(p.Statuses), len(p.OrderSNs))
		}
		if p.More && p.NextCursor == "" {
			t.Fatal("more without a cursor accepted")
		}
		for _, sn := range p.OrderSNs {
			if sn == "" {
				t.Fatal("empty order_sn accepted")
			}
		}
		// The page is what encoding/json reads: more is there, and every
		// order of the list is on the page.
		var ref struct {
			More      *bool             `json:"more"`
			OrderList []json.RawMessage `json:"order_list"`
		}
		if json.Unmarshal(raw, &ref) != nil || ref.More == nil || *ref.More != p.More || len(ref.OrderList) != len(p.OrderSNs) {
			t.Fatalf("page %+v accepted from %q", p, raw)
		}
	})
}

func FuzzParseDetail(f *testing.F) {
	for _, s := range [][2]string{
		{`{"order_list":[{"order_sn":"2510A","item_list":[]},{"order_sn":"2510B"}]}`, `["order_sn X not found"]`},
		{`{"order_list":[]}`, ``},
		{`{"order_list":null}`, `null`},
		{`null`, ``},
		{`{"order_list":[{"order_sn":123456789012345678901234567890}]}`, `"one warning"`},
		{`{"order_list":[{"order_sn":null}]}`, ``},
		{`{"order_list":[1,2]}`, `{}`},
	} {
		f.Add([]byte(s[0]), []byte(s[1]))
	}
	f.Fuzz(func(t *testing.T, raw, warning []byte) {
		d, err := parseDetail(json.RawMessage(raw), json.RawMessage(warning))
		if err != nil {
			return
		}
		if len(d.Keys) != len(d.Orders) {
			t.Fatalf("%d keys for %d orders", len(d.Keys), len(d.Orders))
		}
		// Every order of the list is an order or a malformed record.
		var ref struct {
			OrderList []json.RawMessage `json:"order_list"`
		}
		if json.Unmarshal(raw, &ref) != nil || len(ref.OrderList) != len(d.Orders)+len(d.Malformed) {
			t.Fatalf("%d orders and %d malformed records accepted from %q", len(d.Orders), len(d.Malformed), raw)
		}
		for i, k := range d.Keys {
			if k == "" {
				t.Fatal("empty key accepted")
			}
			got, err := detailKey(d.Orders[i])
			if err != nil || got != k {
				t.Fatalf("key %q of order %d does not round-trip: %q %v", k, i, got, err)
			}
		}
	})
}

// FuzzClientPath drives the whole client path with an arbitrary HTTP status
// and body (a RoundTripper answers every request with them): the signed
// request, the retrying HTTP client, the envelope, get_order_list,
// get_order_detail (a token rejection also goes through a refresh whose
// answer is the same body), the one-pass transformer of every order the
// answer holds. Nothing panics; what is accepted came with a 2xx status and
// keeps the promises of the decoders; every refusal is an error. Seeds: real answers, whole and cut
// short at several points.
func FuzzClientPath(f *testing.F) {
	order := `{"order_sn":"2510A","order_status":"COMPLETED","total_amount":120000.5,"create_time":1761955200,"update_time":1761958800,` +
		`"recipient_address":{"name":"Lê Thị Hà","full_address":"12 Hàng Bạc","geolocation":{"latitude":21.03,"longitude":105.85}},` +
		`"item_list":[{"order_item_id":1,"model_id":2,"item_name":"Áo","model_discounted_price":99000,"product_location_id":["VNZ"]}],` +
		`"package_list":[{"package_number":"OFG1","item_list":[{"order_item_id":1,"model_id":2,"model_quantity":1}]}],"pending_terms":["SYSTEM_PENDING"]}`
	seeds := []string{
		`{"request_id":"r1","error":"","message":"","response":{"more":true,"next_cursor":"YWJj","order_list":[{"order_sn":"2510A"},{"order_sn":"2510B"}]}}`,
		`{"request_id":"r2","error":"","message":"","response":{"order_list":[` + order + `,{"order_sn":{"value":"2510B"}}]},"warning":["order_sn X not found"]}`,
		`{"request_id":"r3","error":"invalid_acceess_token","message":"Invalid access_token."}`,
		`{"request_id":"r4","error":"","message":"","partner_id":1,"shop_id":1,"access_token":"at","refresh_token":"rt","expire_in":14400}`,
		`{"error":"","response":null}`, `<html><body>502 Bad Gateway</body></html>`, ``,
	}
	for _, s := range seeds {
		for _, status := range []int{200, 403, 429, 500} {
			f.Add(status, []byte(s))
		}
		for _, cut := range []int{1, len(s) / 3, len(s) / 2, len(s) - 1} {
			if cut > 0 && cut < len(s) {
				f.Add(200, []byte(s[:cut]))
			}
		}
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 999 {
			status = 200 + (status%800+800)%800
		}
		rt := roundTrip(func(r *http.Request) (*http.Response, error) {
			if r.Body != nil {
				_, _ = io.Copy(io.Discard, r.Body)
				r.Body.Close()
			}
			return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}},
				Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: r}, nil
		})
		c, err := NewClient(Config{Host: "http://shopee.invalid", PartnerID: 1, PartnerKey: "k", ShopID: 1, AccessToken: "at", RefreshToken: "rt",
			Logger: quiet, HTTP: connector.HTTPConfig{Transport: rt, Attempts: 1, MinBackoff: time.Microsecond, MaxBackoff: time.Microsecond, Logger: quiet}})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		ok2xx := status >= 200 && status <= 299
		p, err := c.GetOrderList(ctx, "update_time", time.Unix(1761955200, 0), time.Unix(1761958800, 0), 100, "")
		if err == nil {
			if !ok2xx {
				t.Fatalf("a list page accepted from HTTP %d", status)
			}
			if p.More && p.NextCursor == "" {
				t.Fatal("more without a cursor accepted")
			}
			for _, sn := range p.OrderSNs {
				if sn == "" {
					t.Fatal("empty order_sn accepted")
				}
			}
		}
		d, err := c.GetOrderDetail(ctx, []string{"2510A", "2510B"})
		if err != nil {
			return
		}
		if !ok2xx {
			t.Fatalf("a detail answer accepted from HTTP %d", status)
		}
		if len(d.Keys) != len(d.Orders) {
			t.Fatalf("%d keys for %d orders", len(d.Keys), len(d.Orders))
		}
		for _, m := range d.Malformed {
			if m.Err == nil {
				t.Fatal("a malformed record without a reason")
			}
			if q := Quarantined(malformedRecord(1, "2510B", m, d.RequestID)); q == nil || !strings.Contains(q.Error(), "order 2510B") {
				t.Fatalf("the marker of a malformed record is not rejected with its order: %v", q)
			}
		}
		for i, raw := range d.Orders {
			err := Transformer{ShopID: 1}.Transform(connector.Record{Key: d.Keys[i], Data: raw, RequestID: d.RequestID},
				outputFn(func(*connector.Table, []any) {}))
			if err != nil && !strings.Contains(err.Error(), "order ") {
				t.Fatalf("a rejection that names no order: %v", err)
			}
		}
	})
}

type outputFn func(*connector.Table, []any)

func (f outputFn) Add(t *connector.Table, row []any) { f(t, row) }
