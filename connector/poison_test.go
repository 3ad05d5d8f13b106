package connector_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/stretchr/testify/require"
)

// A record the database itself refuses (here a trigger, as a CHECK
// constraint would) is isolated by splitting its batch: it is quarantined
// with the database's message, its batch-mates and the checkpoint commit,
// and the run goes on.
func TestRunnerIsolatesRecordsTheDatabaseRefuses(t *testing.T) {
	ctx := context.Background()
	sink := openSink(t)
	require.NoError(t, sink.Prepare(ctx, shopTransformer{}.Tables()))
	for _, ev := range []string{"INSERT", "UPDATE"} {
		_, err := sink.DB().Exec(`CREATE TRIGGER refuse_poison_` + ev + ` BEFORE ` + ev + ` ON test_orders
			WHEN NEW.status = 'POISON' BEGIN SELECT RAISE(ABORT, 'status POISON refused by a constraint'); END`)
		require.NoError(t, err)
	}
	src := newShop(60, 25)
	for _, id := range []string{"ORD00000", "ORD00007", "ORD00031", "ORD00059"} {
		src.change(id, func(o *order) { o.Status = "POISON" })
	}
	var events atomic.Int64
	r := &connector.Runner{BatchSize: 1000, Logger: quiet(), Observer: func(e connector.Event) {
		if e.Kind == connector.RecordRejected {
			events.Add(1)
		}
	}}
	res := r.Run(ctx, pipeline("poison", src, sink))[0]
	require.NoError(t, res.Err)
	require.EqualValues(t, 60, res.Records)
	require.EqualValues(t, 4, res.Rejected)
	require.EqualValues(t, 4, events.Load())
	require.EqualValues(t, 56, res.Rows["staging.test_orders"])
	require.EqualValues(t, 56, res.Changed["staging.test_orders"], "the rows changed of the split writes add up")
	require.EqualValues(t, 112, res.Changed["staging.test_items"])

	var n, items, poisonItems int
	require.NoError(t, sink.DB().QueryRow(`SELECT count(*) FROM test_orders`).Scan(&n))
	require.NoError(t, sink.DB().QueryRow(`SELECT count(*) FROM test_items`).Scan(&items))
	require.NoError(t, sink.DB().QueryRow(`SELECT count(*) FROM test_items WHERE order_id IN ('ORD00000','ORD00007','ORD00031','ORD00059')`).Scan(&poisonItems))
	require.Equal(t, 56, n)
	require.Equal(t, 112, items, "children of stored records are complete")
	require.Zero(t, poisonItems, "children of a quarantined record are not stored")

	rej, err := sink.ReadRejected(ctx, "poison", "orders")
	require.NoError(t, err)
	require.Len(t, rej, 4)
	var keys []string
	for _, r := range rej {
		keys = append(keys, r.Key)
		require.Contains(t, r.Reason, "status POISON refused by a constraint", "the database's message")
		var o order
		require.NoError(t, json.Unmarshal(r.Payload, &o))
		require.Equal(t, r.Key, o.ID)
	}
	require.ElementsMatch(t, []string{"ORD00000", "ORD00007", "ORD00031", "ORD00059"}, keys)
	cp, err := sink.LoadCheckpoint(ctx, "poison", "orders")
	require.NoError(t, err)
	require.JSONEq(t, `{"seq":64}`, string(cp), "the checkpoint passes the quarantined records")

	// The next incremental run has nothing to do and quarantines nothing again.
	res = r.Run(ctx, pipeline("poison", src, sink))[0]
	require.NoError(t, res.Err)
	require.Zero(t, res.Records)
}

// countingSink counts writes and fails those holding a marked order with a
// given error.
type countingSink struct {
	*sqlite.Sink
	writes atomic.Int64
	fail   error
}

func (c *countingSink) Write(ctx context.Context, b *connector.Batch) error {
	c.writes.Add(1)
	for _, tr := range b.Tables {
		for _, r := range tr.Rows {
			if r[0] == "ORD00005" {
				return c.fail
			}
		}
	}
	return c.Sink.Write(ctx, b)
}

// Only data errors are split: a lost connection fails the stream at once,
// quarantining nothing (splitting would quarantine every record of a batch
// written while the database is down).
func TestRunnerDoesNotSplitOnOtherErrors(t *testing.T) {
	ctx := context.Background()
	for name, fail := range map[string]error{
		"connection": errors.New("connection reset by peer"),
		"lease":      connector.ErrLeaseHeld,
		"cancelled":  context.Canceled,
	} {
		t.Run(name, func(t *testing.T) {
			cs := &countingSink{Sink: openSink(t), fail: fail}
			res := (&connector.Runner{Checkpoints: cs.Sink, Logger: quiet()}).Run(ctx, pipeline("c", newShop(30, 10), cs))[0]
			require.NotEqual(t, connector.StatusOK, res.Status)
			require.ErrorIs(t, res.Err, fail)
			require.EqualValues(t, 0, res.Rejected)
			require.EqualValues(t, 1, cs.writes.Load(), "no retry, no split, nothing after the failed batch")
			rej, err := cs.ReadRejected(ctx, "c", "orders")
			require.NoError(t, err)
			require.Empty(t, rej)
			cp, err := cs.LoadCheckpoint(ctx, "c", "orders")
			require.NoError(t, err)
			require.Nil(t, cp)
		})
	}
	// The same failure marked as a data error is isolated.
	cs := &countingSink{Sink: openSink(t), fail: connector.MarkData(errors.New("value refused"))}
	res := (&connector.Runner{Logger: quiet()}).Run(ctx, pipeline("c", newShop(30, 10), cs))[0]
	require.NoError(t, res.Err)
	require.EqualValues(t, 1, res.Rejected)
}

// blockingSink holds the write of the first batch until the transformer is
// working on the next batch.
type blockingSink struct {
	*sqlite.Sink
	first     sync.Once
	released  chan struct{}
	overlaped atomic.Bool
}

func (b *blockingSink) Write(ctx context.Context, batch *connector.Batch) error {
	b.first.Do(func() {
		select {
		case <-b.released:
			b.overlaped.Store(true)
		case <-time.After(10 * time.Second): // serial writer: nothing would ever release it
		}
	})
	return b.Sink.Write(ctx, batch)
}

type signalTransformer struct {
	shopTransformer
	at      string
	reached chan struct{}
	once    sync.Once
	count   atomic.Int64
}

func (s *signalTransformer) Transform(rec connector.Record, out connector.Output) error {
	s.count.Add(1)
	if rec.Key == s.at {
		s.once.Do(func() { close(s.reached) })
	}
	return s.shopTransformer.Transform(rec, out)
}

// The write of batch N runs while batch N+1 is transformed, and the
// transformer never gets more than one batch ahead of the writer.
func TestWriterOverlapsTransformation(t *testing.T) {
	ctx := context.Background()
	bs := &blockingSink{Sink: openSink(t), released: make(chan struct{})}
	// 10 records per page, 3 rows per record, batches of 30 rows: one page
	// per batch; ORD00012 is in the second batch.
	tr := &signalTransformer{at: "ORD00012", reached: make(chan struct{})}
	go func() {
		<-tr.reached
		close(bs.released)
	}()
	r := &connector.Runner{BatchSize: 30, CheckpointInterval: time.Hour, Logger: quiet()}
	p := pipeline("o", newShop(100, 10), bs)
	p.Transformer = tr
	res := r.Run(ctx, p)[0]
	require.NoError(t, res.Err)
	require.True(t, bs.overlaped.Load(), "batch 2 was transformed while batch 1 was being written")
	require.EqualValues(t, 100, res.Rows["staging.test_orders"])
	require.Equal(t, expected(newShop(100, 10)), contents(t, bs.DB()))
}

// While the writer is stuck on batch 1, the transformer finishes batch 2
// and waits: memory holds at most two batches.
func TestWriterBoundsBatchesInFlight(t *testing.T) {
	ctx := context.Background()
	release := make(chan struct{})
	tr := &signalTransformer{at: "never", reached: make(chan struct{})}
	ws := &gateSink{Sink: openSink(t), gate: release, tr: tr}
	r := &connector.Runner{BatchSize: 30, CheckpointInterval: time.Hour, PageBuffer: 1, Logger: quiet()}
	p := pipeline("b", newShop(100, 10), ws)
	p.Transformer = tr
	done := make(chan connector.Result)
	go func() { done <- r.Run(ctx, p)[0] }()
	// Wait until the transformer has done batch 2 (20 records), then give it
	// time to (wrongly) go on.
	for tr.count.Load() < 20 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	require.LessOrEqual(t, tr.count.Load(), int64(20), "the transformer ran more than one batch ahead of the writer")
	close(release)
	res := <-done
	require.NoError(t, res.Err)
	require.EqualValues(t, 100, res.Rows["staging.test_orders"])
}

type gateSink struct {
	*sqlite.Sink
	gate <-chan struct{}
	tr   *signalTransformer
}

func (g *gateSink) Write(ctx context.Context, b *connector.Batch) error {
	<-g.gate
	return g.Sink.Write(ctx, b)
}

// The writer stage keeps Ctrl-C semantics: with writes slower than reads,
// cancelling flushes what was read, commits its checkpoint and reports
// interrupted; the next run resumes and ends identical.
func TestWriterInterruptFlushesEverythingRead(t *testing.T) {
	ctx := context.Background()
	want := func() string {
		sink := openSink(t)
		res := (&connector.Runner{Logger: quiet()}).Run(ctx, pipeline("p", newShop(200, 10), sink))[0]
		require.NoError(t, res.Err)
		return contents(t, sink.DB())
	}()
	sink := openSink(t)
	src := newShop(200, 10)
	cctx, cancel := context.WithCancel(ctx)
	src.onPage = func(n int) {
		if n == 7 {
			cancel()
		}
	}
	var committed atomic.Value
	r := &connector.Runner{BatchSize: 20, Logger: quiet(), Observer: func(e connector.Event) {
		if e.Kind == connector.CheckpointCommitted {
			committed.Store(string(e.Checkpoint))
		}
	}}
	res := r.Run(cctx, pipeline("p", src, sink))[0]
	require.Equal(t, connector.StatusInterrupted, res.Status)
	cp, err := sink.LoadCheckpoint(ctx, "p", "orders")
	require.NoError(t, err)
	require.Equal(t, committed.Load(), string(cp), "the last committed checkpoint is the stored one")
	var n int64
	require.NoError(t, sink.DB().QueryRow(`SELECT count(*) FROM test_orders`).Scan(&n))
	require.Equal(t, res.Records, n, "every record read was stored")
	src.onPage = nil
	res = r.Run(ctx, pipeline("p", src, sink))[0]
	require.NoError(t, res.Err)
	require.Equal(t, want, contents(t, sink.DB()))
}
