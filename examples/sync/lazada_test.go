package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/lazada"
	"github.com/facolos/etl/lazada/lazadatest"
	etlsink "github.com/facolos/etl/sink"

	"github.com/stretchr/testify/require"
)

// -platforms lazada runs the Lazada demo: a full load of orders with their
// items and of the finance streams (transactions, payout statements), then
// an incremental run that reads one orders window and one call of each
// finance stream.
func TestDemoSyncLazada(t *testing.T) {
	t.Parallel()
	o := opts(t)
	o.platforms = "lazada"
	o.demoOrders = 120
	r := runOnce(t, o, env{})
	require.Len(t, r.Pipelines, 1)
	p := r.Pipelines[0]
	require.Equal(t, "ok", p.Status, p.Error)
	require.Equal(t, "lazada", p.Platform)
	require.Greater(t, p.Records, int64(120), "the orders, then the finance records")
	require.EqualValues(t, 120, p.Rows["staging.lazada_orders"])
	require.Greater(t, p.Rows["staging.lazada_order_items"], int64(120))
	require.Positive(t, p.Rows["staging.lazada_transactions"])
	require.Positive(t, p.Rows["staging.lazada_payouts"])
	require.EqualValues(t, 3, p.APICalls["/rest/orders/items/get"], "ceil(120/50) item calls")

	r = runOnce(t, o, env{})
	require.Equal(t, "ok", r.Pipelines[0].Status, r.Pipelines[0].Error)
	require.EqualValues(t, 1, r.Pipelines[0].APICalls["/rest/orders/get"], "one incremental window")
	require.EqualValues(t, 1, r.Pipelines[0].APICalls["/rest/finance/transaction/details/get"], "one short page")
	require.EqualValues(t, 1, r.Pipelines[0].APICalls["/rest/finance/payout/status/get"])
}

// A partial Lazada configuration names what is missing.
func TestLazadaPartialConfiguration(t *testing.T) {
	t.Parallel()
	o := opts(t)
	o.demo = false
	o.platforms = "lazada"
	code, _, logs := runJob(t, o, env{"LAZADA_APP_KEY": "100123"})
	require.NotEqual(t, exitOK, code)
	for _, v := range []string{"LAZADA_APP_SECRET", "LAZADA_SELLER_ID"} {
		require.Contains(t, logs, v)
	}
	// The tokens are not required: examples/authorize stores them.
	for _, v := range []string{"LAZADA_ACCESS_TOKEN", "LAZADA_REFRESH_TOKEN"} {
		require.NotContains(t, logs, v)
	}
}

// A seller configured with the app's credentials and its seller id alone,
// without any token variable: -check names the fix while the token store
// has no pair; once the pair examples/authorize stores is there
// (lazada.Client.Authorize, as the command calls it, into the warehouse's
// token store), -check reaches the seller and the sync loads its orders
// with that pair.
func TestLazadaTokensFromTheTokenStoreOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim := lazadatest.NewServer(lazadatest.Options{Orders: 60, Now: time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)})
	t.Cleanup(sim.Close)
	o := opts(t)
	o.demo, o.platforms = false, "lazada"
	e := env{"LAZADA_APP_KEY": sim.AppKey(), "LAZADA_APP_SECRET": sim.AppSecret(), "LAZADA_SELLER_ID": sim.SellerID(),
		"LAZADA_API_BASE_URL": sim.URL, "LAZADA_AUTH_BASE_URL": sim.AuthURL, "LAZADA_START_DATE": "2025-06-01", "LAZADA_RATE_LIMIT": "1000"}
	pipeline := "lazada/" + sim.SellerID()

	code, table, logs := runCheck(t, o, e)
	require.Equal(t, exitFailed, code, logs)
	require.Regexp(t, `\s+NO\s+.*no token pair \(go run \./examples/authorize -platform lazada`, row(t, table, pipeline))
	require.Zero(t, sim.Calls(lazada.PathOrders), "no call without a token")

	wh, err := etlsink.Open(ctx, o.sink, connector.TimeUTC)
	require.NoError(t, err)
	store, err := wh.TokenStore(ctx)
	require.NoError(t, err)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	c, err := lazada.NewClient(lazada.Config{AppKey: sim.AppKey(), AppSecret: sim.AppSecret(), AuthURL: sim.AuthURL, BaseURL: sim.URL,
		SellerID: sim.SellerID(), Tokens: store, Logger: quiet, HTTP: connector.HTTPConfig{Logger: quiet}})
	require.NoError(t, err)
	ti, err := c.Authorize(ctx, sim.NewAuthCode())
	require.NoError(t, err)
	require.Equal(t, sim.SellerID(), ti.SellerID)
	require.NoError(t, wh.Close())

	code, table, logs = runCheck(t, o, e)
	require.Equal(t, exitOK, code, "%s\n%s", table, logs)
	require.Contains(t, row(t, table, pipeline), "seller "+sim.SellerID()+": order list answered")

	r := runOnce(t, o, e)
	require.Len(t, r.Pipelines, 1)
	p := r.Pipelines[0]
	require.Equal(t, "ok", p.Status, p.Error)
	require.Equal(t, pipeline, p.Pipeline)
	require.EqualValues(t, 60, p.Rows["staging.lazada_orders"])
	require.Positive(t, p.Rows["staging.lazada_transactions"], "the finance streams use the stored pair too")
	require.Zero(t, sim.Refreshes(), "the stored pair was used as it is")
}

// An accounts file lists several Lazada sellers; each is its own pipeline,
// keyed by its seller id in the shared tables.
func TestAccountsFileLazadaSellers(t *testing.T) {
	t.Parallel()
	var lines []string
	env := env{}
	for i, seller := range []string{"200000000001", "200000000002"} {
		sim := lazadatest.NewServer(lazadatest.Options{Seed: int64(i + 1), Orders: 40 + 10*i, SellerID: seller,
			Now: time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)})
		t.Cleanup(sim.Close)
		lines = append(lines, fmt.Sprintf("  - LAZADA_APP_KEY: %q\n    LAZADA_APP_SECRET: ${LZ_SECRET_%d}\n    LAZADA_ACCESS_TOKEN: %q\n"+
			"    LAZADA_REFRESH_TOKEN: %q\n    LAZADA_SELLER_ID: %q\n    LAZADA_API_BASE_URL: %q\n    LAZADA_AUTH_BASE_URL: %q\n"+
			"    LAZADA_START_DATE: \"2025-06-01\"\n    LAZADA_RATE_LIMIT: \"1000\"\n",
			sim.AppKey(), i, sim.InitialAccess(), sim.InitialRefresh(), seller, sim.URL, sim.AuthURL))
		env[fmt.Sprintf("LZ_SECRET_%d", i)] = sim.AppSecret()
	}
	path := filepath.Join(t.TempDir(), "accounts.yaml")
	require.NoError(t, os.WriteFile(path, []byte("lazada:\n"+strings.Join(lines, "")), 0o600))
	o := opts(t)
	o.demo, o.platforms, o.accounts = false, "lazada", path
	r := runOnce(t, o, env)
	require.Len(t, r.Pipelines, 2)
	got := map[string]int64{}
	for _, p := range r.Pipelines {
		require.Equal(t, "ok", p.Status, p.Error)
		got[p.Pipeline] = p.Rows["staging.lazada_orders"]
		require.Positive(t, p.Rows["staging.lazada_transactions"], p.Pipeline)
	}
	require.Equal(t, map[string]int64{"lazada/200000000001": 40, "lazada/200000000002": 50}, got)
}
