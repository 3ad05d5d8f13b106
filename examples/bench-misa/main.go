// Command bench-misa measures a full MISA CRM load from the simulator into a
// warehouse (a new SQLite file, or -sink URL): wall time, API calls against
// the minimum possible, and the peak heap of the loading process. The
// simulator runs in a child process (this
// binary with -serve), so the heap measured is the pipeline's alone.
//
// With -latency (plus -jitter) every simulated call takes that long and
// -rate limits both the simulator and the client to that many calls per
// second: the latency-bound load, reported against the minimum calls ÷ rate
// (every page of every list once, the warehouse list twice, one login).
//
//	go run ./examples/bench-misa -customers 20000 -sale-orders 20000 -latency 300ms -jitter 100ms -rate 20 -concurrency 8
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/benchproc"
	"github.com/facolos/etl/misa"
	"github.com/facolos/etl/misa/misatest"
	"github.com/facolos/etl/sink"
	"golang.org/x/sync/errgroup"
)

var (
	customers  = flag.Int("customers", 20000, "customers in the simulated tenant")
	saleOrders = flag.Int("sale-orders", 20000, "sale orders")
	contacts   = flag.Int("contacts", 1000, "contacts")
	products   = flag.Int("products", 500, "products")
	stocks     = flag.Int("stocks", 2, "warehouses")
	flags      = benchproc.NewFlags("pages of a full pass in flight (default the library's; 1: one at a time)")
	streamPar  = flag.Int("stream-parallel", 0, "streams read at once (default the source's: all six; 1: one after the other)")
	into       = flag.String("sink", "", "warehouse URL (sqlite:PATH, postgres://…, sqlserver://…; default: a new SQLite file); use an empty database: the load is a full load")
	now        = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
)

type endpoint struct {
	URL, ClientID, ClientSecret string
	// MinCalls is the fewest calls a full load can take: per list,
	// floor(n/100)+1 pages (the last one short or empty); /Stocks twice
	// (the stocks stream and product_stock's warehouse list); one login.
	MinCalls int
}

func pages(n int) int { return n/misa.PageSize + 1 }

func total(calls map[string]int64) int64 {
	var n int64
	for _, c := range calls {
		n += c
	}
	return n
}

func main() {
	flag.Parse()
	if flags.Serve {
		sim := misatest.NewServer(misatest.Options{Seed: 1, Customers: *customers, SaleOrders: *saleOrders, Contacts: *contacts,
			Products: *products, Stock: *stocks, Now: now, RateLimit: flags.Rate, Faults: flags.Faults()})
		minCalls := pages(*customers) + pages(*saleOrders) + pages(*contacts) + pages(*products) + 2 + 1
		for _, rows := range sim.Ledger() {
			minCalls += pages(len(rows))
		}
		benchproc.Serve(endpoint{sim.URL, sim.ClientID(), sim.ClientSecret(), minCalls})
		sim.Close()
		return
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench-misa:", err)
		os.Exit(1)
	}
}

func run() error {
	var ep endpoint
	stopSim, err := benchproc.StartChild(&ep)
	if err != nil {
		return err
	}
	defer stopSim()
	url := *into
	if url == "" {
		dir, err := os.MkdirTemp("", "etl-bench-misa")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		url = "sqlite:" + filepath.Join(dir, "bench.db")
	}
	ctx := context.Background()
	wh, err := sink.Open(ctx, url, connector.TimeUTC)
	if err != nil {
		return err
	}
	defer wh.Close()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	src, err := misa.NewSource(misa.Config{BaseURL: ep.URL, ClientID: ep.ClientID, ClientSecret: ep.ClientSecret, Logger: quiet,
		Now: func() time.Time { return now }, Concurrency: flags.Concurrency, HTTP: flags.HTTP(quiet)})
	if err != nil {
		return err
	}
	peakHeap := benchproc.PeakHeap()
	cpu0 := benchproc.CPUTime()
	start := time.Now()
	var res connector.Result
	if flags.SourceOnly {
		// The streams are read the way the runner reads them: up to
		// -stream-parallel at once.
		par := src.StreamParallelism()
		if *streamPar > 0 {
			par = min(par, *streamPar)
		}
		var g errgroup.Group
		g.SetLimit(par)
		var records atomic.Int64
		var mu sync.Mutex
		for _, st := range src.Streams() {
			g.Go(func() error {
				t0 := time.Now()
				var calls int64
				err := st.Read(ctx, connector.ReadOptions{}, func(_ context.Context, p connector.Page) error {
					records.Add(int64(len(p.Records)))
					return nil
				})
				mu.Lock()
				defer mu.Unlock()
				calls = total(src.APICalls())
				fmt.Printf("  stream %-13s done after %6.2fs (calls so far, all streams: %d)\n", st.Name(), time.Since(t0).Seconds(), calls)
				return err
			})
		}
		res.Err = g.Wait()
		res.Records = records.Load()
		res.APICalls, res.Stats = src.APICalls(), src.Stats()
	} else {
		res = (&connector.Runner{Mode: connector.Full, Logger: quiet, StreamParallel: *streamPar}).Run(ctx,
			connector.Pipeline{Name: "bench", Source: src, Transformer: src.Transformer(), Sink: wh.Sink})[0]
	}
	wall := time.Since(start)
	cpu := benchproc.CPUTime() - cpu0
	peak := peakHeap()
	if res.Err != nil {
		return res.Err
	}
	calls := total(res.APICalls)
	fmt.Printf("records=%d wall=%s records/s=%.0f cpu(loader)=%s peak heap=%.1f MiB\n", res.Records, wall.Round(time.Millisecond),
		float64(res.Records)/wall.Seconds(), cpu.Round(time.Millisecond), float64(peak)/(1<<20))
	fmt.Printf("calls=%d (minimum %d) by path %v; passes_repeated=%v throttled=%v retries=%v\n", calls, ep.MinCalls, res.APICalls,
		res.Stats["passes_repeated"], res.Stats["throttled"], res.Stats["http_retries"])
	if flags.Rate > 0 {
		bound := float64(ep.MinCalls) / flags.Rate
		fmt.Printf("latency=%s jitter=%s rate=%.0f/s concurrency=%d: minimum calls / rate = %.1fs; wall = %.2f x that (goal <= 1.2)\n",
			flags.Latency, flags.Jitter, flags.Rate, flags.Concurrency, bound, wall.Seconds()/bound)
	}
	return nil
}
