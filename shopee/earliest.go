package shopee

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
)

// EarliestDate finds the day (UTC) of the shop's first order within the
// platform's two-year history. It makes no assumption about how often the
// shop sells: every 15-day window from the start of the history is probed
// with a one-order get_order_list (Concurrency probes at once, in order,
// starting none after a window known to hold an order), so a quiet spell of any
// length cannot hide earlier orders. Inside the first window that holds an
// order (all earlier ones are empty) a binary search over
// "[first day of the window, end of day m] holds an order" — monotone in m —
// finds the day in about 4 more probes. With no order at all it returns the
// start of the history. Cost: one probe per 15 days from the history's
// start to the first order (at most 49, in parallel), plus about 4.
func (s *Source) EarliestDate(ctx context.Context, now time.Time) (time.Time, error) {
	t0 := now.Add(-MaxHistory).Truncate(24 * time.Hour)
	if t0.Before(now.Add(-MaxHistory)) {
		t0 = t0.Add(24 * time.Hour)
	}
	base := t0.Unix()
	end := now.Unix()
	lastDay := int((end - 1 - base) / dayS)
	var probes atomic.Int64
	probe := func(ctx context.Context, from, to int64) (bool, error) {
		to = min(to, end)
		if from >= to {
			return false, nil
		}
		probes.Add(1)
		p, err := s.c.GetOrderList(ctx, "create_time", time.Unix(from, 0), time.Unix(to, 0), 1, "")
		if err != nil {
			return false, fmt.Errorf("shopee shop %d: earliest-date probe [%s, %s]: %w", s.cfg.ShopID,
				time.Unix(from, 0).UTC().Format(time.DateOnly), time.Unix(to, 0).UTC().Format(time.DateOnly), err)
		}
		return len(p.OrderSNs) > 0, nil
	}
	// The first 15-day window holding an order.
	const windowDays = int(MaxWindow / (24 * time.Hour))
	var starts []int
	for d := 0; d <= lastDay; d += windowDays {
		starts = append(starts, d)
	}
	// Probes run in order, Concurrency at once; none is started after a
	// window later than one known to hold an order. Every window before
	// the first hit was probed and found empty.
	var mu sync.Mutex
	firstHit := len(starts)
	sem := make(chan struct{}, max(s.cfg.Concurrency, 1))
	g, gctx := errgroup.WithContext(ctx)
launch:
	for k, d := range starts {
		select {
		case sem <- struct{}{}:
		case <-gctx.Done():
			break launch
		}
		mu.Lock()
		stop := firstHit < k
		mu.Unlock()
		if stop {
			break
		}
		g.Go(func() error {
			defer func() { <-sem }()
			ok, err := probe(gctx, base+int64(d)*dayS, base+int64(d+windowDays)*dayS-1)
			if ok {
				mu.Lock()
				firstHit = min(firstHit, k)
				mu.Unlock()
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return time.Time{}, err
	}
	first := -1
	if firstHit < len(starts) {
		first = starts[firstHit]
	}
	if first < 0 {
		s.setEarliest(int(probes.Load()), "")
		return t0, nil
	}
	upTo := func(m int) (bool, error) { return probe(ctx, base+int64(first)*dayS, base+int64(m+1)*dayS-1) }
	lo, err := firstTrue(first, min(first+windowDays-1, lastDay), upTo)
	if err != nil {
		return time.Time{}, err
	}
	day := time.Unix(base+int64(lo)*dayS, 0).UTC()
	s.setEarliest(int(probes.Load()), day.Format(time.DateOnly))
	s.c.log.Info("shopee earliest order date", "shop_id", s.cfg.ShopID, "date", day.Format(time.DateOnly), "probes", int(probes.Load()))
	return day, nil
}
