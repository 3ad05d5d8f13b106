package connector_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/stretchr/testify/require"
)

// TestClientPrepareRetry: a request re-prepared before each retry (a new
// query parameter per attempt) reaches the server with the new URL and the
// same body every time.
func TestClientPrepareRetry(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen = append(seen, r.URL.Query().Get("attempt"))
		bodies = append(bodies, string(b))
		n := len(seen)
		mu.Unlock()
		if n < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	c := fastClient()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/x?attempt=1", bytes.NewReader([]byte(`{"a":1}`)))
	require.NoError(t, err)
	n := 1
	ctx := connector.WithPrepare(context.Background(), func(r *http.Request) error {
		n++
		u := *r.URL
		u.RawQuery = "attempt=" + strconv.Itoa(n)
		r.URL = &u
		return nil
	})
	resp, err := c.Do(ctx, req)
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, 3, resp.Attempts)
	require.Equal(t, []string{"1", "2", "3"}, seen)
	require.Equal(t, []string{`{"a":1}`, `{"a":1}`, `{"a":1}`}, bodies)

}
