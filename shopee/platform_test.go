package shopee_test

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/platform"
	_ "github.com/facolos/etl/shopee"
	"github.com/facolos/etl/shopee/shopeetest"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/stretchr/testify/require"
)

func TestDriverRegistered(t *testing.T) {
	d, ok := platform.Lookup("shopee")
	require.True(t, ok)
	require.Equal(t, "shopee", d.Name())
	// A partially configured shop names what is missing.
	env := map[string]string{"SHOPEE_PARTNER_ID": "1", "SHOPEE_PARTNR_KEY": "typo"}
	_, ok, err := platform.AccountFromEnv(d, func(k string) string { return env[k] })
	require.False(t, ok)
	require.ErrorContains(t, err, "SHOPEE_PARTNER_KEY")
	require.ErrorContains(t, err, "SHOPEE_SHOP_ID")
}

// pacedLoad runs a full load of a demo shop limited to limit calls/s with
// the app's budget set to budget calls/s.
func pacedLoad(t *testing.T, limit, budget float64, burst, orders int) (calls, throttled int64, wall time.Duration, src connector.Source) {
	t.Helper()
	d, _ := platform.Lookup("shopee")
	sim := shopeetest.NewServer(shopeetest.Options{Seed: 9, Orders: orders, Days: 700, Now: time.Now(), RateLimit: limit, Burst: burst})
	defer sim.Close()
	vars := map[string]string{
		"SHOPEE_HOST":          sim.URL,
		"SHOPEE_PARTNER_ID":    strconv.FormatInt(sim.PartnerID(), 10),
		"SHOPEE_PARTNER_KEY":   sim.PartnerKey(),
		"SHOPEE_SHOP_ID":       strconv.FormatInt(sim.ShopID(), 10),
		"SHOPEE_ACCESS_TOKEN":  sim.InitialAccess(),
		"SHOPEE_REFRESH_TOKEN": sim.InitialRefresh(),
		"SHOPEE_RATE_LIMIT":    strconv.FormatFloat(budget, 'f', -1, 64),
		"SHOPEE_FINANCE":       "false", // the orders pace the test
	}
	acct := platform.Account{Platform: "shopee", Name: "paced", Get: func(k string) string { return vars[k] }}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	src, tr, err := d.Open(context.Background(), acct, platform.Deps{Logger: quiet,
		HTTP: connector.HTTPConfig{Timeout: 2 * time.Second, Attempts: 6, MinBackoff: 20 * time.Millisecond, MaxBackoff: 500 * time.Millisecond}})
	require.NoError(t, err)
	sink, err := sqlite.Open(context.Background(), sqlite.Config{Path: t.TempDir() + "/paced.db"})
	require.NoError(t, err)
	defer sink.Close()
	r := &connector.Runner{Mode: connector.Full, Logger: quiet}
	start := time.Now()
	res := r.Run(context.Background(), connector.Pipeline{Name: "shopee/paced", Source: src, Transformer: tr, Sink: sink})[0]
	wall = time.Since(start)
	require.NoError(t, res.Err)
	require.EqualValues(t, orders, res.Rows["staging.shopee_orders"])
	for _, n := range res.APICalls {
		calls += n
	}
	require.EqualValues(t, sim.Throttled(), res.Stats["throttled"], "every throttled call is counted")
	return calls, res.Stats["throttled"].(int64), wall, src
}

// Against a simulator limited to R calls/s with the app's budget at R, a
// full load is (almost) never throttled.
func TestPacingAtTheLimit(t *testing.T) {
	const R = 20
	calls, throttled, wall, _ := pacedLoad(t, R, R, 0, 600)
	share := float64(throttled) / float64(calls)
	t.Logf("R=%d calls=%d throttled=%d (%.2f%%) wall=%s = %.2f x calls/R", R, calls, throttled, 100*share, wall.Round(time.Millisecond), wall.Seconds()/(float64(calls)/R))
	require.LessOrEqual(t, share, 0.01)
}

// With the budget set to twice what the platform allows, AIMD finds the
// limit: few throttles, and every one is counted.
func TestPacingAboveTheLimit(t *testing.T) {
	const R = 20
	calls, throttled, wall, _ := pacedLoad(t, R, 2*R, 1, 600)
	share := float64(throttled) / float64(calls)
	t.Logf("R=%d budget=%d calls=%d throttled=%d (%.2f%%) wall=%s = %.2f x calls/R", R, 2*R, calls, throttled, 100*share, wall.Round(time.Millisecond), wall.Seconds()/(float64(calls)/R))
	require.Positive(t, throttled, "the simulator throttled and the report says so")
	// Sent at 2R without a decrease, about half the calls would be refused.
	// With detail calls and list windows in flight at once, the first wave
	// overshoots before the pace halves: 4-12 % here.
	require.LessOrEqual(t, share, 0.25)
}
