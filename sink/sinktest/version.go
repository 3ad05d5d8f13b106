package sinktest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
)

// Versioned upserts (connector/version.go): an older version never replaces
// a newer one, in the next batch, the next run or a later record of the same
// page; equal versions are idempotent (the last wins); a child set follows
// its parent's decision; NULL is the oldest version; stale rows are counted
// in Batch.Stale and Result.Stale.

// vOrders is a versioned root table, vLines its child, vSelf a versioned
// table that is its own parent (one row per order line).
func vOrders() *connector.Table {
	return &connector.Table{Schema: "staging", Name: "st_v_orders", PrimaryKey: []string{"id"}, Version: "ver", Columns: []connector.Column{
		{Name: "id", Type: connector.String, Length: 50},
		{Name: "ver", Type: connector.Timestamp, Nullable: true},
		{Name: "status", Type: connector.String, Length: 50, Nullable: true},
	}}
}

func vLines() *connector.Table {
	return &connector.Table{Schema: "staging", Name: "st_v_lines", PrimaryKey: []string{"id", "line"},
		Parent: "staging.st_v_orders", ParentKey: []string{"id"}, Columns: []connector.Column{
			{Name: "id", Type: connector.String, Length: 50},
			{Name: "line", Type: connector.Int},
			{Name: "sku", Type: connector.String, Length: 50, Nullable: true},
		}}
}

func vSelf() *connector.Table {
	return &connector.Table{Schema: "staging", Name: "st_v_self", PrimaryKey: []string{"order_id", "line_id"}, Version: "ver",
		Parent: "staging.st_v_self", ParentKey: []string{"order_id"}, Columns: []connector.Column{
			{Name: "order_id", Type: connector.String, Length: 50},
			{Name: "line_id", Type: connector.String, Length: 50},
			{Name: "ver", Type: connector.Int, Nullable: true},
			{Name: "status", Type: connector.String, Length: 50, Nullable: true},
		}}
}

// vSelfPackages is a child of vSelf (packages of an order).
func vSelfPackages() *connector.Table {
	return &connector.Table{Schema: "staging", Name: "st_v_self_packages", PrimaryKey: []string{"order_id", "package_id"},
		Parent: "staging.st_v_self", ParentKey: []string{"order_id"}, Columns: []connector.Column{
			{Name: "order_id", Type: connector.String, Length: 50},
			{Name: "package_id", Type: connector.String, Length: 50},
		}}
}

// tv is version n of the timestamp versions.
func tv(n int) any {
	if n < 0 {
		return nil
	}
	return t0.Add(time.Duration(n) * time.Minute)
}

func vo(id string, ver int, status string) []any { return []any{id, tv(ver), status} }

func stale(t *testing.T, b *connector.Batch, tb *connector.Table, want int64) {
	t.Helper()
	if got := b.Stale[tb.FullName()]; got != want {
		t.Fatalf("Batch.Stale[%s] = %d, want %d (%v)", tb.FullName(), got, want, b.Stale)
	}
}

func testVersioned(t *testing.T, newSink NewSink) {
	t.Run("OlderNeverReplacesNewer", func(t *testing.T) {
		s := newSink(t, Config{})
		o := vOrders()
		prepare(t, s, o)
		write(t, s, batch("r1", connector.TableRows{Table: o, Rows: [][]any{vo("A", 2, "shipped"), vo("B", 1, "unpaid")}}))
		b := batch("r2", connector.TableRows{Table: o, Rows: [][]any{vo("A", 1, "unpaid"), vo("B", 3, "paid")}})
		write(t, s, b)
		equal(t, [][]any{vo("A", 2, "shipped"), vo("B", 3, "paid")}, read(t, s, o), "the older A is skipped, the newer B replaces")
		stale(t, b, o, 1)
		if b.Changed != nil && b.Changed[o.FullName()] != 1 {
			t.Fatalf("Batch.Changed = %v, want 1 row changed", b.Changed)
		}
		// Another worker (a later run) on the same warehouse.
		s2 := newSink(t, Config{SameAs: s})
		prepare(t, s2, o)
		b = batch("r3", connector.TableRows{Table: o, Rows: [][]any{vo("A", 0, "created"), vo("B", 2, "unpaid")}})
		write(t, s2, b)
		equal(t, [][]any{vo("A", 2, "shipped"), vo("B", 3, "paid")}, read(t, s2, o), "a later run with older versions changes nothing")
		stale(t, b, o, 2)
	})
	t.Run("EqualVersions", func(t *testing.T) {
		s := newSink(t, Config{})
		o := vOrders()
		prepare(t, s, o)
		write(t, s, batch("r1", connector.TableRows{Table: o, Rows: [][]any{vo("A", 2, "shipped")}}))
		b := batch("r2", connector.TableRows{Table: o, Rows: [][]any{vo("A", 2, "shipped")}})
		write(t, s, b)
		stale(t, b, o, 0)
		if b.Changed != nil && b.Changed[o.FullName()] != 0 {
			t.Fatalf("the same version again changed %v", b.Changed)
		}
		write(t, s, batch("r3", connector.TableRows{Table: o, Rows: [][]any{vo("A", 2, "delivered")}}))
		equal(t, [][]any{vo("A", 2, "delivered")}, read(t, s, o), "an equal version replaces (the last wins)")
	})
	t.Run("NullVersion", func(t *testing.T) {
		s := newSink(t, Config{})
		o, l := vOrders(), vLines()
		prepare(t, s, o, l)
		write(t, s, batch("r1",
			connector.TableRows{Table: o, Rows: [][]any{vo("A", -1, "a1"), vo("B", 1, "b1"), vo("C", -1, "c1")}},
			connector.TableRows{Table: l, Rows: [][]any{line("B", 1, "x")}}))
		b := batch("r2",
			connector.TableRows{Table: o, Rows: [][]any{vo("A", 1, "a2"), vo("B", -1, "b2"), vo("C", -1, "c2")}},
			connector.TableRows{Table: l, Rows: [][]any{line("B", 2, "null version")}})
		write(t, s, b)
		equal(t, [][]any{vo("A", 1, "a2"), vo("B", 1, "b1"), vo("C", -1, "c2")}, read(t, s, o),
			"a version replaces NULL, NULL never replaces a version, NULL replaces NULL")
		equal(t, [][]any{line("B", 1, "x")}, read(t, s, l), "the lines of a NULL version do not replace a versioned order's")
		stale(t, b, o, 1)
	})
	t.Run("ChildSetsFollowTheParent", func(t *testing.T) {
		s := newSink(t, Config{})
		o, l := vOrders(), vLines()
		prepare(t, s, o, l)
		write(t, s, batch("r1",
			connector.TableRows{Table: o, Rows: [][]any{vo("A", 2, "a2"), vo("B", 1, "b1")}},
			connector.TableRows{Table: l, Rows: [][]any{line("A", 1, "x"), line("A", 2, "y"), line("B", 1, "x")}}))
		// A's older version (line 1 changed, line 2 gone, line 3 new) is
		// skipped whole; B's newer one replaces its set.
		b := batch("r2",
			connector.TableRows{Table: o, Rows: [][]any{vo("A", 1, "a1"), vo("B", 2, "b2")}},
			connector.TableRows{Table: l, Rows: [][]any{line("A", 1, "old"), line("A", 3, "old"), line("B", 2, "y")}})
		write(t, s, b)
		equal(t, [][]any{vo("A", 2, "a2"), vo("B", 2, "b2")}, read(t, s, o), "orders")
		equal(t, [][]any{line("A", 1, "x"), line("A", 2, "y"), line("B", 2, "y")}, read(t, s, l), "the older A keeps its newer lines")
		stale(t, b, o, 1)
		write(t, s, batch("r3",
			connector.TableRows{Table: o, Rows: [][]any{vo("A", 3, "a3")}},
			connector.TableRows{Table: l, Rows: [][]any{line("A", 3, "z")}}))
		equal(t, [][]any{line("A", 3, "z"), line("B", 2, "y")}, read(t, s, l), "a newer A replaces its lines")
	})
	t.Run("SelfParentFollowsTheOrder", func(t *testing.T) {
		s := newSink(t, Config{})
		tb, pk := vSelf(), vSelfPackages()
		prepare(t, s, tb, pk)
		r := func(o, l string, v int64, st string) []any { return []any{o, l, v, st} }
		p := func(o, id string) []any { return []any{o, id} }
		write(t, s, batch("r1",
			connector.TableRows{Table: tb, Rows: [][]any{r("A", "1", 5, "new"), r("A", "2", 5, "new"), r("B", "1", 1, "old")}},
			connector.TableRows{Table: pk, Rows: [][]any{p("A", "P1"), p("B", "P1")}}))
		b := batch("r2",
			connector.TableRows{Table: tb, Rows: [][]any{r("A", "1", 4, "older"), r("A", "3", 4, "older"), r("B", "2", 2, "newer")}},
			connector.TableRows{Table: pk, Rows: [][]any{p("A", "P0"), p("B", "P2")}})
		write(t, s, b)
		equal(t, [][]any{r("A", "1", 5, "new"), r("A", "2", 5, "new"), r("B", "2", 2, "newer")}, read(t, s, tb),
			"an older order version never replaces the newer line set; a newer one does")
		equal(t, [][]any{p("A", "P1"), p("B", "P2")}, read(t, s, pk), "a child of the line table follows the order too")
		stale(t, b, tb, 2)
	})
	t.Run("ThroughTheRunner", func(t *testing.T) { testVersionedRunner(t, newSink) })
}

// versionedRecord is one order of the runner test's source.
type versionedRecord struct {
	ID     string   `json:"id"`
	Ver    int      `json:"ver"`
	Status string   `json:"status"`
	Lines  []string `json:"lines"`
}

type versionedSource struct{ pages [][]versionedRecord }

func (s versionedSource) Streams() []connector.Stream { return []connector.Stream{s} }
func (versionedSource) Name() string                  { return "orders" }
func (s versionedSource) Read(ctx context.Context, _ connector.ReadOptions, emit connector.EmitFunc) error {
	for i, pg := range s.pages {
		p := connector.Page{Checkpoint: connector.Checkpoint(fmt.Sprintf(`{"page":%d}`, i))}
		for n, r := range pg {
			data, _ := json.Marshal(r)
			// Distinct record keys: two versions of one order in one page
			// meet in the writer, not only in the sink.
			p.Records = append(p.Records, connector.Record{Key: fmt.Sprintf("%s#%d.%d", r.ID, i, n), Data: data})
		}
		if err := emit(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

type versionedTransformer struct{ o, l *connector.Table }

func (v versionedTransformer) Tables() []*connector.Table { return []*connector.Table{v.o, v.l} }
func (v versionedTransformer) Transform(rec connector.Record, out connector.Output) error {
	var r versionedRecord
	if err := json.Unmarshal(rec.Data, &r); err != nil {
		return err
	}
	out.Add(v.o, vo(r.ID, r.Ver, r.Status))
	for i, sku := range r.Lines {
		out.Add(v.l, line(r.ID, int64(i+1), sku))
	}
	return nil
}

// testVersionedRunner: an older copy of an order later in the same page,
// and in a later run, neither replaces the newer order nor its lines; the
// stale rows are in Result.Stale.
func testVersionedRunner(t *testing.T, newSink NewSink) {
	s := newSink(t, Config{})
	o, l := vOrders(), vLines()
	tr := versionedTransformer{o, l}
	run := func(pages ...[]versionedRecord) connector.Result {
		r := connector.Runner{Mode: connector.Full, Logger: quietLogger()}
		res := r.RunPipeline(context.Background(), connector.Pipeline{Name: "versioned", Source: versionedSource{pages}, Transformer: tr, Sink: s})
		if res.Status != connector.StatusOK {
			t.Fatalf("run: %s %v", res.Status, res.Err)
		}
		return res
	}
	res := run([]versionedRecord{
		{ID: "A", Ver: 2, Status: "shipped", Lines: []string{"x", "y"}},
		{ID: "B", Ver: 1, Status: "unpaid", Lines: []string{"b"}},
		{ID: "A", Ver: 1, Status: "unpaid", Lines: []string{"old"}}, // a stale duplicate later in the page
	})
	equal(t, [][]any{vo("A", 2, "shipped"), vo("B", 1, "unpaid")}, read(t, s, o), "orders after the first run")
	equal(t, [][]any{line("A", 1, "x"), line("A", 2, "y"), line("B", 1, "b")}, read(t, s, l), "lines after the first run")
	if res.Stale[o.FullName()] != 1 {
		t.Fatalf("Result.Stale = %v, want 1 row of %s", res.Stale, o.FullName())
	}
	res = run([]versionedRecord{{ID: "B", Ver: 0, Status: "created"}}, []versionedRecord{{ID: "A", Ver: 3, Status: "delivered", Lines: []string{"x"}}})
	equal(t, [][]any{vo("A", 3, "delivered"), vo("B", 1, "unpaid")}, read(t, s, o), "orders after the second run")
	equal(t, [][]any{line("A", 1, "x"), line("B", 1, "b")}, read(t, s, l), "lines after the second run")
	if res.Stale[o.FullName()] != 1 {
		t.Fatalf("Result.Stale = %v, want 1 row of %s", res.Stale, o.FullName())
	}
}

// testNotNull: a column declared not nullable is NOT NULL in a table the
// sink creates (a NULL in it is refused by the database and nothing of the
// batch is stored); a column added to an existing table stays nullable.
func testNotNull(t *testing.T, newSink NewSink) {
	s := newSink(t, Config{})
	tb := &connector.Table{Schema: "staging", Name: "st_not_null", PrimaryKey: []string{"id"}, Columns: []connector.Column{
		{Name: "id", Type: connector.String, Length: 20},
		{Name: "no", Type: connector.String, Length: 50},
		{Name: "note", Type: connector.String, Length: 50, Nullable: true},
	}}
	prepare(t, s, tb)
	err := s.Write(context.Background(), batch("r1", connector.TableRows{Table: tb, Rows: [][]any{{"A", "SO-1", nil}, {"B", nil, "no number"}}}))
	if err == nil {
		t.Fatal("a NULL in a NOT NULL column was stored")
	}
	if !connector.IsDataError(err) {
		t.Fatalf("the refusal is not a data error (the runner could not isolate the record): %v", err)
	}
	if rows := read(t, s, tb); len(rows) != 0 {
		t.Fatalf("a refused batch stored %v", rows)
	}
	write(t, s, batch("r2", connector.TableRows{Table: tb, Rows: [][]any{{"A", "SO-1", nil}}}))

	added := &connector.Table{Schema: tb.Schema, Name: tb.Name, PrimaryKey: tb.PrimaryKey,
		Columns: append(append([]connector.Column(nil), tb.Columns...), connector.Column{Name: "later", Type: connector.Int})}
	prepare(t, s, added)
	write(t, s, batch("r3", connector.TableRows{Table: added, Rows: [][]any{{"B", "SO-2", nil, nil}}}))
	equal(t, [][]any{{"A", "SO-1", nil, nil}, {"B", "SO-2", nil, nil}}, read(t, s, added), "an added column is nullable (old rows have no value)")
}
