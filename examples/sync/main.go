// Command sync is the main job: it loads every configured platform account
// into the warehouse, fully or incrementally, once or every -every.
//
// Without platform credentials (or with -demo) it runs against the built-in
// simulators into an embedded SQLite file, so a new user sees the whole
// system work with zero setup:
//
//	go run ./examples/sync
//
// With credentials in the environment (or a .env file) it talks to the real
// APIs, e.g. SHOPEE_PARTNER_ID, SHOPEE_PARTNER_KEY, SHOPEE_SHOP_ID,
// SHOPEE_ACCESS_TOKEN, SHOPEE_REFRESH_TOKEN.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/shopee"
	"github.com/facolos/etl/shopee/shopeetest"
	etlsink "github.com/facolos/etl/sink"
	"github.com/facolos/etl/tokenstore"
	"github.com/joho/godotenv"
)

// platforms implemented so far, in run order.
var known = []string{"shopee"}

type options struct {
	mode       string
	sink       string
	platforms  string
	demo       bool
	demoOrders int
	demoFaults float64
	demoSeed   int64
	demoNow    string
	every      time.Duration
	report     string
	timeBasis  string
	since      string
	leaseWait  time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.mode, "mode", "incremental", "full | incremental (incremental is a full load where there is no checkpoint)")
	flag.StringVar(&o.sink, "sink", "", "warehouse URL: sqlite:PATH, postgres://… or sqlserver://… (default $ETL_SINK, else sqlite:facolos.db)")
	flag.StringVar(&o.platforms, "platforms", "all", "comma-separated platforms to run ("+strings.Join(known, ", ")+") or all")
	flag.BoolVar(&o.demo, "demo", false, "run against the built-in simulators (the default when no platform credentials are configured)")
	flag.IntVar(&o.demoOrders, "demo-orders", 500, "orders per simulated account")
	flag.Float64Var(&o.demoFaults, "demo-faults", 0, "share of simulated API calls that fail (5xx, 429, timeouts, truncated JSON)")
	flag.Int64Var(&o.demoSeed, "demo-seed", 1, "seed of the simulated data")
	flag.StringVar(&o.demoNow, "demo-now", "", "simulators' clock start, RFC 3339 (default today 00:00 UTC)")
	flag.DurationVar(&o.every, "every", 0, "repeat incremental syncs at this interval (0 = run once)")
	flag.StringVar(&o.report, "report", "", "json: print the run result as one JSON object on stdout")
	flag.StringVar(&o.since, "since", "", "YYYY-MM-DD: start of full loads (default: each platform's own start, e.g. Shopee's earliest order)")
	flag.DurationVar(&o.leaseWait, "lease-wait", 0, "when another worker is syncing the same stream: wait this long for it, then skip (0: skip at once)")
	flag.StringVar(&o.timeBasis, "time-basis", "utc", "how timestamps are stored: utc (instants) or vietnam (Asia/Ho_Chi_Minh wall clock, as the old warehouse)")
	flag.Parse()

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	slog.SetDefault(logger)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, logger, os.Stdout); err != nil {
		logger.Error("sync failed", "error", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options, logger *slog.Logger, stdout io.Writer) error {
	if err := godotenv.Load(); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf(".env: %w", err)
	}
	if o.sink == "" {
		o.sink = os.Getenv("ETL_SINK")
	}
	if o.sink == "" {
		o.sink = "sqlite:facolos.db"
	}
	mode := connector.Mode(o.mode)
	if mode != connector.Full && mode != connector.Incremental {
		return fmt.Errorf("-mode: %q is neither full nor incremental", o.mode)
	}
	if o.report != "" && o.report != "json" {
		return fmt.Errorf("-report: only json is supported")
	}
	selected, err := selectPlatforms(o.platforms)
	if err != nil {
		return err
	}
	var basis connector.TimeBasis
	switch o.timeBasis {
	case "", "utc":
	case "vietnam":
		basis = connector.TimeVietnam
	default:
		return fmt.Errorf("-time-basis: %q is neither utc nor vietnam", o.timeBasis)
	}
	wh, err := etlsink.Open(ctx, o.sink, basis)
	if err != nil {
		return fmt.Errorf("-sink: %w", err)
	}
	defer wh.Close()
	sink := wh.Sink

	env := os.Getenv
	if !o.demo {
		if _, ok, err := shopee.ConfigFromEnv(env); err != nil {
			return err
		} else if !ok {
			logger.Info("no platform credentials configured: running against the built-in simulators (-demo)")
			o.demo = true
		}
	}
	demoNow := time.Now().UTC().Truncate(24 * time.Hour)
	if o.demoNow != "" {
		if demoNow, err = time.Parse(time.RFC3339, o.demoNow); err != nil {
			return fmt.Errorf("-demo-now: %w", err)
		}
	}

	var pipelines []connector.Pipeline
	var advance []func(time.Duration)
	for _, p := range selected {
		switch p {
		case "shopee":
			var cfg shopee.Config
			if o.demo {
				sim := shopeetest.NewServer(shopeetest.Options{Seed: o.demoSeed, Orders: o.demoOrders, Now: demoNow, FaultRate: o.demoFaults, HangFor: 3 * time.Second})
				defer sim.Close()
				cfg = shopee.Config{Host: sim.URL, PartnerID: sim.PartnerID(), PartnerKey: sim.PartnerKey(), ShopID: sim.ShopID(),
					AccessToken: sim.InitialAccess(), RefreshToken: sim.InitialRefresh(),
					// The simulator's tokens live as long as the process.
					Tokens: &tokenstore.Memory{},
					HTTP:   connector.HTTPConfig{Timeout: 2 * time.Second, Attempts: 5, MinBackoff: 50 * time.Millisecond, MaxBackoff: time.Second}}
				advance = append(advance, func(d time.Duration) { sim.Advance(d) })
			} else {
				cfg, _, _ = shopee.ConfigFromEnv(env)
				store, err := wh.TokenStore(ctx)
				if err != nil {
					return err
				}
				cfg.Tokens = store
			}
			cfg.Logger = logger
			src, err := shopee.NewSource(cfg)
			if err != nil {
				return err
			}
			account := fmt.Sprint(cfg.ShopID)
			pipelines = append(pipelines, connector.Pipeline{Name: "shopee/" + account, Platform: "shopee", Account: account,
				Source: src, Transformer: shopee.Transformer{}, Sink: sink})
		}
	}

	r := &connector.Runner{Mode: mode, Logger: logger, Observer: progress(logger), LeaseWait: o.leaseWait}
	if o.since != "" {
		if r.Since, err = time.Parse(time.DateOnly, o.since); err != nil {
			return fmt.Errorf("-since: %q is not YYYY-MM-DD", o.since)
		}
	}
	for round := 0; ; round++ {
		start := time.Now()
		results := r.Run(ctx, pipelines...)
		if o.report == "json" {
			if err := writeReport(stdout, r.Mode, time.Since(start), results); err != nil {
				return err
			}
		}
		failed := 0
		for _, res := range results {
			if res.Status == connector.StatusFailed {
				failed++
			}
		}
		if o.every <= 0 || ctx.Err() != nil {
			if failed > 0 {
				return fmt.Errorf("%d of %d pipelines failed", failed, len(results))
			}
			if ctx.Err() != nil {
				logger.Info("interrupted: what was read is stored; the next run resumes from the committed checkpoints")
			}
			return nil
		}
		r.Mode = connector.Incremental
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(o.every):
		}
		for _, a := range advance {
			a(o.every) // the simulated shops live on meanwhile
		}
	}
}

func selectPlatforms(list string) ([]string, error) {
	if list == "" || list == "all" {
		return known, nil
	}
	var out []string
	for _, p := range strings.Split(list, ",") {
		p = strings.TrimSpace(strings.ToLower(p))
		ok := false
		for _, k := range known {
			if p == k {
				ok = true
			}
		}
		if !ok {
			return nil, fmt.Errorf("-platforms: %q is not available (available: %s)", p, strings.Join(known, ", "))
		}
		out = append(out, p)
	}
	return out, nil
}

// progress logs batches at most every few seconds per pipeline.
func progress(logger *slog.Logger) connector.Observer {
	type state struct {
		records int
		last    time.Time
	}
	var mu sync.Mutex
	seen := map[string]*state{}
	return func(e connector.Event) {
		if e.Kind != connector.BatchWritten {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		st := seen[e.Pipeline]
		if st == nil {
			st = &state{}
			seen[e.Pipeline] = st
		}
		st.records += e.Records
		if e.Records > 0 && time.Since(st.last) > 2*time.Second {
			st.last = time.Now()
			logger.Info("progress", "pipeline", e.Pipeline, "stream", e.Stream, "records_written", st.records)
		}
	}
}

type reportPipeline struct {
	Platform string           `json:"platform"`
	Account  string           `json:"account"`
	Status   string           `json:"status"`
	Records  int64            `json:"records"`
	Rows     map[string]int64 `json:"rows"`
	Rejected int64            `json:"rejected"`
	APICalls map[string]int64 `json:"api_calls"`
	Stats    map[string]any   `json:"stats"`
	Duration int64            `json:"duration_ms"`
	Error    string           `json:"error,omitempty"`
}

func writeReport(w io.Writer, mode connector.Mode, d time.Duration, results []connector.Result) error {
	rep := struct {
		Mode       string           `json:"mode"`
		DurationMS int64            `json:"duration_ms"`
		Pipelines  []reportPipeline `json:"pipelines"`
	}{Mode: string(mode), DurationMS: d.Milliseconds()}
	for _, r := range results {
		p := reportPipeline{Platform: r.Platform, Account: r.Account, Status: string(r.Status), Records: r.Records, Rows: r.Rows,
			Rejected: r.Rejected, APICalls: r.APICalls, Stats: r.Stats, Duration: r.Duration.Milliseconds()}
		if r.Err != nil {
			p.Error = r.Err.Error()
		}
		rep.Pipelines = append(rep.Pipelines, p)
	}
	sort.SliceStable(rep.Pipelines, func(i, j int) bool { return rep.Pipelines[i].Platform < rep.Pipelines[j].Platform })
	enc := json.NewEncoder(w)
	return enc.Encode(rep)
}
