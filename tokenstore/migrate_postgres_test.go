package tokenstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"testing"

	"github.com/facolos/etl/tokenstore"
	"github.com/stretchr/testify/require"
)

// A PostgreSQL token table of the previous version gains the reauthorize
// column, keeping its rows.
func TestPostgresMigration(t *testing.T) {
	dsn := os.Getenv("ETL_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("set ETL_TEST_POSTGRES_DSN to run the PostgreSQL migration test")
	}
	ctx := context.Background()
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "etl_t_mig_" + hex.EncodeToString(b[:])
	db, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = db.Exec(`DROP SCHEMA IF EXISTS "` + schema + `" CASCADE`)
		db.Close()
	})
	_, err = db.Exec(`CREATE SCHEMA "` + schema + `"`)
	require.NoError(t, err)
	_, err = db.Exec(`CREATE TABLE "` + schema + `".api_token_storage (platform VARCHAR(50) NOT NULL, account VARCHAR(100) NOT NULL DEFAULT '',
		access_token TEXT NOT NULL, refresh_token TEXT, expires_at TIMESTAMPTZ, refresh_expires_at TIMESTAMPTZ, shop_cipher VARCHAR(255),
		version BIGINT NOT NULL DEFAULT 0, locked_until TIMESTAMPTZ, last_updated TIMESTAMPTZ DEFAULT now(), PRIMARY KEY (platform, account))`)
	require.NoError(t, err)
	_, err = db.Exec(`INSERT INTO "` + schema + `".api_token_storage (platform, account, access_token, refresh_token, version) VALUES ('shopee', '1', 'a', 'r', 4)`)
	require.NoError(t, err)
	for i := range 2 { // idempotent
		store, err := tokenstore.NewSQLStore(ctx, db, tokenstore.PostgresDialect(schema))
		require.NoError(t, err)
		tok, err := store.Load(ctx, "shopee", "1")
		require.NoError(t, err)
		require.Equal(t, int64(4+2*i), tok.Version, "the row is kept")
		tok.Reauthorize = "rejected"
		require.NoError(t, store.Save(ctx, tok))
		tok, err = store.Load(ctx, "shopee", "1")
		require.NoError(t, err)
		require.Equal(t, "rejected", tok.Reauthorize)
		tok.Reauthorize = ""
		require.NoError(t, store.Save(ctx, tok))
	}
}
