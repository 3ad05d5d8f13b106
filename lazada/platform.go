package lazada

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/lazada/lazadatest"
	"github.com/facolos/etl/platform"
)

func init() { platform.Register(driver{}) }

// DefaultRateLimit is the default request budget of one Lazada app, in
// calls per second, shared by its sellers: no figure is published for the
// order APIs, and the platform warns against tight polling (contract §5.3).
// Set LAZADA_RATE_LIMIT per app.
const DefaultRateLimit = 5

// driver is the "lazada" platform driver.
type driver struct{}

// Name implements platform.Driver.
func (driver) Name() string { return "lazada" }

// Variables implements platform.Driver.
func (driver) Variables() []platform.Variable {
	return []platform.Variable{
		{Name: "LAZADA_APP_KEY", Required: true, Doc: "app key from the Lazada Open Platform console"},
		{Name: "LAZADA_APP_SECRET", Required: true, Secret: true, Doc: "app secret (signs every request)"},
		{Name: "LAZADA_SELLER_ID", Required: true, Account: true, Doc: "seller_id of the token (country_user_info): the warehouse key and the account in the token store"},
		{Name: "LAZADA_ACCESS_TOKEN", Secret: true, Doc: "first access token (used when the token store has none; examples/authorize -platform lazada stores a first pair instead)"},
		{Name: "LAZADA_REFRESH_TOKEN", Secret: true, Doc: "first refresh token (used when the token store has none)"},
		{Name: "LAZADA_COUNTRY", Doc: "vn, sg, my, th, ph or id: the API host (default vn)"},
		{Name: "LAZADA_API_BASE_URL", Doc: "API host with /rest, overriding the country's"},
		{Name: "LAZADA_AUTH_BASE_URL", Doc: "token host with /rest (default " + DefaultAuthURL + ")"},
		{Name: "LAZADA_START_DATE", Doc: "start of full loads, YYYY-MM-DD: midnight of the warehouse's time basis (default 2024-07-01 00:00 Vietnam time)"},
		{Name: "LAZADA_RATE_LIMIT", Doc: "calls per second of the app, shared by its sellers (default " + strconv.Itoa(DefaultRateLimit) + ")"},
		{Name: "LAZADA_CONCURRENCY", Doc: "calls in flight: a full load reads up to twice this many list pages ahead and has up to twice this many item calls in flight (default " + strconv.Itoa(DefaultConcurrency) + "; 1 reads page by page)"},
		{Name: "ETL_INCREMENTAL_LOOKBACK_MINUTES", Doc: "overlap of incremental windows (default 15)"},
		{Name: "LAZADA_FINANCE", Doc: "false turns off the finance streams (transactions, payout statements; default on)"},
		{Name: "LAZADA_FINANCE_LOOKBACK_HOURS", Doc: "overlap of the finance streams' incremental reads in hours (default 24)"},
	}
}

// ConfigFromEnv reads the variables of Variables (LAZADA_START_DATE as
// midnight UTC, the default time basis; the driver reads it in
// platform.Deps.TimeBasis). ok is false when the app credentials are not
// set.
func ConfigFromEnv(getenv func(string) string) (cfg Config, ok bool, err error) {
	return configFromEnv(getenv, connector.TimeUTC)
}

// configFromEnv is ConfigFromEnv with date-only settings read in basis.
func configFromEnv(getenv func(string) string, basis connector.TimeBasis) (cfg Config, ok bool, err error) {
	if getenv("LAZADA_APP_KEY") == "" && getenv("LAZADA_APP_SECRET") == "" {
		return cfg, false, nil
	}
	cfg.AppKey, cfg.AppSecret = getenv("LAZADA_APP_KEY"), getenv("LAZADA_APP_SECRET")
	cfg.AccessToken, cfg.RefreshToken = getenv("LAZADA_ACCESS_TOKEN"), getenv("LAZADA_REFRESH_TOKEN")
	cfg.SellerID = getenv("LAZADA_SELLER_ID")
	cfg.Country = strings.ToLower(getenv("LAZADA_COUNTRY"))
	cfg.BaseURL, cfg.AuthURL = getenv("LAZADA_API_BASE_URL"), getenv("LAZADA_AUTH_BASE_URL")
	if cfg.Country != "" && cfg.BaseURL == "" {
		if _, known := Hosts[cfg.Country]; !known {
			return cfg, false, fmt.Errorf("LAZADA_COUNTRY: %q is not one of vn, sg, my, th, ph, id", cfg.Country)
		}
	}
	look, err := platform.EnvInt(getenv, "ETL_INCREMENTAL_LOOKBACK_MINUTES")
	if err != nil {
		return cfg, false, err
	}
	conc, err := platform.EnvInt(getenv, "LAZADA_CONCURRENCY")
	if err != nil {
		return cfg, false, err
	}
	cfg.Lookback, cfg.Concurrency = time.Duration(look)*time.Minute, int(min(conc, 64))
	finLook, err := platform.EnvInt(getenv, "LAZADA_FINANCE_LOOKBACK_HOURS")
	if err != nil {
		return cfg, false, err
	}
	cfg.FinanceLookback = time.Duration(finLook) * time.Hour
	switch v := strings.ToLower(getenv("LAZADA_FINANCE")); v {
	case "", "true", "1", "yes", "on":
	case "false", "0", "no", "off":
		cfg.DisableFinance = true
	default:
		return cfg, false, fmt.Errorf("LAZADA_FINANCE: %q is not true or false", v)
	}
	if cfg.StartDate, err = platform.EnvDate(getenv, "LAZADA_START_DATE", basis); err != nil {
		return cfg, false, err
	}
	if cfg.AppKey == "" || cfg.AppSecret == "" {
		return cfg, false, errors.New("lazada: LAZADA_APP_KEY and LAZADA_APP_SECRET must both be set")
	}
	if cfg.SellerID == "" {
		return cfg, false, errors.New("lazada: LAZADA_SELLER_ID must be set")
	}
	return cfg, true, nil
}

// Open implements platform.Driver.
func (driver) Open(ctx context.Context, acct platform.Account, deps platform.Deps) (connector.Source, connector.Transformer, error) {
	cfg, _, err := configFromEnv(acct.Get, deps.TimeBasis)
	if err != nil {
		return nil, nil, err
	}
	cfg.Tokens, cfg.Logger = deps.Tokens, deps.Logger
	cfg.HTTP = cfg.HTTP.Merge(deps.HTTP)
	if cfg.HTTP.Budget == nil {
		perSecond, err := platform.EnvRate(acct.Get, "LAZADA_RATE_LIMIT", DefaultRateLimit)
		if err != nil {
			return nil, nil, fmt.Errorf("lazada seller %s: %w", acct.Name, err)
		}
		cfg.HTTP.Budget = connector.SharedBudget("lazada/"+cfg.AppKey, perSecond, 1)
	}
	src, err := NewSource(cfg)
	if err != nil {
		return nil, nil, err
	}
	return src, Transformer{}, nil
}

// Demo implements platform.Driver: a lazadatest simulator and an account
// pointing at it, with the real clock.
func (driver) Demo(opts platform.DemoOptions) (*platform.Demo, error) {
	now := opts.Clock()
	sim := lazadatest.NewServer(lazadatest.Options{Seed: opts.Seed, Orders: opts.Size(500), Now: now, RateLimit: opts.RateLimit,
		Faults: opts.Faults()})
	env := map[string]string{
		"LAZADA_APP_KEY":       sim.AppKey(),
		"LAZADA_APP_SECRET":    sim.AppSecret(),
		"LAZADA_ACCESS_TOKEN":  sim.InitialAccess(),
		"LAZADA_REFRESH_TOKEN": sim.InitialRefresh(),
		"LAZADA_SELLER_ID":     sim.SellerID(),
		"LAZADA_API_BASE_URL":  sim.URL,
		"LAZADA_AUTH_BASE_URL": sim.AuthURL,
		"LAZADA_START_DATE":    now.AddDate(0, 0, -130).In(connector.Vietnam).Format(time.DateOnly),
		"LAZADA_RATE_LIMIT":    opts.AppRate(),
	}
	return &platform.Demo{
		Account: platform.Account{Platform: "lazada", Name: sim.SellerID(), Get: func(k string) string { return env[k] }},
		Advance: func(d time.Duration) { sim.Advance(d) },
		Close:   sim.Close,
	}, nil
}
