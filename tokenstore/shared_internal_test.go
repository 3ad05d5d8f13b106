package tokenstore

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Callers queued behind a refresh that fails get its error: the refresh
// endpoint is asked once, not once per caller. A caller that comes after the
// failure tries again; a failure that was its caller's own cancellation is
// not shared.
func TestQueuedCallersShareAFailedRefresh(t *testing.T) {
	ctx := context.Background()
	var calls atomic.Int32
	release := make(chan struct{})
	entered := make(chan struct{}, 10)
	down := errors.New("refresh endpoint: 503 after 5 attempts")
	m := &Manager{Store: &Memory{}, Platform: "p", Account: "a",
		Seed: &Token{AccessToken: "old", RefreshToken: "r", AccessExpiresAt: time.Now().Add(-time.Minute)},
		Refresh: func(ctx context.Context, _ string) (Token, error) {
			calls.Add(1)
			entered <- struct{}{}
			select {
			case <-release:
			case <-ctx.Done():
				return Token{}, ctx.Err()
			}
			return Token{}, down
		}}
	const callers = 6
	errs := make([]error, callers)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _, errs[0] = m.AccessToken(ctx) }()
	<-entered // the first caller is refreshing
	for i := 1; i < callers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				_, errs[i] = m.AccessToken(ctx)
			} else {
				_, errs[i] = m.Invalidate(ctx, "old")
			}
		}()
	}
	for m.queued.Load() < callers-1 {
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	require.EqualValues(t, 1, calls.Load(), "one refresh for all the queued callers")
	for i, err := range errs {
		require.ErrorIs(t, err, down, "caller %d", i)
	}

	// A later caller tries again.
	release = make(chan struct{})
	close(release)
	_, err := m.AccessToken(ctx)
	require.ErrorIs(t, err, down)
	require.EqualValues(t, 2, calls.Load())
	<-entered

	// A refresh ended by its own caller's cancellation is not shared.
	release = make(chan struct{})
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { _, err := m.AccessToken(cctx); done <- err }()
	<-entered // the cancellable caller is refreshing
	var other error
	wg.Add(1)
	go func() { defer wg.Done(); _, other = m.AccessToken(ctx) }()
	for m.queued.Load() < 1 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
	<-entered // the queued caller refreshes itself
	close(release)
	wg.Wait()
	require.ErrorIs(t, other, down)
	require.EqualValues(t, 4, calls.Load())
}
