package misatest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/facolos/etl/misa/misatest"
	"github.com/stretchr/testify/require"
)

func newServer(t *testing.T, opts misatest.Options) *misatest.Server {
	t.Helper()
	opts.Now = time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	s := misatest.NewServer(opts)
	t.Cleanup(s.Close)
	return s
}

func login(t *testing.T, s *misatest.Server, id, secret string) (int, map[string]any) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"client_id": id, "client_secret": secret})
	resp, err := http.Post(s.URL+"/Account", "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return resp.StatusCode, out
}

func get(t *testing.T, url, token, clientID string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if clientID != "" {
		req.Header.Set("Clientid", clientID)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// The contract test of api-contracts.md §4.4.
func TestContract(t *testing.T) {
	s := newServer(t, misatest.Options{})
	status, out := login(t, s, "TESTAPP", "test_secret")
	require.Equal(t, 200, status)
	require.Equal(t, true, out["success"])
	require.EqualValues(t, 0, out["code"])
	tok := out["data"].(string)
	require.Len(t, strings.Split(tok, "."), 3)

	status, out = login(t, s, "TESTAPP", "wrong")
	require.Equal(t, 401, status)
	require.Equal(t, map[string]any{"success": false, "code": "InvalidAppID", "data": nil}, out)

	status, body := get(t, s.URL+"/SaleOrders?page=0&pageSize=100", tok, "TESTAPP")
	require.Equal(t, 200, status)
	var env struct {
		Success bool              `json:"success"`
		Code    string            `json:"code"`
		Data    []json.RawMessage `json:"data"`
	}
	require.NoError(t, json.Unmarshal(body, &env))
	require.True(t, env.Success)
	require.Len(t, env.Data, 100)

	// Missing token, unknown token, expired token: 401 with an empty body.
	for _, tk := range []string{"", "not-a-token"} {
		status, body = get(t, s.URL+"/SaleOrders?page=0&pageSize=100", tk, "TESTAPP")
		require.Equal(t, 401, status)
		require.Empty(t, body)
	}
	s.ExpireTokens()
	status, body = get(t, s.URL+"/SaleOrders?page=0&pageSize=100", tok, "TESTAPP")
	require.Equal(t, 401, status)
	require.Empty(t, body)

	// A token expires after 24 hours of the simulator's clock.
	_, out = login(t, s, "TESTAPP", "test_secret")
	tok = out["data"].(string)
	s.Advance(23 * time.Hour)
	status, _ = get(t, s.URL+"/Customers", tok, "TESTAPP")
	require.Equal(t, 200, status)
	s.Advance(2 * time.Hour)
	status, _ = get(t, s.URL+"/Customers", tok, "TESTAPP")
	require.Equal(t, 401, status)
}

func TestStrictness(t *testing.T) {
	s := newServer(t, misatest.Options{Products: 130})
	_, out := login(t, s, "TESTAPP", "test_secret")
	tok := out["data"].(string)
	bad := func(url, clientID string, status int, code string) {
		t.Helper()
		st, body := get(t, url, tok, clientID)
		require.Equal(t, status, st, url)
		var e map[string]any
		require.NoError(t, json.Unmarshal(body, &e), string(body))
		require.Equal(t, code, e["ErrorCode"])
	}
	bad(s.URL+"/Customers?pageSize=101", "TESTAPP", 400, "InvalidParam")
	bad(s.URL+"/Customers?pageSize=0", "TESTAPP", 400, "InvalidParam")
	bad(s.URL+"/Customers?page=-1", "TESTAPP", 400, "InvalidParam")
	bad(s.URL+"/Customers?page=x", "TESTAPP", 400, "InvalidParam")
	bad(s.URL+"/Customers?modifiedSince=2025-01-01", "TESTAPP", 400, "InvalidParam")
	bad(s.URL+"/Customers?orderBy=account_name", "TESTAPP", 400, "InvalidParam")
	bad(s.URL+"/Customers", "", 403, "InvalidAppID")
	bad(s.URL+"/Customers", "OTHER", 403, "InvalidAppID")
	bad(s.URL+"/Stocks?page=0", "TESTAPP", 400, "InvalidParam")
	bad(s.URL+"/Stocks/product_ledger?page=0&pageSize=100", "TESTAPP", 400, "InvalidParam")

	// /Product and /Products are the same; default page size 10; newest first.
	_, a := get(t, s.URL+"/Products?page=1&pageSize=100", tok, "TESTAPP")
	_, b := get(t, s.URL+"/Product?page=1&pageSize=100", tok, "TESTAPP")
	require.Equal(t, a, b)
	var env struct {
		Data []struct {
			ID           int64  `json:"id"`
			ModifiedDate string `json:"modified_date"`
		} `json:"data"`
	}
	_, c := get(t, s.URL+"/Products", tok, "TESTAPP")
	require.NoError(t, json.Unmarshal(c, &env))
	require.Len(t, env.Data, 10)
	for i := 1; i < len(env.Data); i++ {
		require.GreaterOrEqual(t, env.Data[i-1].ModifiedDate, env.Data[i].ModifiedDate)
		require.True(t, strings.HasSuffix(env.Data[i].ModifiedDate, "+07:00"))
	}

	// /Stocks is unpaged; the ledger answers success:false, code:0 with rows.
	_, st := get(t, s.URL+"/Stocks", tok, "TESTAPP")
	var stocks struct {
		Data []struct {
			AsyncID string `json:"async_id"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(st, &stocks))
	require.Len(t, stocks.Data, 4)
	status, l := get(t, s.URL+"/Stocks/product_ledger?stockID="+stocks.Data[0].AsyncID+"&page=0&pageSize=50", tok, "TESTAPP")
	require.Equal(t, 200, status)
	var ledger map[string]any
	require.NoError(t, json.Unmarshal(l, &ledger))
	require.Equal(t, false, ledger["success"])
	require.EqualValues(t, 0, ledger["code"])
	require.Len(t, ledger["data"], 50)
	require.Positive(t, ledger["total_pages"])
}

// Paging is 0-based by default; in the 1-based mode page 0 aliases page 1.
func TestOneBased(t *testing.T) {
	s := newServer(t, misatest.Options{OneBased: true, Customers: 30})
	_, out := login(t, s, "TESTAPP", "test_secret")
	tok := out["data"].(string)
	_, p0 := get(t, s.URL+"/Customers?page=0", tok, "TESTAPP")
	_, p1 := get(t, s.URL+"/Customers?page=1", tok, "TESTAPP")
	_, p2 := get(t, s.URL+"/Customers?page=2", tok, "TESTAPP")
	require.Equal(t, p0, p1)
	require.NotEqual(t, p1, p2)
}

// The data is a pure function of the options; Advance modifies, creates and
// removes items.
func TestDeterministicAndAdvance(t *testing.T) {
	a := newServer(t, misatest.Options{Seed: 5})
	b := newServer(t, misatest.Options{Seed: 5})
	require.Equal(t, a.Records(misatest.SaleOrders), b.Records(misatest.SaleOrders))
	require.Equal(t, a.Ledger(), b.Ledger())
	ch := a.Advance(time.Hour)
	require.Len(t, ch.Modified[misatest.Customers], 25)
	require.Len(t, ch.Created[misatest.Customers], 5)
	require.NotEmpty(t, ch.ItemsRemoved)
	require.Len(t, a.Records(misatest.Customers), 255)
}

// The hostile answers: short pages serve every record once (the pages only
// stop aligning with pageSize), a truncated body is not JSON, the stale
// copy of the newest record sits in page 2 a day older, a failing ledger
// answers its status, and a malformed warehouse id has no ledger.
func TestHostileAnswers(t *testing.T) {
	s := newServer(t, misatest.Options{Customers: 250, Stock: 3, MalformedStockID: "KHO02",
		ShortPage: func(entity string, page int) int {
			if entity != misatest.Customers {
				return 0
			}
			return map[int]int{0: 99, 1: 40}[page]
		},
		TruncateBody:   func(entity string, page int) bool { return entity == misatest.Contacts },
		StaleDuplicate: func(entity string) bool { return entity == misatest.SaleOrders },
		FailLedger: func(code string, page int) int {
			if code == "KHO03" {
				return 503
			}
			return 0
		}})
	_, out := login(t, s, "TESTAPP", "test_secret")
	tok := out["data"].(string)
	page := func(path string, n int) []map[string]any {
		status, body := get(t, s.URL+path+"?page="+strconv.Itoa(n)+"&pageSize=100", tok, "TESTAPP")
		require.Equal(t, 200, status, string(body))
		var env struct{ Data []map[string]any }
		require.NoError(t, json.Unmarshal(body, &env))
		return env.Data
	}
	seen := map[float64]int{}
	var sizes []int
	for n := 0; ; n++ {
		recs := page("/Customers", n)
		if len(recs) == 0 {
			break
		}
		sizes = append(sizes, len(recs))
		for _, r := range recs {
			seen[r["id"].(float64)]++
		}
	}
	require.Equal(t, []int{99, 40, 100, 11}, sizes)
	require.Len(t, seen, 250)
	for id, n := range seen {
		require.Equal(t, 1, n, "customer %v", id)
	}

	status, body := get(t, s.URL+"/Contacts?page=0&pageSize=100", tok, "TESTAPP")
	require.Equal(t, 200, status)
	require.False(t, json.Valid(body))

	head, later := page("/SaleOrders", 0)[0], page("/SaleOrders", 2)
	var stale map[string]any
	for _, r := range later {
		if r["id"] == head["id"] {
			stale = r
		}
	}
	require.NotNil(t, stale, "the newest order again on page 2")
	h, _ := time.Parse(time.RFC3339, head["modified_date"].(string))
	o, _ := time.Parse(time.RFC3339, stale["modified_date"].(string))
	require.Equal(t, 24*time.Hour, h.Sub(o))

	status, body = get(t, s.URL+"/Stocks", tok, "TESTAPP")
	require.Equal(t, 200, status)
	var stocks struct{ Data []map[string]any }
	require.NoError(t, json.Unmarshal(body, &stocks))
	want := map[string]int{"KHO01": 200, "KHO02": 400, "KHO03": 503}
	for _, st := range stocks.Data {
		code, id := st["stock_code"].(string), st["async_id"].(string)
		if code == "KHO02" {
			require.NotRegexp(t, `^[0-9A-F-]{36}$`, id)
		}
		status, _ := get(t, s.URL+"/Stocks/product_ledger?page=0&pageSize=100&stockID="+url.QueryEscape(id), tok, "TESTAPP")
		require.Equal(t, want[code], status, code)
	}
}
