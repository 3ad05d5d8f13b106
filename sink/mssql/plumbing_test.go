package mssql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	mssqldb "github.com/microsoft/go-mssqldb"
)

// recorder is a database/sql driver that records what the sink sends, so
// the orchestration of a batch (temp tables, bulk copy, upserts, deletes,
// checkpoint, commit or rollback) is tested without a server.
type recorder struct {
	mu     sync.Mutex
	log    []string
	calls  []recCall                // every successful exec with its arguments
	params []boundParam             // every parameter of every statement, as the caller bound it
	fail   func(query string) error // injected failures
	// failBulk injects failures into bulk copy and commit: stage is
	// "prepare", "row", "flush" or "commit".
	failBulk func(stage string) error
	// answer, if set, gives the one-column rows of a query (nil: none).
	answer func(query string) []driver.Value
	// answerRows, if set and not nil for a query, gives its rows of any width.
	answerRows func(query string) [][]driver.Value
	// answerArgs is answerRows for answers that depend on the arguments.
	answerArgs func(query string, args []driver.NamedValue) [][]driver.Value
	// bulkRows holds every bulk-copied row as the driver got it.
	bulkRows [][]driver.Value
	// affected, if set, gives the rows affected of an exec (default 1).
	affected func(query string) int64
	// untyped lists the arguments refused as untyped NULLs (checkTyped).
	untyped []string
}

// untypedNull reports whether go-mssqldb (v1.11) would send a bound value as
// an untyped NULL (TDS type 0x1F), which Babelfish rejects ("Data type 0x1F
// is unknown"): a Go nil, a nil pointer, or a driver.Valuer whose Value is
// nil, except the NULL types go-mssqldb types itself (sql.NullString,
// sql.NullTime, …, mssql.NullUniqueIdentifier and its date types).
func untypedNull(v any) bool {
	if v == nil {
		return true
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
		return true
	}
	switch v.(type) {
	case sql.NullString, sql.NullInt64, sql.NullInt32, sql.NullInt16, sql.NullByte, sql.NullFloat64, sql.NullBool, sql.NullTime,
		mssqldb.NullUniqueIdentifier, mssqldb.NullDate, mssqldb.NullDateTime, mssqldb.NullTime:
		return false
	}
	if vr, ok := v.(driver.Valuer); ok {
		val, err := vr.Value()
		return err == nil && val == nil
	}
	return false
}

// checkTyped enforces the typed-NULL rule on one argument: an untyped NULL
// fails the statement with Babelfish's error and is recorded, and every test
// that opened the recorder through register fails at its end.
func (r *recorder) checkTyped(query string, nv *driver.NamedValue) error {
	if !untypedNull(nv.Value) {
		return nil
	}
	what := fmt.Sprintf("argument $%d (%T)", nv.Ordinal, nv.Value)
	if query != "" {
		what += " of " + firstLine(query)
	}
	r.mu.Lock()
	r.untyped = append(r.untyped, what)
	r.mu.Unlock()
	return fmt.Errorf("recorder: untyped NULL as %s: Babelfish rejects it (\"Data type 0x1F is unknown\"); bind sql.NullString, sql.NullTime, …", what)
}

// register registers drv (the recorder or a driver built on it) under a new
// name and makes t fail at its end if any statement bound an untyped NULL,
// even one whose error the code under test swallowed.
func register(t testing.TB, drv driver.Driver, r *recorder) string {
	t.Helper()
	name := fmt.Sprintf("recorder%d", driverSeq.Add(1))
	sql.Register(name, drv)
	t.Cleanup(func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, u := range r.untyped {
			t.Errorf("untyped NULL bound: %s", u)
		}
	})
	return name
}

func (r *recorder) failAt(stage string) error {
	if r.failBulk == nil {
		return nil
	}
	if err := r.failBulk(stage); err != nil {
		r.add("FAILED " + stage)
		return err
	}
	return nil
}

// boundParam is one parameter the sink (or the token store) bound.
type boundParam struct {
	query string
	ord   int
	value any
}

func (r *recorder) bind(query string, args []driver.NamedValue) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, a := range args {
		r.params = append(r.params, boundParam{firstLine(query), a.Ordinal, a.Value})
	}
}

func (r *recorder) bound() []boundParam {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]boundParam(nil), r.params...)
}

type recCall struct {
	query string
	args  []driver.NamedValue
}

func (r *recorder) add(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.log = append(r.log, s)
}

func (r *recorder) entries() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.log...)
}

func (r *recorder) Open(string) (driver.Conn, error) { return &recConn{r}, nil }

type recConn struct{ r *recorder }

func (c *recConn) Prepare(query string) (driver.Stmt, error) {
	if strings.HasPrefix(query, "INSERTBULK") {
		if err := c.r.failAt("prepare"); err != nil {
			return nil, err
		}
		c.r.add("BULK " + query)
	}
	return &recStmt{c.r, query}, nil
}
func (c *recConn) Close() error { return nil }

// CheckNamedValue is where database/sql hands the driver every argument of
// every statement (the sink's, the lease's, the token store's). It keeps the
// value exactly as bound (no driver.Valuer is called), so the recorder sees
// what go-mssqldb would get, and it refuses, as Babelfish does, an argument
// go-mssqldb would send as an untyped NULL (see untypedNull).
func (c *recConn) CheckNamedValue(nv *driver.NamedValue) error { return c.r.checkTyped("", nv) }
func (c *recConn) Begin() (driver.Tx, error)                   { c.r.add("BEGIN"); return &recTx{c.r}, nil }
func (c *recConn) Ping(context.Context) error {
	return nil
}
func (c *recConn) ExecContext(_ context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	c.r.bind(query, args)
	if c.r.fail != nil {
		if err := c.r.fail(query); err != nil {
			c.r.add("FAILED " + firstLine(query))
			return nil, err
		}
	}
	c.r.add(fmt.Sprintf("EXEC %s %d", firstLine(query), len(args)))
	c.r.mu.Lock()
	c.r.calls = append(c.r.calls, recCall{query, args})
	c.r.mu.Unlock()
	if c.r.affected != nil {
		return driver.RowsAffected(c.r.affected(query)), nil
	}
	return driver.RowsAffected(1), nil
}
func (c *recConn) QueryContext(_ context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	c.r.bind(query, args)
	c.r.add("QUERY " + firstLine(query))
	if c.r.answerArgs != nil {
		if rows := c.r.answerArgs(query, args); rows != nil {
			return &recRows{wide: rows}, nil
		}
	}
	if c.r.answerRows != nil {
		if rows := c.r.answerRows(query); rows != nil {
			return &recRows{wide: rows}, nil
		}
	}
	if c.r.answer != nil {
		return &recRows{vals: c.r.answer(query)}, nil
	}
	return &recRows{}, nil
}

type recTx struct{ r *recorder }

func (t *recTx) Commit() error {
	if err := t.r.failAt("commit"); err != nil {
		return err
	}
	t.r.add("COMMIT")
	return nil
}
func (t *recTx) Rollback() error { t.r.add("ROLLBACK"); return nil }

type recStmt struct {
	r     *recorder
	query string
}

// CheckNamedValue of a prepared statement: the rows of a bulk copy are typed
// by the destination's column metadata (a nil is a NULL of the column's
// type), so only the parameters of other prepared statements must be typed.
func (s *recStmt) CheckNamedValue(nv *driver.NamedValue) error {
	if strings.HasPrefix(s.query, "INSERTBULK") {
		return nil
	}
	return s.r.checkTyped(s.query, nv)
}

func (s *recStmt) Close() error  { return nil }
func (s *recStmt) NumInput() int { return -1 }
func (s *recStmt) Exec(args []driver.Value) (driver.Result, error) {
	if len(args) == 0 {
		if err := s.r.failAt("flush"); err != nil {
			return nil, err
		}
		s.r.add("BULK FLUSH")
		return driver.RowsAffected(0), nil
	}
	if err := s.r.failAt("row"); err != nil {
		return nil, err
	}
	s.r.mu.Lock()
	s.r.bulkRows = append(s.r.bulkRows, append([]driver.Value(nil), args...))
	s.r.mu.Unlock()
	vals := make([]string, len(args))
	for i, a := range args {
		vals[i] = fmt.Sprintf("%v", a)
		if tm, ok := a.(time.Time); ok {
			vals[i] = tm.Format(time.RFC3339)
		}
	}
	s.r.add("ROW " + strings.Join(vals, "|"))
	return driver.RowsAffected(1), nil
}
func (s *recStmt) Query([]driver.Value) (driver.Rows, error) { return &recRows{}, nil }

type recRows struct {
	vals []driver.Value
	wide [][]driver.Value // rows of several columns (answerRows)
}

func (r *recRows) Columns() []string {
	if len(r.wide) > 0 {
		return make([]string, len(r.wide[0]))
	}
	return []string{"x"}
}
func (*recRows) Close() error { return nil }
func (r *recRows) Next(dest []driver.Value) error {
	if r.wide != nil {
		if len(r.wide) == 0 {
			return io.EOF
		}
		copy(dest, r.wide[0])
		r.wide = r.wide[1:]
		return nil
	}
	if len(r.vals) == 0 {
		return io.EOF
	}
	dest[0], r.vals = r.vals[0], r.vals[1:]
	return nil
}

func firstLine(q string) string {
	q, _, _ = strings.Cut(q, "\n")
	if len(q) > 60 {
		q = q[:60]
	}
	return q
}

// driverSeq numbers the registered drivers (parallel tests register theirs
// at once).
var driverSeq atomic.Int64

func openRecorded(t *testing.T, r *recorder, cfg Config) *Sink {
	t.Helper()
	db, err := sql.Open(register(t, r, r), "")
	if err != nil {
		t.Fatal(err)
	}
	s, err := OpenDB(context.Background(), db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func plumbingTables() (*connector.Table, *connector.Table) {
	o := &connector.Table{Schema: "staging", Name: "o", PrimaryKey: []string{"id"}, Columns: []connector.Column{
		{Name: "id", Type: connector.String, Length: 20}, {Name: "amount", Type: connector.Decimal, Precision: 18, Scale: 2, Nullable: true},
		{Name: "at", Type: connector.Timestamp, Nullable: true}, {Name: "updated", Type: connector.Timestamp, Nullable: true, Auto: connector.AutoUpdatedAt}}}
	l := &connector.Table{Schema: "staging", Name: "l", PrimaryKey: []string{"id", "n"}, Parent: "staging.o", ParentKey: []string{"id"},
		Columns: []connector.Column{{Name: "id", Type: connector.String, Length: 20}, {Name: "n", Type: connector.Int}}}
	return o, l
}

func TestBatchPlumbing(t *testing.T) {
	r := &recorder{}
	clock := time.Date(2025, 11, 1, 1, 2, 3, 0, time.UTC)
	s := openRecorded(t, r, Config{Now: func() time.Time { return clock }})
	o, l := plumbingTables()
	if err := s.Prepare(context.Background(), []*connector.Table{o, l}); err != nil {
		t.Fatal(err)
	}
	start := len(r.entries())
	at := time.Date(2025, 2, 1, 10, 0, 0, 0, connector.Vietnam)
	b := &connector.Batch{Pipeline: "p", Stream: "s", RunID: "run1",
		Tables: []connector.TableRows{
			{Table: o, Rows: [][]any{{"A", connector.MustDec("1500000.5"), at, nil}, {"B", nil, nil, nil}}},
			{Table: l}, // no lines: A's and B's line sets become empty
		},
		Rejected:   []connector.Rejection{{Key: "Z", Reason: "bad", At: clock}},
		Checkpoint: connector.Checkpoint(`{"w":1}`),
	}
	if err := s.Write(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	oTemp, lTemp := s.tables["staging.o"].temp, s.tables["staging.l"].temp
	exec := func(q string, n int) string { return fmt.Sprintf("EXEC %s %d", firstLine(q), n) }
	want := []string{
		"BEGIN",
		exec(createTempSQL(o, oTemp, connector.TimeUTC), 0),
		"BULK " + mssqldb.CopyIn(oTemp, mssqldb.BulkOptions{Tablock: true}, "id", "amount", "at", "updated"),
		"ROW A|1500000.50|2025-02-01T03:00:00Z|2025-11-01T01:02:03Z", // decimal at the column's scale, instants in UTC
		"ROW B|<nil>|<nil>|2025-11-01T01:02:03Z",
		"BULK FLUSH",
		exec(mergeSQL(o, names{"staging", "o"}, oTemp), 0),
		exec(createTempSQL(l, lTemp, connector.TimeUTC), 0), // staged empty: the parents' line sets become empty
		exec(childDeleteSQL(l, o, names{"staging", "l"}, lTemp, oTemp), 0),
		exec(insertRejectedSQL("etl_control"), 8),
		exec(saveCheckpointSQL("etl_control"), 3),
		exec(dropTempSQL(oTemp), 0),
		exec(dropTempSQL(lTemp), 0),
		"COMMIT",
		"QUERY " + firstLine(tableRowsSQL), // the first batch of o reads its row count (statistics)
	}
	got := r.entries()[start:]
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("statements:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestTransientFailureRetriesTheWholeBatch(t *testing.T) {
	deadlocks := 1
	r := &recorder{}
	r.fail = func(q string) error {
		if strings.HasPrefix(q, "MERGE") && deadlocks > 0 {
			deadlocks--
			return mssqldb.Error{Number: 1205, Message: "deadlock victim"}
		}
		return nil
	}
	s := openRecorded(t, r, Config{})
	o, _ := plumbingTables()
	if err := s.Prepare(context.Background(), []*connector.Table{o}); err != nil {
		t.Fatal(err)
	}
	start := len(r.entries())
	err := s.Write(context.Background(), &connector.Batch{Pipeline: "p", Stream: "s", Tables: []connector.TableRows{{Table: o, Rows: [][]any{{"A", nil, nil, nil}}}}})
	if err != nil {
		t.Fatal(err)
	}
	log := strings.Join(r.entries()[start:], "\n")
	if strings.Count(log, "BEGIN") != 2 || strings.Count(log, "ROLLBACK") != 1 || strings.Count(log, "COMMIT") != 1 || strings.Count(log, "ROW A") != 2 {
		t.Fatalf("want a rolled-back attempt and a whole retried batch, got:\n%s", log)
	}

	// A non-transient error is not retried.
	r.fail = func(q string) error {
		if strings.HasPrefix(q, "MERGE") {
			return mssqldb.Error{Number: 2627, Message: "duplicate key"}
		}
		return nil
	}
	start = len(r.entries())
	err = s.Write(context.Background(), &connector.Batch{Pipeline: "p", Stream: "s", Tables: []connector.TableRows{{Table: o, Rows: [][]any{{"A", nil, nil, nil}}}}})
	var me mssqldb.Error
	if !errors.As(err, &me) || me.Number != 2627 {
		t.Fatalf("err = %v", err)
	}
	if n := strings.Count(strings.Join(r.entries()[start:], "\n"), "BEGIN"); n != 1 {
		t.Fatalf("%d attempts, want 1", n)
	}
}
