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

// Streams implements connector.Source: one stream, "orders".
func (s *Source) Streams() []connector.Stream { return []connector.Stream{&orders{s: s}} }

// APICalls implements connector.StatsSource.
func (s *Source) APICalls() map[string]int64 { return s.c.APICalls() }

// Stats implements connector.StatsSource: search_pages read,
// search_windows (windows read: each range read, plus every window a split
// added), page_restarts (windows restarted from their position after a
// rejected page token), token_refreshes, http_retries and throttled answers
// since the source was created.
func (s *Source) Stats() map[string]any {
	return map[string]any{"search_pages": s.pages.Load(), "search_windows": s.windows.Load(), "page_restarts": s.restarts.Load(),
		"token_refreshes": s.c.Refreshes(), "http_retries": s.c.Retries(), "throttled": s.c.Throttled()}
}

// Checkpoint is the orders stream's cursor. A run reads [From, End) by
// Field in ascending order, page by page. After every page From moves to
// the Field value of the page's last order, so a resumed run restarts the
// window there with a fresh search (page tokens are never stored: they are
// opaque and expire); orders at that same second are read again, which the
// upsert makes harmless. When the range is done only Watermark remains: the
// next incremental run reads update_time in [Watermark - lookback, now).
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
	return o.walk(ctx, cp, emit)
}

// How a range is read: with Concurrency 1 as one window, page by page
// (each page token chains the next). Otherwise as a list of windows that
// refines itself as it is read. It starts as one window, the whole range.
// A page of a window whose total_count shows more than WindowPages pages
// still to come (and that holds an order before its last second) splits
// the window: the page keeps the orders before its last second, and the
// rest of the window, from that second on, becomes windows of about
// WindowPages pages each, evenly by time, in the list after it. The first
// page of the range plans the load this way, and a window that turns out
// to hold a growing month, a sale day or a flash-sale second is split again
// when its own first page shows it (a window whose pages all share one
// second follows its page tokens until a page shows a second boundary).
// (Without a usable total_count the whole range is cut into
// 2 × Concurrency windows.) Windows are half-open and disjoint, and a split
// page keeps back the orders of its last second for the first new window,
// so no order is emitted twice.
//
// Up to Concurrency pages are read at once, each by a worker that takes
// the earliest window in the list not being read and not complete (a
// window's pages are read one after the other: its page token chains
// them), so the windows a split adds, which come before the windows
// already started after it, are read first. Pages are emitted strictly in
// list order, each with the checkpoint it completes: a checkpoint never
// covers a window whose pages are not all emitted before it, and it never
// holds a page token (a resumed run plans again from its position). A read
// that fails stops the reading; the pages read before it in the list are
// still emitted (with their checkpoints) before the load fails. Memory
// is bounded: at most Concurrency × WindowPages pages are read ahead of
// the emitter (read, or being read, and not emitted); past that only the
// window being emitted is read, a page at a time as the emitter waits for
// it, so the load always progresses.

// WindowPages is the number of pages a planned window is sized for: few
// enough windows that the partial last page of each costs little (about
// half a page per window read to its end), enough that Concurrency windows
// overlap until the end of a large load. A window with more than
// WindowPages pages still to read is split. It also sizes the read-ahead
// (Concurrency × WindowPages pages): with 6, a shop whose orders are
// unevenly spread in time cost 14% more calls than the minimum (1.26 × the
// budget-bound time), with 10 8% (1.18 ×), for about 30 MB more heap.
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

	// The current scan: a search of [ge, to) (a page token belongs to
	// it), the orders it returned so far, and the window's position (the
	// largest field value read in it). Used only by the worker reading
	// the window (busy), handed between workers under the list's mutex.
	ge, pos   int64
	token     string
	seen      int
	restarted bool

	// Under the list's mutex.
	busy     bool         // a page is being read
	complete bool         // no page will follow: the last one was read, or the window split
	pages    []windowPage // read and not emitted yet
}

// windowPage is one page of a window: its records, the window's position
// after it (every order before it is in this page or an earlier one) and
// whether it is the window's last (then its position is the window's end).
type windowPage struct {
	recs []connector.Record
	pos  int64
	last bool
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
	root := &window{from: cp.From, to: cp.End, root: true, ge: cp.From, pos: cp.From}
	s.windows.Add(1)
	l := &windowList{cur: root, open: 1, budget: conc * WindowPages}
	l.cond = sync.NewCond(&l.mu)
	g, gctx := errgroup.WithContext(ctx)
	stop := context.AfterFunc(gctx, func() { // wake the waiting to see the end
		l.mu.Lock()
		l.cond.Broadcast()
		l.mu.Unlock()
	})
	defer stop()
	for range conc {
		g.Go(func() error { o.work(gctx, cp.Field, l, conc > 1); return nil })
	}
	g.Go(func() error { // emit in list order
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
				l.mu.Unlock()
				if l.cur == nil {
					return nil
				}
				continue
			}
			p := w.pages[0]
			w.pages[0] = windowPage{}
			w.pages = w.pages[1:]
			// Nothing is added after a complete window but by its own split.
			final := p.last && w.next == nil
			l.mu.Unlock()
			pos := p.pos
			if p.last {
				pos = w.to
			}
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
func (o *orders) work(ctx context.Context, field string, l *windowList, split bool) {
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
		p, after, err := o.readPage(ctx, field, w, split)
		l.mu.Lock()
		w.busy = false
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
		if len(after) > 0 {
			after[len(after)-1].next = w.next
			for i := range after[:len(after)-1] {
				after[i].next = after[i+1]
			}
			w.next = after[0]
			l.open += len(after)
		}
		if p.last || len(after) > 0 {
			w.complete = true
			l.open--
		}
		l.cond.Broadcast()
		l.mu.Unlock()
	}
}

// readPage reads the next page of w. When the page shows more than
// WindowPages pages still to come and split is set, it returns the windows
// that read the rest of w instead (w is then complete after the page).
func (o *orders) readPage(ctx context.Context, field string, w *window, split bool) (windowPage, []*window, error) {
	s := o.s
	for {
		page, err := o.search(ctx, field, w.ge, w.to, w.token)
		if err != nil && w.token != "" && !w.restarted && errors.Is(err, ErrInvalidParam) {
			// The page token was refused (expired, or spent by an attempt
			// whose answer was lost): restart the window from the position
			// reached.
			s.restarts.Add(1)
			s.c.log.Info("tiktok page token refused; restarting the window from its position", "shop", s.c.Shop(),
				"field", field, "window_from", time.Unix(w.pos, 0).UTC().Format(time.RFC3339))
			w.ge, w.token, w.seen, w.restarted = w.pos, "", 0, true
			continue
		}
		if err != nil {
			return windowPage{}, nil, err
		}
		w.restarted = false
		w.seen += len(page.Orders)
		recs, ats := o.records(page, field)
		// The page's last second may continue on the next page.
		last := w.ge
		for _, at := range ats {
			if at > last && at < w.to {
				last = at
			}
		}
		if page.NextPageToken != "" && split {
			if after, cut := o.split(w, page, ats, last); after != nil {
				return windowPage{recs: recs[:cut:cut], pos: last}, after, nil
			}
		}
		w.pos = max(w.pos, last)
		w.token = page.NextPageToken
		return windowPage{recs: recs, pos: w.pos, last: page.NextPageToken == ""}, nil, nil
	}
}

// split returns the windows that read the rest of w after page, from the
// page's last second on, when the rest holds more than WindowPages pages
// (or its size is unknown and w is the whole range), and how many of the
// page's orders come before that second (the page is sorted by the
// field). It returns nil when w should rather follow its page token: few
// pages left, or no second boundary on the page (its orders share one
// second, or their times cannot be read).
func (o *orders) split(w *window, page SearchPage, ats []int64, last int64) ([]*window, int) {
	if last <= w.ge {
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
	if page.TotalCount > 0 {
		rest = max(page.TotalCount-w.seen, 0) + len(ats) - cut
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
	o.s.windows.Add(int64(len(after)))
	return after, cut
}

// plan cuts [from, to) into windows of about WindowPages pages for the
// estimated number of orders in it, evenly by time (at least one second
// each).
func (o *orders) plan(from, to int64, orders int) []*window {
	size := o.s.c.cfg.PageSize
	pages := (max(orders, 1) + size - 1) / size
	n := (pages + WindowPages - 1) / WindowPages
	if orders <= 0 { // no usable total_count: enough windows to overlap
		n = 2 * o.s.cfg.Concurrency
	}
	n = int(min(int64(n), to-from, 10000))
	n = max(n, 1)
	plan := make([]*window, n)
	span := to - from
	for i := range plan {
		lo := from + span*int64(i)/int64(n)
		plan[i] = &window{from: lo, to: from + span*int64(i+1)/int64(n), ge: lo, pos: lo}
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
		noteUnmapped(page.Orders[0], s.c.log)
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
// read at once, at most 64). ok is false when the app
// credentials are not set.
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
	cfg.RefreshBuffer = time.Duration(buf) * time.Second
	cfg.Lookback = time.Duration(look) * time.Minute
	if cfg.StartDate, err = platform.EnvDate(getenv, "TIKTOK_START_DATE", basis); err != nil {
		return cfg, false, err
	}
	if cfg.AppKey == "" || cfg.AppSecret == "" {
		return cfg, false, errors.New("tiktok: TIKTOK_APP_KEY and TIKTOK_APP_SECRET must both be set")
	}
	if cfg.AccessToken == "" && cfg.RefreshToken == "" {
		return cfg, false, errors.New("tiktok: TIKTOK_ACCESS_TOKEN or TIKTOK_REFRESH_TOKEN must be set")
	}
	return cfg, true, nil
}
