package main

import (
	"testing"

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
