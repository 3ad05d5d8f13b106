package tokenstore_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/facolos/etl/tokenstore"
	"github.com/stretchr/testify/require"
)

// fakeClock is a settable clock for Manager.Now.
type fakeClock struct{ ns atomic.Int64 }

func newFakeClock(t time.Time) *fakeClock {
	c := &fakeClock{}
	c.ns.Store(t.UnixNano())
	return c
}

func (c *fakeClock) Now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *fakeClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// A refreshed access token whose expiry has already passed is used until the
// platform rejects it, with one warning: five calls, one refresh (not five);
// a rejection still refreshes at once.
func TestRefreshedTokenAlreadyExpiredIsUsedUntilRejected(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	auth := newAuthServer("rt-0", clock.Now().Add(-time.Hour)) // every new token "expired an hour ago"
	var logs bytes.Buffer
	store := &tokenstore.Memory{}
	m := &tokenstore.Manager{Store: store, Platform: "tiktok_shop", Account: "7", Refresh: auth.refresh, Now: clock.Now,
		Seed:   &tokenstore.Token{AccessToken: "at-0", RefreshToken: "rt-0", AccessExpiresAt: clock.Now().Add(-time.Minute)},
		Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	for i := 0; i < 5; i++ {
		tok, err := m.AccessToken(ctx)
		require.NoError(t, err)
		require.Equal(t, "at-1", tok)
		clock.Advance(time.Minute) // one call a minute: past any buffer
	}
	require.Equal(t, 1, auth.n, "one refresh for five calls")
	require.Equal(t, 1, strings.Count(logs.String(), "expiry has already passed"), logs.String())
	stored, err := store.Load(ctx, "tiktok_shop", "7")
	require.NoError(t, err)
	require.True(t, stored.AccessExpiresAt.IsZero(), "stored as unknown, so other processes use it too")

	tok, err := m.Invalidate(ctx, "at-1")
	require.NoError(t, err)
	require.Equal(t, "at-2", tok, "a rejected token is refreshed at once")
	require.Equal(t, 2, auth.n)
}

// A refreshed token that expires within the refresh buffer (but not yet) is
// not refreshed again ahead of expiry within MinRefreshInterval: at most one
// refresh per account per interval unless the platform rejects the token.
func TestAtMostOneRefreshPerInterval(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	auth := newAuthServer("rt-0", time.Time{})
	refresh := func(ctx context.Context, rt string) (tokenstore.Token, error) {
		auth.expires = clock.Now().Add(time.Minute) // always inside the 5 min buffer
		return auth.refresh(ctx, rt)
	}
	m := &tokenstore.Manager{Store: &tokenstore.Memory{}, Platform: "misa_crm", Account: "t", Refresh: refresh, Now: clock.Now,
		Seed: &tokenstore.Token{AccessToken: "at-0", RefreshToken: "rt-0", AccessExpiresAt: clock.Now()}}
	require.Equal(t, tokenstore.DefaultMinRefreshInterval, 5*time.Minute, "the documented interval")
	calls := 0
	for elapsed := time.Duration(0); elapsed < 20*time.Minute; elapsed += 30 * time.Second {
		_, err := m.AccessToken(ctx)
		require.NoError(t, err)
		calls++
		clock.Advance(30 * time.Second)
	}
	require.Equal(t, 40, calls)
	require.Equal(t, 4, auth.n, "one refresh per 5 minutes over 20 minutes, not one per call")
	require.Equal(t, 4, m.Refreshes())
}
