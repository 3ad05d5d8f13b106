package main

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// noFile asserts the job created nothing in dir.
func noFile(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries, "a misconfigured run created files")
}

// Simulated data never reaches a configured warehouse by accident.
func TestDemoSafety(t *testing.T) {
	cases := []struct {
		name string
		env  env
		want []string
	}{
		{"misspelled variables with a warehouse", env{"ETL_SINK": "SINK", "SHOPE_PARTNER_ID": "1", "SHOPEE_PARTNR_KEY": "k"}, []string{"no platform account", "-demo"}},
		{"partially configured platform", env{"SHOPEE_PARTNER_ID": "2001887", "SHOPEE_SHOP_ID": "1"}, []string{"shopee: partially configured", "SHOPEE_PARTNER_KEY"}},
		{"partially configured SQL Server", env{"SQL_SERVER_HOST": "db", "SQL_SERVER_USERNAME": "etl"}, []string{"SQL_SERVER_DATABASE", "SQL_SERVER_PASSWORD"}},
		{"SQL Server warehouse without accounts", env{"SQL_SERVER_HOST": "db", "SQL_SERVER_DATABASE": "Facolos_Staging", "SQL_SERVER_USERNAME": "etl", "SQL_SERVER_PASSWORD": "p@ss"}, []string{"no platform account"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			o := defaults()
			o.platforms, o.report = "shopee", "json"
			if c.env["ETL_SINK"] != "" {
				c.env["ETL_SINK"] = "sqlite:" + filepath.Join(dir, "warehouse.db")
			} else {
				o.sink = ""
			}
			t.Chdir(dir) // the default sink would be ./facolos.db
			code, reps, logs := runJob(t, o, c.env)
			require.Equal(t, exitConfig, code, logs)
			require.Empty(t, reps)
			for _, w := range c.want {
				require.Contains(t, logs, w)
			}
			require.NotContains(t, logs, "p@ss")
			noFile(t, dir)
		})
	}
	// Nothing configured at all: the two-command quick start runs the demo.
	dir := t.TempDir()
	t.Chdir(dir)
	o := defaults()
	o.platforms, o.report, o.demoOrders, o.demoNow = "shopee", "json", 50, "2025-11-01T00:00:00Z"
	r := runOnce(t, o, env{})
	require.Equal(t, "ok", r.Pipelines[0].Status)
	require.FileExists(t, filepath.Join(dir, "facolos.db"))
}

// Every flag is checked before the warehouse is opened: a clear message,
// exit code 2, no file or table created.
func TestBadConfiguration(t *testing.T) {
	t.Parallel()
	future := time.Now().AddDate(0, 0, 3).Format(time.DateOnly)
	cases := []struct {
		name string
		set  func(o *options)
		want string
	}{
		{"mode", func(o *options) { o.mode = "sometimes" }, "-mode"},
		{"platform", func(o *options) { o.platforms = "amazon" }, "amazon"},
		{"orders", func(o *options) { o.demoOrders = 0 }, "-demo-orders"},
		{"negative orders", func(o *options) { o.demoOrders = -5 }, "-demo-orders"},
		{"fault rate above 1", func(o *options) { o.demoFaults = 1.5 }, "-demo-faults"},
		{"fault rate below 0", func(o *options) { o.demoFaults = -0.1 }, "-demo-faults"},
		{"since malformed", func(o *options) { o.since = "2025-13-40" }, "-since"},
		{"since in the future", func(o *options) { o.since = future }, "in the future"},
		{"since too far back", func(o *options) { o.since = "1999-01-01" }, "10 years"},
		{"demo-now malformed", func(o *options) { o.demoNow = "yesterday" }, "-demo-now"},
		{"time basis", func(o *options) { o.timeBasis = "mars" }, "-time-basis"},
		{"report", func(o *options) { o.report = "xml" }, "-report"},
		{"parallel", func(o *options) { o.parallel = 0 }, "-parallel"},
		{"stream parallel", func(o *options) { o.streamPar = -1 }, "-stream-parallel"},
		{"every", func(o *options) { o.every = -time.Second }, "-every"},
		{"metrics address", func(o *options) { o.metrics = "nonsense" }, "-metrics"},
		{"log format", func(o *options) { o.logFormat = "xml" }, "-log-format"},
		{"demo with a missing accounts file", func(o *options) { o.accounts = "no-such-accounts.yaml" }, "-accounts"},
		{"postgres schema setting", func(o *options) { o.sink = "postgres://u:secretpw@127.0.0.1:1/db?schema_stagin=raw" }, "schema_stagin"},
		{"postgres empty schema", func(o *options) { o.sink = "postgres://u:secretpw@127.0.0.1:1/db?schema_control=" }, "schema_control"},
		{"since with incremental -every", func(o *options) { o.demo = false; o.since = "2025-01-01"; o.every = time.Minute }, "-since"},
		{"unsupported sink", func(o *options) { o.sink = "mysql://user:secretpw@host/db" }, "unsupported"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			o := defaults()
			o.sink, o.platforms, o.demo = "sqlite:"+filepath.Join(dir, "etl.db"), "shopee", true
			c.set(&o)
			code, _, logs := runJob(t, o, env{})
			require.Equal(t, exitConfig, code, logs)
			require.Contains(t, logs, c.want)
			require.NotContains(t, logs, "secretpw")
			noFile(t, dir)
		})
	}
}

// The old system's SQL_SERVER_* variables make a sqlserver:// URL; any
// character works in the password.
func TestSQLServerFromEnv(t *testing.T) {
	t.Parallel()
	pw := `p@ss:w/rd#?&%= "x'`
	u, ok, err := sqlServerFromEnv(env{"SQL_SERVER_HOST": "sqlserver", "SQL_SERVER_DATABASE": "Facolos Staging", "SQL_SERVER_USERNAME": "etl_job", "SQL_SERVER_PASSWORD": pw}.get)
	require.NoError(t, err)
	require.True(t, ok)
	parsed, err := url.Parse(u)
	require.NoError(t, err)
	got, _ := parsed.User.Password()
	require.Equal(t, pw, got)
	require.Equal(t, "etl_job", parsed.User.Username())
	require.Equal(t, "sqlserver:1433", parsed.Host)
	require.Equal(t, "Facolos Staging", parsed.Query().Get("database"))
	require.False(t, strings.Contains(u, pw), "the password is escaped in the URL")
}
