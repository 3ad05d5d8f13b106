// Command sync is the main job: it loads every configured platform account
// into the warehouse, fully or incrementally, once or every -every.
//
// Without any configuration (no platform variable, no accounts file, no
// warehouse setting) or with -demo it runs against the built-in simulators
// into an embedded SQLite file, so a new user sees the whole system work
// with zero setup:
//
//	go run ./examples/sync
//
// With credentials in the environment or a settings file (.env in the
// working directory, else examples/.env; see examples/.env.example) it
// talks to the real APIs, e.g. SHOPEE_PARTNER_ID, SHOPEE_PARTNER_KEY,
// SHOPEE_SHOP_ID, with the tokens examples/authorize stored in the
// warehouse; with -accounts FILE it loads any number of accounts per
// platform (-demo -accounts FILE rehearses the file: one simulated shop
// per account). Simulated data never reaches a configured warehouse unless
// -demo is given. Platforms are found in the platform registry: importing
// a package that registers a driver adds it.
//
// -check is a dry run: it validates the configuration, checks the
// warehouse, reaches every account with one read-only call and prints what
// a run would do (docs/connect-your-shops.md).
//
// Exit codes: 0 every pipeline ok, 1 a pipeline failed, 2 bad configuration
// (nothing was opened or created), 3 none failed but at least one was
// skipped (another worker held its lease), 130 a single run was
// interrupted. A pipeline not run because it is fresh (it succeeded less
// than -fresh-within ago) or another shard's is not a failure (0).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/envfile"
	// A platform a user wrote (examples/custom): importing the package
	// registers "stock", usable in -platforms and the accounts file.
	_ "github.com/facolos/etl/examples/custom/stock"
	"github.com/facolos/etl/platform"
	_ "github.com/facolos/etl/shopee" // registers "shopee"
	etlsink "github.com/facolos/etl/sink"
	"github.com/facolos/etl/sink/mssql"
	"github.com/facolos/etl/sink/postgres"
	"github.com/facolos/etl/tokenstore"
	"github.com/mattn/go-isatty"

	_ "github.com/facolos/etl/lazada" // registers "lazada"
	_ "github.com/facolos/etl/misa"   // registers "misa"
	_ "github.com/facolos/etl/tiktok" // registers "tiktok"
)

type options struct {
	mode          string
	sink          string
	platforms     string
	accounts      string
	demo          bool
	demoOrders    int
	demoFaults    float64
	demoSeed      int64
	demoNow       string
	demoRate      float64
	every         time.Duration
	report        string
	timeBasis     string
	since         string
	leaseWait     time.Duration
	parallel      int
	streamPar     int
	metrics       string
	healthyWithin time.Duration
	verbose       bool
	logFormat     string
	progressEvery time.Duration
	check         bool
	shard         string
	freshWithin   time.Duration
	force         bool
	help          bool
	watch         bool
	ownerGrace    time.Duration

	// afterRound, when set (tests), is called after every round with the
	// metrics address ("" without metrics).
	afterRound func(metricsAddr string)
	// tty forces the terminal progress display (tests).
	tty bool
}

func defaults() options {
	return options{mode: "incremental", platforms: "all", demoOrders: 500, demoSeed: 1, timeBasis: "utc", parallel: 4,
		logFormat: "text", progressEvery: 10 * time.Second, freshWithin: -1, help: true, watch: true}
}

func main() {
	o := defaults()
	flag.StringVar(&o.mode, "mode", o.mode, "full | incremental (incremental is a full load where there is no checkpoint)")
	flag.StringVar(&o.sink, "sink", "", "warehouse URL: sqlite:PATH, postgres://… or sqlserver://… (default $ETL_SINK, else the SQL_SERVER_* variables, else sqlite:facolos.db)")
	flag.StringVar(&o.platforms, "platforms", o.platforms, "comma-separated platforms to run (registered: "+fmt.Sprint(platform.Names())+") or all")
	flag.StringVar(&o.accounts, "accounts", os.Getenv("ETL_ACCOUNTS"), "YAML file listing the accounts per platform (default $ETL_ACCOUNTS; without it, each platform's variables describe one account)")
	flag.BoolVar(&o.demo, "demo", false, "run against the built-in simulators (the default only when nothing at all is configured)")
	flag.IntVar(&o.demoOrders, "demo-orders", o.demoOrders, "records per simulated account")
	flag.Float64Var(&o.demoFaults, "demo-faults", 0, "share of simulated API calls that fail (5xx, 429, timeouts, truncated JSON), 0..1")
	flag.Int64Var(&o.demoSeed, "demo-seed", o.demoSeed, "seed of the simulated data")
	flag.Float64Var(&o.demoRate, "demo-rate", 0, "simulators' API limit in calls/s, also the demo apps' budget (0: unlimited)")
	flag.StringVar(&o.demoNow, "demo-now", "", "simulators' clock start, RFC 3339 (default today 00:00 UTC)")
	flag.DurationVar(&o.every, "every", 0, "repeat incremental syncs at this interval (0 = run once)")
	flag.StringVar(&o.report, "report", "", "json: print each round's result as one JSON object on stdout")
	flag.StringVar(&o.since, "since", "", "YYYY-MM-DD: start of full loads, midnight of the -time-basis (default: each platform's own start)")
	flag.DurationVar(&o.leaseWait, "lease-wait", 0, "when another worker is syncing the same stream: wait this long for it, then skip (0: skip at once)")
	flag.StringVar(&o.timeBasis, "time-basis", o.timeBasis, "how timestamps are stored: utc (instants) or vietnam (Asia/Ho_Chi_Minh wall clock, as the old warehouse)")
	flag.IntVar(&o.parallel, "parallel", o.parallel, "pipelines (platform accounts) run at once")
	flag.IntVar(&o.streamPar, "stream-parallel", 0, "streams of one account read at once, where the platform allows it (0: as many as it allows; 1: one after the other)")
	flag.StringVar(&o.metrics, "metrics", "", "HOST:PORT of a Prometheus /metrics and /healthz endpoint (default :9464 with -every, none otherwise)")
	flag.DurationVar(&o.healthyWithin, "healthy-within", 0, "/healthz fails when a pipeline has not succeeded for this long (default max(3 x -every, 1h))")
	flag.BoolVar(&o.verbose, "v", false, "debug logs (API calls, retries)")
	flag.StringVar(&o.logFormat, "log-format", o.logFormat, "text or json")
	flag.DurationVar(&o.progressEvery, "progress-every", o.progressEvery, "interval of progress log lines when stderr is not a terminal")
	flag.StringVar(&o.shard, "shard", "", "i/n: this worker's share of the accounts, 0 ≤ i < n (default $ETL_SHARD, else $JOB_COMPLETION_INDEX/$ETL_SHARD_COUNT of a Kubernetes Indexed Job; none: every account)")
	flag.DurationVar(&o.freshWithin, "fresh-within", o.freshWithin, "skip a stream that succeeded less than this ago, by any worker (status fresh); set it to the schedule's period minus a margin (default 10m with -shard, else 0: off)")
	flag.BoolVar(&o.force, "force", false, "run every stream even when it is fresh (-fresh-within 0)")
	flag.BoolVar(&o.help, "help-others", o.help, "with -shard: after its own share, help with the other shards' streams that nobody has started")
	flag.DurationVar(&o.ownerGrace, "owner-grace", 0, "with -help-others: take another shard's streams only when its worker has not shown up this long after this one started, stopped, made no progress this long, or would need longer than this for the rest (default 5s; negative: as soon as this worker's share is done)")
	flag.BoolVar(&o.watch, "watch", o.watch, "with -shard: wait for streams other workers hold until they are done, taking over those whose worker stopped")
	flag.BoolVar(&o.check, "check", false, "dry run: validate the configuration, reach every account with one read-only call, check the warehouse takes writes, print what a run would do (exit 0 ok, 1 something unreachable, 2 bad configuration)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	o.tty = isatty.IsTerminal(os.Stderr.Fd())
	os.Exit(run(ctx, o, os.Getenv, os.Stdout, os.Stderr))
}

func newLogger(o options, w io.Writer) *slog.Logger {
	level := slog.LevelInfo
	if o.verbose {
		level = slog.LevelDebug
	}
	h := &slog.HandlerOptions{Level: level}
	if o.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, h))
	}
	return slog.New(slog.NewTextHandler(w, h))
}

// run runs the job and returns its exit code. getenv reads the environment
// after the .env file is loaded.
func run(ctx context.Context, o options, getenv func(string) string, stdout, stderr io.Writer) int {
	// The live progress lines and the logs share stderr.
	stderr = &syncWriter{w: stderr}
	logger := newLogger(o, stderr)
	if path, err := envfile.Load(); err != nil {
		logger.Error("configuration error: nothing was opened or changed", "error", err)
		return exitConfig
	} else if path != "" {
		logger.Info("settings file read", "file", path)
	}
	code, err := syncAll(ctx, o, getenv, logger, stdout, stderr)
	if err != nil {
		var ce *configError
		if errors.As(err, &ce) {
			logger.Error("configuration error: nothing was opened or changed", "error", err)
			return exitConfig
		}
		logger.Error("sync failed", "error", err)
	}
	return code
}

func syncAll(ctx context.Context, o options, getenv func(string) string, logger *slog.Logger, stdout, stderr io.Writer) (int, error) {
	p, err := settle(o, getenv, time.Now())
	if err != nil {
		return exitConfig, err
	}
	if p.shard.Sharded() {
		// One API budget per app across the workers: each takes its share.
		connector.ShareBudgets(p.shard.Count)
		// One warehouse across the workers: each opens its share of the
		// connections (a PostgreSQL pool size of the URL wins).
		postgres.SharePool(p.shard.Count)
		logger.Info("sharded worker: its share of the accounts first, each app's API budget and the PostgreSQL pool divided by the shard count",
			"shard", p.shard.String(), "fresh_within", p.freshWithin, "help", o.help, "watch", o.watch)
	}
	// Every account must open (its settings parse) before the warehouse is
	// touched.
	for _, a := range p.accounts {
		d, _ := platform.Lookup(a.Platform)
		if _, _, err := d.Open(ctx, a, platform.Deps{Tokens: &tokenstore.Memory{}, Logger: logger, TimeBasis: p.basis}); err != nil {
			return exitConfig, badConfig("%s account %s: %v", a.Platform, a.Name, redact(err.Error(), p.secrets))
		}
	}
	if !p.since.IsZero() {
		logger.Info("full loads start at -since", "since", o.since, "time_basis", p.basis.String(), "instant", p.since.UTC().Format(time.RFC3339))
	}
	if p.demo {
		logger.Info("demo: running against the built-in simulators", "platforms", names(p.drivers), "sink", connector.Redact(p.sinkURL))
	}

	wh, err := openWarehouse(ctx, p)
	if err != nil {
		return exitFailed, fmt.Errorf("warehouse: %s", redact(err.Error(), p.secrets))
	}
	defer wh.Close()

	var pipelines []connector.Pipeline
	var advance []func(time.Duration)
	deps := platform.Deps{Logger: logger, TimeBasis: p.basis}
	if o.tty && !o.verbose {
		// Only warnings and errors interrupt the live lines.
		deps.Logger = newLevelLogger(o, stderr, slog.LevelWarn)
	}
	if p.demo {
		deps.Tokens = &tokenstore.Memory{} // the simulators' tokens live as long as the process
		// A simulated hang costs one timeout; eight tries of 3 s ride out a
		// machine too busy to answer the in-process simulators at once.
		deps.HTTP = connector.HTTPConfig{Timeout: 3 * time.Second, Attempts: 8, MinBackoff: 50 * time.Millisecond, MaxBackoff: time.Second}
		for _, want := range demoShops(p) {
			d, _ := platform.Lookup(want.Platform)
			demo, err := d.Demo(platform.DemoOptions{Seed: o.demoSeed + want.seed, Records: o.demoOrders, Now: p.demoNow, FaultRate: o.demoFaults, RateLimit: o.demoRate})
			if err != nil {
				return exitFailed, fmt.Errorf("%s demo: %w", d.Name(), err)
			}
			defer demo.Close()
			acct := demo.Account
			if want.Name != "" {
				acct.Name = want.Name
			}
			if note := demoNotes[acct.Platform]; note != "" && want.seed == 0 {
				logger.Info("demo: "+note, "platform", acct.Platform)
			}
			p.accounts = append(p.accounts, acct)
			if demo.Advance != nil {
				advance = append(advance, demo.Advance)
			}
		}
	} else {
		store, err := wh.TokenStore(ctx)
		if err != nil {
			return exitFailed, err
		}
		deps.Tokens = store
	}
	for _, a := range p.accounts {
		d, _ := platform.Lookup(a.Platform)
		src, tr, err := d.Open(ctx, a, deps)
		if err != nil {
			return exitFailed, fmt.Errorf("%s account %s: %s", a.Platform, a.Name, redact(err.Error(), p.secrets))
		}
		pipelines = append(pipelines, connector.Pipeline{Name: a.Platform + "/" + a.Name, Platform: a.Platform, Account: a.Name,
			Source: src, Transformer: tr, Sink: wh.Sink})
	}

	if o.check {
		return check(ctx, p, wh, pipelines, p.mode, stdout), nil
	}

	var m *metrics
	metricsAddr := ""
	if o.metrics != "" || o.every > 0 {
		m = newMetrics(p.healthFor)
		addr := o.metrics
		if addr == "" {
			addr = ":9464"
		}
		a, stopMetrics, err := m.serve(addr, logger)
		if err != nil {
			return exitFailed, err
		}
		defer stopMetrics()
		metricsAddr = a
	}
	prog := newProgress(logger)
	r := &connector.Runner{Mode: p.mode, Since: p.since, Logger: logger, LeaseWait: o.leaseWait, Parallel: o.parallel, StreamParallel: o.streamPar,
		Shard: p.shard, FreshWithin: p.freshWithin, Help: p.shard.Sharded() && o.help, Watch: p.shard.Sharded() && o.watch,
		OwnerGrace: o.ownerGrace,
		Observer: func(e connector.Event) {
			prog.observe(e)
			if m != nil {
				m.observe(e)
			}
		}}
	if o.tty && !o.verbose {
		// The live lines replace the per-pipeline info logs.
		r.Logger = newLogger(options{logFormat: o.logFormat}, io.Discard)
	}
	prev := make([]map[string]int64, len(pipelines))
	for round := 0; ; round++ {
		start := time.Now()
		roundCtx, endRound := context.WithCancel(ctx)
		if o.tty {
			prog.terminal(roundCtx, stderr)
		} else {
			go prog.logEvery(roundCtx, o.progressEvery)
		}
		prog.start(pipelines)
		results := r.Run(ctx, pipelines...)
		prog.wait()
		endRound()
		stats := roundStats(results, prev)
		if m != nil {
			m.record(results, stats)
		}
		if o.report == "json" {
			if err := writeReport(stdout, r.Mode, time.Since(start), results, stats); err != nil {
				return exitFailed, err
			}
		}
		if o.afterRound != nil {
			o.afterRound(metricsAddr)
		}
		failed, skipped, fresh := 0, 0, 0
		for _, res := range results {
			switch res.Status {
			case connector.StatusFailed:
				failed++
			case connector.StatusSkipped:
				skipped++
			case connector.StatusFresh:
				fresh++
			}
		}
		if fresh > 0 {
			logger.Info("pipelines not run: they succeeded less than -fresh-within ago", "fresh", fresh, "fresh_within", p.freshWithin)
		}
		if skipped > 0 {
			logger.Warn("pipelines skipped: another worker holds their lease", "skipped", skipped)
		}
		if o.every <= 0 || ctx.Err() != nil {
			switch {
			case failed > 0:
				return exitFailed, fmt.Errorf("%d of %d pipelines failed", failed, len(results))
			case ctx.Err() != nil && o.every <= 0:
				logger.Info("interrupted: what was read is stored; the next run resumes from the committed checkpoints")
				return exitInterrupted, nil
			case skipped > 0:
				return exitSkipped, nil
			}
			return exitOK, nil
		}
		r.Mode = connector.Incremental
		logger.Info("waiting for the next round", "every", o.every, "next", time.Now().Add(o.every).UTC().Format(time.RFC3339))
		select {
		case <-ctx.Done():
			return exitOK, nil
		case <-time.After(o.every):
		}
		for _, a := range advance {
			a(o.every) // the simulated shops live on meanwhile
		}
	}
}

// demoNotes explain, before a demo run, the messages its simulators cause
// on purpose, so that a first run's only warning is one it announced.
var demoNotes = map[string]string{
	"stock": `the custom example's sample CSV has one deliberately bad row (SP007-00, quantity "not-a-number"): ` +
		`expect one "record rejected" warning the first time; the row is quarantined in etl_control_rejected_records and the others load`,
}

// demoShop is one simulated shop of a demo run: its platform, the name of
// its account ("" keeps the simulator's) and the seed offset of its data.
type demoShop struct {
	platform.Account
	seed int64
}

// demoShops lists the simulated shops of a demo run: one per account of
// the accounts file (the n-th account of a platform gets seed offset n, so
// its data differs), else one per selected platform.
func demoShops(p *plan) []demoShop {
	var out []demoShop
	if len(p.demoAccounts) > 0 {
		n := map[string]int64{}
		for _, a := range p.demoAccounts {
			out = append(out, demoShop{Account: a, seed: n[a.Platform]})
			n[a.Platform]++
		}
		return out
	}
	for _, d := range p.drivers {
		out = append(out, demoShop{Account: platform.Account{Platform: d.Name()}})
	}
	return out
}

// openWarehouse opens the plan's sink; a SQL Server from the old
// SQL_SERVER_* variables keeps its STAGING_SCHEMA.
func openWarehouse(ctx context.Context, p *plan) (*etlsink.Warehouse, error) {
	if p.staging != "" && p.staging != "staging" {
		s, err := mssql.Open(ctx, mssql.Config{DSN: p.sinkURL, TimeBasis: p.basis, Schemas: map[string]string{"staging": p.staging}})
		if err != nil {
			return nil, err
		}
		return &etlsink.Warehouse{Sink: s, DB: s.DB(), Tokens: tokenstore.SQLServer}, nil
	}
	return etlsink.Open(ctx, p.sinkURL, p.basis)
}
