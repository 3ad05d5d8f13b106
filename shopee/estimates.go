package shopee

import (
	"context"
	"fmt"
	"time"

	"github.com/facolos/etl/connector"
)

// StreamEstimates is the stream of escrow estimates (Config.FinanceEstimates).
const StreamEstimates = "escrow_estimates"

// estimable are the order statuses of a paid order whose escrow is not
// final: an escrow exists from payment and moves until it is released some
// days after completion (contract rules L2 and L7). A completed order may
// already be released: its estimate is then older than the released figure
// and never replaces it.
var estimable = map[string]bool{
	"READY_TO_SHIP": true, "PROCESSED": true, "RETRY_SHIP": true, "SHIPPED": true,
	"TO_CONFIRM_RECEIVE": true, "COMPLETED": true, "TO_RETURN": true,
}

// estimateWindow lists the orders updated in [from, to] with their status
// and queues the paid ones for their escrow details, stored as estimates.
func (f *financeStream) estimateWindow(ctx context.Context, from, to int64, q *detailQueue, emit connector.EmitFunc) error {
	s := f.s
	cursor := ""
	for page := 0; ; page++ {
		p, err := s.c.GetOrderStatusList(ctx, "update_time", time.Unix(from, 0), time.Unix(to, 0), PageSize, cursor)
		if err != nil {
			return fmt.Errorf("shopee shop %d: escrow estimates: order list [%d, %d] page %d: %w", s.cfg.ShopID, from, to, page, err)
		}
		for i, sn := range p.OrderSNs {
			if estimable[p.Statuses[i]] {
				if err := q.add(ctx, incomeRecord{OrderSN: sn}, emit); err != nil {
					return err
				}
			}
		}
		if !p.More {
			return nil
		}
		cursor = p.NextCursor
	}
}
