package platform_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/facolos/etl/platform"
	"github.com/stretchr/testify/require"
)

func TestEnvInt(t *testing.T) {
	env := map[string]string{"N": "42", "NEG": "-1", "BAD": "12x", "ZERO": "0"}
	get := func(k string) string { return env[k] }
	n, err := platform.EnvInt(get, "N")
	require.NoError(t, err)
	require.EqualValues(t, 42, n)
	n, err = platform.EnvInt(get, "UNSET")
	require.NoError(t, err)
	require.Zero(t, n)
	n, err = platform.EnvInt(get, "ZERO")
	require.NoError(t, err)
	require.Zero(t, n)
	for _, k := range []string{"NEG", "BAD"} {
		_, err = platform.EnvInt(get, k)
		require.ErrorContains(t, err, k+": ")
		require.ErrorContains(t, err, "is not a non-negative integer")
	}
}

func TestEnvRate(t *testing.T) {
	env := map[string]string{"R": "2.5", "ZERO": "0", "NEG": "-3", "BAD": "fast", "NAN": "NaN", "INF": "+Inf"}
	get := func(k string) string { return env[k] }
	r, err := platform.EnvRate(get, "R", 20)
	require.NoError(t, err)
	require.Equal(t, 2.5, r)
	r, err = platform.EnvRate(get, "UNSET", 20)
	require.NoError(t, err)
	require.Equal(t, 20.0, r)
	for _, k := range []string{"ZERO", "NEG", "BAD", "NAN", "INF"} {
		_, err = platform.EnvRate(get, k, 20)
		require.ErrorContains(t, err, k+": ")
		require.ErrorContains(t, err, "is not a positive number")
	}
}

// A demo's defaults: the platform's size, today 00:00 UTC, faults seeded
// apart from the data.
func TestDemoOptionsDefaults(t *testing.T) {
	var o platform.DemoOptions
	require.Equal(t, 500, o.Size(500))
	before := time.Now().UTC().Truncate(24 * time.Hour)
	clock := o.Clock()
	require.Contains(t, []time.Time{before, time.Now().UTC().Truncate(24 * time.Hour)}, clock, "today 00:00 UTC")
	now := time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	o = platform.DemoOptions{Seed: 4, Records: 30, Now: now, FaultRate: 0.1, Latency: time.Millisecond, Jitter: 2 * time.Millisecond}
	require.Equal(t, 30, o.Size(500))
	require.Equal(t, now, o.Clock())
	f := o.Faults()
	require.Equal(t, 0.1, f.Rate)
	require.Equal(t, time.Millisecond, f.Latency)
	require.Equal(t, 2*time.Millisecond, f.Jitter)
	require.EqualValues(t, 5, f.Seed)
}

func ExampleEnvInt() {
	env := map[string]string{"MISA_CRM_CONCURRENCY": "8", "SHOPEE_SHOP_ID": "twelve"}
	n, err := platform.EnvInt(func(k string) string { return env[k] }, "MISA_CRM_CONCURRENCY")
	fmt.Println(n, err)
	_, err = platform.EnvInt(func(k string) string { return env[k] }, "SHOPEE_SHOP_ID")
	fmt.Println(err)
	// Output:
	// 8 <nil>
	// SHOPEE_SHOP_ID: "twelve" is not a non-negative integer
}

func TestEnvBool(t *testing.T) {
	for v, want := range map[string]bool{"": true, "true": true, "ON": true, "1": true, "yes": true, "false": false, "Off": false, "0": false, "no": false} {
		got, err := platform.EnvBool(func(string) string { return v }, "X_FLAG", true)
		require.NoError(t, err, v)
		require.Equal(t, want, got, v)
	}
	_, err := platform.EnvBool(func(string) string { return "maybe" }, "X_FLAG", true)
	require.ErrorContains(t, err, `X_FLAG: "maybe" is not true or false`)
}
