package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/platform"
	etlsink "github.com/facolos/etl/sink"
	"go.yaml.in/yaml/v3"
)

// Exit codes of the job.
const (
	exitOK          = 0   // every pipeline ok
	exitFailed      = 1   // at least one pipeline failed
	exitConfig      = 2   // bad flags, variables or accounts file: nothing was touched
	exitSkipped     = 3   // none failed, at least one skipped: another worker held its lease
	exitInterrupted = 130 // a single run was interrupted (SIGINT/SIGTERM)
)

// configError is a configuration mistake found before anything was opened.
type configError struct{ msg string }

func (e *configError) Error() string { return e.msg }

func badConfig(format string, args ...any) error {
	return &configError{msg: fmt.Sprintf(format, args...)}
}

// defaultFreshWithin is -fresh-within of a sharded worker: below the
// shortest schedule the shipped manifests use (every 15 minutes).
const defaultFreshWithin = 10 * time.Minute

// maxSinceBack is how far back -since may go.
const maxSinceBack = 10 * 365 * 24 * time.Hour

// plan is the validated configuration of a run.
type plan struct {
	mode      connector.Mode
	basis     connector.TimeBasis
	since     time.Time
	demoNow   time.Time
	sinkURL   string
	staging   string // STAGING_SCHEMA for a warehouse from SQL_SERVER_*
	drivers   []platform.Driver
	demo      bool
	accounts  []platform.Account // empty in demo mode
	secrets   []string           // values never to log
	healthFor time.Duration
	// shard is this worker's share (-shard, ETL_SHARD, a Kubernetes
	// Indexed Job); freshWithin the once-per-cycle interval.
	shard       connector.Shard
	freshWithin time.Duration

	// demoAccounts are the accounts of the accounts file in demo mode: one
	// simulated shop each, named after it.
	demoAccounts []platform.Account
}

// settle validates every flag, variable and the accounts file, and decides
// between demo and real accounts, before anything is opened or created.
func settle(o options, getenv func(string) string, now time.Time) (*plan, error) {
	p := &plan{mode: connector.Mode(o.mode)}
	var err error
	if p.mode != connector.Full && p.mode != connector.Incremental {
		return nil, badConfig("-mode: %q is neither full nor incremental", o.mode)
	}
	if o.report != "" && o.report != "json" {
		return nil, badConfig("-report: %q is not supported (use json)", o.report)
	}
	switch o.timeBasis {
	case "", "utc":
	case "vietnam":
		p.basis = connector.TimeVietnam
	default:
		return nil, badConfig("-time-basis: %q is neither utc nor vietnam", o.timeBasis)
	}
	switch o.logFormat {
	case "", "text", "json":
	default:
		return nil, badConfig("-log-format: %q is neither text nor json", o.logFormat)
	}
	if o.demoOrders <= 0 {
		return nil, badConfig("-demo-orders: %d must be positive", o.demoOrders)
	}
	if o.demoFaults < 0 || o.demoFaults > 1 || o.demoFaults != o.demoFaults {
		return nil, badConfig("-demo-faults: %v is not a share between 0 and 1", o.demoFaults)
	}
	if o.demoRate < 0 {
		return nil, badConfig("-demo-rate: %v must not be negative", o.demoRate)
	}
	if o.every < 0 {
		return nil, badConfig("-every: %s must not be negative", o.every)
	}
	if o.leaseWait < 0 {
		return nil, badConfig("-lease-wait: %s must not be negative", o.leaseWait)
	}
	if o.shard != "" {
		if p.shard, err = connector.ParseShard(o.shard); err != nil {
			return nil, badConfig("-shard: %v", err)
		}
	} else if s, ok, err := connector.ShardFromEnv(getenv); err != nil {
		return nil, badConfig("%v", err)
	} else if ok {
		p.shard = s
	}
	switch {
	case o.force:
		p.freshWithin = 0
	case o.freshWithin >= 0:
		p.freshWithin = o.freshWithin
	case p.shard.Sharded():
		p.freshWithin = defaultFreshWithin
	}
	if o.parallel <= 0 {
		return nil, badConfig("-parallel: %d must be positive", o.parallel)
	}
	if o.streamPar < 0 {
		return nil, badConfig("-stream-parallel: %d must not be negative", o.streamPar)
	}
	if o.progressEvery <= 0 {
		return nil, badConfig("-progress-every: %s must be positive", o.progressEvery)
	}
	if o.metrics != "" {
		if _, _, err := net.SplitHostPort(o.metrics); err != nil {
			return nil, badConfig("-metrics: %q is not HOST:PORT", o.metrics)
		}
	}
	p.healthFor = o.healthyWithin
	if p.healthFor < 0 {
		return nil, badConfig("-healthy-within: %s must not be negative", o.healthyWithin)
	}
	if p.healthFor == 0 {
		p.healthFor = max(3*o.every, time.Hour)
	}
	p.demoNow = now.UTC().Truncate(24 * time.Hour)
	if o.demoNow != "" {
		t, err := time.Parse(time.RFC3339, o.demoNow)
		if err != nil {
			return nil, badConfig("-demo-now: %q is not an RFC 3339 time (2025-11-01T00:00:00Z)", o.demoNow)
		}
		p.demoNow = t
	}
	if o.since != "" {
		// Midnight of the warehouse's time basis, like every date-only
		// setting (connector.ParseDate).
		t, err := connector.ParseDate(o.since, p.basis)
		if err != nil {
			return nil, badConfig("-since: %v", err)
		}
		if t.After(now) {
			return nil, badConfig("-since: %s is in the future", o.since)
		}
		if now.Sub(t) > maxSinceBack {
			return nil, badConfig("-since: %s is more than 10 years back", o.since)
		}
		p.since = t
	}
	if o.since != "" && o.mode == string(connector.Incremental) && o.every > 0 {
		return nil, badConfig("-since applies to full loads: use it with -mode full (not with incremental -every)")
	}
	if p.drivers, err = selectDrivers(o.platforms); err != nil {
		return nil, err
	}

	// The warehouse: -sink, else ETL_SINK, else the old system's
	// SQL_SERVER_* variables.
	p.sinkURL = o.sink
	if p.sinkURL == "" {
		p.sinkURL = getenv("ETL_SINK")
	}
	warehouseSet := p.sinkURL != ""
	if p.sinkURL == "" {
		u, set, err := sqlServerFromEnv(getenv)
		if err != nil {
			return nil, err
		}
		if set {
			p.sinkURL, warehouseSet = u, true
			p.staging = getenv("STAGING_SCHEMA")
			if pw := getenv("SQL_SERVER_PASSWORD"); pw != "" {
				p.secrets = append(p.secrets, pw)
			}
		}
	}
	if p.sinkURL == "" {
		p.sinkURL = "sqlite:facolos.db"
	}
	if !strings.HasPrefix(p.sinkURL, "sqlite:") && !strings.HasPrefix(p.sinkURL, "postgres://") &&
		!strings.HasPrefix(p.sinkURL, "postgresql://") && !strings.HasPrefix(p.sinkURL, "sqlserver://") {
		return nil, badConfig("-sink: unsupported URL %q (use sqlite:PATH, postgres://… or sqlserver://…)", connector.Redact(p.sinkURL))
	}
	if strings.HasPrefix(p.sinkURL, "postgres") {
		if _, _, err := etlsink.PostgresSchemas(p.sinkURL); err != nil {
			return nil, badConfig("-sink: %v", err)
		}
	}

	// The accounts: the accounts file, else each platform's variables.
	if o.demo && o.accounts != "" {
		// A rehearsal: the file is checked, its ${NAME} references may be
		// unset, and every account becomes a simulated shop.
		if p.demoAccounts, err = readAccounts(o.accounts, p.drivers, demoEnv(getenv)); err != nil {
			return nil, err
		}
	} else if o.accounts != "" {
		if p.accounts, err = readAccounts(o.accounts, p.drivers, getenv); err != nil {
			return nil, err
		}
	} else if !o.demo {
		var errs []string
		for _, d := range p.drivers {
			acct, ok, err := platform.AccountFromEnv(d, getenv)
			if err != nil {
				errs = append(errs, err.Error())
				continue
			}
			if ok {
				p.accounts = append(p.accounts, acct)
			}
		}
		if len(errs) > 0 {
			return nil, badConfig("%s", strings.Join(errs, "; "))
		}
	}
	for _, a := range p.accounts {
		p.secrets = append(p.secrets, accountSecrets(a)...)
	}
	switch {
	case o.demo:
		p.demo = true
	case len(p.accounts) > 0:
	case anyPlatformVariable(getenv):
		// Variables of a platform not selected by -platforms.
		return nil, badConfig("no account of the selected platforms (%s) is configured", names(p.drivers))
	case warehouseSet:
		return nil, badConfig("a warehouse is configured but no platform account is: set the variables of a platform (%s), "+
			"give -accounts FILE, or pass -demo to load simulated data on purpose", names(p.drivers))
	default:
		// The quick start: nothing configured at all.
		p.demo = true
	}
	return p, nil
}

// demoEnv reads the environment for a demo's accounts file: an unset
// variable reads as a placeholder, so that a file written for real
// credentials can be rehearsed before they exist.
func demoEnv(getenv func(string) string) func(string) string {
	return func(k string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return "demo-placeholder"
	}
}

func names(ds []platform.Driver) string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Name())
	}
	return strings.Join(out, ", ")
}

// selectDrivers returns the registered drivers named in list ("all": every
// one).
func selectDrivers(list string) ([]platform.Driver, error) {
	all := platform.Names()
	if list == "" || list == "all" {
		list = strings.Join(all, ",")
	}
	var out []platform.Driver
	seen := map[string]bool{}
	for _, n := range strings.Split(list, ",") {
		n = strings.TrimSpace(strings.ToLower(n))
		d, ok := platform.Lookup(n)
		if !ok {
			return nil, badConfig("-platforms: %q is not available (available: %s)", n, strings.Join(all, ", "))
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, d)
		}
	}
	return out, nil
}

// anyPlatformVariable reports whether a variable of any registered platform
// is set.
func anyPlatformVariable(getenv func(string) string) bool {
	for _, n := range platform.Names() {
		d, _ := platform.Lookup(n)
		for _, v := range d.Variables() {
			if getenv(v.Name) != "" {
				return true
			}
		}
	}
	return false
}

// accountSecrets returns the values of an account's secret settings.
func accountSecrets(a platform.Account) []string {
	d, ok := platform.Lookup(a.Platform)
	if !ok {
		return nil
	}
	var out []string
	for _, v := range d.Variables() {
		if val := a.Get(v.Name); v.Secret && val != "" {
			out = append(out, val)
		}
	}
	return out
}

// sqlServerFromEnv builds a sqlserver:// URL from the old system's
// SQL_SERVER_HOST, SQL_SERVER_PORT (1433), SQL_SERVER_DATABASE,
// SQL_SERVER_USERNAME and SQL_SERVER_PASSWORD (plus SQL_SERVER_ENCRYPT and
// SQL_SERVER_TRUST_SERVER_CERTIFICATE, passed to the driver as encrypt and
// TrustServerCertificate). Any character works in the
// user name and password: they are escaped, never spliced.
func sqlServerFromEnv(getenv func(string) string) (string, bool, error) {
	host, port, db := getenv("SQL_SERVER_HOST"), getenv("SQL_SERVER_PORT"), getenv("SQL_SERVER_DATABASE")
	user, pass := getenv("SQL_SERVER_USERNAME"), getenv("SQL_SERVER_PASSWORD")
	if host == "" && db == "" && user == "" && pass == "" {
		return "", false, nil
	}
	var missing []string
	for _, kv := range [][2]string{{"SQL_SERVER_HOST", host}, {"SQL_SERVER_DATABASE", db}, {"SQL_SERVER_USERNAME", user}, {"SQL_SERVER_PASSWORD", pass}} {
		if kv[1] == "" {
			missing = append(missing, kv[0])
		}
	}
	if len(missing) > 0 {
		return "", false, badConfig("SQL Server warehouse partially configured: missing %s", strings.Join(missing, ", "))
	}
	if port == "" {
		port = "1433"
	}
	q := url.Values{"database": {db}}
	// The old system connected with TrustServerCertificate (ODBC 18 with a
	// self-signed server certificate); here it is opt-in.
	if v := getenv("SQL_SERVER_ENCRYPT"); v != "" {
		q.Set("encrypt", v)
	}
	if v := getenv("SQL_SERVER_TRUST_SERVER_CERTIFICATE"); v != "" {
		q.Set("TrustServerCertificate", v)
	}
	u := url.URL{Scheme: "sqlserver", User: url.UserPassword(user, pass), Host: net.JoinHostPort(host, port), RawQuery: q.Encode()}
	return u.String(), true, nil
}

// accountsFile is the accounts file: per platform, a list of accounts, each
// a map of the platform's variables (plus an optional name). A value
// "${NAME}" (or any text containing ${NAME}) takes NAME from the
// environment; an unset NAME is an error.
//
//	shopee:
//	  - name: main-shop
//	    SHOPEE_PARTNER_ID: "2001887"
//	    SHOPEE_PARTNER_KEY: ${SHOPEE_PARTNER_KEY}
//	    SHOPEE_SHOP_ID: "123456"
type accountsFile map[string][]map[string]string

func readAccounts(path string, selected []platform.Driver, getenv func(string) string) ([]platform.Account, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, badConfig("-accounts: %v", err)
	}
	var f accountsFile
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, badConfig("-accounts %s: %v", path, err)
	}
	want := map[string]bool{}
	for _, d := range selected {
		want[d.Name()] = true
	}
	platforms := make([]string, 0, len(f))
	for name := range f {
		platforms = append(platforms, name)
	}
	sort.Strings(platforms)
	var out []platform.Account
	seen := map[string]bool{}
	for _, pname := range platforms {
		d, ok := platform.Lookup(pname)
		if !ok {
			return nil, badConfig("-accounts %s: platform %q is not available (available: %s)", path, pname, strings.Join(platform.Names(), ", "))
		}
		if !want[pname] {
			continue
		}
		known := map[string]platform.Variable{}
		for _, v := range d.Variables() {
			known[v.Name] = v
		}
		for i, raw := range f[pname] {
			where := fmt.Sprintf("-accounts %s: %s account %d", path, pname, i+1)
			vals := map[string]string{}
			name := ""
			for k, v := range raw {
				var missing []string
				v = os.Expand(v, func(ref string) string {
					x := getenv(ref)
					if x == "" {
						missing = append(missing, ref)
					}
					return x
				})
				if len(missing) > 0 {
					return nil, badConfig("%s: %s refers to unset variable %s", where, k, strings.Join(missing, ", "))
				}
				if k == "name" {
					name = v
					continue
				}
				if _, ok := known[k]; !ok {
					return nil, badConfig("%s: %q is not a %s setting (settings: %s)", where, k, pname, settingNames(d))
				}
				vals[k] = v
			}
			var missing []string
			for _, v := range d.Variables() {
				if v.Required && vals[v.Name] == "" {
					missing = append(missing, v.Name)
				}
				if v.Account && name == "" {
					name = vals[v.Name]
				}
			}
			if len(missing) > 0 {
				return nil, badConfig("%s: missing %s", where, strings.Join(missing, ", "))
			}
			if name == "" {
				name = fmt.Sprint(i + 1)
			}
			if seen[pname+"/"+name] {
				return nil, badConfig("%s: account name %q is used twice (give each account a distinct name:)", where, name)
			}
			seen[pname+"/"+name] = true
			out = append(out, platform.Account{Platform: pname, Name: name, Get: func(k string) string { return vals[k] }})
		}
	}
	if len(out) == 0 {
		return nil, badConfig("-accounts %s: no account of the selected platforms (%s)", path, names(selected))
	}
	return out, nil
}

func settingNames(d platform.Driver) string {
	var out []string
	for _, v := range d.Variables() {
		out = append(out, v.Name)
	}
	return "name, " + strings.Join(out, ", ")
}
