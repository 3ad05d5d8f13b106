package tokenstore

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A refresh endpoint that hangs (the refresh ends on the HTTP client's
// timeout, an error that matches context.DeadlineExceeded although no
// caller's context ended) is a refresh endpoint that is down like any
// other: the callers queued behind it share its failure instead of each
// waiting out the timeout again, one after the other.
func TestHungRefreshSharedWithQueuedCallers(t *testing.T) {
	ctx := context.Background()
	var calls atomic.Int32
	entered := make(chan struct{}, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		<-r.Context().Done() // never answers
	}))
	defer srv.Close()
	client := &http.Client{Timeout: 100 * time.Millisecond}
	start := make(chan struct{}) // the first refresh sends its request once the others queued
	m := &Manager{Store: &Memory{}, Platform: "p", Account: "a",
		Seed: &Token{AccessToken: "old", RefreshToken: "r", AccessExpiresAt: time.Now().Add(-time.Minute)},
		Refresh: func(ctx context.Context, _ string) (Token, error) {
			entered <- struct{}{}
			<-start
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, nil)
			if err != nil {
				return Token{}, err
			}
			resp, err := client.Do(req)
			if err != nil {
				return Token{}, fmt.Errorf("refresh endpoint: %w", err)
			}
			resp.Body.Close()
			return Token{}, fmt.Errorf("refresh endpoint: HTTP %d", resp.StatusCode)
		}}
	const callers = 6
	errs := make([]error, callers)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _, errs[0] = m.AccessToken(ctx) }()
	<-entered // the first caller is refreshing
	for i := 1; i < callers; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); _, errs[i] = m.AccessToken(ctx) }()
	}
	for m.queued.Load() < callers-1 {
		time.Sleep(time.Millisecond)
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		require.ErrorContains(t, err, "Client.Timeout", "caller %d", i)
	}
	require.EqualValues(t, 1, calls.Load(), "the hung endpoint is asked once for all the queued callers, not once each in turn")
}
