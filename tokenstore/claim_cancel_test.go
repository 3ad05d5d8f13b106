package tokenstore_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/facolos/etl/tokenstore"
	"github.com/stretchr/testify/require"
)

// commitThenCancel is a store whose writes commit and then report that the
// caller's context ended, as database/sql does when the context is
// cancelled while the statement runs (the UPDATE committed, ExecContext
// returns context.Canceled). It cancels the caller's context during the
// first refresh claim it sees.
type commitThenCancel struct {
	tokenstore.Store
	cancel  context.CancelFunc
	claimed atomic.Bool
}

func (s *commitThenCancel) Save(ctx context.Context, tok tokenstore.Token) error {
	if !tok.LockedUntil.IsZero() && s.claimed.CompareAndSwap(false, true) {
		s.cancel()
	}
	err := s.Store.Save(context.WithoutCancel(ctx), tok)
	if err == nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// A caller whose context ends while it claims the refresh leaves no claim
// behind: the next caller refreshes at once instead of waiting for the
// claim to time out (with a clock that does not move, forever).
func TestCancelledClaimLeavesNoClaim(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) // a clock that does not move
	ctx, cancel := context.WithCancel(context.Background())
	store := &commitThenCancel{Store: &tokenstore.Memory{}, cancel: cancel}
	var refreshes atomic.Int32
	m := &tokenstore.Manager{Store: store, Platform: "p", Account: "a", Now: func() time.Time { return now },
		Seed: &tokenstore.Token{AccessToken: "old", RefreshToken: "r"},
		Refresh: func(ctx context.Context, _ string) (tokenstore.Token, error) {
			if err := ctx.Err(); err != nil {
				return tokenstore.Token{}, err
			}
			refreshes.Add(1)
			return tokenstore.Token{AccessToken: "new", RefreshToken: "r2", AccessExpiresAt: now.Add(time.Hour)}, nil
		}}
	_, err := m.Invalidate(ctx, "old")
	require.True(t, errors.Is(err, context.Canceled), "the cancelled caller gets its cancellation: %v", err)

	next, stop := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop()
	tok, err := m.Invalidate(next, "old")
	require.NoError(t, err, "the next caller is not held by the cancelled caller's claim")
	require.Equal(t, "new", tok)
	require.EqualValues(t, 1, refreshes.Load())
	stored, err := store.Load(context.Background(), "p", "a")
	require.NoError(t, err)
	require.True(t, stored.LockedUntil.IsZero(), "no claim left behind")
}
