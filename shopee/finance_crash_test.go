package shopee_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/reqhook"
	"github.com/facolos/etl/shopee"
	"github.com/facolos/etl/shopee/shopeetest"
	"github.com/stretchr/testify/require"
)

var errCrash = errors.New("simulated crash")

// crashingSink counts the batches its sink commits and fails the run
// right after the crashAt-th commit of the run (0: never), as a process
// killed then would: that batch and its checkpoint are stored, nothing
// after.
type crashingSink struct {
	warehouseSink
	mu      sync.Mutex
	commits int
	crashAt int
}

func (c *crashingSink) Write(ctx context.Context, b *connector.Batch) error {
	if err := c.warehouseSink.Write(ctx, b); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.commits++
	if c.commits == c.crashAt {
		return errCrash
	}
	return nil
}

// arm resets the count of commits and sets the commit the next run fails
// after.
func (c *crashingSink) arm(at int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.commits, c.crashAt = 0, at
}

func (c *crashingSink) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.commits
}

// financeDump reads every column of the finance tables but the
// bookkeeping ones (the request id, the write times, the run id), one
// sorted text line a row.
func financeDump(t *testing.T, w warehouseSink) map[string][]string {
	t.Helper()
	skip := map[string]bool{"source_request_id": true, "ingested_at": true, "etl_created_at": true, "etl_updated_at": true, "etl_batch_id": true}
	out := map[string][]string{}
	for _, table := range []string{"shopee_order_income", "shopee_order_income_items", "shopee_order_adjustments", "shopee_escrow_releases",
		"shopee_wallet_transactions"} {
		rows, err := w.db.Query("SELECT * FROM " + w.table(table))
		require.NoError(t, err)
		cols, err := rows.Columns()
		require.NoError(t, err)
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			require.NoError(t, rows.Scan(ptrs...))
			var line []string
			for i, c := range cols {
				if !skip[c] {
					if b, ok := vals[i].([]byte); ok {
						vals[i] = string(b)
					}
					line = append(line, fmt.Sprintf("%s=%v", c, vals[i]))
				}
			}
			out[table] = append(out[table], strings.Join(line, "|"))
		}
		require.NoError(t, rows.Err())
		rows.Close()
		sort.Strings(out[table])
		require.NotEmpty(t, out[table], table)
	}
	return out
}

// A finance full load and an incremental run (escrow, wallet and
// estimates streams) through the shared fault layer (a tenth of the calls
// dropped, 5xx, 429, truncated or hung), failing right after a random
// commit again and again and resumed each time, with the access token
// expiring before a chosen escrow detail call of each load, leave the
// finance tables equal, column by column, to those of a clean run of the
// same shop, and to the simulator's truth. Detail batches carry across
// windows, so a window's checkpoint is held back while orders listed in it
// wait: a checkpoint committed past them would lose them here.
func TestFinanceFaultsCrashesTokenExpiry(t *testing.T) {
	ctx := context.Background()
	opts := shopeetest.Options{Orders: 80, Days: 50, Seed: 3}
	fin := func(sim *shopeetest.Server) func(*shopee.Config) {
		start := sim.Now().Add(-60 * 24 * time.Hour)
		return func(c *shopee.Config) { c.StartDate, c.FinanceEstimates = start, true }
	}
	// Every checkpoint committed (a full load would coalesce them) and
	// small batches: many commits to crash after.
	runOnce := func(src *shopee.Source, w connector.Sink) connector.Result {
		r := runner(connector.Incremental)
		r.BatchSize, r.FullLoadCheckpointInterval = 40, -1
		r.StreamParallel = 1
		pl := financePipeline(src, w)
		pl.Source = financeOnly{src}
		return r.Run(ctx, pl)[0]
	}
	const advance = 6 * 24 * time.Hour

	// The clean run: the reference contents and the commits of each load.
	clean := newSim(t, opts)
	cleanSink := &crashingSink{warehouseSink: sinks(t)["sqlite"](t)}
	cleanSrc := sourceFor(t, clean, nil, connector.HTTPConfig{}, withFinance, fin(clean))
	require.NoError(t, runOnce(cleanSrc, cleanSink).Err)
	fullCommits := cleanSink.count()
	wantFull := financeDump(t, cleanSink.warehouseSink)
	clean.Advance(advance)
	cleanSink.arm(0)
	require.NoError(t, runOnce(cleanSrc, cleanSink).Err)
	incrCommits := cleanSink.count()
	wantIncr := financeDump(t, cleanSink.warehouseSink)
	t.Logf("clean run: %d commits in the full load, %d in the incremental", fullCommits, incrCommits)

	opts.FaultRate, opts.HangFor = 0.1, 2*time.Second
	sim := newSim(t, opts)
	// The token expires before the 2nd escrow detail call of each load.
	var incremental atomic.Bool
	detail := func(phase bool) func(r *http.Request) bool {
		return func(r *http.Request) bool {
			return r.URL.Path == shopee.PathEscrowDetailBatch && incremental.Load() == phase
		}
	}
	incrHook := &reqhook.Transport{Match: detail(true), N: 2, Fire: sim.ExpireTokens}
	fullHook := &reqhook.Transport{Match: detail(false), N: 2, Fire: sim.ExpireTokens, Base: incrHook}
	src := sourceFor(t, sim, nil, connector.HTTPConfig{Timeout: time.Second, Attempts: 10, MaxRetryAfter: 10 * time.Millisecond,
		Transport: fullHook}, withFinance, fin(sim))
	sink := &crashingSink{warehouseSink: sinks(t)["sqlite"](t)}
	rnd := rand.New(rand.NewPCG(23, 24))
	load := func(what string, commits int, want map[string][]string) {
		t.Helper()
		crashes := 0
		for runs := 0; ; runs++ {
			require.Less(t, runs, 40, "%s: no progress", what)
			at := 0
			if crashes < 2 {
				at = 1 + rnd.IntN(commits)
			}
			sink.arm(at)
			res := runOnce(src, sink)
			if res.Err == nil {
				break
			}
			// A crash, or a call that failed every attempt (a load that
			// fails is run again, as the job's next round would): no
			// answer (timeouts, dropped connections, 5xx), or a last
			// answer cut short (a truncated body, retried until the
			// attempts ran out, is then not a JSON envelope).
			var te *connector.TransportError
			var ae *shopee.APIError
			switch {
			case errors.Is(res.Err, errCrash):
				crashes++
			case errors.As(res.Err, &te):
			case errors.As(res.Err, &ae) && ae.HTTPStatus == http.StatusOK && ae.Message == "response is not a JSON envelope":
			default:
				t.Fatalf("%s: run %d: %v", what, runs, res.Err)
			}
		}
		t.Logf("%s: %d crashes, faults so far %v", what, crashes, sim.Faults())
		require.Positive(t, crashes, "%s: crashed mid-load", what)
		require.Equal(t, want, financeDump(t, sink.warehouseSink), "%s: the contents of a clean run", what)
		truth := financeTruth(sim)
		estimateTruth(sim, truth)
		require.Equal(t, truth, financeActual(t, sink.warehouseSink), "%s: the simulator's truth", what)
	}
	load("full load", fullCommits, wantFull)
	require.True(t, fullHook.Fired())
	rotations := sim.Rotations()
	require.Positive(t, rotations, "the token expired in the full load and was refreshed")

	before := financeTruth(sim)
	released := map[string]bool{}
	for _, r := range before["releases"] {
		released[strings.Split(r, "|")[1]] = true
	}
	sim.Advance(advance)
	adjusted := 0
	for _, a := range financeTruth(sim)["adjustments"] {
		if released[strings.Split(a, "|")[1]] && !contains(before["adjustments"], a) {
			adjusted++
		}
	}
	require.Positive(t, adjusted, "orders released before the advance were adjusted in it (the wallet stream reads them again)")
	incremental.Store(true)
	load("incremental", incrCommits, wantIncr)
	require.True(t, incrHook.Fired())
	require.Greater(t, sim.Rotations(), rotations, "the token expired in the incremental run and was refreshed")
	faults := 0
	for _, n := range sim.Faults() {
		faults += n
	}
	require.Positive(t, faults)
}
