package tokenstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"testing"

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
	var stores []tokenstore.Store
	for range 2 {
		db, err := sql.Open("pgx", dsn)
		require.NoError(t, err)
		t.Cleanup(func() { db.Close() })
		store, err := tokenstore.NewSQLStore(ctx, db, d)
		require.NoError(t, err)
		stores = append(stores, store)
	}
	twoProcesses(t, stores)
}
