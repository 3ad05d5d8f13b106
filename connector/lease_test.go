package connector_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/stretchr/testify/require"
)

// A worker paused in the middle of a stream past its lease's expiry
// resumes after another worker took the stream over and finished it: the
// runner fences its writes, so none of them lands, it fails with
// ErrLeaseLost, and the checkpoint stays the other worker's (it never moves
// backwards).
func TestRunnerFencesAWorkerThatLostItsLease(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.db")
	const ttl = time.Minute
	open := func(ahead time.Duration) *sqlite.Sink {
		s, err := sqlite.Open(ctx, sqlite.Config{Path: path, LeaseTTL: ttl, Now: func() time.Time { return time.Now().Add(ahead) }})
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		return s
	}
	sinkA, sinkB := open(0), open(2*ttl) // B's Auto-column clock runs ahead (leases use the host's)

	// A reads 50 orders (all marked STALE) in pages of 5; B's shop has
	// moved on to 60 orders.
	srcA, srcB := newShop(50, 5), newShop(60, 5)
	for _, o := range srcA.orders {
		o.Status = "STALE"
	}
	var resB connector.Result
	srcA.onPage = func(n int) {
		if n == 2 { // A pauses here past its lease's expiry; B takes over and finishes the stream
			_, err := sinkA.DB().Exec(`UPDATE etl_control_leases SET expires_at = ?`, time.Now().Add(-time.Second).UTC().Format("2006-01-02T15:04:05.000000Z"))
			require.NoError(t, err)
			resB = (&connector.Runner{}).Run(ctx, pipeline("shop", srcB, sinkB))[0]
		}
	}
	resA := (&connector.Runner{}).Run(ctx, pipeline("shop", srcA, sinkA))[0]

	require.Equal(t, connector.StatusOK, resB.Status, "%v", resB.Err)
	require.Equal(t, connector.StatusFailed, resA.Status)
	require.ErrorIs(t, resA.Err, connector.ErrLeaseLost)
	cp, err := sinkA.LoadCheckpoint(ctx, "shop", "orders")
	require.NoError(t, err)
	require.JSONEq(t, `{"seq":60}`, string(cp), "B's checkpoint stays")
	var stale int
	require.NoError(t, sinkA.DB().QueryRow(`SELECT count(*) FROM test_orders WHERE status = 'STALE'`).Scan(&stale))
	require.LessOrEqual(t, stale, 10, "only what A committed before its pause (2 pages) is A's")
}

// stuckSink's writes after the first wait until their context ends, like a
// write stuck on a lock or a pool.
type stuckSink struct {
	*sqlite.Sink
	writes chan struct{}
	// stuck is closed when a write starts hanging (when set).
	stuck     chan struct{}
	stuckOnce sync.Once
}

func (s *stuckSink) Write(ctx context.Context, b *connector.Batch) error {
	select {
	case s.writes <- struct{}{}:
		return s.Sink.Write(ctx, b)
	default:
	}
	if s.stuck != nil {
		s.stuckOnce.Do(func() { close(s.stuck) })
	}
	<-ctx.Done()
	return context.Cause(ctx)
}

// Ctrl-C ends a run whose write is stuck, with a clear error, once
// Runner.StopGrace has passed.
func TestRunnerStopEndsAStuckWrite(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s := &stuckSink{Sink: openSink(t), writes: make(chan struct{}, 1), stuck: make(chan struct{})}
	src := newShop(50, 5)
	go func() {
		<-s.stuck
		cancel() // Ctrl-C while the second write hangs
	}()
	done := make(chan connector.Result)
	go func() {
		done <- (&connector.Runner{StopGrace: 100 * time.Millisecond, FullLoadCheckpointInterval: -1}).Run(ctx, pipeline("stuck", src, s))[0]
	}()
	select {
	case res := <-done:
		require.Equal(t, connector.StatusInterrupted, res.Status)
		require.ErrorContains(t, res.Err, "writes did not finish within 100ms")
		require.True(t, errors.Is(res.Err, context.Canceled), "%v", res.Err)
	case <-time.After(30 * time.Second):
		t.Fatal("the stopped run is still stuck in a write")
	}
}
