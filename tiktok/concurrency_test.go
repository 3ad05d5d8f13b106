package tiktok_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/simfault"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/facolos/etl/tiktok"
	"github.com/facolos/etl/tiktok/tiktoktest"
	"github.com/stretchr/testify/require"
)

// planStats describes the windows of one uninterrupted run, as the
// simulator answered them.
type planStats struct {
	windows int // windows read besides the whole range
	splits  int // windows (the whole range included) split after a page
	leaves  int // windows read to their end
	calls   int // searches answered
	// restarts: windows read again from their position with a new search
	// (a page token refused), each the only window under the one it
	// continues.
	restarts int
	// wide: the leaves read in more than WindowPages+1 pages, by range.
	wide map[[2]int64]int
}

// requireMinimalPlan checks the searches of one uninterrupted run: the
// windows (a query first sent without a page token) form a tree under the
// whole range (the first query); a window either is read to its end in the
// fewest pages its orders need, max(1, ceil(n / page size)), or is split:
// it was read in full pages only, and the windows after it tile the rest of
// its range, from a second inside it (the last second of its last page) to
// its end. A window read again from its start (its page token refused)
// shows as a second search of the same window without a page token; the
// caller checks these against the page_restarts stat.
func requireMinimalPlan(t *testing.T, sim *tiktoktest.Server, searches []tiktoktest.Search) planStats {
	t.Helper()
	require.NotEmpty(t, searches)
	orders := sim.Orders()
	type query struct {
		field  string
		ge, lt int64
	}
	var order []query
	count := map[query]int{}
	starts := map[query]int{} // searches without a page token: reads of the window from its start
	// restarted: starts after a search of the same window with a page
	// token (the token refused). A first page asked again before any page
	// token (its answer lost on the way: a client timeout on a slow
	// machine) is a retry, not a restart.
	restarted, tokened := map[query]int{}, map[query]bool{}
	full := map[query]bool{}
	size := searches[0].PageSize
	for _, s := range searches {
		q := query{s.Field, s.GE, s.LT}
		if count[q] == 0 {
			require.False(t, s.PageToken, "window %v starts without a page token", q)
			order = append(order, q)
			full[q] = true
		}
		count[q]++
		if !s.PageToken {
			starts[q]++
			if tokened[q] {
				restarted[q]++
				tokened[q] = false
			}
		} else {
			tokened[q] = true
		}
		full[q] = full[q] && s.Returned == size
	}
	need := func(q query) int {
		n := 0
		for _, o := range orders {
			v := o.CreateTime
			if q.field == "update_time" {
				v = o.UpdateTime
			}
			if v >= q.ge && v < q.lt {
				n++
			}
		}
		return max(1, (n+size-1)/size)
	}
	root := order[0]
	// Answers arrive in any order: the tree by time, each window under the
	// one that contains it.
	sorted := append([]query(nil), order...)
	sort.Slice(sorted, func(i, j int) bool {
		if sorted[i].ge != sorted[j].ge {
			return sorted[i].ge < sorted[j].ge
		}
		return sorted[i].lt > sorted[j].lt
	})
	require.Equal(t, root, sorted[0], "the first query is the whole range")
	children := map[query][]query{}
	stack := []query{root}
	for _, q := range sorted[1:] {
		for len(stack) > 0 && q.lt > stack[len(stack)-1].lt {
			stack = stack[:len(stack)-1]
		}
		require.NotEmpty(t, stack, "window %v inside the range", q)
		parent := stack[len(stack)-1]
		require.Greater(t, q.ge, parent.ge, "window %v strictly inside %v", q, parent)
		children[parent] = append(children[parent], q)
		stack = append(stack, q)
	}
	st := planStats{windows: len(order) - 1, calls: len(searches), wide: map[[2]int64]int{}}
	for _, q := range order {
		kids := children[q]
		// A window whose page token was refused is read again from its
		// start: its earlier read stopped short of its end.
		st.restarts += restarted[q]
		if len(kids) == 0 {
			if starts[q] == 1 {
				require.Equal(t, need(q), count[q], "pages of window [%d, %d)", q.ge, q.lt)
			} else {
				require.LessOrEqual(t, count[q], starts[q]*need(q), "pages of window [%d, %d) read %d times", q.ge, q.lt, starts[q])
			}
			st.leaves++
			if count[q] > tiktok.WindowPages+1 {
				st.wide[[2]int64{q.ge, q.lt}] = count[q]
			}
			continue
		}
		require.True(t, full[q], "window [%d, %d) split after full pages only", q.ge, q.lt)
		require.Greater(t, len(kids), 1, "a split window [%d, %d) has several windows after it", q.ge, q.lt)
		st.splits++
		for i := 1; i < len(kids); i++ {
			require.Equal(t, kids[i-1].lt, kids[i].ge, "windows tile the range")
		}
		require.Equal(t, q.lt, kids[len(kids)-1].lt, "windows tile the range")
	}
	return st
}

// Concurrency on, 10% of the calls failing the way networks fail, and
// crashes at random commits: every resumed run ends with the contents of an
// uninterrupted load, every committed checkpoint covers only stored orders,
// and the last (uninterrupted) run reads its plan in the fewest calls.
func TestConcurrentFaultsCrashesResume(t *testing.T) {
	t.Parallel()
	faultsCrashesResume(t, tiktoktest.Options{Orders: small(500)}, 10)
}

// faultsCrashesResume loads the shop of opts (with 10% of the calls
// failing) with concurrency 4 and the given page size through crashes at
// random commits, checking every committed checkpoint, then loads it once
// more without crashes, checking the plan; it returns that plan.
func faultsCrashesResume(t *testing.T, opts tiktoktest.Options, pageSize int) planStats {
	t.Helper()
	// A hang lasts until the client gives up (its timeout: long enough that
	// an answer of a loaded machine is not taken for one).
	opts.Faults = simfault.Options{Rate: 0.1, RetryAfter: time.Millisecond, Jitter: 3 * time.Millisecond}
	sim := newSim(t, opts)
	want := expected(sim.Orders())
	created := map[string]int64{}
	for _, o := range sim.Orders() {
		created[o.ID] = o.CreateTime
	}
	rnd := rand.New(rand.NewPCG(3, 4))
	// The first commit crashes, then random ones: at least one crash
	// however the commits fall.
	var crash, first atomic.Bool
	crash.Store(true)
	// At most 12 crashes: a crash costs the window being read (its
	// checkpoint moves once the window's count is checked), so a crash at
	// one commit in four would seldom let a window of several batches end.
	first.Store(true)
	var crashed atomic.Int64
	sink := openSink(t, "", sqlite.Config{BeforeCommit: func(context.Context, *connector.Batch) error {
		if crash.Load() && crashed.Load() < 12 && (first.CompareAndSwap(true, false) || rnd.IntN(4) == 0) {
			crashed.Add(1)
			return errCrash
		}
		return nil
	}})
	cfg := config(sim, nil, connector.HTTPConfig{Timeout: 2 * time.Second, Attempts: 10, MaxRetryAfter: 10 * time.Millisecond})
	cfg.PageSize = pageSize
	cfg.Concurrency = 4
	src, err := tiktok.NewSource(cfg)
	require.NoError(t, err)
	checked := 0
	r := &connector.Runner{BatchSize: 60, Observer: func(e connector.Event) {
		if e.Kind != connector.BatchWritten {
			return
		}
		raw, err := sink.LoadCheckpoint(context.Background(), "tiktok/shop-7", "orders")
		if err != nil || raw == nil {
			return
		}
		var cp tiktok.Checkpoint
		if json.Unmarshal(raw, &cp) != nil {
			return
		}
		stored := map[string]bool{}
		rows, err := sink.DB().Query(`SELECT DISTINCT order_id FROM "` + tiktok.TableName + `"`)
		if err != nil {
			return
		}
		for rows.Next() {
			var id string
			if rows.Scan(&id) == nil {
				stored[id] = true
			}
		}
		rows.Close()
		for id, at := range created {
			if cp.Phase == "incremental" || at < cp.From {
				if !stored[id] {
					t.Errorf("checkpoint %s covers order %s (created %d), which is not stored", raw, id, at)
					return
				}
			}
		}
		checked++
	}}
	crashes := 0
	for { // each run resumes from the last committed checkpoint
		require.Less(t, crashes, 100, "no progress")
		res := run(t, r, src, sink)
		if res.Err == nil {
			break
		}
		require.ErrorIs(t, res.Err, errCrash)
		crashes++
	}
	t.Logf("%d crashes, %d checkpoints checked", crashes, checked)
	require.Positive(t, crashes)
	require.Positive(t, checked)
	require.Positive(t, sim.Faults()["drop"]+sim.Faults()["html_502"]+sim.Faults()["hang"]+sim.Faults()["truncated"])
	requireSameContents(t, want, actual(t, sink))

	// A fresh full load under faults, without crashes: each window of its
	// plan in the fewest answered searches.
	crash.Store(false)
	// Searches of the crashed runs the server is still serving would be
	// counted as this load's.
	require.True(t, sim.WaitIdle(30*time.Second))
	before := len(sim.Searches())
	restarts := src.Stats()["page_restarts"].(int64)
	sink2 := openSink(t, "", sqlite.Config{})
	res := run(t, &connector.Runner{}, src, sink2)
	require.NoError(t, res.Err)
	plan := requireMinimalPlan(t, sim, sim.Searches()[before:])
	require.LessOrEqual(t, int64(plan.restarts), src.Stats()["page_restarts"].(int64)-restarts, "windows restarted after a refused page token")
	requireSameContents(t, want, actual(t, sink2))
	return plan
}

// failWindows answers every search whose create_time range starts at or
// after from with a platform error (21001001, invalid parameters; not retried): a window that
// fails for good.
type failWindows struct {
	from int64
	next http.RoundTripper
}

func (f failWindows) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.URL.Path == tiktok.PathSearch {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		var b struct {
			GE int64 `json:"create_time_ge"`
		}
		if json.Unmarshal(body, &b) == nil && b.GE >= f.from {
			return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Request: r,
				Body: io.NopCloser(strings.NewReader(`{"code":21001001,"message":"window refused","request_id":"t","data":null}`))}, nil
		}
	}
	return f.next.RoundTrip(r)
}

// A window that fails for good fails the load after the pages of the
// windows before it are stored; the committed checkpoint never passes the
// failed window, and the next run (the window answering again) completes
// the load from there.
func TestConcurrentWindowFailureKeepsCheckpoint(t *testing.T) {
	sim := newSim(t, tiktoktest.Options{Orders: 200})
	orders := sim.Orders()
	from := orders[len(orders)*6/10].CreateTime
	sink := openSink(t, "", sqlite.Config{})
	cfg := config(sim, nil, connector.HTTPConfig{Attempts: 1, Transport: failWindows{from: from, next: http.DefaultTransport}})
	cfg.PageSize = 10
	cfg.Concurrency = 4
	src, err := tiktok.NewSource(cfg)
	require.NoError(t, err)
	res := run(t, &connector.Runner{BatchSize: 10}, src, sink)
	require.ErrorIs(t, res.Err, tiktok.ErrInvalidParam)
	require.ErrorContains(t, res.Err, "window refused")
	raw, err := sink.LoadCheckpoint(context.Background(), "tiktok/shop-7", "orders")
	require.NoError(t, err)
	require.NotNil(t, raw, "the windows before the failed one are committed")
	var cp tiktok.Checkpoint
	require.NoError(t, json.Unmarshal(raw, &cp))
	require.Equal(t, "full", cp.Phase)
	require.LessOrEqual(t, cp.From, from, "the checkpoint does not pass the failed window")
	stored := map[string]bool{}
	for k := range actual(t, sink) {
		stored[k[:strings.IndexByte(k, '/')]] = true
	}
	for _, o := range orders {
		switch {
		case o.CreateTime < cp.From:
			require.True(t, stored[o.ID], "order %s before the checkpoint is stored", o.ID)
		case o.CreateTime >= from:
			require.False(t, stored[o.ID], "order %s of the failed window or after it is not stored", o.ID)
		}
		// (Orders between the checkpoint and the failed window may be
		// stored: the pages of a window are stored as they come, the
		// checkpoint moves past the window once its count is checked.)
	}
	// The platform answers again: the next run resumes at the checkpoint.
	cfg.HTTP.Transport = nil
	src, err = tiktok.NewSource(cfg)
	require.NoError(t, err)
	res = run(t, &connector.Runner{}, src, sink)
	require.NoError(t, res.Err)
	requireSameContents(t, expected(orders), actual(t, sink))
}
