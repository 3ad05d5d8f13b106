package tiktok

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/platform"
	gojson "github.com/goccy/go-json"
	"golang.org/x/sync/errgroup"
)

// Source is one TikTok shop. It implements connector.Source and
// connector.StatsSource.
type Source struct {
	c   *Client
	cfg Config

	pages    atomic.Int64
	restarts atomic.Int64
	windows  atomic.Int64
	rereads  atomic.Int64
	// finStatements counts the statements the statements stream stored,
	// finRereads those of them stored again without their transactions
	// (known, settlement unchanged: read again for their payment status).
	finStatements, finRereads atomic.Int64
	shop                      atomic.Pointer[shopCols] // the shop the records come from, once resolved
	unmapped                  sync.Map                 // fields of its answers no column stores (Unmapped)
}

// NewSource returns the source of the shop in cfg.
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
	return &Source{c: c, cfg: c.cfg}, nil
}

// Client returns the source's API client.
func (s *Source) Client() *Client { return s.c }

// Streams implements connector.Source: "orders", then, unless
// Config.DisableFinance, "statements" (statements and their transactions)
// and "withdrawals" (see finance.go).
func (s *Source) Streams() []connector.Stream {
	return append([]connector.Stream{&orders{s: s}}, s.financeStreams()...)
}

// APICalls implements connector.StatsSource.
func (s *Source) APICalls() map[string]int64 { return s.c.APICalls() }

// Stats implements connector.StatsSource: search_pages read,
// search_windows (windows read: each range read, plus every window a split
// or a re-read added), page_restarts (windows read again from their start
// after a rejected page token), window_rereads (windows read again because
// fewer orders came than the platform counted), token_refreshes,
// http_retries and throttled answers since the source was created, and
// statements_read (statements stored by the statements stream) and
// statements_reread (those of them read again only for their payment
// status, without their transactions).
func (s *Source) Stats() map[string]any {
	return map[string]any{"search_pages": s.pages.Load(), "search_windows": s.windows.Load(), "page_restarts": s.restarts.Load(),
		"window_rereads": s.rereads.Load(), "token_refreshes": s.c.Refreshes(), "http_retries": s.c.Retries(), "throttled": s.c.Throttled(),
		"statements_read": s.finStatements.Load(), "statements_reread": s.finRereads.Load()}
}

// Checkpoint is the orders stream's cursor. A run reads [From, End) by
// Field in ascending order, window by window. From moves to the end of a
// window once every order of it is stored and its read count agrees with
// the platform's count (pages inside a window are stored as they come, with
// From still at the window's start), so a resumed run reads that window
// again with a fresh search (page tokens are never stored: they are opaque
// and expire); orders read twice are harmless to the upsert. When the range
// is done only Watermark remains: the next incremental run reads
// update_time in [Watermark - lookback, now).
type Checkpoint struct {
	Phase     string `json:"phase"` // "full" or "incremental"
	Field     string `json:"field,omitempty"`
	From      int64  `json:"window_from,omitempty"`
	End       int64  `json:"end,omitempty"`
	Watermark int64  `json:"watermark"`
}

type orders struct{ s *Source }

func (o *orders) Name() string { return "orders" }

// Read implements connector.Stream.
func (o *orders) Read(ctx context.Context, opts connector.ReadOptions, emit connector.EmitFunc) error {
	s := o.s
	now := s.cfg.Now().UTC()
	var cp Checkpoint
	if opts.Checkpoint != nil {
		if err := json.Unmarshal(opts.Checkpoint, &cp); err != nil {
			return fmt.Errorf("tiktok shop %s: bad checkpoint: %w", s.c.Shop(), err)
		}
	}
	switch {
	case opts.Checkpoint == nil:
		start := opts.Since
		if start.IsZero() {
			start = s.cfg.StartDate
		}
		cp = Checkpoint{Phase: "full", Field: "create_time", From: start.Unix(), End: now.Unix()}
		s.c.log.Info("tiktok full load", "shop", s.c.Shop(), "from", start.UTC().Format(time.RFC3339), "to", now.Format(time.RFC3339))
	case cp.End == 0:
		from := time.Unix(cp.Watermark, 0).Add(-s.cfg.Lookback)
		if !from.Before(now) {
			return nil // nothing can have changed since the watermark
		}
		cp = Checkpoint{Phase: "incremental", Field: "update_time", From: from.Unix(), End: now.Unix(), Watermark: cp.Watermark}
	default:
		s.c.log.Info("tiktok resuming", "shop", s.c.Shop(), "phase", cp.Phase, "window_from", time.Unix(cp.From, 0).UTC().Format(time.RFC3339))
	}
	// The records' shop columns: the shop is resolved before any search.
	if s.shop.Load() == nil {
		shop, err := s.c.ShopInfo(ctx)
		if err != nil {
			return err
		}
		s.shop.Store(newShopCols(shop))
	}
	return o.walk(ctx, cp, emit)
}

// How a range is read: as a list of windows that refines itself as it is
// read. It starts as one window, the whole range. A page of a window whose
// total_count shows more than WindowPages pages still to come (and that
// holds an order before its last second) splits the window: the page keeps
// the orders before its last second, and the rest of the window, from that
// second on, becomes windows of about WindowPages pages each, evenly by
// time, in the list after it. The first page of the range plans the load
// this way, and a window that turns out to hold a growing month, a sale day
// or a flash-sale second is split again when its own first page shows it (a
// window whose pages all share one second follows its page tokens until a
// page shows a second boundary). (Without a usable total_count the whole
// range is cut into 2 × Concurrency windows.) Windows are half-open and
// disjoint, and a split page keeps back the orders of its last second for
// the first new window, so no order is emitted twice.
//
// Up to Concurrency pages are read at once, each by a worker that takes
// the earliest window in the list not being read and not complete (a
// window's pages are read one after the other: its page token chains
// them), so the windows a split adds, which come before the windows
// already started after it, are read first. Pages are emitted strictly in
// list order. Memory is bounded: at most Concurrency × WindowPages pages
// are read ahead of the emitter (read, or being read, and not emitted);
// past that only the window being emitted is read, a page at a time as the
// emitter waits for it, and the first page of a window whose count a split
// window waits for, so the load always progresses.
//
// Nothing is lost silently (the count cross-check):
//   - A window ends when its read reaches the platform's count, not when a
//     page is empty: when a search ends (no next_page_token) with fewer
//     orders read than the last page's total_count, the window is read
//     once more from its start (an order that legitimately left the window
//     in the meantime is missing from that read's count too); if the
//     counts still disagree the load fails naming the window.
//   - A split window is checked by its new windows: the total_counts of
//     their first pages must add up to what the split window's count left
//     for them. Less means the split window's own pages missed orders: its
//     part is read again (once; a second shortfall fails the load). More is
//     a count that contradicts itself (an absurd total_count) and fails the
//     load at once.
//   - A page token seen before in the same window (A → B → A) fails the
//     load, as does a search that keeps sending page tokens after reading a
//     page more than it counts.
//   - A refused page token (expired, or spent by an attempt whose answer
//     was lost) reads the window again from its start.
//
// Checkpoints never pass a window that is not checked: every page of a
// window is emitted with the checkpoint at the window's start, and the
// window's last page with the checkpoint at its end (a split window's end
// is carried by the first page of the window after it). A read that fails
// stops the reading; the pages read before it in the list are still
// emitted before the load fails. A checkpoint never holds a page token (a
// resumed run plans again from its position).

// WindowPages is the number of pages a planned window is sized for: few
// enough windows that the partial last page of each costs little (about
// half a page per window read to its end), enough that Concurrency windows
// overlap until the end of a large load. A window with more than
// WindowPages pages still to read is split. It also sizes the read-ahead
// (Concurrency × WindowPages pages): with 6, a shop whose orders are
// unevenly spread in time cost 14% more calls than the minimum (1.26 × the
// budget-bound time), with 10 8% (1.18 ×), for about 30 MB more heap. A
// split plans at most as many windows as the read-ahead holds
// (Concurrency × WindowPages) and never more than the seconds of the range:
// a window planned larger is split again when its own first page shows it,
// so a huge (or absurd) total_count never plans more calls than that.
const WindowPages = 10

// DefaultConcurrency is the number of pages read at once when
// Config.Concurrency is 0: at 20 calls/s and 300 ms per call, 6 calls must
// be in flight to use the budget; 8 leave room for jitter.
const DefaultConcurrency = 8

// window is a half-open range [from, to) of the walk's field, read page by
// page; next is the window after it in the list (in time order).
type window struct {
	from, to int64
	root     bool // the whole range: planned even without a usable total_count
	next     *window

	// The current read: a search of [from, to) (a page token belongs to
	// it) and the orders it returned so far; the page tokens the window
	// received; whether it is read again after a shortfall (noSplit: the
	// part of a split window read again, itself already a second read).
	// Used only by the worker reading the window (busy), handed between
	// workers under the list's mutex.
	token      string
	seen       int
	firstTotal int // the total_count of the read's first page
	restarted  bool
	tokens     map[string]bool
	rereads    int
	noSplit    bool
	// Set by the split: what the count left for the new windows.
	rest int

	// Under the list's mutex.
	busy     bool         // a page is being read
	complete bool         // no page will follow: the last one was read, or the window split
	pages    []windowPage // read and not emitted yet
	// A split window waits for the counts of its new windows' first pages.
	kidsLeft, kidsSum int
	parent            *window // the split window a new window reports its count to
	reported          bool
}

// windowPage is one page of a window: its records, the page's total_count
// and whether it is the window's last, checked (then the checkpoint moves
// to the window's end).
type windowPage struct {
	recs  []connector.Record
	total int
	last  bool
}

// windowList is the walk's list of windows, shared by the workers and the
// emitter.
type windowList struct {
	mu   sync.Mutex
	cond *sync.Cond
	cur  *window // the window being emitted; nil when all are
	open int     // windows not complete
	// held counts the pages read or being read and not emitted yet (the
	// one being emitted included); beyond budget only cur is read, when
	// the emitter waits for it.
	held, budget int
	// err is the first failed read: no window is read after it, the pages
	// read before it are still emitted, up to the first one missing.
	err error
	// unchecked holds the split windows waiting for their new windows'
	// counts and the windows read again after a split window's shortfall:
	// no checkpoint passes their start.
	unchecked map[*window]bool
}

// pick returns the window a worker reads next, or nil.
func (l *windowList) pick() *window {
	for w := l.cur; w != nil; w = w.next {
		if w.busy || w.complete {
			continue
		}
		// Past the budget, the window being emitted still reads its next
		// page when the emitter waits for it: the load always progresses,
		// one page beyond the budget at most.
		if l.held < l.budget || w == l.cur && len(w.pages) == 0 {
			return w
		}
		return nil
	}
	return nil
}

// walk reads [cp.From, cp.End) and emits each page with the checkpoint it
// completes.
func (o *orders) walk(ctx context.Context, cp Checkpoint, emit connector.EmitFunc) error {
	s := o.s
	if cp.From >= cp.End { // an empty range (a start date in the future)
		data, _ := json.Marshal(Checkpoint{Phase: "incremental", Watermark: max(cp.End, cp.Watermark)})
		return emit(ctx, connector.Page{Checkpoint: data})
	}
	checkpoint := func(pos int64, final bool) ([]byte, error) {
		if final {
			return json.Marshal(Checkpoint{Phase: "incremental", Watermark: cp.End})
		}
		next := cp
		next.From = pos
		return json.Marshal(next)
	}
	conc := max(s.cfg.Concurrency, 1)
	root := &window{from: cp.From, to: cp.End, root: true}
	s.windows.Add(1)
	l := &windowList{cur: root, open: 1, budget: conc * WindowPages, unchecked: map[*window]bool{}}
	l.cond = sync.NewCond(&l.mu)
	g, gctx := errgroup.WithContext(ctx)
	stop := context.AfterFunc(gctx, func() { // wake the waiting to see the end
		l.mu.Lock()
		l.cond.Broadcast()
		l.mu.Unlock()
	})
	defer stop()
	for range conc {
		g.Go(func() error { o.work(gctx, cp.Field, l); return nil })
	}
	g.Go(func() error { // emit in list order
		finished := false // the final checkpoint was emitted
		for {
			l.mu.Lock()
			w := l.cur
			for len(w.pages) == 0 && !w.complete && (w.busy || l.err == nil) && gctx.Err() == nil {
				l.cond.Wait()
			}
			if err := gctx.Err(); err != nil {
				l.mu.Unlock()
				return err
			}
			if len(w.pages) == 0 && !w.complete { // a read failed: w's next page will not come
				err := l.err
				l.mu.Unlock()
				return err
			}
			if len(w.pages) == 0 { // complete and emitted: the next
				l.cur = w.next
				l.cond.Broadcast() // the new current window is read past the budget
				pending := len(l.unchecked)
				l.mu.Unlock()
				if l.cur != nil {
					continue
				}
				if finished {
					return nil
				}
				// Every window is read and emitted, so every split window
				// has its counts; one still unchecked would be a bug.
				if pending > 0 {
					return fmt.Errorf("tiktok shop %s: %d windows left unchecked at the end of the load", s.c.Shop(), pending)
				}
				data, err := checkpoint(0, true)
				if err != nil {
					return err
				}
				return emit(gctx, connector.Page{Checkpoint: data})
			}
			p := w.pages[0]
			w.pages[0] = windowPage{}
			w.pages = w.pages[1:]
			// Nothing is added after a complete window but by its own split
			// or re-read, which a last page never has.
			final := p.last && w.next == nil && len(l.unchecked) == 0
			finished = finished || final
			pos := w.from
			if p.last {
				pos = w.to
			}
			for u := range l.unchecked {
				pos = min(pos, u.from)
			}
			l.mu.Unlock()
			data, err := checkpoint(pos, final)
			if err != nil {
				return err
			}
			if err := emit(gctx, connector.Page{Records: p.recs, Checkpoint: data}); err != nil {
				return err
			}
			l.mu.Lock()
			l.held--
			l.cond.Broadcast()
			l.mu.Unlock()
		}
	})
	return g.Wait()
}

// work reads pages of the list's windows, earliest window first, until
// every window is complete or a read failed (the error goes to l.err).
func (o *orders) work(ctx context.Context, field string, l *windowList) {
	for {
		l.mu.Lock()
		var w *window
		for {
			if ctx.Err() != nil || l.err != nil || l.open == 0 {
				l.mu.Unlock()
				return
			}
			if w = l.pick(); w != nil {
				break
			}
			l.cond.Wait()
		}
		w.busy = true
		l.held++
		l.mu.Unlock()
		var p windowPage
		var after []*window
		err := connector.Guard("tiktok search worker", func() (err error) {
			p, after, err = o.readPage(ctx, field, w)
			return err
		})
		l.mu.Lock()
		w.busy = false
		if err == nil && w.parent != nil && !w.reported {
			w.reported = true
			err = o.report(l, w, p.total)
		}
		if err != nil {
			l.held--
			if l.err == nil {
				l.err = err
			}
			l.cond.Broadcast()
			l.mu.Unlock()
			return
		}
		w.pages = append(w.pages, p)
		switch {
		case len(after) > 0:
			after[len(after)-1].next = w.next
			for i := range after[:len(after)-1] {
				after[i].next = after[i+1]
			}
			w.to, w.next = after[0].from, after[0]
			w.complete = true
			if w.kidsLeft > 0 { // (without a count there is nothing to check the split by)
				l.unchecked[w] = true
			}
			l.open += len(after) - 1
		case p.last:
			w.complete = true
			delete(l.unchecked, w)
			l.open--
		}
		l.cond.Broadcast()
		l.mu.Unlock()
	}
}

// report adds the count of kid's first page to its split window's and,
// once every new window has reported, checks the split window: the counts
// must add up to what its own count left for them. Less: the split
// window's pages missed orders, its part is read again (once). More: the
// counts contradict each other. Called with l.mu held.
func (o *orders) report(l *windowList, kid *window, total int) error {
	p := kid.parent
	p.kidsSum += total
	p.kidsLeft--
	if p.kidsSum > p.rest {
		return fmt.Errorf("%s: the windows after it count %d orders, more than the %d its own count leaves for them: %w",
			o.name(p.from, kid.to), p.kidsSum, p.rest, ErrContradictoryCount)
	}
	if p.kidsLeft > 0 {
		return nil
	}
	delete(l.unchecked, p)
	if p.kidsSum == p.rest {
		return nil
	}
	if p.rereads > 0 {
		return fmt.Errorf("%s: read %d orders fewer than the platform counts, also when read again: %w",
			o.name(p.from, p.to), p.rest-p.kidsSum, ErrShortRead)
	}
	o.s.c.log.Warn("tiktok search read fewer orders than the platform counts; reading the window again", "shop", o.s.c.Shop(),
		"window", o.name(p.from, p.to), "missing", p.rest-p.kidsSum)
	o.s.rereads.Add(1)
	o.s.windows.Add(1)
	// Read next (after the window being emitted); until it is read to its
	// end no checkpoint passes its start.
	at := l.cur
	again := &window{from: p.from, to: p.to, next: at.next, rereads: 1, noSplit: true}
	at.next = again
	l.unchecked[again] = true
	l.open++
	return nil
}

// name names a window in errors and logs.
func (o *orders) name(from, to int64) string {
	return fmt.Sprintf("tiktok shop %s: window [%s, %s)", o.s.c.Shop(),
		time.Unix(from, 0).UTC().Format(time.RFC3339), time.Unix(to, 0).UTC().Format(time.RFC3339))
}

// readPage reads the next page of w. When the page shows more than
// WindowPages pages still to come, it returns the windows that read the
// rest of w instead (w is then complete after the page).
func (o *orders) readPage(ctx context.Context, field string, w *window) (windowPage, []*window, error) {
	s := o.s
	for {
		page, err := o.search(ctx, field, w.from, w.to, w.token)
		if err != nil && w.token != "" && !w.restarted && errors.Is(err, ErrInvalidParam) {
			// The page token was refused (expired, or spent by an attempt
			// whose answer was lost): read the window again from its start
			// (its count is checked on one uninterrupted read).
			s.restarts.Add(1)
			s.c.log.Info("tiktok page token refused; reading the window again", "shop", s.c.Shop(),
				"field", field, "window", o.name(w.from, w.to))
			w.token, w.seen, w.restarted = "", 0, true
			continue
		}
		if err != nil {
			return windowPage{}, nil, err
		}
		w.restarted = false
		if page.TotalCount < 0 {
			return windowPage{}, nil, fmt.Errorf("%s: total_count %d: %w", o.name(w.from, w.to), page.TotalCount, ErrContradictoryCount)
		}
		if w.token == "" { // the first page of a read
			w.firstTotal = page.TotalCount
		}
		w.seen += len(page.Orders)
		if tok := page.NextPageToken; tok != "" {
			if w.tokens[tok] {
				return windowPage{}, nil, fmt.Errorf("%s: next_page_token repeats a token of the same window after %d orders: %w",
					o.name(w.from, w.to), w.seen, ErrPageTokenCycle)
			}
			if w.tokens == nil {
				w.tokens = map[string]bool{}
			}
			w.tokens[tok] = true
			// Orders only leave a window while it is read (a new order or
			// an update is stamped after the range's end), so the first
			// page's count bounds the read.
			if w.firstTotal > 0 && w.seen > w.firstTotal {
				return windowPage{}, nil, fmt.Errorf("%s: read %d orders, more than the %d counted, and the pages go on: %w",
					o.name(w.from, w.to), w.seen, w.firstTotal, ErrContradictoryCount)
			}
		}
		recs, ats := o.records(page, field)
		// The page's last second may continue on the next page.
		last := w.from
		for _, at := range ats {
			if at > last && at < w.to {
				last = at
			}
		}
		if page.NextPageToken != "" && !w.noSplit {
			if after, cut := o.split(w, page, ats, last); after != nil {
				return windowPage{recs: recs[:cut:cut], total: page.TotalCount}, after, nil
			}
		}
		w.token = page.NextPageToken
		if w.token != "" || w.seen >= page.TotalCount {
			return windowPage{recs: recs, total: page.TotalCount, last: w.token == ""}, nil, nil
		}
		// The search ended short of its count.
		if w.rereads > 0 {
			return windowPage{}, nil, fmt.Errorf("%s: read %d orders, the platform counts %d, also when read again: %w",
				o.name(w.from, w.to), w.seen, page.TotalCount, ErrShortRead)
		}
		s.c.log.Warn("tiktok search read fewer orders than the platform counts; reading the window again", "shop", s.c.Shop(),
			"window", o.name(w.from, w.to), "read", w.seen, "total_count", page.TotalCount)
		s.rereads.Add(1)
		w.rereads++
		w.seen, w.tokens = 0, nil
		return windowPage{recs: recs, total: page.TotalCount}, nil, nil
	}
}

// split returns the windows that read the rest of w after page, from the
// page's last second on, when the rest holds more than WindowPages pages
// (or its size is unknown and w is the whole range), and how many of the
// page's orders come before that second (the page is sorted by the
// field). It returns nil when w should rather follow its page token: few
// pages left, or no second boundary on the page (its orders share one
// second, or their times cannot be read). With a known count the new
// windows report the counts of their first pages to w (w.rest is what w's
// count leaves for them).
func (o *orders) split(w *window, page SearchPage, ats []int64, last int64) ([]*window, int) {
	if last <= w.from {
		return nil, 0
	}
	cut := len(ats)
	for i, at := range ats {
		if at == last {
			cut = i
			break
		}
	}
	if cut == 0 || cut == len(ats) {
		return nil, 0
	}
	size := o.s.c.cfg.PageSize
	rest := 0 // unknown
	if w.firstTotal > 0 {
		// From the read's first count: orders only leave a window while it
		// is read, so the new windows can count less (read again), never
		// more.
		rest = max(w.firstTotal-w.seen, 0) + len(ats) - cut
		if (rest+size-1)/size <= WindowPages {
			return nil, 0
		}
	} else if !w.root {
		return nil, 0
	}
	after := o.plan(last, w.to, rest)
	if len(after) < 2 {
		return nil, 0
	}
	if rest > 0 {
		w.rest, w.kidsLeft = rest, len(after)
		for _, a := range after {
			a.parent = w
		}
	}
	o.s.windows.Add(int64(len(after)))
	return after, cut
}

// plan cuts [from, to) into windows of about WindowPages pages for the
// estimated number of orders in it, evenly by time: at least one second
// each, and at most Concurrency × WindowPages windows (the read-ahead; a
// larger window is split again by its own first page).
func (o *orders) plan(from, to int64, orders int) []*window {
	size := o.s.c.cfg.PageSize
	conc := max(o.s.cfg.Concurrency, 1)
	pages := (max(orders, 1) + size - 1) / size
	n := (pages + WindowPages - 1) / WindowPages
	if orders <= 0 { // no usable total_count: enough windows to overlap
		n = 2 * conc
	}
	n = int(min(int64(n), to-from, int64(conc*WindowPages)))
	n = max(n, 1)
	plan := make([]*window, n)
	span := to - from
	for i := range plan {
		lo := from + span*int64(i)/int64(n)
		plan[i] = &window{from: lo, to: from + span*int64(i+1)/int64(n)}
	}
	return plan
}

// search reads one page of [ge, lt) by field, naming the range in errors.
func (o *orders) search(ctx context.Context, field string, ge, lt int64, token string) (SearchPage, error) {
	s := o.s
	page, err := s.c.SearchOrders(ctx, SearchRequest{Field: field, GE: ge, LT: lt, PageToken: token})
	if err != nil {
		return page, fmt.Errorf("tiktok shop %s: search %s [%s, %s): %w", s.c.Shop(), field,
			time.Unix(ge, 0).UTC().Format(time.RFC3339), time.Unix(lt, 0).UTC().Format(time.RFC3339), err)
	}
	s.pages.Add(1)
	if len(page.Orders) > 0 {
		noteUnmapped(page.Orders[0], &s.unmapped, s.c.log)
	}
	return page, nil
}

// records turns a page into records and the field value of each (0 when
// the order has none usable).
func (o *orders) records(page SearchPage, field string) ([]connector.Record, []int64) {
	recs := make([]connector.Record, len(page.Orders))
	ats := make([]int64, len(page.Orders))
	for i, raw := range page.Orders {
		k, err := orderKey(raw, field)
		if err != nil {
			// The record still goes downstream: the transformer
			// quarantines it with the reason.
			o.s.c.log.Warn("tiktok order without a usable key or time", "shop", o.s.c.Shop(), "error", err)
		}
		recs[i] = connector.Record{Key: k.id, Data: raw, RequestID: page.RequestID}
		ats[i] = k.at
	}
	return recs, ats
}

type key struct {
	id string
	at int64
}

// orderKey reads the id and the window field of an order cheaply (the
// transformer decodes the whole order).
func orderKey(raw json.RawMessage, field string) (key, error) {
	var k struct {
		ID         val `json:"id"`
		CreateTime val `json:"create_time"`
		UpdateTime val `json:"update_time"`
	}
	if err := gojson.Unmarshal(raw, &k); err != nil {
		return key{}, err
	}
	out := key{id: k.ID.s}
	v := &k.CreateTime
	if field == "update_time" {
		v = &k.UpdateTime
	}
	at, err := integer(v)
	if err != nil || at == nil {
		return out, fmt.Errorf("order %s: field %s: %v", out.id, field, err)
	}
	out.at = at.(int64)
	return out, nil
}

// ConfigFromEnv reads the old system's variables: TIKTOK_APP_KEY,
// TIKTOK_APP_SECRET, TIKTOK_ACCESS_TOKEN, TIKTOK_REFRESH_TOKEN,
// TIKTOK_SHOP_CIPHER, TIKTOK_SHOP_API_BASE_URL, and TIKTOK_AUTH_BASE_URL,
// TIKTOK_START_DATE (YYYY-MM-DD, midnight UTC: the default time basis; the
// driver reads it in platform.Deps.TimeBasis), TIKTOK_TOKEN_REFRESH_BUFFER
// (seconds), ETL_INCREMENTAL_LOOKBACK_MINUTES, TIKTOK_CONCURRENCY (windows
// read at once, at most 64), TIKTOK_FINANCE (false turns the finance
// streams off) and TIKTOK_FINANCE_LOOKBACK_HOURS. ok is false when the app
// credentials are not set. The tokens are optional: without them the token
// store must hold the account's pair (examples/authorize stores one).
func ConfigFromEnv(getenv func(string) string) (cfg Config, ok bool, err error) {
	return configFromEnv(getenv, connector.TimeUTC)
}

// configFromEnv is ConfigFromEnv with date-only settings read in basis.
func configFromEnv(getenv func(string) string, basis connector.TimeBasis) (cfg Config, ok bool, err error) {
	if getenv("TIKTOK_APP_KEY") == "" && getenv("TIKTOK_APP_SECRET") == "" {
		return cfg, false, nil
	}
	cfg.AppKey = getenv("TIKTOK_APP_KEY")
	cfg.AppSecret = getenv("TIKTOK_APP_SECRET")
	cfg.AccessToken = getenv("TIKTOK_ACCESS_TOKEN")
	cfg.RefreshToken = getenv("TIKTOK_REFRESH_TOKEN")
	cfg.ShopCipher = getenv("TIKTOK_SHOP_CIPHER")
	cfg.BaseURL = getenv("TIKTOK_SHOP_API_BASE_URL")
	cfg.AuthURL = getenv("TIKTOK_AUTH_BASE_URL")
	num := func(name string) (int64, error) { return platform.EnvInt(getenv, name) }
	buf, err := num("TIKTOK_TOKEN_REFRESH_BUFFER")
	if err != nil {
		return cfg, false, err
	}
	look, err := num("ETL_INCREMENTAL_LOOKBACK_MINUTES")
	if err != nil {
		return cfg, false, err
	}
	conc, err := num("TIKTOK_CONCURRENCY")
	if err != nil {
		return cfg, false, err
	}
	cfg.Concurrency = int(min(conc, 64))
	finLook, err := num("TIKTOK_FINANCE_LOOKBACK_HOURS")
	if err != nil {
		return cfg, false, err
	}
	cfg.FinanceLookback = time.Duration(finLook) * time.Hour
	finance, err := platform.EnvBool(getenv, "TIKTOK_FINANCE", true)
	if err != nil {
		return cfg, false, err
	}
	cfg.DisableFinance = !finance
	cfg.RefreshBuffer = time.Duration(buf) * time.Second
	cfg.Lookback = time.Duration(look) * time.Minute
	if cfg.StartDate, err = platform.EnvDate(getenv, "TIKTOK_START_DATE", basis); err != nil {
		return cfg, false, err
	}
	if cfg.AppKey == "" || cfg.AppSecret == "" {
		return cfg, false, errors.New("tiktok: TIKTOK_APP_KEY and TIKTOK_APP_SECRET must both be set")
	}
	return cfg, true, nil
}
