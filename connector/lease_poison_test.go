package connector_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/stretchr/testify/require"
)

// takeoverSink lets another worker take the stream's lease over right
// after the n-th write of this one succeeded.
type takeoverSink struct {
	*sqlite.Sink
	other  *sqlite.Sink
	n      int64
	writes atomic.Int64
	taken  *connector.Lease
	fences []connector.Fence
}

func (s *takeoverSink) Write(ctx context.Context, b *connector.Batch) error {
	if b.Fence != nil {
		s.fences = append(s.fences, *b.Fence)
	} else {
		s.fences = append(s.fences, connector.Fence{})
	}
	err := s.Sink.Write(ctx, b)
	if s.writes.Add(1) == s.n && err == nil {
		// This worker pauses past its lease's expiry; the other takes over.
		if _, err := s.DB().Exec(`UPDATE etl_control_leases SET expires_at = ?`, time.Now().Add(-time.Second).UTC().Format("2006-01-02T15:04:05.000000Z")); err != nil {
			return err
		}
		if s.taken, err = s.other.Lease(ctx, b.Pipeline, b.Stream, 0); err != nil {
			return err
		}
	}
	return err
}

// A worker that loses its lease while it isolates a record the warehouse
// refuses (its batch written in halves, each its own transaction) commits
// nothing after the takeover: every half carries the fence, so neither the
// remaining halves, nor the quarantine, nor the checkpoint land.
func TestSubBatchesOfAnIsolationAreFenced(t *testing.T) {
	ctx := context.Background()
	a := openSink(t)
	b, err := sqlite.Open(ctx, sqlite.Config{Path: a.Path()})
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	require.NoError(t, a.Prepare(ctx, shopTransformer{}.Tables()))
	for _, ev := range []string{"INSERT", "UPDATE"} {
		_, err := a.DB().Exec(`CREATE TRIGGER refuse_poison_` + ev + ` BEFORE ` + ev + ` ON test_orders
			WHEN NEW.status = 'POISON' BEGIN SELECT RAISE(ABORT, 'status POISON refused'); END`)
		require.NoError(t, err)
	}
	src := newShop(25, 25)
	src.change("ORD00020", func(o *order) { o.Status = "POISON" })
	// Write 1: the whole batch (refused); write 2: its first half [0,12),
	// committed; then the takeover.
	s := &takeoverSink{Sink: a, other: b, n: 2}
	res := (&connector.Runner{BatchSize: 1000, Logger: quiet()}).Run(ctx, pipeline("shop", src, s))[0]
	require.Equal(t, connector.StatusFailed, res.Status)
	require.ErrorIs(t, res.Err, connector.ErrLeaseLost)
	require.NotNil(t, s.taken, "the takeover happened")
	defer s.taken.Release()

	require.Greater(t, len(s.fences), 2, "the isolation went on writing after the takeover")
	for i, f := range s.fences {
		require.Equal(t, s.fences[0], f, "write %d carries the stream's fence", i)
	}
	require.NotEmpty(t, s.fences[0].Holder)
	var n int
	require.NoError(t, a.DB().QueryRow(`SELECT count(*) FROM test_orders`).Scan(&n))
	require.Equal(t, 12, n, "only the half committed before the takeover")
	rej, err := a.ReadRejected(ctx, "shop", "orders")
	require.NoError(t, err)
	require.Empty(t, rej, "no quarantine after the takeover")
	cp, err := a.LoadCheckpoint(ctx, "shop", "orders")
	require.NoError(t, err)
	require.Nil(t, cp, "no checkpoint after the takeover")
}
