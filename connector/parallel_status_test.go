package connector_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/stretchr/testify/require"
)

// leaseWatchSink is a SQLite sink that reports each stream whose lease was
// asked for, once the answer is known.
type leaseWatchSink struct {
	*sqlite.Sink
	asked chan string
}

func (s leaseWatchSink) Lease(ctx context.Context, pipeline, stream string, wait time.Duration) (*connector.Lease, error) {
	l, err := s.Sink.Lease(ctx, pipeline, stream, wait)
	s.asked <- stream
	return l, err
}

// A stream that fails while a sibling is skipped because another worker
// holds its lease: the pipeline failed, and must say so. Reporting it as
// StatusSkipped (the status of "another worker is on it, nothing wrong")
// hides the failure: examples/sync exits with exitSkipped, not exitFailed.
func TestParallelFailureNotMaskedByHeldLease(t *testing.T) {
	ctx := context.Background()
	inner := openSink(t)
	held, err := inner.Lease(ctx, "mixed", "orders_1", 0) // another worker syncs orders_1
	require.NoError(t, err)
	defer held.Release()
	sink := leaseWatchSink{Sink: inner, asked: make(chan string, 2)}

	m := newMultiShop(2, 50, 10, 2)
	m.shops[0].failAt = 2
	m.before = func(i int) error {
		if i != 0 {
			return nil
		}
		// orders_0 fails only once orders_1 was refused its lease.
		for {
			select {
			case s := <-sink.asked:
				if s == "orders_1" {
					return nil
				}
			case <-time.After(30 * time.Second):
				return errors.New("orders_1 was never started")
			}
		}
	}
	res := (&connector.Runner{}).RunPipeline(ctx, pipeline("mixed", parallelMultiShop{m}, sink))
	require.ErrorIs(t, res.Err, connector.ErrLeaseHeld)
	require.ErrorContains(t, res.Err, "platform exploded")
	require.Equal(t, connector.StatusFailed, res.Status, "a real failure of orders_0 reported as %s: %v", res.Status, res.Err)
}

// runWatchSink is a SQLite sink that reports each stream whose run ended.
type runWatchSink struct {
	*sqlite.Sink
	finished chan connector.Run
}

func (s runWatchSink) FinishRun(ctx context.Context, run connector.Run) error {
	err := s.Sink.FinishRun(ctx, run)
	s.finished <- run
	return err
}

// A stream fails; its sibling goes on (streams read at once) and the run is
// then stopped (Ctrl-C). The failure happened first and is real: the
// pipeline failed. Reporting StatusInterrupted ("what was read is stored;
// the next run resumes") hides it: examples/sync exits exitInterrupted. One
// stream after the other, the failure would have ended the pipeline before
// the stop.
func TestParallelFailureNotMaskedByLaterStop(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sink := runWatchSink{Sink: openSink(t), finished: make(chan connector.Run, 2)}
	m := newMultiShop(2, 100, 10, 2)
	m.shops[0].failAt = 1
	m.shops[1].onPage = func(n int) {
		if n != 2 {
			return
		}
		select { // orders_0 has failed and recorded it
		case run := <-sink.finished:
			require.Equal(t, "orders_0", run.Stream)
			require.Equal(t, connector.RunFailed, run.State)
		case <-time.After(30 * time.Second):
			t.Error("orders_0 never ended")
		}
		cancel() // then the operator stops the run
	}
	res := (&connector.Runner{}).RunPipeline(ctx, pipeline("stopped", parallelMultiShop{m}, sink))
	require.ErrorContains(t, res.Err, "platform exploded")
	require.ErrorIs(t, res.Err, context.Canceled)
	require.Equal(t, connector.StatusFailed, res.Status, "orders_0's failure reported as %s: %v", res.Status, res.Err)
}
