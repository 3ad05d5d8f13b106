package lazada

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/facolos/etl/connector"
	"golang.org/x/sync/errgroup"
)

// Source is one Lazada seller. It implements connector.Source and
// connector.StatsSource.
type Source struct {
	c   *Client
	cfg Config

	lists, windows, splits, rereads, passes, itemRetries atomic.Int64

	fin financeStats
}

// NewSource returns the source of the seller in cfg.
func NewSource(cfg Config) (*Source, error) {
	c, err := NewClient(cfg)
	if err != nil {
		return nil, err
	}
	if c.cfg.Lookback <= 0 {
		c.cfg.Lookback = 15 * time.Minute
	}
	if c.cfg.StartDate.IsZero() {
		c.cfg.StartDate = DefaultStartDate
	}
	if c.cfg.FinanceLookback <= 0 {
		c.cfg.FinanceLookback = DefaultFinanceLookback
	}
	return &Source{c: c, cfg: c.cfg}, nil
}

// Client returns the source's API client.
func (s *Source) Client() *Client { return s.c }

// Streams implements connector.Source: "orders" (each order with its
// items), then, unless Config.DisableFinance, "transactions" and
// "payouts" (docs/lazada-finance.md).
func (s *Source) Streams() []connector.Stream {
	out := []connector.Stream{&orders{s: s}}
	if !s.cfg.DisableFinance {
		out = append(out, &financeStream{s: s, name: StreamTransactions}, &financeStream{s: s, name: StreamPayouts})
	}
	return out
}

// APICalls implements connector.StatsSource.
func (s *Source) APICalls() map[string]int64 { return s.c.APICalls() }

// Stats implements connector.StatsSource: list_calls (/orders/get pages
// read), windows (segments of a full load read, and incremental reads),
// window_splits (segments of a full load that reached the offset cap and
// went on from the create second of their last order), window_rereads
// (segments of a full load read again from their second at offset 0
// because they changed while read), reread_passes (passes over a create
// second with more updated orders than a page), item_retries (items calls
// repeated for orders an answer left out), finance_windows,
// finance_segments and finance_splits (transaction windows read, reads of
// a window from a day at offset 0, windows read again in halves),
// token_refreshes, http_retries, throttled.
func (s *Source) Stats() map[string]any {
	return map[string]any{"finance_windows": s.fin.windows.Load(), "finance_segments": s.fin.segments.Load(),
		"finance_splits": s.fin.splits.Load(), "list_calls": s.lists.Load(), "windows": s.windows.Load(), "window_splits": s.splits.Load(),
		"window_rereads": s.rereads.Load(), "reread_passes": s.passes.Load(), "item_retries": s.itemRetries.Load(), "token_refreshes": s.c.Refreshes(),
		"http_retries": s.c.Retries(), "throttled": s.c.Throttled()}
}

// Checkpoint is the orders stream's cursor. A run reads [From, End] of
// Field (bounds inclusive, Unix seconds). From only moves to a time before
// which every order is stored: a resumed run reads again from From, and
// the orders at that second again, which the upsert makes harmless. When
// the range is done only Watermark remains: the next run reads updated_at
// in [Watermark - lookback, now].
type Checkpoint struct {
	Phase string `json:"phase"` // "full" or "incremental"
	Field string `json:"field,omitempty"`
	From  int64  `json:"window_from,omitempty"`
	End   int64  `json:"end,omitempty"`
	// Created is the keyset position of an incremental read: its pages
	// go on from this create time.
	Created   int64 `json:"created,omitempty"`
	Watermark int64 `json:"watermark"`
}

type orders struct{ s *Source }

func (o *orders) Name() string { return "orders" }

// Read implements connector.Stream.
func (o *orders) Read(ctx context.Context, opts connector.ReadOptions, emit connector.EmitFunc) error {
	s := o.s
	now := s.cfg.Now().Unix()
	var cp Checkpoint
	if opts.Checkpoint != nil {
		if err := json.Unmarshal(opts.Checkpoint, &cp); err != nil {
			return fmt.Errorf("lazada seller %s: bad checkpoint: %w", s.c.SellerID(), err)
		}
	}
	switch {
	case opts.Checkpoint == nil:
		start := opts.Since
		if start.IsZero() {
			start = s.cfg.StartDate
		}
		cp = Checkpoint{Phase: "full", Field: "created_at", From: start.Unix(), End: now}
		s.c.log.Info("lazada full load", "seller", s.c.SellerID(), "from", start.UTC().Format(time.RFC3339))
	case cp.End == 0:
		from := cp.Watermark - int64(s.cfg.Lookback/time.Second)
		if from >= now {
			return nil
		}
		cp = Checkpoint{Phase: "incremental", Field: "updated_at", From: from, End: now, Watermark: cp.Watermark}
	default:
		s.c.log.Info("lazada resuming", "seller", s.c.SellerID(), "phase", cp.Phase, "window_from", time.Unix(cp.From, 0).UTC().Format(time.RFC3339))
	}
	return o.run(ctx, cp, emit)
}

// order is one order on its way downstream: its object as sent, its id,
// its create time (the position it gives a checkpoint) and the request id
// of the answer that carried it.
type order struct {
	raw json.RawMessage
	id  int64
	key string
	at  int64
	rid string
}

// putFunc hands orders downstream, in created_at order.
type putFunc func(orders []order) error

// job is a chunk of orders whose items are being fetched; chunks are
// emitted in the order read.
type job struct {
	done chan struct{}
	recs []connector.Record
	err  error
	cp   []byte
}

// run reads the range and emits the orders in chunks of MaxItemIDs, each
// with the items of its orders (one /orders/items/get call a chunk, so a
// load makes ceil(N/50) item calls whatever its pages and windows) and the
// checkpoint it completes: the create time of the chunk's last order (as
// window_from of a full load, as the keyset position of an incremental
// read). Up to 2 × Concurrency item calls are in flight while later pages
// are read. An order read again (at a window's edge, or at a keyset boundary)
// is not sent again.
func (o *orders) run(ctx context.Context, cp Checkpoint, emit connector.EmitFunc) error {
	s := o.s
	conc := s.cfg.Concurrency
	jobs := make(chan *job, 2*conc)
	sem := make(chan struct{}, 2*conc)
	g, gctx := errgroup.WithContext(ctx)
	queue := func(chunk []order, final bool) error {
		next := cp
		switch {
		case final:
			next = Checkpoint{Phase: "incremental", Watermark: cp.End}
		case cp.Field == "created_at":
			next.From = chunk[len(chunk)-1].at
		default:
			next.Created = chunk[len(chunk)-1].at
		}
		data, err := json.Marshal(next)
		if err != nil {
			return err
		}
		j := &job{done: make(chan struct{}), cp: data}
		g.Go(func() error {
			defer close(j.done)
			// The error is set before done closes, a panic's too: a job
			// done without an error is emitted with its checkpoint.
			j.err = connector.Guard("lazada item worker", func() (err error) {
				j.recs, err = o.withItems(gctx, chunk, sem)
				return err
			})
			return nil
		})
		select {
		case jobs <- j:
			return nil
		case <-gctx.Done():
			return gctx.Err()
		}
	}
	var pending []order
	lastAt, atLast := int64(math.MinInt64), map[int64]bool{}
	put := func(page []order) error {
		for _, od := range page {
			if od.at == lastAt && atLast[od.id] {
				continue
			}
			if od.at != lastAt {
				lastAt = od.at
				clear(atLast)
			}
			atLast[od.id] = true
			pending = append(pending, od)
		}
		for len(pending) >= MaxItemIDs {
			chunk := pending[:MaxItemIDs:MaxItemIDs]
			pending = append([]order(nil), pending[MaxItemIDs:]...)
			if err := queue(chunk, false); err != nil {
				return err
			}
		}
		return nil
	}
	g.Go(func() error {
		defer close(jobs)
		return connector.Guard("lazada order reader", func() error {
			var err error
			if cp.Field == "created_at" {
				err = o.full(gctx, cp, put)
			} else {
				err = o.incremental(gctx, cp, put)
			}
			if err != nil {
				return err
			}
			return queue(pending, true)
		})
	})
	g.Go(func() error {
		for j := range jobs {
			select {
			case <-j.done:
			case <-gctx.Done():
				return gctx.Err()
			}
			if j.err != nil {
				return j.err
			}
			if err := emit(gctx, connector.Page{Records: j.recs, Checkpoint: j.cp}); err != nil {
				return err
			}
		}
		return nil
	})
	return g.Wait()
}

// list reads one page, naming the window in errors.
func (o *orders) list(ctx context.Context, r ListRequest) (ListPage, error) {
	s := o.s
	page, err := s.c.ListOrders(ctx, r)
	if err != nil {
		return page, fmt.Errorf("lazada seller %s: %s [%s, %s] offset %d: %w", s.c.SellerID(), r.Field,
			time.Unix(r.From, 0).UTC().Format(time.RFC3339), time.Unix(r.To, 0).UTC().Format(time.RFC3339), r.Offset, err)
	}
	s.lists.Add(1)
	return page, nil
}

// createdFloor is the created_after of incremental reads: before any
// Lazada order.
var createdFloor = time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC).Unix()

// incremental reads the orders updated in [From, End] sorted by
// created_at ascending, by keyset: every page is read at offset 0 with
// created_after set to the create time of the last order of the page
// before (Created in the checkpoint). An order updated while the run reads
// leaves the window (its updated_at moves past End) without shifting any
// other order out of a page, since no page is addressed by an offset, and
// the next run reads it. The orders of the boundary second that the page
// before already held are not sent again. Every answer is checked against
// its countTotal: a page shorter than the limit must hold all of it. More
// orders than a page created in one second (keyset cannot move past it)
// are read by rereadSecond.
func (o *orders) incremental(ctx context.Context, cp Checkpoint, put putFunc) error {
	s := o.s
	s.windows.Add(1)
	c := max(cp.Created, createdFloor)
	for {
		page, err := o.list(ctx, ListRequest{Field: "updated_at", From: cp.From, To: cp.End, CreatedAfter: c, Limit: MaxLimit})
		if err != nil {
			return err
		}
		n, total := len(page.Orders), page.CountTotal
		if total >= 0 && (n > total || n < MaxLimit && n != total) {
			return badResponse(PathOrders, page.RequestID, fmt.Sprintf("updated in [%s, %s], created from %s: a page of %d orders, countTotal said %d",
				time.Unix(cp.From, 0).UTC().Format(time.RFC3339), time.Unix(cp.End, 0).UTC().Format(time.RFC3339),
				time.Unix(c, 0).UTC().Format(time.RFC3339), n, total))
		}
		ods, err := orderList(page)
		if err == nil {
			err = ascending(ods, c, page.RequestID)
		}
		if err != nil {
			return fmt.Errorf("lazada seller %s: %w", s.c.SellerID(), err)
		}
		last := n < MaxLimit
		next := c
		if n > 0 {
			next = ods[n-1].at
		}
		if !last && next == c {
			// A full page of one create second: read that second whole.
			if ods, err = o.rereadSecond(ctx, cp, c); err != nil {
				return err
			}
			next = c + 1
		}
		if err := put(ods); err != nil {
			return err
		}
		if last {
			return nil
		}
		c = next
	}
}

// maxPasses bounds the passes over a second that keeps changing.
const maxPasses = 6

// rereadSecond reads the orders updated in the window and created in the
// second c (more than a page of them) by offset paging, again and again,
// until two passes return the same orders; it returns every order any
// pass read (an order missing from a later pass was updated past the
// window and the next run reads it).
func (o *orders) rereadSecond(ctx context.Context, cp Checkpoint, c int64) ([]order, error) {
	s := o.s
	union := map[int64]order{}
	var seq []int64
	var prev []int64
	for pass := 0; pass < maxPasses; pass++ {
		s.passes.Add(1)
		var ids []int64
		for offset := 0; ; offset += MaxLimit {
			if offset > s.cfg.OffsetCap {
				return nil, fmt.Errorf("lazada seller %s: more than %d orders created in the second %s", s.c.SellerID(), o.capacity(),
					time.Unix(c, 0).UTC().Format(time.RFC3339))
			}
			page, err := o.list(ctx, ListRequest{Field: "updated_at", From: cp.From, To: cp.End, CreatedAfter: c, CreatedBefore: c,
				Offset: offset, Limit: MaxLimit})
			if err != nil {
				return nil, err
			}
			ods, err := orderList(page)
			if err != nil {
				return nil, fmt.Errorf("lazada seller %s: %w", s.c.SellerID(), err)
			}
			for _, od := range ods {
				if _, ok := union[od.id]; !ok {
					seq = append(seq, od.id)
				}
				union[od.id] = od
				ids = append(ids, od.id)
			}
			if len(ods) < MaxLimit {
				break
			}
		}
		slices.Sort(ids)
		if prev != nil && slices.Equal(prev, ids) {
			out := make([]order, len(seq))
			for i, id := range seq {
				out[i] = union[id]
			}
			return out, nil
		}
		prev = ids
	}
	return nil, fmt.Errorf("lazada seller %s: the orders created in the second %s kept changing over %d passes", s.c.SellerID(),
		time.Unix(c, 0).UTC().Format(time.RFC3339), maxPasses)
}

// ascending checks that orders are sorted by create time, none before
// floor: a position taken from an unsorted page could pass orders not read
// yet.
func ascending(ods []order, floor int64, requestID string) error {
	prev := floor
	for _, od := range ods {
		if od.at < prev {
			return badResponse(PathOrders, requestID, fmt.Sprintf("order %s is out of created_at order (%s after %s)", od.key,
				time.Unix(od.at, 0).UTC().Format(time.RFC3339), time.Unix(prev, 0).UTC().Format(time.RFC3339)))
		}
		prev = od.at
	}
	return nil
}

// orderHead is what the stream reads of an order (the transformer reads
// the rest).
type orderHead struct {
	OrderID   json.RawMessage `json:"order_id"`
	CreatedAt json.RawMessage `json:"created_at"`
}

// orderList reads the id and create time of every order of a page. An
// order without a usable id or create time is an error: neither its items
// nor the window's position could be had.
func orderList(page ListPage) ([]order, error) {
	out := make([]order, len(page.Orders))
	for i, raw := range page.Orders {
		var h orderHead
		if err := json.Unmarshal(raw, &h); err != nil {
			return nil, fmt.Errorf("order %d of a page is not an object: %w", i, err)
		}
		id, err := asInt(h.OrderID)
		if err != nil || id == nil {
			return nil, fmt.Errorf("order %d of a page has no usable order_id (%v)", i, err)
		}
		od := order{raw: raw, id: id.(int64), key: strconv.FormatInt(id.(int64), 10), rid: page.RequestID}
		at, err := asTime(h.CreatedAt)
		if err != nil || at == nil {
			return nil, fmt.Errorf("order %s: created_at is not a time (%v)", od.key, err)
		}
		od.at = at.(time.Time).Unix()
		out[i] = od
	}
	return out, nil
}

// maxItemAttempts is how many items calls an order gets before an answer
// that keeps leaving it out fails the load.
const maxItemAttempts = 3

// withItems fetches the items of a chunk of orders (at most MaxItemIDs, one
// call, at most cap(sem) in flight in the whole stream) and returns one
// record per order: {"seller_id", "order", "items"}. An order the answer
// leaves out is asked for again; after maxItemAttempts the chunk fails,
// naming the orders: never a record without its items.
func (o *orders) withItems(ctx context.Context, chunk []order, sem chan struct{}) ([]connector.Record, error) {
	s := o.s
	if len(chunk) == 0 {
		return nil, nil
	}
	items := make(map[int64][]json.RawMessage, len(chunk))
	missing := make([]int64, len(chunk))
	for i, od := range chunk {
		missing[i] = od.id
	}
	for attempt := 1; len(missing) > 0; attempt++ {
		if attempt > maxItemAttempts {
			return nil, badResponse(PathOrderItems, "", fmt.Sprintf("seller %s: the items of orders %v were left out of %d answers",
				s.c.SellerID(), missing, maxItemAttempts))
		}
		if attempt > 1 {
			s.itemRetries.Add(1)
			s.c.log.Warn("lazada items answer left orders out; asking again", "seller", s.c.SellerID(), "orders", len(missing))
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		res, rid, err := s.c.GetOrderItems(ctx, missing)
		<-sem
		if err != nil {
			return nil, fmt.Errorf("lazada seller %s: items of %d orders from %d: %w", s.c.SellerID(), len(missing), missing[0], err)
		}
		asked := make(map[int64]bool, len(missing))
		for _, id := range missing {
			asked[id] = true
		}
		for _, oi := range res {
			if !asked[oi.OrderID] {
				return nil, badResponse(PathOrderItems, rid, fmt.Sprintf("seller %s: the answer holds order %d, which was not asked for",
					s.c.SellerID(), oi.OrderID))
			}
			items[oi.OrderID] = oi.Items
		}
		var still []int64
		for _, id := range missing {
			if _, ok := items[id]; !ok {
				still = append(still, id)
			}
		}
		missing = still
	}
	recs := make([]connector.Record, len(chunk))
	seller, _ := json.Marshal(s.c.SellerID())
	const head, mid, tail, end = `{"seller_id":`, `,"order":`, `,"items":[`, `]}`
	for i, od := range chunk {
		// Sized exactly: the records wait for the writer, and a grown
		// buffer would hold up to twice their bytes meanwhile.
		its := items[od.id]
		n := len(head) + len(seller) + len(mid) + len(od.raw) + len(tail) + len(end)
		for _, it := range its {
			n += len(it) + 1
		}
		b := make([]byte, 0, n)
		b = append(append(append(append(append(b, head...), seller...), mid...), od.raw...), tail...)
		for j, it := range its {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, it...)
		}
		b = append(b, end...)
		recs[i] = connector.Record{Key: s.c.SellerID() + "/" + od.key, Data: b, RequestID: od.rid}
	}
	return recs, nil
}

// Check reaches the seller's account with one cheap read-only call (one
// order of the last day, by update time) and names the seller: the sync
// job's dry run (-check) calls it.
func (s *Source) Check(ctx context.Context) (string, error) {
	now := time.Now()
	p, err := s.c.ListOrders(ctx, ListRequest{Field: "updated_at", From: now.Add(-24 * time.Hour).Unix(), To: now.Unix(), Limit: 1})
	if err != nil {
		return "", fmt.Errorf("lazada seller %s: %w", s.c.SellerID(), err)
	}
	if p.CountTotal >= 0 {
		return fmt.Sprintf("seller %s: order list answered (%d updated in the last day)", s.c.SellerID(), p.CountTotal), nil
	}
	return fmt.Sprintf("seller %s: order list answered", s.c.SellerID()), nil
}
