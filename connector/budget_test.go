package connector_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/stretchr/testify/require"
)

func TestBudgetAIMD(t *testing.T) {
	b := connector.NewBudget(40, 1)
	require.EqualValues(t, 40, b.Rate())
	b.Throttle(0)
	require.EqualValues(t, 20, b.Rate(), "a throttle halves the rate")
	b.Throttle(0)
	require.EqualValues(t, 20, b.Rate(), "answers to calls sent at the old rate do not cut again")
	b.Success()
	require.Less(t, b.Rate(), 40.0, "recovery is gradual")
	require.EqualValues(t, 2, b.Throttled())

	require.Same(t, connector.SharedBudget("test/app-1", 5, 1), connector.SharedBudget("test/app-1", 99, 1), "shops of one app share its budget")
	require.NotSame(t, connector.SharedBudget("test/app-1", 5, 1), connector.SharedBudget("test/app-2", 5, 1))
}

// A 429 with Retry-After pauses every client of the budget that long, and
// is counted.
func TestRetryAfterHonoured(t *testing.T) {
	var mu sync.Mutex
	var times []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		times = append(times, time.Now())
		n := len(times)
		mu.Unlock()
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	budget := connector.NewBudget(0, 1)
	a := connector.NewClient(connector.HTTPConfig{Budget: budget, Attempts: 3, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond})
	other := connector.NewClient(connector.HTTPConfig{Budget: budget})
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/x", nil)
	resp, err := a.Do(context.Background(), req)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.EqualValues(t, 1, a.Throttled())
	// Another shop of the same app is paused too (the pause began at the 429).
	req2, _ := http.NewRequest(http.MethodGet, srv.URL+"/y", nil)
	_, err = other.Do(context.Background(), req2)
	require.NoError(t, err)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, times, 3)
	require.GreaterOrEqual(t, times[1].Sub(times[0]), 900*time.Millisecond, "the retry waited for Retry-After")
}
