package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/benchproc"
	"github.com/facolos/etl/internal/simfault"
	"github.com/facolos/etl/tiktok"
	"github.com/facolos/etl/tiktok/tiktoktest"
	"golang.org/x/time/rate"
)

var (
	spread = flag.String("spread", "uniform", "tiktok: create times: uniform, or skewed (volume growing twentyfold over the range, 3 sale days of a week's volume, each opening with 1% of the orders in one second)")
	// simEnd is the simulated now of the TikTok, MISA and Lazada shops.
	simEnd = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
)

type tiktokEndpoint struct {
	URL, AuthURL, AppKey, AppSecret, Cipher, Access, Refresh string
}

// faults are the simulators' latency and jitter.
func faults() simfault.Options { return simfault.Options{Latency: *latency, Jitter: *jitter} }

// httpConfig is the client's configuration: the rate with a burst of 1.
func httpConfig(logger *slog.Logger) connector.HTTPConfig {
	return connector.HTTPConfig{RateLimit: rate.Limit(*rateLimit), Burst: 1, Logger: logger}
}

// tiktokBench loads a simulated TikTok Shop: order search pages of 100
// (details come with them), windows read at once (-concurrency).
var tiktokBench = platform{
	serve: func() {
		var sp tiktoktest.Spread
		switch *spread {
		case "uniform":
		case "skewed":
			sp = tiktoktest.Skewed
		default:
			fmt.Fprintf(os.Stderr, "bench: -spread %q: uniform or skewed\n", *spread)
			os.Exit(2)
		}
		sim := tiktoktest.NewServer(tiktoktest.Options{Orders: *orders, Days: daysOr(365), Now: simEnd, Seed: 1, Spread: sp,
			Faults: faults(), RateLimit: *rateLimit, NoFinance: true})
		benchproc.Serve(tiktokEndpoint{sim.URL, sim.AuthURL, sim.AppKey(), sim.AppSecret(), sim.ShopCipher(), sim.InitialAccess(), sim.InitialRefresh()})
		sim.Close()
	},
	open: func(raw json.RawMessage, quiet *slog.Logger) (loaded, error) {
		var ep tiktokEndpoint
		if err := json.Unmarshal(raw, &ep); err != nil {
			return loaded{}, err
		}
		src, err := tiktok.NewSource(tiktok.Config{BaseURL: ep.URL, AuthURL: ep.AuthURL, AppKey: ep.AppKey, AppSecret: ep.AppSecret,
			ShopCipher: ep.Cipher, AccessToken: ep.Access, RefreshToken: ep.Refresh, StartDate: simEnd.AddDate(0, 0, -daysOr(365)-1), Logger: quiet,
			DisableFinance: true, // the orders pipeline alone
			// The load reads up to the simulated shop's now, as a load of a
			// shop selling until today does.
			Now:         func() time.Time { return simEnd },
			Concurrency: *concurrency, HTTP: httpConfig(quiet)})
		if err != nil {
			return loaded{}, err
		}
		minCalls := (*orders + tiktok.MaxPageSize - 1) / tiktok.MaxPageSize
		return loaded{src: src, tr: src.Transformer(), size: fmt.Sprintf("orders=%d", *orders),
			minCalls: func(connector.Result) (int, string) {
				return minCalls, fmt.Sprintf("%d search pages of %d orders, one window read page by page", minCalls, tiktok.MaxPageSize)
			}}, nil
	},
}
