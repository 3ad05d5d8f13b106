package mssql

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/lazada"
	"github.com/facolos/etl/lazada/lazadatest"
)

// lazadaStatements is every statement the sink sends for the Lazada tables
// (UTC time basis), by golden file name; a golden of several statements
// holds them in the order sent, one after another.
func lazadaStatements(t *testing.T) map[string][]string {
	orders, items := lazada.OrdersTableDef(), lazada.ItemsTableDef()
	on, in := names{"staging", orders.Name}, names{"staging", items.Name}
	oTemp, iTemp := tempName(orders, on, connector.TimeUTC), tempName(items, in, connector.TimeUTC)
	oSet := staleName(oTemp)
	var indexes, addColumns []string
	for _, tb := range []*connector.Table{orders, items} {
		n := names{"staging", tb.Name}
		for _, ix := range wantedIndexes(tb, n) {
			indexes = append(indexes, indexSQL(ix, n))
		}
		for _, c := range tb.Columns {
			addColumns = append(addColumns, addColumnSQL(c, n, connector.TimeUTC))
		}
	}
	if len(indexes) != 7 {
		t.Fatalf("%d indexes, want updated_at, created_at and status on both tables and the items' parent key", len(indexes))
	}
	return map[string][]string{
		"lazada_create_orders":        {createTableSQL(orders, on, connector.TimeUTC)},
		"lazada_create_items":         {createTableSQL(items, in, connector.TimeUTC)},
		"lazada_add_columns":          addColumns,
		"lazada_indexes":              indexes,
		"lazada_create_temp_orders":   {createTempSQL(orders, oTemp, connector.TimeUTC)},
		"lazada_create_temp_items":    {createTempSQL(items, iTemp, connector.TimeUTC)},
		"lazada_merge_orders":         {mergeSQL(orders, on, oTemp)},
		"lazada_update_insert_orders": {updateInsertSQL(orders, on, oTemp)},
		"lazada_merge_items":          {mergeSQL(items, in, iTemp)},
		"lazada_update_insert_items":  {updateInsertSQL(items, in, iTemp)},
		"lazada_child_delete_items":   {childDeleteSQL(items, orders, in, iTemp, oTemp)},
		"lazada_stale_create":         {createStaleSQL(orders, orders, oSet, connector.TimeUTC)},
		"lazada_stale_insert":         {insertStaleSQL(orders, on, oTemp, oSet)},
		"lazada_stale_prune_orders":   {pruneStaleSQL(oTemp, orders.VersionGroup(), oSet, orders.VersionGroup())},
		"lazada_stale_prune_items":    {pruneStaleSQL(iTemp, items.ParentKey, oSet, orders.VersionGroup())},
		"lazada_drop_temps":           {dropTempSQL(oTemp), dropTempSQL(oSet), dropTempSQL(iTemp)},
	}
}

// Every statement the sink sends for the Lazada tables is a golden file: a
// versioned parent keyed by seller and order (staging.lazada_orders) and
// its child keyed by seller and item (staging.lazada_order_items): the
// tables, their columns added when missing, their indexes, both temp
// tables, both upserts of the orders with the version guard, the items'
// upsert and child-set delete, the stale-version set that keeps an older
// copy of an order (and its items) from replacing a newer one, and the
// temp tables dropped. (The Vietnam time basis and the preparation around
// a table are the same for every table: TestGoldenStatements.)
func TestLazadaStatements(t *testing.T) {
	for name, stmts := range lazadaStatements(t) {
		t.Run(name, func(t *testing.T) { golden(t, name, strings.Join(stmts, ";\n")) })
	}
}

// lazadaRows reads the simulator's shop through the Lazada source and
// transformer: the rows of a full load, per table.
type lazadaRows map[*connector.Table][][]any

func (r lazadaRows) Add(t *connector.Table, row []any) { r[t] = append(r[t], row) }

// The statements a Lazada load sends through the recording driver, with
// both strategies, are exactly the goldens of TestLazadaStatements: none is
// sent that has no golden, and every golden is sent. The load prepares the
// tables, writes the simulator's orders with their items, then writes them
// again with an item gone from an order (its child set replaced) and an
// older copy of another order (kept out by the version guard).
func TestLazadaStatementsSent(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	sim := lazadatest.NewServer(lazadatest.Options{Orders: 60, Now: now, Seed: 3})
	defer sim.Close()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	src, err := lazada.NewSource(lazada.Config{BaseURL: sim.URL, AuthURL: sim.AuthURL, AppKey: sim.AppKey(), AppSecret: sim.AppSecret(),
		AccessToken: sim.InitialAccess(), RefreshToken: sim.InitialRefresh(), SellerID: sim.SellerID(), StartDate: now.AddDate(0, 0, -200),
		Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	tr := lazada.Transformer{}
	rows := lazadaRows{}
	err = src.Streams()[0].Read(ctx, connector.ReadOptions{}, func(_ context.Context, p connector.Page) error {
		for _, rec := range p.Records {
			if err := tr.Transform(rec, rows); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The orders tables (the finance tables of the same transformer have
	// their own goldens: finance_test.go).
	orders, items := tr.Tables()[0], tr.Tables()[1]
	tables := []*connector.Table{orders, items}
	if orders.Name != lazada.OrdersTable || len(rows[orders]) != 60 || len(rows[items]) <= 60 {
		t.Fatalf("%d orders, %d items of %s", len(rows[orders]), len(rows[items]), orders.Name)
	}
	// The second write: the first item row gone, and the second order one
	// second older than stored.
	older := append([]any(nil), rows[orders][1]...)
	ui := orders.ColumnIndex("updated_at")
	older[ui] = older[ui].(time.Time).Add(-time.Second)
	again := lazadaRows{orders: append([][]any{rows[orders][0], older}, rows[orders][2:]...), items: rows[items][1:]}

	want := map[string]string{} // statement -> golden
	for name, stmts := range lazadaStatements(t) {
		for _, q := range stmts {
			want[q] = name
		}
	}
	sent := map[string]bool{}
	for _, st := range []Strategy{MergeStrategy, UpdateInsert} {
		r := &recorder{}
		s := openRecorded(t, r, Config{Strategy: st})
		if err := s.Prepare(ctx, tables); err != nil {
			t.Fatal(err)
		}
		for i, rs := range []lazadaRows{rows, again} {
			b := &connector.Batch{Pipeline: "lazada/" + sim.SellerID(), Stream: "orders", RunID: "run1",
				Checkpoint: connector.Checkpoint(`{"phase":"full"}`)}
			for _, tb := range tables {
				b.Tables = append(b.Tables, connector.TableRows{Table: tb, Rows: rs[tb]})
			}
			if err := s.Write(ctx, b); err != nil {
				t.Fatalf("%s, write %d: %v", st, i+1, err)
			}
		}
		for _, c := range r.calls {
			if !strings.Contains(c.query, "lazada_") {
				continue
			}
			if _, ok := want[c.query]; !ok {
				t.Errorf("%s: a Lazada statement without a golden:\n%s", st, c.query)
			}
			sent[c.query] = true
		}
	}
	for q, name := range want {
		if !sent[q] {
			t.Errorf("golden %s holds a statement never sent:\n%s", name, q)
		}
	}
}
