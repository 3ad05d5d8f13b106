package connector_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/testsinks"
	"github.com/facolos/etl/sink/postgres"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/stretchr/testify/require"
)

// Assign balances the shards (sizes differ by one at most, whatever the
// names) and keeps them stable: the result does not depend on the names'
// order, adding or removing a shop moves only a few others, and going from
// 4 to 5 shards moves about a fifth, nearly all of them to the new shard.
// ShardOf alone (rendezvous hashing without the bound) moves nothing when a
// shop is added, but its shards are uneven.
func TestAssignIsBalancedAndStable(t *testing.T) {
	names := func(from, to int) []string {
		var out []string
		for i := from; i < to; i++ {
			out = append(out, fmt.Sprintf("shopee/%d", 100000+i*7))
		}
		return out
	}
	assign := func(ps []string, n int) map[string]int {
		m := map[string]int{}
		for i, sh := range connector.Assign(ps, n) {
			m[ps[i]] = sh
		}
		return m
	}
	moved := func(a, b map[string]int) (k int) {
		for p, sh := range a {
			if to, ok := b[p]; ok && to != sh {
				k++
			}
		}
		return k
	}
	for _, m := range []int{200, 203, 1000} {
		for n := 2; n <= 8; n++ {
			count := make([]int, n)
			for _, sh := range assign(names(0, m), n) {
				count[sh]++
			}
			for sh, c := range count {
				want := m / n
				if sh < m%n {
					want++
				}
				require.Equal(t, want, c, "%d names over %d shards: shard %d", m, n, sh)
			}
		}
	}
	// Rendezvous hashing alone misses ±20 % here (18 to 28 for 25).
	rendezvous := make([]int, 8)
	for _, p := range names(0, 200) {
		rendezvous[connector.ShardOf(p, 8)]++
	}
	require.Greater(t, slices.Max(rendezvous)-slices.Min(rendezvous), 10, "%v", rendezvous)

	before := assign(names(0, 1000), 8)
	shuffled := names(0, 1000)
	rand.New(rand.NewSource(1)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	require.Equal(t, before, assign(shuffled, 8), "the order of the names changed the shards")
	for k := 0; k < 20; k++ {
		require.LessOrEqual(t, moved(assign(names(0, 1000+k), 8), assign(names(0, 1001+k), 8)), 8, "adding shop %d", 1000+k)
		fewer := append(names(0, k*50), names(k*50+1, 1000)...)
		require.LessOrEqual(t, moved(before, assign(fewer, 8)), 8, "removing shop %d", k*50)
	}
	four, five := assign(names(0, 1000), 4), assign(names(0, 1000), 5)
	toNew := 0
	for p := range four {
		if five[p] == 4 {
			toNew++
		}
	}
	require.InDelta(t, 200, moved(four, five), 30, "4 → 5 shards moves about a fifth")
	require.GreaterOrEqual(t, toNew*100/moved(four, five), 85, "4 → 5 shards: most moves go to the new shard")

	// Owned agrees with Assign: exactly one shard owns each name.
	ps := names(0, 50)
	owners := make([]int, len(ps))
	for i := 0; i < 3; i++ {
		for j, own := range (connector.Shard{Index: i, Count: 3}).Owned(ps) {
			if own {
				owners[j]++
			}
		}
	}
	for j, n := range owners {
		require.Equal(t, 1, n, ps[j])
	}
}

func TestParseShardAndEnvironment(t *testing.T) {
	s, err := connector.ParseShard("2/8")
	require.NoError(t, err)
	require.Equal(t, connector.Shard{Index: 2, Count: 8}, s)
	for _, bad := range []string{"", "1", "8/8", "-1/4", "a/b", "0/0"} {
		_, err := connector.ParseShard(bad)
		require.Error(t, err, bad)
	}
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	_, ok, err := connector.ShardFromEnv(env())
	require.NoError(t, err)
	require.False(t, ok)
	s, ok, err = connector.ShardFromEnv(env("JOB_COMPLETION_INDEX", "3", "ETL_SHARD_COUNT", "4"))
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, connector.Shard{Index: 3, Count: 4}, s)
	s, _, err = connector.ShardFromEnv(env("ETL_SHARD", "1/2", "JOB_COMPLETION_INDEX", "3", "ETL_SHARD_COUNT", "4"))
	require.NoError(t, err)
	require.Equal(t, connector.Shard{Index: 1, Count: 2}, s, "ETL_SHARD wins")
	_, _, err = connector.ShardFromEnv(env("JOB_COMPLETION_INDEX", "3"))
	require.ErrorContains(t, err, "ETL_SHARD_COUNT")
}

var scaleTable = &connector.Table{Schema: "staging", Name: "scale_rows", PrimaryKey: []string{"k"}, Columns: []connector.Column{
	{Name: "k", Type: connector.String, Length: 60}, {Name: "shop", Type: connector.String, Length: 40}, {Name: "n", Type: connector.Int}}}

type scaleTransformer struct{}

func (scaleTransformer) Tables() []*connector.Table { return []*connector.Table{scaleTable} }
func (scaleTransformer) Transform(rec connector.Record, out connector.Output) error {
	var v struct {
		Shop string
		N    int64
	}
	if err := json.Unmarshal(rec.Data, &v); err != nil {
		return err
	}
	out.Add(scaleTable, []any{rec.Key, v.Shop, v.N})
	return nil
}

// scaleShop is a shop with one stream of n records in pages of 5. When
// stuck is set, the read emits its first page, signals stuck and blocks
// until release is closed, as a worker killed mid-stream.
type scaleShop struct {
	name    string
	n       int
	stuck   chan struct{}
	release chan struct{}
}

func (s *scaleShop) Streams() []connector.Stream { return []connector.Stream{s} }
func (s *scaleShop) Name() string                { return "rows" }
func (s *scaleShop) Read(ctx context.Context, _ connector.ReadOptions, emit connector.EmitFunc) error {
	for i := 0; i < s.n; i += 5 {
		var pg connector.Page
		for j := i; j < min(i+5, s.n); j++ {
			pg.Records = append(pg.Records, connector.Record{Key: fmt.Sprintf("%s-%03d", s.name, j), Data: json.RawMessage(fmt.Sprintf(`{"Shop":%q,"N":%d}`, s.name, j))})
		}
		pg.Checkpoint = connector.Checkpoint(fmt.Sprintf(`{"i":%d}`, i))
		if err := emit(ctx, pg); err != nil {
			return err
		}
		if s.stuck != nil && i == 0 {
			close(s.stuck)
			<-s.release
			return fmt.Errorf("the worker was killed")
		}
	}
	return nil
}

func scalePipelines(sink connector.Sink, n int) []connector.Pipeline {
	var ps []connector.Pipeline
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("shop%02d", i)
		ps = append(ps, connector.Pipeline{Name: "scale/" + name, Platform: "scale", Account: name,
			Source: &scaleShop{name: name, n: 12}, Transformer: scaleTransformer{}, Sink: sink})
	}
	return ps
}

// warehouse is one database shared by several workers: each worker opens
// its own sink on it.
type warehouse struct {
	open func(ttl time.Duration) connector.Sink
	// openBare opens a sink the test closes itself (a killed worker's).
	openBare func(ttl time.Duration) connector.Sink
	db       *sql.DB
	runs     string // batch_runs, qualified
	rows     string // scale_rows, qualified
	param    func(n int) string
}

func eachWarehouse(t *testing.T, f func(t *testing.T, w warehouse)) {
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "shared.db")
		first := testsinks.SQLite(t, path, sqlite.Config{})
		f(t, warehouse{open: func(ttl time.Duration) connector.Sink {
			return testsinks.SQLite(t, path, sqlite.Config{LeaseTTL: ttl})
		}, openBare: func(ttl time.Duration) connector.Sink {
			s, err := sqlite.Open(context.Background(), sqlite.Config{Path: path, LeaseTTL: ttl})
			require.NoError(t, err)
			return s
		}, db: first.DB(), runs: "etl_control_batch_runs", rows: "scale_rows", param: func(int) string { return "?" }})
	})
	t.Run("postgres", func(t *testing.T) {
		first := testsinks.Postgres(t, "scaleout", postgres.Config{MaxConns: 2})
		f(t, warehouse{open: func(ttl time.Duration) connector.Sink {
			return testsinks.PostgresShared(t, first, postgres.Config{LeaseTTL: ttl, MaxConns: 3})
		}, openBare: func(ttl time.Duration) connector.Sink {
			s, err := postgres.Open(context.Background(), postgres.Config{DSN: os.Getenv(testsinks.PostgresEnv), LeaseTTL: ttl, MaxConns: 3,
				Schemas: map[string]string{"staging": first.Schema("staging"), "etl_control": first.Schema("etl_control")}})
			require.NoError(t, err)
			return s
		}, db: first.DB(), runs: connector.QuoteIdent(first.Schema("etl_control")) + ".batch_runs",
			rows: connector.QuoteIdent(first.Schema("staging")) + ".scale_rows", param: func(n int) string { return fmt.Sprintf("$%d", n) }})
	})
}

// runsByStatus counts the run-history rows of each pipeline by status.
func runsByStatus(t *testing.T, w warehouse) map[string]map[string]int {
	t.Helper()
	rows, err := w.db.Query(`SELECT pipeline, status FROM ` + w.runs)
	require.NoError(t, err)
	defer rows.Close()
	out := map[string]map[string]int{}
	for rows.Next() {
		var p, st string
		require.NoError(t, rows.Scan(&p, &st))
		if out[p] == nil {
			out[p] = map[string]int{}
		}
		out[p][st]++
	}
	require.NoError(t, rows.Err())
	return out
}

func rowCount(t *testing.T, w warehouse) int {
	t.Helper()
	var n int
	require.NoError(t, w.db.QueryRow(`SELECT count(*) FROM `+w.rows).Scan(&n))
	return n
}

// runWorkers runs one Runner per worker at once, each with its own sink on
// the warehouse and its own copies of the pipelines.
func runWorkers(ctx context.Context, w warehouse, shops int, workers ...*connector.Runner) [][]connector.Result {
	out := make([][]connector.Result, len(workers))
	sinks := make([]connector.Sink, len(workers))
	for i := range workers {
		sinks[i] = w.open(0)
	}
	var wg sync.WaitGroup
	for i, r := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = r.Run(ctx, scalePipelines(sinks[i], shops)...)
		}()
	}
	wg.Wait()
	return out
}

// Two workers with shards 0/2 and 1/2 split the shops: each shop is run
// by exactly one of them, the one whose shard owns it, and the other
// reports it as another shard's.
func TestTwoShardsSplitTheShops(t *testing.T) {
	eachWarehouse(t, func(t *testing.T, w warehouse) {
		const shops = 16
		res := runWorkers(context.Background(), w, shops,
			&connector.Runner{Shard: connector.Shard{Index: 0, Count: 2}, Logger: quietLogger()},
			&connector.Runner{Shard: connector.Shard{Index: 1, Count: 2}, Logger: quietLogger()})
		ran := map[string]int{}
		for wi, rs := range res {
			mine := 0
			var names []string
			for _, r := range rs {
				names = append(names, r.Pipeline)
			}
			owned := connector.Shard{Index: wi, Count: 2}.Owned(names)
			for i, r := range rs {
				if owned[i] {
					require.Equal(t, connector.StatusOK, r.Status, "%s: %v", r.Pipeline, r.Err)
					ran[r.Pipeline]++
					mine++
				} else {
					require.Equal(t, connector.StatusOtherShard, r.Status, r.Pipeline)
				}
			}
			require.NotZero(t, mine, "worker %d got no shop", wi)
		}
		require.Len(t, ran, shops)
		for p, n := range runsByStatus(t, w) {
			require.Equal(t, map[string]int{"SUCCESS": 1}, n, p)
		}
		require.Equal(t, shops*12, rowCount(t, w))
	})
}

// Three workers without shards race for the same shops in one cycle
// (FreshWithin an hour, Watch on): every stream succeeds exactly once; the
// workers that lose a race see it fresh. A second cycle within the hour
// runs nothing; a full load does not count an incremental success, and a
// second full load in the same cycle runs nothing.
func TestSameStreamNeverSucceedsTwiceInACycle(t *testing.T) {
	eachWarehouse(t, func(t *testing.T, w warehouse) {
		const shops = 10
		worker := func(mode connector.Mode) *connector.Runner {
			return &connector.Runner{Mode: mode, FreshWithin: time.Hour, Watch: true, WatchEvery: 10 * time.Millisecond, Logger: quietLogger()}
		}
		check := func(wantSuccess, wantRan int, res [][]connector.Result) {
			t.Helper()
			ok := map[string]int{}
			for _, rs := range res {
				for _, r := range rs {
					require.Contains(t, []connector.Status{connector.StatusOK, connector.StatusFresh}, r.Status, "%s: %v", r.Pipeline, r.Err)
					if r.Status == connector.StatusOK {
						ok[r.Pipeline]++
					}
				}
			}
			for p, n := range runsByStatus(t, w) {
				require.Equal(t, wantSuccess, n["SUCCESS"], "%s: %v %v", p, n, res)
				require.Zero(t, n["RUNNING"], p)
			}
			require.Len(t, ok, wantRan)
			for p, n := range ok {
				require.Equal(t, 1, n, p)
			}
		}
		ctx := context.Background()
		check(1, shops, runWorkers(ctx, w, shops, worker(connector.Incremental), worker(connector.Incremental), worker(connector.Incremental)))
		check(1, 0, runWorkers(ctx, w, shops, worker(connector.Incremental), worker(connector.Incremental)))
		// The full reload runs once more (an incremental success does not
		// count for it), by one of the two workers.
		check(2, shops, runWorkers(ctx, w, shops, worker(connector.Full), worker(connector.Full)))
		check(2, 0, runWorkers(ctx, w, shops, worker(connector.Full)))
		for p, n := range runsByStatus(t, w) {
			require.NotZero(t, n["FRESH"], "%s: skipped streams are in the run history", p)
		}
		// Forced (FreshWithin 0): it runs.
		check(3, shops, runWorkers(ctx, w, shops, &connector.Runner{Logger: quietLogger()}))
		require.Equal(t, shops*12, rowCount(t, w))
	})
}

// A worker is killed in the middle of a stream of its shard: its lease
// stops being renewed and its run stays RUNNING. The other worker, after
// its own shard, helps with the killed worker's shard and watches the held
// stream: when the lease expires it takes it over in the same cycle, and
// the killed run's row becomes ABANDONED with the taker's run id. The
// warehouse then holds every row.
func TestKilledWorkersStreamsAreFinishedInTheSameCycle(t *testing.T) {
	eachWarehouse(t, func(t *testing.T, w warehouse) {
		const shops, ttl = 8, time.Second
		ctx := context.Background()
		sinkA := w.openBare(ttl) // closed once, by the "kill" below
		psA := scalePipelines(sinkA, shops)
		// The killed worker's shop: the first of shard 0.
		var victim *scaleShop
		var names []string
		for _, p := range psA {
			names = append(names, p.Name)
		}
		owned := connector.Shard{Index: 0, Count: 2}.Owned(names)
		for i, p := range psA {
			if owned[i] {
				victim = p.Source.(*scaleShop)
				victim.stuck, victim.release = make(chan struct{}), make(chan struct{})
				break
			}
		}
		require.NotNil(t, victim)
		doneA := make(chan []connector.Result, 1)
		go func() {
			doneA <- (&connector.Runner{Shard: connector.Shard{Index: 0, Count: 2}, Parallel: 1, FreshWithin: time.Hour, Logger: quietLogger()}).Run(ctx, psA...)
		}()
		<-victim.stuck
		// Kill A: its sink is gone, so its lease is no longer renewed.
		require.NoError(t, sinkA.Close())

		sinkB := w.open(ttl)
		resB := (&connector.Runner{Shard: connector.Shard{Index: 1, Count: 2}, Help: true, Watch: true, WatchEvery: 10 * time.Millisecond,
			FreshWithin: time.Hour, Logger: quietLogger()}).Run(ctx, scalePipelines(sinkB, shops)...)
		close(victim.release)
		<-doneA

		tookOver := 0
		for _, r := range resB {
			require.Contains(t, []connector.Status{connector.StatusOK, connector.StatusFresh}, r.Status, "%s: %v", r.Pipeline, r.Err)
			if r.Pipeline == "scale/"+victim.name {
				require.Equal(t, []string{"rows"}, r.TookOver)
				tookOver++
			}
		}
		require.Equal(t, 1, tookOver)
		byStatus := runsByStatus(t, w)
		require.Len(t, byStatus, shops)
		for p, n := range byStatus {
			require.Zero(t, n["RUNNING"], p)
			require.Equal(t, 1, n["SUCCESS"], "%s: %v", p, n)
			if p == "scale/"+victim.name {
				require.Equal(t, 1, n["ABANDONED"], "%s: %v", p, n)
			}
		}
		var taker, success string
		require.NoError(t, w.db.QueryRow(fmt.Sprintf(`SELECT taken_over_by FROM %s WHERE pipeline = %s AND status = 'ABANDONED'`, w.runs, w.param(1)),
			"scale/"+victim.name).Scan(&taker))
		require.NoError(t, w.db.QueryRow(fmt.Sprintf(`SELECT batch_id FROM %s WHERE pipeline = %s AND status = 'SUCCESS'`, w.runs, w.param(1)),
			"scale/"+victim.name).Scan(&success))
		require.Equal(t, strings.ToLower(success), strings.ToLower(taker))
		require.Equal(t, shops*12, rowCount(t, w), "the warehouse equals an uninterrupted run")
	})
}

// Lease renewals go through the sink's own small pool: with every
// connection of the write pool taken, a held lease is still renewed.
func TestRenewalsProceedWhileTheWritePoolIsExhausted(t *testing.T) {
	const ttl = 300 * time.Millisecond
	s := testsinks.Postgres(t, "renewals", postgres.Config{MaxConns: 1, LeaseTTL: ttl})
	ctx := context.Background()
	l, err := s.Lease(ctx, "p", "s", 0)
	require.NoError(t, err)
	defer l.Release()
	expiry := func() time.Time {
		var e time.Time
		require.NoError(t, s.DB().QueryRowContext(ctx, `SELECT expires_at FROM `+connector.QuoteIdent(s.Schema("etl_control"))+`.leases`).Scan(&e))
		return e
	}
	start := expiry()
	// A write holds the only connection of the write pool.
	conn, err := s.Pool().Acquire(ctx)
	require.NoError(t, err)
	defer conn.Release()
	tx, err := conn.Begin(ctx)
	require.NoError(t, err)
	defer tx.Rollback(ctx)
	// Renewals every ttl/3: read the row through the held connection
	// until the expiry moved twice (a renewal queued behind the pool never
	// would; the minute bounds a hang, it is no speed check).
	seen := []time.Time{start}
	deadline := time.Now().Add(time.Minute)
	for len(seen) < 3 && time.Now().Before(deadline) {
		var e time.Time
		require.NoError(t, tx.QueryRow(ctx, `SELECT expires_at FROM `+connector.QuoteIdent(s.Schema("etl_control"))+`.leases`).Scan(&e))
		if e.After(seen[len(seen)-1]) {
			seen = append(seen, e)
		}
	}
	require.Len(t, seen, 3, "renewed twice while the write pool was exhausted")
}

// inspectCounter counts a sink's lease reads: one stream's (InspectLease)
// and many pipelines' last successes (LastSuccesses).
type inspectCounter struct {
	*postgres.Sink
	inspects, lists atomic.Int64
}

func (c *inspectCounter) InspectLease(ctx context.Context, pipeline, stream string) (connector.LeaseState, error) {
	c.inspects.Add(1)
	return c.Sink.InspectLease(ctx, pipeline, stream)
}

func (c *inspectCounter) LastSuccesses(ctx context.Context, pipelines []string) (time.Time, []connector.StreamSuccess, error) {
	c.lists.Add(1)
	return c.Sink.LastSuccesses(ctx, pipelines)
}

// A helper whose other shards' pipelines are already done learns it from
// one read of their last successes, not one lease read per stream (at the
// end of a cycle most of the pipelines it goes over are done).
func TestHelperFindsDonePipelinesInOneRead(t *testing.T) {
	first := testsinks.Postgres(t, "helpdone", postgres.Config{MaxConns: 2})
	ctx := context.Background()
	const shops = 16
	// Worker 1 runs every shop: its shard, then the other one's.
	res := (&connector.Runner{Shard: connector.Shard{Index: 1, Count: 2}, Help: true, FreshWithin: time.Hour, OwnerGrace: -1, Logger: quietLogger()}).
		Run(ctx, scalePipelines(testsinks.PostgresShared(t, first, postgres.Config{MaxConns: 2}), shops)...)
	for _, r := range res {
		require.Equal(t, connector.StatusOK, r.Status, "%s: %v", r.Pipeline, r.Err)
	}
	// Worker 0 comes later: its own shops are fresh, and so are those it
	// would help with.
	late := &inspectCounter{Sink: testsinks.PostgresShared(t, first, postgres.Config{MaxConns: 2})}
	res = (&connector.Runner{Shard: connector.Shard{Index: 0, Count: 2}, Help: true, FreshWithin: time.Hour, Parallel: 1, Logger: quietLogger()}).
		Run(ctx, scalePipelines(late, shops)...)
	for _, r := range res {
		require.Equal(t, connector.StatusFresh, r.Status, "%s: %v", r.Pipeline, r.Err)
	}
	require.Zero(t, late.inspects.Load(), "lease reads of single streams")
	require.Equal(t, int64(1), late.lists.Load(), "reads of the last successes")
}

// hookedShop is a scaleShop that calls onRead when its read starts.
type hookedShop struct {
	*scaleShop
	onRead func()
}

func (h *hookedShop) Streams() []connector.Stream { return []connector.Stream{h} }
func (h *hookedShop) Read(ctx context.Context, o connector.ReadOptions, emit connector.EmitFunc) error {
	h.onRead()
	return h.scaleShop.Read(ctx, o, emit)
}

// A helper starts on the other shards' pipelines only once the pipelines of
// its own shard have all ended (all of them started at once here), so that
// workers that keep pace take nothing from each other.
func TestHelpStartsWhenTheOwnShardHasEnded(t *testing.T) {
	sink := testsinks.SQLite(t, filepath.Join(t.TempDir(), "help.db"), sqlite.Config{})
	ps := scalePipelines(sink, 16)
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
	}
	owned := connector.Shard{Index: 0, Count: 2}.Owned(names)
	var mu sync.Mutex
	ownLeft, early := 0, 0
	for i := range ps {
		if owned[i] {
			ownLeft++
			continue
		}
		ps[i].Source = &hookedShop{scaleShop: ps[i].Source.(*scaleShop), onRead: func() {
			mu.Lock()
			defer mu.Unlock()
			if ownLeft > 0 {
				early++
			}
		}}
	}
	own := map[string]bool{}
	for i, n := range names {
		own[n] = owned[i]
	}
	r := &connector.Runner{Shard: connector.Shard{Index: 0, Count: 2}, Help: true, FreshWithin: time.Hour, Parallel: -1, OwnerGrace: -1, Logger: quietLogger(),
		Observer: func(e connector.Event) {
			if e.Kind == connector.PipelineFinished && own[e.Pipeline] {
				mu.Lock()
				ownLeft--
				mu.Unlock()
			}
		}}
	for _, res := range r.Run(context.Background(), ps...) {
		require.Equal(t, connector.StatusOK, res.Status, "%s: %v", res.Pipeline, res.Err)
	}
	require.Zero(t, early, "helped pipelines read while the worker's own shard was running")
}
