package lazada

import (
	"bytes"
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
// read), windows (windows read), window_splits (windows split before
// being read on), window_rereads (windows of a full load read again page
// by page because they changed while their pages were read), reread_passes (passes over a create second with more
// updated orders than a page), item_retries (items calls repeated for
// orders an answer left out), finance_windows, finance_segments and
// finance_splits (transaction windows read, reads of a window from a day
// at offset 0, windows read again in halves), token_refreshes,
// http_retries, throttled.
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

// capacity is how many orders one window can be read to: the pages at
// offsets 0..OffsetCap.
func (o *orders) capacity() int { return o.s.cfg.OffsetCap + MaxLimit }

// window is an inclusive range [from, to] of the walk's field.
type window struct{ from, to int64 }

// plan cuts w into n windows, evenly by time, sharing their edges (an
// order at an edge is read by both windows and sent once).
func plan(w window, n int) []window {
	span := w.to - w.from
	n = int(min(int64(n), span))
	if n < 2 {
		return nil
	}
	out := make([]window, n)
	for i := range out {
		out[i] = window{w.from + span*int64(i)/int64(n), w.from + span*int64(i+1)/int64(n)}
	}
	return out
}

// WindowPages is how many pages a window read page by page (an answer
// without countTotal) may have read ahead of the merge.
const WindowPages = 10

// headerLookahead is how many windows' first pages are read ahead of the
// window being enumerated.
const headerLookahead = 3

// readAhead is how many parts (pages, or windows read page by page) of a
// full load may be read or waiting for the merge at once, per unit of
// Concurrency: it bounds the load's memory whatever the shop's size, and
// keeps enough list calls ready that the app's budget, not the round
// trip, bounds the load. Item calls have as many slots of their own.
const readAhead = 2

// part is a piece of a full load on its way to the merge, in created_at
// order: one page of a window whose countTotal is known (read at once with
// the others), or a whole window read page by page.
type part struct {
	w window
	// offset of the page and total, the window's countTotal (-1: a
	// window read page by page); last marks the window's last page.
	offset, total int
	last          bool
	// pages yields the part's orders (one page, or every page of a window
	// read page by page, already checked), then is closed; err is set
	// before the close.
	pages chan []order
	page  ListPage
	err   error
}

// full reads the created_at range [From, End] of a full load.
//
// With Concurrency 1 the range is one window read page by page
// (readWindow). Otherwise its pages are read several at once and merged in
// created_at order:
//
//   - windows: the range is a window; a window whose first page's
//     countTotal shows more orders than the pages up to the offset cap
//     hold is split evenly by time into windows of about three quarters of
//     that, and its parts are read instead (each from its first page). The
//     first pages of the next windows are read ahead (headerLookahead).
//   - pages: once a window's first page has told its countTotal, its other
//     pages are known by their offsets and are read at once, up to
//     readAhead × Concurrency parts read or waiting for the merge in the
//     whole stream. An order's create time never changes, so a page of a
//     created_at window holds the same orders whenever it is read.
//   - merge: the pages go downstream in window and offset order, each
//     checked (sorted by created_at; a window's orders counted against its
//     countTotal). A window some page of which reports another countTotal
//     than its first (orders appeared in it or left it while it was read)
//     is read again page by page.
//
// A window whose first page has no countTotal is read page by page, up to
// WindowPages pages ahead of the merge (the whole range without a
// countTotal is first cut into 2 × Concurrency windows by time).
func (o *orders) full(ctx context.Context, cp Checkpoint, put putFunc) error {
	s := o.s
	conc := s.cfg.Concurrency
	whole := window{cp.From, cp.End}
	if conc <= 1 || whole.to <= whole.from {
		return o.readWindow(ctx, whole, nil, put)
	}
	g, gctx := errgroup.WithContext(ctx)
	fetch := func(r ListRequest) *part {
		p := &part{pages: make(chan []order, 1)}
		g.Go(func() error {
			defer close(p.pages)
			p.err = connector.Guard("lazada list worker", func() (err error) {
				p.page, err = o.list(gctx, r)
				return err
			})
			return p.err
		})
		return p
	}
	first := func(w window) ListRequest {
		return ListRequest{Field: "created_at", From: w.from, To: w.to, Limit: MaxLimit}
	}
	// Windows with their first page, in order.
	type header struct {
		w    window
		page ListPage
	}
	headers := make(chan header, 1)
	g.Go(func() error {
		defer close(headers)
		type entry struct {
			w     window
			f     *part
			depth int
		}
		queue := []*entry{{w: whole}}
		for len(queue) > 0 {
			for i, e := range queue {
				if i == headerLookahead {
					break
				}
				if e.f == nil {
					e.f = fetch(first(e.w))
				}
			}
			e := queue[0]
			select {
			case <-e.f.pages:
			case <-gctx.Done():
				return gctx.Err()
			}
			if e.f.err != nil {
				return e.f.err
			}
			total := e.f.page.CountTotal
			var parts []window
			switch {
			case total > o.capacity():
				per := o.capacity() * 3 / 4
				if parts = plan(e.w, (total+per-1)/per); parts == nil {
					return fmt.Errorf("lazada seller %s: %d orders created in [%s, %s], more than the offset cap lets a window hold",
						s.c.SellerID(), total, time.Unix(e.w.from, 0).UTC().Format(time.RFC3339), time.Unix(e.w.to, 0).UTC().Format(time.RFC3339))
				}
			case total < 0 && e.depth == 0:
				// No countTotal: windows by time, each read page by page.
				parts = plan(e.w, 2*conc)
			}
			if parts != nil {
				s.splits.Add(1)
				next := make([]*entry, 0, len(parts)+len(queue)-1)
				for _, w := range parts {
					next = append(next, &entry{w: w, depth: e.depth + 1})
				}
				queue = append(next, queue[1:]...)
				continue
			}
			queue = queue[1:]
			select {
			case headers <- header{e.w, e.f.page}:
			case <-gctx.Done():
				return gctx.Err()
			}
		}
		return nil
	})
	// The parts, in order, each holding a slot of the read-ahead.
	parts := make(chan *part, readAhead*conc)
	slots := make(chan struct{}, readAhead*conc)
	g.Go(func() error {
		defer close(parts)
		send := func(p *part) error {
			select {
			case parts <- p:
				return nil
			case <-gctx.Done():
				return gctx.Err()
			}
		}
		take := func() error {
			select {
			case slots <- struct{}{}:
				return nil
			case <-gctx.Done():
				return gctx.Err()
			}
		}
		for h := range headers {
			s.windows.Add(1)
			total := h.page.CountTotal
			if err := take(); err != nil {
				return err
			}
			if total < 0 {
				p := &part{w: h.w, total: -1, pages: make(chan []order, WindowPages)}
				g.Go(func() error {
					defer close(p.pages)
					page := h.page
					p.err = connector.Guard("lazada window reader", func() error {
						return o.readWindow(gctx, h.w, &page, func(ods []order) error {
							select {
							case p.pages <- ods:
								return nil
							case <-gctx.Done():
								return gctx.Err()
							}
						})
					})
					return p.err
				})
				if err := send(p); err != nil {
					return err
				}
				continue
			}
			head := &part{w: h.w, total: total, last: total <= MaxLimit, pages: make(chan []order, 1), page: h.page}
			close(head.pages)
			if err := send(head); err != nil {
				return err
			}
			for off := MaxLimit; off < total; off += MaxLimit {
				if err := take(); err != nil {
					return err
				}
				r := first(h.w)
				r.Offset = off
				p := fetch(r)
				p.w, p.offset, p.total, p.last = h.w, off, total, off+MaxLimit >= total
				if err := send(p); err != nil {
					return err
				}
			}
		}
		return nil
	})
	// The merge.
	g.Go(func() error {
		var read map[int64]bool
		var seen int64
		var changed bool
		for p := range parts {
			if p.total < 0 {
				for ods := range p.pages {
					if err := put(ods); err != nil {
						return err
					}
				}
				if p.err != nil {
					return p.err
				}
				<-slots
				continue
			}
			select {
			case <-p.pages:
			case <-gctx.Done():
				return gctx.Err()
			}
			if p.err != nil {
				return p.err
			}
			if p.offset == 0 {
				read, seen, changed = map[int64]bool{}, p.w.from, false
			}
			changed = changed || p.page.CountTotal != p.total
			ods, err := o.checkPage(p.page, p.w, p.offset, p.total, seen, read, p.last && !changed)
			if err != nil {
				return err
			}
			if len(ods) > 0 {
				seen = ods[len(ods)-1].at
			}
			if err := put(ods); err != nil {
				return err
			}
			<-slots
			if p.last && changed {
				// An answer counted the window otherwise than its first
				// page: orders appeared in it or left it while its pages
				// were read, which can shift an order out of the pages read
				// at once. Read it again page by page, which no order
				// appearing can make skip another.
				s.rereads.Add(1)
				s.c.log.Warn("lazada window changed while read; reading it again page by page", "seller", s.c.SellerID(),
					"window_from", time.Unix(p.w.from, 0).UTC().Format(time.RFC3339), "window_to", time.Unix(p.w.to, 0).UTC().Format(time.RFC3339),
					"count_total", p.total)
				if err := o.readWindow(gctx, p.w, nil, put); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return g.Wait()
}

// checkPage reads the orders of a page of a created_at window w at offset
// and checks them: sorted by create time from floor; the first page holds
// no more orders than countTotal; at the window's last page, the orders
// read (read, by id) are at least countTotal.
func (o *orders) checkPage(page ListPage, w window, offset, total int, floor int64, read map[int64]bool, last bool) ([]order, error) {
	s := o.s
	ods, err := orderList(page)
	if err == nil {
		err = ascending(ods, floor, page.RequestID)
	}
	if err != nil {
		return nil, fmt.Errorf("lazada seller %s: %w", s.c.SellerID(), err)
	}
	for _, od := range ods {
		read[od.id] = true
	}
	if total >= 0 && offset == 0 && len(ods) > total {
		return nil, badResponse(PathOrders, page.RequestID, fmt.Sprintf("a page of %d orders with countTotal %d", len(ods), total))
	}
	if last && total >= 0 && len(read) < total {
		return nil, badResponse(PathOrders, page.RequestID, fmt.Sprintf("window [%s, %s] ended after %d orders, countTotal said %d",
			time.Unix(w.from, 0).UTC().Format(time.RFC3339), time.Unix(w.to, 0).UTC().Format(time.RFC3339), len(read), total))
	}
	return ods, nil
}

// readWindow reads a created_at window page by page (from first, its page
// at offset 0, when given), sorted by created_at (which never changes, so
// an order updated during the load does not move in the list). A window
// whose countTotal shows more orders than the pages up to the offset cap
// hold is split evenly by time before it is read on; without countTotal, a
// window that reaches the cap goes on from the create time of the last
// order read, at offset 0. The orders read from a first page to the end of
// a window are checked against its countTotal: a shortfall is an error.
func (o *orders) readWindow(ctx context.Context, w0 window, first *ListPage, put putFunc) error {
	s := o.s
	queue := []window{w0}
	for len(queue) > 0 {
		w := queue[0]
		queue = queue[1:]
		if first == nil {
			s.windows.Add(1)
		}
		offset, read, total, seen := 0, map[int64]bool{}, -1, w.from
		for {
			var page ListPage
			if first != nil {
				page, first = *first, nil
			} else {
				var err error
				if page, err = o.list(ctx, ListRequest{Field: "created_at", From: w.from, To: w.to, Offset: offset, Limit: MaxLimit}); err != nil {
					return err
				}
			}
			if offset == 0 {
				total = page.CountTotal
				if total > o.capacity() {
					parts := plan(w, (total+o.capacity()*3/4-1)/(o.capacity()*3/4))
					if parts == nil {
						return fmt.Errorf("lazada seller %s: %d orders created in [%s, %s], more than the offset cap lets a window hold",
							s.c.SellerID(), total, time.Unix(w.from, 0).UTC().Format(time.RFC3339), time.Unix(w.to, 0).UTC().Format(time.RFC3339))
					}
					s.splits.Add(1)
					queue = append(parts, queue...)
					break
				}
			}
			last := len(page.Orders) < MaxLimit
			ods, err := o.checkPage(page, w, offset, total, seen, read, last)
			if err != nil {
				return err
			}
			if len(ods) > 0 {
				seen = ods[len(ods)-1].at
			}
			if err := put(ods); err != nil {
				return err
			}
			if last {
				break
			}
			offset += MaxLimit
			if offset > s.cfg.OffsetCap {
				// Without a usable countTotal the window reached the cap:
				// go on from the last create time read, at offset 0.
				if seen <= w.from {
					return fmt.Errorf("lazada seller %s: more than %d orders created in the second %s", s.c.SellerID(), o.capacity(),
						time.Unix(w.from, 0).UTC().Format(time.RFC3339))
				}
				w.from, offset, read, total = seen, 0, map[int64]bool{}, -1
			}
		}
	}
	return nil
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
	for i, od := range chunk {
		var b bytes.Buffer
		b.WriteString(`{"seller_id":`)
		b.Write(seller)
		b.WriteString(`,"order":`)
		b.Write(od.raw)
		b.WriteString(`,"items":[`)
		for j, it := range items[od.id] {
			if j > 0 {
				b.WriteByte(',')
			}
			b.Write(it)
		}
		b.WriteString(`]}`)
		recs[i] = connector.Record{Key: s.c.SellerID() + "/" + od.key, Data: b.Bytes(), RequestID: od.rid}
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
