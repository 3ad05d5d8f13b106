package tiktok_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/testenv"
	"github.com/facolos/etl/internal/testsinks"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/facolos/etl/tiktok"
	"github.com/facolos/etl/tiktok/tiktoktest"
	"github.com/facolos/etl/tokenstore"
	"github.com/stretchr/testify/require"
)

var (
	// simNow is the end of the simulated history: in the past of the real
	// clock, as a real shop's history is.
	simNow = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	quiet  = slog.New(slog.NewTextHandler(io.Discard, nil))
)

// small is a shop size, halved unless ETL_TEST_LONG=1 (testenv.Long): the
// halved shops prove the same paths (windows split, pages, faults) in a
// quick go test ./...; the soak run of .ci/run loads the full ones.
func small(n int) int {
	if testenv.Long() {
		return n
	}
	return n / 2
}

func newSim(t testing.TB, opts tiktoktest.Options) *tiktoktest.Server {
	t.Helper()
	if opts.Now.IsZero() {
		opts.Now = simNow
	}
	if opts.Seed == 0 {
		opts.Seed = 7
	}
	sim := tiktoktest.NewServer(opts)
	t.Cleanup(sim.Close)
	return sim
}

func config(sim *tiktoktest.Server, tokens tokenstore.Store, httpCfg connector.HTTPConfig) tiktok.Config {
	if httpCfg.MinBackoff == 0 {
		httpCfg.MinBackoff, httpCfg.MaxBackoff = time.Millisecond, 20*time.Millisecond
	}
	if httpCfg.Logger == nil {
		httpCfg.Logger = quiet
	}
	return tiktok.Config{BaseURL: sim.URL, AuthURL: sim.AuthURL, AppKey: sim.AppKey(), AppSecret: sim.AppSecret(),
		AccessToken: sim.InitialAccess(), RefreshToken: sim.InitialRefresh(), ShopCipher: sim.ShopCipher(), Shop: "shop-7",
		Tokens: tokens, StartDate: simNow.AddDate(0, 0, -200), HTTP: httpCfg, Logger: httpCfg.Logger,
		// The orders stream alone unless a test asks for the finance
		// streams (withFinance): they are tested on their own, and every
		// order test would otherwise pay for them.
		DisableFinance: true}
}

// withFinance turns the finance streams on (config leaves them off).
func withFinance(c *tiktok.Config) { c.DisableFinance = false }

func sourceFor(t testing.TB, sim *tiktoktest.Server, tokens tokenstore.Store, httpCfg connector.HTTPConfig, tweak ...func(*tiktok.Config)) *tiktok.Source {
	t.Helper()
	cfg := config(sim, tokens, httpCfg)
	for _, f := range tweak {
		f(&cfg)
	}
	src, err := tiktok.NewSource(cfg)
	require.NoError(t, err)
	return src
}

func openSink(t testing.TB, path string, cfg sqlite.Config) *sqlite.Sink {
	t.Helper()
	return testsinks.SQLite(t, path, cfg)
}

func run(t testing.TB, r *connector.Runner, src connector.Source, sink connector.Sink) connector.Result {
	t.Helper()
	if r.Logger == nil {
		r.Logger = quiet
	}
	var tr connector.Transformer = tiktok.Transformer{}
	if s, ok := src.(*tiktok.Source); ok {
		tr = s.Transformer()
	}
	return r.Run(context.Background(), connector.Pipeline{Name: "tiktok/shop-7", Platform: "tiktok", Account: "shop-7",
		Source: src, Transformer: tr, Sink: sink})[0]
}

// colPath maps every data column to its place in the order JSON, as
// tables.md documents it ("item." is the line item, "pkg." the first
// package). This is an independent reading of the spec: the expected rows
// come from the simulator's data through a generic JSON tree, not through
// the transformer's typed decoding.
var colPath = func() map[string]string {
	m := map[string]string{"order_id": "id", "order_status": "status", "item_sku_attributes": "item", "payment_info_json": "payment",
		"payment_method_name":    "payment_method_name",
		"recipient_address_json": "recipient_address", "line_items_json": "line_items", "packages_json": "packages", "raw_order_json": "",
		"recipient_district_info": "recipient_address.district_info"}
	for _, c := range tiktok.Table().Columns {
		n := c.Name
		if _, ok := m[n]; ok || strings.HasPrefix(n, "etl_") {
			continue
		}
		switch {
		case strings.HasPrefix(n, "payment_"):
			m[n] = "payment." + strings.TrimPrefix(n, "payment_")
		case strings.HasPrefix(n, "recipient_"):
			f := strings.TrimPrefix(n, "recipient_")
			if f == "detail" || strings.HasPrefix(f, "line") {
				f = "address_" + f
			}
			if strings.HasPrefix(f, "address_") && f != "address_detail" && !strings.HasPrefix(f, "address_line") {
				f = strings.TrimPrefix(f, "address_")
			}
			m[n] = "recipient_address." + f
		case strings.HasPrefix(n, "item_"):
			m[n] = "item." + strings.TrimPrefix(n, "item_")
		case strings.HasPrefix(n, "package_"):
			m[n] = "pkg." + strings.TrimPrefix(n, "package_")
		default:
			m[n] = n
		}
	}
	return m
}()

func tree(data []byte) any {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		panic(err)
	}
	return v
}

func lookup(v any, path string) any {
	if path == "" {
		return v
	}
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// present marks a JSON column that must hold the API's JSON.
var present = &struct{ json bool }{true}

// expectValue converts a JSON tree value to what the column should hold.
func expectValue(c connector.Column, v any) any {
	if v == nil {
		return nil
	}
	switch c.Type {
	case connector.JSON:
		switch x := v.(type) {
		case []any:
			if len(x) == 0 && c.Name != "line_items_json" {
				return nil
			}
		case map[string]any:
			if len(x) == 0 {
				return nil
			}
		}
		return present // expected() puts the exact bytes in
	case connector.Timestamp:
		n, _ := v.(json.Number).Int64()
		switch {
		case n == 0:
			return nil
		case n > 1e10:
			return time.UnixMilli(n).UTC()
		}
		return time.Unix(n, 0).UTC()
	case connector.Decimal:
		return connector.MustDec(v.(string)).String()
	case connector.Int:
		n, _ := v.(json.Number).Int64()
		return n
	case connector.Bool:
		if s, ok := v.(string); ok {
			return s == "yes" || s == "true" || s == "1"
		}
		return v.(bool)
	}
	if n, ok := v.(json.Number); ok {
		return string(n)
	}
	return v
}

// expected builds the rows the table must hold for orders, keyed
// "order_id/item_id", each a column -> value map.
func expected(orders []tiktoktest.Order) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, o := range orders {
		data, _ := json.Marshal(o)
		root := tree(data)
		items, _ := lookup(root, "line_items").([]any)
		var pkg any
		if ps, _ := lookup(root, "packages").([]any); len(ps) > 0 {
			pkg = ps[0]
		}
		if len(items) == 0 {
			items = []any{nil}
		}
		base := map[string]any{}
		for _, c := range tiktok.Table().Columns {
			p, ok := colPath[c.Name]
			if c.Auto != connector.AutoNone || !ok || p == "item" || strings.HasPrefix(p, "item.") {
				continue
			}
			if strings.HasPrefix(p, "pkg.") {
				base[c.Name] = expectValue(c, lookup(pkg, strings.TrimPrefix(p, "pkg.")))
			} else {
				base[c.Name] = expectValue(c, lookup(root, p))
			}
		}
		// JSON columns hold the API's bytes: what the simulator's json.Marshal
		// of the order (and so of each part) produced, byte for byte.
		exact := func(col string, v any) {
			if base[col] == present {
				b, _ := json.Marshal(v)
				base[col] = string(b)
			}
		}
		base["raw_order_json"] = string(data)
		exact("payment_info_json", o.Payment)
		exact("recipient_address_json", o.RecipientAddress)
		exact("line_items_json", o.LineItems)
		exact("packages_json", o.Packages)
		if o.RecipientAddress != nil {
			exact("recipient_district_info", o.RecipientAddress.DistrictInfo)
		}
		for i, it := range items {
			row := map[string]any{}
			for k, v := range base {
				row[k] = v
			}
			for _, c := range tiktok.Table().Columns {
				p := colPath[c.Name]
				if c.Auto != connector.AutoNone || !(p == "item" || strings.HasPrefix(p, "item.")) {
					continue
				}
				var v any
				if it != nil {
					v = lookup(it, strings.TrimPrefix(strings.TrimPrefix(p, "item"), "."))
				}
				row[c.Name] = expectValue(c, v)
			}
			if it != nil {
				b, _ := json.Marshal(o.LineItems[i])
				row["item_sku_attributes"] = string(b)
			}
			row["etl_source"] = "tiktok_shop_api"
			// The shop the source resolved (the simulator's only shop).
			row["shop_id"], row["region"], row["shop_cipher"] = tiktoktest.DefaultShopID, tiktoktest.ShopRegion, tiktoktest.DefaultShopCipher
			if it == nil {
				row["item_id"] = ""
				row["line_items_json"] = "[]"
			}
			out[fmt.Sprint(row["order_id"], "/", row["item_id"])] = row
		}
	}
	return out
}

// tableReader is a sink whose tables a test reads back.
type tableReader interface {
	ReadTable(ctx context.Context, t *connector.Table) ([][]any, error)
}

// actual reads the table into the same shape.
func actual(t testing.TB, s tableReader) map[string]map[string]any {
	t.Helper()
	tb := tiktok.Table()
	rows, err := s.ReadTable(context.Background(), tb)
	require.NoError(t, err)
	out := map[string]map[string]any{}
	for _, r := range rows {
		row := map[string]any{}
		for i, c := range tb.Columns {
			if c.Auto != connector.AutoNone {
				continue
			}
			v := r[i]
			switch x := v.(type) {
			case connector.Dec:
				v = x.String()
			case connector.RawJSON:
				v = string(x)
			}
			row[c.Name] = v
		}
		k := fmt.Sprint(row["order_id"], "/", row["item_id"])
		if _, dup := out[k]; dup {
			t.Fatalf("row %s stored twice", k)
		}
		out[k] = row
	}
	return out
}

// requireSameContents compares the table with the simulator's data column
// by column and names the first differences.
func requireSameContents(t testing.TB, want, got map[string]map[string]any) {
	t.Helper()
	var diffs []string
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			diffs = append(diffs, "missing row "+k)
			continue
		}
		for c, wv := range w {
			if gv := g[c]; !sameText(wv, gv) && !reflect.DeepEqual(normalize(wv), normalize(gv)) {
				diffs = append(diffs, fmt.Sprintf("%s.%s: want %v, got %v", k, c, wv, g[c]))
			}
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			diffs = append(diffs, "unexpected row "+k)
		}
	}
	sort.Strings(diffs)
	if len(diffs) > 10 {
		diffs = append(diffs[:10], fmt.Sprintf("... and %d more", len(diffs)-10))
	}
	require.Empty(t, diffs, "table differs from the simulator's data")
}

// sameText reports whether a and b are the same string (most values: the
// JSON columns hold the API's bytes as they came, which normalize would
// otherwise decode and encode again on every comparison).
func sameText(a, b any) bool {
	as, ok := a.(string)
	bs, ok2 := b.(string)
	return ok && ok2 && as == bs
}

// normalize makes values comparable across sinks: times in UTC, and JSON
// text in one canonical form (PostgreSQL stores JSON columns as jsonb,
// which reorders keys and spaces them).
func normalize(v any) any {
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case string:
		if len(x) > 1 && (x[0] == '{' || x[0] == '[') {
			d := json.NewDecoder(strings.NewReader(x))
			d.UseNumber()
			var t any
			if d.Decode(&t) == nil && !d.More() {
				b, _ := json.Marshal(t)
				return string(b)
			}
		}
	}
	return v
}

// etlUpdated returns etl_updated_at per row key.
func etlUpdated(t testing.TB, s *sqlite.Sink) map[string]time.Time {
	t.Helper()
	tb := tiktok.Table()
	rows, err := s.ReadTable(context.Background(), tb)
	require.NoError(t, err)
	oi, ii, ui := tb.ColumnIndex("order_id"), tb.ColumnIndex("item_id"), tb.ColumnIndex("etl_updated_at")
	out := map[string]time.Time{}
	for _, r := range rows {
		out[fmt.Sprint(r[oi], "/", r[ii])] = r[ui].(time.Time)
	}
	return out
}
