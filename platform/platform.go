// Package platform is the registry of platform drivers, in the way
// database/sql finds its drivers: a platform package (shopee, tiktok, misa,
// or one a user writes) registers a Driver under its name in an init
// function, and the sync job, the accounts file and any other caller find
// it by that name.
//
//	import _ "github.com/facolos/etl/shopee" // registers "shopee"
//
//	d, ok := platform.Lookup("shopee")
//	src, tr, err := d.Open(ctx, acct, platform.Deps{Tokens: store})
package platform

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/simfault"
	"github.com/facolos/etl/tokenstore"
)

// Variable is one setting of an account, named like the old system's
// environment variable ("SHOPEE_PARTNER_ID").
type Variable struct {
	Name string
	// Required settings must all be present when any setting of the
	// platform is.
	Required bool
	// Secret values are never logged or reported.
	Secret bool
	// Account marks the setting whose value names the account (a shop id)
	// when the account has no explicit name.
	Account bool
	// Doc says what the setting is, for help texts.
	Doc string
}

// Account is one account of a platform: one shop, one CRM tenant.
type Account struct {
	// Platform is the driver name.
	Platform string
	// Name labels the account in pipeline names, reports and the token
	// store (a shop id, a tenant).
	Name string
	// Get returns a setting by its variable name, "" when unset.
	Get func(key string) string
}

// Deps are what the caller shares with every account it opens.
type Deps struct {
	// Tokens persists tokens (the warehouse's token store; nil: in memory).
	Tokens tokenstore.Store
	// Logger receives the source's logs (nil: slog.Default()).
	Logger *slog.Logger
	// HTTP overrides the driver's HTTP defaults where set (zero fields keep
	// the driver's defaults).
	HTTP connector.HTTPConfig
	// TimeBasis is the warehouse's time basis: date-only settings
	// (*_START_DATE) mean midnight of that basis (see connector.ParseDate).
	TimeBasis connector.TimeBasis
}

// DemoOptions configure a driver's built-in simulator.
type DemoOptions struct {
	Seed int64
	// Records is the size of the simulated account (orders, customers).
	Records int
	// Now is the simulator's clock start (zero: today 00:00 UTC).
	Now time.Time
	// FaultRate is the share of requests answered with a fault.
	FaultRate float64
	// Latency is added to every response (plus up to Jitter more).
	Latency, Jitter time.Duration
	// RateLimit throttles the simulator to this many calls per second
	// (0: unlimited).
	RateLimit float64
}

// demoUnlimitedRate is the demo app's budget, in calls per second, when the
// simulator is unlimited: high enough never to pace a simulated load.
const demoUnlimitedRate = 100000

// AppRate is the request budget, in calls per second, the demo account's
// app gets (its platform's *_RATE_LIMIT variable): RateLimit, so that the
// client paces itself to the simulator's limit, or a rate that never paces
// when the simulator is unlimited (the platforms' default budgets are the
// real APIs' limits, which a simulator does not have).
func (o DemoOptions) AppRate() string {
	r := o.RateLimit
	if r <= 0 {
		r = demoUnlimitedRate
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// Size is the demo account's size: Records, or def when that is not set.
func (o DemoOptions) Size(def int) int {
	if o.Records <= 0 {
		return def
	}
	return o.Records
}

// Clock is the simulator's clock start: Now, or today 00:00 UTC when that
// is not set.
func (o DemoOptions) Clock() time.Time {
	if o.Now.IsZero() {
		return time.Now().UTC().Truncate(24 * time.Hour)
	}
	return o.Now
}

// Faults are the simulator's faults: FaultRate, Latency and Jitter, seeded
// from Seed (Seed + 1, so that the faults of a demo do not follow its
// data's random sequence).
func (o DemoOptions) Faults() simfault.Options {
	return simfault.Options{Rate: o.FaultRate, Latency: o.Latency, Jitter: o.Jitter, Seed: o.Seed + 1}
}

// Demo is a running simulator and the account that points at it.
type Demo struct {
	Account Account
	// Advance moves the simulated account on by d (orders change, new ones
	// arrive), as a live account would between two syncs.
	Advance func(d time.Duration)
	// Close stops the simulator.
	Close func()
}

// Driver builds sources of one platform.
type Driver interface {
	// Name is the platform's name in -platforms, accounts files and
	// pipeline names ("shopee").
	Name() string
	// Variables lists the settings of one account, required ones first.
	Variables() []Variable
	// Open builds the source and transformer of one account.
	Open(ctx context.Context, acct Account, deps Deps) (connector.Source, connector.Transformer, error)
	// Demo starts the platform's simulator with an account pointing at it.
	Demo(opts DemoOptions) (*Demo, error)
}

var (
	mu      sync.RWMutex
	drivers = map[string]Driver{}
)

// Register makes a driver available by its name. It panics when the name is
// empty or already registered, as sql.Register does.
func Register(d Driver) {
	mu.Lock()
	defer mu.Unlock()
	name := d.Name()
	if name == "" {
		panic("platform: Register with an empty name")
	}
	if _, dup := drivers[name]; dup {
		panic("platform: Register called twice for " + name)
	}
	drivers[name] = d
}

// Lookup returns the driver registered under name.
func Lookup(name string) (Driver, bool) {
	mu.RLock()
	defer mu.RUnlock()
	d, ok := drivers[name]
	return d, ok
}

// Names returns the registered driver names, sorted.
func Names() []string {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]string, 0, len(drivers))
	for n := range drivers {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// AccountFromEnv builds the single account a platform's environment
// variables describe. ok is false when none of them is set. When some are
// set but a required one is missing, the error names every missing
// variable.
func AccountFromEnv(d Driver, getenv func(string) string) (acct Account, ok bool, err error) {
	vars := d.Variables()
	var missing []string
	set := false
	name := ""
	for _, v := range vars {
		val := getenv(v.Name)
		if val != "" {
			set = true
		}
		if v.Required && val == "" {
			missing = append(missing, v.Name)
		}
		if v.Account && name == "" {
			name = val
		}
	}
	if !set {
		return Account{}, false, nil
	}
	if len(missing) > 0 {
		return Account{}, false, fmt.Errorf("%s: partially configured, missing %s", d.Name(), strings.Join(missing, ", "))
	}
	if name == "" {
		name = "default"
	}
	return Account{Platform: d.Name(), Name: name, Get: getenv}, true, nil
}

// EnvInt reads the non-negative integer setting name through getenv: 0 when
// it is not set, an error naming the setting and its value when it is not a
// non-negative integer.
func EnvInt(getenv func(string) string, name string) (int64, error) {
	v := getenv(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s: %q is not a non-negative integer", name, v)
	}
	return n, nil
}

// EnvBool reads the on/off setting name through getenv: def when it is not
// set; true, 1, on, yes or false, 0, off, no (any case); an error naming the
// setting and its value otherwise.
func EnvBool(getenv func(string) string, name string, def bool) (bool, error) {
	switch v := strings.ToLower(getenv(name)); v {
	case "":
		return def, nil
	case "1", "true", "on", "yes":
		return true, nil
	case "0", "false", "off", "no":
		return false, nil
	default:
		return false, fmt.Errorf("%s: %q is not true or false", name, v)
	}
}

// EnvRate reads the calls-per-second setting name through getenv: def when
// it is not set, an error naming the setting and its value when it is not
// a positive number.
func EnvRate(getenv func(string) string, name string, def float64) (float64, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	r, err := strconv.ParseFloat(v, 64)
	if err != nil || r <= 0 || math.IsInf(r, 0) || math.IsNaN(r) {
		return 0, fmt.Errorf("%s: %q is not a positive number", name, v)
	}
	return r, nil
}

// EnvDate reads the date-only setting name through getenv with
// connector.ParseDate (midnight of the time basis): the zero time when it is
// not set, an error naming the setting when it is not YYYY-MM-DD.
func EnvDate(getenv func(string) string, name string, basis connector.TimeBasis) (time.Time, error) {
	v := getenv(name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := connector.ParseDate(v, basis)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: %w", name, err)
	}
	return t, nil
}
