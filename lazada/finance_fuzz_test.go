package lazada_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/lazada"
)

// FuzzFinance answers the finance calls with the fuzzed body and feeds it
// to the transformer as a transaction row and as a statement: nothing
// panics; what the client accepts came with the success code, its rows are
// the objects encoding/json finds in data, each dated inside the asked
// days; every rejection of the transformer names the transaction or the
// statement.
func FuzzFinance(f *testing.F) {
	f.Add([]byte(`{"code":"0","data":[{"transaction_date":"17 May 2024","transaction_number":"X-1","amount":"-0.62","fee_type":"16","paid_status":"Not paid","statement":"13 May 2024 - 19 May 2024","order_no":"1"}]}`))
	f.Add([]byte(`{"code":"0","data":[{"transaction_date":"2024-05-17","amount":12.5,"paid_status":"Yes","WHT_included_in_amount":"No","VAT_in_amount":0.0672}]}`))
	f.Add([]byte(`{"code":"0","data":[{"statement_number":"EG100RT-20240519","created_at":"2024-05-23 00:23:04","updated_at":"2024-05-27 10:00:00","payout":"3962.41 EUR","paid":"1","fees_total":"1,000.00"}]}`))
	f.Add([]byte(`{"code":"1000012","type":"ISV","message":"range"}`))
	f.Add([]byte(`{"code":"0","data":null}`))
	f.Add([]byte(`{"code":"0","data":[1,"a",null,{}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(body) }))
		defer srv.Close()
		c, err := lazada.NewClient(lazada.Config{BaseURL: srv.URL, AuthURL: srv.URL, AppKey: "k", AppSecret: "s", AccessToken: "access",
			RefreshToken: "refresh", SellerID: "1", Logger: quiet,
			HTTP: connector.HTTPConfig{Attempts: 1, Timeout: time.Second, Logger: quiet, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		var env struct {
			Code json.RawMessage `json:"code"`
			Data json.RawMessage `json:"data"`
		}
		success := json.Unmarshal(body, &env) == nil && codeOK(env.Code)
		from := lazada.Date{Year: 2024, Month: 5, Day: 1}
		to := from.AddDays(30)
		page, err := c.GetTransactions(ctx, lazada.TransactionRequest{Start: from, End: to})
		if err == nil {
			var d []json.RawMessage
			if !success || json.Unmarshal(env.Data, &d) != nil || len(d) != len(page.Rows) {
				t.Fatalf("%d transactions accepted from %q", len(page.Rows), body)
			}
			for _, r := range page.Rows {
				if r.Date.Before(from) || to.Before(r.Date) || !strings.HasPrefix(strings.TrimSpace(string(r.Raw)), "{") {
					t.Fatalf("row %s dated %s accepted", r.Raw, r.Date)
				}
			}
		}
		sts, err := c.GetPayoutStatus(ctx, from)
		if err == nil {
			if !success {
				t.Fatalf("%d statements accepted from %q", len(sts.Statements), body)
			}
			for _, st := range sts.Statements {
				if st.Number == "" || st.CreatedAt.IsZero() {
					t.Fatalf("statement %+v accepted", st)
				}
			}
		}
		var out discard
		for stream, field := range map[string]string{lazada.StreamTransactions: "transaction", lazada.StreamPayouts: "statement"} {
			rec := []byte(`{"seller_id":"1","currency":"VND","key":"k","` + field + `":` + string(body) + `}`)
			err := lazada.Transformer{}.Transform(connector.Record{Stream: stream, Key: "1/k", Data: rec}, &out)
			if err != nil && !strings.Contains(err.Error(), field+" k") && !strings.Contains(err.Error(), "record 1/k") {
				t.Fatalf("a rejection that names no %s or record: %v", field, err)
			}
		}
	})
}
