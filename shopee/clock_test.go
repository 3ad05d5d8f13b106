package shopee_test

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/shopee"
	"github.com/facolos/etl/shopee/shopeetest"
	"github.com/stretchr/testify/require"
)

// Without Config.Now the client reads the platform's clock from its Date
// headers: against a simulator whose wall clock is two minutes behind the
// local one, a full load ends at the platform's now (not the local one), an
// idle incremental run costs one call, and after the platform's clock
// jumped four minutes ahead an incremental run reads up to the new now and
// gets the order changed in between. Every request is signed with the
// local time (within the platform's five minutes).
func TestPlatformClockWithoutConfigNow(t *testing.T) {
	ctx := context.Background()
	var off atomic.Int64
	off.Store(int64(-2 * time.Minute))
	wall := func() time.Time { return time.Now().Add(time.Duration(off.Load())) }
	sim := newSim(t, shopeetest.Options{Orders: 300, Days: 30, Now: wall().Truncate(time.Second), Clock: wall})
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
	// The load ends at the platform's now: between the platform's clock
	// before and after the read (the machine's clock is minutes away).
	atPlatformNow := func(w *warehouse, read func() error) {
		t.Helper()
		before := wall().Unix()
		require.NoError(t, read())
		after := wall().Unix()
		wm := watermark(w)
		require.GreaterOrEqual(t, wm, before-1, "the load ends at the platform's now")
		require.LessOrEqual(t, wm, after, "the load ends at the platform's now")
	}
	w := newWarehouse()
	atPlatformNow(w, func() error { return w.read(ctx, src) })
	w.requireHolds(t, sim, 0)

	lists := sim.Calls(shopee.PathOrderList)
	require.NoError(t, w.read(ctx, src))
	require.Equal(t, lists+1, sim.Calls(shopee.PathOrderList), "an idle incremental run costs one call")

	sn := sim.Orders()[0].OrderSN
	require.True(t, sim.Touch(sn))
	off.Store(int64(2 * time.Minute))
	atPlatformNow(w, func() error { return w.read(ctx, src) })
	w.requireHolds(t, sim, 0)
}
