package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/platform"
	"github.com/stretchr/testify/require"
)

// fakeDriver is a platform a user could write: registered by name, it works
// in the accounts file and the sync job like the built-in ones.
type fakeDriver struct{}

func init() { platform.Register(fakeDriver{}) }

func (fakeDriver) Name() string { return "fakeplat" }
func (fakeDriver) Variables() []platform.Variable {
	return []platform.Variable{
		{Name: "FAKE_ACCOUNT", Required: true, Account: true},
		{Name: "FAKE_TOKEN", Required: true, Secret: true},
		{Name: "FAKE_RECORDS"},
	}
}
func (fakeDriver) Open(_ context.Context, a platform.Account, _ platform.Deps) (connector.Source, connector.Transformer, error) {
	n := 25
	if v := a.Get("FAKE_RECORDS"); v != "" {
		if _, err := fmt.Sscan(v, &n); err != nil {
			return nil, nil, fmt.Errorf("FAKE_RECORDS: %q is not a number", v)
		}
	}
	return fakeSource{n: n, token: a.Get("FAKE_TOKEN")}, fakeTransformer{}, nil
}
func (fakeDriver) Demo(platform.DemoOptions) (*platform.Demo, error) {
	vars := map[string]string{"FAKE_ACCOUNT": "demo", "FAKE_TOKEN": "demo-token"}
	return &platform.Demo{Account: platform.Account{Platform: "fakeplat", Name: "demo", Get: func(k string) string { return vars[k] }}, Close: func() {}}, nil
}

var fakeTable = &connector.Table{Schema: "staging", Name: "fake_items", PrimaryKey: []string{"account", "id"}, Columns: []connector.Column{
	{Name: "account", Type: connector.String, Length: 50}, {Name: "id", Type: connector.Int}}}

type fakeSource struct {
	n     int
	token string
}

func (s fakeSource) Streams() []connector.Stream { return []connector.Stream{s} }
func (s fakeSource) Name() string                { return "items" }
func (s fakeSource) Read(ctx context.Context, _ connector.ReadOptions, emit connector.EmitFunc) error {
	if s.token == "revoked" {
		return errors.New("fakeplat: authorization failed")
	}
	var pg connector.Page
	for i := 0; i < s.n; i++ {
		pg.Records = append(pg.Records, connector.Record{Key: fmt.Sprint(i), Data: json.RawMessage(fmt.Sprintf(`{"id":%d,"account":%q}`, i, s.token))})
	}
	pg.Checkpoint = connector.Checkpoint(fmt.Sprintf(`{"watermark":%d}`, time.Now().Add(-time.Minute).Unix()))
	return emit(ctx, pg)
}

type fakeTransformer struct{}

func (fakeTransformer) Tables() []*connector.Table { return []*connector.Table{fakeTable} }
func (fakeTransformer) Transform(rec connector.Record, out connector.Output) error {
	var v struct {
		ID      int64  `json:"id"`
		Account string `json:"account"`
	}
	if err := json.Unmarshal(rec.Data, &v); err != nil {
		return err
	}
	out.Add(fakeTable, []any{v.Account, v.ID})
	return nil
}

// writeAccounts writes an accounts file with three Shopee shops (three
// simulators; the third has a wrong partner key) and three fakeplat
// accounts (the second one's token is revoked).
func writeAccounts(t *testing.T) (string, env) {
	t.Helper()
	d, _ := platform.Lookup("shopee")
	e := env{}
	var b strings.Builder
	b.WriteString("shopee:\n")
	for i := 1; i <= 3; i++ {
		demo, err := d.Demo(platform.DemoOptions{Seed: int64(i), Records: 60 + 10*i, Now: time.Now()})
		require.NoError(t, err)
		t.Cleanup(demo.Close)
		key := demo.Account.Get("SHOPEE_PARTNER_KEY")
		if i == 3 {
			key = "wrong-partner-key"
		}
		fmt.Fprintf(&b, "  - name: shop-%d\n", i)
		for _, k := range []string{"SHOPEE_HOST", "SHOPEE_PARTNER_ID", "SHOPEE_SHOP_ID", "SHOPEE_ACCESS_TOKEN", "SHOPEE_REFRESH_TOKEN", "SHOPEE_RATE_LIMIT"} {
			fmt.Fprintf(&b, "    %s: %q\n", k, demo.Account.Get(k))
		}
		if i == 1 {
			// A reference to the environment.
			fmt.Fprintf(&b, "    SHOPEE_PARTNER_KEY: ${SHOP1_KEY}\n")
			e["SHOP1_KEY"] = key
		} else {
			fmt.Fprintf(&b, "    SHOPEE_PARTNER_KEY: %q\n", key)
		}
	}
	b.WriteString("fakeplat:\n")
	for i, tok := range []string{"tok-a", "revoked", "tok-c"} {
		fmt.Fprintf(&b, "  - FAKE_ACCOUNT: acct-%d\n    FAKE_TOKEN: %s\n    FAKE_RECORDS: \"%d\"\n", i+1, tok, 10*(i+1))
	}
	path := filepath.Join(t.TempDir(), "accounts.yaml")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o600))
	return path, e
}

// Three accounts per platform make three pipelines each; the failing ones
// do not stop the others; data_sources lists every account.
func TestAccountsFile(t *testing.T) {
	t.Parallel()
	path, e := writeAccounts(t)
	o := opts(t)
	o.demo, o.platforms, o.accounts, o.parallel = false, "all", path, 3
	code, reps, logs := runJob(t, o, e)
	require.Equal(t, exitFailed, code, logs)
	require.Len(t, reps, 1)
	status := map[string]string{}
	records := map[string]int64{}
	for _, p := range reps[0].Pipelines {
		status[p.Pipeline] = p.Status
		records[p.Pipeline] = p.Records
		if p.Platform == "shopee" {
			records[p.Pipeline] = p.Rows["staging.shopee_orders"] // the finance streams add records of their own
		}
	}
	require.Equal(t, map[string]string{
		"shopee/shop-1": "ok", "shopee/shop-2": "ok", "shopee/shop-3": "failed",
		"fakeplat/acct-1": "ok", "fakeplat/acct-2": "failed", "fakeplat/acct-3": "ok",
	}, status)
	require.EqualValues(t, 70, records["shopee/shop-1"])
	require.EqualValues(t, 80, records["shopee/shop-2"])
	require.EqualValues(t, 30, records["fakeplat/acct-3"])
	require.NotContains(t, logs, "wrong-partner-key")

	db := openDB(t, strings.TrimPrefix(o.sink, "sqlite:"))
	var n int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM shopee_orders`).Scan(&n))
	require.Equal(t, 150, n)
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM etl_control_data_sources`).Scan(&n))
	require.Equal(t, 6, n)
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM etl_control_data_sources WHERE last_extract_time IS NOT NULL`).Scan(&n))
	require.Equal(t, 4, n)
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM etl_control_batch_runs WHERE status = 'FAILED'`).Scan(&n))
	require.Equal(t, 2, n)
}

func TestAccountsFileErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(s string) string {
		p := filepath.Join(dir, fmt.Sprintf("a%d.yaml", time.Now().UnixNano()))
		require.NoError(t, os.WriteFile(p, []byte(s), 0o600))
		return p
	}
	cases := map[string]struct{ file, want string }{
		"unknown platform":  {"amazon:\n  - X: 1\n", "is not available (available: fakeplat"},
		"unknown setting":   {"fakeplat:\n  - FAKE_ACCOUNT: a\n    FAKE_TOKEN: t\n    FAKE_TOKN: t\n", "is not a fakeplat setting"},
		"missing setting":   {"fakeplat:\n  - FAKE_ACCOUNT: a\n", "missing FAKE_TOKEN"},
		"unset reference":   {"fakeplat:\n  - FAKE_ACCOUNT: a\n    FAKE_TOKEN: ${NOT_SET_ANYWHERE}\n", "NOT_SET_ANYWHERE"},
		"duplicate account": {"fakeplat:\n  - FAKE_ACCOUNT: a\n    FAKE_TOKEN: t\n  - FAKE_ACCOUNT: a\n    FAKE_TOKEN: u\n", "used twice"},
		"bad setting value": {"fakeplat:\n  - FAKE_ACCOUNT: a\n    FAKE_TOKEN: t\n    FAKE_RECORDS: many\n", "FAKE_RECORDS"},
		"not YAML":          {"fakeplat: [", "-accounts"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			wh := t.TempDir()
			o := defaults()
			o.sink, o.platforms, o.accounts = "sqlite:"+filepath.Join(wh, "etl.db"), "all", write(c.file)
			code, _, logs := runJob(t, o, env{})
			require.Equal(t, exitConfig, code, logs)
			require.Contains(t, logs, c.want)
			noFile(t, wh)
		})
	}
}

// With -metrics, a Prometheus endpoint reports the run; /healthz turns
// unhealthy when a pipeline has not succeeded for -healthy-within.
func TestMetrics(t *testing.T) {
	t.Parallel()
	o := opts(t)
	o.demo, o.platforms, o.accounts = false, "fakeplat", writeFake(t)
	o.metrics = "127.0.0.1:0"
	o.healthyWithin = time.Hour
	var body, health string
	var healthCode int
	before := time.Now().Unix()
	o.afterRound = func(addr string) {
		body = get(t, "http://"+addr+"/metrics", nil)
		health = get(t, "http://"+addr+"/healthz", &healthCode)
	}
	code, _, logs := runJob(t, o, env{})
	require.Equal(t, exitFailed, code, logs)
	for _, want := range []string{
		`etl_runs_total{account="a",platform="fakeplat",status="ok"} 1`,
		`etl_runs_total{account="b",platform="fakeplat",status="failed"} 1`,
		`etl_records_total{account="a",platform="fakeplat"} 7`,
		`etl_rows_total{account="a",platform="fakeplat",table="staging.fake_items"} 7`,
		`etl_rows_changed_total{account="a",platform="fakeplat",table="staging.fake_items"} 7`,
		`etl_last_success_timestamp_seconds{pipeline="fakeplat/a"}`,
		`etl_watermark_age_seconds{pipeline="fakeplat/a",stream="items"}`,
		`etl_watermark_age_max_seconds `,
		`etl_rejected_total{account="a",platform="fakeplat"} 0`,
	} {
		require.Contains(t, body, want)
	}
	m := regexp.MustCompile(`(?m)^etl_last_success_timestamp_seconds\{pipeline="fakeplat/a"\} (\S+)$`).FindStringSubmatch(body)
	require.Len(t, m, 2, body)
	at, err := strconv.ParseFloat(m[1], 64)
	require.NoError(t, err)
	require.GreaterOrEqual(t, int64(at), before, "the time of this run's success")
	require.LessOrEqual(t, int64(at), time.Now().Unix())
	require.NotContains(t, body, "etl_lag_seconds")
	require.NotContains(t, body, `etl_last_success_timestamp_seconds{pipeline="fakeplat/b"}`, "b never succeeded")
	require.Equal(t, http.StatusOK, healthCode, health) // b failed, but within the hour

	o.healthyWithin = time.Nanosecond
	o.sink = "sqlite:" + filepath.Join(t.TempDir(), "h.db")
	code, _, _ = runJob(t, o, env{})
	require.Equal(t, exitFailed, code)
	require.Equal(t, http.StatusServiceUnavailable, healthCode)
	require.Contains(t, health, "fakeplat/b")
}

func writeFake(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "fake.yaml")
	require.NoError(t, os.WriteFile(p, []byte("fakeplat:\n  - FAKE_ACCOUNT: a\n    FAKE_TOKEN: tok\n    FAKE_RECORDS: \"7\"\n  - FAKE_ACCOUNT: b\n    FAKE_TOKEN: revoked\n"), 0o600))
	return p
}

func get(t *testing.T, u string, code *int) string {
	t.Helper()
	resp, err := http.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if code != nil {
		*code = resp.StatusCode
	}
	return string(b)
}

// The custom example's platform ("stock", examples/custom/stock) works in
// the accounts file and the sync job like the built-in ones.
func TestCustomPlatformInAccountsFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	csv := "sku,warehouse,quantity,unit_price,counted_at\nA-1,Kho Hà Nội,3,1000,2025-10-30T08:00:00+07:00\nA-2,Kho Hà Nội,4,2000.5,2025-10-30T08:00:00+07:00\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "hanoi.csv"), []byte(csv), 0o600))
	accounts := filepath.Join(dir, "accounts.yaml")
	require.NoError(t, os.WriteFile(accounts, []byte("stock:\n  - STOCK_WAREHOUSE: hanoi\n    STOCK_CSV_FILE: "+filepath.Join(dir, "hanoi.csv")+
		"\n  - STOCK_WAREHOUSE: missing\n    STOCK_CSV_FILE: "+filepath.Join(dir, "nope.csv")+"\n"), 0o600))
	o := opts(t)
	o.demo, o.platforms, o.accounts = false, "stock", accounts
	code, _, logs := runJob(t, o, env{})
	require.Equal(t, exitConfig, code, "a missing file is a configuration error")
	require.Contains(t, logs, "nope.csv")

	require.NoError(t, os.WriteFile(accounts, []byte("stock:\n  - STOCK_WAREHOUSE: hanoi\n    STOCK_CSV_FILE: "+filepath.Join(dir, "hanoi.csv")+"\n"), 0o600))
	r := runOnce(t, o, env{})
	require.Len(t, r.Pipelines, 1)
	require.Equal(t, "stock/hanoi", r.Pipelines[0].Pipeline)
	require.EqualValues(t, 2, r.Pipelines[0].Rows["staging.warehouse_stock"])
}
