package misa

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/simfault"
	"github.com/facolos/etl/misa/misatest"
	"github.com/facolos/etl/platform"
)

func init() { platform.Register(Driver{}) }

// DefaultRateLimit is the default request budget of one MISA CRM AppID, in
// calls per second (MISA publishes no figure): set MISA_CRM_RATE_LIMIT.
const DefaultRateLimit = 10

// Driver is the platform.Driver of MISA CRM, registered as "misa".
type Driver struct{}

// Name implements platform.Driver.
func (Driver) Name() string { return "misa" }

// Variables implements platform.Driver: the old system's MISA_CRM_*
// settings.
func (Driver) Variables() []platform.Variable {
	return []platform.Variable{
		{Name: "MISA_CRM_CLIENT_ID", Required: true, Account: true, Doc: "AppID of the MISA CRM API (Settings > Developers > API)"},
		{Name: "MISA_CRM_CLIENT_SECRET", Required: true, Secret: true, Doc: "secret generated for the AppID"},
		{Name: "MISA_CRM_ACCESS_TOKEN", Secret: true, Doc: "a JWT to start with (optional; the client logs in when it expires)"},
		{Name: "MISA_CRM_BASE_URL", Doc: "API base URL (default " + DefaultBaseURL + "; also " + AltBaseURL + ")"},
		{Name: "MISA_CRM_RATE_LIMIT", Doc: "calls per second of the AppID, shared by its accounts (default " + strconv.Itoa(DefaultRateLimit) + ")"},
		{Name: "MISA_CRM_TOKEN_REFRESH_BUFFER", Doc: "log in again this many seconds before the token expires (default 300)"},
		{Name: "MISA_CRM_INCREMENTAL_LOOKBACK_MINUTES", Doc: "incremental reads go back this far before the watermark (default 15)"},
		{Name: "MISA_CRM_CONCURRENCY", Doc: "pages a full pass requests at once (default " + strconv.Itoa(DefaultConcurrency) + "; 1 reads one page at a time)"},
	}
}

// Open implements platform.Driver.
func (Driver) Open(ctx context.Context, acct platform.Account, deps platform.Deps) (connector.Source, connector.Transformer, error) {
	cfg, _, err := ConfigFromEnv(acct.Get)
	if err != nil {
		return nil, nil, err
	}
	cfg.Account = acct.Name
	cfg.Tokens = deps.Tokens
	cfg.Logger = deps.Logger
	cfg.HTTP = cfg.HTTP.Merge(deps.HTTP)
	if cfg.HTTP.Budget == nil {
		perSecond := float64(DefaultRateLimit)
		if v := acct.Get("MISA_CRM_RATE_LIMIT"); v != "" {
			if perSecond, err = strconv.ParseFloat(v, 64); err != nil || perSecond <= 0 {
				return nil, nil, fmt.Errorf("misa account %s: MISA_CRM_RATE_LIMIT: %q is not a positive number", acct.Name, v)
			}
		}
		// Every account of one AppID draws from its budget.
		cfg.HTTP.Budget = connector.SharedBudget("misa/"+cfg.ClientID+"@"+cfg.BaseURL, perSecond, 1)
	}
	src, err := NewSource(cfg)
	if err != nil {
		return nil, nil, err
	}
	return src, Transformer{}, nil
}

// Demo implements platform.Driver: it starts a misatest simulator with
// opts.Records customers and sale orders (half as many contacts, a tenth as
// many products) and returns an account pointing at it.
func (Driver) Demo(opts platform.DemoOptions) (*platform.Demo, error) {
	n := opts.Records
	if n <= 0 {
		n = 250
	}
	sim := misatest.NewServer(misatest.Options{Seed: opts.Seed, Customers: n, SaleOrders: n, Contacts: max(n/2, 1),
		Products: max(n/10, 20), Now: opts.Now, RateLimit: opts.RateLimit,
		Faults: simfault.Options{Rate: opts.FaultRate, Latency: opts.Latency, Jitter: opts.Jitter, Seed: opts.Seed}})
	vars := map[string]string{
		"MISA_CRM_CLIENT_ID":     sim.ClientID(),
		"MISA_CRM_CLIENT_SECRET": sim.ClientSecret(),
		"MISA_CRM_BASE_URL":      sim.URL,
		"MISA_CRM_RATE_LIMIT":    opts.AppRate(),
	}
	return &platform.Demo{
		Account: platform.Account{Platform: "misa", Name: sim.ClientID(), Get: func(k string) string { return vars[k] }},
		Advance: func(d time.Duration) { sim.Advance(d) },
		Close:   sim.Close,
	}, nil
}
