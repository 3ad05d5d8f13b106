package shopee_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/shopee"
	"github.com/stretchr/testify/require"
)

// detailPages emits canned order details (one stream, a checkpoint per page).
type detailPages [][]string

func (p detailPages) Streams() []connector.Stream { return []connector.Stream{p} }
func (detailPages) Name() string                  { return "orders" }
func (p detailPages) Read(ctx context.Context, _ connector.ReadOptions, emit connector.EmitFunc) error {
	for i, pg := range p {
		page := connector.Page{Checkpoint: connector.Checkpoint(fmt.Sprintf(`{"page":%d}`, i))}
		for _, o := range pg {
			page.Records = append(page.Records, connector.Record{Key: "SN1", Data: []byte(o)})
		}
		if err := emit(ctx, page); err != nil {
			return err
		}
	}
	return nil
}

// An older copy of an order (its update_time, the version of shopee_orders)
// never replaces the newer order, and its items follow the order: they are
// neither replaced nor pruned. The skipped order row is counted.
func TestOlderOrderCopyNeverReplacesNewerOrder(t *testing.T) {
	order := func(update int64, status string, items ...int64) string {
		var list []string
		for _, it := range items {
			list = append(list, fmt.Sprintf(`{"item_id":%d,"order_item_id":%d,"model_id":0,"item_name":"%s"}`, it, it, status))
		}
		return fmt.Sprintf(`{"order_sn":"SN1","order_status":%q,"update_time":%d,"item_list":[%s]}`, status, update, strings.Join(list, ","))
	}
	sink := openSink(t)
	state := func() string {
		var status string
		require.NoError(t, sink.DB().QueryRow(`SELECT order_status FROM shopee_orders WHERE order_sn = 'SN1'`).Scan(&status))
		rows, err := sink.DB().Query(`SELECT order_item_id || ':' || item_name FROM shopee_order_items WHERE order_sn = 'SN1' ORDER BY order_item_id`)
		require.NoError(t, err)
		defer rows.Close()
		for rows.Next() {
			var s string
			require.NoError(t, rows.Scan(&s))
			status += " " + s
		}
		return status
	}
	run := func(pages detailPages) connector.Result {
		r := &connector.Runner{Logger: quiet}
		res := r.Run(context.Background(), connector.Pipeline{Name: "shopee/1", Source: pages, Transformer: shopee.Transformer{}, Sink: sink})[0]
		require.NoError(t, res.Err)
		return res
	}
	res := run(detailPages{{order(1700000200, "SHIPPED", 1, 2)}, {order(1700000100, "READY_TO_SHIP", 1, 3)}})
	require.Equal(t, "SHIPPED 1:SHIPPED 2:SHIPPED", state())
	require.Equal(t, map[string]int64{"staging.shopee_orders": 1}, res.Stale)

	run(detailPages{{order(1700000300, "COMPLETED", 3)}})
	require.Equal(t, "COMPLETED 3:COMPLETED", state(), "a newer copy replaces the order and its items")
}
