package shopee

import (
	"encoding/json"
	"testing"

	"github.com/facolos/etl/connector"
)

// The decoders of Shopee answers never panic, and what they accept keeps
// their promises: an envelope without error, a list page whose more has a
// cursor and whose orders have numbers, a detail answer with one key per
// order. Seeds: f.Add below plus testdata/fuzz/<name>/.

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
		if status >= 400 || env.Error != "" {
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
		p, err := parseListPage(json.RawMessage(raw))
		if err != nil {
			return
		}
		if p.More && p.NextCursor == "" {
			t.Fatal("more without a cursor accepted")
		}
		for _, sn := range p.OrderSNs {
			if sn == "" {
				t.Fatal("empty order_sn accepted")
			}
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
