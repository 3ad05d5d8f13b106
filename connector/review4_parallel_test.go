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
func TestReview4ParallelFailureNotMaskedByHeldLease(t *testing.T) {
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
