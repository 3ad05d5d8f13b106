package misa_test

import (
	"context"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/platform"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/stretchr/testify/require"

	_ "github.com/facolos/etl/misa" // registers "misa"
)

// The registered driver: Demo starts the simulator, Open builds the source
// from the account's settings, the runner loads it into SQLite in full and
// then incrementally after the tenant moved on.
func TestDriverDemoOpenRun(t *testing.T) {
	d, ok := platform.Lookup("misa")
	require.True(t, ok)
	require.Equal(t, "MISA_CRM_CLIENT_ID", d.Variables()[0].Name)
	demo, err := d.Demo(platform.DemoOptions{Seed: 3, Records: 300})
	require.NoError(t, err)
	defer demo.Close()
	acct, ok, err := platform.AccountFromEnv(d, demo.Account.Get)
	require.NoError(t, err)
	require.True(t, ok)
	src, tr, err := d.Open(context.Background(), acct, platform.Deps{Logger: quiet})
	require.NoError(t, err)
	sink := openSink(t, sqlite.Config{})
	p := connector.Pipeline{Name: "misa/" + acct.Name, Platform: "misa", Account: acct.Name, Source: src, Transformer: tr, Sink: sink}

	full := run(t, runner(connector.Full), p)
	require.Equal(t, int64(300), full.Rows["staging.misa_customers"])
	require.Equal(t, int64(300), full.Rows["staging.misa_sale_orders"])
	require.Positive(t, full.Rows["staging.misa_product_stock"])
	require.Equal(t, 1, full.Stats["logins"])

	demo.Advance(time.Hour)
	inc := run(t, runner(connector.Incremental), p)
	require.Less(t, inc.Records, full.Records)
	require.Positive(t, inc.Rows["staging.misa_customers"])
	var n int
	require.NoError(t, sink.DB().QueryRow(`SELECT COUNT(*) FROM "misa_customers"`).Scan(&n))
	require.Equal(t, 306, n, "300 customers and the 6 created by Advance")
}
