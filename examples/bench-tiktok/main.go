// Command bench-tiktok measures a full TikTok Shop load from the simulator
// into SQLite: wall time, search calls against the minimum possible, detail
// calls (none), and the peak heap of the loading process. The simulator
// runs in a child process (this binary with -serve), so the heap measured
// is the pipeline's alone.
//
//	go run ./examples/bench-tiktok -orders 10000
//	go run ./examples/bench-tiktok -orders 50000
//
// With -latency (plus -jitter) every simulated call takes that long and
// -rate limits both the simulator and the client to that many calls per
// second: the latency-bound load, reported against the minimum calls ÷ rate
// (the minimum is ceil(orders/100) searches: one window read page by page).
//
//	go run ./examples/bench-tiktok -orders 50000 -latency 300ms -jitter 100ms -rate 20
//
// -spread skewed gives an uneven shop (tiktoktest.Skewed): most orders in
// the last months, sale days, flash-sale seconds.
//
//	go run ./examples/bench-tiktok -orders 50000 -latency 300ms -jitter 100ms -rate 20 -source-only -spread skewed
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
	"github.com/facolos/etl/tiktok"
	"github.com/facolos/etl/tiktok/tiktoktest"
)

var (
	orders = flag.Int("orders", 10000, "orders in the simulated shop")
	days   = flag.Int("days", 365, "days of history they are spread over")
	flags  = benchproc.NewFlags("windows read at once (default the library's; 1: one window, page by page)")
	spread = flag.String("spread", "uniform", "create times: uniform, or skewed (volume growing twentyfold over the range, 3 sale days of a week's volume, each opening with 1% of the orders in one second)")
	end    = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
)

type endpoint struct {
	URL, AuthURL, AppKey, AppSecret, Cipher, Access, Refresh string
}

func main() {
	flag.Parse()
	var sp tiktoktest.Spread
	switch *spread {
	case "uniform":
	case "skewed":
		sp = tiktoktest.Skewed
	default:
		fmt.Fprintf(os.Stderr, "bench-tiktok: -spread %q: uniform or skewed\n", *spread)
		os.Exit(2)
	}
	if flags.Serve {
		sim := tiktoktest.NewServer(tiktoktest.Options{Orders: *orders, Days: *days, Now: end, Seed: 1, Spread: sp,
			Faults: flags.Faults(), RateLimit: flags.Rate, NoFinance: true})
		benchproc.Serve(endpoint{sim.URL, sim.AuthURL, sim.AppKey(), sim.AppSecret(), sim.ShopCipher(), sim.InitialAccess(), sim.InitialRefresh()})
		sim.Close()
		return
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench-tiktok:", err)
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
	src, err := tiktok.NewSource(tiktok.Config{BaseURL: ep.URL, AuthURL: ep.AuthURL, AppKey: ep.AppKey, AppSecret: ep.AppSecret,
		ShopCipher: ep.Cipher, AccessToken: ep.Access, RefreshToken: ep.Refresh, StartDate: end.AddDate(0, 0, -*days-1), Logger: quiet,
		// The load reads up to the simulated shop's now, as a load of a
		// shop selling until today does.
		Now:         func() time.Time { return end },
		Concurrency: flags.Concurrency, HTTP: flags.HTTP(quiet),
		DisableFinance: true}) // the orders load is measured
	if err != nil {
		return err
	}
	m, err := benchproc.Load(context.Background(), src, src.Transformer(), flags.SourceOnly)
	if err != nil {
		return err
	}
	res, wall := m.Result, m.Wall
	fmt.Printf("orders=%d records=%d rows=%d wall=%s orders/s=%.0f cpu(loader)=%s\n", *orders, res.Records, m.Rows(),
		wall.Round(time.Millisecond), float64(res.Records)/wall.Seconds(), m.CPU.Round(time.Millisecond))
	minCalls := (*orders + tiktok.MaxPageSize - 1) / tiktok.MaxPageSize
	fmt.Printf("search calls=%d (minimum %d)  detail calls=%d  windows=%v\n", res.APICalls[tiktok.PathSearch], minCalls,
		res.APICalls[tiktok.PathDetail], res.Stats["search_windows"])
	fmt.Printf("peak heap=%.1f MiB\n", float64(m.PeakHeap)/(1<<20))
	if flags.Rate > 0 {
		var calls int64
		for _, n := range res.APICalls {
			calls += n
		}
		bound := float64(minCalls) / flags.Rate
		fmt.Printf("latency=%s jitter=%s rate=%.0f/s: calls=%d minimum=%d throttled=%v retries=%v; minimum calls / rate = %.1fs; wall = %.2f x that (goal <= 1.2)\n",
			flags.Latency, flags.Jitter, flags.Rate, calls, minCalls, res.Stats["throttled"], res.Stats["http_retries"], bound, wall.Seconds()/bound)
	}
	return nil
}
