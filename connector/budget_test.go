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
	b.Throttle()
	require.EqualValues(t, 20, b.Rate(), "a throttle halves the rate")
	b.Throttle()
	require.EqualValues(t, 20, b.Rate(), "answers to calls sent at the old rate do not cut again")
	b.Success()
	require.Less(t, b.Rate(), 40.0, "recovery is gradual")
	require.EqualValues(t, 2, b.Throttled())

	require.Same(t, connector.SharedBudget("test/app-1", 5, 1), connector.SharedBudget("test/app-1", 99, 1), "shops of one app share its budget")
	require.NotSame(t, connector.SharedBudget("test/app-1", 5, 1), connector.SharedBudget("test/app-2", 5, 1))
}

// A 429's Retry-After pauses the shop (client) that got it, through its
// Sleep, and the retry waits it out; another shop of the same app budget
// goes on meanwhile (the budget only halves its rate).
func TestRetryAfterStaysWithItsShop(t *testing.T) {
	var mu sync.Mutex
	calls := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls[r.URL.Path]++
		n := calls[r.URL.Path]
		mu.Unlock()
		if r.URL.Path == "/a" && n == 1 {
			w.Header().Set("Retry-After", "50")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	budget := connector.NewBudget(100, 1)
	asked, release := make(chan time.Duration, 1), make(chan struct{})
	a := connector.NewClient(connector.HTTPConfig{Budget: budget, Attempts: 2, Sleep: func(ctx context.Context, d time.Duration) error {
		asked <- d
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}})
	b := connector.NewClient(connector.HTTPConfig{Budget: budget, Sleep: func(context.Context, time.Duration) error {
		t.Error("shop B was paused")
		return nil
	}})
	type result struct {
		resp *connector.Response
		err  error
	}
	done := make(chan result, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/a", nil)
		resp, err := a.Do(context.Background(), req)
		done <- result{resp, err}
	}()
	d := <-asked // shop A is waiting out its Retry-After
	require.InDelta(t, 50*time.Second, d, float64(5*time.Second), "the wait the server asked for")
	// Shop B of the same app is not stalled: its calls go through while A
	// waits (the guard only turns a 50 s stall into a failure).
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for i := 0; i < 3; i++ {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/b", nil)
		resp, err := b.Do(ctx, req)
		require.NoError(t, err, "shop B waited for shop A's Retry-After")
		require.Equal(t, http.StatusOK, resp.StatusCode)
	}
	close(release)
	res := <-done
	require.NoError(t, res.err)
	require.Equal(t, http.StatusOK, res.resp.StatusCode)
	require.Equal(t, 2, res.resp.Attempts, "the retry came after the wait")
	require.EqualValues(t, 1, a.Throttled())
	require.Zero(t, b.Throttled())
	require.EqualValues(t, 50, budget.Rate(), "the shared budget slows down instead")
}

// A Retry-After beyond the limit (100000 s, or a date two days ahead) is not
// waited: the call fails at once with ErrRetryAfterTooLong, after one
// request, and neither this shop nor another one of the app pauses.
func TestRetryAfterBeyondLimitFailsFast(t *testing.T) {
	for name, header := range map[string]string{"seconds": "100000", "date": time.Now().Add(48 * time.Hour).UTC().Format(http.TimeFormat)} {
		t.Run(name, func(t *testing.T) {
			var mu sync.Mutex
			calls := map[string]int{}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				calls[r.URL.Path]++
				mu.Unlock()
				if r.URL.Path == "/a" {
					w.Header().Set("Retry-After", header)
					w.WriteHeader(http.StatusTooManyRequests)
					return
				}
				w.Write([]byte(`{}`))
			}))
			defer srv.Close()
			never := func(context.Context, time.Duration) error {
				t.Error("a client paused")
				return nil
			}
			budget := connector.NewBudget(0, 1)
			a := connector.NewClient(connector.HTTPConfig{Budget: budget, Attempts: 5, Sleep: never})
			b := connector.NewClient(connector.HTTPConfig{Budget: budget, Sleep: never})
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second) // a guard against a stall
			defer cancel()
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/a", nil)
			_, err := a.Do(ctx, req)
			require.ErrorIs(t, err, connector.ErrRetryAfterTooLong)
			var te *connector.TransportError
			require.ErrorAs(t, err, &te)
			require.ErrorContains(t, err, "HTTP 429 with Retry-After")
			require.ErrorContains(t, err, "beyond the 1m0s limit")
			require.NoError(t, ctx.Err())
			for i := 0; i < 2; i++ {
				req, _ := http.NewRequest(http.MethodGet, srv.URL+"/b", nil)
				_, err := b.Do(ctx, req)
				require.NoError(t, err)
				req, _ = http.NewRequest(http.MethodGet, srv.URL+"/a", nil)
				_, err = a.Do(ctx, req)
				require.ErrorIs(t, err, connector.ErrRetryAfterTooLong, "shop A is not paused either: its next call fails fast too")
			}
			mu.Lock()
			defer mu.Unlock()
			require.Equal(t, map[string]int{"/a": 3, "/b": 2}, calls, "one request per call: no retries")
			require.EqualValues(t, 3, a.Throttled())
		})
	}
}
