// Command bench-lazada measures a full Lazada load from the simulator: wall
// time and calls against the minimum possible (ceil(orders/100) list pages
// plus ceil(orders/50) item calls), and the peak heap of the loading
// process. The simulator runs in a child process (this binary with
// -serve), so the heap measured is the loader's alone.
//
//	go run ./examples/bench-lazada -orders 10000
//	go run ./examples/bench-lazada -orders 50000
//
// With -latency (plus -jitter) every simulated call takes that long and
// -rate limits the client to that many calls per second (the app's
// budget; the simulator bans an API called faster than that): the
// latency-bound load, reported against the minimum calls ÷ rate.
//
//	go run ./examples/bench-lazada -orders 50000 -latency 200ms -jitter 200ms -rate 20 -source-only
//
// -range-days longer than -days makes the shop uneven: the load's first
// days have no orders, the last ones all of them. -memprofile FILE writes
// the heap profile of the load's largest live heap (go tool pprof -top
// FILE).
//
//	go run ./examples/bench-lazada -orders 50000 -latency 200ms -jitter 200ms -rate 20 -source-only -range-days 360
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/facolos/etl/internal/benchproc"
	"github.com/facolos/etl/lazada"
	"github.com/facolos/etl/lazada/lazadatest"
)

var (
	orders = flag.Int("orders", 10000, "orders in the simulated shop")
	days   = flag.Int("days", 120, "days of history they are spread over")
	span   = flag.Int("range-days", 0, "days the load reads, back from the simulated shop's now (default -days + 1; more: the first days have no orders, an uneven shop)")
	flags  = benchproc.NewFlags("the source's Concurrency (default the library's; 1: one window, page by page)")
	end    = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
)

type endpoint struct {
	URL, AuthURL, AppKey, AppSecret, SellerID, Access, Refresh string
}

func main() {
	flag.Parse()
	if flags.Serve {
		sim := lazadatest.NewServer(lazadatest.Options{Orders: *orders, Days: *days, Now: end, Seed: 1, Faults: flags.Faults(), RateLimit: flags.Rate})
		benchproc.Serve(endpoint{sim.URL, sim.AuthURL, sim.AppKey(), sim.AppSecret(), sim.SellerID(), sim.InitialAccess(), sim.InitialRefresh()})
		sim.Close()
		return
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench-lazada:", err)
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
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	src, err := lazada.NewSource(lazada.Config{BaseURL: ep.URL, AuthURL: ep.AuthURL, AppKey: ep.AppKey, AppSecret: ep.AppSecret,
		SellerID: ep.SellerID, AccessToken: ep.Access, RefreshToken: ep.Refresh, StartDate: end.AddDate(0, 0, -max(*span, *days+1)), Logger: quiet,
		// The load reads up to the simulated shop's now, as a load of a
		// shop selling until today does.
		Now:         func() time.Time { return end },
		Concurrency: flags.Concurrency, HTTP: flags.HTTP(quiet), DisableFinance: true}) // the orders pipeline alone
	if err != nil {
		return err
	}
	m, err := benchproc.LoadProfiled(context.Background(), src, lazada.Transformer{}, flags.SourceOnly, flags.MemProfile)
	if err != nil {
		return err
	}
	res := m.Result
	fmt.Printf("orders=%d records=%d rows=%d wall=%s orders/s=%.0f cpu(loader)=%s\n", *orders, res.Records, m.Rows(),
		m.Wall.Round(time.Millisecond), float64(res.Records)/m.Wall.Seconds(), m.CPU.Round(time.Millisecond))
	minLists := (*orders + lazada.MaxLimit - 1) / lazada.MaxLimit
	minItems := (*orders + lazada.MaxItemIDs - 1) / lazada.MaxItemIDs
	lists, items := res.APICalls["/rest"+lazada.PathOrders], res.APICalls["/rest"+lazada.PathOrderItems]
	fmt.Printf("list calls=%d (minimum %d)  item calls=%d (minimum %d)  windows=%v splits=%v\n", lists, minLists, items, minItems,
		res.Stats["windows"], res.Stats["window_splits"])
	fmt.Printf("peak heap=%.1f MiB (live %.1f MiB)\n", float64(m.PeakHeap)/(1<<20), float64(m.PeakLive)/(1<<20))
	if flags.Rate > 0 {
		minCalls := minLists + minItems
		bound := float64(minCalls) / flags.Rate
		fmt.Printf("latency=%s jitter=%s rate=%.0f/s: calls=%d minimum=%d throttled=%v retries=%v; minimum calls / rate = %.1fs; wall = %.2f x that (goal <= 1.2)\n",
			flags.Latency, flags.Jitter, flags.Rate, lists+items, minCalls, res.Stats["throttled"], res.Stats["http_retries"], bound, m.Wall.Seconds()/bound)
	}
	return nil
}
