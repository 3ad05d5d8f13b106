package connector_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/stretchr/testify/require"
)

// multiShop is a source of several streams ("orders_0", "orders_1", ...),
// each reading its own shop whose order ids carry the stream's number. It
// is a ParallelSource unless serial is set.
type multiShop struct {
	shops []*shop
	par   int
	// barrier: the first barrier streams to start wait, before reading,
	// until all of them have started (proof that they run at once).
	barrier int
	arrived chan struct{}

	running, maxRunning atomic.Int64
	started             []atomic.Bool
	// before, if set, runs before stream i reads.
	before func(i int) error
}

func newMultiShop(streams, orders, page, par int) *multiShop {
	m := &multiShop{par: par, started: make([]atomic.Bool, streams), arrived: make(chan struct{}, streams)}
	for k := range streams {
		s := newShop(0, page)
		for i := range orders {
			s.put(&order{ID: fmt.Sprintf("S%d-ORD%04d", k, i), Status: "UNPAID", Total: fmt.Sprintf("%d.25", 1000*(k+1)+i),
				Items: []string{fmt.Sprintf("SKU-%d-%d", k, i)}})
		}
		m.shops = append(m.shops, s)
	}
	return m
}

func (m *multiShop) Streams() []connector.Stream {
	var out []connector.Stream
	for i, s := range m.shops {
		out = append(out, multiStream{m: m, i: i, inner: shopStream{s}})
	}
	return out
}

// parallelMultiShop is a multiShop that lets the runner read its streams at once.
type parallelMultiShop struct{ *multiShop }

func (p parallelMultiShop) StreamParallelism() int { return p.par }

type multiStream struct {
	m     *multiShop
	i     int
	inner shopStream
}

func (s multiStream) Name() string { return fmt.Sprintf("orders_%d", s.i) }

func (s multiStream) Read(ctx context.Context, opts connector.ReadOptions, emit connector.EmitFunc) error {
	m := s.m
	m.started[s.i].Store(true)
	n := m.running.Add(1)
	defer m.running.Add(-1)
	for {
		old := m.maxRunning.Load()
		if n <= old || m.maxRunning.CompareAndSwap(old, n) {
			break
		}
	}
	if s.i < m.barrier {
		m.arrived <- struct{}{}
		// Wait until the other barrier streams have started too: they can
		// only if the runner reads them at once. The bound only ends a
		// runner that reads them one after the other.
		deadline := time.After(30 * time.Second)
		for len(m.arrived) < m.barrier {
			select {
			case <-deadline:
				return errors.New("the other streams did not start: streams are read one after the other")
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Millisecond):
			}
		}
	}
	if m.before != nil {
		if err := m.before(s.i); err != nil {
			return err
		}
	}
	return s.inner.Read(ctx, opts, emit)
}

// multiExpected is what the sink must hold after all shops are loaded.
func multiExpected(m *multiShop) string {
	all := newShop(0, 1)
	for _, s := range m.shops {
		for _, o := range s.snapshot() {
			all.orders[o.ID] = &o
		}
	}
	return expected(all)
}

func TestRunnerReadsParallelSourceStreamsAtOnce(t *testing.T) {
	ctx := context.Background()
	sink := openSink(t)
	m := newMultiShop(3, 120, 25, 3)
	m.barrier = 3
	src := parallelMultiShop{m}
	r := &connector.Runner{BatchSize: 40}
	res := r.RunPipeline(ctx, pipeline("multi", src, sink))
	require.NoError(t, res.Err)
	require.Equal(t, connector.StatusOK, res.Status)
	require.EqualValues(t, 3, m.maxRunning.Load())
	require.EqualValues(t, 360, res.Records, "records of every stream are counted")
	require.EqualValues(t, 360, res.Rows["staging.test_orders"])
	require.EqualValues(t, 360, res.Rows["staging.test_items"])
	require.Equal(t, multiExpected(m), contents(t, sink.DB()))
	for i := range 3 {
		cp, err := sink.LoadCheckpoint(ctx, "multi", fmt.Sprintf("orders_%d", i))
		require.NoError(t, err)
		require.JSONEq(t, `{"seq":120}`, string(cp), "stream %d", i)
	}

	// An incremental run reads each stream from its own checkpoint.
	m.barrier = 0
	m.shops[0].change("S0-ORD0007", func(o *order) { o.Status = "SHIPPED" })
	m.shops[2].change("S2-ORD0100", func(o *order) { o.Status = "CANCELLED"; o.Items = nil })
	m.shops[2].put(&order{ID: "S2-NEW", Status: "UNPAID", Total: "5.00", Items: []string{"X"}})
	res = r.RunPipeline(ctx, pipeline("multi", src, sink))
	require.NoError(t, res.Err)
	require.EqualValues(t, 3, res.Records)
	require.Equal(t, multiExpected(m), contents(t, sink.DB()))
}

func TestRunnerStreamParallelCaps(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name                 string
		parallel             bool
		sourcePar, runnerPar int
		want                 int64 // most streams read at once
	}{
		{"not a ParallelSource", false, 4, 0, 1},
		{"runner reads one at a time", true, 4, 1, 1},
		{"source allows one", true, 1, 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sink := openSink(t)
			m := newMultiShop(4, 30, 7, tc.sourcePar)
			var src connector.Source = m
			if tc.parallel {
				src = parallelMultiShop{m}
			}
			res := (&connector.Runner{StreamParallel: tc.runnerPar}).RunPipeline(ctx, pipeline("cap", src, sink))
			require.NoError(t, res.Err)
			require.Equal(t, tc.want, m.maxRunning.Load())
			require.EqualValues(t, 120, res.Records)
			require.Equal(t, multiExpected(m), contents(t, sink.DB()))
		})
	}
	t.Run("runner caps the source", func(t *testing.T) {
		sink := openSink(t)
		m := newMultiShop(5, 30, 7, 5)
		m.barrier = 2 // the first two can only proceed together
		res := (&connector.Runner{StreamParallel: 2}).RunPipeline(ctx, pipeline("cap", parallelMultiShop{m}, sink))
		require.NoError(t, res.Err)
		require.EqualValues(t, 2, m.maxRunning.Load())
		require.Equal(t, multiExpected(m), contents(t, sink.DB()))
	})
}

// A stream that fails does not stop the streams running beside it: they
// finish, their data and checkpoints are stored, and the error names the
// failed stream.
func TestRunnerParallelStreamFailureLetsSiblingsFinish(t *testing.T) {
	ctx := context.Background()
	sink := openSink(t)
	m := newMultiShop(2, 100, 10, 2)
	m.barrier = 2
	m.shops[0].failAt = 3
	res := (&connector.Runner{}).RunPipeline(ctx, pipeline("fail", parallelMultiShop{m}, sink))
	require.Equal(t, connector.StatusFailed, res.Status)
	require.ErrorContains(t, res.Err, "pipeline fail, stream orders_0")
	require.ErrorContains(t, res.Err, "platform exploded")
	require.NotContains(t, res.Err.Error(), "orders_1")
	require.EqualValues(t, 120, res.Records, "20 of stream 0 before it failed, 100 of stream 1")

	cp, err := sink.LoadCheckpoint(ctx, "fail", "orders_0")
	require.NoError(t, err)
	require.JSONEq(t, `{"seq":20}`, string(cp), "the failed stream keeps the checkpoint of what it stored")
	cp, err = sink.LoadCheckpoint(ctx, "fail", "orders_1")
	require.NoError(t, err)
	require.JSONEq(t, `{"seq":100}`, string(cp), "the sibling finished")

	// The next run resumes the failed stream and reads nothing again of the other.
	m.shops[0].failAt = 0
	m.barrier = 0
	res = (&connector.Runner{}).RunPipeline(ctx, pipeline("fail", parallelMultiShop{m}, sink))
	require.NoError(t, res.Err)
	require.EqualValues(t, 80, res.Records)
	require.Equal(t, multiExpected(m), contents(t, sink.DB()))
}

// Once streams have failed, no further stream is started, and every
// failure is reported.
func TestRunnerParallelStreamFailuresStopStarting(t *testing.T) {
	ctx := context.Background()
	sink := openSink(t)
	m := newMultiShop(3, 50, 10, 2)
	m.barrier = 2
	m.before = func(i int) error { return fmt.Errorf("stream %d: %w", i, errBoom) }
	res := (&connector.Runner{}).RunPipeline(ctx, pipeline("boom", parallelMultiShop{m}, sink))
	require.Equal(t, connector.StatusFailed, res.Status)
	require.ErrorIs(t, res.Err, errBoom)
	require.ErrorContains(t, res.Err, "stream orders_0")
	require.ErrorContains(t, res.Err, "stream orders_1")
	require.False(t, m.started[2].Load(), "a stream after failures is not started")
	require.Zero(t, res.Records)
}

var errBoom = errors.New("boom")

// Cancelling the run stops every stream; what was read is stored with its
// checkpoint and the next run completes the load.
func TestRunnerParallelStreamsCancelAndResume(t *testing.T) {
	ctx := context.Background()
	sink := openSink(t)
	m := newMultiShop(3, 200, 10, 3)
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var once sync.Once
	var pages atomic.Int64
	for _, s := range m.shops {
		s.onPage = func(int) {
			if pages.Add(1) == 9 {
				once.Do(cancel)
			}
		}
	}
	res := (&connector.Runner{BatchSize: 30}).RunPipeline(cctx, pipeline("stop", parallelMultiShop{m}, sink))
	require.Equal(t, connector.StatusInterrupted, res.Status, "error: %v", res.Err)
	require.ErrorIs(t, res.Err, context.Canceled)
	require.Less(t, res.Records, int64(600))
	for _, s := range m.shops {
		s.onPage = nil
	}
	res = (&connector.Runner{}).RunPipeline(ctx, pipeline("stop", parallelMultiShop{m}, sink))
	require.NoError(t, res.Err)
	require.Less(t, res.Records, int64(600), "the second run resumes every stream from its checkpoint")
	require.Equal(t, multiExpected(m), contents(t, sink.DB()))
}
