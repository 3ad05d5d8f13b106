package tokenstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/facolos/etl/tokenstore"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"
)

// authServer imitates a platform's token endpoint: each refresh token works
// once and is replaced by a new one.
type authServer struct {
	mu      sync.Mutex
	valid   map[string]bool
	n       int
	reused  int
	delay   time.Duration
	expires time.Time
}

func newAuthServer(first string, expires time.Time) *authServer {
	return &authServer{valid: map[string]bool{first: true}, expires: expires}
}

func (a *authServer) refresh(ctx context.Context, rt string) (tokenstore.Token, error) {
	time.Sleep(a.delay)
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.valid[rt] {
		a.reused++
		return tokenstore.Token{}, errors.New("error_shop_refresh_token: refresh token already used")
	}
	delete(a.valid, rt)
	a.n++
	next := fmt.Sprintf("rt-%d", a.n)
	a.valid[next] = true
	return tokenstore.Token{AccessToken: fmt.Sprintf("at-%d", a.n), RefreshToken: next, AccessExpiresAt: a.expires}, nil
}

func TestManagerSingleFlight(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	auth := newAuthServer("rt-0", now.Add(4*time.Hour))
	auth.delay = 20 * time.Millisecond
	store := &tokenstore.Memory{}
	m := &tokenstore.Manager{Store: store, Platform: "shopee", Account: "1", Refresh: auth.refresh,
		Seed: &tokenstore.Token{AccessToken: "at-0", RefreshToken: "rt-0", AccessExpiresAt: now.Add(time.Minute)},
		Now:  func() time.Time { return now }}
	var wg sync.WaitGroup
	got := make([]string, 50)
	errs := make([]error, 50)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = m.AccessToken(ctx)
		}()
	}
	wg.Wait()
	for i := range 50 {
		require.NoError(t, errs[i])
		require.Equal(t, "at-1", got[i])
	}
	require.Equal(t, 1, auth.n, "exactly one refresh")
	require.Equal(t, 1, m.Refreshes())
	stored, err := store.Load(ctx, "shopee", "1")
	require.NoError(t, err)
	require.Equal(t, "rt-1", stored.RefreshToken, "rotated refresh token persisted")
}

func TestManagerInvalidate(t *testing.T) {
	ctx := context.Background()
	auth := newAuthServer("rt-0", time.Now().Add(4*time.Hour))
	m := &tokenstore.Manager{Store: &tokenstore.Memory{}, Platform: "shopee", Account: "1", Refresh: auth.refresh,
		Seed: &tokenstore.Token{AccessToken: "at-0", RefreshToken: "rt-0"}}
	tok, err := m.AccessToken(ctx)
	require.NoError(t, err)
	require.Equal(t, "at-0", tok, "unknown expiry: the configured token is used until rejected")
	tok, err = m.Invalidate(ctx, "at-0")
	require.NoError(t, err)
	require.Equal(t, "at-1", tok)
	tok, err = m.Invalidate(ctx, "at-0")
	require.NoError(t, err)
	require.Equal(t, "at-1", tok, "a second report of the same stale token does not refresh again")
	require.Equal(t, 1, auth.n)
}

func openDB(t *testing.T, path string) *sql.DB {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_txlock=immediate")
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

// Two processes (two managers with their own database handles on the same
// file) ask for a token at once while it is expired: the single-use refresh
// token is spent exactly once and both end up with the new access token.
func TestManagersSharingSQLStore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tokens.db")
	var stores []tokenstore.Store
	for range 2 {
		store, err := tokenstore.NewSQLStore(ctx, openDB(t, path), tokenstore.SQLite)
		require.NoError(t, err)
		stores = append(stores, store)
	}
	twoProcesses(t, stores)
}

// twoProcesses runs two managers, one per store (two processes' views of
// one token table), through three expiries at once.
func twoProcesses(t *testing.T, stores []tokenstore.Store) {
	ctx := context.Background()
	now := time.Now()
	auth := newAuthServer("rt-0", now.Add(4*time.Hour))
	auth.delay = 50 * time.Millisecond
	var managers []*tokenstore.Manager
	for _, store := range stores {
		managers = append(managers, &tokenstore.Manager{Store: store, Platform: "shopee", Account: "42", Refresh: auth.refresh,
			Seed:         &tokenstore.Token{AccessToken: "at-0", RefreshToken: "rt-0", AccessExpiresAt: now.Add(-time.Minute)},
			PollInterval: 10 * time.Millisecond})
	}
	for round := 0; round < 3; round++ {
		var wg sync.WaitGroup
		got := make([]string, len(managers))
		errs := make([]error, len(managers))
		for i, m := range managers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if round == 0 {
					got[i], errs[i] = m.AccessToken(ctx)
				} else {
					got[i], errs[i] = m.Invalidate(ctx, fmt.Sprintf("at-%d", round))
				}
			}()
		}
		wg.Wait()
		for i := range managers {
			require.NoError(t, errs[i])
			require.Equal(t, fmt.Sprintf("at-%d", round+1), got[i])
		}
	}
	require.Equal(t, 3, auth.n, "one refresh per expiry")
	require.Zero(t, auth.reused, "no refresh token spent twice")
	require.Equal(t, 3, managers[0].Refreshes()+managers[1].Refreshes())
	tok, err := stores[0].Load(ctx, "shopee", "42")
	require.NoError(t, err)
	require.Equal(t, "rt-3", tok.RefreshToken, "the last rotated refresh token is stored")
}

func TestStoresCompareAndSwap(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	sqlStore, err := tokenstore.NewSQLStore(ctx, openDB(t, filepath.Join(dir, "t.db")), tokenstore.SQLite)
	require.NoError(t, err)
	stores := map[string]tokenstore.Store{
		"memory": &tokenstore.Memory{},
		"file":   &tokenstore.File{Path: filepath.Join(dir, "tokens.json")},
		"sql":    sqlStore,
	}
	exp := time.Date(2025, 11, 1, 4, 0, 0, 0, time.UTC)
	for name, s := range stores {
		t.Run(name, func(t *testing.T) {
			_, err := s.Load(ctx, "tiktok_shop", "shop")
			require.ErrorIs(t, err, tokenstore.ErrNotFound)
			tok := tokenstore.Token{Platform: "tiktok_shop", Account: "shop", AccessToken: "a1", RefreshToken: "r1", AccessExpiresAt: exp}
			require.NoError(t, s.Save(ctx, tok))
			require.ErrorIs(t, s.Save(ctx, tok), tokenstore.ErrConflict, "version 0 twice")
			got, err := s.Load(ctx, "tiktok_shop", "shop")
			require.NoError(t, err)
			require.Equal(t, int64(1), got.Version)
			require.Equal(t, "r1", got.RefreshToken)
			require.True(t, exp.Equal(got.AccessExpiresAt))
			got.AccessToken = "a2"
			require.NoError(t, s.Save(ctx, got))
			require.ErrorIs(t, s.Save(ctx, got), tokenstore.ErrConflict, "stale version")
			again, err := s.Load(ctx, "tiktok_shop", "shop")
			require.NoError(t, err)
			require.Equal(t, "a2", again.AccessToken)
			require.Equal(t, int64(2), again.Version)
			require.NotContains(t, again.String(), "a2", "String hides secrets")
		})
	}
	info, err := os.Stat(filepath.Join(dir, "tokens.json"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm())
}
