package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/stretchr/testify/require"
)

// A leased run's success is marked on the stream's lease row with the
// run's end, before the lease is given back: a worker killed in between
// leaves the stream fresh.
func TestLeasedSuccessIsMarkedWithTheRun(t *testing.T) {
	ctx := context.Background()
	s := open(t, sqlite.Config{Path: filepath.Join(t.TempDir(), "w.db")})
	l, err := s.Lease(ctx, "shopee/1", "orders", 0)
	require.NoError(t, err)
	defer l.Release()
	run := connector.Run{ID: "00000000-0000-4000-8000-000000000003", Pipeline: "shopee/1", Platform: "shopee", Account: "1", Stream: "orders",
		Start: time.Now(), State: connector.RunRunning, Leased: true, Mode: connector.Incremental}
	require.NoError(t, s.StartRun(ctx, run))
	state, err := s.InspectLease(ctx, "shopee/1", "orders")
	require.NoError(t, err)
	require.False(t, state.FreshWithin(time.Hour, connector.Incremental), "not fresh while running")
	run.End, run.State = time.Now(), connector.RunSuccess
	require.NoError(t, s.FinishRun(ctx, run))
	state, err = s.InspectLease(ctx, "shopee/1", "orders")
	require.NoError(t, err)
	require.True(t, state.Held, "the lease is still held")
	require.True(t, state.FreshWithin(time.Hour, connector.Incremental), "fresh once the run's success is recorded")
	require.False(t, state.FreshWithin(time.Hour, connector.Full), "an incremental success does not make a full run fresh")
	var status string
	require.NoError(t, s.DB().QueryRow(`SELECT status FROM etl_control_batch_runs WHERE batch_id = ?`, run.ID).Scan(&status))
	require.Equal(t, "SUCCESS", status)

	// A failed run marks nothing.
	l2, err := s.Lease(ctx, "shopee/2", "orders", 0)
	require.NoError(t, err)
	defer l2.Release()
	failed := connector.Run{ID: "00000000-0000-4000-8000-000000000004", Pipeline: "shopee/2", Platform: "shopee", Account: "2", Stream: "orders",
		Start: time.Now(), State: connector.RunRunning, Leased: true, Mode: connector.Incremental}
	require.NoError(t, s.StartRun(ctx, failed))
	failed.End, failed.State, failed.Error = time.Now(), connector.RunFailed, "boom"
	require.NoError(t, s.FinishRun(ctx, failed))
	state, err = s.InspectLease(ctx, "shopee/2", "orders")
	require.NoError(t, err)
	require.True(t, state.LastSuccess.IsZero())
}

// LastSuccesses lists the last success of every stream of the pipelines
// named (in statements of a few hundred names), and nothing of the others.
func TestLastSuccesses(t *testing.T) {
	ctx := context.Background()
	s := open(t, sqlite.Config{Path: filepath.Join(t.TempDir(), "w.db")})
	var _ connector.SuccessLister = s
	mark := func(pipeline, stream string, mode connector.Mode) {
		l, err := s.Lease(ctx, pipeline, stream, 0)
		require.NoError(t, err)
		require.NoError(t, l.ReleaseSucceeded(mode))
	}
	mark("p/1", "orders", connector.Incremental)
	mark("p/1", "escrow", connector.Full)
	mark("p/700", "orders", connector.Incremental)
	mark("other/1", "orders", connector.Incremental)
	l, err := s.Lease(ctx, "p/2", "orders", 0) // held, never succeeded
	require.NoError(t, err)
	defer l.Release()

	var names []string
	for i := 0; i < 1200; i++ {
		names = append(names, fmt.Sprintf("p/%d", i))
	}
	before := time.Now()
	now, last, err := s.LastSuccesses(ctx, names)
	require.NoError(t, err)
	require.False(t, now.Before(before))
	got := map[string]connector.Mode{}
	for _, x := range last {
		require.WithinDuration(t, now, x.At, time.Minute)
		got[x.Pipeline+"/"+x.Stream] = x.Mode
	}
	require.Equal(t, map[string]connector.Mode{"p/1/orders": connector.Incremental, "p/1/escrow": connector.Full, "p/700/orders": connector.Incremental}, got)

	_, last, err = s.LastSuccesses(ctx, nil)
	require.NoError(t, err)
	require.Empty(t, last)
}
