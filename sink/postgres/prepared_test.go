package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/stretchr/testify/require"
)

// openPrepared opens n sinks (workers) on one pair of fresh schemas.
func openPrepared(t *testing.T, n int) []*Sink {
	dsn := os.Getenv("ETL_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("set ETL_TEST_POSTGRES_DSN to run the PostgreSQL integration tests")
	}
	var rnd [5]byte
	_, _ = rand.Read(rnd[:])
	p := "etl_t_prep_" + hex.EncodeToString(rnd[:])
	schemas := map[string]string{"staging": p + "_staging", "etl_control": p + "_control"}
	var out []*Sink
	for i := 0; i < n; i++ {
		s, err := Open(context.Background(), Config{DSN: dsn, Schemas: schemas})
		require.NoError(t, err)
		out = append(out, s)
	}
	t.Cleanup(func() {
		for _, sc := range schemas {
			_, _ = out[0].pool.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+q(sc)+" CASCADE")
		}
		for _, s := range out {
			s.Close()
		}
	})
	return out
}

func prepTables() (orders, lines *connector.Table) {
	orders = &connector.Table{Schema: "staging", Name: "prep_orders", PrimaryKey: []string{"order_id"}, Columns: []connector.Column{
		{Name: "order_id", Type: connector.String, Length: 40}, {Name: "status", Type: connector.String, Nullable: true}},
		Indexes: []connector.Index{{Name: "ix_prep_orders_status", Columns: []string{"status"}}}}
	lines = &connector.Table{Schema: "staging", Name: "prep_lines", PrimaryKey: []string{"n", "order_id"}, Parent: "staging.prep_orders", ParentKey: []string{"order_id"},
		Columns: []connector.Column{{Name: "order_id", Type: connector.String, Length: 40}, {Name: "n", Type: connector.Int}}}
	return orders, lines
}

// The pipelines of a worker share their tables' definitions: of many that
// prepare them at once, one reads the catalog (once for all the tables)
// and the others wait for it; later pipelines read nothing. A changed
// definition is read (and its column added) again; a table dropped under a
// running worker is made again by the next Prepare after the write that
// found it gone.
func TestPrepareReadsTheCatalogOncePerDefinition(t *testing.T) {
	ctx := context.Background()
	sinks := openPrepared(t, 2)
	first, worker := sinks[0], sinks[1]
	orders, lines := prepTables()
	require.NoError(t, first.Prepare(ctx, []*connector.Table{orders, lines}))

	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = worker.Prepare(ctx, []*connector.Table{orders, lines})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, int64(1), worker.catalogReads.Load(), "pipelines preparing the same tables at once")
	require.NoError(t, worker.Prepare(ctx, []*connector.Table{orders, lines}))
	require.Equal(t, int64(1), worker.catalogReads.Load(), "a later pipeline")

	wider := &connector.Table{Schema: orders.Schema, Name: orders.Name, PrimaryKey: orders.PrimaryKey, Indexes: orders.Indexes,
		Columns: append(append([]connector.Column{}, orders.Columns...), connector.Column{Name: "note", Type: connector.String, Nullable: true})}
	require.NoError(t, worker.Prepare(ctx, []*connector.Table{wider, lines}))
	// A changed definition: read, then read again holding the DDL lock.
	require.Equal(t, int64(3), worker.catalogReads.Load(), "a changed definition")
	var n int
	require.NoError(t, worker.pool.QueryRow(ctx, `SELECT count(*) FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = 'note'`,
		worker.qualified("staging", "prep_orders")).Scan(&n))
	require.Equal(t, 1, n, "the new column is added")

	_, err := first.pool.Exec(ctx, "DROP TABLE "+worker.qualified("staging", "prep_lines"))
	require.NoError(t, err)
	b := &connector.Batch{Pipeline: "p", Stream: "s", Tables: []connector.TableRows{{Table: wider, Rows: [][]any{{"o1", "READY", nil}}},
		{Table: lines, Rows: [][]any{{"o1", int64(1)}}}}}
	require.Error(t, worker.Write(ctx, b), "the table is gone")
	require.NoError(t, worker.Prepare(ctx, []*connector.Table{wider, lines}))
	require.NoError(t, worker.Write(ctx, b), "the next Prepare made the table again")
}

// A worker that found a table missing, then waited for the DDL lock while
// another worker made it, does no DDL: CREATE INDEX IF NOT EXISTS would
// wait for the writes in flight on the table (and queue every later write
// behind it).
func TestPrepareLeavesATableAnotherWorkerMade(t *testing.T) {
	ctx := context.Background()
	sinks := openPrepared(t, 2)
	first, late := sinks[0], sinks[1]
	orders, lines := prepTables()
	require.NoError(t, first.Prepare(ctx, []*connector.Table{orders, lines}))

	// A write in flight on each table.
	tx, err := first.pool.Begin(ctx)
	require.NoError(t, err)
	defer tx.Rollback(ctx)
	for _, tb := range []*connector.Table{orders, lines} {
		_, err = tx.Exec(ctx, "LOCK TABLE "+first.qualified("staging", tb.Name)+" IN ROW EXCLUSIVE MODE")
		require.NoError(t, err)
	}
	// The late worker's DDL step, as after a catalog read that found the
	// tables missing. A lock wait would end at the deadline, failing it.
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	for _, tb := range []*connector.Table{orders, lines} {
		require.NoError(t, late.prepareTable(wctx, tb), tb.Name)
	}
}

// A worker that starts while others record runs checks the run history
// without DDL: ALTER TABLE batch_runs (even ADD COLUMN IF NOT EXISTS of a
// column that is there) would wait for every run row being written and
// hold up every later one.
func TestRunHistoryOfAnotherWorkerTakesNoLock(t *testing.T) {
	ctx := context.Background()
	sinks := openPrepared(t, 2)
	first, late := sinks[0], sinks[1]
	run := func(id string) connector.Run {
		return connector.Run{ID: id, Pipeline: "shopee/1", Platform: "shopee", Account: "1", Stream: "orders", Start: time.Now(), State: connector.RunRunning}
	}
	require.NoError(t, first.StartRun(ctx, run("00000000-0000-4000-8000-000000000001")))
	tx, err := first.pool.Begin(ctx)
	require.NoError(t, err)
	defer tx.Rollback(ctx)
	_, err = tx.Exec(ctx, "LOCK TABLE "+first.control("batch_runs")+" IN ROW EXCLUSIVE MODE")
	require.NoError(t, err)
	// A lock wait would end at the deadline, failing the run's start.
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	require.NoError(t, late.StartRun(wctx, run("00000000-0000-4000-8000-000000000002")))
}

// A leased run's success is marked on its stream's lease in the transaction
// that records it: a worker killed before it gives the lease back leaves
// the stream fresh, so no other worker runs it again in the cycle.
func TestLeasedSuccessIsMarkedWithTheRun(t *testing.T) {
	ctx := context.Background()
	s := openPrepared(t, 1)[0]
	l, err := s.Lease(ctx, "shopee/1", "orders", 0)
	require.NoError(t, err)
	defer l.Release()
	run := connector.Run{ID: "00000000-0000-4000-8000-000000000003", Pipeline: "shopee/1", Platform: "shopee", Account: "1", Stream: "orders",
		Start: time.Now(), State: connector.RunRunning, Leased: true, Mode: connector.Incremental}
	require.NoError(t, s.StartRun(ctx, run))
	state, err := s.InspectLease(ctx, "shopee/1", "orders")
	require.NoError(t, err)
	require.False(t, state.FreshWithin(time.Hour, connector.Incremental), "not fresh while running")
	run.End, run.State = time.Now(), connector.RunSuccess
	require.NoError(t, s.FinishRun(ctx, run))
	state, err = s.InspectLease(ctx, "shopee/1", "orders")
	require.NoError(t, err)
	require.True(t, state.Held, "the lease is still held")
	require.True(t, state.FreshWithin(time.Hour, connector.Incremental), "fresh once the run's success is recorded")
	require.False(t, state.FreshWithin(time.Hour, connector.Full), "an incremental success does not make a full run fresh")
}
