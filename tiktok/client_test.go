package tiktok_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/tiktok"
	"github.com/facolos/etl/tiktok/tiktoktest"
	"github.com/stretchr/testify/require"
)

// Every HTTP attempt is signed anew with the real clock: after a 503 and
// a backoff past the second boundary, the retry carries a later timestamp
// and a signature valid for it, over the same body bytes.
func TestRetryResigns(t *testing.T) {
	type attempt struct {
		ts        int64
		signValid bool
		body      string
	}
	var mu sync.Mutex
	var seen []attempt
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		q := r.URL.Query()
		ts, _ := strconv.ParseInt(q.Get("timestamp"), 10, 64)
		mu.Lock()
		seen = append(seen, attempt{ts, q.Get("sign") == tiktoktest.Sign("secret", r.URL.Path, q, body), string(body)})
		n := len(seen)
		mu.Unlock()
		if n == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, `{"code":0,"message":"Success","request_id":"r","data":{"next_page_token":"","total_count":0,"orders":[]}}`)
	}))
	defer srv.Close()
	c, err := tiktok.NewClient(tiktok.Config{BaseURL: srv.URL, AppKey: "key", AppSecret: "secret", AccessToken: "tok", ShopCipher: "c",
		HTTP: connector.HTTPConfig{MinBackoff: 2100 * time.Millisecond, MaxBackoff: 2100 * time.Millisecond}, Logger: quiet})
	require.NoError(t, err)
	_, err = c.SearchOrders(context.Background(), tiktok.SearchRequest{Field: "update_time", GE: 1, LT: 2})
	require.NoError(t, err)
	require.Len(t, seen, 2)
	require.True(t, seen[0].signValid && seen[1].signValid)
	require.Greater(t, seen[1].ts, seen[0].ts, "a fresh timestamp on the retry")
	require.Equal(t, `{"update_time_ge":1,"update_time_lt":2}`, seen[1].body)
}
