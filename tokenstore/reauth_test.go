package tokenstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/facolos/etl/tokenstore"
	"github.com/stretchr/testify/require"
)

// lossyAuth is a token endpoint whose first rotation's answer is lost: the
// refresh token is spent, the caller sees a network error.
type lossyAuth struct {
	mu            sync.Mutex
	valid         map[string]bool
	n             int
	calls         int
	callsAtReject int
	lost          bool
	expires       time.Time
}

var errRejected = fmt.Errorf("error_shop_refresh_token: Your refresh token is error (%w)", tokenstore.ErrRefreshRejected)

func (a *lossyAuth) refresh(ctx context.Context, rt string) (tokenstore.Token, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls++
	if !a.valid[rt] {
		if a.callsAtReject == 0 {
			a.callsAtReject = a.calls
		}
		return tokenstore.Token{}, errRejected
	}
	delete(a.valid, rt)
	a.n++
	next := fmt.Sprintf("rt-%d", a.n)
	a.valid[next] = true
	if !a.lost {
		a.lost = true
		return tokenstore.Token{}, errors.New("read tcp: connection reset by peer") // rotated, answer lost
	}
	return tokenstore.Token{AccessToken: fmt.Sprintf("at-%d", a.n), RefreshToken: next, AccessExpiresAt: a.expires}, nil
}

// A lost rotation with four processes on one SQLite token store: after the
// platform rejects the spent refresh token once, no process presents it
// again; all go on with the access token while it is valid, then fail with
// ErrReauthorize naming platform, account and fix; a new authorisation
// stored in the table restores them.
func TestLostRotationFourProcesses(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tokens.db")
	var clock atomic.Int64
	start := time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	clock.Store(start.UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	auth := &lossyAuth{valid: map[string]bool{"rt-0": true}, expires: start.Add(8 * time.Hour)}
	var managers []*tokenstore.Manager
	var stores []*tokenstore.SQLStore
	for range 4 {
		store, err := tokenstore.NewSQLStore(ctx, openDB(t, path), tokenstore.SQLite)
		require.NoError(t, err)
		stores = append(stores, store)
		managers = append(managers, &tokenstore.Manager{Store: store, Platform: "shopee", Account: "42", Refresh: auth.refresh, Now: now,
			// Expiring within the buffer: every call wants a refresh.
			Seed:         &tokenstore.Token{AccessToken: "at-0", RefreshToken: "rt-0", AccessExpiresAt: start.Add(2 * time.Minute)},
			PollInterval: time.Millisecond})
	}
	// Many rounds of all four asking at once.
	var firstErr error
	for round := 0; round < 20; round++ {
		var wg sync.WaitGroup
		got := make([]string, 4)
		errs := make([]error, 4)
		for i, m := range managers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got[i], errs[i] = m.AccessToken(ctx)
			}()
		}
		wg.Wait()
		for i := range managers {
			if errs[i] != nil {
				require.Nil(t, firstErr, "only the attempt whose answer was lost fails: %v", errs[i])
				firstErr = errs[i]
				require.NotErrorIs(t, errs[i], tokenstore.ErrReauthorize)
				continue
			}
			require.Equal(t, "at-0", got[i], "the current access token is used while valid")
		}
	}
	require.Equal(t, 2, auth.calls, "one lost rotation, one rejection, then never again")
	require.Equal(t, 2, auth.callsAtReject)
	tok, err := stores[0].Load(ctx, "shopee", "42")
	require.NoError(t, err)
	require.Contains(t, tok.Reauthorize, "rejected")
	require.True(t, tok.LockedUntil.IsZero(), "claim released")

	// The access token expires: every process fails with ErrReauthorize.
	clock.Store(start.Add(3 * time.Minute).UnixNano())
	for _, m := range managers {
		_, err := m.AccessToken(ctx)
		require.ErrorIs(t, err, tokenstore.ErrReauthorize)
		require.Contains(t, err.Error(), "shopee account 42")
		require.Contains(t, err.Error(), "examples/authorize")
		require.NotContains(t, err.Error(), "rt-0")
		_, err = m.Invalidate(ctx, "at-0")
		require.ErrorIs(t, err, tokenstore.ErrReauthorize)
	}
	require.Equal(t, 2, auth.calls, "still no refresh retry")

	// The seller authorises again; the new pair is stored, the mark cleared.
	tok.AccessToken, tok.RefreshToken, tok.AccessExpiresAt, tok.Reauthorize = "at-new", "rt-new", start.Add(4*time.Hour), ""
	require.NoError(t, stores[0].Save(ctx, tok))
	for _, m := range managers {
		at, err := m.AccessToken(ctx)
		require.NoError(t, err)
		require.Equal(t, "at-new", at)
	}
}

// A refresh token past its expiry is never presented.
func TestExpiredRefreshTokenNotPresented(t *testing.T) {
	ctx := context.Background()
	calls := 0
	m := &tokenstore.Manager{Store: &tokenstore.Memory{}, Platform: "shopee", Account: "7",
		Refresh: func(context.Context, string) (tokenstore.Token, error) {
			calls++
			return tokenstore.Token{}, errors.New("unexpected")
		},
		Seed: &tokenstore.Token{AccessToken: "a", RefreshToken: "r", AccessExpiresAt: time.Now().Add(-time.Minute),
			RefreshExpiresAt: time.Now().Add(-time.Second)}}
	_, err := m.AccessToken(ctx)
	require.ErrorIs(t, err, tokenstore.ErrReauthorize)
	require.Contains(t, err.Error(), "expired")
	require.Zero(t, calls)
}

// The refresh runs under a deadline that ends before the claim other
// processes respect, so a slow refresh can never overlap another's.
func TestClaimOutlivesRefresh(t *testing.T) {
	ctx := context.Background()
	store := &tokenstore.Memory{}
	var deadline time.Time
	var locked time.Time
	m := &tokenstore.Manager{Store: store, Platform: "shopee", Account: "9", ClaimTimeout: 2 * time.Second,
		Refresh: func(ctx context.Context, _ string) (tokenstore.Token, error) {
			deadline, _ = ctx.Deadline()
			tok, _ := store.Load(ctx, "shopee", "9")
			locked = tok.LockedUntil
			<-ctx.Done() // the worst case: the platform never answers
			return tokenstore.Token{}, ctx.Err()
		},
		Seed: &tokenstore.Token{AccessToken: "a", RefreshToken: "r", AccessExpiresAt: time.Now().Add(-time.Minute)}}
	_, err := m.AccessToken(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.False(t, deadline.IsZero(), "the refresh has a deadline")
	require.True(t, deadline.Before(locked), "deadline %s before the claim ends %s", deadline, locked)
	tok, _ := store.Load(ctx, "shopee", "9")
	require.True(t, tok.LockedUntil.IsZero(), "claim released")
	require.Empty(t, tok.Reauthorize, "a timeout is no rejection")
}

// A token table of the previous version gains the reauthorize column.
func TestSQLiteMigration(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, filepath.Join(t.TempDir(), "old.db"))
	_, err := db.Exec(`CREATE TABLE "etl_control_api_token_storage" (platform TEXT NOT NULL, account TEXT NOT NULL DEFAULT '',
		access_token TEXT NOT NULL, refresh_token TEXT, expires_at TIMESTAMP_TEXT, refresh_expires_at TIMESTAMP_TEXT, shop_cipher TEXT,
		version INTEGER NOT NULL DEFAULT 0, locked_until TIMESTAMP_TEXT, last_updated TIMESTAMP_TEXT, PRIMARY KEY (platform, account))`)
	require.NoError(t, err)
	_, err = db.Exec(`INSERT INTO "etl_control_api_token_storage" (platform, account, access_token, refresh_token, version) VALUES ('shopee', '1', 'a', 'r', 3)`)
	require.NoError(t, err)
	migrated := func(db *sql.DB) {
		store, err := tokenstore.NewSQLStore(ctx, db, tokenstore.SQLite)
		require.NoError(t, err)
		tok, err := store.Load(ctx, "shopee", "1")
		require.NoError(t, err)
		require.Equal(t, int64(3), tok.Version)
		require.Empty(t, tok.Reauthorize)
	}
	migrated(db)
	migrated(db) // idempotent
	store, _ := tokenstore.NewSQLStore(ctx, db, tokenstore.SQLite)
	tok, _ := store.Load(ctx, "shopee", "1")
	tok.Reauthorize = "why"
	require.NoError(t, store.Save(ctx, tok))
	tok, _ = store.Load(ctx, "shopee", "1")
	require.Equal(t, "why", tok.Reauthorize)
}

func TestFileStoreKeepsReauthorize(t *testing.T) {
	ctx := context.Background()
	f := &tokenstore.File{Path: filepath.Join(t.TempDir(), "t.json")}
	require.NoError(t, f.Save(ctx, tokenstore.Token{Platform: "p", Account: "a", AccessToken: "x", Reauthorize: "why"}))
	tok, err := f.Load(ctx, "p", "a")
	require.NoError(t, err)
	require.Equal(t, "why", tok.Reauthorize)
	_ = os.Remove(f.Path)
}
