package misa_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/misa"
	"github.com/facolos/etl/misa/misatest"
	"github.com/facolos/etl/sink/postgres"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// The MISA tables (156 columns, a self-made parent) on a real PostgreSQL: a
// full load, then an incremental one after the tenant moved on; keys,
// modified dates and amounts equal the simulator's, removed items are gone.
func TestPostgresFullThenIncremental(t *testing.T) {
	sink, schemas := pgSink(t)
	sim := newSim(t, misatest.Options{Customers: 350, SaleOrders: 300, Contacts: 60, Products: 40, ChangeRate: 0.3})
	src := sourceFor(t, sim, nil, connector.HTTPConfig{})
	check := func() {
		exp := expected(sim)
		for _, tb := range misa.Tables() {
			var n int
			require.NoError(t, sink.DB().QueryRow(fmt.Sprintf(`SELECT COUNT(*) FROM %s.%s`, connector.QuoteIdent(schemas["staging"]), connector.QuoteIdent(tb.Name))).Scan(&n))
			require.Equal(t, len(exp[tb.Name]), n, tb.Name)
		}
		rows, err := sink.DB().Query(fmt.Sprintf(`SELECT id, COALESCE(debt::text, 'NULL'), modified_date FROM %s."misa_customers" ORDER BY id`, connector.QuoteIdent(schemas["staging"])))
		require.NoError(t, err)
		defer rows.Close()
		var got []string
		for rows.Next() {
			var id int64
			var debt string
			var mod time.Time
			require.NoError(t, rows.Scan(&id, &debt, &mod))
			if debt != "NULL" {
				debt = connector.MustDec(debt).String()
			}
			got = append(got, fmt.Sprintf("%d|%s|%s", id, debt, mod.UTC().Format(time.RFC3339Nano)))
		}
		var want []string
		for _, r := range sim.Records(misatest.Customers) {
			debt := "NULL"
			if d, ok := r["debt"].(misatest.Money); ok {
				debt = connector.MustDec(string(d)).String()
			}
			want = append(want, fmt.Sprintf("%d|%s|%s", r["id"], debt, time.Time(r["modified_date"].(misatest.Date)).UTC().Format(time.RFC3339Nano)))
		}
		sort.Strings(got)
		sort.Strings(want)
		require.Equal(t, want, got)
	}
	run(t, runner(connector.Full), pipeline(src, sink))
	check()
	ch := sim.Advance(time.Hour)
	require.NotEmpty(t, ch.ItemsRemoved)
	run(t, runner(connector.Incremental), pipeline(src, sink))
	check()
	var stale int
	require.NoError(t, sink.DB().QueryRow(fmt.Sprintf(`SELECT COUNT(*) FROM %s."misa_sale_orders_flattened" WHERE order_id::text = ANY($1) AND total_items_in_order = 0 AND item_id <> 0`,
		connector.QuoteIdent(schemas["staging"])), "{"+strings.Join(ch.ItemsRemoved, ",")+"}").Scan(&stale))
	require.Zero(t, stale)
}

// pgSink opens a PostgreSQL sink in private schemas (dropped at the end),
// or skips the test when ETL_TEST_POSTGRES_DSN is not set.
func pgSink(t testing.TB) (*postgres.Sink, map[string]string) {
	t.Helper()
	dsn := os.Getenv("ETL_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("set ETL_TEST_POSTGRES_DSN to run the PostgreSQL test")
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	p := "etl_misa_" + hex.EncodeToString(b[:])
	schemas := map[string]string{"staging": p + "_staging", "etl_control": p + "_control"}
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), dsn)
		if err != nil {
			return
		}
		defer conn.Close(context.Background())
		for _, s := range schemas {
			_, _ = conn.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+connector.QuoteIdent(s)+" CASCADE")
		}
	})
	sink, err := postgres.Open(context.Background(), postgres.Config{DSN: dsn, Schemas: schemas})
	require.NoError(t, err)
	t.Cleanup(func() { sink.Close() })
	return sink, schemas
}

// testSink is a sink the tests load into and read back.
type testSink interface {
	DB() *sql.DB
	connector.Sink
	connector.CheckpointStore
	tableReader
}

// eachSink runs fn on a fresh SQLite file and on private PostgreSQL schemas
// (when ETL_TEST_POSTGRES_DSN is set).
func eachSink(t *testing.T, fn func(t *testing.T, sink testSink)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, openSink(t, sqlite.Config{})) })
	t.Run("postgres", func(t *testing.T) {
		sink, _ := pgSink(t)
		fn(t, sink)
	})
}
