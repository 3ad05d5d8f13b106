package misa

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/misa/misatest"
	"github.com/facolos/etl/platform"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/stretchr/testify/require"
)

// Column coverage: a demo load of the simulator through the registered
// driver into SQLite. Every column whose source field the simulator sends
// (with a value) is non-NULL in at least one row; the tenant column of
// every table holds the account in every row; and no field the
// simulator sends is in the unmapped-field report.
func TestColumnCoverage(t *testing.T) {
	sim := misatest.NewServer(misatest.Options{Seed: 5, Customers: 150, SaleOrders: 150, Contacts: 80, Products: 40, Stock: 2})
	defer sim.Close()
	vars := map[string]string{"MISA_CRM_CLIENT_ID": sim.ClientID(), "MISA_CRM_CLIENT_SECRET": sim.ClientSecret(), "MISA_CRM_BASE_URL": sim.URL}
	acct := platform.Account{Platform: "misa", Name: "tenant-a", Get: func(k string) string { return vars[k] }}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	src, tr, err := Driver{}.Open(context.Background(), acct, platform.Deps{Logger: quiet})
	require.NoError(t, err)
	sink, err := sqlite.Open(context.Background(), sqlite.Config{Path: filepath.Join(t.TempDir(), "misa.db")})
	require.NoError(t, err)
	defer sink.Close()
	res := (&connector.Runner{Mode: connector.Full, Logger: quiet}).Run(context.Background(),
		connector.Pipeline{Name: "misa/tenant-a", Platform: "misa", Account: acct.Name, Source: src, Transformer: tr, Sink: sink})[0]
	require.NoError(t, res.Err)

	// The fields the simulator sends with a value, per table.
	sent := map[*table]map[string]bool{}
	note := func(tb *table, recs []misatest.Record) {
		if sent[tb] == nil {
			sent[tb] = map[string]bool{}
		}
		for _, r := range recs {
			for k, v := range r {
				if v != nil && v != "" {
					sent[tb][k] = true
				}
			}
		}
	}
	note(tCustomers, sim.Records(misatest.Customers))
	note(tContacts, sim.Records(misatest.Contacts))
	note(tProducts, sim.Records(misatest.Products))
	note(tStocks, sim.Records(misatest.Stocks))
	orders := sim.Records(misatest.SaleOrders)
	note(tSaleOrders, orders)
	note(tSaleOrderHead, orders)
	var items []misatest.Record
	for _, o := range orders {
		its, _ := o["sale_order_product_mappings"].([]misatest.Record)
		items = append(items, its...)
	}
	sentItem := map[string]bool{}
	for _, it := range items {
		for k, v := range it {
			if v != nil && v != "" {
				sentItem[k] = true
			}
		}
	}
	for _, rows := range sim.Ledger() {
		note(tProductStock, rows)
	}
	sent[tProductStock]["stock_async_id"], sent[tProductStock]["stock_code"] = true, true // added by the stream

	db := sink.DB()
	checked := 0
	for _, tb := range []*table{tCustomers, tSaleOrderHead, tSaleOrders, tContacts, tProducts, tStocks, tProductStock} {
		for i, c := range tb.cols {
			if c.field == "" || !(c.item && sentItem[c.field] || !c.item && sent[tb][c.field]) {
				continue
			}
			var n int
			require.NoError(t, db.QueryRow(fmt.Sprintf(`SELECT COUNT(*) FROM %s WHERE %s IS NOT NULL`,
				connector.QuoteIdent(tb.Name), connector.QuoteIdent(tb.Columns[i].Name))).Scan(&n))
			require.Positive(t, n, "%s.%s is NULL in every row, though the simulator sends %s", tb.Name, c.name, c.field)
			checked++
		}
		var n int
		require.NoError(t, db.QueryRow(fmt.Sprintf(`SELECT COUNT(*) FROM %s WHERE tenant IS NOT 'tenant-a'`, connector.QuoteIdent(tb.Name))).Scan(&n))
		require.Zero(t, n, "%s rows without the tenant", tb.Name)
	}
	require.Greater(t, checked, 300)

	// The unmapped-field report lists no field of the simulator's data.
	entities := map[string]*table{StreamCustomers: tCustomers, StreamContacts: tContacts, StreamProducts: tProducts, StreamStocks: tStocks,
		StreamSaleOrders: tSaleOrders, StreamProductStock: tProductStock}
	for _, u := range Unmapped() {
		entity, field, _ := strings.Cut(u, ".")
		tb := entities[entity]
		if tb == nil {
			continue
		}
		if i := strings.LastIndex(field, "]."); entity == StreamSaleOrders && i >= 0 {
			require.False(t, sentItem[field[i+2:]], "unmapped item field %s is sent by the simulator", u)
			continue
		}
		require.False(t, sent[tb][field], "unmapped field %s is sent by the simulator", u)
	}
}
