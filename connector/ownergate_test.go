package connector_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/testsinks"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/stretchr/testify/require"
)

// onMessage is a slog handler that calls f with every message (all levels).
type onMessage struct{ f func(string) }

func (h onMessage) Enabled(context.Context, slog.Level) bool { return true }
func (h onMessage) Handle(_ context.Context, r slog.Record) error {
	h.f(r.Message)
	return nil
}
func (h onMessage) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h onMessage) WithGroup(string) slog.Handler      { return h }

// startStuckOwner starts the worker of shard (one pipeline at a time) on ps
// and returns once it holds its shard's presence and is stuck in the first
// of its own pipelines (owned), which goes on when release is called.
func startStuckOwner(ctx context.Context, shard connector.Shard, ps []connector.Pipeline, owned []bool) (<-chan []connector.Result, func()) {
	var once sync.Once
	unblock := make(chan struct{})
	release := func() { once.Do(func() { close(unblock) }) }
	blocked := make(chan struct{})
	for i := range ps {
		if owned[i] {
			ps[i].Source = &hookedShop{scaleShop: ps[i].Source.(*scaleShop), onRead: func() {
				select {
				case <-blocked:
				default:
					close(blocked)
					<-unblock
				}
			}}
			break
		}
	}
	w := &connector.Runner{Shard: shard, Help: true, Watch: true, WatchEvery: 5 * time.Millisecond, FreshWithin: time.Hour,
		OwnerGrace: time.Hour, Parallel: 1, Logger: quietLogger()}
	done := make(chan []connector.Result, 1)
	go func() { done <- w.Run(ctx, ps...) }()
	<-blocked
	return done, release
}

// releaseOnWait is a logger that calls release when its worker decides to
// wait for another shard's owner.
func releaseOnWait(release func()) *slog.Logger {
	return slog.New(onMessage{func(m string) {
		if m == "helping: waiting for the shard's owner" {
			release()
		}
	}})
}

// A worker that has finished its own shard leaves the pipelines of a live
// owner to it, even those the owner has not started yet: worker B holds
// its shard's presence and is stuck in its first pipeline (one at a time)
// until worker A, done with its own shard, has decided to wait for B. A
// then reads none of B's pipelines, B runs all of them, and every stream
// succeeds once.
func TestHelperLeavesALiveOwnerItsShard(t *testing.T) {
	eachWarehouse(t, func(t *testing.T, w warehouse) {
		const shops = 8
		ctx := context.Background()
		shardA, shardB := connector.Shard{Index: 0, Count: 2}, connector.Shard{Index: 1, Count: 2}
		psA, psB := scalePipelines(w.open(0), shops), scalePipelines(w.open(0), shops)
		names := make([]string, shops)
		for i, p := range psA {
			names[i] = p.Name
		}
		ownedB := shardB.Owned(names)

		var helpedReads atomic.Int64
		var release func()
		for i := range psA {
			if ownedB[i] {
				psA[i].Source = &hookedShop{scaleShop: psA[i].Source.(*scaleShop), onRead: func() { helpedReads.Add(1); release() }}
			}
		}
		doneB, release := startStuckOwner(ctx, shardB, psB, ownedB)

		workerA := &connector.Runner{Shard: shardA, Help: true, Watch: true, WatchEvery: 5 * time.Millisecond, FreshWithin: time.Hour,
			OwnerGrace: time.Hour, Logger: releaseOnWait(release)}
		resA := workerA.Run(ctx, psA...)
		release()
		resB := <-doneB

		require.Zero(t, helpedReads.Load(), "pipelines of a live owner read by the helper")
		for i := range names {
			if ownedB[i] {
				require.Equal(t, connector.StatusOK, resB[i].Status, "%s: %v", names[i], resB[i].Err)
				require.Contains(t, []connector.Status{connector.StatusFresh, connector.StatusOtherShard}, resA[i].Status, names[i])
			} else {
				require.Equal(t, connector.StatusOK, resA[i].Status, "%s: %v", names[i], resA[i].Err)
			}
		}
		for p, n := range runsByStatus(t, w) {
			require.Equal(t, 1, n["SUCCESS"], "%s: %v", p, n)
			require.Zero(t, n["RUNNING"], p)
		}
		require.Equal(t, shops*12, rowCount(t, w))
	})
}

// An owner that never shows up: once the grace period has passed, the
// helper runs its shard.
func TestHelperRunsTheShardOfAMissingOwner(t *testing.T) {
	eachWarehouse(t, func(t *testing.T, w warehouse) {
		const shops = 8
		res := (&connector.Runner{Shard: connector.Shard{Index: 0, Count: 2}, Help: true, Watch: true, WatchEvery: 5 * time.Millisecond,
			FreshWithin: time.Hour, OwnerGrace: time.Millisecond, Logger: quietLogger()}).Run(context.Background(), scalePipelines(w.open(0), shops)...)
		for _, r := range res {
			require.Equal(t, connector.StatusOK, r.Status, "%s: %v", r.Pipeline, r.Err)
		}
		for p, n := range runsByStatus(t, w) {
			require.Equal(t, 1, n["SUCCESS"], "%s: %v", p, n)
		}
	})
}

// sqliteCounter counts the reads of last successes of a SQLite sink.
type sqliteCounter struct {
	*sqlite.Sink
	lists atomic.Int64
}

func (c *sqliteCounter) LastSuccesses(ctx context.Context, pipelines []string) (time.Time, []connector.StreamSuccess, error) {
	c.lists.Add(1)
	return c.Sink.LastSuccesses(ctx, pipelines)
}

// A helper waiting on a live owner that then finishes its shard reads the
// shard's last successes again once it may help, however long ago
// (WatchEvery) it read them last, so that it finds the finished pipelines
// done in that read rather than by a lease read per stream: the end of an
// idle cycle is not held up by the helper going over a finished shard
// stream by stream.
func TestHelperSeesAFinishedOwnerInOneRead(t *testing.T) {
	const shops = 8
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "owner.db")
	shardA, shardB := connector.Shard{Index: 0, Count: 2}, connector.Shard{Index: 1, Count: 2}
	counter := &sqliteCounter{Sink: testsinks.SQLite(t, path, sqlite.Config{})}
	psA, psB := scalePipelines(counter, shops), scalePipelines(testsinks.SQLite(t, path, sqlite.Config{}), shops)
	names := make([]string, shops)
	for i, p := range psA {
		names[i] = p.Name
	}
	ownedB := shardB.Owned(names)

	doneB, release := startStuckOwner(ctx, shardB, psB, ownedB)

	// A reads the last successes once while it waits (B's pipelines not
	// done), and would not again for an hour.
	workerA := &connector.Runner{Shard: shardA, Help: true, Watch: true, WatchEvery: time.Hour, FreshWithin: time.Hour,
		OwnerGrace: time.Hour, Logger: releaseOnWait(release)}
	resA := workerA.Run(ctx, psA...)
	release()
	resB := <-doneB

	for i := range names {
		if ownedB[i] {
			require.Equal(t, connector.StatusOK, resB[i].Status, "%s: %v", names[i], resB[i].Err)
			require.Equal(t, connector.StatusFresh, resA[i].Status, names[i])
		} else {
			require.Equal(t, connector.StatusOK, resA[i].Status, "%s: %v", names[i], resA[i].Err)
		}
	}
	require.GreaterOrEqual(t, counter.lists.Load(), int64(2), "reads of the last successes: while waiting, and again once the owner finished")
}

// presenceSpy is a SQLite sink that notes whether the shard presence lease
// it gave out has been given back, and with a success.
type presenceSpy struct {
	*sqlite.Sink
	released, succeeded atomic.Bool
}

func (s *presenceSpy) Lease(ctx context.Context, pipeline, stream string, wait time.Duration) (*connector.Lease, error) {
	l, err := s.Sink.Lease(ctx, pipeline, stream, wait)
	if err != nil || !strings.HasPrefix(pipeline, "etl-shard/") {
		return l, err
	}
	info := connector.LeaseInfo{Fence: l.Fence, Acquired: l.Acquired, LastSuccess: l.LastSuccess, LastMode: l.LastMode, TookOver: l.TookOver}
	return connector.NewLeaseWith(info, func(success *connector.Success) error {
		var err error
		if success != nil {
			err = l.ReleaseSucceeded(success.Mode)
		} else {
			err = l.Release()
		}
		s.succeeded.Store(err == nil && success != nil)
		s.released.Store(err == nil)
		return err
	}), nil
}

// Run gives its shard's presence back before it returns, with or without
// help (nothing waits for the owner's end then) and whether ctx ends or
// not: a caller that closes the sink, exits or starts the next cycle
// right after Run must not leave the presence held (helpers would see a
// live owner until it expires, and the next cycle could not take it).
func TestRunGivesItsPresenceBackBeforeItReturns(t *testing.T) {
	for _, tc := range []struct {
		name   string
		help   bool
		cancel bool
	}{{"no help", false, false}, {"help, cancelled", true, true}} {
		t.Run(tc.name, func(t *testing.T) {
			spy := &presenceSpy{Sink: testsinks.SQLite(t, filepath.Join(t.TempDir(), "presence.db"), sqlite.Config{})}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			ps := scalePipelines(spy, 8)
			if tc.cancel {
				for i := range ps {
					ps[i].Source = &hookedShop{scaleShop: ps[i].Source.(*scaleShop), onRead: cancel}
				}
			}
			r := &connector.Runner{Shard: connector.Shard{Index: 0, Count: 2}, Help: tc.help, FreshWithin: time.Hour, Logger: quietLogger()}
			r.Run(ctx, ps...)
			require.True(t, spy.released.Load(), "Run returned before its shard's presence was given back")
			require.Equal(t, !tc.cancel, spy.succeeded.Load(), "presence given back with a success")
		})
	}
}
