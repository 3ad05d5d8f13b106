package misa_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/misa"
	"github.com/facolos/etl/misa/misatest"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/facolos/etl/tokenstore"
	"github.com/stretchr/testify/require"
)

var (
	simNow = time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	quiet  = slog.New(slog.NewTextHandler(io.Discard, nil))
)

func newSim(t testing.TB, opts misatest.Options) *misatest.Server {
	t.Helper()
	if opts.Now.IsZero() {
		opts.Now = simNow
	}
	if opts.Seed == 0 {
		opts.Seed = 7
	}
	sim := misatest.NewServer(opts)
	t.Cleanup(sim.Close)
	return sim
}

func config(sim *misatest.Server, tokens tokenstore.Store, httpCfg connector.HTTPConfig) misa.Config {
	if httpCfg.MinBackoff == 0 {
		httpCfg.MinBackoff, httpCfg.MaxBackoff = time.Millisecond, 20*time.Millisecond
	}
	httpCfg.Logger = quiet
	return misa.Config{BaseURL: sim.URL, ClientID: sim.ClientID(), ClientSecret: sim.ClientSecret(), Tokens: tokens,
		Now: sim.Now, HTTP: httpCfg, Logger: quiet}
}

func sourceFor(t testing.TB, sim *misatest.Server, tokens tokenstore.Store, httpCfg connector.HTTPConfig) *misa.Source {
	t.Helper()
	src, err := misa.NewSource(config(sim, tokens, httpCfg))
	require.NoError(t, err)
	return src
}

func openSink(t testing.TB, cfg sqlite.Config) *sqlite.Sink {
	t.Helper()
	if cfg.Path == "" {
		cfg.Path = filepath.Join(t.TempDir(), "misa.db")
	}
	s, err := sqlite.Open(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

const pipeName = "misa/" + testTenant

// testTenant is the tenant of the test pipeline's rows.
const testTenant = "TESTAPP"

func pipeline(src connector.Source, sink connector.Sink) connector.Pipeline {
	return connector.Pipeline{Name: pipeName, Platform: "misa", Account: testTenant, Source: src, Transformer: misa.Transformer{Tenant: testTenant}, Sink: sink}
}

func runner(mode connector.Mode) *connector.Runner {
	return &connector.Runner{Mode: mode, Logger: quiet}
}

func run(t testing.TB, r *connector.Runner, p connector.Pipeline) connector.Result {
	t.Helper()
	res := r.Run(context.Background(), p)[0]
	require.NoError(t, res.Err)
	require.Equal(t, connector.StatusOK, res.Status)
	return res
}

func table(name string) *connector.Table {
	for _, t := range misa.Tables() {
		if t.Name == name {
			return t
		}
	}
	panic(name)
}

// ---- expected contents, computed from the simulator's typed values ----

// text renders a value for comparison.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case connector.Dec:
		return "dec:" + x.String()
	case string:
		return "s:" + x
	case int64:
		return "i:" + strconv.FormatInt(x, 10)
	case bool:
		return "b:" + strconv.FormatBool(x)
	}
	return fmt.Sprintf("%T:%v", v, v)
}

// expect converts a simulator value to the value of column c.
func expect(c connector.Column, v any, present bool) any {
	if v == nil {
		if c.Type == connector.Bool && present {
			return false
		}
		return nil
	}
	switch c.Type {
	case connector.UUID:
		switch x := v.(type) {
		case string:
			if x == "" {
				return nil
			}
			return strings.ToLower(x)
		case misatest.UUID:
			return strings.ToLower(string(x))
		}
	case connector.String:
		switch x := v.(type) {
		case string:
			if x == "" {
				return nil
			}
			return x
		case misatest.UUID:
			return strings.ToLower(string(x))
		case int64:
			return strconv.FormatInt(x, 10)
		case misatest.Money:
			return string(x)
		case bool:
			return strconv.FormatBool(x)
		}
	case connector.Int:
		return v.(int64)
	case connector.Decimal:
		switch x := v.(type) {
		case misatest.Money:
			return connector.MustDec(string(x))
		case misatest.Text:
			return connector.MustDec(strings.ReplaceAll(strings.TrimSuffix(string(x), "%"), ",", ""))
		}
	case connector.Bool:
		return v.(bool)
	case connector.Timestamp:
		return time.Time(v.(misatest.Date)).UTC()
	}
	panic(fmt.Sprintf("column %s: unexpected %T", c.Name, v))
}

func isETL(name string) bool { return strings.HasPrefix(name, "etl_") }

// rowText renders the non-bookkeeping columns of a row (etl_source kept).
func rowText(t *connector.Table, row []any) string {
	var parts []string
	for i, c := range t.Columns {
		if isETL(c.Name) && c.Name != "etl_source" {
			continue
		}
		parts = append(parts, c.Name+"="+text(row[i]))
	}
	return strings.Join(parts, "|")
}

type contents map[string][]string // table name -> sorted row texts

func simpleRows(t *connector.Table, tenant string, recs []misatest.Record, skip map[string]bool, keyField string) []string {
	var out []string
	for _, r := range recs {
		if skip[fmt.Sprint(r[keyField])] {
			continue
		}
		row := make([]any, len(t.Columns))
		for i, c := range t.Columns {
			if isETL(c.Name) {
				continue
			}
			v, ok := r[c.Name]
			row[i] = expect(c, v, true)
			_ = ok
		}
		row[t.ColumnIndex("etl_source")] = misa.ETLSource
		row[t.ColumnIndex("tenant")] = tenant
		out = append(out, rowText(t, row))
	}
	return out
}

// expected is what the test pipeline stores of sim's data.
func expected(sim *misatest.Server) contents { return expectedOf(sim, testTenant) }

// expectedOf is what a pipeline of tenant stores of sim's data.
func expectedOf(sim *misatest.Server, tenant string) contents {
	skip := map[string]bool{}
	for _, k := range sim.Malformed() {
		skip[k] = true
	}
	w := contents{}
	w["misa_customers"] = simpleRows(table("misa_customers"), tenant, sim.Records(misatest.Customers), skip, "id")
	w["misa_contacts"] = simpleRows(table("misa_contacts"), tenant, sim.Records(misatest.Contacts), nil, "id")
	w["misa_products"] = simpleRows(table("misa_products"), tenant, sim.Records(misatest.Products), nil, "id")
	stocks := sim.Records(misatest.Stocks)
	w["misa_stocks"] = simpleRows(table("misa_stocks"), tenant, stocks, nil, "stock_code")

	w["misa_product_stock"] = ledgerRowsOf(sim, tenant)

	head, flat := table("misa_sale_orders"), table("misa_sale_orders_flattened")
	for _, o := range sim.Records(misatest.SaleOrders) {
		items, _ := o["sale_order_product_mappings"].([]misatest.Record)
		h := make([]any, len(head.Columns))
		h[0], h[1] = o["id"], o["sale_order_no"]
		h[2] = expect(head.Columns[2], o["modified_date"], true)
		h[3] = int64(len(items))
		h[head.ColumnIndex("etl_source")] = misa.ETLSource
		h[head.ColumnIndex("tenant")] = tenant
		w["misa_sale_orders"] = append(w["misa_sale_orders"], rowText(head, h))
		list := items
		if len(list) == 0 {
			list = []misatest.Record{nil}
		}
		for _, it := range list {
			row := make([]any, len(flat.Columns))
			for i, c := range flat.Columns {
				switch {
				case isETL(c.Name):
				case c.Name == "has_multiple_items":
					row[i] = len(items) > 1
				case c.Name == "total_items_in_order":
					row[i] = int64(len(items))
				case strings.HasPrefix(c.Name, "order_"):
					v, ok := o[strings.TrimPrefix(c.Name, "order_")]
					row[i] = expect(c, v, ok || true)
				case c.Name == "item_id" && it == nil:
					row[i] = misa.NoItemID
				case strings.HasPrefix(c.Name, "item_"):
					if it != nil {
						row[i] = expect(c, it[strings.TrimPrefix(c.Name, "item_")], true)
					}
				}
			}
			row[flat.ColumnIndex("etl_source")] = misa.ETLSource
			row[flat.ColumnIndex("tenant")] = tenant
			w["misa_sale_orders_flattened"] = append(w["misa_sale_orders_flattened"], rowText(flat, row))
		}
	}
	for k := range w {
		sort.Strings(w[k])
	}
	return w
}

// ledgerRows is the expected misa_product_stock rows of the warehouses
// named (every warehouse with a ledger when none is named).
func ledgerRows(sim *misatest.Server, codes ...string) []string {
	return ledgerRowsOf(sim, testTenant, codes...)
}

// ledgerRowsOf is ledgerRows of the pipeline of tenant.
func ledgerRowsOf(sim *misatest.Server, tenant string, codes ...string) []string {
	ps := table("misa_product_stock")
	ledger := sim.Ledger()
	var out []string
	for _, st := range sim.Records(misatest.Stocks) {
		id, ok := st["async_id"].(misatest.UUID)
		if !ok || (len(codes) > 0 && !slices.Contains(codes, st["stock_code"].(string))) {
			continue
		}
		for _, r := range ledger[string(id)] {
			r["stock_async_id"] = id
			r["stock_code"] = st["stock_code"]
			row := make([]any, len(ps.Columns))
			for i, c := range ps.Columns {
				if !isETL(c.Name) {
					row[i] = expect(c, r[c.Name], true)
				}
			}
			row[ps.ColumnIndex("etl_source")] = misa.ETLSource
			row[ps.ColumnIndex("tenant")] = tenant
			out = append(out, rowText(ps, row))
		}
	}
	sort.Strings(out)
	return out
}

// tableReader is a sink the tests read back (SQLite, PostgreSQL).
type tableReader interface {
	ReadTable(ctx context.Context, t *connector.Table) ([][]any, error)
}

func actual(t testing.TB, sink tableReader) contents {
	t.Helper()
	return actualOf(t, sink, "")
}

// actualOf is what the warehouse holds of tenant ("": of every tenant).
func actualOf(t testing.TB, sink tableReader, tenant string) contents {
	t.Helper()
	w := contents{}
	for _, tb := range misa.Tables() {
		rows, err := sink.ReadTable(context.Background(), tb)
		require.NoError(t, err)
		for _, r := range rows {
			if tenant == "" || r[tb.ColumnIndex("tenant")] == tenant {
				w[tb.Name] = append(w[tb.Name], rowText(tb, r))
			}
		}
		sort.Strings(w[tb.Name])
	}
	return w
}

func requireSame(t testing.TB, exp, got contents) {
	t.Helper()
	for _, tb := range misa.Tables() {
		require.NotEmpty(t, exp[tb.Name], "expected rows of %s", tb.Name)
		require.Equal(t, len(exp[tb.Name]), len(got[tb.Name]), "rows of %s", tb.Name)
		for i := range exp[tb.Name] {
			require.Equal(t, exp[tb.Name][i], got[tb.Name][i], "%s row %d", tb.Name, i)
		}
	}
}

// batchIDs returns etl_batch_id per key text of a table.
func batchIDs(t testing.TB, sink *sqlite.Sink, name, keyExpr string) map[string]string {
	t.Helper()
	rows, err := sink.DB().Query(fmt.Sprintf(`SELECT CAST(%s AS TEXT), etl_batch_id FROM "%s"`, keyExpr, name))
	require.NoError(t, err)
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, b string
		require.NoError(t, rows.Scan(&k, &b))
		out[k] = b
	}
	require.NoError(t, rows.Err())
	return out
}
