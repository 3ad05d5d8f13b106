package misa

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/platform"
	"golang.org/x/sync/errgroup"
)

// Source is one MISA CRM tenant. It implements connector.Source and
// connector.StatsSource.
type Source struct {
	c   *Client
	cfg Config

	pages, duplicates, newerDuplicates, passes, resumed, futureDated, repeated atomic.Int64
}

// NewSource returns the source of the tenant in cfg.
func NewSource(cfg Config) (*Source, error) {
	c, err := NewClient(cfg)
	if err != nil {
		return nil, err
	}
	return &Source{c: c, cfg: c.cfg}, nil
}

// Client returns the source's API client.
func (s *Source) Client() *Client { return s.c }

// Streams implements connector.Source: customers, sale_orders, contacts,
// products, stocks and product_stock, in that order.
func (s *Source) Streams() []connector.Stream {
	return []connector.Stream{
		&entity{s: s, name: StreamCustomers, path: PathCustomers},
		&entity{s: s, name: StreamSaleOrders, path: PathSaleOrders},
		&entity{s: s, name: StreamContacts, path: PathContacts},
		&entity{s: s, name: StreamProducts, path: PathProducts},
		&stocks{s: s},
		&productStock{s: s},
	}
}

// StreamParallelism implements connector.ParallelSource: the six streams
// are independent and may all be read at once (the client's rate limit and
// Config.Concurrency per stream bound the requests in flight; the runner's
// StreamParallel caps it).
func (s *Source) StreamParallelism() int { return 6 }

// APICalls implements connector.StatsSource.
func (s *Source) APICalls() map[string]int64 { return s.c.APICalls() }

// Stats implements connector.StatsSource: logins (POST /Account),
// http_retries, pages read, duplicates dropped (a record seen again as
// pages shift under a newest-first read, or twice in one answer),
// newer_duplicates kept, passes completed, passes resumed from a
// checkpoint, future_dated records (modified more than an hour after the
// client's clock: stored, but kept out of the watermark), passes_repeated
// (concurrent full passes read again one page at a time because the list
// changed under them), and the API fields no column stores.
func (s *Source) Stats() map[string]any {
	st := map[string]any{"logins": s.c.Logins(), "http_retries": s.c.Retries(), "throttled": s.c.Throttled(), "pages": s.pages.Load(),
		"duplicates_dropped": s.duplicates.Load(), "newer_duplicates": s.newerDuplicates.Load(),
		"passes_completed": s.passes.Load(), "passes_resumed": s.resumed.Load(), "future_dated": s.futureDated.Load(),
		"passes_repeated": s.repeated.Load()}
	if u := Unmapped(); len(u) > 0 {
		st["unmapped_fields"] = u
	}
	return st
}

// Checkpoint is the cursor of a paged entity stream.
//
// Watermark is the newest modified_date of the last completed pass: every
// record modified at or before it is stored. A pass reads newest first
// from page 0; while it runs, Pass holds its progress and Watermark keeps
// its old value, so a pass cut on page 7 of 12 resumes at page 7 and a
// crash never moves the watermark past records not yet stored. Only the
// checkpoint of the pass's last page moves Watermark to the newest
// modified_date the pass saw. The next incremental pass reads until the
// first record older than Watermark - lookback.
type Checkpoint struct {
	Watermark string `json:"watermark,omitempty"`
	Pass      *Pass  `json:"pass,omitempty"`
}

// Pass is the progress of a pass in flight.
type Pass struct {
	// Kind is "full" (every page) or "incremental" (until Cutoff).
	Kind string `json:"kind"`
	// Page is the next page to read (0-based).
	Page int `json:"page"`
	// Cutoff: the pass stops at the first record modified before it.
	Cutoff string `json:"cutoff,omitempty"`
	// Newest is the newest modified_date the pass has seen.
	Newest string `json:"newest,omitempty"`
	// Head identifies the first record of page 0 when a concurrent full
	// pass began (key@modified_date): the pass is exact only if page 0
	// still starts with it when the pass ends (see entity.run).
	Head string `json:"head,omitempty"`
	// Sequential: the pass reads one page at a time (a concurrent pass
	// under which the list changed is read again this way).
	Sequential bool `json:"sequential,omitempty"`
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func parseCPTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}

// recMeta is what a stream needs of a record: its key and modified_date.
type recMeta struct {
	key      string
	modified time.Time
}

// meta scans a record for its key fields and modified_date.
func meta(raw []byte, keyFields ...string) recMeta {
	var m recMeta
	var vals [2]string
	_ = eachMember(raw, func(key, val []byte) error {
		k := key[1 : len(key)-1] // keys with escapes do not match: none of these has one
		if string(k) == "modified_date" {
			if t, err := toTime(val); err == nil && t != nil {
				m.modified = t.(time.Time)
			}
			return nil
		}
		for i, f := range keyFields {
			if string(k) == f {
				if s, ok := rawString(val); ok {
					vals[i] = s
				} else if len(val) > 0 && val[0] != 'n' {
					vals[i] = string(val)
				}
			}
		}
		return nil
	})
	for i := range keyFields {
		if vals[i] == "" {
			return recMeta{modified: m.modified}
		}
		if i > 0 {
			m.key += "/"
		}
		m.key += vals[i]
	}
	return m
}

// dedupe keeps, across the current and the previous page of a pass, one
// version of every key: the newest by modified_date. Newest-first pages
// shift while they are read (a record modified meanwhile moves to page 0,
// pushing the others down), so the head of a page can repeat the tail of
// the previous one; a one-based server repeats a whole page.
type dedupe struct {
	s         *Source
	prev, cur map[string]time.Time
}

func newDedupe(s *Source) *dedupe {
	return &dedupe{s: s, prev: map[string]time.Time{}, cur: map[string]time.Time{}}
}

// page filters recs (in server order), returning the records to emit.
func (d *dedupe) page(recs []json.RawMessage, metas []recMeta) (out []json.RawMessage, outMeta []recMeta, repeats int) {
	d.prev, d.cur = d.cur, d.prev
	clear(d.cur)
	pos := map[string]int{}
	for i, r := range recs {
		m := metas[i]
		if m.key == "" {
			out, outMeta = append(out, r), append(outMeta, m)
			continue
		}
		if j, ok := pos[m.key]; ok { // twice in one answer: keep the newest
			d.s.duplicates.Add(1)
			repeats++
			if m.modified.After(outMeta[j].modified) {
				out[j], outMeta[j] = r, m
				d.cur[m.key] = m.modified
			}
			continue
		}
		if t, ok := d.prev[m.key]; ok {
			repeats++
			if !m.modified.After(t) {
				d.s.duplicates.Add(1)
				d.cur[m.key] = t
				continue
			}
			d.s.newerDuplicates.Add(1)
		}
		pos[m.key] = len(out)
		d.cur[m.key] = m.modified
		out, outMeta = append(out, r), append(outMeta, m)
	}
	return out, outMeta, repeats
}

// entity is a paged entity stream (customers, sale orders, contacts,
// products).
type entity struct {
	s    *Source
	name string
	path string
}

func (e *entity) Name() string { return e.name }

// Read implements connector.Stream.
func (e *entity) Read(ctx context.Context, opts connector.ReadOptions, emit connector.EmitFunc) error {
	s := e.s
	var cp Checkpoint
	if opts.Checkpoint != nil {
		if err := json.Unmarshal(opts.Checkpoint, &cp); err != nil {
			return fmt.Errorf("misa %s %s: bad checkpoint: %w", s.cfg.Account, e.name, err)
		}
	}
	watermark, err := parseCPTime(cp.Watermark)
	if err != nil {
		return fmt.Errorf("misa %s %s: bad checkpoint watermark: %w", s.cfg.Account, e.name, err)
	}
	pass := cp.Pass
	switch {
	case pass != nil:
		s.resumed.Add(1)
		s.c.log.Info("misa resuming pass", "account", s.cfg.Account, "stream", e.name, "kind", pass.Kind, "page", pass.Page)
	case watermark.IsZero():
		pass = &Pass{Kind: "full"}
	default:
		pass = &Pass{Kind: "incremental", Cutoff: fmtTime(watermark.Add(-s.cfg.Lookback))}
	}
	return e.run(ctx, watermark, *pass, emit)
}

func (e *entity) run(ctx context.Context, watermark time.Time, pass Pass, emit connector.EmitFunc) error {
	s := e.s
	cutoff, err := parseCPTime(pass.Cutoff)
	if err != nil {
		return fmt.Errorf("misa %s %s: bad checkpoint cutoff: %w", s.cfg.Account, e.name, err)
	}
	newest, err := parseCPTime(pass.Newest)
	if err != nil {
		return fmt.Errorf("misa %s %s: bad checkpoint: %w", s.cfg.Account, e.name, err)
	}
	// A full pass reads up to Concurrency pages at once, after page 0 was
	// read alone (see the comment on concurrent passes below); a pass
	// resumed without the head of its page 0 reads one page at a time.
	conc := 1
	if pass.Kind == "full" && !pass.Sequential && (pass.Page == 0 || pass.Head != "") {
		conc = s.cfg.Concurrency
	}
	pctx, cancel := context.WithCancel(ctx)
	var f *fetcher
	defer func() {
		cancel()
		if f != nil {
			f.stop()
		}
	}()
	first := conc
	if pass.Page == 0 {
		first = 1 // page 0 alone: its head is read before any other page
	}
	f = newFetcher(pctx, first, conc, pass.Page, func(ctx context.Context, page int) (Page, error) {
		return s.c.List(ctx, e.path, page, nil)
	})
	dd := newDedupe(s)
	stuck := 0
	horizon := s.cfg.Now().Add(time.Hour)
	for page := pass.Page; ; page++ {
		pg, err := f.next()
		if err != nil {
			return fmt.Errorf("misa %s %s: page %d (%s pass, watermark %s): %w", s.cfg.Account, e.name, page, pass.Kind, fmtTime(watermark), err)
		}
		s.pages.Add(1)
		metas := make([]recMeta, len(pg.Records))
		for i, r := range pg.Records {
			metas[i] = meta(r, "id")
		}
		if page == 0 && conc > 1 {
			pass.Head = head(pg.Records, metas)
		}
		recs, ms, repeats := dd.page(pg.Records, metas)
		// A full page that only repeats the previous one: a one-based
		// server aliasing page 0 to 1 does it once; twice means paging does
		// not move, which must not pass for "done".
		if len(pg.Records) == PageSize && repeats == len(pg.Records) {
			if stuck++; stuck > 1 {
				return fmt.Errorf("misa %s %s: page %d repeats the previous page: paging does not advance: %w", s.cfg.Account, e.name, page,
					&APIError{Endpoint: e.path, HTTPStatus: 200, Code: "invalid_response", Message: "page repeats the previous page"})
			}
		} else {
			stuck = 0
		}
		done := len(pg.Records) < PageSize
		out := make([]connector.Record, 0, len(recs))
		for i, r := range recs {
			m := ms[i]
			if pass.Kind == "incremental" && !m.modified.IsZero() && m.modified.Before(cutoff) {
				done = true
				break
			}
			switch {
			case m.modified.After(horizon):
				// A date far in the future would lift the watermark past
				// every later change: stored, but not trusted as a watermark.
				s.futureDated.Add(1)
			case m.modified.After(newest):
				newest = m.modified
			}
			out = append(out, connector.Record{Key: m.key, Data: r})
		}
		// A concurrent pass that read more than one page ends with a check
		// (below); until then its last page is checkpointed like any other.
		check := done && conc > 1 && (f.overlapped || pass.Page > 0)
		next := Checkpoint{Watermark: fmtTime(watermark)}
		if done && !check {
			if newest.After(watermark) {
				next.Watermark = fmtTime(newest)
			}
		} else {
			np := pass
			np.Page, np.Newest = page+1, fmtTime(newest)
			next.Pass = &np
		}
		data, err := json.Marshal(next)
		if err != nil {
			return err
		}
		if err := emit(ctx, connector.Page{Records: out, Checkpoint: data}); err != nil {
			return err
		}
		if check {
			cancel() // the pages asked for beyond the end
			f.stop()
			return e.finishConcurrent(ctx, watermark, newest, pass, emit)
		}
		if done {
			s.passes.Add(1)
			return nil
		}
		if page == 0 && len(pg.Records) == PageSize {
			f.n = f.limit // page 0 was read alone; the list has more
		}
		f.launch()
	}
}

// Concurrent passes. Pages are offsets into a newest-first list, and a
// record created or modified while a pass runs moves to the head of it,
// pushing every record before its old place one place down. Read one page
// after the other, that only repeats a record at a page boundary (dropped as
// a duplicate). Read at once, a page may be answered after a later one: if
// the list shifted between the two answers, the record pushed across their
// boundary is in neither, and it is an old record no incremental pass will
// read again. So a concurrent full pass reads page 0 alone first and notes
// the record at its head; when all pages are in, it reads page 0 once more.
// The same head means nothing moved to the head while any page was read:
// the pass is exact and its watermark is stored. Another head means the list
// changed under the pass: the pass is read again, one page at a time (the
// checkpoint says so), and only that pass moves the watermark.

// head identifies the first record of a page: key@modified_date, or its
// bytes when it has no key.
func head(recs []json.RawMessage, metas []recMeta) string {
	if len(recs) == 0 {
		return "-"
	}
	if metas[0].key == "" {
		return "raw:" + string(recs[0])
	}
	return metas[0].key + "@" + fmtTime(metas[0].modified)
}

// finishConcurrent checks the head of page 0 at the end of a concurrent
// full pass, and completes the pass or reads it again one page at a time.
func (e *entity) finishConcurrent(ctx context.Context, watermark, newest time.Time, pass Pass, emit connector.EmitFunc) error {
	s := e.s
	pg, err := s.c.List(ctx, e.path, 0, nil)
	if err != nil {
		return fmt.Errorf("misa %s %s: page 0 (end of the full pass, watermark %s): %w", s.cfg.Account, e.name, fmtTime(watermark), err)
	}
	s.pages.Add(1)
	metas := make([]recMeta, len(pg.Records))
	for i, r := range pg.Records {
		metas[i] = meta(r, "id")
	}
	if head(pg.Records, metas) == pass.Head {
		next := Checkpoint{Watermark: fmtTime(watermark)}
		if newest.After(watermark) {
			next.Watermark = fmtTime(newest)
		}
		data, err := json.Marshal(next)
		if err != nil {
			return err
		}
		if err := emit(ctx, connector.Page{Checkpoint: data}); err != nil {
			return err
		}
		s.passes.Add(1)
		return nil
	}
	s.repeated.Add(1)
	s.c.log.Info("misa list changed during a concurrent full pass; reading it again one page at a time", "account", s.cfg.Account,
		"stream", e.name)
	again := Pass{Kind: "full", Sequential: true}
	data, err := json.Marshal(Checkpoint{Watermark: fmtTime(watermark), Pass: &again})
	if err != nil {
		return err
	}
	if err := emit(ctx, connector.Page{Checkpoint: data}); err != nil {
		return err
	}
	return e.run(ctx, watermark, again, emit)
}

// fetcher requests pages start, start+1, ... with up to n in flight (up to
// limit) and hands them out in order.
type fetcher struct {
	ctx      context.Context
	n, limit int
	next_    int
	fetch    func(context.Context, int) (Page, error)
	inflight []chan fetched
	// overlapped: two requests were in flight at once.
	overlapped bool
}

type fetched struct {
	p   Page
	err error
}

func newFetcher(ctx context.Context, first, limit, start int, fetch func(context.Context, int) (Page, error)) *fetcher {
	f := &fetcher{ctx: ctx, n: max(first, 1), limit: max(limit, 1), next_: start, fetch: fetch}
	f.launch()
	return f
}

// launch requests pages until n are in flight.
func (f *fetcher) launch() {
	for len(f.inflight) < f.n {
		f.launchOne()
	}
}

func (f *fetcher) launchOne() {
	if len(f.inflight) > 0 {
		f.overlapped = true
	}
	ch := make(chan fetched, 1)
	page := f.next_
	f.next_++
	go func() {
		p, err := f.fetch(f.ctx, page)
		ch <- fetched{p, err}
	}()
	f.inflight = append(f.inflight, ch)
}

// next returns the next page in order; the caller then launches the
// request of one more page if it wants more.
func (f *fetcher) next() (Page, error) {
	r := <-f.inflight[0]
	f.inflight = f.inflight[1:]
	return r.p, r.err
}

// stop waits for the requests in flight (the caller cancels their context
// first).
func (f *fetcher) stop() {
	for _, ch := range f.inflight {
		<-ch
	}
	f.inflight = nil
}

// stocks is the warehouse list: one unpaged call, read whole every run.
type stocks struct{ s *Source }

func (st *stocks) Name() string { return StreamStocks }

// Read implements connector.Stream.
func (st *stocks) Read(ctx context.Context, _ connector.ReadOptions, emit connector.EmitFunc) error {
	s := st.s
	pg, err := s.c.Stocks(ctx)
	if err != nil {
		return fmt.Errorf("misa %s stocks: %w", s.cfg.Account, err)
	}
	s.pages.Add(1)
	metas := make([]recMeta, len(pg.Records))
	for i, r := range pg.Records {
		metas[i] = meta(r, "stock_code")
	}
	recs, ms, _ := newDedupe(s).page(pg.Records, metas)
	out := make([]connector.Record, len(recs))
	var newest time.Time
	for i, r := range recs {
		out[i] = connector.Record{Key: ms[i].key, Data: r}
		if ms[i].modified.After(newest) {
			newest = ms[i].modified
		}
	}
	data, _ := json.Marshal(Checkpoint{Watermark: fmtTime(newest)})
	return emit(ctx, connector.Page{Records: out, Checkpoint: data})
}

// StockCheckpoint is the cursor of the product_stock stream: the stock on
// hand is a snapshot read whole every run, warehouse by warehouse; inside a
// run the checkpoint holds the warehouse and page to resume from.
type StockCheckpoint struct {
	// Stock is the async_id of the warehouse being read ("" when the last
	// run completed).
	Stock string `json:"stock,omitempty"`
	Page  int    `json:"page,omitempty"`
}

// productStock reads /Stocks/product_ledger for every warehouse.
type productStock struct{ s *Source }

func (p *productStock) Name() string { return StreamProductStock }

// Read implements connector.Stream.
func (p *productStock) Read(ctx context.Context, opts connector.ReadOptions, emit connector.EmitFunc) error {
	s := p.s
	var cp StockCheckpoint
	if opts.Checkpoint != nil {
		if err := json.Unmarshal(opts.Checkpoint, &cp); err != nil {
			return fmt.Errorf("misa %s product_stock: bad checkpoint: %w", s.cfg.Account, err)
		}
	}
	list, err := s.c.Stocks(ctx)
	if err != nil {
		return fmt.Errorf("misa %s product_stock: warehouse list: %w", s.cfg.Account, err)
	}
	type wh struct{ id, code string }
	var whs []wh
	for _, r := range list.Records {
		m := meta(r, "async_id")
		code := meta(r, "stock_code").key
		if m.key == "" {
			return fmt.Errorf("misa %s product_stock: a warehouse of /Stocks has no async_id: %w", s.cfg.Account,
				&APIError{Endpoint: PathStocks, HTTPStatus: 200, Code: "invalid_response", Message: "warehouse without async_id"})
		}
		whs = append(whs, wh{m.key, code})
	}
	start := 0
	if cp.Stock != "" && len(whs) > 0 {
		for i, w := range whs {
			if w.id == cp.Stock {
				start = i
			}
		}
		if whs[start].id != cp.Stock {
			cp.Page = 0 // the warehouse is gone: start over
		}
	}
	// Warehouses are read at once (up to Concurrency), each page after
	// page, and emitted in order.
	type ledgerPage struct {
		recs []connector.Record
		next StockCheckpoint
	}
	g, gctx := errgroup.WithContext(ctx)
	sem := make(chan struct{}, s.cfg.Concurrency)
	chans := make([]chan ledgerPage, len(whs))
	for i := start; i < len(whs); i++ {
		chans[i] = make(chan ledgerPage, 4)
	}
	g.Go(func() error {
		for i := start; i < len(whs); i++ {
			select {
			case sem <- struct{}{}:
			case <-gctx.Done():
				return gctx.Err()
			}
			g.Go(func() error {
				defer func() { <-sem }()
				defer close(chans[i])
				page := 0
				if i == start && whs[i].id == cp.Stock {
					page = cp.Page
				}
				return p.readWarehouse(gctx, whs[i].id, whs[i].code, page, func(recs []connector.Record, nextPage int, done bool) error {
					next := StockCheckpoint{Stock: whs[i].id, Page: nextPage}
					if done {
						next = StockCheckpoint{}
						if i+1 < len(whs) {
							next = StockCheckpoint{Stock: whs[i+1].id}
						}
					}
					select {
					case chans[i] <- ledgerPage{recs, next}:
						return nil
					case <-gctx.Done():
						return gctx.Err()
					}
				})
			})
		}
		return nil
	})
	g.Go(func() error {
		for i := start; i < len(whs); i++ {
			for {
				var lp ledgerPage
				var ok bool
				select {
				case lp, ok = <-chans[i]:
				case <-gctx.Done():
					return gctx.Err()
				}
				if !ok {
					break
				}
				data, _ := json.Marshal(lp.next)
				if err := emit(gctx, connector.Page{Records: lp.recs, Checkpoint: data}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		return err
	}
	if len(whs) == 0 {
		data, _ := json.Marshal(StockCheckpoint{})
		return emit(ctx, connector.Page{Checkpoint: data})
	}
	return nil
}

// readWarehouse reads the stock on hand of one warehouse from page on,
// one page after the other, handing out each page's rows (named with the
// warehouse), the next page and whether it was the last.
func (p *productStock) readWarehouse(ctx context.Context, id, code string, page int, out func([]connector.Record, int, bool) error) error {
	s := p.s
	seen := map[string]bool{}
	stockID, _ := json.Marshal(id)
	stockCode, _ := json.Marshal(code)
	for ; ; page++ {
		pg, err := s.c.List(ctx, PathProductLedger, page, url.Values{"stockID": {id}})
		if err != nil {
			return fmt.Errorf("misa %s product_stock: warehouse %s page %d: %w", s.cfg.Account, code, page, err)
		}
		s.pages.Add(1)
		var recs []connector.Record
		repeats := 0
		for _, r := range pg.Records {
			pcode := meta(r, "product_code").key
			key := id + "/" + pcode
			if pcode != "" && seen[key] {
				repeats++
				s.duplicates.Add(1)
				continue
			}
			seen[key] = true
			// The row does not name its warehouse: add it.
			data := make([]byte, 0, len(r)+len(stockID)+len(stockCode)+40)
			data = append(data, `{"stock_async_id":`...)
			data = append(data, stockID...)
			data = append(data, `,"stock_code":`...)
			data = append(data, stockCode...)
			if body := r[skipSpace(r, 1):]; len(body) > 0 && body[0] != '}' {
				data = append(data, ',')
			}
			data = append(data, r[skipSpace(r, 0)+1:]...)
			recs = append(recs, connector.Record{Key: key, Data: data})
		}
		// total_pages is not trusted to end the read: its page base is
		// as uncertain as the request's. A short or empty page ends it.
		done := len(pg.Records) < PageSize
		if !done && repeats == len(pg.Records) && page > 1 {
			return fmt.Errorf("misa %s product_stock: warehouse %s page %d repeats earlier rows: paging does not advance", s.cfg.Account, code, page)
		}
		if err := out(recs, page+1, done); err != nil {
			return err
		}
		if done {
			return nil
		}
	}
}

// ConfigFromEnv reads the MISA_CRM_* variables: MISA_CRM_CLIENT_ID,
// MISA_CRM_CLIENT_SECRET, MISA_CRM_ACCESS_TOKEN, MISA_CRM_BASE_URL,
// MISA_CRM_TOKEN_REFRESH_BUFFER (seconds) and
// MISA_CRM_INCREMENTAL_LOOKBACK_MINUTES and MISA_CRM_CONCURRENCY (pages a
// full pass requests at once, at most 64). ok is false when the credentials
// are not set.
func ConfigFromEnv(getenv func(string) string) (cfg Config, ok bool, err error) {
	if getenv("MISA_CRM_CLIENT_ID") == "" && getenv("MISA_CRM_CLIENT_SECRET") == "" {
		return cfg, false, nil
	}
	num := func(name string) (int64, error) { return platform.EnvInt(getenv, name) }
	buf, err := num("MISA_CRM_TOKEN_REFRESH_BUFFER")
	if err != nil {
		return cfg, false, err
	}
	look, err := num("MISA_CRM_INCREMENTAL_LOOKBACK_MINUTES")
	if err != nil {
		return cfg, false, err
	}
	conc, err := num("MISA_CRM_CONCURRENCY")
	if err != nil {
		return cfg, false, err
	}
	cfg.Concurrency = int(min(conc, 64))
	cfg.ClientID = getenv("MISA_CRM_CLIENT_ID")
	cfg.ClientSecret = getenv("MISA_CRM_CLIENT_SECRET")
	cfg.AccessToken = getenv("MISA_CRM_ACCESS_TOKEN")
	cfg.BaseURL = getenv("MISA_CRM_BASE_URL")
	cfg.RefreshBuffer = time.Duration(buf) * time.Second
	cfg.Lookback = time.Duration(look) * time.Minute
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		return cfg, false, fmt.Errorf("misa: MISA_CRM_CLIENT_ID and MISA_CRM_CLIENT_SECRET must both be set")
	}
	return cfg, true, nil
}
