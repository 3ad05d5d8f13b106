// Command bench measures a full load of one platform's simulated account
// into a warehouse (a new SQLite file by default, or any sink URL), so that
// a user can size a warehouse and an API budget from it. It prints:
//
//   - the API calls against the fewest the platform's paging permits;
//   - with -rate, the wall time against the API bound (minimum calls ÷
//     rate: what the budget alone allows);
//   - rows per second against the sink's measured ceiling: the sink's own
//     upsert benchmark (sinktest.UpsertCeiling, the workload of the sinks'
//     BenchmarkUpsert: 20-column rows) run in this process, into this
//     warehouse, just before the load (-ceiling-rows 0 skips it);
//   - with -read-pass, the rows per second the load adds beyond reading the
//     API alone, against the same-rows ceiling: the sink alone writing this
//     load's own batches into an empty twin of the warehouse (replay.go),
//     and the loader's CPU per 1000 rows of the load, of the read pass and
//     of the sink alone;
//   - the peak heap of the loading process.
//
// The simulator runs in a child process (this binary with -serve), so the
// heap and CPU time measured are the loader's alone.
//
//	go run ./examples/bench -orders 10000
//	go run ./examples/bench -platform tiktok -orders 50000 -latency 300ms -jitter 100ms -rate 20
//	go run ./examples/bench -platform misa -customers 20000 -sale-orders 20000 -sink 'postgres://postgres@127.0.0.1:5432/bench?sslmode=disable'
//	go run ./examples/bench -platform lazada -orders 50000 -latency 200ms -jitter 200ms -rate 20 -source-only
//
// A server warehouse should be an empty database: the load is a first load
// only when the staging tables hold no rows of the simulated account, and
// the ceiling writes its own table (bench_wide).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/benchproc"
	"github.com/facolos/etl/sink"
	"github.com/facolos/etl/sink/sinktest"
	"golang.org/x/sync/errgroup"
)

var (
	platformName = flag.String("platform", "shopee", "simulated platform: shopee, tiktok, misa or lazada")
	into         = flag.String("sink", "", "warehouse URL (sqlite:PATH, postgres://…, sqlserver://…; default: a new SQLite file)")
	serve        = flag.Bool("serve", false, "internal: run the simulator and print its address")

	orders = flag.Int("orders", 10000, "orders in the simulated shop (shopee, tiktok, lazada)")
	days   = flag.Int("days", 0, "days of history the orders are spread over (default: shopee and tiktok 365, lazada 120)")

	latency     = flag.Duration("latency", 0, "simulated latency of every call")
	jitter      = flag.Duration("jitter", 0, "extra random latency of up to this")
	rateLimit   = flag.Float64("rate", 0, "calls per second the simulator allows and the client keeps to (0: unlimited)")
	concurrency = flag.Int("concurrency", 0, "the source's Concurrency: requests or windows in flight (default the library's)")
	sourceOnly  = flag.Bool("source-only", false, "read from the API only (records counted and dropped): the API-bound part of a load")
	readPass    = flag.Bool("read-pass", false, "before the load, read the same account once from a fresh simulator without writing, and report the rows per second the load adds beyond reading")

	ceilingRows = flag.Int("ceiling-rows", 100000, "rows of the sink's own upsert benchmark run before the load, in batches of the load's size (0: skip)")
	batchRows   = flag.Int("batch", 0, "rows per batch of the full load (Runner.FullLoadBatchSize; default connector.DefaultFullLoadBatchSize)")
	cpInterval  = flag.Duration("checkpoint-interval", 0, "Runner.FullLoadCheckpointInterval (default connector.DefaultFullLoadCheckpointInterval; negative, such as -1s: commit every checkpoint)")
	streamPar   = flag.Int("stream-parallel", 0, "streams read at once (Runner.StreamParallel; default the source's)")
	cpuProfile  = flag.String("cpuprofile", "", "write a CPU profile of the load to this file")
	memProfile  = flag.String("memprofile", "", "write the heap profile of the load's largest live heap to this file (go tool pprof)")
)

// loaded is what a platform's part of the command returns: the source to
// read, its transformer, the fewest calls a full load can take (with what
// they are made of) and the size of the simulated account.
type loaded struct {
	src      benchSource
	tr       connector.Transformer
	minCalls func(connector.Result) (int, string)
	size     string // "orders=50000"
}

type benchSource interface {
	connector.Source
	connector.StatsSource
}

// platform is one simulated platform: serve runs its simulator in the
// child process; open connects a source to the endpoint the child printed.
type platform struct {
	serve func()
	open  func(ep json.RawMessage, quiet *slog.Logger) (loaded, error)
}

var platforms = map[string]platform{
	"shopee": shopeeBench,
	"tiktok": tiktokBench,
	"misa":   misaBench,
	"lazada": lazadaBench,
}

func main() {
	flag.Parse()
	p, ok := platforms[*platformName]
	if !ok {
		fmt.Fprintf(os.Stderr, "bench: -platform %q: shopee, tiktok, misa or lazada\n", *platformName)
		os.Exit(2)
	}
	if *serve {
		p.serve()
		return
	}
	if err := run(p); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// daysOr is -days, or def when it was not given.
func daysOr(def int) int {
	if *days > 0 {
		return *days
	}
	return def
}

// connect starts a simulator child and opens the platform's source on it.
func connect(p platform, quiet *slog.Logger) (loaded, func(), error) {
	var ep json.RawMessage
	stop, err := benchproc.StartChild(&ep)
	if err != nil {
		return loaded{}, nil, err
	}
	l, err := p.open(ep, quiet)
	if err != nil {
		stop()
		return loaded{}, nil, err
	}
	return l, stop, nil
}

func run(p platform) error {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	url := *into
	if url == "" {
		dir, err := os.MkdirTemp("", "etl-bench")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		url = "sqlite:" + filepath.Join(dir, "bench.db")
	}
	var batches, checkpoints atomic.Int64
	runner := &connector.Runner{Mode: connector.Full, Logger: quiet, StreamParallel: *streamPar,
		FullLoadBatchSize: *batchRows, FullLoadCheckpointInterval: *cpInterval, Observer: func(e connector.Event) {
			switch e.Kind {
			case connector.BatchWritten:
				batches.Add(1)
			case connector.CheckpointCommitted:
				checkpoints.Add(1)
			}
		}}
	batch := *batchRows
	if batch <= 0 {
		batch = connector.DefaultFullLoadBatchSize
	}

	var readWall, readCPU time.Duration
	var same sameRows
	if *readPass && !*sourceOnly {
		l, stop, err := connect(p, quiet)
		if err != nil {
			return err
		}
		var rec *recorded
		if *ceilingRows > 0 {
			rec = &recorded{pages: map[string][]connector.Page{}}
		}
		cpu0 := benchproc.CPUTime()
		start := time.Now()
		_, err = readOnly(ctx, l.src, *streamPar, rec)
		readWall, readCPU = time.Since(start), benchproc.CPUTime()-cpu0
		stop()
		if err != nil {
			return fmt.Errorf("read pass: %w", err)
		}
		if rec != nil {
			if same, err = sameRowsCeiling(ctx, url, l.src, l.tr, rec, *runner); err != nil {
				return err
			}
			// The recorded pages and batches go before the load is measured.
			rec = nil
			runtime.GC()
			debug.FreeOSMemory()
		}
	}

	l, stop, err := connect(p, quiet)
	if err != nil {
		return err
	}
	defer stop()
	var wh *sink.Warehouse
	var ceiling float64
	var ceilingCPU, ceilingServer time.Duration
	ceilingServerOK := false
	if !*sourceOnly {
		if wh, err = sink.Open(ctx, url, connector.TimeUTC); err != nil {
			return err
		}
		defer wh.Close()
		if *ceilingRows > 0 {
			srv := serverCPU(ctx, wh.DB)
			cpu0 := benchproc.CPUTime()
			if ceiling, err = sinktest.UpsertCeiling(ctx, wh.Sink, *ceilingRows, batch); err != nil {
				return fmt.Errorf("sink ceiling: %w", err)
			}
			// UpsertCeiling writes half the rows untimed first: the CPU
			// time is per row written.
			ceilingCPU = benchproc.CPUTime() - cpu0
			ceilingServer, ceilingServerOK = serverCPUSince(ctx, wh.DB, srv)
		}
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var profile *bytes.Buffer
	if *memProfile != "" {
		profile = new(bytes.Buffer)
	}
	var srv0 map[int]time.Duration
	if wh != nil {
		srv0 = serverCPU(ctx, wh.DB)
	}
	peakHeap, peakLive := benchproc.PeakHeap(), benchproc.PeakLiveHeapProfiled(profile)
	cpu0 := benchproc.CPUTime()
	start := time.Now()
	var res connector.Result
	if *sourceOnly {
		res.Records, res.Err = readOnly(ctx, l.src, *streamPar, nil)
		res.APICalls, res.Stats = l.src.APICalls(), l.src.Stats()
	} else {
		res = runner.Run(ctx, connector.Pipeline{Name: "bench", Source: l.src, Transformer: l.tr, Sink: wh.Sink})[0]
	}
	wall, cpu := time.Since(start), benchproc.CPUTime()-cpu0
	heap, live := peakHeap(), peakLive()
	var server time.Duration
	serverOK := false
	if wh != nil {
		server, serverOK = serverCPUSince(ctx, wh.DB, srv0)
	}
	if res.Err != nil {
		return res.Err
	}
	if profile != nil {
		if err := os.WriteFile(*memProfile, profile.Bytes(), 0o644); err != nil {
			return err
		}
	}

	var rows int64
	for _, n := range res.Rows {
		rows += n
	}
	fmt.Printf("platform=%s sink=%s\n", *platformName, connector.Redact(url))
	fmt.Printf("%s records=%d rows=%d wall=%s records/s=%.0f rows/s=%.0f cpu(loader)=%s\n", l.size, res.Records, rows,
		wall.Round(time.Millisecond), float64(res.Records)/wall.Seconds(), float64(rows)/wall.Seconds(), cpu.Round(time.Millisecond))
	calls := total(res.APICalls)
	minCalls, made := l.minCalls(res)
	fmt.Printf("calls=%d minimum=%d (%s) = %.2f x; by path %s\n", calls, minCalls, made, float64(calls)/float64(max(minCalls, 1)), byPath(res.APICalls))
	if *rateLimit > 0 {
		bound := float64(minCalls) / *rateLimit
		fmt.Printf("latency=%s jitter=%s rate=%.0f/s: API bound (minimum calls / rate) = %.1fs; wall = %.2f x that\n",
			*latency, *jitter, *rateLimit, bound, wall.Seconds()/bound)
	}
	if !*sourceOnly {
		line := fmt.Sprintf("batch=%d rows: %d batches written (one transaction each), %d with a checkpoint", batch, batches.Load(), checkpoints.Load())
		if ceiling > 0 {
			line += fmt.Sprintf("; wide-table ceiling (the sink's upsert benchmark: %d 20-column rows in batches of %d, this process) = %.0f rows/s; the load = %.0f %% of it",
				*ceilingRows, batch, ceiling, 100*float64(rows)/wall.Seconds()/ceiling)
		}
		fmt.Println(line)
		kr := float64(rows) / 1000
		if ceiling > 0 {
			wk := float64(*ceilingRows) * 1.5 / 1000 // rows written, timed or not
			line := fmt.Sprintf("wide-table ceiling: cpu(loader) %.1f ms per 1000 rows", ms(ceilingCPU)/wk)
			if ceilingServerOK {
				line += fmt.Sprintf(", cpu(server) %.1f ms", ms(ceilingServer)/wk)
			}
			fmt.Println(line)
		}
		if same.rows > 0 {
			fmt.Printf("same-rows ceiling (the sink alone writing this load's %d rows in its %d batches into an empty twin warehouse) = %.0f rows/s, wall %s, cpu(loader) %s = %.1f ms per 1000 rows\n",
				same.rows, same.batches, same.rate(), same.wall.Round(time.Millisecond), same.cpu.Round(time.Millisecond), ms(same.cpu)/(float64(same.rows)/1000))
		}
		if readWall > 0 {
			line := fmt.Sprintf("read pass wall %s cpu(loader) %s; ", readWall.Round(time.Millisecond), readCPU.Round(time.Millisecond))
			if wall <= readWall {
				// On a busy machine the read pass alone can take longer
				// than the whole load a minute later: the CPU times below
				// are the figures to compare then.
				line += "beyond reading: not measurable by wall time (the load took no longer than the read pass)"
			} else {
				beyond := float64(rows) / (wall - readWall).Seconds()
				line += fmt.Sprintf("beyond reading %.0f rows/s", beyond)
				if same.rows > 0 {
					line += fmt.Sprintf(" = %.0f %% of the same-rows ceiling", 100*beyond/same.rate())
				}
				if ceiling > 0 {
					line += fmt.Sprintf(" = %.0f %% of the wide-table ceiling", 100*beyond/ceiling)
				}
			}
			fmt.Println(line)
		}
		line = fmt.Sprintf("cpu(loader) per 1000 rows: load %.1f ms", ms(cpu)/kr)
		if readWall > 0 {
			line += fmt.Sprintf(", read pass %.1f ms, beyond reading %.1f ms", ms(readCPU)/kr, ms(cpu-readCPU)/kr)
			if same.rows > 0 {
				line += fmt.Sprintf(" (the sink alone on the same rows: %.1f ms)", ms(same.cpu)/(float64(same.rows)/1000))
			}
		}
		fmt.Println(line)
		if serverOK {
			line = fmt.Sprintf("cpu(server) per 1000 rows: load %.1f ms", ms(server)/kr)
			if same.serverOK {
				line += fmt.Sprintf(" (the sink alone on the same rows: %.1f ms)", ms(same.server)/(float64(same.rows)/1000))
			}
			fmt.Println(line)
		}
		// The same comparison by CPU time (loader and, for a PostgreSQL
		// server on this machine, server): the sink's speed on a row is
		// the inverse of its CPU time per row.
		if readWall > 0 && same.rows > 0 && serverOK == same.serverOK {
			beyond := ms(cpu-readCPU) / kr
			sink := ms(same.cpu) / (float64(same.rows) / 1000)
			if serverOK {
				beyond += ms(server) / kr
				sink += ms(same.server) / (float64(same.rows) / 1000)
			}
			line = fmt.Sprintf("by CPU time: beyond reading %.1f ms per 1000 rows, the sink alone on the same rows %.1f ms: the load adds rows at %.0f %% of the same-rows ceiling",
				beyond, sink, 100*sink/beyond)
			if ceiling > 0 && (!serverOK || ceilingServerOK) {
				wk := float64(*ceilingRows) * 1.5 / 1000
				wide := ms(ceilingCPU) / wk
				if serverOK {
					wide += ms(ceilingServer) / wk
				}
				line += fmt.Sprintf(", at %.0f %% of the wide-table ceiling (%.1f ms)", 100*wide/beyond, wide)
			}
			fmt.Println(line)
		}
	}
	fmt.Printf("peak heap=%.1f MiB  peak live heap=%.1f MiB\n", float64(heap)/(1<<20), float64(live)/(1<<20))
	return nil
}

// readOnly reads every stream of src the way the runner does (up to its
// stream parallelism at once) and drops the records, or keeps their pages
// in rec when it is not nil.
func readOnly(ctx context.Context, src connector.Source, streamPar int, rec *recorded) (int64, error) {
	par := 1
	if ps, ok := src.(connector.ParallelSource); ok {
		par = max(ps.StreamParallelism(), 1)
		if streamPar > 0 {
			par = min(par, streamPar)
		}
	}
	var records atomic.Int64
	var g errgroup.Group
	g.SetLimit(par)
	for _, st := range src.Streams() {
		g.Go(func() error {
			return st.Read(ctx, connector.ReadOptions{}, func(_ context.Context, p connector.Page) error {
				records.Add(int64(len(p.Records)))
				if rec != nil {
					rec.add(st.Name(), p)
				}
				return nil
			})
		})
	}
	err := g.Wait()
	return records.Load(), err
}

// ms is d in milliseconds.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func total(calls map[string]int64) int64 {
	var n int64
	for _, c := range calls {
		n += c
	}
	return n
}

// byPath lists calls per endpoint path, sorted.
func byPath(calls map[string]int64) string {
	var parts []string
	for p, n := range calls {
		parts = append(parts, fmt.Sprintf("%s=%d", p, n))
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}
