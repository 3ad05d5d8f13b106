package sinktest

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"strconv"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/platform"
	_ "github.com/facolos/etl/shopee" // registers "shopee"
	"github.com/facolos/etl/shopee/shopeetest"
)

// MoneyAndIndexes loads 500 simulated Shopee orders into s and checks what
// a DBA and an analyst expect of the warehouse: money columns compare, sort
// and sum as numbers, exactly (count of total_amount > 1000000, max, sum
// equal to the values computed from the simulator's data), and the
// declared secondary indexes exist. orders is shopee_orders as the
// database spells it; indexExists(name) is a query with one parameter that
// returns a row when the index exists; param renders parameter 1.
func MoneyAndIndexes(t *testing.T, s connector.Sink, db *sql.DB, orders, indexExists string) {
	t.Helper()
	ctx := context.Background()
	d, _ := platform.Lookup("shopee")
	demo, err := d.Demo(platform.DemoOptions{Seed: 1, Records: 500, Now: time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	defer demo.Close()
	src, tr, err := d.Open(ctx, demo.Account, platform.Deps{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	res := (&connector.Runner{Mode: connector.Full, Logger: quiet}).RunPipeline(ctx, connector.Pipeline{Name: "shopee/money", Platform: "shopee", Account: "money", Source: src, Transformer: tr, Sink: s})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	// What the simulator served.
	sim := shopeetest.NewServer(shopeetest.Options{Seed: 1, Orders: 500, Now: time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)})
	defer sim.Close()
	wantCount := 0
	wantMax, wantSum := new(big.Rat), new(big.Rat)
	for _, o := range sim.Orders() {
		v, _ := new(big.Rat).SetString(strconv.FormatFloat(o.TotalAmount, 'f', -1, 64))
		if v.Cmp(big.NewRat(1000000, 1)) > 0 {
			wantCount++
		}
		if v.Cmp(wantMax) > 0 {
			wantMax = v
		}
		wantSum.Add(wantSum, v)
	}
	if wantCount == 0 || wantCount == 500 {
		t.Fatalf("the data does not exercise the comparison (%d of 500 above 1000000)", wantCount)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM `+orders+` WHERE total_amount > 1000000`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d of 500 orders above 1000000", wantCount)
	if n != wantCount {
		t.Errorf("total_amount > 1000000: %d orders, want %d", n, wantCount)
	}
	rat := func(q string) *big.Rat {
		t.Helper()
		var v any
		if err := db.QueryRowContext(ctx, q).Scan(&v); err != nil {
			t.Fatal(err)
		}
		var txt string
		switch x := v.(type) {
		case int64:
			txt = strconv.FormatInt(x, 10)
		case float64:
			txt = strconv.FormatFloat(x, 'f', -1, 64)
		case []byte:
			txt = string(x)
		default:
			txt = fmt.Sprint(x)
		}
		r, ok := new(big.Rat).SetString(txt)
		if !ok {
			t.Fatalf("%s: %q is not a number", q, txt)
		}
		return r
	}
	if got := rat(`SELECT max(total_amount) FROM ` + orders); got.Cmp(wantMax) != 0 {
		t.Errorf("max(total_amount) = %s, want %s", got.FloatString(4), wantMax.FloatString(4))
	}
	if got := rat(`SELECT sum(total_amount) FROM ` + orders); got.Cmp(wantSum) != 0 {
		t.Errorf("sum(total_amount) = %s, want %s", got.FloatString(4), wantSum.FloatString(4))
	}
	if got := rat(`SELECT total_amount FROM ` + orders + ` ORDER BY total_amount DESC LIMIT 1`); got.Cmp(wantMax) != 0 {
		t.Errorf("ORDER BY total_amount DESC puts %s first, want %s", got.FloatString(4), wantMax.FloatString(4))
	}
	for _, ix := range []string{"IX_shopee_orders_update_time", "IX_shopee_orders_order_status", "IX_shopee_orders_create_time",
		"IX_shopee_order_items_item_id", "IX_shopee_packages_logistics_status", "IX_shopee_payment_info_transaction_id"} {
		var x any
		if err := db.QueryRowContext(ctx, indexExists, ix).Scan(&x); err != nil {
			t.Errorf("index %s: %v", ix, err)
		}
	}
}
