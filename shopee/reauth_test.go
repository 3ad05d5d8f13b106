package shopee_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/shopee"
	"github.com/facolos/etl/shopee/shopeetest"
	"github.com/facolos/etl/tokenstore"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"
)

// A refresh whose answer is lost after the platform rotated, with four
// sources (four processes' views) on one SQLite token table: the platform
// rejects the spent refresh token once, then no source ever presents it
// again; syncing goes on with the current access token until it expires;
// then every read fails with ErrReauthorize naming the shop and the fix; a
// new authorisation restores all four.
func TestLostRotationFourSources(t *testing.T) {
	ctx := context.Background()
	sim := newSim(t, shopeetest.Options{Orders: 200, Days: 20})
	path := filepath.Join(t.TempDir(), "tokens.db")
	var srcs []*shopee.Source
	var whs []*warehouse
	for range 4 {
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_txlock=immediate")
		require.NoError(t, err)
		t.Cleanup(func() { db.Close() })
		store, err := tokenstore.NewSQLStore(ctx, db, tokenstore.SQLite)
		require.NoError(t, err)
		srcs = append(srcs, sourceFor(t, sim, store, connector.HTTPConfig{}))
		whs = append(whs, newWarehouse())
	}
	readAll := func() []error {
		errs := make([]error, len(srcs))
		var wg sync.WaitGroup
		for i := range srcs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = whs[i].read(ctx, srcs[i])
			}()
		}
		wg.Wait()
		return errs
	}
	for _, err := range readAll() {
		require.NoError(t, err)
	}
	// A first rotation, so the stored token knows its expiry (4 hours of
	// Config.Now, the data clock here).
	sim.ExpireTokens()
	for _, err := range readAll() {
		require.NoError(t, err)
	}
	require.Equal(t, 1, sim.Rotations())
	base := sim.RefreshRequests()

	// The next rotation's answer is lost; the token is then within the
	// refresh buffer but valid two more minutes.
	sim.LoseNextRotation()
	sim.Advance(4*time.Hour - 2*time.Minute)
	for round := 0; round < 3; round++ {
		for i, err := range readAll() {
			require.NoError(t, err, "source %d, round %d: syncing goes on with the current access token", i, round)
		}
	}
	require.Equal(t, 2, sim.Rotations(), "the lost rotation happened")
	rejectedAt := sim.RefreshRequests()
	require.LessOrEqual(t, rejectedAt-base, 2, "the lost refresh and at most one retry of it, rejected")
	tok, err := tokenstore.NewSQLStore(ctx, openSQLite(t, path), tokenstore.SQLite)
	require.NoError(t, err)
	stored, err := tok.Load(ctx, "shopee", strconv.FormatInt(sim.ShopID(), 10))
	require.NoError(t, err)
	require.NotEmpty(t, stored.Reauthorize)

	// The access token expires: typed error, no refresh attempt.
	sim.Advance(3 * time.Minute)
	for _, err := range readAll() {
		require.ErrorIs(t, err, tokenstore.ErrReauthorize)
		require.Contains(t, err.Error(), "shopee account 123456")
		require.Contains(t, err.Error(), "examples/authorize")
		require.NotContains(t, err.Error(), stored.RefreshToken)
	}
	for _, err := range readAll() {
		require.ErrorIs(t, err, tokenstore.ErrReauthorize)
	}
	require.Equal(t, rejectedAt, sim.RefreshRequests(), "zero refresh retries after the rejection")

	// The seller authorises again.
	require.NoError(t, srcs[0].Client().Authorize(ctx, sim.Authorize()))
	for _, err := range readAll() {
		require.NoError(t, err)
	}
	for _, w := range whs {
		w.requireHolds(t, sim, 0)
	}
}

func openSQLite(t *testing.T, path string) *sql.DB {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}
