package tokenstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/facolos/etl/tokenstore"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/require"
)

// Two processes' managers on one PostgreSQL token table spend each
// single-use refresh token once.
func TestPostgresStoreSharedByTwoManagers(t *testing.T) {
	dsn := os.Getenv("ETL_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("set ETL_TEST_POSTGRES_DSN to run the PostgreSQL token store test")
	}
	ctx := context.Background()
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "etl_t_tok_" + hex.EncodeToString(b[:])
	d := tokenstore.PostgresDialect(schema)
	admin, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = admin.Exec(`DROP SCHEMA IF EXISTS "` + schema + `" CASCADE`)
		admin.Close()
	})
	now := time.Now()
	auth := newAuthServer("rt-0", now.Add(4*time.Hour))
	auth.delay = 50 * time.Millisecond
	var managers []*tokenstore.Manager
	for range 2 {
		db, err := sql.Open("pgx", dsn)
		require.NoError(t, err)
		t.Cleanup(func() { db.Close() })
		store, err := tokenstore.NewSQLStore(ctx, db, d)
		require.NoError(t, err)
		managers = append(managers, &tokenstore.Manager{Store: store, Platform: "shopee", Account: "42", Refresh: auth.refresh,
			Seed:         &tokenstore.Token{AccessToken: "at-0", RefreshToken: "rt-0", AccessExpiresAt: now.Add(-time.Minute)},
			PollInterval: 10 * time.Millisecond})
	}
	for round := 0; round < 3; round++ {
		var wg sync.WaitGroup
		got := make([]string, 2)
		errs := make([]error, 2)
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
		require.NoError(t, errs[0])
		require.NoError(t, errs[1])
		require.Equal(t, fmt.Sprintf("at-%d", round+1), got[0])
		require.Equal(t, got[0], got[1])
	}
	require.Equal(t, 3, auth.n)
	require.Zero(t, auth.reused)
	tok, err := managers[0].Store.Load(ctx, "shopee", "42")
	require.NoError(t, err)
	require.Equal(t, "rt-3", tok.RefreshToken)
}
