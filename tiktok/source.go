package tiktok

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/facolos/etl/connector"
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
// search_windows (windows read, the head page of a planned range counted as
// one), page_restarts (windows restarted from their position after a
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
// (each page token chains the next). Otherwise the first page of the whole
// range is read first (the head); if it is not the last, its total_count
// sizes a plan: the rest of the range, from the head's last second on, is
// cut into windows of about WindowPages pages each, evenly by time. Up to
// Concurrency windows are read at once, each page by page, and their pages
// are emitted strictly in window order, each with the checkpoint it
// completes: a checkpoint never covers a window whose pages are not all
// emitted before it, and it never holds a page token (a resumed run plans
// again from its position). Windows are half-open and disjoint, so no order
// is read twice (the head emits only the orders before its last second,
// which the first window reads).

// WindowPages is the number of pages a planned window is sized for: few
// enough windows that the partial last page of each costs little, enough
// that Concurrency windows overlap until the end of a large load.
const WindowPages = 6

// DefaultConcurrency is the number of windows read at once when
// Config.Concurrency is 0: at 20 calls/s and 300 ms per call, 6 calls must
// be in flight to use the budget; 8 leave room for jitter.
const DefaultConcurrency = 8

// window is a half-open range [from, to) of the walk's field, read page by
// page; its pages go to the emitter through pages, in order.
type window struct {
	from, to int64
	// pos and token continue a window whose first page was read already.
	pos   int64
	token string
	pages chan windowPage
}

// windowPage is one page of a window: its records, the window's position
// after it (the largest field value read so far in the window) and whether
// it is the window's last.
type windowPage struct {
	recs []connector.Record
	pos  int64
	last bool
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
	plan := []*window{{from: cp.From, to: cp.End}}
	if s.cfg.Concurrency > 1 {
		page, err := o.search(ctx, cp.Field, cp.From, cp.End, "")
		if err != nil {
			return err
		}
		recs, ats := o.records(page, cp.Field)
		if page.NextPageToken == "" {
			s.windows.Add(1)
			data, err := checkpoint(0, true)
			if err != nil {
				return err
			}
			return emit(ctx, connector.Page{Records: recs, Checkpoint: data})
		}
		// The head's last second may continue on the next page: its orders
		// are left to the first window, which starts there.
		last := cp.From
		for _, at := range ats {
			if at > last && at < cp.End {
				last = at
			}
		}
		// The page is sorted by the field: the orders from the first one at
		// the last second on (an order whose time cannot be read included)
		// are the first window's.
		cut := len(recs)
		for i, at := range ats {
			if at == last {
				cut = i
				break
			}
		}
		kept := recs[:cut:cut]
		plan = o.plan(last, cp.End, page.TotalCount-len(kept))
		if cut == len(recs) { // no order with a usable time: nothing to plan by
			plan = plan[:1]
		}
		if len(plan) > 1 {
			s.windows.Add(1) // the head
		}
		if len(plan) == 1 {
			// Too few pages to share out: the head's own pages follow.
			plan[0] = &window{from: cp.From, to: cp.End, pos: last, token: page.NextPageToken}
			kept = recs
		}
		data, err := checkpoint(last, false)
		if err != nil {
			return err
		}
		if err := emit(ctx, connector.Page{Records: kept, Checkpoint: data}); err != nil {
			return err
		}
	}
	s.windows.Add(int64(len(plan)))
	g, gctx := errgroup.WithContext(ctx)
	sem := make(chan struct{}, max(s.cfg.Concurrency, 1))
	for _, w := range plan {
		w.pages = make(chan windowPage, WindowPages)
	}
	// A window holds its slot until its last page is emitted, not just read:
	// at most Concurrency windows are read or waiting in memory at once, so
	// the pages held are bounded by Concurrency × WindowPages however far
	// the API runs ahead of the sink.
	g.Go(func() error { // start the windows in order, at most Concurrency at once
		for _, w := range plan {
			select {
			case sem <- struct{}{}:
			case <-gctx.Done():
				return gctx.Err()
			}
			g.Go(func() error {
				defer close(w.pages)
				return o.readWindow(gctx, cp.Field, w, func(p windowPage) error {
					select {
					case w.pages <- p:
						return nil
					case <-gctx.Done():
						return gctx.Err()
					}
				})
			})
		}
		return nil
	})
	g.Go(func() error { // emit in order
		for i, w := range plan {
			for {
				var p windowPage
				var ok bool
				select {
				case p, ok = <-w.pages:
				case <-gctx.Done():
					return gctx.Err()
				}
				if !ok {
					break
				}
				pos := p.pos
				if p.last {
					pos = w.to
				}
				data, err := checkpoint(pos, p.last && i == len(plan)-1)
				if err != nil {
					return err
				}
				if err := emit(gctx, connector.Page{Records: p.recs, Checkpoint: data}); err != nil {
					return err
				}
			}
			<-sem // window i is emitted: the next may start
		}
		return nil
	})
	return g.Wait()
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
		plan[i] = &window{from: from + span*int64(i)/int64(n), to: from + span*int64(i+1)/int64(n)}
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

// readWindow reads the window w page by page, handing each page to out.
func (o *orders) readWindow(ctx context.Context, field string, w *window, out func(windowPage) error) error {
	s := o.s
	// ge is the lower bound of the current scan; a page token belongs to
	// it. pos moves with every page, and a new scan starts there.
	ge, pos, token := w.from, max(w.pos, w.from), w.token
	restarted := false
	for {
		page, err := o.search(ctx, field, ge, w.to, token)
		if err != nil && token != "" && !restarted && errors.Is(err, ErrInvalidParam) {
			// The page token was refused (expired, or spent by an attempt
			// whose answer was lost): restart the window from the position
			// reached.
			s.restarts.Add(1)
			s.c.log.Info("tiktok page token refused; restarting the window from its position", "shop", s.c.Shop(),
				"field", field, "window_from", time.Unix(pos, 0).UTC().Format(time.RFC3339))
			ge, token, restarted = pos, "", true
			continue
		}
		if err != nil {
			return err
		}
		restarted = false
		recs, ats := o.records(page, field)
		for _, at := range ats {
			if at > pos && at < w.to {
				pos = at
			}
		}
		if err := out(windowPage{recs: recs, pos: pos, last: page.NextPageToken == ""}); err != nil {
			return err
		}
		if page.NextPageToken == "" {
			return nil
		}
		token = page.NextPageToken
	}
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
// TIKTOK_START_DATE (YYYY-MM-DD, Vietnam time), TIKTOK_TOKEN_REFRESH_BUFFER
// (seconds), ETL_INCREMENTAL_LOOKBACK_MINUTES, TIKTOK_CONCURRENCY (windows
// read at once, at most 64). ok is false when the app
// credentials are not set.
func ConfigFromEnv(getenv func(string) string) (cfg Config, ok bool, err error) {
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
	num := func(name string) (int64, error) {
		v := getenv(name)
		if v == "" {
			return 0, nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%s: %q is not a non-negative integer", name, v)
		}
		return n, nil
	}
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
	if v := getenv("TIKTOK_START_DATE"); v != "" {
		if cfg.StartDate, err = time.ParseInLocation(time.DateOnly, v, connector.Vietnam); err != nil {
			return cfg, false, fmt.Errorf("TIKTOK_START_DATE: %q is not YYYY-MM-DD", v)
		}
	}
	if cfg.AppKey == "" || cfg.AppSecret == "" {
		return cfg, false, errors.New("tiktok: TIKTOK_APP_KEY and TIKTOK_APP_SECRET must both be set")
	}
	if cfg.AccessToken == "" && cfg.RefreshToken == "" {
		return cfg, false, errors.New("tiktok: TIKTOK_ACCESS_TOKEN or TIKTOK_REFRESH_TOKEN must be set")
	}
	return cfg, true, nil
}
