package tiktok_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/testsinks"
	"github.com/facolos/etl/sink/postgres"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/facolos/etl/tiktok"
	"github.com/facolos/etl/tiktok/tiktoktest"
	"github.com/stretchr/testify/require"
)

// testSink is a sink the tests read back.
type testSink interface {
	connector.Sink
	tableReader
	LoadCheckpoint(ctx context.Context, pipeline, stream string) (connector.Checkpoint, error)
}

// eachSink runs f on a fresh SQLite file and, with ETL_TEST_POSTGRES_DSN
// set, on private schemas of a real PostgreSQL.
func eachSink(t *testing.T, f func(t *testing.T, sink testSink)) {
	t.Run("sqlite", func(t *testing.T) { f(t, openSink(t, "", sqlite.Config{})) })
	t.Run("postgres", func(t *testing.T) { f(t, testsinks.Postgres(t, "etl_tt", postgres.Config{})) })
}

// bounded is a runner that stops a run reading more than 60 pages (these
// shops have at most 5 pages: more is a client that does not end).
func bounded() (*connector.Runner, context.Context) {
	ctx, cancel := context.WithCancel(context.Background())
	var pages int
	return &connector.Runner{Logger: quiet, Observer: func(e connector.Event) {
		if e.Kind == connector.PageFetched {
			if pages++; pages > 60 {
				cancel()
			}
		}
	}}, ctx
}

func runCtx(ctx context.Context, r *connector.Runner, src *tiktok.Source, sink connector.Sink) connector.Result {
	return r.Run(ctx, connector.Pipeline{Name: "tiktok/shop-7", Platform: "tiktok", Account: "shop-7",
		Source: src, Transformer: src.Transformer(), Sink: sink})[0]
}

// checkpointOf returns the committed checkpoint, nil when none.
func checkpointOf(t *testing.T, sink testSink) *tiktok.Checkpoint {
	t.Helper()
	raw, err := sink.LoadCheckpoint(context.Background(), "tiktok/shop-7", "orders")
	require.NoError(t, err)
	if raw == nil {
		return nil
	}
	var cp tiktok.Checkpoint
	require.NoError(t, json.Unmarshal(raw, &cp))
	return &cp
}

// An order left out of a search page while total_count still counts it,
// or a page that comes back empty with no next_page_token while orders are
// still to come: when the platform answers right on the second read, the
// window read again stores every order; when it keeps answering wrong, the
// load fails naming the window and the checkpoint stays before it.
func TestSearchShortOfItsCount(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		pageSize int
		lies     func(orders []tiktoktest.Order) (tiktoktest.Lies, int64) // and the create time the checkpoint must not pass
	}{
		{"omitted order", 100, func(o []tiktoktest.Order) (tiktoktest.Lies, int64) {
			return tiktoktest.Lies{OmitOrder: o[150].ID}, o[150].CreateTime
		}},
		{"omitted order in a split window", 10, func(o []tiktoktest.Order) (tiktoktest.Lies, int64) {
			return tiktoktest.Lies{OmitOrder: o[3].ID}, o[3].CreateTime
		}},
		{"empty page with orders to come", 100, func(o []tiktoktest.Order) (tiktoktest.Lies, int64) {
			return tiktoktest.Lies{EmptyPage: 2}, o[100].CreateTime
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, times := range []int{1, 0} {
				eachSink(t, func(t *testing.T, sink testSink) {
					probe := newSim(t, tiktoktest.Options{Orders: 250})
					lies, at := c.lies(probe.Orders())
					lies.Times = times
					sim := newSim(t, tiktoktest.Options{Orders: 250, Lies: lies})
					cfg := config(sim, nil, connector.HTTPConfig{})
					cfg.PageSize = c.pageSize
					src, err := tiktok.NewSource(cfg)
					require.NoError(t, err)
					r, ctx := bounded()
					res := runCtx(ctx, r, src, sink)
					if times == 1 { // the second read answers right
						require.NoError(t, res.Err)
						require.Equal(t, int64(1), src.Stats()["window_rereads"])
						requireSameContents(t, expected(sim.Orders()), actual(t, sink))
						return
					}
					require.ErrorIs(t, res.Err, tiktok.ErrShortRead)
					require.ErrorContains(t, res.Err, "window [")
					if cp := checkpointOf(t, sink); cp != nil {
						require.Equal(t, "full", cp.Phase)
						require.LessOrEqual(t, cp.From, at, "the checkpoint stays before the window")
					}
				})
			}
		})
	}
}

// A next_page_token that cycles (A → B → A) fails the load at the first
// token seen again, instead of reading the same pages for ever.
func TestCyclingPageToken(t *testing.T) {
	t.Parallel()
	eachSink(t, func(t *testing.T, sink testSink) {
		sim := newSim(t, tiktoktest.Options{Orders: 500, Lies: tiktoktest.Lies{CycleTokens: true}})
		src := sourceFor(t, sim, nil, connector.HTTPConfig{})
		r, ctx := bounded()
		res := runCtx(ctx, r, src, sink)
		require.ErrorIs(t, res.Err, tiktok.ErrPageTokenCycle)
		require.ErrorContains(t, res.Err, "window [")
		require.LessOrEqual(t, sim.Calls(tiktok.PathSearch), 3, "the third page's token is the first one again")
		if cp := checkpointOf(t, sink); cp != nil {
			require.Equal(t, "full", cp.Phase)
		}
	})
}

// An absurd total_count (2,000,000,000 for 180 orders) plans at most
// Concurrency × WindowPages windows, and the first window counting more
// than the range's count leaves for it fails the load: a few calls, not
// thousands.
func TestAbsurdTotalCount(t *testing.T) {
	t.Parallel()
	eachSink(t, func(t *testing.T, sink testSink) {
		sim := newSim(t, tiktoktest.Options{Orders: 180, Lies: tiktoktest.Lies{TotalCount: 2_000_000_000}})
		src := sourceFor(t, sim, nil, connector.HTTPConfig{})
		r, ctx := bounded()
		res := runCtx(ctx, r, src, sink)
		require.ErrorIs(t, res.Err, tiktok.ErrContradictoryCount)
		require.True(t, sim.WaitIdle(30*time.Second))
		require.LessOrEqual(t, sim.Calls(tiktok.PathSearch), 1+tiktok.DefaultConcurrency, "the first page and the windows read at once")
		require.LessOrEqual(t, src.Stats()["search_windows"].(int64), int64(1+tiktok.DefaultConcurrency*tiktok.WindowPages))
		if cp := checkpointOf(t, sink); cp != nil {
			require.Equal(t, "full", cp.Phase)
		}
	})
}

// An older copy of an order served on a later page than its current
// version (a lagging replica) never replaces the newer row. This needs
// versioned upserts in the sinks (update_time declared as the table's
// version column); until then it fails: the stale copy overwrites.
func TestStaleCopyDoesNotOverwrite(t *testing.T) {
	eachSink(t, func(t *testing.T, sink testSink) {
		sim := newSim(t, tiktoktest.Options{Orders: 60, Lies: tiktoktest.Lies{StaleCopies: true}})
		changed := 0
		for _, c := range sim.Advance(2 * 3600e9) {
			if !c.New {
				changed++
			}
		}
		require.Positive(t, changed)
		cfg := config(sim, nil, connector.HTTPConfig{})
		cfg.PageSize = 10
		src, err := tiktok.NewSource(cfg)
		require.NoError(t, err)
		r, ctx := bounded()
		res := runCtx(ctx, r, src, sink)
		require.NoError(t, res.Err)
		requireSameContents(t, expected(sim.Orders()), actual(t, sink))
	})
}
