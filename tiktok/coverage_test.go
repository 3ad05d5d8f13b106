package tiktok_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/platform"
	"github.com/facolos/etl/sink/postgres"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/facolos/etl/tiktok"
	"github.com/facolos/etl/tokenstore"
	"github.com/stretchr/testify/require"
)

// Column coverage: a demo load (the registered driver against its
// simulator, into SQLite). Every column whose source field the simulator
// sends (found in the stored raw_order_json, through the independent
// mapping colPath) is non-NULL in at least one row; the shop columns, which
// come from the shop the source resolved, in every row; and the simulator's
// own answers carry no field the unmapped-field report lists.
func TestColumnCoverage(t *testing.T) {
	d, ok := platform.Lookup("tiktok")
	require.True(t, ok)
	demo, err := d.Demo(platform.DemoOptions{Seed: 5, Records: 300})
	require.NoError(t, err)
	t.Cleanup(demo.Close)
	ctx := context.Background()
	acct := demo.Account
	get := acct.Get
	acct.Get = func(k string) string { // the orders alone: this is about their columns
		if k == "TIKTOK_FINANCE" {
			return "false"
		}
		return get(k)
	}
	src, tr, err := d.Open(ctx, acct, platform.Deps{Tokens: &tokenstore.Memory{}, Logger: quiet,
		HTTP: connector.HTTPConfig{MinBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond}})
	require.NoError(t, err)
	sink, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(t.TempDir(), "demo.db")})
	require.NoError(t, err)
	t.Cleanup(func() { sink.Close() })
	res := (&connector.Runner{Logger: quiet}).Run(ctx, connector.Pipeline{Name: "tiktok/demo", Platform: "tiktok",
		Account: "demo", Source: src, Transformer: tr, Sink: sink})[0]
	require.NoError(t, res.Err)
	require.Equal(t, int64(300), res.Records)
	require.Empty(t, src.(*tiktok.Source).Unmapped(), "fields the simulator sends that no column stores and tiktok.NotStored does not list")

	tb := tiktok.Table()
	rows, err := sink.ReadTable(ctx, tb)
	require.NoError(t, err)
	raw := tb.ColumnIndex("raw_order_json")
	sent := map[string]bool{} // columns whose source field some order sends, not null
	for _, r := range rows {
		order := tree([]byte(r[raw].(connector.RawJSON)))
		var items []any
		if l, _ := lookup(order, "line_items").([]any); len(l) > 0 {
			items = l
		}
		var pkg any
		if l, _ := lookup(order, "packages").([]any); len(l) > 0 {
			pkg = l[0]
		}
		for col, path := range colPath {
			var v any
			switch {
			case path == "item":
				v = items
			case strings.HasPrefix(path, "item."):
				for _, it := range items {
					if v = lookup(it, strings.TrimPrefix(path, "item.")); v != nil {
						break
					}
				}
			case strings.HasPrefix(path, "pkg."):
				v = lookup(pkg, strings.TrimPrefix(path, "pkg."))
			default:
				v = lookup(order, path)
			}
			if v != nil {
				sent[col] = true
			}
		}
	}
	shopCols := map[string]bool{"shop_id": true, "region": true, "shop_cipher": true}
	var null, notSent []string
	for i, c := range tb.Columns {
		if c.Auto != connector.AutoNone {
			continue
		}
		filled := 0
		for _, r := range rows {
			if r[i] != nil {
				filled++
			}
		}
		switch {
		case shopCols[c.Name]:
			require.Equal(t, len(rows), filled, "%s is filled from the resolved shop in every row", c.Name)
		case sent[c.Name] && filled == 0:
			null = append(null, c.Name)
		case !sent[c.Name] && c.Name != "etl_source":
			notSent = append(notSent, c.Name)
		}
	}
	require.Empty(t, null, "columns NULL in every row although the simulator sends their field")
	sort.Strings(notSent)
	t.Logf("columns whose field the simulator never sends (NULL by design): %s", strings.Join(notSent, ", "))
	require.Contains(t, notSent, "request_id", "a field of no 202309 order")
	require.NotContains(t, notSent, "payment_method_name")
}

// The secondary indexes of tables.md exist after Prepare (IX_..._order_id
// is served by the primary key's leading column).
func TestIndexes(t *testing.T) {
	want := []string{"IX_tiktok_shop_order_detail_create_time", "IX_tiktok_shop_order_detail_etl_updated",
		"IX_tiktok_shop_order_detail_item_id", "IX_tiktok_shop_order_detail_update_time"}
	eachSink(t, func(t *testing.T, sink testSink) {
		ctx := context.Background()
		require.NoError(t, sink.Prepare(ctx, tiktok.Transformer{}.Tables()))
		var db *sql.DB
		var q string
		var args []any
		switch s := sink.(type) {
		case *sqlite.Sink:
			db, args = s.DB(), []any{tiktok.TableName}
			q = `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND name LIKE 'IX_%' ORDER BY name`
		case *postgres.Sink:
			db, args = s.DB(), []any{tiktok.TableName, s.Schema("staging")}
			q = `SELECT indexname FROM pg_indexes WHERE tablename = $1 AND schemaname = $2 AND indexname LIKE 'IX_%' ORDER BY indexname`
		}
		rows, err := db.QueryContext(ctx, q, args...)
		require.NoError(t, err)
		defer rows.Close()
		var got []string
		for rows.Next() {
			var n string
			require.NoError(t, rows.Scan(&n))
			got = append(got, n)
		}
		require.NoError(t, rows.Err())
		require.Equal(t, want, got)
	})
}
