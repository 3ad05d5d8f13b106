package misa_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/misa"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/stretchr/testify/require"
)

// cannedStream emits canned records of one MISA stream, one page each.
type cannedStream struct {
	name    string
	records []string
}

func (c cannedStream) Streams() []connector.Stream { return []connector.Stream{c} }
func (c cannedStream) Name() string                { return c.name }
func (c cannedStream) Read(ctx context.Context, _ connector.ReadOptions, emit connector.EmitFunc) error {
	for i, r := range c.records {
		if err := emit(ctx, connector.Page{Records: []connector.Record{{Key: "7", Data: []byte(r)}},
			Checkpoint: connector.Checkpoint(fmt.Sprintf(`{"n":%d}`, i))}); err != nil {
			return err
		}
	}
	return nil
}

// A record's modified_date is its version: an older copy (a later page, a
// later run) never replaces a newer customer, nor a newer sale order and its
// flattened item rows (they follow misa_sale_orders).
func TestOlderRecordCopyNeverReplacesNewer(t *testing.T) {
	sink := openSink(t, sqlite.Config{})
	run := func(stream string, records ...string) connector.Result {
		r := &connector.Runner{Logger: quiet}
		res := r.Run(context.Background(), connector.Pipeline{Name: "misa/t", Source: cannedStream{stream, records}, Transformer: misa.Transformer{}, Sink: sink})[0]
		require.NoError(t, res.Err)
		return res
	}
	query := func(q string) string {
		rows, err := sink.DB().Query(q)
		require.NoError(t, err)
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			require.NoError(t, rows.Scan(&s))
			out = append(out, s)
		}
		return strings.Join(out, " ")
	}

	customer := func(mod, name string) string {
		return fmt.Sprintf(`{"id":7,"account_name":%q,"modified_date":%q}`, name, mod)
	}
	res := run(misa.StreamCustomers, customer("2026-11-02T10:00:00", "new"), customer("2026-11-01T10:00:00", "old"))
	require.Equal(t, "new", query(`SELECT account_name FROM misa_customers WHERE id = 7`))
	require.Equal(t, map[string]int64{"staging.misa_customers": 1}, res.Stale)

	order := func(mod, status string, items ...int) string {
		var list []string
		for _, it := range items {
			list = append(list, fmt.Sprintf(`{"id":%d,"product_code":"%s"}`, it, status))
		}
		return fmt.Sprintf(`{"id":7,"sale_order_no":"DH7","status":%q,"modified_date":%q,"sale_order_product_mappings":[%s]}`,
			status, mod, strings.Join(list, ","))
	}
	res = run(misa.StreamSaleOrders, order("2026-11-02T10:00:00", "new", 1, 2), order("2026-11-01T10:00:00", "old", 1, 3))
	require.Equal(t, "1:new 2:new", query(`SELECT item_id || ':' || item_product_code FROM misa_sale_orders_flattened WHERE order_id = 7 ORDER BY item_id`))
	require.Equal(t, map[string]int64{"staging.misa_sale_orders": 1}, res.Stale)
	run(misa.StreamSaleOrders, order("2026-11-03T10:00:00", "newer", 3))
	require.Equal(t, "3:newer", query(`SELECT item_id || ':' || item_product_code FROM misa_sale_orders_flattened WHERE order_id = 7 ORDER BY item_id`))
}
