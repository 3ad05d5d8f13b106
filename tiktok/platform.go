package tiktok

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/platform"
	"github.com/facolos/etl/tiktok/tiktoktest"
)

func init() { platform.Register(driver{}) }

// DefaultRateLimit is the default request budget of one TikTok Shop app, in
// calls per second, shared by all its shops: below the 50/s a third-party
// report cites (the official figure is not public), leaving room for the
// seller's other tools. Set TIKTOK_RATE_LIMIT per app.
const DefaultRateLimit = 20

// driver is the "tiktok" platform driver.
type driver struct{}

// Name implements platform.Driver.
func (driver) Name() string { return "tiktok" }

// Variables implements platform.Driver: the old system's variables.
func (driver) Variables() []platform.Variable {
	return []platform.Variable{
		{Name: "TIKTOK_APP_KEY", Required: true, Doc: "app key from Partner Center"},
		{Name: "TIKTOK_APP_SECRET", Required: true, Secret: true, Doc: "app secret (signs requests; sent to the auth host on refresh)"},
		{Name: "TIKTOK_ACCESS_TOKEN", Secret: true, Doc: "first access token (used when the token store has none; examples/authorize stores a first pair instead)"},
		{Name: "TIKTOK_REFRESH_TOKEN", Secret: true, Doc: "first refresh token (used when the token store has none)"},
		{Name: "TIKTOK_SHOP_NAME", Account: true, Doc: "names the shop in pipelines, reports and the token store (default: \"default\")"},
		{Name: "TIKTOK_SHOP_CIPHER", Secret: true, Doc: "shop cipher; resolved through /authorization/202309/shops when empty"},
		{Name: "TIKTOK_SHOP_API_BASE_URL", Doc: "Open API host (default " + DefaultBaseURL + ")"},
		{Name: "TIKTOK_AUTH_BASE_URL", Doc: "token host (default " + DefaultAuthURL + ")"},
		{Name: "TIKTOK_START_DATE", Doc: "start of full loads, YYYY-MM-DD: midnight of the warehouse's time basis (default 2024-07-01 00:00 Vietnam time)"},
		{Name: "TIKTOK_RATE_LIMIT", Doc: "calls per second of the app, shared by its shops (default " + strconv.Itoa(DefaultRateLimit) + ")"},
		{Name: "TIKTOK_TOKEN_REFRESH_BUFFER", Doc: "refresh this many seconds before the access token expires (default 300)"},
		{Name: "ETL_INCREMENTAL_LOOKBACK_MINUTES", Doc: "overlap of incremental windows (default 15)"},
		{Name: "TIKTOK_FINANCE", Doc: "false turns off the finance streams (statements, their transactions, withdrawals; default on)"},
		{Name: "TIKTOK_FINANCE_LOOKBACK_HOURS", Doc: "overlap of the finance streams' incremental reads, in hours (default 24)"},
		{Name: "TIKTOK_CONCURRENCY", Doc: "time windows of a load read at once (default " + strconv.Itoa(DefaultConcurrency) + "; 1 reads one page at a time)"},
	}
}

// Open implements platform.Driver.
func (driver) Open(ctx context.Context, acct platform.Account, deps platform.Deps) (connector.Source, connector.Transformer, error) {
	cfg, _, err := configFromEnv(acct.Get, deps.TimeBasis)
	if err != nil {
		return nil, nil, err
	}
	cfg.Shop = acct.Name
	cfg.Tokens = deps.Tokens
	cfg.Logger = deps.Logger
	cfg.HTTP = cfg.HTTP.Merge(deps.HTTP)
	if cfg.HTTP.Budget == nil {
		perSecond, err := platform.EnvRate(acct.Get, "TIKTOK_RATE_LIMIT", DefaultRateLimit)
		if err != nil {
			return nil, nil, fmt.Errorf("tiktok shop %s: %w", acct.Name, err)
		}
		// Every shop of one app draws from the app's budget.
		cfg.HTTP.Budget = connector.SharedBudget("tiktok/"+cfg.AppKey+"@"+cfg.BaseURL, perSecond, 1)
	}
	src, err := NewSource(cfg)
	if err != nil {
		return nil, nil, err
	}
	return src, src.Transformer(), nil
}

// Demo implements platform.Driver: it starts a tiktoktest simulator and
// returns an account pointing at it, with no shop cipher (the source
// resolves it). The source talks to it like to the real platform, with the
// real clock.
func (driver) Demo(opts platform.DemoOptions) (*platform.Demo, error) {
	now := opts.Clock()
	// One shop per seed (seed 0 and 1 are the simulator's default shop), so
	// that the demo shops of an accounts file are told apart by shop_id.
	shopID := strconv.FormatInt(7494049642642000000+max(opts.Seed, 1)-1, 10)
	sim := tiktoktest.NewServer(tiktoktest.Options{Seed: opts.Seed, ShopID: shopID, Orders: opts.Size(500), Now: now, RateLimit: opts.RateLimit,
		Faults: opts.Faults()})
	env := map[string]string{
		"TIKTOK_APP_KEY":           sim.AppKey(),
		"TIKTOK_APP_SECRET":        sim.AppSecret(),
		"TIKTOK_ACCESS_TOKEN":      sim.InitialAccess(),
		"TIKTOK_REFRESH_TOKEN":     sim.InitialRefresh(),
		"TIKTOK_SHOP_NAME":         "demo",
		"TIKTOK_SHOP_API_BASE_URL": sim.URL,
		"TIKTOK_AUTH_BASE_URL":     sim.AuthURL,
		"TIKTOK_START_DATE":        now.AddDate(0, 0, -130).In(connector.Vietnam).Format(time.DateOnly),
	}
	env["TIKTOK_RATE_LIMIT"] = opts.AppRate()
	return &platform.Demo{
		Account: platform.Account{Platform: "tiktok", Name: "demo", Get: func(k string) string { return env[k] }},
		Advance: func(d time.Duration) { sim.Advance(d) },
		Close:   sim.Close,
	}, nil
}
