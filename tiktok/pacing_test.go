package tiktok_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/platform"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/stretchr/testify/require"
)

// Against a simulator limited to R calls/s, the driver's app budget at R
// keeps a full load almost free of throttling, and counts what there is.
func TestPacingAtTheLimit(t *testing.T) {
	const R = 3
	calls, throttled, wall := pacedLoad(t, R, "")
	t.Logf("R=%d calls=%d throttled=%d wall=%s = %.2f x calls/R", R, calls, throttled, wall.Round(time.Millisecond), wall.Seconds()/(float64(calls)/R))
	require.Positive(t, calls)
	require.LessOrEqual(t, float64(throttled)/float64(calls), 0.01)

	// The same load with the app's budget set far above the limit is
	// throttled (and says so) whenever it runs faster than the limit: the
	// pacing above is what keeps it clean. (A slow machine, e.g. under the
	// race detector, may not reach R calls/s at all.)
	calls, throttled, wall = pacedLoad(t, R, "1000")
	if float64(calls)/wall.Seconds() > 1.5*R {
		require.Positive(t, throttled)
	} else {
		t.Logf("the unpaced load ran at %.1f calls/s, not above the limit: nothing to throttle", float64(calls)/wall.Seconds())
	}
}

func pacedLoad(t *testing.T, limit float64, budget string) (calls, throttled int64, wall time.Duration) {
	t.Helper()
	d, ok := platform.Lookup("tiktok")
	require.True(t, ok)
	demo, err := d.Demo(platform.DemoOptions{Seed: 41, Records: 1000, RateLimit: limit})
	require.NoError(t, err)
	defer demo.Close()
	acct := demo.Account
	get := acct.Get
	acct.Get = func(k string) string {
		switch {
		case k == "TIKTOK_RATE_LIMIT" && budget != "":
			return budget
		case k == "TIKTOK_FINANCE":
			return "false" // the orders pace the test; a statement a day would triple the calls
		}
		return get(k)
	}
	if budget != "" {
		acct.Name = "unpaced" // a budget of its own
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	deps := platform.Deps{Logger: quiet}
	if budget != "" {
		// Unpaced, the windows read at once are throttled often: enough
		// attempts for the budget's multiplicative decrease to reach the
		// limit before a call gives up.
		deps.HTTP = connector.HTTPConfig{Attempts: 10}
	}
	src, tr, err := d.Open(context.Background(), acct, deps)
	require.NoError(t, err)
	sink, err := sqlite.Open(context.Background(), sqlite.Config{Path: t.TempDir() + "/paced.db"})
	require.NoError(t, err)
	defer sink.Close()
	start := time.Now()
	res := (&connector.Runner{Mode: connector.Full, Logger: quiet}).Run(context.Background(),
		connector.Pipeline{Name: "tiktok/paced", Source: src, Transformer: tr, Sink: sink})[0]
	wall = time.Since(start)
	require.NoError(t, res.Err)
	for _, n := range res.APICalls {
		calls += n
	}
	return calls, res.Stats["throttled"].(int64), wall
}
