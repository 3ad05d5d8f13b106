package tiktok_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/facolos/etl/tiktok"
	"github.com/stretchr/testify/require"
)

// pagesSource emits canned order pages (one stream, a checkpoint per page).
type pagesSource [][]string

func (p pagesSource) Streams() []connector.Stream { return []connector.Stream{p} }
func (pagesSource) Name() string                  { return "orders" }
func (p pagesSource) Read(ctx context.Context, _ connector.ReadOptions, emit connector.EmitFunc) error {
	for i, pg := range p {
		page := connector.Page{Checkpoint: connector.Checkpoint(fmt.Sprintf(`{"page":%d}`, i))}
		for _, o := range pg {
			page.Records = append(page.Records, connector.Record{Key: "576", Data: []byte(o)})
		}
		if err := emit(ctx, page); err != nil {
			return err
		}
	}
	return nil
}

// An older copy of an order on a later page (or in a later run) never
// replaces the newer order's line set: update_time is the table's version,
// decided per order_id; the skipped lines are counted in Result.Stale.
func TestOlderOrderCopyNeverReplacesNewerLines(t *testing.T) {
	order := func(update int64, status string, lines ...string) string {
		items := ""
		for i, l := range lines {
			if i > 0 {
				items += ","
			}
			items += fmt.Sprintf(`{"id":%q}`, l)
		}
		return fmt.Sprintf(`{"id":"576","status":%q,"update_time":%d,"line_items":[%s]}`, status, update, items)
	}
	sink := openSink(t, "", sqlite.Config{})
	lines := func() []string {
		rows, err := sink.DB().Query(`SELECT item_id || ':' || order_status FROM tiktok_shop_order_detail WHERE order_id = '576' ORDER BY item_id`)
		require.NoError(t, err)
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			require.NoError(t, rows.Scan(&s))
			out = append(out, s)
		}
		return out
	}
	res := run(t, &connector.Runner{}, pagesSource{
		{order(1700000200, "AWAITING_COLLECTION", "a", "b")},
		{order(1700000100, "AWAITING_SHIPMENT", "a", "c", "d")}, // the older copy, a page later
	}, sink)
	require.NoError(t, res.Err)
	require.Equal(t, []string{"a:AWAITING_COLLECTION", "b:AWAITING_COLLECTION"}, lines())
	require.Equal(t, int64(3), res.Stale[tiktok.Table().FullName()], "the three lines of the older copy are stale")

	res = run(t, &connector.Runner{}, pagesSource{{order(1700000300, "IN_TRANSIT", "c")}}, sink)
	require.NoError(t, res.Err)
	require.Equal(t, []string{"c:IN_TRANSIT"}, lines(), "a newer copy replaces the line set")
	require.Nil(t, res.Stale)
}
