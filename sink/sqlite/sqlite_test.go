package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink/sinktest"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/stretchr/testify/require"
)

func open(t testing.TB, cfg sqlite.Config) *sqlite.Sink {
	t.Helper()
	if cfg.Path == "" {
		cfg.Path = filepath.Join(t.TempDir(), "sink.db")
	}
	s, err := sqlite.Open(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func parentTable() *connector.Table {
	return &connector.Table{Schema: "staging", Name: "orders", PrimaryKey: []string{"id"}, Columns: []connector.Column{
		{Name: "id", Type: connector.String, Length: 50},
		{Name: "name", Type: connector.String, Nullable: true},
		{Name: "amount", Type: connector.Decimal, Precision: 18, Scale: 2, Nullable: true},
		{Name: "qty", Type: connector.Int, Nullable: true},
		{Name: "paid", Type: connector.Bool, Nullable: true},
		{Name: "created", Type: connector.Timestamp, Nullable: true},
		{Name: "extra", Type: connector.JSON, Nullable: true},
		{Name: "etl_updated_at", Type: connector.Timestamp, Nullable: true, Auto: connector.AutoUpdatedAt},
	}}
}

func childTable() *connector.Table {
	return &connector.Table{Schema: "staging", Name: "order_lines", PrimaryKey: []string{"id", "line"},
		Parent: "staging.orders", ParentKey: []string{"id"}, Columns: []connector.Column{
			{Name: "id", Type: connector.String, Length: 50},
			{Name: "line", Type: connector.Int},
			{Name: "sku", Type: connector.String, Nullable: true},
		}}
}

func dump(t testing.TB, db *sql.DB, query string) []string {
	t.Helper()
	rows, err := db.Query(query)
	require.NoError(t, err)
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		require.NoError(t, rows.Scan(ptrs...))
		out = append(out, strings.TrimSuffix(fmt.Sprintln(vals...), "\n"))
	}
	require.NoError(t, rows.Err())
	return out
}

func batch(tables ...connector.TableRows) *connector.Batch {
	return &connector.Batch{Pipeline: "p", Stream: "s", RunID: "run", Tables: tables}
}

var t0 = time.Date(2025, 10, 27, 3, 4, 5, 0, time.UTC)

func TestUpsertIdempotentAndChangedOnly(t *testing.T) {
	ctx := context.Background()
	clock := t0
	s := open(t, sqlite.Config{Now: func() time.Time { return clock }})
	p := parentTable()
	require.NoError(t, s.Prepare(ctx, []*connector.Table{p}))
	rows := func() [][]any {
		return [][]any{
			{"A", "Nguyễn Văn A", connector.MustDec("150000"), int64(2), true, t0, connector.RawJSON(`{"k":1}`), nil},
			{"B", "Trần Thị B", connector.MustDec("99.5"), int64(1), false, t0, nil, nil},
		}
	}
	require.NoError(t, s.Write(ctx, batch(connector.TableRows{Table: p, Rows: rows()})))
	first := dump(t, s.DB(), `SELECT * FROM orders ORDER BY id`)
	clock = clock.Add(time.Hour)
	require.NoError(t, s.Write(ctx, batch(connector.TableRows{Table: p, Rows: rows()})))
	require.Equal(t, first, dump(t, s.DB(), `SELECT * FROM orders ORDER BY id`), "same batch twice gives the same table (unchanged rows untouched)")

	changed := rows()
	changed[1][3] = int64(7)
	require.NoError(t, s.Write(ctx, batch(connector.TableRows{Table: p, Rows: changed})))
	got := dump(t, s.DB(), `SELECT id, qty, etl_updated_at FROM orders ORDER BY id`)
	require.Equal(t, []string{"A 2 2025-10-27T03:04:05.000000Z", "B 7 2025-10-27T04:04:05.000000Z"}, got)
}

func TestChildSetReplacement(t *testing.T) {
	ctx := context.Background()
	s := open(t, sqlite.Config{})
	p, c := parentTable(), childTable()
	require.NoError(t, s.Prepare(ctx, []*connector.Table{p, c}))
	order := func(id string) []any { return []any{id, nil, nil, nil, nil, nil, nil, nil} }
	line := func(id string, n int64, sku string) []any { return []any{id, n, sku} }
	require.NoError(t, s.Write(ctx, batch(
		connector.TableRows{Table: p, Rows: [][]any{order("A"), order("B"), order("C")}},
		connector.TableRows{Table: c, Rows: [][]any{line("A", 1, "x"), line("A", 2, "y"), line("A", 3, "z"), line("B", 1, "x"), line("C", 1, "c")}},
	)))
	// A loses line 2, B loses all lines, C is not in the batch and keeps its line.
	require.NoError(t, s.Write(ctx, batch(
		connector.TableRows{Table: p, Rows: [][]any{order("A"), order("B")}},
		connector.TableRows{Table: c, Rows: [][]any{line("A", 1, "x"), line("A", 3, "z2")}},
	)))
	require.Equal(t, []string{"A 1 x", "A 3 z2", "C 1 c"}, dump(t, s.DB(), `SELECT * FROM order_lines ORDER BY id, line`))
}

func TestSchemaEvolution(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "evolve.db")
	s := open(t, sqlite.Config{Path: path})
	v1 := &connector.Table{Schema: "staging", Name: "things", PrimaryKey: []string{"id"}, Columns: []connector.Column{
		{Name: "id", Type: connector.Int}, {Name: "a", Type: connector.String, Nullable: true}}}
	require.NoError(t, s.Prepare(ctx, []*connector.Table{v1}))
	require.NoError(t, s.Write(ctx, batch(connector.TableRows{Table: v1, Rows: [][]any{{int64(1), "old"}}})))
	require.NoError(t, s.Close())

	s2 := open(t, sqlite.Config{Path: path})
	v2 := &connector.Table{Schema: "staging", Name: "things", PrimaryKey: []string{"id"}, Columns: []connector.Column{
		{Name: "id", Type: connector.Int}, {Name: "a", Type: connector.String, Nullable: true},
		{Name: "b", Type: connector.Decimal, Precision: 10, Scale: 2, Nullable: true}}}
	require.NoError(t, s2.Prepare(ctx, []*connector.Table{v2}))
	require.NoError(t, s2.Prepare(ctx, []*connector.Table{v2}), "prepare is idempotent")
	require.NoError(t, s2.Write(ctx, batch(connector.TableRows{Table: v2, Rows: [][]any{{int64(2), "new", connector.MustDec("1.5")}}})))
	require.Equal(t, []string{"1 old <nil>", "2 new 1.5"}, dump(t, s2.DB(), `SELECT * FROM things ORDER BY id`))
}

func TestValuesRoundTrip(t *testing.T) {
	ctx := context.Background()
	for _, basis := range []connector.TimeBasis{connector.TimeUTC, connector.TimeVietnam} {
		s := open(t, sqlite.Config{TimeBasis: basis})
		p := parentTable()
		require.NoError(t, s.Prepare(ctx, []*connector.Table{p}))
		name := "Đặng Thị Ánh Tuyết — 📦🇻🇳 Hà Nội"
		big := connector.MustDec("999999999999999.99")
		ts := time.Date(2025, 1, 31, 20, 30, 0, 0, time.UTC)
		require.NoError(t, s.Write(ctx, batch(connector.TableRows{Table: p, Rows: [][]any{
			{"V", name, big, int64(-9223372036854775808), true, ts, connector.RawJSON(`{"tỉnh":"Cần Thơ"}`), nil},
			{"N", nil, nil, nil, nil, nil, nil, nil},
		}})))
		var gotName, gotAmount, gotTS, gotJSON string
		var gotQty int64
		var paid bool
		require.NoError(t, s.DB().QueryRow(`SELECT name, amount, qty, paid, created, extra FROM orders WHERE id='V'`).Scan(&gotName, &gotAmount, &gotQty, &paid, &gotTS, &gotJSON))
		require.Equal(t, name, gotName)
		require.Equal(t, "999999999999999.99", gotAmount, "decimals exact")
		require.EqualValues(t, -9223372036854775808, gotQty)
		require.True(t, paid)
		require.Equal(t, `{"tỉnh":"Cần Thơ"}`, gotJSON)
		if basis == connector.TimeUTC {
			require.Equal(t, "2025-01-31T20:30:00.000000Z", gotTS)
		} else {
			require.Equal(t, "2025-02-01 03:30:00.000000", gotTS, "Vietnam wall clock")
		}
		var nulls int
		require.NoError(t, s.DB().QueryRow(`SELECT count(*) FROM orders WHERE id='N' AND name IS NULL AND amount IS NULL AND qty IS NULL AND paid IS NULL AND created IS NULL AND extra IS NULL`).Scan(&nulls))
		require.Equal(t, 1, nulls)
	}
}

func TestCheckpointAtomicWithData(t *testing.T) {
	ctx := context.Background()
	s := open(t, sqlite.Config{})
	p := parentTable()
	require.NoError(t, s.Prepare(ctx, []*connector.Table{p}))
	row := func(id string) []any { return []any{id, "x", nil, nil, nil, nil, nil, nil} }
	b := batch(connector.TableRows{Table: p, Rows: [][]any{row("A")}})
	b.Checkpoint = connector.Checkpoint(`{"n":1}`)
	require.NoError(t, s.Write(ctx, b))

	// The database fails the checkpoint write, after the data statements of
	// the same transaction ran.
	_, err := s.DB().Exec(`CREATE TRIGGER fail_cp BEFORE UPDATE ON etl_control_checkpoints BEGIN SELECT RAISE(ABORT, 'disk on fire'); END`)
	require.NoError(t, err)
	b = batch(connector.TableRows{Table: p, Rows: [][]any{row("B"), row("C")}})
	b.Rejected = []connector.Rejection{{Key: "Z", Reason: "bad", At: t0}}
	b.Checkpoint = connector.Checkpoint(`{"n":2}`)
	err = s.Write(ctx, b)
	require.ErrorContains(t, err, "disk on fire")

	require.Equal(t, []string{"A"}, dump(t, s.DB(), `SELECT id FROM orders`), "no data of the failed batch")
	require.Empty(t, dump(t, s.DB(), `SELECT record_key FROM etl_control_rejected_records`))
	cp, err := s.LoadCheckpoint(ctx, "p", "s")
	require.NoError(t, err)
	require.JSONEq(t, `{"n":1}`, string(cp))
}

func TestTableNames(t *testing.T) {
	require.Equal(t, "shopee_orders", sqlite.TableName("staging", "shopee_orders"))
	require.Equal(t, "etl_control_checkpoints", sqlite.TableName("etl_control", "checkpoints"))
}

// BenchmarkUpsert writes 1000-row batches (half new, half changed rows) of a
// 20-column table through the sink.
func BenchmarkUpsert(b *testing.B) { benchmarkUpsert(b, "") }

// BenchmarkUpsertVersioned is BenchmarkUpsert with a version column (every
// changed row newer than the stored one): the cost of finding stale rows.
func BenchmarkUpsertVersioned(b *testing.B) { benchmarkUpsert(b, "c03") }

func benchmarkUpsert(b *testing.B, version string) {
	ctx := context.Background()
	s := open(b, sqlite.Config{})
	t := sinktest.WideTable()
	t.Version = version
	require.NoError(b, s.Prepare(ctx, []*connector.Table{t}))
	batches := make([][][]any, b.N)
	for i := range batches {
		batches[i] = sinktest.WideRows(1000, i*500, i)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rows := batches[i]
		require.NoError(b, s.Write(ctx, batch(connector.TableRows{Table: t, Rows: rows})))
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkUpsertNaive is the old system's way: one INSERT ... ON CONFLICT
// statement per row, each in its own transaction (autocommit).
func BenchmarkUpsertNaive(b *testing.B) {
	ctx := context.Background()
	s := open(b, sqlite.Config{})
	t := sinktest.WideTable()
	require.NoError(b, s.Prepare(ctx, []*connector.Table{t}))
	var cols, ph, sets []string
	for _, c := range t.Columns {
		cols = append(cols, c.Name)
		ph = append(ph, "?")
		if c.Name != "id" {
			sets = append(sets, c.Name+"=excluded."+c.Name)
		}
	}
	q := "INSERT INTO bench_wide (" + strings.Join(cols, ",") + ") VALUES (" + strings.Join(ph, ",") + ") ON CONFLICT(id) DO UPDATE SET " + strings.Join(sets, ",")
	batches := make([][][]any, b.N)
	for i := range batches {
		batches[i] = sinktest.WideRows(1000, i*500, i)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, row := range batches[i] {
			args := make([]any, len(row))
			for c, v := range row {
				switch x := v.(type) {
				case connector.Dec:
					args[c] = x.Fixed(4)
				case time.Time:
					args[c] = x.UTC().Format("2006-01-02T15:04:05.000000Z")
				default:
					args[c] = v
				}
			}
			if _, err := s.DB().ExecContext(ctx, q, args...); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "rows/s")
}

// A table made by hand without a primary key (or with another one) is
// refused by Prepare before any DDL: no upsert could find its rows by the
// definition's key.
func TestPrepareRefusesATableWithoutThePrimaryKey(t *testing.T) {
	s := open(t, sqlite.Config{})
	ctx := context.Background()
	_, err := s.DB().ExecContext(ctx, `CREATE TABLE orders (id TEXT, name TEXT)`)
	require.NoError(t, err)
	err = s.Prepare(ctx, []*connector.Table{parentTable()})
	require.ErrorIs(t, err, connector.ErrKeyChanged)
	require.ErrorContains(t, err, "table orders has no primary key, the definition of staging.orders wants (id)")
	require.Equal(t, []string{"id|name"}, dump(t, s.DB(), `SELECT group_concat(name, '|') FROM pragma_table_info('orders')`), "no column added")
}

// An index declared after its table was created is created by the next
// Prepare, though every column is already there.
func TestPrepareCreatesAnIndexDeclaredLater(t *testing.T) {
	s := open(t, sqlite.Config{})
	ctx := context.Background()
	tb := parentTable()
	require.NoError(t, s.Prepare(ctx, []*connector.Table{tb}))
	later := parentTable()
	later.Indexes = []connector.Index{{Name: "IX_orders_qty", Columns: []string{"qty"}}}
	require.NoError(t, s.Prepare(ctx, []*connector.Table{later}))
	require.Equal(t, []string{"orders"}, dump(t, s.DB(), `SELECT tbl_name FROM sqlite_master WHERE type = 'index' AND name = 'IX_orders_qty'`))
}

// A table migrated to another key while the sink stays open (the old one
// set aside, the new one created by Prepare) is written through temp tables
// of the new key's shape: child sets and versions work at once.
func TestWriteAfterTheKeyChangedInProcess(t *testing.T) {
	s := open(t, sqlite.Config{})
	ctx := context.Background()
	def := func(tenant bool) (*connector.Table, *connector.Table) {
		o := &connector.Table{Schema: "staging", Name: "vo", PrimaryKey: []string{"id"}, Version: "v", Columns: []connector.Column{
			{Name: "id", Type: connector.Int}, {Name: "v", Type: connector.Int, Nullable: true}}}
		l := &connector.Table{Schema: "staging", Name: "vl", PrimaryKey: []string{"id", "n"}, Parent: "staging.vo", ParentKey: []string{"id"},
			Columns: []connector.Column{{Name: "id", Type: connector.Int}, {Name: "n", Type: connector.Int}}}
		if tenant {
			for _, tb := range []*connector.Table{o, l} {
				tb.Columns = append(tb.Columns, connector.Column{Name: "tenant", Type: connector.String, Length: 20})
				tb.PrimaryKey = append([]string{"tenant"}, tb.PrimaryKey...)
			}
			l.ParentKey = []string{"tenant", "id"}
		}
		return o, l
	}
	o, l := def(false)
	require.NoError(t, s.Prepare(ctx, []*connector.Table{o, l}))
	require.NoError(t, s.Write(ctx, &connector.Batch{Pipeline: "p", Stream: "s", RunID: "r1", Tables: []connector.TableRows{
		{Table: o, Rows: [][]any{{int64(1), int64(1)}}}, {Table: l, Rows: [][]any{{int64(1), int64(1)}}}}}))

	_, err := s.DB().ExecContext(ctx, `ALTER TABLE vo RENAME TO vo_v0; ALTER TABLE vl RENAME TO vl_v0`)
	require.NoError(t, err)
	o, l = def(true)
	require.NoError(t, s.Prepare(ctx, []*connector.Table{o, l}))
	for _, tenant := range []string{"a", "b"} {
		require.NoError(t, s.Write(ctx, &connector.Batch{Pipeline: "p", Stream: "s", RunID: "r2", Tables: []connector.TableRows{
			{Table: o, Rows: [][]any{{int64(1), int64(2), tenant}}}, {Table: l, Rows: [][]any{{int64(1), int64(2), tenant}}}}}))
	}
	require.Equal(t, []string{"1 2 a", "1 2 b"}, dump(t, s.DB(), `SELECT id, n, tenant FROM vl ORDER BY tenant`))
}
