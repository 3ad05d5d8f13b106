package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/facolos/etl/lazada/lazadatest"

	"github.com/stretchr/testify/require"
)

// -platforms lazada runs the Lazada demo: a full load of orders with their
// items into both tables, then an incremental run that reads one window.
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
	require.EqualValues(t, 120, p.Records)
	require.EqualValues(t, 120, p.Rows["staging.lazada_orders"])
	require.Greater(t, p.Rows["staging.lazada_order_items"], int64(120))
	require.EqualValues(t, 3, p.APICalls["/rest/orders/items/get"], "ceil(120/50) item calls")

	r = runOnce(t, o, env{})
	require.Equal(t, "ok", r.Pipelines[0].Status, r.Pipelines[0].Error)
	require.EqualValues(t, 1, r.Pipelines[0].APICalls["/rest/orders/get"], "one incremental window")
}

// A partial Lazada configuration names what is missing.
func TestLazadaPartialConfiguration(t *testing.T) {
	t.Parallel()
	o := opts(t)
	o.demo = false
	o.platforms = "lazada"
	code, _, logs := runJob(t, o, env{"LAZADA_APP_KEY": "100123"})
	require.NotEqual(t, exitOK, code)
	for _, v := range []string{"LAZADA_APP_SECRET", "LAZADA_ACCESS_TOKEN", "LAZADA_REFRESH_TOKEN", "LAZADA_SELLER_ID"} {
		require.Contains(t, logs, v)
	}
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
		got[p.Pipeline] = p.Records
	}
	require.Equal(t, map[string]int64{"lazada/200000000001": 40, "lazada/200000000002": 50}, got)
}
