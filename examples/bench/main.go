// Command bench measures a full Shopee load from the simulator into a
// warehouse (a fresh SQLite file by default, or any sink URL): wall time,
// orders per second, API calls against the minimum possible, and the peak
// heap of the loading process. The simulator runs in a child process (this
// binary with -serve), so the heap measured is the pipeline's alone.
//
//	go run ./examples/bench -orders 10000
//	go run ./examples/bench -orders 50000 -sink 'postgres://postgres@127.0.0.1:5432/bench?sslmode=disable'
//	go run ./examples/bench -orders 50000 -sink 'sqlserver://sa:PASSWORD@127.0.0.1:1433?database=bench'
//
// A server warehouse should be empty (a fresh database): the load is a first
// load only when the staging tables hold no rows of the simulated shop.
//
// With -latency (plus -jitter) every simulated call takes that long and
// -rate limits both the simulator and the client to that many calls per
// second: the latency-bound load, reported against minimum calls ÷ rate.
//
//	go run ./examples/bench -orders 50000 -latency 300ms -rate 20
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/benchproc"
	"github.com/facolos/etl/shopee"
	"github.com/facolos/etl/shopee/shopeetest"
	"github.com/facolos/etl/sink"
	"golang.org/x/time/rate"
)

var (
	orders = flag.Int("orders", 10000, "orders in the simulated shop")
	days   = flag.Int("days", 365, "days of history they are spread over")
	serve  = flag.Bool("serve", false, "internal: run the simulator and print its address")
	// Latency-bound loads.
	latency     = flag.Duration("latency", 0, "simulated latency of every call")
	jitter      = flag.Duration("jitter", 0, "extra random latency of up to this")
	rateLimit   = flag.Float64("rate", 0, "calls per second the simulator allows and the client keeps to (0: unlimited)")
	concurrency = flag.Int("concurrency", 0, "detail calls in flight (default the library's)")
	listConc    = flag.Int("list-concurrency", 0, "15-day windows listed at once in a full load (default the library's)")
	sourceOnly  = flag.Bool("source-only", false, "read from the API only (records counted and dropped): the API-bound part of a load")
	into        = flag.String("sink", "", "warehouse URL (sqlite:PATH, postgres://…, sqlserver://…; default: a new SQLite file)")
	now         = time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
)

type endpoint struct {
	URL        string `json:"url"`
	PartnerID  int64  `json:"partner_id"`
	PartnerKey string `json:"partner_key"`
	ShopID     int64  `json:"shop_id"`
	Access     string `json:"access"`
	Refresh    string `json:"refresh"`
	// MinList is the fewest get_order_list pages a full load from the
	// first order's day can take: per 15-day window, ceil(orders/100).
	MinList int `json:"min_list"`
}

// minListPages counts, per 15-day window from the first order's day (UTC)
// to now, the pages of 100 orders its orders need (at least one each).
func minListPages(orders []shopeetest.Order) int {
	if len(orders) == 0 {
		return 1
	}
	start := time.Unix(orders[0].CreateTime, 0).UTC().Truncate(24 * time.Hour).Unix()
	span := int64(shopee.MaxWindow / time.Second)
	counts := map[int64]int{}
	for _, o := range orders {
		counts[(o.CreateTime-start)/span]++
	}
	pages := 0
	for w := int64(0); start+w*span < now.Unix(); w++ {
		pages += max(1, (counts[w]+shopee.PageSize-1)/shopee.PageSize)
	}
	return pages
}

func main() {
	flag.Parse()
	if *serve {
		sim := shopeetest.NewServer(shopeetest.Options{Orders: *orders, Days: *days, Now: now, Seed: 1,
			Latency: *latency, Jitter: *jitter, RateLimit: *rateLimit, Burst: max(int(*rateLimit), 1)})
		benchproc.Serve(endpoint{sim.URL, sim.PartnerID(), sim.PartnerKey(), sim.ShopID(), sim.InitialAccess(), sim.InitialRefresh(),
			minListPages(sim.Orders())})
		sim.Close()
		return
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run() error {
	var ep endpoint
	stopSim, err := benchproc.Start(&ep, "-serve", "-orders", fmt.Sprint(*orders), "-days", fmt.Sprint(*days),
		"-latency", latency.String(), "-jitter", jitter.String(), "-rate", fmt.Sprint(*rateLimit))
	if err != nil {
		return err
	}
	defer stopSim()

	url := *into
	if url == "" {
		dir, err := os.MkdirTemp("", "etl-bench")
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
	src, err := shopee.NewSource(shopee.Config{Host: ep.URL, PartnerID: ep.PartnerID, PartnerKey: ep.PartnerKey, ShopID: ep.ShopID,
		AccessToken: ep.Access, RefreshToken: ep.Refresh, Now: func() time.Time { return now }, Logger: quiet,
		Concurrency: *concurrency, ListConcurrency: *listConc, DisableFinance: true, // the orders pipeline alone
		HTTP: connector.HTTPConfig{RateLimit: rate.Limit(*rateLimit), Burst: 1}})
	if err != nil {
		return err
	}

	runtime.GC()
	var peak, peakLive atomic.Uint64
	stop := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		// The live heap after the last GC: what the pipeline retains, less
		// noisy than HeapAlloc, which also counts garbage not yet collected.
		live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak.Load() {
				peak.Store(ms.HeapAlloc)
			}
			metrics.Read(live)
			if v := live[0].Value.Uint64(); v > peakLive.Load() {
				peakLive.Store(v)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	start := time.Now()
	var res connector.Result
	if *sourceOnly {
		res.Err = src.Streams()[0].Read(ctx, connector.ReadOptions{}, func(_ context.Context, p connector.Page) error {
			res.Records += int64(len(p.Records))
			return nil
		})
		res.APICalls, res.Stats = src.APICalls(), src.Stats()
	} else {
		res = (&connector.Runner{Mode: connector.Full, Logger: quiet}).Run(ctx,
			connector.Pipeline{Name: "bench", Source: src, Transformer: src.Transformer(), Sink: wh.Sink})[0]
	}
	wall := time.Since(start)
	close(stop)
	if res.Err != nil {
		return res.Err
	}
	rows := int64(0)
	for _, n := range res.Rows {
		rows += n
	}
	minDetail := (*orders + shopee.MaxDetailBatch - 1) / shopee.MaxDetailBatch
	windows := (int(time.Duration(*days)*24*time.Hour/shopee.MaxWindow) + 1)
	minList := max(windows, (*orders+shopee.PageSize-1)/shopee.PageSize)
	fmt.Printf("sink=%s\n", connector.Redact(url))
	fmt.Printf("orders=%d records=%d rows=%d wall=%s orders/s=%.0f\n", *orders, res.Records, rows, wall.Round(time.Millisecond), float64(res.Records)/wall.Seconds())
	fmt.Printf("get_order_detail calls=%d (minimum %d)  get_order_list calls=%d (lower bound %d: %d windows, %d orders per page; includes %v earliest-date probes)\n",
		res.APICalls[shopee.PathOrderDetail], minDetail, res.APICalls[shopee.PathOrderList], minList, windows, shopee.PageSize, res.Stats["earliest_date_probes"])
	fmt.Printf("peak heap=%.1f MiB  peak live heap=%.1f MiB\n", float64(peak.Load())/(1<<20), float64(peakLive.Load())/(1<<20))
	if *rateLimit > 0 {
		probes, _ := res.Stats["earliest_date_probes"].(int)
		minCalls := minDetail + ep.MinList + probes
		var calls int64
		for _, n := range res.APICalls {
			calls += n
		}
		bound := float64(minCalls) / *rateLimit
		fmt.Printf("latency=%s jitter=%s rate=%.0f/s: calls=%d minimum=%d (detail %d + list pages %d + earliest-date probes %d); minimum calls / rate = %.1fs; wall = %.2f x that (goal <= 1.2)\n",
			*latency, *jitter, *rateLimit, calls, minCalls, minDetail, ep.MinList, probes, bound, wall.Seconds()/bound)
	}
	return nil
}
