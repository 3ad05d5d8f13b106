package lazada

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/facolos/etl/connector"
	"golang.org/x/sync/errgroup"
)

// A full load reads the created_at range [From, End] by offset paging,
// sorted by created_at ascending (an order's create time never changes, so
// an order updated during the load does not move in the list), as a chain
// of segments:
//
//   - A segment is the window [from, End] read from offset base: the first
//     base orders of that window are created in the second from and were
//     read before. Its pages are at offsets base, base+100, …, up to the
//     offset cap.
//   - A segment that does not reach the window's end goes on with the next
//     one: from the create second t of the last order read, at the offset
//     past the orders of t already read. No order is read twice and no
//     page is partial but the last: a load of N orders reads exactly
//     ceil(N/100) list pages (when the answers carry countTotal, which
//     tells where the range ends). No request asks for an offset beyond
//     the cap; more orders than the pages up to the cap hold (4,600)
//     created in one second are an error.
//   - The next segment's countTotal follows from the one before: the
//     orders of the window not read yet plus its base. Every answer is
//     checked against its segment's: an answer that counts otherwise (an
//     order appeared or left while the pages were read, which can shift
//     an order between pages), a page shorter than the count says, or an
//     order of the boundary second that was read before (the order of the
//     orders within a second changed) is not passed over: the read goes on
//     page by page from the segment's start, at offset 0 (its boundary
//     second whole), the orders already sent not sent again.
//
// With Concurrency 1 the segments are read page by page (readSegments).
// Otherwise (pipeline) a segment's pages are read at once once the first
// answer has told the countTotal: the last page of a segment first, which
// names the next segment, so the next segments' pages are known ahead;
// they go downstream in order, at most readAhead × Concurrency pages read
// or waiting, whatever the shop's size.

// capacity is how many orders one segment can be read to: the pages at
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

// seg is one segment of a full load: the created_at window [from, to],
// read from offset base (the first base orders of the window, created in
// the second from, were read before). total is the window's countTotal
// (-1: not known).
type seg struct {
	from, to int64
	base     int
	total    int
}

// request is the segment's page at offset.
func (g seg) request(offset int) ListRequest {
	return ListRequest{Field: "created_at", From: g.from, To: g.to, Offset: offset, Limit: MaxLimit}
}

// lastOffset is the offset of the last page a segment can read: the
// largest base + k × MaxLimit within the offset cap.
func (o *orders) lastOffset(base int) int {
	return base + (o.s.cfg.OffsetCap-base)/MaxLimit*MaxLimit
}

// reachesEnd reports whether the segment's pages up to the cap hold the
// rest of its window (known only with its countTotal).
func (o *orders) reachesEnd(g seg) bool {
	return g.total >= 0 && g.total <= o.lastOffset(g.base)+MaxLimit
}

// next is the segment after g, whose pages were read to the cap: from the
// second at of the last order read, past the n orders of that second read
// (counting the base when at is g's own second).
func (o *orders) next(g seg, at int64, n int) (seg, error) {
	if at == g.from {
		n += g.base
	}
	if n > o.s.cfg.OffsetCap {
		return seg{}, fmt.Errorf("lazada seller %s: more than %d orders created in the second %s", o.s.c.SellerID(), o.s.cfg.OffsetCap,
			time.Unix(at, 0).UTC().Format(time.RFC3339))
	}
	total := -1
	if g.total >= 0 {
		total = g.total - (o.lastOffset(g.base) + MaxLimit - n)
	}
	return seg{from: at, to: g.to, base: n, total: total}, nil
}

// expect is how many orders the segment's page at offset holds by its
// countTotal (-1: not known).
func (g seg) expect(offset int) int {
	if g.total < 0 {
		return -1
	}
	return max(0, min(MaxLimit, g.total-offset))
}

// errChanged stops a pipelined full load at a segment that changed while
// it was read; the load goes on page by page from there.
type errChanged struct {
	g   seg
	why string
}

func (e *errChanged) Error() string { return "lazada: segment changed: " + e.why }

// tally follows the create second of the last order sent and the ids of
// the orders of that second, across segments.
type tally struct {
	at  int64
	ids map[int64]bool
}

func (t *tally) add(ods []order) {
	for _, od := range ods {
		if od.at != t.at || t.ids == nil {
			t.at, t.ids = od.at, map[int64]bool{}
		}
		t.ids[od.id] = true
	}
}

// check checks a page of segment g at offset (ods, its orders, decoded)
// against g: its countTotal, its size, the create order from floor, and,
// on a segment's first page, no order of the boundary second already read
// (before, the ids read of the second g.from). It returns an *errChanged
// when the answer shows the segment changed, ErrBadResponse when it is
// short of its own count.
func (o *orders) check(g seg, offset int, page ListPage, ods []order, floor int64, before *tally) error {
	s := o.s
	if err := ascending(ods, floor, page.RequestID); err != nil {
		return fmt.Errorf("lazada seller %s: %w", s.c.SellerID(), err)
	}
	if g.total >= 0 && page.CountTotal != g.total {
		return &errChanged{g, fmt.Sprintf("countTotal %d, %d before", page.CountTotal, g.total)}
	}
	if g.base > 0 && before != nil && before.at == g.from {
		for _, od := range ods {
			if od.at == g.from && before.ids[od.id] {
				return &errChanged{g, fmt.Sprintf("order %s of the second %s read again at offset %d", od.key,
					time.Unix(g.from, 0).UTC().Format(time.RFC3339), g.base)}
			}
		}
	}
	if want := g.expect(offset); want >= 0 && len(ods) != want {
		what := fmt.Sprintf("window [%s, %s] at offset %d: a page of %d orders, countTotal said %d", time.Unix(g.from, 0).UTC().Format(time.RFC3339),
			time.Unix(g.to, 0).UTC().Format(time.RFC3339), offset, len(ods), g.total)
		return badResponse(PathOrders, page.RequestID, what)
	}
	return nil
}

// full reads the created_at range [From, End] of a full load.
func (o *orders) full(ctx context.Context, cp Checkpoint, put putFunc) error {
	s := o.s
	whole := seg{from: cp.From, to: cp.End, total: -1}
	if s.cfg.Concurrency <= 1 || whole.to <= whole.from {
		return o.readSegments(ctx, whole, put)
	}
	first, err := o.list(ctx, whole.request(0))
	if err != nil {
		return err
	}
	if first.CountTotal < 0 {
		return o.fullUncounted(ctx, window{whole.from, whole.to}, put)
	}
	whole.total = first.CountTotal
	err = o.pipeline(ctx, whole, first, put)
	var ch *errChanged
	if !errors.As(err, &ch) {
		return err
	}
	s.rereads.Add(1)
	s.c.log.Warn("lazada window changed while read; reading on page by page", "seller", s.c.SellerID(),
		"window_from", time.Unix(ch.g.from, 0).UTC().Format(time.RFC3339), "why", ch.why)
	return o.readSegments(ctx, seg{from: ch.g.from, to: ch.g.to, total: -1}, put)
}

// readSegments reads the segments from g on, page by page. A segment that changed while read
// (see check) is read again from its second at offset 0, up to maxPasses
// times.
func (o *orders) readSegments(ctx context.Context, g seg, put putFunc) error {
	s := o.s
	var last tally
	passes := 0
	for {
		s.windows.Add(1)
		// at is the create second of the last order read, n the orders of
		// that second read in this segment.
		floor, at, n := g.from, g.from, 0
		var changed *errChanged
		for offset := g.base; ; offset += MaxLimit {
			page, err := o.list(ctx, g.request(offset))
			if err != nil {
				return err
			}
			if offset == g.base && g.total < 0 {
				g.total = page.CountTotal
			}
			ods, err := orderList(page)
			if err != nil {
				return fmt.Errorf("lazada seller %s: %w", s.c.SellerID(), err)
			}
			if err := o.check(g, offset, page, ods, floor, &last); err != nil {
				if !errors.As(err, &changed) {
					return err
				}
				break
			}
			if err := put(ods); err != nil {
				return err
			}
			last.add(ods)
			for _, od := range ods {
				if od.at != at {
					at, n = od.at, 0
				}
				n++
			}
			if len(ods) > 0 {
				floor = ods[len(ods)-1].at
			}
			if g.total >= 0 && offset+MaxLimit >= g.total || g.total < 0 && len(ods) < MaxLimit {
				return nil
			}
			if offset == o.lastOffset(g.base) {
				break
			}
		}
		if changed != nil {
			if passes++; passes > maxPasses {
				return fmt.Errorf("lazada seller %s: the orders created from %s kept changing over %d passes", s.c.SellerID(),
					time.Unix(g.from, 0).UTC().Format(time.RFC3339), maxPasses)
			}
			s.rereads.Add(1)
			s.c.log.Warn("lazada window changed while read; reading it again", "seller", s.c.SellerID(),
				"window_from", time.Unix(g.from, 0).UTC().Format(time.RFC3339), "why", changed.why)
			g = seg{from: g.from, to: g.to, total: -1}
			continue
		}
		s.splits.Add(1)
		passes = 0
		var err error
		if g, err = o.next(g, at, n); err != nil {
			return err
		}
	}
}

// part is one page of a pipelined full load: its segment and offset, read
// once (start) by whichever of the planner and the reader asks first.
type part struct {
	g      seg
	offset int
	once   sync.Once
	done   chan struct{}
	page   ListPage
	ods    []order
	err    error
}

// segment is a seg with its pages, in order (each dropped once it is on
// its way to the merge, so the pages merged are garbage).
type segment struct {
	seg
	parts []*part
}

// readAhead is how many pages of a pipelined full load may be read or
// waiting for the merge at once, per unit of Concurrency: it bounds the
// load's memory whatever the shop's size, and keeps enough list calls
// ready that the app's budget, not the round trip, bounds the load. Item
// calls have as many slots of their own. The planner reads the last pages
// of up to segmentLookahead segments besides.
const readAhead = 2

// segmentLookahead is how many segments the planner may have named ahead
// of the segment whose pages are being asked for: with the segment being
// named, at most segmentLookahead+1 last pages are read outside the
// read-ahead's slots.
const segmentLookahead = 2

// pipeline reads the segments from whole on (first, its page at offset 0,
// read) with their pages several at once, merged in order. It returns an
// *errChanged naming the segment to read on from, page by page, when one
// changed while read.
func (o *orders) pipeline(ctx context.Context, whole seg, first ListPage, put putFunc) error {
	s := o.s
	conc := s.cfg.Concurrency
	g, gctx := errgroup.WithContext(ctx)
	start := func(p *part) {
		p.once.Do(func() {
			g.Go(func() error {
				defer close(p.done)
				p.err = connector.Guard("lazada list worker", func() (err error) {
					if p.page, err = o.list(gctx, p.g.request(p.offset)); err != nil {
						return err
					}
					p.ods, err = orderList(p.page)
					if err != nil {
						err = fmt.Errorf("lazada seller %s: %w", s.c.SellerID(), err)
					}
					return err
				})
				return p.err
			})
		})
	}
	wait := func(p *part) error {
		select {
		case <-p.done:
			return p.err
		case <-gctx.Done():
			return gctx.Err()
		}
	}
	// The planner names the segments, each with its pages: a segment that
	// does not reach the window's end has its last page read first, which
	// names the next segment.
	segments := make(chan *segment, segmentLookahead-1)
	g.Go(func() error {
		defer close(segments)
		cur := whole
		for {
			sg := &segment{seg: cur}
			for off := cur.base; off <= o.lastOffset(cur.base) && (off < cur.total || off == 0); off += MaxLimit {
				sg.parts = append(sg.parts, &part{g: cur, offset: off, done: make(chan struct{})})
			}
			if cur.base == 0 && cur.from == whole.from {
				p := sg.parts[0]
				p.once.Do(func() {})
				p.page = first
				p.ods, p.err = orderList(first)
				close(p.done)
				if p.err != nil {
					return fmt.Errorf("lazada seller %s: %w", s.c.SellerID(), p.err)
				}
			}
			end := o.reachesEnd(cur)
			var nxt seg
			if !end {
				var err error
				if nxt, end, err = o.plan(sg, start, wait); err != nil {
					return err
				}
				if !end {
					s.splits.Add(1)
				}
			}
			select {
			case segments <- sg:
			case <-gctx.Done():
				return gctx.Err()
			}
			if end {
				return nil
			}
			cur = nxt
		}
	})
	// The pages in order, each holding a slot of the read-ahead.
	parts := make(chan *part, readAhead*conc)
	slots := make(chan struct{}, readAhead*conc)
	g.Go(func() error {
		defer close(parts)
		for sg := range segments {
			s.windows.Add(1)
			for i, p := range sg.parts {
				select {
				case slots <- struct{}{}:
				case <-gctx.Done():
					return gctx.Err()
				}
				start(p)
				parts <- p // never blocks: as many places as slots
				sg.parts[i] = nil
			}
		}
		return nil
	})
	// The merge.
	g.Go(func() error {
		var last tally
		var floor int64
		for p := range parts {
			if err := wait(p); err != nil {
				return err
			}
			if p.offset == p.g.base {
				floor = p.g.from
			}
			if err := o.check(p.g, p.offset, p.page, p.ods, floor, &last); err != nil {
				return err
			}
			if err := put(p.ods); err != nil {
				return err
			}
			last.add(p.ods)
			if len(p.ods) > 0 {
				floor = p.ods[len(p.ods)-1].at
			}
			<-slots
		}
		return nil
	})
	return g.Wait()
}

// plan reads the last page of sg (and the pages before it while they hold
// only orders of the last order's second) and returns the segment after
// it. end reports that sg is to be read as the last: its last page does
// not agree with its count (the merge finds out which way).
func (o *orders) plan(sg *segment, start func(*part), wait func(*part) error) (next seg, end bool, err error) {
	tail := sg.parts[len(sg.parts)-1]
	start(tail)
	if err := wait(tail); err != nil {
		return seg{}, false, err
	}
	if tail.page.CountTotal != sg.total || len(tail.ods) != MaxLimit {
		return seg{}, true, nil
	}
	at := tail.ods[len(tail.ods)-1].at
	n := 0
	for i := len(sg.parts) - 1; i >= 0; i-- {
		p := sg.parts[i]
		start(p)
		if err := wait(p); err != nil {
			return seg{}, false, err
		}
		j := len(p.ods) - 1
		for j >= 0 && p.ods[j].at == at {
			j--
		}
		n += len(p.ods) - 1 - j
		if j >= 0 {
			break
		}
	}
	next, err = o.next(sg.seg, at, n)
	return next, false, err
}

// fullUncounted reads the range w of a full load whose answers carry no
// countTotal: cut into 2 × Concurrency windows by time, each read page by
// page (readSegments), at most Concurrency windows at once, merged in
// order; a window holds at most one page read ahead of the merge.
func (o *orders) fullUncounted(ctx context.Context, w window, put putFunc) error {
	conc := o.s.cfg.Concurrency
	windows := plan(w, 2*conc)
	if windows == nil {
		return o.readSegments(ctx, seg{from: w.from, to: w.to, total: -1}, put)
	}
	g, gctx := errgroup.WithContext(ctx)
	type reader struct {
		pages chan []order
		err   error
	}
	readers := make(chan *reader, conc)
	slots := make(chan struct{}, conc)
	g.Go(func() error {
		defer close(readers)
		for _, w := range windows {
			select {
			case slots <- struct{}{}:
			case <-gctx.Done():
				return gctx.Err()
			}
			r := &reader{pages: make(chan []order, 1)}
			g.Go(func() error {
				defer close(r.pages)
				r.err = connector.Guard("lazada window reader", func() error {
					return o.readSegments(gctx, seg{from: w.from, to: w.to, total: -1}, func(ods []order) error {
						select {
						case r.pages <- ods:
							return nil
						case <-gctx.Done():
							return gctx.Err()
						}
					})
				})
				return r.err
			})
			readers <- r // never blocks: as many places as slots
		}
		return nil
	})
	g.Go(func() error {
		for r := range readers {
			for ods := range r.pages {
				if err := put(ods); err != nil {
					return err
				}
			}
			if r.err != nil {
				return r.err
			}
			<-slots
		}
		return nil
	})
	return g.Wait()
}
