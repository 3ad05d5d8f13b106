// Command bench-scale measures scale-out: W worker processes, each a
// sharded Runner (its shard first, then helping with the others and
// watching held streams, -fresh-within), against S simulated Shopee shops
// of one partner app, on one warehouse. Per cycle it prints the runs per
// stream (every stream must succeed exactly once), the spread of streams
// over the workers, the wall time, the idle cost per stream, the peak
// database connections (PostgreSQL) and the workers' peak memory, when
// each worker started its Runner and finished its own shard, and on
// PostgreSQL the database's transactions and rows (pg_stat_database) and
// the server's CPU time (all its sessions, when it runs on this host); with
// -kill it SIGKILLs one worker in the middle of the first cycle and prints
// how long its streams waited to be taken over. -cpuprofile writes each
// worker's CPU profile, -v prints the workers' logs.
//
//	go run ./examples/bench-scale -workers 4 -shops 200
//	go run ./examples/bench-scale -workers 4 -shops 200 -sink 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable'
//	go run ./examples/bench-scale -workers 4 -shops 200 -kill
//	go run ./examples/bench-scale -workers 4 -shops 200 -rate 50 -latency 20ms
//
// The simulators run in this process; the workers are this binary with
// -worker. Cycle 1 is the first load (no checkpoint yet), the next ones
// find nothing new (idle). Between cycles the bench clears the streams'
// success marks on the lease rows, standing in for the schedule's period
// passing, so that each cycle runs every stream once instead of finding it
// fresh. On PostgreSQL the warehouse is a pair of fresh schemas, dropped at
// the end. With -rate R the shops share one limit of R calls/s (the app's,
// as on Shopee) and each worker keeps R/W (connector.ShareBudgets). Each
// worker opens 1/W of the default PostgreSQL pool as the sharded job does
// (postgres.SharePool; -share-pool=false: the whole default pool each).
// -late D starts the last worker D later in every cycle; -owner-grace sets
// the workers' Runner.OwnerGrace (negative: help as soon as the own shard
// ended, the behaviour before OwnerGrace).
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/benchproc"
	"github.com/facolos/etl/shopee"
	"github.com/facolos/etl/shopee/shopeetest"
	etlsink "github.com/facolos/etl/sink"
	"github.com/facolos/etl/sink/postgres"
	"golang.org/x/time/rate"
)

var (
	workers     = flag.Int("workers", 4, "worker processes")
	shops       = flag.Int("shops", 200, "simulated Shopee shops (one partner app)")
	orders      = flag.Int("orders", 20, "orders per shop")
	cycles      = flag.Int("cycles", 2, "cycles: the first load, then idle ones")
	into        = flag.String("sink", "", "warehouse URL (sqlite:PATH or postgres://…; default: a new SQLite file)")
	kill        = flag.Bool("kill", false, "SIGKILL worker 0 in the middle of the first cycle")
	appRate     = flag.Float64("rate", 0, "the app's limit in calls/s across its shops (0: none); each worker keeps rate/workers")
	latency     = flag.Duration("latency", 0, "simulated latency of every call")
	finance     = flag.Bool("finance", false, "also the finance streams (escrow, wallet): three streams per shop instead of one")
	split       = flag.Bool("split", true, "with -rate: each worker keeps rate/workers (false: each keeps the whole rate, the budget per process as before)")
	parallel    = flag.Int("parallel", 0, "pipelines in flight per worker (default connector.DefaultParallel)")
	worker      = flag.Bool("worker", false, "internal: run as a worker")
	spec        = flag.String("spec", "", "internal: the shops (JSON file)")
	shard       = flag.String("shard", "", "internal: the worker's shard")
	freshWithin = flag.Duration("fresh-within", time.Hour, "the workers' -fresh-within")
	late        = flag.Duration("late", 0, "start the last worker this much later than the others in every cycle (a pod pending, a slow host)")
	ownerGrace  = flag.Duration("owner-grace", 0, "the workers' Runner.OwnerGrace (0: connector.DefaultOwnerGrace; negative: help as soon as the own shard ended)")
	cpuProfile  = flag.String("cpuprofile", "", "write each worker's CPU profile of each cycle to PREFIX-w<i>-c<cycle>.pprof")
	cycleNo     = flag.Int("cycle", 0, "internal: the cycle (for -cpuprofile)")
	verbose     = flag.Bool("v", false, "the workers log at level info (on stderr)")
	sharePool   = flag.Bool("share-pool", true, "each worker opens 1/workers of the default PostgreSQL pool (postgres.SharePool), as the sharded job does")
	t0          = flag.Int64("t0", 0, "internal: the cycle's start (Unix ns)")
	now         = time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
)

type shopSpec struct {
	URL        string `json:"url"`
	PartnerID  int64  `json:"partner_id"`
	PartnerKey string `json:"partner_key"`
	ShopID     int64  `json:"shop_id"`
	Access     string `json:"access"`
	Refresh    string `json:"refresh"`
}

// workerResult is what a worker prints last.
type workerResult struct {
	Streams         map[string]int `json:"streams"` // by status
	TookOver        int            `json:"took_over"`
	PeakHeap        uint64         `json:"peak_heap"`
	PeakRSS         uint64         `json:"peak_rss"` // the worker's own (benchproc.PeakRSS)
	RenewalFailures int64          `json:"renewal_failures"`
	Pipelines       int            `json:"pipelines"`
	FailedPipelines []string       `json:"failed,omitempty"`
	WallMS          int64          `json:"wall_ms"`
	// Since the cycle's start: the Runner starts, the first and the last
	// pipeline of its own shard finish, the Runner returns.
	RunAtMS, FirstOwnMS, LastOwnMS, EndMS int64
	DoneBeforeResult                      int `json:"-"`
}

func main() {
	flag.Parse()
	var err error
	if *worker {
		err = runWorker()
	} else {
		err = run()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench-scale:", err)
		os.Exit(1)
	}
}

// countRenewals counts the "lease renewal failed" logs of the sinks.
type countRenewals struct {
	slog.Handler
	n *atomic.Int64
}

func (c countRenewals) Handle(ctx context.Context, r slog.Record) error {
	if strings.HasPrefix(r.Message, "lease renewal failed") {
		c.n.Add(1)
	}
	return c.Handler.Handle(ctx, r)
}

func runWorker() error {
	var renewals atomic.Int64
	level := slog.LevelError
	if *verbose {
		level = slog.LevelInfo
	}
	logger := slog.New(countRenewals{slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}), &renewals})
	sh, err := connector.ParseShard(*shard)
	if err != nil {
		return err
	}
	logger = logger.With("worker", sh.Index)
	slog.SetDefault(logger)
	if *cpuProfile != "" {
		f, err := os.Create(fmt.Sprintf("%s-w%d-c%d.pprof", *cpuProfile, sh.Index, *cycleNo))
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer func() { pprof.StopCPUProfile(); _ = f.Close() }()
	}
	data, err := os.ReadFile(*spec)
	if err != nil {
		return err
	}
	var specs []shopSpec
	if err := json.Unmarshal(data, &specs); err != nil {
		return err
	}
	ctx := context.Background()
	if *sharePool {
		postgres.SharePool(sh.Count)
	}
	wh, err := etlsink.Open(ctx, *into, connector.TimeUTC)
	if err != nil {
		return err
	}
	defer wh.Close()
	// One budget for the app in this worker: its share of the app's limit.
	share := float64(sh.Count)
	if !*split {
		share = 1
	}
	budget := connector.NewBudget(*appRate/share, 1)
	var ps []connector.Pipeline
	for _, sp := range specs {
		src, err := shopee.NewSource(shopee.Config{Host: sp.URL, PartnerID: sp.PartnerID, PartnerKey: sp.PartnerKey, ShopID: sp.ShopID,
			AccessToken: sp.Access, RefreshToken: sp.Refresh, Now: func() time.Time { return now }, Logger: logger,
			DisableFinance: !*finance, HTTP: connector.HTTPConfig{Budget: budget}})
		if err != nil {
			return err
		}
		ps = append(ps, connector.Pipeline{Name: fmt.Sprintf("shopee/%d", sp.ShopID), Platform: "shopee", Account: fmt.Sprint(sp.ShopID),
			Source: src, Transformer: src.Transformer(), Sink: wh.Sink})
	}
	var mu sync.Mutex
	out := json.NewEncoder(os.Stdout)
	cycleStart := time.Unix(0, *t0)
	sinceStart := func() int64 { return time.Since(cycleStart).Milliseconds() }
	var names []string
	for _, p := range ps {
		names = append(names, p.Name)
	}
	mine := map[string]bool{}
	for i, owned := range sh.Owned(names) {
		if owned {
			mine[names[i]] = true
		}
	}
	own := len(mine)
	var wr workerResult
	ownDone := 0
	r := &connector.Runner{Shard: sh, Help: true, Watch: true, FreshWithin: *freshWithin, OwnerGrace: *ownerGrace, Parallel: *parallel, Logger: logger,
		Observer: func(e connector.Event) {
			if e.Kind == connector.PipelineFinished {
				mu.Lock()
				if mine[e.Pipeline] {
					if ownDone++; ownDone == 1 {
						wr.FirstOwnMS = sinceStart()
					}
					if ownDone == own {
						wr.LastOwnMS = sinceStart()
					}
				}
				_ = out.Encode(map[string]string{"done": e.Pipeline})
				mu.Unlock()
			}
		}}
	peak := benchproc.PeakHeap()
	start := time.Now()
	wr.RunAtMS = sinceStart()
	res := r.Run(ctx, ps...)
	mu.Lock()
	wr.Streams, wr.WallMS, wr.PeakHeap, wr.Pipelines, wr.EndMS = map[string]int{}, time.Since(start).Milliseconds(), peak(), len(res), sinceStart()
	mu.Unlock()
	for _, x := range res {
		for _, st := range x.Streams {
			wr.Streams[string(st)]++
		}
		wr.TookOver += len(x.TookOver)
		if x.Status == connector.StatusFailed {
			wr.FailedPipelines = append(wr.FailedPipelines, x.Pipeline+": "+fmt.Sprint(x.Err))
		}
	}
	wr.RenewalFailures = renewals.Load()
	wr.PeakRSS = benchproc.PeakRSS()
	mu.Lock()
	defer mu.Unlock()
	return out.Encode(map[string]workerResult{"result": wr})
}

// proc is one worker process of a cycle.
type proc struct {
	cmd    *exec.Cmd
	res    workerResult
	done   atomic.Int64
	killed bool
	err    error
}

func run() error {
	ctx := context.Background()
	var lim *rate.Limiter
	if *appRate > 0 {
		// R calls in any second, as the platform counts them.
		lim = rate.NewLimiter(rate.Limit(*appRate), max(1, int(*appRate)))
	}
	var sims []*shopeetest.Server
	var specs []shopSpec
	for i := 0; i < *shops; i++ {
		sim := shopeetest.NewServer(shopeetest.Options{ShopID: int64(100000 + i), Seed: int64(i+1) * 7919, Orders: *orders, Days: 30, Now: now,
			Limiter: lim, Latency: *latency})
		defer sim.Close()
		sims = append(sims, sim)
		specs = append(specs, shopSpec{sim.URL, sim.PartnerID(), sim.PartnerKey(), sim.ShopID(), sim.InitialAccess(), sim.InitialRefresh()})
	}
	dir, err := os.MkdirTemp("", "etl-bench-scale")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	specPath := filepath.Join(dir, "shops.json")
	data, _ := json.Marshal(specs)
	if err := os.WriteFile(specPath, data, 0o600); err != nil {
		return err
	}
	url, cleanup, err := warehouseURL(ctx, dir)
	if err != nil {
		return err
	}
	defer cleanup()
	wh, err := etlsink.Open(ctx, url, connector.TimeUTC)
	if err != nil {
		return err
	}
	defer wh.Close()
	names := tableNames(wh)
	streamsPerShop := 1
	if *finance {
		streamsPerShop = 3
	}
	streams := *shops * streamsPerShop
	fmt.Printf("workers=%d shops=%d streams=%d orders/shop=%d sink=%s rate=%v split=%v latency=%s parallel=%d kill=%v share-pool=%v owner-grace=%s late=%s\n",
		*workers, *shops, streams, *orders, connector.Redact(url), *appRate, *split, *latency, *parallel, *kill, *sharePool, *ownerGrace, *late)
	fmt.Printf("load average: %s\n", loadAvg())
	seen := map[string]bool{}
	for c := 1; c <= *cycles; c++ {
		if c > 1 {
			// The schedule's period passed: the streams are no longer fresh.
			if _, err := wh.DB.ExecContext(ctx, `UPDATE `+names.leases+` SET succeeded_at = NULL, succeeded_mode = NULL`); err != nil {
				return err
			}
		}
		callsBefore := calls(sims)
		throttledBefore := throttled(sims)
		stopConns := sampleConnections(wh.DB, names.postgres)
		pgBefore, selfBefore := postgresCPU(), selfCPU()
		dbBefore := dbStats(wh.DB, names.postgres)
		start := time.Now()
		ps, killedAt, err := cycle(specPath, url, c, c == 1 && *kill, streams)
		wall := time.Since(start)
		conns := stopConns()
		if err != nil {
			return err
		}
		fmt.Printf("\n  database (pg_stat_database of this database, this cycle): %s", dbStats(wh.DB, names.postgres).minus(dbBefore))
		fmt.Printf("\n  CPU of the PostgreSQL server (all its sessions, when on this host) %s, of the simulators (this process) %s", (postgresCPU() - pgBefore).Round(time.Millisecond), (selfCPU() - selfBefore).Round(time.Millisecond))
		if err := report(ctx, c, wh.DB, names, seen, ps, wall, killedAt, streams, conns, calls(sims)-callsBefore, throttled(sims)-throttledBefore); err != nil {
			return err
		}
	}
	var stored int
	if err := wh.DB.QueryRowContext(ctx, `SELECT count(*) FROM `+names.orders).Scan(&stored); err != nil {
		return err
	}
	fmt.Printf("warehouse: %d orders stored, want %d (%s)\n", stored, *shops**orders, map[bool]string{true: "equal", false: "DIFFERENT"}[stored == *shops**orders])
	return nil
}

type tables struct {
	runs, leases, orders string
	postgres             bool
}

func tableNames(wh *etlsink.Warehouse) tables {
	type schemer interface{ Schema(string) string }
	if s, ok := wh.Sink.(schemer); ok && !strings.HasPrefix(fmt.Sprintf("%T", wh.Sink), "*sqlite") {
		ctl, stg := connector.QuoteIdent(s.Schema("etl_control")), connector.QuoteIdent(s.Schema("staging"))
		return tables{runs: ctl + ".batch_runs", leases: ctl + ".leases", orders: stg + ".shopee_orders", postgres: true}
	}
	return tables{runs: "etl_control_batch_runs", leases: "etl_control_leases", orders: "shopee_orders"}
}

// warehouseURL returns the URL the workers share: a new SQLite file, or
// the PostgreSQL URL with fresh schemas (dropped by cleanup).
func warehouseURL(ctx context.Context, dir string) (string, func(), error) {
	if *into == "" {
		return "sqlite:" + filepath.Join(dir, "bench.db"), func() {}, nil
	}
	if !strings.HasPrefix(*into, "postgres") {
		return "", nil, errors.New("-sink: sqlite:PATH or postgres://… (a SQLite path must be new)")
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	p := "bench_scale_" + hex.EncodeToString(b[:])
	sep := "?"
	if strings.Contains(*into, "?") {
		sep = "&"
	}
	url := *into + sep + "schema_staging=" + p + "_staging&schema_control=" + p + "_control"
	return url, func() {
		wh, err := etlsink.Open(ctx, url, connector.TimeUTC)
		if err != nil {
			return
		}
		defer wh.Close()
		for _, s := range []string{p + "_staging", p + "_control"} {
			_, _ = wh.DB.ExecContext(ctx, "DROP SCHEMA IF EXISTS "+connector.QuoteIdent(s)+" CASCADE")
		}
	}, nil
}

// cycle starts the workers at once and waits for them; with kill, worker
// 0 is killed once it finished half of its shard's pipelines.
func cycle(specPath, url string, cyc int, kill bool, streams int) ([]*proc, time.Time, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, time.Time{}, err
	}
	ps := make([]*proc, *workers)
	var wg sync.WaitGroup
	var killedAt time.Time
	var killMu sync.Mutex
	half := max(1, *shops / *workers / 2)
	t0 := time.Now()
	for i := range ps {
		p := &proc{}
		ps[i] = p
		p.cmd = exec.Command(self, "-worker", "-spec", specPath, "-sink", url, "-shard", fmt.Sprintf("%d/%d", i, *workers),
			"-rate", fmt.Sprint(*appRate), "-fresh-within", freshWithin.String(), "-owner-grace", ownerGrace.String(), "-parallel", fmt.Sprint(*parallel), fmt.Sprintf("-finance=%v", *finance), fmt.Sprintf("-split=%v", *split),
			"-cycle", fmt.Sprint(cyc), fmt.Sprintf("-v=%v", *verbose), fmt.Sprintf("-share-pool=%v", *sharePool), "-cpuprofile", *cpuProfile, "-t0", fmt.Sprint(t0.UnixNano()))
		p.cmd.Stderr = os.Stderr
		stdout, err := p.cmd.StdoutPipe()
		if err != nil {
			return nil, time.Time{}, err
		}
		if *late > 0 && i == len(ps)-1 {
			time.Sleep(*late)
		}
		if err := p.cmd.Start(); err != nil {
			return nil, time.Time{}, err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc := bufio.NewScanner(stdout)
			sc.Buffer(make([]byte, 1<<20), 1<<24)
			for sc.Scan() {
				var line struct {
					Done   string        `json:"done"`
					Result *workerResult `json:"result"`
				}
				if json.Unmarshal(sc.Bytes(), &line) != nil {
					continue
				}
				if line.Result != nil {
					p.res = *line.Result
				}
				if line.Done != "" && p.done.Add(1) == int64(half) && kill && i == 0 {
					killMu.Lock()
					killedAt = time.Now()
					_ = p.cmd.Process.Signal(syscall.SIGKILL)
					p.killed = true
					killMu.Unlock()
				}
			}
			_, _ = io.Copy(io.Discard, stdout)
			p.err = p.cmd.Wait()
		}()
	}
	wg.Wait()
	for i, p := range ps {
		if p.err != nil && !p.killed {
			return nil, time.Time{}, fmt.Errorf("worker %d: %w", i, p.err)
		}
	}
	return ps, killedAt, nil
}

func report(ctx context.Context, c int, db *sql.DB, names tables, seen map[string]bool, ps []*proc, wall time.Duration, killedAt time.Time,
	streams int, conns int, calls, throttled int) error {
	rows, err := db.QueryContext(ctx, `SELECT batch_id, pipeline, table_name, status, start_time, taken_over_by FROM `+names.runs)
	if err != nil {
		return err
	}
	defer rows.Close()
	success := map[string]int{}
	byStatus := map[string]int{}
	starts := map[string]time.Time{}
	var abandonedBy []string
	for rows.Next() {
		var id, pipeline, stream, status string
		var start any
		var taker sql.NullString
		if err := rows.Scan(&id, &pipeline, &stream, &status, &start, &taker); err != nil {
			return err
		}
		starts[strings.ToLower(id)] = parseStart(start)
		if seen[id+status] {
			continue
		}
		if status != "RUNNING" {
			seen[id+status] = true
		}
		byStatus[status]++
		if status == "SUCCESS" {
			success[pipeline+"/"+stream]++
		}
		if status == "ABANDONED" && taker.Valid {
			abandonedBy = append(abandonedBy, strings.ToLower(taker.String))
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	hist := map[int]int{}
	for _, n := range success {
		hist[n]++
	}
	hist[0] = streams - len(success)
	kind := "idle"
	if c == 1 {
		kind = "first load"
	}
	fmt.Printf("\ncycle %d (%s): wall %s, %.1f ms per stream\n", c, kind, wall.Round(time.Millisecond), float64(wall.Microseconds())/1000/float64(streams))
	fmt.Printf("  successful runs per stream: %s; run history this cycle: %s\n", histString(hist), mapString(byStatus))
	var ran []int
	var cpu time.Duration
	var maxRSS uint64
	var renewals int64
	tookOver := 0
	for i, p := range ps {
		n := p.res.Streams["ok"]
		if !p.killed {
			ran = append(ran, n)
		}
		tookOver += p.res.TookOver
		renewals += p.res.RenewalFailures
		if st := p.cmd.ProcessState; st != nil {
			cpu += st.UserTime() + st.SystemTime()
		}
		maxRSS = max(maxRSS, p.res.PeakRSS)
		status := mapString(p.res.Streams)
		if p.killed {
			status = fmt.Sprintf("killed after %d pipelines", p.done.Load())
		}
		fmt.Printf("  worker %d: %s; took over %d; peak heap %.1f MiB; runner started %.1fs, own shard %.1f–%.1fs, done %.1fs %s\n", i, status, p.res.TookOver,
			float64(p.res.PeakHeap)/(1<<20), float64(p.res.RunAtMS)/1000, float64(p.res.FirstOwnMS)/1000, float64(p.res.LastOwnMS)/1000, float64(p.res.EndMS)/1000,
			strings.Join(p.res.FailedPipelines, "; "))
	}
	fmt.Printf("  spread of streams run over the live workers: %s\n", spread(ran))
	fmt.Printf("  CPU of the workers: %s (%.2f ms per stream); peak RSS of a worker %.0f MiB; lease-renewal failures %d\n",
		cpu.Round(time.Millisecond), float64(cpu.Microseconds())/1000/float64(streams), float64(maxRSS)/(1<<20), renewals)
	if names.postgres {
		fmt.Printf("  peak connections to the database: %d\n", conns)
	}
	fmt.Printf("  API calls %d, throttled answers %d", calls, throttled)
	if *appRate > 0 {
		bound := float64(calls) / *appRate
		fmt.Printf(", calls/rate %.1fs, wall = %.2f x calls/rate", bound, wall.Seconds()/bound)
	}
	fmt.Println()
	if !killedAt.IsZero() {
		var worst time.Duration
		for _, id := range abandonedBy {
			if t, ok := starts[id]; ok && t.Sub(killedAt) > worst {
				worst = t.Sub(killedAt)
			}
		}
		fmt.Printf("  killed worker 0: %d runs ABANDONED and taken over (%d take-overs reported), the last %s after the kill\n",
			len(abandonedBy), tookOver, worst.Round(time.Millisecond))
	}
	return nil
}

func parseStart(v any) time.Time {
	switch t := v.(type) {
	case time.Time:
		return t
	case string:
		for _, layout := range []string{"2006-01-02T15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999-07:00"} {
			if x, err := time.Parse(layout, t); err == nil {
				return x
			}
		}
	}
	return time.Time{}
}

func histString(h map[int]int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(h)) {
		if h[k] > 0 || k == 1 {
			parts = append(parts, fmt.Sprintf("%d streams %d×", h[k], k))
		}
	}
	return strings.Join(parts, ", ")
}

func mapString(m map[string]int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

// spread prints the counts and their largest deviation from the mean.
func spread(ns []int) string {
	if len(ns) == 0 {
		return "-"
	}
	sum, lo, hi := 0, ns[0], ns[0]
	for _, n := range ns {
		sum += n
		lo, hi = min(lo, n), max(hi, n)
	}
	mean := float64(sum) / float64(len(ns))
	dev := 0.0
	if mean > 0 {
		dev = max(float64(hi)-mean, mean-float64(lo)) / mean * 100
	}
	return fmt.Sprintf("%v (mean %.1f, within ±%.0f%%)", ns, mean, dev)
}

func calls(sims []*shopeetest.Server) int {
	n := 0
	for _, s := range sims {
		for _, p := range []string{shopeetest.PathOrderList, shopeetest.PathOrderDetail, shopeetest.PathEscrowList, shopeetest.PathEscrowDetailBatch,
			shopeetest.PathWalletTxnList, shopeetest.PathRefresh} {
			n += s.Calls(p)
		}
	}
	return n
}

func throttled(sims []*shopeetest.Server) int {
	n := 0
	for _, s := range sims {
		n += s.Throttled()
	}
	return n
}

// sampleConnections samples the database's connections (PostgreSQL) every
// 20 ms until stop, which returns the peak (the bench's own one left out).
func sampleConnections(db *sql.DB, pg bool) (stop func() int) {
	if !pg {
		return func() int { return 0 }
	}
	peak := benchproc.Peak(20*time.Millisecond, func() uint64 {
		var n uint64
		_ = db.QueryRow(`SELECT count(*) - 1 FROM pg_stat_activity WHERE datname = current_database()`).Scan(&n)
		return n
	})
	return func() int { return int(peak()) }
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// selfCPU is this process's CPU time (the simulators').
func selfCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// postgresCPU is the CPU time of a PostgreSQL server on this host: its
// postmaster's children that ended (cutime, cstime) and the live ones.
// Zero when no postmaster is found.
func postgresCPU() time.Duration {
	stat := func(pid string) (ppid string, self, children int64, comm string) {
		b, err := os.ReadFile("/proc/" + pid + "/stat")
		if err != nil {
			return
		}
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			return
		}
		comm = s[strings.IndexByte(s, '(')+1 : i]
		f := strings.Fields(s[i+2:])
		if len(f) < 15 {
			return
		}
		var u, st, cu, cs int64
		fmt.Sscan(f[11], &u)
		fmt.Sscan(f[12], &st)
		fmt.Sscan(f[13], &cu)
		fmt.Sscan(f[14], &cs)
		return f[1], u + st, cu + cs, comm
	}
	ents, _ := os.ReadDir("/proc")
	type pr struct {
		ppid           string
		self, children int64
		comm           string
	}
	all := map[string]pr{}
	for _, e := range ents {
		if e.Name()[0] < '0' || e.Name()[0] > '9' {
			continue
		}
		ppid, self, ch, comm := stat(e.Name())
		all[e.Name()] = pr{ppid, self, ch, comm}
	}
	var ticks int64
	for pid, p := range all {
		if p.comm != "postgres" || all[p.ppid].comm == "postgres" {
			continue
		}
		ticks += p.self + p.children // the postmaster
		for _, c := range all {
			if c.ppid == pid {
				ticks += c.self
			}
		}
	}
	return time.Duration(ticks) * time.Second / 100
}

// pgStats are counters of pg_stat_database.
type pgStats [8]int64

var pgStatNames = [8]string{"commits", "rollbacks", "blocks read", "blocks hit", "rows returned", "rows fetched", "rows written", "sessions"}

func dbStats(db *sql.DB, pg bool) pgStats {
	var s pgStats
	if !pg {
		return s
	}
	_, _ = db.Exec(`SELECT pg_stat_force_next_flush()`)
	_ = db.QueryRow(`SELECT xact_commit, xact_rollback, blks_read, blks_hit, tup_returned, tup_fetched, tup_inserted + tup_updated + tup_deleted, sessions
		FROM pg_stat_database WHERE datname = current_database()`).Scan(&s[0], &s[1], &s[2], &s[3], &s[4], &s[5], &s[6], &s[7])
	return s
}

func (s pgStats) minus(o pgStats) string {
	var parts []string
	for i := range s {
		parts = append(parts, fmt.Sprintf("%s %d", pgStatNames[i], s[i]-o[i]))
	}
	return strings.Join(parts, ", ")
}
