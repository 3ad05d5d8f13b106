package shopee_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/shopee"
	"github.com/facolos/etl/shopee/shopeetest"
	"github.com/stretchr/testify/require"
)

// Without Config.Now the client reads the platform's clock from its Date
// headers: against a simulator whose data clock is a year in the past, a
// full load, an idle incremental run (one call) and an incremental run
// after the clock jumped all end exactly at the platform's now, and every
// request is signed with the real time.
func TestPlatformClockWithoutConfigNow(t *testing.T) {
	ctx := context.Background()
	sim := newSim(t, shopeetest.Options{Orders: 300, Days: 30})
	src, err := shopee.NewSource(shopee.Config{Host: sim.URL, PartnerID: sim.PartnerID(), PartnerKey: sim.PartnerKey(), ShopID: sim.ShopID(),
		AccessToken: sim.InitialAccess(), RefreshToken: sim.InitialRefresh(), Logger: quiet,
		HTTP: connector.HTTPConfig{MinBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond, Logger: quiet}})
	require.NoError(t, err)
	watermark := func(w *warehouse) int64 {
		var cp shopee.Checkpoint
		require.NoError(t, json.Unmarshal(w.cp, &cp))
		require.Equal(t, "incremental", cp.Phase)
		return cp.Watermark
	}
	w := newWarehouse()
	require.NoError(t, w.read(ctx, src))
	w.requireHolds(t, sim, 0)
	require.InDelta(t, sim.Now().Unix(), watermark(w), 2, "the load ends at the platform's now")

	lists := sim.Calls(shopee.PathOrderList)
	require.NoError(t, w.read(ctx, src))
	require.Equal(t, lists+1, sim.Calls(shopee.PathOrderList), "an idle incremental run costs one call")

	sim.Advance(6 * time.Hour)
	require.NoError(t, w.read(ctx, src))
	w.requireHolds(t, sim, 0)
	require.InDelta(t, sim.Now().Unix(), watermark(w), 2)
}
