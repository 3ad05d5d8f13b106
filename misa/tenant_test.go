package misa_test

import (
	"context"
	"slices"
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

// Three MISA tenants in one SQLite warehouse. MISA's ids are ids of one
// tenant's database, so they overlap: acme and beta have the very same data
// (one seed), gamma other data with ids from the same range. Every tenant's
// rows are stored, told apart by tenant: the warehouse holds the sum, each
// tenant exactly its simulator's data. An order of acme that loses items
// has its item rows replaced while beta's order with the same id keeps
// all of its own; and an older version of a record in one tenant is no
// stale copy of another tenant's newer one.
func TestTenantsShareOneWarehouse(t *testing.T) {
	ctx := context.Background()
	opts := misatest.Options{Seed: 7, Customers: 60, SaleOrders: 60, Contacts: 30, Products: 20, ChangeRate: 0.3}
	sims := map[string]*misatest.Server{"acme": newSim(t, opts), "beta": newSim(t, opts)}
	opts.Seed = 8
	sims["gamma"] = newSim(t, opts)
	sink := openSink(t, sqlite.Config{})
	pipe := func(tenant string) connector.Pipeline {
		cfg := config(sims[tenant], &tokenstore.Memory{}, connector.HTTPConfig{})
		cfg.Account = tenant
		src, err := misa.NewSource(cfg)
		require.NoError(t, err)
		return connector.Pipeline{Name: "misa/" + tenant, Platform: "misa", Account: tenant, Source: src, Transformer: src.Transformer(), Sink: sink}
	}
	count := func(q string) int {
		var n int
		require.NoError(t, sink.DB().QueryRowContext(ctx, q).Scan(&n), q)
		return n
	}
	check := func(when string) {
		t.Helper()
		total := map[string]int{}
		for tenant, sim := range sims {
			exp := expectedOf(sim, tenant)
			requireSame(t, exp, actualOf(t, sink, tenant))
			for name, rows := range exp {
				total[name] += len(rows)
			}
		}
		for name, n := range total {
			require.Equal(t, n, count(`SELECT count(*) FROM `+name), "%s: %s holds every tenant's rows", when, name)
		}
	}

	// The three full loads at once.
	for _, res := range runner(connector.Full).Run(ctx, pipe("acme"), pipe("beta"), pipe("gamma")) {
		require.NoError(t, res.Err, res.Pipeline)
	}
	check("after the full loads")
	customers := len(sims["acme"].Records(misatest.Customers))
	require.Equal(t, customers, count(`SELECT count(*) FROM (SELECT id FROM misa_customers WHERE tenant IN ('acme', 'beta') GROUP BY id HAVING count(*) = 2)`),
		"acme's and beta's customers share every id")
	require.Positive(t, count(`SELECT count(*) FROM (SELECT id FROM misa_customers GROUP BY id HAVING count(*) = 3)`), "gamma's ids overlap too")
	require.Positive(t, count(`SELECT count(*) FROM (SELECT order_id, item_id FROM misa_sale_orders_flattened GROUP BY order_id, item_id HAVING count(*) = 3)`))

	// acme changes (orders lose items) and is synced alone.
	ch := sims["acme"].Advance(2 * time.Hour)
	require.NotEmpty(t, ch.ItemsRemoved)
	res := run(t, runner(connector.Incremental), pipe("acme"))
	require.Empty(t, res.Stale)
	check("after acme's incremental sync")
	for _, id := range ch.ItemsRemoved {
		items := func(tenant string) string {
			var list string
			require.NoError(t, sink.DB().QueryRowContext(ctx, `SELECT group_concat(item_id, ',') FROM (SELECT item_id FROM misa_sale_orders_flattened
				WHERE tenant = ? AND order_id = ? ORDER BY item_id)`, tenant, id).Scan(&list))
			return list
		}
		var ids []int64
		for _, o := range sims["beta"].Records(misatest.SaleOrders) {
			if strconv.FormatInt(o["id"].(int64), 10) == id {
				list, _ := o["sale_order_product_mappings"].([]misatest.Record)
				for _, it := range list {
					ids = append(ids, it["id"].(int64))
				}
			}
		}
		require.NotEmpty(t, ids, "order %s", id)
		slices.Sort(ids)
		var beta []string
		for _, i := range ids {
			beta = append(beta, strconv.FormatInt(i, 10))
		}
		require.Equal(t, strings.Join(beta, ","), items("beta"), "order %s: beta keeps its item rows", id)
		require.NotEqual(t, items("beta"), items("acme"), "order %s: acme's item rows were replaced", id)
	}

	// delta has beta's (older) data: none of it is taken for a stale copy
	// of acme's newer records with the same ids.
	opts.Seed = 7
	sims["delta"] = newSim(t, opts)
	res = run(t, runner(connector.Full), pipe("delta"))
	require.Empty(t, res.Stale, "versions are compared within a tenant")
	check("after delta's full load")
}

// Every row of every table carries the tenant, the key's first column:
// the source's account, DefaultTenant for a Transformer built without one.
func TestTenantOnEveryRow(t *testing.T) {
	for _, tb := range misa.Tables() {
		require.Equal(t, "tenant", tb.PrimaryKey[0], tb.FullName())
		require.False(t, tb.Columns[tb.ColumnIndex("tenant")].Nullable, tb.FullName())
		if tb.Parent != "" {
			require.Equal(t, "tenant", tb.ParentKey[0], tb.FullName())
		}
	}
	records := map[string]string{
		misa.StreamCustomers: `{"id":1}`, misa.StreamContacts: `{"id":1}`, misa.StreamProducts: `{"id":1}`,
		misa.StreamStocks: `{"stock_code":"KHO1"}`, misa.StreamProductStock: `{"stock_async_id":"0f8fad5b-d9cb-469f-a165-70867728950e","product_code":"SP1"}`,
		misa.StreamSaleOrders: `{"id":1,"sale_order_no":"DH1","sale_order_product_mappings":[{"id":1},{"id":2}]}`,
	}
	for _, c := range []struct{ tenant, want string }{{"", misa.DefaultTenant}, {"acme", "acme"}} {
		tables := map[string]bool{}
		for stream, data := range records {
			out := &tableRows{}
			require.NoError(t, misa.Transformer{Tenant: c.tenant}.Transform(connector.Record{Stream: stream, Key: "1", Data: []byte(data)}, out))
			require.NotEmpty(t, out.rows, stream)
			for i, row := range out.rows {
				tb := out.tables[i]
				tables[tb.Name] = true
				require.Equal(t, c.want, row[tb.ColumnIndex("tenant")], "%s row %d", tb.Name, i)
				require.NoError(t, connector.ValidateRow(tb, row))
			}
		}
		require.Len(t, tables, len(misa.Tables()))
	}
}

// tableRows collects a transformer's rows with their tables.
type tableRows struct {
	tables []*connector.Table
	rows   [][]any
}

func (o *tableRows) Add(t *connector.Table, row []any) {
	o.tables, o.rows = append(o.tables, t), append(o.rows, row)
}

// An account longer than the tenant column is refused when the source is
// made, not record by record.
func TestAccountLongerThanTheTenantColumn(t *testing.T) {
	sim := newSim(t, misatest.Options{})
	cfg := config(sim, &tokenstore.Memory{}, connector.HTTPConfig{})
	cfg.Account = strings.Repeat("ả", misa.TenantLength)
	_, err := misa.NewSource(cfg)
	require.NoError(t, err)
	cfg.Account += "b"
	_, err = misa.NewSource(cfg)
	require.ErrorContains(t, err, "101 characters, more than the 100 of the tenant column")
}
