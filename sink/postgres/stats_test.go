package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// A first load keeps finding a batch's old child rows through the index on
// the parent key: the tables it creates get statistics after the first
// batches (not only when autovacuum comes by), so the planner does not scan
// the whole child table once per batch. The sink analyzes the columns its
// writes join on and leaves the others to autovacuum.
func TestChildReplacementUsesTheParentIndexDuringAFirstLoad(t *testing.T) {
	dsn := os.Getenv("ETL_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("set ETL_TEST_POSTGRES_DSN to run the PostgreSQL integration tests")
	}
	ctx := context.Background()
	var rnd [5]byte
	_, _ = rand.Read(rnd[:])
	p := "etl_t_" + hex.EncodeToString(rnd[:])
	schemas := map[string]string{"staging": p + "_staging", "etl_control": p + "_control"}
	s, err := Open(ctx, Config{DSN: dsn, Schemas: schemas})
	require.NoError(t, err)
	t.Cleanup(func() {
		for _, sc := range schemas {
			_, _ = s.pool.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+q(sc)+" CASCADE")
		}
		s.Close()
	})
	orders := &connector.Table{Schema: "staging", Name: "orders", PrimaryKey: []string{"order_id"}, Columns: []connector.Column{
		{Name: "order_id", Type: connector.String, Length: 40}, {Name: "status", Type: connector.String, Nullable: true}}}
	lines := &connector.Table{Schema: "staging", Name: "lines", PrimaryKey: []string{"order_id", "n"}, Parent: "staging.orders", ParentKey: []string{"order_id"},
		Columns: []connector.Column{{Name: "order_id", Type: connector.String, Length: 40}, {Name: "n", Type: connector.Int}, {Name: "sku", Type: connector.String, Nullable: true}}}
	require.NoError(t, s.Prepare(ctx, []*connector.Table{orders, lines}))
	// Autovacuum stays away, so the statistics below are the sink's alone.
	for _, tb := range []string{"orders", "lines"} {
		_, err := s.pool.Exec(ctx, "ALTER TABLE "+s.qualified("staging", tb)+" SET (autovacuum_enabled = false)")
		require.NoError(t, err)
	}
	batch := func(from, n int) *connector.Batch {
		var o, l [][]any
		for i := from; i < from+n; i++ {
			id := fmt.Sprintf("%012d", i)
			o = append(o, []any{id, "READY"})
			for k := 0; k < 3; k++ {
				l = append(l, []any{id, int64(k), "sku"})
			}
		}
		return &connector.Batch{Pipeline: "p", Stream: "s", Tables: []connector.TableRows{{Table: orders, Rows: o}, {Table: lines, Rows: l}}}
	}
	const perBatch, batches = 1000, 15
	for b := 0; b < batches; b++ {
		require.NoError(t, s.Write(ctx, batch(b*perBatch, perBatch)))
	}
	s.waitStats()
	var tuples float64
	require.NoError(t, s.pool.QueryRow(ctx, `SELECT reltuples FROM pg_class WHERE oid = $1::regclass`, s.qualified("staging", "lines")).Scan(&tuples))
	require.Greater(t, tuples, float64(perBatch*3), "the lines table was analyzed during the load")
	// Only the columns the writes join on: the others are autovacuum's.
	srows, err := s.pool.Query(ctx, `SELECT attname FROM pg_stats WHERE schemaname = $1 AND tablename = 'lines' ORDER BY attname`, schemas["staging"])
	require.NoError(t, err)
	analyzed, err := pgx.CollectRows(srows, pgx.RowTo[string])
	require.NoError(t, err)
	require.Equal(t, []string{"n", "order_id"}, analyzed)

	// The plan of the next batch's child-set replacement, as Write runs it.
	ti, err := s.info(lines)
	require.NoError(t, err)
	pi, err := s.info(orders)
	require.NoError(t, err)
	tx, err := s.pool.Begin(ctx)
	require.NoError(t, err)
	defer tx.Rollback(ctx)
	next := batch(batches*perBatch, 100)
	for i, st := range []*tableInfo{pi, ti} {
		_, err := tx.Exec(ctx, st.create)
		require.NoError(t, err)
		_, err = tx.CopyFrom(ctx, pgx.Identifier{unquote(st.temp)}, st.cols, pgx.CopyFromRows(next.Tables[i].Rows))
		require.NoError(t, err)
	}
	require.NoError(t, analyzeTemps(ctx, tx, []*tableInfo{pi, ti}))
	rows, err := tx.Query(ctx, "EXPLAIN "+childDeleteSQL(lines, ti, pi))
	require.NoError(t, err)
	plan, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	text := strings.Join(plan, "\n")
	require.NotContains(t, text, "Seq Scan on lines", "the child table is not scanned:\n"+text)
	require.Contains(t, text, "Index", text)
}
