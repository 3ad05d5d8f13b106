package connector_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/stretchr/testify/require"
)

// panicTransformer panics on the record with key at.
type panicTransformer struct {
	shopTransformer
	at string
}

func (p panicTransformer) Transform(rec connector.Record, out connector.Output) error {
	if rec.Key == p.at {
		var m map[string]int
		m["boom"]++ // a real nil-map panic, not a string
	}
	return p.shopTransformer.Transform(rec, out)
}

// panicSink panics on its n-th write (1-based).
type panicSink struct {
	*sqlite.Sink
	n, writes atomic.Int64
}

func (p *panicSink) Write(ctx context.Context, b *connector.Batch) error {
	if p.writes.Add(1) == p.n.Load() {
		panic("sink exploded")
	}
	return p.Sink.Write(ctx, b)
}

// panicStreams is a source whose Streams panics.
type panicStreams struct{}

func (panicStreams) Streams() []connector.Stream { panic("no streams today") }

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A panic in a pipeline's stream reader, transformer, sink write or source
// fails that pipeline only, with the panic in its error and the stack in the
// log; the healthy pipeline run beside them is stored, and what the
// panicking ones stored before the panic keeps its checkpoint.
func TestRunnerPanicFailsOnlyItsPipeline(t *testing.T) {
	ctx := context.Background()
	healthySink, sharedSink := openSink(t), openSink(t)
	healthy := newShop(50, 10)

	reader := newShop(50, 10)
	reader.onPage = func(n int) {
		if n == 2 {
			panic("reader exploded")
		}
	}
	transformer := pipeline("transformer", newShop(50, 10), sharedSink)
	transformer.Transformer = panicTransformer{at: "ORD00015"}
	ps := &panicSink{Sink: sharedSink}
	ps.n.Store(2)
	streams := pipeline("streams", panicStreams{}, sharedSink)

	var logs syncBuffer
	r := &connector.Runner{Logger: slog.New(slog.NewTextHandler(&logs, nil)), FullLoadCheckpointInterval: -1}
	res := r.Run(ctx, pipeline("reader", reader, sharedSink), transformer, pipeline("healthy", healthy, healthySink),
		pipeline("sink", newShop(50, 10), ps), streams)

	require.Equal(t, connector.StatusOK, res[2].Status, "%v", res[2].Err)
	require.EqualValues(t, 50, res[2].Records)
	require.Equal(t, expected(healthy), contents(t, healthySink.DB()))

	for i, want := range map[int]string{0: "stream reader panicked: reader exploded", 1: "transformer panicked: assignment to entry in nil map",
		3: "sink write panicked: sink exploded", 4: "pipeline panicked: no streams today"} {
		require.Equal(t, connector.StatusFailed, res[i].Status, res[i].Pipeline)
		require.ErrorContains(t, res[i].Err, want)
		var pe *connector.PanicError
		require.True(t, errors.As(res[i].Err, &pe), "%v", res[i].Err)
		require.NotEmpty(t, pe.Stack)
	}
	require.ErrorContains(t, res[1].Err, "record ORD00015", "the record the transformer panicked on is named")
	for name, seq := range map[string]string{"reader": `{"seq":20}`, "transformer": `{"seq":10}`, "sink": `{"seq":10}`} {
		cp, err := sharedSink.LoadCheckpoint(ctx, name, "orders")
		require.NoError(t, err)
		require.JSONEq(t, seq, string(cp), "%s: what was stored before the panic keeps its checkpoint", name)
	}
	out := logs.String()
	require.Contains(t, out, "pipeline panicked")
	require.Contains(t, out, "panic_test.go", "the stack is logged")
}

// loadPanicSink panics when the checkpoint of stream loads.
type loadPanicSink struct {
	*sqlite.Sink
	stream string
}

func (s loadPanicSink) LoadCheckpoint(ctx context.Context, pipeline, stream string) (connector.Checkpoint, error) {
	if stream == s.stream {
		panic("checkpoint store exploded")
	}
	return s.Sink.LoadCheckpoint(ctx, pipeline, stream)
}

// A panic in the goroutine of one stream of a ParallelSource (here its
// checkpoint store) fails that stream, recorded as FAILED in the run
// history; the stream read beside it finishes.
func TestRunnerParallelStreamPanicLetsSiblingsFinish(t *testing.T) {
	ctx := context.Background()
	sink := openSink(t)
	m := newMultiShop(2, 30, 10, 2)
	res := (&connector.Runner{Logger: quietLogger()}).RunPipeline(ctx,
		pipeline("par", parallelMultiShop{m}, loadPanicSink{Sink: sink, stream: "orders_1"}))
	require.Equal(t, connector.StatusFailed, res.Status)
	require.ErrorContains(t, res.Err, "pipeline par, stream orders_1: stream panicked: checkpoint store exploded")
	require.NotContains(t, res.Err.Error(), "orders_0")
	cp, err := sink.LoadCheckpoint(ctx, "par", "orders_0")
	require.NoError(t, err)
	require.JSONEq(t, `{"seq":30}`, string(cp), "the sibling finished")
	var state string
	require.NoError(t, sink.DB().QueryRow(`SELECT status FROM etl_control_batch_runs WHERE pipeline = 'par' AND table_name = 'orders_1'`).Scan(&state))
	require.Equal(t, "FAILED", state)
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
