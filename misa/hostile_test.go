package misa_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/misa"
	"github.com/facolos/etl/misa/misatest"
	"github.com/facolos/etl/sink/postgres"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/stretchr/testify/require"
)

// Hostile answers of the simulator (misatest.Options), each on SQLite and
// PostgreSQL.

// A page shorter than pageSize is not the end of a pass: the customers'
// page 0 has 99 records and the sale orders' page 1 has 30 while more
// follow (the simulator's pages do not align with pageSize, no record is
// skipped). The full load and the incremental pass after it read on to the
// empty page and store everything; the short pages are counted.
func TestShortPageReadThrough(t *testing.T) {
	eachSink(t, func(t *testing.T, sink testSink) {
		short := map[string]map[int]int{misatest.Customers: {0: 99}, misatest.SaleOrders: {1: 30}}
		sim := newSim(t, misatest.Options{Customers: 250, SaleOrders: 250, Contacts: 20, Products: 20, Stock: 2, ChangeRate: 0.3,
			ShortPage: func(entity string, page int) int { return short[entity][page] }})
		src := sourceFor(t, sim, nil, connector.HTTPConfig{})
		run(t, runner(connector.Full), pipeline(src, sink))
		requireSame(t, expected(sim), actual(t, sink))
		require.GreaterOrEqual(t, src.Stats()["short_pages"], int64(2))

		sim.Advance(time.Hour) // 75 customers modified: page 0 of the incremental pass is short
		run(t, runner(connector.Incremental), pipeline(src, sink))
		requireSame(t, expected(sim), actual(t, sink))
	})
}

// A body cut short on every attempt (the retries give up) fails its page
// with ErrBadResponse; it never panics. The pages before it are stored
// with their checkpoint, the other streams load, and the next run resumes
// at the failed page.
func TestTruncatedBodyFailsPage(t *testing.T) {
	eachSink(t, func(t *testing.T, sink testSink) {
		var truncate atomic.Bool
		truncate.Store(true)
		sim := newSim(t, misatest.Options{Customers: 250, SaleOrders: 120, Contacts: 20, Products: 20, Stock: 2,
			TruncateBody: func(entity string, page int) bool {
				return truncate.Load() && entity == misatest.Customers && page == 1
			}})
		cfg := config(sim, nil, connector.HTTPConfig{Attempts: 2})
		cfg.Concurrency = 1
		src, err := misa.NewSource(cfg)
		require.NoError(t, err)
		res := runner(connector.Full).Run(context.Background(), pipeline(src, sink))[0]
		require.Equal(t, connector.StatusFailed, res.Status)
		require.ErrorIs(t, res.Err, misa.ErrBadResponse)
		require.ErrorContains(t, res.Err, "customers: page 1")
		got, exp := actual(t, sink), expected(sim)
		require.Len(t, got["misa_customers"], 100, "page 0 stored")
		require.Equal(t, exp["misa_sale_orders_flattened"], got["misa_sale_orders_flattened"], "the other streams load")
		cp, err := sink.LoadCheckpoint(context.Background(), pipeName, misa.StreamCustomers)
		require.NoError(t, err)
		var c misa.Checkpoint
		require.NoError(t, json.Unmarshal(cp, &c))
		require.Equal(t, 1, c.Pass.Page)

		truncate.Store(false)
		run(t, runner(connector.Incremental), pipeline(src, sink))
		requireSame(t, expected(sim), actual(t, sink))
	})
}

// Warehouses fail alone. KHO03's async_id is not a UUID (its ledger cannot
// be asked for); on the second run KHO02's ledger fails on page 1, after
// page 0 answered. Each run ends failed with ErrWarehouse naming the failed
// warehouses and counts them; the other warehouses' stock on hand is
// stored as the simulator has it now, and KHO02's rows keep the values of
// the first run (none of its second-run pages is stored).
func TestWarehouseFailureIsolated(t *testing.T) {
	eachSink(t, func(t *testing.T, sink testSink) {
		var fail atomic.Bool
		sim := newSim(t, misatest.Options{Customers: 30, SaleOrders: 30, Contacts: 10, Products: 250, Stock: 4, MalformedStockID: "KHO03",
			FailLedger: func(code string, page int) int {
				if fail.Load() && code == "KHO02" && page == 1 {
					return 500
				}
				return 0
			}})
		src := sourceFor(t, sim, nil, connector.HTTPConfig{Attempts: 2})
		res := runner(connector.Full).Run(context.Background(), pipeline(src, sink))[0]
		require.Equal(t, connector.StatusFailed, res.Status)
		require.ErrorIs(t, res.Err, misa.ErrWarehouse)
		require.ErrorContains(t, res.Err, "1 of 4 warehouses failed")
		require.ErrorContains(t, res.Err, "warehouse KHO03: ")
		require.ErrorContains(t, res.Err, "not a UUID")
		require.Equal(t, int64(1), res.Stats["warehouses_failed"])
		got := actual(t, sink)
		require.Equal(t, ledgerRows(sim, "KHO01", "KHO02", "KHO04"), got["misa_product_stock"])
		require.Equal(t, expected(sim)["misa_customers"], got["misa_customers"], "the other streams load")
		first := ledgerRows(sim, "KHO02")

		sim.Advance(time.Hour) // moves stock on hand in every warehouse
		require.NotEqual(t, first, ledgerRows(sim, "KHO02"))
		fail.Store(true)
		res = runner(connector.Incremental).Run(context.Background(), pipeline(src, sink))[0]
		require.Equal(t, connector.StatusFailed, res.Status)
		require.ErrorIs(t, res.Err, misa.ErrWarehouse)
		require.ErrorIs(t, res.Err, misa.ErrServer)
		require.ErrorContains(t, res.Err, "2 of 4 warehouses failed")
		require.ErrorContains(t, res.Err, "warehouse KHO02: page 1")
		require.Equal(t, int64(3), res.Stats["warehouses_failed"], "counted since the source was made")
		want := append(ledgerRows(sim, "KHO01", "KHO04"), first...)
		got = actual(t, sink)
		require.ElementsMatch(t, want, got["misa_product_stock"])
	})
}

// An older copy of a record on a later page of an incremental pass (the
// simulator puts a copy of the newest customer, a day older, in the middle
// of page 2, among records changed since the last run) is neither the end
// of the pass (it is older than the cutoff) nor stored: the pass knows the
// record already. Everything changed is read, and the newer row stays.
func TestStaleCopyDoesNotEndIncrementalPass(t *testing.T) {
	eachSink(t, func(t *testing.T, sink testSink) {
		var stale atomic.Bool
		sim := newSim(t, misatest.Options{Customers: 300, SaleOrders: 20, Contacts: 10, Products: 10, Stock: 1, ChangeRate: 0.9,
			StaleDuplicate: func(entity string) bool { return stale.Load() && entity == misatest.Customers }})
		src := sourceFor(t, sim, nil, connector.HTTPConfig{})
		run(t, runner(connector.Full), pipeline(src, sink))
		sim.Advance(time.Hour) // 270 customers modified, 54 created: page 2 is within the changes
		stale.Store(true)
		before := src.Stats()["duplicates_dropped"].(int64)
		run(t, runner(connector.Incremental), pipeline(src, sink))
		requireSame(t, expected(sim), actual(t, sink))
		require.Greater(t, src.Stats()["duplicates_dropped"].(int64), before)
	})
}

// An older copy of a record on a later page (the simulator puts one of the
// list's newest customer in the middle of page 2) must not replace the
// newer row stored from page 0. The reader only compares neighbouring
// pages; the sink's versioned upsert (Table.Version = modified_date) keeps
// the newer row. Skipped until the MISA tables declare their version column.
func TestStaleDuplicateOnLaterPage(t *testing.T) {
	if v := reflect.ValueOf(table("misa_customers")).Elem().FieldByName("Version"); !v.IsValid() || v.String() == "" {
		t.Skip("needs versioned upserts: connector.Table.Version = modified_date on the MISA tables")
	}
	eachSink(t, func(t *testing.T, sink testSink) {
		sim := newSim(t, misatest.Options{Customers: 350, SaleOrders: 20, Contacts: 10, Products: 10, Stock: 1,
			StaleDuplicate: func(entity string) bool { return entity == misatest.Customers }})
		cfg := config(sim, nil, connector.HTTPConfig{})
		cfg.Concurrency = 1
		src, err := misa.NewSource(cfg)
		require.NoError(t, err)
		run(t, runner(connector.Full), pipeline(src, sink))
		requireSame(t, expected(sim), actual(t, sink))
	})
}

// The secondary indexes of tables.md exist on every sink, and the one on
// misa_products.product_code is unique per tenant where not NULL: products
// without a code may repeat, a second product of the tenant with the same
// code is refused (a data error: the runner quarantines that record),
// another tenant's product with that code is stored.
func TestIndexes(t *testing.T) {
	eachSink(t, func(t *testing.T, sink testSink) {
		ctx := context.Background()
		require.NoError(t, sink.Prepare(ctx, misa.Tables()))
		var q string
		var schema any
		switch s := sink.(type) {
		case *sqlite.Sink:
			q, schema = `SELECT sql FROM sqlite_master WHERE type = 'index' AND ? IS NOT NULL AND name = ?`, ""
		case *postgres.Sink:
			q, schema = `SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = $2`, s.Schema("staging")
		}
		n := 0
		for _, tb := range misa.Tables() {
			for _, ix := range tb.Indexes {
				var def string
				require.NoError(t, sink.DB().QueryRow(q, schema, ix.Name).Scan(&def), ix.Name)
				if ix.Unique {
					require.Contains(t, strings.ToUpper(def), "UNIQUE INDEX")
					require.Contains(t, strings.ToUpper(def), "WHERE")
				}
				n++
			}
		}
		require.Equal(t, 10, n)

		products := table("misa_products")
		var writeAs func(tr misa.Transformer, recs ...string) error
		write := func(recs ...string) error { return writeAs(misa.Transformer{}, recs...) }
		writeAs = func(tr misa.Transformer, recs ...string) error {
			var rows [][]any
			for _, r := range recs {
				out := &rowsOf{}
				require.NoError(t, tr.Transform(connector.Record{Stream: misa.StreamProducts, Data: []byte(r)}, out))
				rows = append(rows, out.rows...)
			}
			return sink.Write(ctx, &connector.Batch{Pipeline: "p", Stream: misa.StreamProducts, RunID: "r",
				Tables: []connector.TableRows{{Table: products, Rows: rows}}})
		}
		require.NoError(t, write(`{"id":1}`, `{"id":2,"product_code":null}`, `{"id":3,"product_code":"SP1"}`))
		err := write(`{"id":4,"product_code":"SP1"}`)
		require.Error(t, err)
		require.True(t, connector.IsDataError(err), "%v", err)
		require.NoError(t, writeAs(misa.Transformer{Tenant: "other"}, `{"id":4,"product_code":"SP1"}`), "another tenant's code")
		err = writeAs(misa.Transformer{Tenant: "other"}, `{"id":5,"product_code":"SP1"}`)
		require.True(t, connector.IsDataError(err), "%v", err)
	})
}

// rowsOf collects a transformer's rows.
type rowsOf struct{ rows [][]any }

func (o *rowsOf) Add(_ *connector.Table, row []any) { o.rows = append(o.rows, row) }
