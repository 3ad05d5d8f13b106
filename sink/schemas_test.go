package sink_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink"
	"github.com/facolos/etl/tokenstore"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

func TestPostgresSchemasSettings(t *testing.T) {
	dsn, m, err := sink.PostgresSchemas("postgres://u:p%40ss@db:5432/wh?sslmode=disable&schema_staging=raw&schema_control=ops")
	require.NoError(t, err)
	require.Equal(t, map[string]string{"staging": "raw", "etl_control": "ops"}, m)
	require.Equal(t, "postgres://u:p%40ss@db:5432/wh?sslmode=disable", dsn, "the settings never reach the driver")
	require.Equal(t, "ops", sink.ControlSchema(m))
	require.Equal(t, "etl_control", sink.ControlSchema(nil))

	dsn, m, err = sink.PostgresSchemas("postgres://u:p@db/wh?sslmode=disable")
	require.NoError(t, err)
	require.Nil(t, m)
	require.Equal(t, "postgres://u:p@db/wh?sslmode=disable", dsn, "unchanged without schema settings")

	for _, bad := range []string{"schema_stagin=x", "schema_staging=", "schema_control=a&schema_control=b",
		"schema_control=" + string(make([]byte, 64))} {
		_, _, err := sink.PostgresSchemas("postgres://u:s3cret@db/wh?" + bad)
		require.Error(t, err, bad)
		require.Contains(t, err.Error(), "schema_", bad)
		require.NotContains(t, err.Error(), "s3cret")
	}
}

// The schemas named in the URL hold the data tables, the control tables and
// the token table; the URL reaches the server without them.
func TestOpenPostgresSchemasFromURL(t *testing.T) {
	dsn := os.Getenv("ETL_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("ETL_TEST_POSTGRES_DSN not set")
	}
	ctx := context.Background()
	var b [6]byte
	_, _ = rand.Read(b[:])
	p := "etl_t_" + hex.EncodeToString(b[:])
	staging, control := p+"_raw", p+"_ops"
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer conn.Close(ctx)
	t.Cleanup(func() {
		for _, s := range []string{staging, control} {
			_, _ = conn.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+connector.QuoteIdent(s)+" CASCADE")
		}
	})
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	w, err := sink.Open(ctx, dsn+sep+"schema_staging="+staging+"&schema_control="+control, connector.TimeUTC)
	require.NoError(t, err)
	defer w.Close()
	table := &connector.Table{Schema: "staging", Name: "schema_probe", PrimaryKey: []string{"id"}, Columns: []connector.Column{{Name: "id", Type: connector.Int}}}
	require.NoError(t, w.Sink.Prepare(ctx, []*connector.Table{table}))
	store, err := w.TokenStore(ctx)
	require.NoError(t, err)
	require.NoError(t, store.Save(ctx, tokenstore.Token{Platform: "shopee", Account: "1", AccessToken: "a"}))
	cp, ok := w.Sink.(connector.CheckpointStore)
	require.True(t, ok)
	require.NoError(t, cp.SaveCheckpoint(ctx, "shopee/1", "orders", connector.Checkpoint(`{"watermark":1}`)))

	tables := func(schema string) map[string]bool {
		rows, err := conn.Query(ctx, "SELECT table_name FROM information_schema.tables WHERE table_schema = $1", schema)
		require.NoError(t, err)
		names, err := pgx.CollectRows(rows, pgx.RowTo[string])
		require.NoError(t, err)
		out := map[string]bool{}
		for _, n := range names {
			out[n] = true
		}
		return out
	}
	require.True(t, tables(staging)["schema_probe"], "data tables in schema_staging")
	ops := tables(control)
	require.True(t, ops["api_token_storage"], "token table in schema_control: %v", ops)
	require.True(t, ops["checkpoints"], "control tables in schema_control: %v", ops)
	require.True(t, ops["settings"], "the time basis is recorded in schema_control: %v", ops)
	require.False(t, tables(control)["schema_probe"])
	var n int
	require.NoError(t, conn.QueryRow(ctx, "SELECT count(*) FROM "+connector.QuoteIdent(control)+".api_token_storage").Scan(&n))
	require.Equal(t, 1, n)
}
