package misa

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
)

// fuzzTransport answers every data call with one status and body (and
// /Account with a good token, unless the fuzzed answer is the login's).
type fuzzTransport struct {
	status int
	body   []byte
	login  bool
	token  string
}

func (ft *fuzzTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	status, body := ft.status, ft.body
	if strings.HasSuffix(req.URL.Path, PathAccount) && !ft.login {
		status, body = http.StatusOK, []byte(`{"success":true,"code":0,"data":"`+ft.token+`"}`)
	}
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: req}, nil
}

func fuzzToken() string {
	enc := base64.RawURLEncoding
	claims := fmt.Sprintf(`{"exp":%d,"iss":"MISA","aud":"AMISCRM2"}`, time.Now().Add(24*time.Hour).Unix())
	return enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString([]byte(claims)) + ".c2ln"
}

// FuzzClient drives the whole client path with one HTTP status and body,
// answered to every call through the real HTTP client (retries included):
// a page read, a full pass of customers, the product_stock stream (the
// warehouse list and every ledger page), or a login. Nothing panics or
// hangs; a failure is an *APIError or a *connector.TransportError; a read
// answered a status other than 2xx fails; a page is accepted only from a
// 2xx valid JSON body, with the records encoding/json finds in its data;
// every record emitted is valid JSON and the transformer takes or rejects
// it with an error naming MISA.
func FuzzClient(f *testing.F) {
	uuid := `"6F9619FF-8B86-D011-B42D-00C04FC964FF"`
	f.Add(uint8(0), uint16(0), []byte(`{"success":true,"code":"","data":[{"id":1,"modified_date":"2025-07-16T00:00:00.000+07:00"},{"id":2}]}`))
	f.Add(uint8(0), uint16(0), []byte(`{"success":true,"code":"","data":[{"id":1,"modified_date":"2025-07-16T00:0`))
	f.Add(uint8(1), uint16(0), []byte(`{"success":true,"code":"","data":[{"id":1},{"account_name":"x"}]}`))
	f.Add(uint8(1), uint16(0), []byte(`{"success":true,"data":[{"id":1} {"id":2}]}`))
	f.Add(uint8(2), uint16(0), []byte(`{"success":false,"code":0,"data":[{"async_id":`+uuid+`,"stock_code":"K1","product_code":"P1","main_stock_quantity":3}],"total_records":1}`))
	f.Add(uint8(2), uint16(0), []byte(`{"success":true,"data":[{"async_id":"nope","stock_code":"K1"},7]}`))
	f.Add(uint8(3), uint16(0), []byte(`{"success":true,"code":0,"data":"not.a.jwt"}`))
	f.Add(uint8(0), uint16(201), []byte(`{"ErrorCode":"InvalidParam","DevMsg":"pageSize","TraceId":"x"}`))
	f.Add(uint8(0), uint16(229), []byte(`{"success":true,"data":[]`))
	f.Add(uint8(0), uint16(300), []byte(`<html>502</html>`))
	f.Fuzz(func(t *testing.T, what uint8, status uint16, body []byte) {
		ft := &fuzzTransport{status: 200 + int(status)%400, body: body, login: what%4 == 3, token: fuzzToken()}
		quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
		src, err := NewSource(Config{BaseURL: "http://misa.test/api/v2", ClientID: "APP", ClientSecret: "secret", Concurrency: 1, Logger: quiet,
			HTTP: connector.HTTPConfig{Transport: ft, Attempts: 2, MinBackoff: time.Microsecond, MaxBackoff: time.Microsecond, Logger: quiet}})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		var recs []connector.Record
		emit := func(_ context.Context, p connector.Page) error {
			recs = append(recs, p.Records...)
			return nil
		}
		switch what % 4 {
		case 0, 3:
			var p Page
			p, err = src.c.List(ctx, PathCustomers, 0, nil)
			if err == nil {
				checkPage(t, ft, p)
				for _, r := range p.Records {
					recs = append(recs, connector.Record{Stream: StreamCustomers, Data: r})
				}
			}
		case 1:
			err = (&entity{s: src, name: StreamCustomers, path: PathCustomers}).Read(ctx, connector.ReadOptions{}, emit)
		case 2:
			err = (&productStock{s: src}).Read(ctx, connector.ReadOptions{}, emit)
		}
		if ctx.Err() != nil {
			t.Fatalf("hangs: %v", err)
		}
		if err == nil && ft.status >= 300 {
			t.Fatalf("a read answered HTTP %d ended without an error", ft.status)
		}
		if err != nil {
			var ae *APIError
			var te *connector.TransportError
			if !errors.As(err, &ae) && !errors.As(err, &te) {
				t.Fatalf("untyped error: %v", err)
			}
		}
		for _, r := range recs {
			if !json.Valid(r.Data) {
				t.Fatalf("record %q is not valid JSON", r.Data)
			}
			stream := StreamCustomers
			if what%4 == 2 {
				stream = StreamProductStock
			}
			var out collect
			if err := (Transformer{}).Transform(connector.Record{Stream: stream, Key: r.Key, Data: r.Data}, &out); err != nil && !strings.Contains(err.Error(), "misa") {
				t.Fatalf("error without context: %v", err)
			}
		}
	})
}

// checkPage: an accepted page comes from a 2xx valid JSON body, and its
// records are the elements encoding/json finds in data.
func checkPage(t *testing.T, ft *fuzzTransport, p Page) {
	t.Helper()
	if ft.status >= 300 || !json.Valid(ft.body) {
		t.Fatalf("page accepted from HTTP %d, body %q", ft.status, ft.body)
	}
	var env struct{ Data []json.RawMessage }
	if err := json.Unmarshal(ft.body, &env); err != nil {
		t.Fatalf("page accepted, encoding/json: %v", err)
	}
	if len(env.Data) != len(p.Records) {
		t.Fatalf("%d records, encoding/json finds %d", len(p.Records), len(env.Data))
	}
	for i := range env.Data {
		if !bytes.Equal(env.Data[i], p.Records[i]) {
			t.Fatalf("record %d: %q, encoding/json %q", i, p.Records[i], env.Data[i])
		}
	}
}
