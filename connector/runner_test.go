package connector_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/stretchr/testify/require"
)

// order is the test source's record: an order with child items.
type order struct {
	ID     string   `json:"id"`
	Seq    int64    `json:"seq"`
	Status string   `json:"status"`
	Total  string   `json:"total"`
	Items  []string `json:"items"`
	Broken bool     `json:"broken,omitempty"`
}

// shop is a fake platform: orders with an update sequence. The stream reads
// orders with seq > checkpoint in pages and emits a checkpoint per page.
type shop struct {
	mu      sync.Mutex
	orders  map[string]*order
	seq     int64
	page    int
	failAt  int // fail when reading this page (1-based, 0 = never)
	onPage  func(n int)
	readers atomic.Int64
}

func newShop(n, page int) *shop {
	s := &shop{orders: map[string]*order{}, page: page}
	for i := 0; i < n; i++ {
		s.put(&order{ID: fmt.Sprintf("ORD%05d", i), Status: "UNPAID", Total: fmt.Sprintf("%d.50", 100000+i*1000),
			Items: []string{fmt.Sprintf("SKU-%d-a", i), fmt.Sprintf("SKU-%d-b", i)}})
	}
	return s
}

func (s *shop) put(o *order) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	o.Seq = s.seq
	s.orders[o.ID] = o
}

func (s *shop) change(id string, f func(o *order)) {
	s.mu.Lock()
	o := *s.orders[id]
	s.mu.Unlock()
	o.Items = append([]string(nil), o.Items...)
	f(&o)
	s.put(&o)
}

func (s *shop) snapshot() []order {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []order
	for _, o := range s.orders {
		out = append(out, *o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

func (s *shop) Streams() []connector.Stream { return []connector.Stream{shopStream{s}} }

type shopStream struct{ s *shop }

func (shopStream) Name() string { return "orders" }

type cursor struct {
	Seq int64 `json:"seq"`
}

func (st shopStream) Read(ctx context.Context, opts connector.ReadOptions, emit connector.EmitFunc) error {
	st.s.readers.Add(1)
	var from cursor
	if opts.Checkpoint != nil {
		if err := json.Unmarshal(opts.Checkpoint, &from); err != nil {
			return err
		}
	}
	var todo []order
	for _, o := range st.s.snapshot() {
		if o.Seq > from.Seq {
			todo = append(todo, o)
		}
	}
	for n := 0; len(todo) > 0; n++ {
		if st.s.failAt == n+1 {
			return errors.New("platform exploded")
		}
		k := min(st.s.page, len(todo))
		pg := connector.Page{}
		for _, o := range todo[:k] {
			data, _ := json.Marshal(o)
			pg.Records = append(pg.Records, connector.Record{Key: o.ID, Data: data})
		}
		cp, _ := json.Marshal(cursor{Seq: todo[k-1].Seq})
		pg.Checkpoint = cp
		todo = todo[k:]
		// A real source's next request fails once its context is
		// cancelled: no page is read after a cancellation.
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := emit(ctx, pg); err != nil {
			return err
		}
		if st.s.onPage != nil {
			st.s.onPage(n + 1)
		}
	}
	return nil
}

var (
	ordersTable = &connector.Table{Schema: "staging", Name: "test_orders", PrimaryKey: []string{"order_id"}, Columns: []connector.Column{
		{Name: "order_id", Type: connector.String, Length: 50},
		{Name: "status", Type: connector.String, Nullable: true},
		{Name: "total", Type: connector.Decimal, Precision: 18, Scale: 2, Nullable: true},
		{Name: "seq", Type: connector.Int, Nullable: true, Meta: true},
		{Name: "etl_created_at", Type: connector.Timestamp, Nullable: true, Auto: connector.AutoCreatedAt},
		{Name: "etl_updated_at", Type: connector.Timestamp, Nullable: true, Auto: connector.AutoUpdatedAt},
		{Name: "etl_batch_id", Type: connector.String, Nullable: true, Auto: connector.AutoRunID},
	}}
	itemsTable = &connector.Table{Schema: "staging", Name: "test_items", PrimaryKey: []string{"order_id", "sku"},
		Parent: "staging.test_orders", ParentKey: []string{"order_id"}, Columns: []connector.Column{
			{Name: "order_id", Type: connector.String, Length: 50},
			{Name: "sku", Type: connector.String, Length: 50},
			{Name: "position", Type: connector.Int, Nullable: true},
		}}
)

type shopTransformer struct{}

func (shopTransformer) Tables() []*connector.Table {
	return []*connector.Table{ordersTable, itemsTable}
}

func (shopTransformer) Transform(rec connector.Record, out connector.Output) error {
	var o order
	if err := json.Unmarshal(rec.Data, &o); err != nil {
		return fmt.Errorf("order %s: %w", rec.Key, err)
	}
	if o.Broken {
		return fmt.Errorf("order %s: field total: not a number", o.ID)
	}
	total, err := connector.ParseDec(o.Total)
	if err != nil {
		return fmt.Errorf("order %s: field total: %w", o.ID, err)
	}
	out.Add(ordersTable, []any{o.ID, o.Status, total, o.Seq, nil, nil, nil})
	for i, sku := range o.Items {
		out.Add(itemsTable, []any{o.ID, sku, int64(i)})
	}
	return nil
}

func openSink(t testing.TB) *sqlite.Sink {
	t.Helper()
	s, err := sqlite.Open(context.Background(), sqlite.Config{Path: filepath.Join(t.TempDir(), "test.db")})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func pipeline(name string, src connector.Source, sink connector.Sink) connector.Pipeline {
	return connector.Pipeline{Name: name, Platform: "test", Account: name, Source: src, Transformer: shopTransformer{}, Sink: sink}
}

// contents dumps the business columns of both tables, sorted.
func contents(t testing.TB, db *sql.DB) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT order_id, status, total FROM test_orders ORDER BY order_id`,
		`SELECT order_id, sku, position FROM test_items ORDER BY order_id, sku`,
	} {
		rows, err := db.Query(q)
		require.NoError(t, err)
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			require.NoError(t, rows.Scan(ptrs...))
			fmt.Fprintln(&b, vals...)
		}
		require.NoError(t, rows.Err())
		rows.Close()
		b.WriteString("--\n")
	}
	return b.String()
}

// expected renders what the shop holds the way contents renders the tables.
func expected(s *shop) string {
	orders := s.snapshot()
	sort.Slice(orders, func(i, j int) bool { return orders[i].ID < orders[j].ID })
	var b strings.Builder
	type item struct {
		id, sku string
		pos     int
	}
	var items []item
	for _, o := range orders {
		if o.Broken {
			continue
		}
		fmt.Fprintln(&b, o.ID, o.Status, connector.MustDec(o.Total).String()) // SQLite holds money as numbers
		for i, sku := range o.Items {
			items = append(items, item{o.ID, sku, i})
		}
	}
	b.WriteString("--\n")
	sort.Slice(items, func(i, j int) bool {
		if items[i].id != items[j].id {
			return items[i].id < items[j].id
		}
		return items[i].sku < items[j].sku
	})
	for _, it := range items {
		fmt.Fprintln(&b, it.id, it.sku, it.pos)
	}
	b.WriteString("--\n")
	return b.String()
}

func TestRunnerFullThenIncremental(t *testing.T) {
	ctx := context.Background()
	sink := openSink(t)
	src := newShop(250, 17)
	r := &connector.Runner{Mode: connector.Full, BatchSize: 100}

	res := r.Run(ctx, pipeline("shop1", src, sink))[0]
	require.NoError(t, res.Err)
	require.Equal(t, connector.StatusOK, res.Status)
	require.EqualValues(t, 250, res.Records)
	require.EqualValues(t, 250, res.Rows["staging.test_orders"])
	require.EqualValues(t, 500, res.Rows["staging.test_items"])
	require.Equal(t, expected(src), contents(t, sink.DB()))

	var createdBefore string
	require.NoError(t, sink.DB().QueryRow(`SELECT etl_created_at || etl_updated_at || etl_batch_id FROM test_orders WHERE order_id = 'ORD00001'`).Scan(&createdBefore))

	// Upstream changes: status changes, an item removed, an item added, new orders.
	src.change("ORD00003", func(o *order) { o.Status = "SHIPPED" })
	src.change("ORD00007", func(o *order) { o.Items = o.Items[:1] })
	src.change("ORD00009", func(o *order) { o.Items = append(o.Items, "SKU-new"); o.Total = "1.05" })
	src.change("ORD00011", func(o *order) { o.Items = nil })
	for i := 0; i < 3; i++ {
		src.put(&order{ID: fmt.Sprintf("NEW%d", i), Status: "UNPAID", Total: "5", Items: []string{"x"}})
	}
	r.Mode = connector.Incremental
	res = r.Run(ctx, pipeline("shop1", src, sink))[0]
	require.NoError(t, res.Err)
	require.EqualValues(t, 7, res.Records, "incremental reads only new and changed records")
	require.Equal(t, expected(src), contents(t, sink.DB()))

	var createdAfter string
	require.NoError(t, sink.DB().QueryRow(`SELECT etl_created_at || etl_updated_at || etl_batch_id FROM test_orders WHERE order_id = 'ORD00001'`).Scan(&createdAfter))
	require.Equal(t, createdBefore, createdAfter, "unchanged rows are untouched")

	// Nothing new: an incremental run reads nothing.
	res = r.Run(ctx, pipeline("shop1", src, sink))[0]
	require.NoError(t, res.Err)
	require.EqualValues(t, 0, res.Records)
}

func TestRunnerCancelAndResume(t *testing.T) {
	ctx := context.Background()
	want := func() string {
		sink := openSink(t)
		src := newShop(300, 11)
		res := (&connector.Runner{}).Run(ctx, pipeline("p", src, sink))[0]
		require.NoError(t, res.Err)
		return contents(t, sink.DB())
	}()
	for _, stopAfter := range []int{1, 4, 13, 27} {
		t.Run(fmt.Sprint(stopAfter), func(t *testing.T) {
			sink := openSink(t)
			src := newShop(300, 11)
			cctx, cancel := context.WithCancel(ctx)
			src.onPage = func(n int) {
				if n == stopAfter {
					cancel()
				}
			}
			r := &connector.Runner{BatchSize: 50}
			res := r.Run(cctx, pipeline("p", src, sink))[0]
			require.Equal(t, connector.StatusInterrupted, res.Status, "error: %v", res.Err)
			require.ErrorIs(t, res.Err, context.Canceled)
			partial := contents(t, sink.DB())
			require.NotEqual(t, want, partial)

			src.onPage = nil
			res = r.Run(ctx, pipeline("p", src, sink))[0]
			require.NoError(t, res.Err)
			require.Less(t, res.Records, int64(300), "the second run resumes from the checkpoint")
			require.Equal(t, want, contents(t, sink.DB()))
		})
	}
}

func TestRunnerSourceErrorFailsOnlyItsPipeline(t *testing.T) {
	ctx := context.Background()
	sink := openSink(t)
	bad := newShop(100, 10)
	bad.failAt = 4
	good := newShop(100, 10)
	res := (&connector.Runner{}).Run(ctx, pipeline("bad", bad, sink), pipeline("good", good, sink))
	require.Equal(t, connector.StatusFailed, res[0].Status)
	require.ErrorContains(t, res[0].Err, "platform exploded")
	require.ErrorContains(t, res[0].Err, "pipeline bad, stream orders")
	require.EqualValues(t, 30, res[0].Records, "pages read before the failure are stored")
	require.Equal(t, connector.StatusOK, res[1].Status)
	require.EqualValues(t, 100, res[1].Records)

	cp, err := sink.LoadCheckpoint(ctx, "bad", "orders")
	require.NoError(t, err)
	require.JSONEq(t, `{"seq":30}`, string(cp), "the failed pipeline keeps its last checkpoint")
}

func TestRunnerQuarantinesBadRecords(t *testing.T) {
	ctx := context.Background()
	sink := openSink(t)
	src := newShop(20, 6)
	src.change("ORD00004", func(o *order) { o.Broken = true })
	src.change("ORD00005", func(o *order) { o.Total = "12abc" })
	src.change("ORD00006", func(o *order) { o.ID = strings.Repeat("x", 51) })
	var rejected atomic.Int64
	r := &connector.Runner{Observer: func(e connector.Event) {
		if e.Kind == connector.RecordRejected {
			rejected.Add(1)
		}
	}}
	res := r.Run(ctx, pipeline("q", src, sink))[0]
	require.NoError(t, res.Err)
	require.EqualValues(t, 3, res.Rejected)
	require.EqualValues(t, 3, rejected.Load())
	require.EqualValues(t, 18, res.Rows["staging.test_orders"], "batch-mates of rejected records load")

	rows, err := sink.DB().Query(`SELECT record_key, reason, payload FROM etl_control_rejected_records ORDER BY record_key`)
	require.NoError(t, err)
	defer rows.Close()
	var reasons []string
	for rows.Next() {
		var key, reason, payload string
		require.NoError(t, rows.Scan(&key, &reason, &payload))
		require.True(t, json.Valid([]byte(payload)), "raw payload kept")
		reasons = append(reasons, key+": "+reason)
	}
	require.Len(t, reasons, 3)
	require.Contains(t, reasons[0], "field total: not a number")
	require.Contains(t, reasons[1], "field total")
	require.Contains(t, reasons[2], "test_orders.order_id: value of 51 characters exceeds the column length 50")
}

// failingSink fails every write after the first n.
type failingSink struct {
	*sqlite.Sink
	n atomic.Int64
}

func (f *failingSink) Write(ctx context.Context, b *connector.Batch) error {
	if f.n.Add(-1) < 0 {
		return errors.New("disk full")
	}
	return f.Sink.Write(ctx, b)
}

func TestRunnerSinkErrorStopsStream(t *testing.T) {
	ctx := context.Background()
	fs := &failingSink{Sink: openSink(t)}
	fs.n.Store(3)
	src := newShop(200, 10)
	// Every checkpoint committed, as in incremental runs (full loads
	// coalesce them by default: coalesce_test.go).
	res := (&connector.Runner{Checkpoints: fs.Sink, FullLoadCheckpointInterval: -1}).Run(ctx, pipeline("s", src, fs))[0]
	require.Equal(t, connector.StatusFailed, res.Status)
	require.ErrorContains(t, res.Err, "disk full")
	cp, err := fs.LoadCheckpoint(ctx, "s", "orders")
	require.NoError(t, err)
	require.JSONEq(t, `{"seq":30}`, string(cp), "checkpoint of the last successful write, saved through the separate store")
}

func TestRunnerSkipsStreamLeasedByAnotherWorker(t *testing.T) {
	ctx := context.Background()
	sink := openSink(t)
	lease, err := sink.Lease(ctx, "leased", "orders", 0)
	require.NoError(t, err)
	src := newShop(10, 5)
	res := (&connector.Runner{}).Run(ctx, pipeline("leased", src, sink))[0]
	require.Equal(t, connector.StatusSkipped, res.Status)
	require.ErrorIs(t, res.Err, connector.ErrLeaseHeld)
	require.Zero(t, src.readers.Load(), "nothing read")
	require.NoError(t, lease.Release())
	res = (&connector.Runner{}).Run(ctx, pipeline("leased", src, sink))[0]
	require.Equal(t, connector.StatusOK, res.Status)
	require.EqualValues(t, 10, res.Records)
}

// Several pipelines (two shops) share one sink and its tables.
func TestRunnerPipelinesShareASink(t *testing.T) {
	ctx := context.Background()
	sink := openSink(t)
	a, b := newShop(120, 7), newShop(80, 9)
	for id, o := range b.orders {
		o.ID = "B-" + id
	}
	res := (&connector.Runner{BatchSize: 64}).Run(ctx, pipeline("a", a, sink), pipeline("b", b, sink))
	require.Equal(t, connector.StatusOK, res[0].Status, "%v", res[0].Err)
	require.Equal(t, connector.StatusOK, res[1].Status, "%v", res[1].Err)
	var n int
	require.NoError(t, sink.DB().QueryRow(`SELECT count(*) FROM test_orders`).Scan(&n))
	require.Equal(t, 200, n)
}

// Incremental runs commit every checkpoint a stream emits unless
// CheckpointInterval coalesces them; full loads coalesce them by default
// (FullLoadCheckpointInterval; coalesce_test.go), and a negative
// FullLoadCheckpointInterval commits every one. The stored checkpoint is
// the same whichever way.
func TestRunnerCheckpointInterval(t *testing.T) {
	ctx := context.Background()
	count := func(r *connector.Runner, incremental bool) (int64, string) {
		sink := openSink(t)
		if incremental {
			// A checkpoint before every order: the run is incremental and
			// reads them all.
			require.NoError(t, sink.SaveCheckpoint(ctx, "ci", "orders", connector.Checkpoint(`{"seq":0}`)))
		}
		var commits atomic.Int64
		r.Observer = func(e connector.Event) {
			if e.Kind == connector.CheckpointCommitted {
				commits.Add(1)
			}
		}
		src := newShop(100, 5)
		res := r.Run(ctx, pipeline("ci", src, sink))[0]
		require.NoError(t, res.Err)
		require.Equal(t, expected(src), contents(t, sink.DB()))
		cp, err := sink.LoadCheckpoint(ctx, "ci", "orders")
		require.NoError(t, err)
		return commits.Load(), string(cp)
	}
	every, cp1 := count(&connector.Runner{}, true)
	coalesced, cp2 := count(&connector.Runner{CheckpointInterval: time.Hour}, true)
	full, cp3 := count(&connector.Runner{}, false)
	fullEvery, cp4 := count(&connector.Runner{FullLoadCheckpointInterval: -1}, false)
	require.EqualValues(t, 20, every, "one commit per checkpoint by default in an incremental run")
	require.EqualValues(t, 1, coalesced, "with an interval, the pending checkpoint is committed at the end")
	require.EqualValues(t, 1, full, "a full load of 300 rows is one batch: its checkpoints are coalesced")
	require.EqualValues(t, 20, fullEvery, "a negative FullLoadCheckpointInterval commits every checkpoint")
	for _, cp := range []string{cp2, cp3, cp4} {
		require.JSONEq(t, cp1, cp)
	}
}
