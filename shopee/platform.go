package shopee

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/platform"
	"github.com/facolos/etl/shopee/shopeetest"
	"github.com/facolos/etl/tokenstore"
)

// DefaultRateLimit is the default request budget of one Shopee partner app,
// in calls per second, shared by all of the app's shops. Shopee does not
// publish its limits; this stays well under what apps are reported to get.
// Set SHOPEE_RATE_LIMIT to change it.
const DefaultRateLimit = 10

func init() { platform.Register(Driver{}) }

// Driver is the Shopee platform driver, registered as "shopee" (see package
// platform). Its variables are the old system's SHOPEE_* names.
type Driver struct{}

// Name implements platform.Driver.
func (Driver) Name() string { return "shopee" }

// Variables implements platform.Driver.
func (Driver) Variables() []platform.Variable {
	return []platform.Variable{
		{Name: "SHOPEE_PARTNER_ID", Required: true, Doc: "partner (app) id"},
		{Name: "SHOPEE_PARTNER_KEY", Required: true, Secret: true, Doc: "partner key (signs every request)"},
		{Name: "SHOPEE_SHOP_ID", Required: true, Account: true, Doc: "shop id"},
		{Name: "SHOPEE_ACCESS_TOKEN", Secret: true, Doc: "first-run access token (later ones live in the token store)"},
		{Name: "SHOPEE_REFRESH_TOKEN", Secret: true, Doc: "first-run refresh token"},
		{Name: "SHOPEE_HOST", Doc: "API base URL (default " + DefaultHost + ")"},
		{Name: "SHOPEE_TOKEN_REFRESH_BUFFER", Doc: "refresh the access token this many seconds before it expires (default 300)"},
		{Name: "SHOPEE_INCREMENTAL_LOOKBACK_MINUTES", Doc: "overlap of incremental windows in minutes (default 15)"},
		{Name: "SHOPEE_START_DATE", Doc: "YYYY-MM-DD start of full loads, midnight of the warehouse's time basis (default: the earliest order, found by search)"},
		{Name: "SHOPEE_DETAIL_MISSING_RUNS", Doc: "an order get_order_detail leaves out in this many consecutive runs is quarantined instead of failing the run again (default " + strconv.Itoa(DefaultDetailMissingRuns) + ")"},
		{Name: "SHOPEE_FINANCE", Doc: "false turns off the finance streams (escrow income, wallet transactions; default on)"},
		{Name: "SHOPEE_FINANCE_ESTIMATES", Doc: "true adds the escrow estimates of paid orders not yet released (default off)"},
		{Name: "SHOPEE_FINANCE_LOOKBACK_HOURS", Doc: "overlap of the finance streams' incremental windows in hours (default 24)"},
		{Name: "SHOPEE_RATE_LIMIT", Doc: "calls per second of the partner app, shared by its shops (default " + strconv.Itoa(DefaultRateLimit) + ")"},
	}
}

// Open implements platform.Driver: the account's settings are read like
// ConfigFromEnv reads the environment. Shops of one partner app share one
// request budget (connector.SharedBudget "shopee/<partner id>").
func (Driver) Open(_ context.Context, acct platform.Account, deps platform.Deps) (connector.Source, connector.Transformer, error) {
	cfg, ok, err := configFromEnv(acct.Get, deps.TimeBasis)
	if err != nil {
		return nil, nil, fmt.Errorf("shopee account %s: %w", acct.Name, err)
	}
	if !ok {
		return nil, nil, fmt.Errorf("shopee account %s: SHOPEE_PARTNER_ID, SHOPEE_PARTNER_KEY and SHOPEE_SHOP_ID must be set", acct.Name)
	}
	perSecond := float64(DefaultRateLimit)
	if v := acct.Get("SHOPEE_RATE_LIMIT"); v != "" {
		if perSecond, err = strconv.ParseFloat(v, 64); err != nil || perSecond <= 0 {
			return nil, nil, fmt.Errorf("shopee account %s: SHOPEE_RATE_LIMIT: %q is not a positive number", acct.Name, v)
		}
	}
	cfg.HTTP = cfg.HTTP.Merge(deps.HTTP)
	if cfg.HTTP.Budget == nil {
		key := "shopee/" + strconv.FormatInt(cfg.PartnerID, 10)
		if cfg.Host != "" {
			key += "@" + cfg.Host
		}
		cfg.HTTP.Budget = connector.SharedBudget(key, perSecond, 1)
	}
	cfg.Tokens = deps.Tokens
	if cfg.Tokens == nil {
		cfg.Tokens = &tokenstore.Memory{}
	}
	cfg.Logger = deps.Logger
	if now, ok := demoClocks.Load(cfg.Host); ok {
		cfg.Now = now.(func() time.Time)
	}
	src, err := NewSource(cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("shopee account %s: %w", acct.Name, err)
	}
	return src, src.Transformer(), nil
}

// Demo implements platform.Driver: a shopeetest simulator and an account
// pointing at it.
func (Driver) Demo(opts platform.DemoOptions) (*platform.Demo, error) {
	// One shop per seed (seed 1 is the simulator's default shop 123456), so
	// that demo shops of different seeds have their own tokens and
	// pipelines.
	// A simulated hang outlasts the demo client's timeout (it ends when
	// the client gives up).
	sim := shopeetest.NewServer(shopeetest.Options{ShopID: 123455 + max(opts.Seed, 1), Seed: opts.Seed, Orders: opts.Records, Now: opts.Now,
		FaultRate: opts.FaultRate, HangFor: 10 * time.Second, RateLimit: opts.RateLimit, Latency: opts.Latency, Jitter: opts.Jitter})
	// The client needs the simulator's URL and credentials, and its data
	// clock: the simulator's Date header is the wall clock, while its orders
	// (and Advance) follow the data clock, so Open gives the demo's source
	// that clock as Config.Now (demoClocks), as tests do.
	demoClocks.Store(sim.URL, sim.Now)
	vars := map[string]string{
		"SHOPEE_HOST":          sim.URL,
		"SHOPEE_PARTNER_ID":    strconv.FormatInt(sim.PartnerID(), 10),
		"SHOPEE_PARTNER_KEY":   sim.PartnerKey(),
		"SHOPEE_SHOP_ID":       strconv.FormatInt(sim.ShopID(), 10),
		"SHOPEE_ACCESS_TOKEN":  sim.InitialAccess(),
		"SHOPEE_REFRESH_TOKEN": sim.InitialRefresh(),
	}
	vars["SHOPEE_RATE_LIMIT"] = opts.AppRate()
	return &platform.Demo{
		Account: platform.Account{Platform: "shopee", Name: vars["SHOPEE_SHOP_ID"], Get: func(k string) string { return vars[k] }},
		Advance: func(d time.Duration) { sim.Advance(d) },
		Close: func() {
			demoClocks.Delete(sim.URL)
			sim.Close()
		},
	}, nil
}

// demoClocks maps the host of each running demo simulator to its data clock.
var demoClocks sync.Map
