// Package sinktest is a conformance suite for connector.Sink implementations,
// in the spirit of testing/fstest.TestFS: Run checks idempotent upserts,
// changed-rows-only updates, child-set replacement, versioned upserts (an
// older version never replaces a newer one; child sets follow their
// parent; stale rows are counted), schema evolution, a table whose primary
// key changed refused by Prepare (connector.ErrKeyChanged), exact
// decimals, UTC timestamps, NULLs, Vietnamese text and emoji, 1 MB values,
// views built from parts (connector.ViewSink), checkpoint atomicity, concurrent writers, lease exclusivity, fenced
// writes (a writer that lost its lease to a takeover stores nothing) and a
// corpus of hostile values run through a connector.Runner (see HostileCorpus).
package sinktest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
)

// Sink is what the suite tests: a sink that stores checkpoints and can read a
// table back.
type Sink interface {
	connector.Sink
	connector.CheckpointStore
	// ReadTable returns every row of t ordered by primary key, with the
	// value types of connector (string, int64, connector.Dec, bool,
	// time.Time in UTC, connector.RawJSON, nil).
	ReadTable(ctx context.Context, t *connector.Table) ([][]any, error)
	// ReadRejected returns the quarantined records of (pipeline, stream)
	// in the order they were stored, payloads decoded to their bytes.
	ReadRejected(ctx context.Context, pipeline, stream string) ([]connector.Rejection, error)
}

// Config is what the suite asks of a new sink.
type Config struct {
	// BeforeCommit must be installed as the sink's hook that runs inside
	// the write transaction after every statement and before COMMIT.
	BeforeCommit func(ctx context.Context, b *connector.Batch) error
	// SameAs, when not nil, asks for a second sink on the same warehouse
	// (file, schemas, database) as that one: another worker.
	SameAs Sink
	// Now, when not nil, must be installed as the sink's clock of Auto
	// columns (lease expiries are the database's: see LeaseExpirer).
	Now func() time.Time
	// LeaseTTL, when not zero, must be installed as the sink's lease TTL.
	LeaseTTL time.Duration
}

// NewSink returns a fresh, empty, isolated sink (its own file, schema or
// database) and arranges its cleanup with t.Cleanup.
type NewSink func(t *testing.T, cfg Config) Sink

// Run runs the suite.
func Run(t *testing.T, newSink NewSink) {
	tests := []struct {
		name string
		f    func(t *testing.T, newSink NewSink)
	}{
		{"IdempotentUpsert", testIdempotent},
		{"ChangedRowsOnly", testChangedOnly},
		{"ChildSetReplacement", testChildren},
		{"SelfParentChildSet", testSelfParent},
		{"SchemaEvolution", testEvolution},
		{"Values", testValues},
		{"LargeText", testLargeText},
		{"AtomicCheckpoint", testAtomic},
		{"Checkpoints", testCheckpoints},
		{"ConcurrentWriters", testConcurrent},
		{"Lease", testLease},
		{"SuccessMarks", testSuccessMarks},
		{"FencedWrites", testFencing},
		{"Hostile", testHostile},
		{"UUID", testUUID},
		{"Versioned", testVersioned},
		{"NotNull", testNotNull},
		{"KeyChanged", testKeyChanged},
		{"Views", testViews},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.f(t, newSink) })
	}
}

func orders() *connector.Table {
	return &connector.Table{Schema: "staging", Name: "st_orders", PrimaryKey: []string{"id"}, Columns: []connector.Column{
		{Name: "id", Type: connector.String, Length: 50},
		{Name: "name", Type: connector.String, Nullable: true},
		{Name: "amount", Type: connector.Decimal, Precision: 18, Scale: 2, Nullable: true},
		{Name: "qty", Type: connector.Int, Nullable: true},
		{Name: "paid", Type: connector.Bool, Nullable: true},
		{Name: "at", Type: connector.Timestamp, Nullable: true},
		{Name: "doc", Type: connector.JSON, Nullable: true},
		{Name: "request_id", Type: connector.String, Length: 100, Nullable: true, Meta: true},
		{Name: "etl_created_at", Type: connector.Timestamp, Nullable: true, Auto: connector.AutoCreatedAt},
		{Name: "etl_updated_at", Type: connector.Timestamp, Nullable: true, Auto: connector.AutoUpdatedAt},
		{Name: "etl_batch_id", Type: connector.String, Length: 50, Nullable: true, Auto: connector.AutoRunID},
	}}
}

func lines() *connector.Table {
	return &connector.Table{Schema: "staging", Name: "st_lines", PrimaryKey: []string{"id", "line"},
		Parent: "staging.st_orders", ParentKey: []string{"id"}, Columns: []connector.Column{
			{Name: "id", Type: connector.String, Length: 50},
			{Name: "line", Type: connector.Int},
			{Name: "sku", Type: connector.String, Length: 100, Nullable: true},
		}}
}

var t0 = time.Date(2025, 10, 27, 3, 4, 5, 123456000, time.UTC)

func order(id string, qty int64) []any {
	return []any{id, "Khách " + id, connector.MustDec("150000.5"), qty, qty%2 == 0, t0, connector.RawJSON(`{"k":"v"}`), "req-" + id, nil, nil, nil}
}

func line(id string, n int64, sku string) []any { return []any{id, n, sku} }

// clone copies rows (sinks fill Auto columns in place).
func clone(rows [][]any) [][]any {
	out := make([][]any, len(rows))
	for i, r := range rows {
		out[i] = append([]any(nil), r...)
	}
	return out
}

func write(t *testing.T, s Sink, b *connector.Batch) {
	t.Helper()
	for i := range b.Tables {
		b.Tables[i].Rows = clone(b.Tables[i].Rows)
	}
	if err := s.Write(context.Background(), b); err != nil {
		t.Fatalf("Write: %v", err)
	}
}

func batch(run string, tables ...connector.TableRows) *connector.Batch {
	return &connector.Batch{Pipeline: "p", Stream: "s", RunID: run, Tables: tables}
}

func prepare(t *testing.T, s Sink, tables ...*connector.Table) {
	t.Helper()
	if err := s.Prepare(context.Background(), tables); err != nil {
		t.Fatalf("Prepare: %v", err)
	}
}

func read(t *testing.T, s Sink, tb *connector.Table) [][]any {
	t.Helper()
	rows, err := s.ReadTable(context.Background(), tb)
	if err != nil {
		t.Fatalf("ReadTable %s: %v", tb.FullName(), err)
	}
	return rows
}

// business drops the Auto columns of rows.
func business(tb *connector.Table, rows [][]any) [][]any {
	var out [][]any
	for _, r := range rows {
		var b []any
		for i, c := range tb.Columns {
			if c.Auto == connector.AutoNone {
				b = append(b, normalize(r[i]))
			}
		}
		out = append(out, b)
	}
	return out
}

// normalize makes values comparable across databases.
func normalize(v any) any {
	switch x := v.(type) {
	case connector.RawJSON:
		var j any
		if json.Unmarshal([]byte(x), &j) == nil {
			return j
		}
	case time.Time:
		return x.UTC()
	}
	return v
}

func equal(t *testing.T, want, got [][]any, msg string) {
	t.Helper()
	if !reflect.DeepEqual(want, got) {
		t.Fatalf("%s:\nwant %v\n got %v", msg, want, got)
	}
}

func col(tb *connector.Table, rows [][]any, name string) []any {
	i := tb.ColumnIndex(name)
	out := make([]any, len(rows))
	for r := range rows {
		out[r] = rows[r][i]
	}
	return out
}

func testIdempotent(t *testing.T, newSink NewSink) {
	s := newSink(t, Config{})
	o := orders()
	prepare(t, s, o)
	rows := [][]any{order("A", 1), order("B", 2), order("C", 3)}
	write(t, s, batch("r1", connector.TableRows{Table: o, Rows: rows}))
	first := read(t, s, o)
	if len(first) != 3 {
		t.Fatalf("want 3 rows, got %d", len(first))
	}
	write(t, s, batch("r2", connector.TableRows{Table: o, Rows: rows}))
	equal(t, first, read(t, s, o), "the same batch twice gives the same table")
	prepare(t, s, o)
	equal(t, first, read(t, s, o), "Prepare again keeps the data")
}

func testChangedOnly(t *testing.T, newSink NewSink) {
	s := newSink(t, Config{})
	o := orders()
	prepare(t, s, o)
	write(t, s, batch("r1", connector.TableRows{Table: o, Rows: [][]any{order("A", 1), order("B", 2)}}))
	before := read(t, s, o)
	time.Sleep(20 * time.Millisecond)
	b, meta := order("B", 7), order("A", 1)
	meta[7] = "another request id" // a Meta column alone is no change
	write(t, s, batch("r2", connector.TableRows{Table: o, Rows: [][]any{meta, b}}))
	after := read(t, s, o)
	for _, c := range []string{"etl_created_at", "etl_updated_at", "etl_batch_id"} {
		if !reflect.DeepEqual(col(o, before, c)[0], col(o, after, c)[0]) {
			t.Fatalf("unchanged row A: %s changed from %v to %v", c, col(o, before, c)[0], col(o, after, c)[0])
		}
	}
	if got := col(o, after, "qty")[1]; got != int64(7) {
		t.Fatalf("changed row B: qty = %v, want 7", got)
	}
	if got := col(o, after, "etl_batch_id")[1]; got != "r2" {
		t.Fatalf("changed row B: etl_batch_id = %v, want r2", got)
	}
	bu, ba := col(o, before, "etl_updated_at")[1].(time.Time), col(o, after, "etl_updated_at")[1].(time.Time)
	if !ba.After(bu) {
		t.Fatalf("changed row B: etl_updated_at %v not after %v", ba, bu)
	}
	if !reflect.DeepEqual(col(o, before, "etl_created_at")[1], col(o, after, "etl_created_at")[1]) {
		t.Fatal("changed row B: etl_created_at must keep the first insert time")
	}
}

func testChildren(t *testing.T, newSink NewSink) {
	s := newSink(t, Config{})
	o, l := orders(), lines()
	prepare(t, s, o, l)
	write(t, s, batch("r1",
		connector.TableRows{Table: o, Rows: [][]any{order("A", 1), order("B", 1), order("C", 1)}},
		connector.TableRows{Table: l, Rows: [][]any{line("A", 1, "x"), line("A", 2, "y"), line("A", 3, "z"), line("B", 1, "x"), line("C", 1, "c")}},
	))
	// A loses line 2 and changes line 3, B loses every line, C is not in the
	// batch and keeps its line.
	write(t, s, batch("r2",
		connector.TableRows{Table: o, Rows: [][]any{order("A", 1), order("B", 1)}},
		connector.TableRows{Table: l, Rows: [][]any{line("A", 1, "x"), line("A", 3, "z2")}},
	))
	equal(t, [][]any{{"A", int64(1), "x"}, {"A", int64(3), "z2"}, {"C", int64(1), "c"}}, read(t, s, l), "child sets replaced per parent")
}

func testEvolution(t *testing.T, newSink NewSink) {
	s := newSink(t, Config{})
	v1 := &connector.Table{Schema: "staging", Name: "st_things", PrimaryKey: []string{"id"}, Columns: []connector.Column{
		{Name: "id", Type: connector.Int}, {Name: "a", Type: connector.String, Length: 20, Nullable: true}}}
	prepare(t, s, v1)
	write(t, s, batch("r1", connector.TableRows{Table: v1, Rows: [][]any{{int64(1), "old"}}}))
	v2 := &connector.Table{Schema: "staging", Name: "st_things", PrimaryKey: []string{"id"}, Columns: []connector.Column{
		{Name: "id", Type: connector.Int}, {Name: "a", Type: connector.String, Length: 20, Nullable: true},
		{Name: "b", Type: connector.Decimal, Precision: 10, Scale: 2, Nullable: true},
		{Name: "c", Type: connector.Timestamp, Nullable: true}}}
	prepare(t, s, v2)
	prepare(t, s, v2)
	write(t, s, batch("r2", connector.TableRows{Table: v2, Rows: [][]any{{int64(2), "new", connector.MustDec("1.5"), t0}}}))
	equal(t, [][]any{{int64(1), "old", nil, nil}, {int64(2), "new", connector.MustDec("1.5"), t0}}, read(t, s, v2), "old rows kept, new column added")
}

func testValues(t *testing.T, newSink NewSink) {
	s := newSink(t, Config{})
	o := orders()
	prepare(t, s, o)
	vn := time.FixedZone("ICT", 7*3600)
	rows := [][]any{
		{"big", "Đặng Thị Ánh Tuyết — 📦🇻🇳 Hà Nội, Cần Thơ", connector.MustDec("9999999999999999.99"), int64(-9223372036854775808), true,
			time.Date(2025, 2, 1, 3, 30, 0, 0, vn), connector.RawJSON(`{"tỉnh":"Thừa Thiên Huế","n":[1,2]}`), "x", nil, nil, nil},
		{"e15", "", connector.MustDec("1000000000000000"), int64(9223372036854775807), false, t0, connector.RawJSON(`[]`), nil, nil, nil, nil},
		{"neg", "ưỡ", connector.MustDec("-0.01"), int64(0), false, t0, connector.RawJSON(`"s"`), nil, nil, nil, nil},
		{"nulls", nil, nil, nil, nil, nil, nil, nil, nil, nil, nil},
	}
	write(t, s, batch("r1", connector.TableRows{Table: o, Rows: rows}))
	got := business(o, read(t, s, o))
	want := business(o, rows)
	// ReadTable orders by key: big, e15, neg, nulls.
	equal(t, want, got, "values round-trip exactly (decimals, 64-bit ints, text, instants in UTC, JSON, NULLs)")
	at := got[0][5].(time.Time)
	if at.Location() != time.UTC || !at.Equal(time.Date(2025, 1, 31, 20, 30, 0, 0, time.UTC)) {
		t.Fatalf("timestamps are instants read back in UTC: got %v", at)
	}
}

func testLargeText(t *testing.T, newSink NewSink) {
	s := newSink(t, Config{})
	o := orders()
	prepare(t, s, o)
	big := strings.Repeat("Nguyễn Văn A 🚚 ", 1<<20/len("Nguyễn Văn A 🚚 ")+1)[:1<<20]
	for !json.Valid([]byte(`"` + big + `"`)) { // do not cut a rune in half
		big = big[:len(big)-1]
	}
	r := order("L", 1)
	r[1] = big
	write(t, s, batch("r1", connector.TableRows{Table: o, Rows: [][]any{r}}))
	got := read(t, s, o)
	if got[0][1] != big {
		t.Fatalf("1 MB text value: got %d bytes, want %d", len(got[0][1].(string)), len(big))
	}
}

func testAtomic(t *testing.T, newSink NewSink) {
	var fail bool
	s := newSink(t, Config{BeforeCommit: func(ctx context.Context, b *connector.Batch) error {
		if fail {
			return errors.New("injected failure before commit")
		}
		return nil
	}})
	ctx := context.Background()
	o, l := orders(), lines()
	prepare(t, s, o, l)
	b := batch("r1", connector.TableRows{Table: o, Rows: [][]any{order("A", 1)}}, connector.TableRows{Table: l, Rows: [][]any{line("A", 1, "a")}})
	b.Checkpoint = connector.Checkpoint(`{"n":1}`)
	write(t, s, b)
	before, beforeLines := read(t, s, o), read(t, s, l)

	fail = true
	b = batch("r2",
		connector.TableRows{Table: o, Rows: [][]any{order("A", 9), order("B", 2)}},
		connector.TableRows{Table: l, Rows: [][]any{line("B", 1, "b")}})
	b.Rejected = []connector.Rejection{{Key: "Z", Reason: "bad", Payload: json.RawMessage(`{}`), At: t0}}
	b.Checkpoint = connector.Checkpoint(`{"n":2}`)
	if err := s.Write(ctx, b); err == nil || !strings.Contains(err.Error(), "injected failure") {
		t.Fatalf("Write with a failure before commit: err = %v", err)
	}
	equal(t, before, read(t, s, o), "no data of the failed batch")
	equal(t, beforeLines, read(t, s, l), "no child change of the failed batch")
	cp, err := s.LoadCheckpoint(ctx, "p", "s")
	if err != nil || string(cp) != `{"n":1}` && !jsonEqual(cp, `{"n":1}`) {
		t.Fatalf("checkpoint after the failed batch = %s, %v; want the previous one", cp, err)
	}

	fail = false
	write(t, s, b)
	cp, _ = s.LoadCheckpoint(ctx, "p", "s")
	if !jsonEqual(cp, `{"n":2}`) {
		t.Fatalf("checkpoint after the retried batch = %s", cp)
	}
	if n := len(read(t, s, o)); n != 2 {
		t.Fatalf("after the retried batch: %d orders, want 2", n)
	}
}

func jsonEqual(a connector.Checkpoint, b string) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal([]byte(b), &y) == nil && reflect.DeepEqual(x, y)
}

func testCheckpoints(t *testing.T, newSink NewSink) {
	s := newSink(t, Config{})
	ctx := context.Background()
	cp, err := s.LoadCheckpoint(ctx, "nope", "none")
	if err != nil || cp != nil {
		t.Fatalf("missing checkpoint: %s, %v; want nil, nil", cp, err)
	}
	if err := s.SaveCheckpoint(ctx, "shopee/1", "orders", connector.Checkpoint(`{"cursor":"ảbc","w":1}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveCheckpoint(ctx, "shopee/1", "orders", connector.Checkpoint(`{"cursor":"def","w":2}`)); err != nil {
		t.Fatal(err)
	}
	cp, err = s.LoadCheckpoint(ctx, "shopee/1", "orders")
	if err != nil || !jsonEqual(cp, `{"cursor":"def","w":2}`) {
		t.Fatalf("checkpoint = %s, %v", cp, err)
	}
}

func testConcurrent(t *testing.T, newSink NewSink) {
	s := newSink(t, Config{})
	o, l := orders(), lines()
	prepare(t, s, o, l)
	var wg sync.WaitGroup
	errs := make(chan error, 2*20)
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				var b *connector.Batch
				if w == 0 {
					b = batch("w0", connector.TableRows{Table: o, Rows: [][]any{order(fmt.Sprintf("O%03d", i), int64(i))}})
				} else {
					b = batch("w1", connector.TableRows{Table: l, Rows: [][]any{line("X", int64(i), "sku")}})
				}
				b.Pipeline = fmt.Sprintf("p%d", w)
				b.Checkpoint = connector.Checkpoint(fmt.Sprintf(`{"i":%d}`, i))
				if err := s.Write(context.Background(), b); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent write: %v", err)
	}
	if n := len(read(t, s, o)); n != 20 {
		t.Fatalf("orders: %d, want 20", n)
	}
	if n := len(read(t, s, l)); n != 20 {
		t.Fatalf("lines: %d, want 20", n)
	}
	for w := 0; w < 2; w++ {
		cp, _ := s.LoadCheckpoint(context.Background(), fmt.Sprintf("p%d", w), "s")
		if !jsonEqual(cp, `{"i":19}`) {
			t.Fatalf("checkpoint of writer %d = %s", w, cp)
		}
	}
}

func testLease(t *testing.T, newSink NewSink) {
	s := newSink(t, Config{})
	l, ok := any(s).(connector.Leaser)
	if !ok {
		t.Skip("the sink is not a connector.Leaser")
	}
	ctx := context.Background()
	first, err := l.Lease(ctx, "p", "orders", 0)
	if err != nil {
		t.Fatalf("first lease: %v", err)
	}
	release := first.Release
	if _, err := l.Lease(ctx, "p", "orders", 0); !errors.Is(err, connector.ErrLeaseHeld) {
		t.Fatalf("second lease of the same stream: err = %v, want ErrLeaseHeld", err)
	}
	start := time.Now()
	if _, err := l.Lease(ctx, "p", "orders", 300*time.Millisecond); !errors.Is(err, connector.ErrLeaseHeld) {
		t.Fatalf("second lease with a wait: err = %v, want ErrLeaseHeld", err)
	}
	if time.Since(start) < 250*time.Millisecond {
		t.Fatal("a lease with a wait gave up early")
	}
	other, err := l.Lease(ctx, "p", "customers", 0)
	if err != nil {
		t.Fatalf("lease of another stream: %v", err)
	}
	if err := other.Release(); err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(100 * time.Millisecond)
		_ = release()
	}()
	again, err := l.Lease(ctx, "p", "orders", 5*time.Second)
	if err != nil {
		t.Fatalf("lease after release (waiting): %v", err)
	}
	if err := again.Release(); err != nil {
		t.Fatal(err)
	}
}

// testSuccessMarks: a leased run's success is on its lease row as soon as
// the run's end is recorded (before the lease is given back), and
// LastSuccesses lists the successes of the pipelines named, with their
// modes, and nothing of the others.
func testSuccessMarks(t *testing.T, newSink NewSink) {
	s := newSink(t, Config{})
	l, okL := any(s).(connector.Leaser)
	rr, okR := any(s).(connector.RunRecorder)
	li, okI := any(s).(connector.LeaseInspector)
	sl, okS := any(s).(connector.SuccessLister)
	if !okL || !okR || !okI || !okS {
		t.Skip("the sink is not a Leaser, RunRecorder, LeaseInspector and SuccessLister")
	}
	ctx := context.Background()
	held, err := l.Lease(ctx, "sm/1", "orders", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release()
	run := connector.Run{ID: "00000000-0000-4000-8000-0000000000a1", Pipeline: "sm/1", Platform: "sm", Account: "1", Stream: "orders",
		Start: time.Now(), State: connector.RunRunning, Leased: true, Mode: connector.Incremental}
	if err := rr.StartRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	run.End, run.State = time.Now(), connector.RunSuccess
	if err := rr.FinishRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	st, err := li.InspectLease(ctx, "sm/1", "orders")
	if err != nil {
		t.Fatal(err)
	}
	if !st.Held || !st.FreshWithin(time.Hour, connector.Incremental) || st.FreshWithin(time.Hour, connector.Full) {
		t.Fatalf("after the run's success, before the release: %+v (want held, fresh for an incremental run only)", st)
	}
	full, err := l.Lease(ctx, "sm/2", "orders", 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := full.ReleaseSucceeded(connector.Full); err != nil {
		t.Fatal(err)
	}
	other, err := l.Lease(ctx, "other/1", "orders", 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := other.ReleaseSucceeded(connector.Full); err != nil {
		t.Fatal(err)
	}
	now, last, err := sl.LastSuccesses(ctx, []string{"sm/1", "sm/2", "sm/3"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]connector.Mode{}
	for _, x := range last {
		if x.At.IsZero() || x.At.Sub(now) > time.Minute || now.Sub(x.At) > time.Minute {
			t.Errorf("%s/%s succeeded at %s, the lease clock says %s", x.Pipeline, x.Stream, x.At, now)
		}
		got[x.Pipeline+"/"+x.Stream] = x.Mode
	}
	want := map[string]connector.Mode{"sm/1/orders": connector.Incremental, "sm/2/orders": connector.Full}
	if len(got) != len(want) || got["sm/1/orders"] != want["sm/1/orders"] || got["sm/2/orders"] != want["sm/2/orders"] {
		t.Fatalf("last successes %v, want %v", got, want)
	}
}
