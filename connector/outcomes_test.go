package connector_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/stretchr/testify/require"
)

// Every request sent has one outcome, per endpoint, and they add up to
// APICalls.
func TestClientCountsCallsByOutcome(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/flaky": // 429, 502, then ok
			switch n.Add(1) {
			case 1:
				w.WriteHeader(http.StatusTooManyRequests)
			case 2:
				w.WriteHeader(http.StatusBadGateway)
			default:
				w.Write([]byte(`{"ok":true}`))
			}
		case "/down":
			w.WriteHeader(http.StatusServiceUnavailable)
		case "/missing":
			w.WriteHeader(http.StatusNotFound)
		case "/truncated":
			w.Write([]byte(`{"ok":tr`))
		default:
			w.Write([]byte(`{}`))
		}
	}))
	defer srv.Close()
	c := fastClient()
	call := func(path string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		require.NoError(t, err)
		_, _ = c.Do(context.Background(), req)
	}
	call("/flaky")
	call("/down")
	call("/missing")
	call("/fine")
	call("/fine")
	call("/truncated")
	// A refused connection: every attempt is a transport error.
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	req, err := http.NewRequest(http.MethodGet, deadURL+"/gone", nil)
	require.NoError(t, err)
	_, err = c.Do(context.Background(), req)
	require.Error(t, err)

	got := c.APICallOutcomes()
	require.Equal(t, map[string]map[string]int64{
		"/flaky":     {connector.OutcomeThrottled: 1, connector.OutcomeRetried: 1, connector.OutcomeOK: 1},
		"/down":      {connector.OutcomeRetried: 2, connector.OutcomeFailed: 1},
		"/missing":   {connector.OutcomeFailed: 1},
		"/fine":      {connector.OutcomeOK: 2},
		"/truncated": {connector.OutcomeRetried: 2, connector.OutcomeFailed: 1},
		"/gone":      {connector.OutcomeRetried: 2, connector.OutcomeFailed: 1},
	}, got)
	for ep, calls := range c.APICalls() {
		var sum int64
		for _, v := range got[ep] {
			sum += v
		}
		require.Equal(t, calls, sum, "outcomes of %s add up to its calls", ep)
	}
}
