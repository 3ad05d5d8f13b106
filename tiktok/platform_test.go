package tiktok_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/platform"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/facolos/etl/tiktok"
	"github.com/facolos/etl/tokenstore"
	"github.com/stretchr/testify/require"
)

// The registered driver: Demo starts the simulator, Open builds the source
// from the account's settings alone (no shop cipher: it is resolved; the
// real clock signs), and the runner loads it into SQLite, full and then
// incremental after the shop moved on.
func TestPlatformDemoOpenRun(t *testing.T) {
	d, ok := platform.Lookup("tiktok")
	require.True(t, ok)
	require.Equal(t, "TIKTOK_APP_KEY", d.Variables()[0].Name)
	demo, err := d.Demo(platform.DemoOptions{Seed: 3, Records: 400})
	require.NoError(t, err)
	t.Cleanup(demo.Close)
	require.Empty(t, demo.Account.Get("TIKTOK_SHOP_CIPHER"))
	ctx := context.Background()
	store := &tokenstore.Memory{}
	src, tr, err := d.Open(ctx, demo.Account, platform.Deps{Tokens: store, Logger: quiet,
		HTTP: connector.HTTPConfig{MinBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond}})
	require.NoError(t, err)
	sink, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(t.TempDir(), "demo.db")})
	require.NoError(t, err)
	t.Cleanup(func() { sink.Close() })
	p := connector.Pipeline{Name: "tiktok/" + demo.Account.Name, Platform: "tiktok", Account: demo.Account.Name, Source: src, Transformer: tr, Sink: sink}
	r := &connector.Runner{Logger: quiet}
	res := r.Run(ctx, p)[0]
	require.NoError(t, res.Err)
	require.Equal(t, int64(1), res.APICalls[tiktok.PathShops], "the cipher is resolved once")
	require.Equal(t, int64(4), res.APICalls[tiktok.PathSearch])
	rows, err := sink.ReadTable(ctx, tiktok.Table())
	require.NoError(t, err)
	full := len(rows)
	orders := map[any]bool{}
	for _, r := range rows {
		orders[r[tiktok.Table().ColumnIndex("order_id")]] = true
	}
	require.Len(t, orders, 400)
	// The finance streams are on by default: the demo loads them too.
	for _, tb := range tiktok.FinanceTables() {
		require.Positive(t, res.Rows[tb.FullName()], tb.FullName())
	}
	require.Equal(t, (res.Rows["staging."+tiktok.StatementsTable]+99)/100, res.APICalls[tiktok.PathStatements], "100 statements a call")
	require.Equal(t, res.Rows["staging."+tiktok.StatementsTable], res.APICalls[tiktok.PathStatementTransactions], "one transactions call per statement")

	demo.Advance(3 * time.Hour)
	res = r.Run(ctx, p)[0]
	require.NoError(t, res.Err)
	require.Positive(t, res.Records)
	require.Less(t, res.Records, int64(400), "incremental reads the changes, not everything")
	rows, err = sink.ReadTable(ctx, tiktok.Table())
	require.NoError(t, err)
	require.NotEqual(t, full, len(rows))
	_, err = store.Load(ctx, tiktok.PlatformName, "demo")
	require.NoError(t, err, "tokens live in the store under the account name")
}
