package misa

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf16"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/platform"
)

// Source is one MISA CRM tenant. It implements connector.Source and
// connector.StatsSource.
type Source struct {
	c   *Client
	cfg Config

	pages, duplicates, newerDuplicates, passes, resumed, futureDated, repeated, shortPages, warehousesFailed atomic.Int64
}

// NewSource returns the source of the tenant in cfg. Its account
// (Config.Account, by default the AppID) names the tenant in the warehouse:
// at most TenantLength characters.
func NewSource(cfg Config) (*Source, error) {
	c, err := NewClient(cfg)
	if err != nil {
		return nil, err
	}
	if n := len(utf16.Encode([]rune(c.cfg.Account))); n > TenantLength {
		return nil, fmt.Errorf("misa: account %q has %d characters, more than the %d of the tenant column", c.cfg.Account, n, TenantLength)
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
// changed under them), short_pages (pages shorter than pageSize that more
// records followed: read through, see entity.run), and the API fields no
// column stores; warehouses_failed counts the warehouses whose stock on
// hand could not be read (see productStock.Read).
func (s *Source) Stats() map[string]any {
	st := map[string]any{"logins": s.c.Logins(), "http_retries": s.c.Retries(), "throttled": s.c.Throttled(), "pages": s.pages.Load(),
		"duplicates_dropped": s.duplicates.Load(), "newer_duplicates": s.newerDuplicates.Load(),
		"passes_completed": s.passes.Load(), "passes_resumed": s.resumed.Load(), "future_dated": s.futureDated.Load(),
		"passes_repeated": s.repeated.Load(), "short_pages": s.shortPages.Load(),
		"warehouses_failed": s.warehousesFailed.Load()}
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
	_ = eachMember(raw, func(k string, val []byte) error {
		if k == "modified_date" {
			if t, err := toTime(val); err == nil && t != nil {
				m.modified = t.(time.Time)
			}
			return nil
		}
		for i, f := range keyFields {
			if k == f {
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
			// No key (the transformer rejects it): only a repeat of the
			// same bytes on the previous page is dropped, so that a server
			// answering every page alike is seen not to advance.
			k := "\x00" + string(r)
			d.cur[k] = time.Time{}
			if _, ok := d.prev[k]; ok {
				repeats++
				d.s.duplicates.Add(1)
				continue
			}
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
	stuck, short := 0, 0
	// An incremental pass (the changes since the last one: short) keeps
	// every key it read, so that an older copy of a record further down the
	// list is recognised; a full pass only compares neighbouring pages
	// (dedupe), its memory stays flat.
	var passKeys map[string]time.Time
	if pass.Kind == "incremental" {
		passKeys = map[string]time.Time{}
	}
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
		// A page that only repeats the previous one: a one-based server
		// aliasing page 0 to 1 does it once; twice means paging does not
		// move, which must not pass for "done".
		if len(pg.Records) > 0 && repeats == len(pg.Records) {
			if stuck++; stuck > 1 {
				return fmt.Errorf("misa %s %s: page %d repeats the previous page: paging does not advance: %w", s.cfg.Account, e.name, page,
					&APIError{Endpoint: e.path, HTTPStatus: 200, Code: "invalid_response", Message: "page repeats the previous page"})
			}
		} else {
			stuck = 0
		}
		// Only an empty page ends a pass (or, incremental, a record older
		// than the cutoff): a short page may be followed by more.
		done := len(pg.Records) == 0
		if short > 0 && !done {
			s.shortPages.Add(1)
			s.c.log.Warn("misa page shorter than pageSize was followed by more records; reading on", "account", s.cfg.Account,
				"stream", e.name, "page", page-1, "records", short, "page_size", PageSize)
		}
		short = 0
		if n := len(pg.Records); n > 0 && n < PageSize {
			short = n
		}
		out := make([]connector.Record, 0, len(recs))
		for i, r := range recs {
			m := ms[i]
			if t, ok := passKeys[m.key]; ok && m.key != "" && !m.modified.After(t) {
				// An older copy of a record this pass already read, further
				// down the list (a lagging replica): neither stored nor, when
				// it is older than the cutoff, the end of the pass.
				s.duplicates.Add(1)
				continue
			}
			if pass.Kind == "incremental" && !m.modified.IsZero() && m.modified.Before(cutoff) {
				done = true
				break
			}
			if passKeys != nil && m.key != "" {
				passKeys[m.key] = m.modified
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
		var p Page
		err := connector.Guard("misa page fetcher", func() (err error) {
			p, err = f.fetch(f.ctx, page)
			return err
		})
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
// run the checkpoint names the warehouse to resume from.
type StockCheckpoint struct {
	// Stock is the async_id of the next warehouse to read ("" when the
	// last run went through every warehouse).
	Stock string `json:"stock,omitempty"`
}

// ErrWarehouse marks the error of a product_stock run in which one or more
// warehouses failed: their rows keep their previous values, the other
// warehouses are stored (see productStock.Read).
var ErrWarehouse = errors.New("misa: warehouse ledger failed")

// productStock reads /Stocks/product_ledger for every warehouse.
type productStock struct{ s *Source }

func (p *productStock) Name() string { return StreamProductStock }

// warehouse is one warehouse of /Stocks: its async_id, its name in errors
// (the stock_code) and what is wrong with it, if anything.
type warehouse struct {
	id, name string
	bad      error
}

// warehouses reads the warehouse list. A warehouse whose async_id is
// missing or not a UUID is kept with bad set: it fails alone.
func (p *productStock) warehouses(list Page) []warehouse {
	whs := make([]warehouse, len(list.Records))
	for i, r := range list.Records {
		w := &whs[i]
		w.id = meta(r, "async_id").key
		w.name = meta(r, "stock_code").key
		if w.name == "" {
			w.name = fmt.Sprintf("#%d of /Stocks", i+1)
		}
		raw, _ := json.Marshal(w.id)
		if w.id == "" {
			w.bad = errors.New("no async_id")
		} else if _, err := toUUID(raw); err != nil {
			w.bad = fmt.Errorf("async_id: %w", err)
		}
		if w.bad != nil {
			w.bad = &APIError{Endpoint: PathStocks, HTTPStatus: 200, Code: "invalid_response", Message: w.bad.Error()}
		}
	}
	return whs
}

// Read implements connector.Stream. Warehouses are read at once (up to
// Concurrency), each whole before any of its rows is emitted, and emitted
// in order, each with the checkpoint of the next. A warehouse that fails
// (a ledger page that fails after the retries, an answer of the wrong
// shape, a malformed async_id) is isolated: none of its rows is emitted, so
// its stored rows keep their previous values; it is logged and counted
// (stats warehouses_failed), the other warehouses are read and stored, and
// Read then returns an error (ErrWarehouse) naming every failed warehouse:
// the run ends failed, with the other warehouses committed.
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
	whs := p.warehouses(list)
	if len(whs) == 0 {
		data, _ := json.Marshal(StockCheckpoint{})
		return emit(ctx, connector.Page{Checkpoint: data})
	}
	start := 0
	for i, w := range whs {
		if cp.Stock != "" && w.id == cp.Stock {
			start = i
		}
	}
	type ledger struct {
		pages [][]connector.Record
		err   error
	}
	results := make([]chan ledger, len(whs))
	for i := range results {
		results[i] = make(chan ledger, 1)
	}
	// A slot is taken before a warehouse is read and given back once it is
	// emitted: at most Concurrency warehouses are held in memory.
	sem := make(chan struct{}, s.cfg.Concurrency)
	rctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := start; i < len(whs); i++ {
			select {
			case sem <- struct{}{}:
			case <-rctx.Done():
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				var l ledger
				if l.err = whs[i].bad; l.err == nil {
					l.err = connector.Guard("misa warehouse reader", func() (err error) {
						l.pages, err = p.readWarehouse(rctx, whs[i])
						return err
					})
				}
				results[i] <- l
			}()
		}
	}()
	var failed []error
	for i := start; i < len(whs); i++ {
		var l ledger
		select {
		case l = <-results[i]:
		case <-ctx.Done():
			return ctx.Err()
		}
		<-sem
		next := StockCheckpoint{}
		if i+1 < len(whs) {
			next.Stock = whs[i+1].id
		}
		data, _ := json.Marshal(next)
		if l.err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("misa %s product_stock: warehouse %s: %w", s.cfg.Account, whs[i].name, l.err)
			}
			s.warehousesFailed.Add(1)
			err := fmt.Errorf("warehouse %s: %w", whs[i].name, l.err)
			s.c.log.Warn("misa warehouse failed; its stock on hand keeps its previous rows, the other warehouses load", "account", s.cfg.Account,
				"warehouse", whs[i].name, "error", err)
			failed = append(failed, err)
			l.pages = nil
		}
		if len(l.pages) == 0 {
			l.pages = [][]connector.Record{nil}
		}
		for j, recs := range l.pages {
			pg := connector.Page{Records: recs}
			if j == len(l.pages)-1 {
				pg.Checkpoint = data
			}
			if err := emit(ctx, pg); err != nil {
				return err
			}
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("misa %s product_stock: %d of %d warehouses failed and keep their previous rows, the others are stored: %w: %w",
			s.cfg.Account, len(failed), len(whs)-start, ErrWarehouse, errors.Join(failed...))
	}
	return nil
}

// readWarehouse reads the whole stock on hand of one warehouse, one page
// after the other until an empty page, and returns its rows (named with
// the warehouse) page by page. When the ledger reports total_records, fewer
// distinct rows than that is an error (rows went missing), not a snapshot.
func (p *productStock) readWarehouse(ctx context.Context, w warehouse) ([][]connector.Record, error) {
	s := p.s
	seen := map[string]bool{}
	stockID, _ := json.Marshal(w.id)
	stockCode, _ := json.Marshal(w.name)
	var pages [][]connector.Record
	var total int64
	stuck := 0
	for page := 0; ; page++ {
		pg, err := s.c.List(ctx, PathProductLedger, page, url.Values{"stockID": {w.id}})
		if err != nil {
			return nil, fmt.Errorf("page %d: %w", page, err)
		}
		s.pages.Add(1)
		if len(pg.Records) == 0 {
			break
		}
		if pg.TotalRecords > 0 {
			total = pg.TotalRecords
		}
		var recs []connector.Record
		repeats := 0
		for n, r := range pg.Records {
			if r[0] != '{' {
				return nil, fmt.Errorf("page %d: row %d is %s, not an object: %w", page, n, describeRaw(r),
					&APIError{Endpoint: PathProductLedger, HTTPStatus: 200, Code: "invalid_response", Message: "ledger row is not an object"})
			}
			pcode := meta(r, "product_code").key
			key, seenAs := w.id+"/"+pcode, pcode
			if pcode == "" {
				seenAs = "\x00" + string(r) // no product_code: the transformer rejects it
			}
			if seen[seenAs] {
				repeats++
				s.duplicates.Add(1)
				continue
			}
			seen[seenAs] = true
			// The row does not name its warehouse: add it.
			data := make([]byte, 0, len(r)+len(stockID)+len(stockCode)+40)
			data = append(data, `{"stock_async_id":`...)
			data = append(data, stockID...)
			data = append(data, `,"stock_code":`...)
			data = append(data, stockCode...)
			if c, ok := firstByte(r[1:]); ok && c != '}' {
				data = append(data, ',')
			}
			data = append(data, r[1:]...)
			recs = append(recs, connector.Record{Key: key, Data: data})
		}
		// A page of rows already read: a one-based server aliases page 0
		// to 1 once; twice means paging does not advance.
		if repeats == len(pg.Records) {
			if stuck++; stuck > 1 {
				return nil, fmt.Errorf("page %d repeats earlier rows: paging does not advance: %w", page,
					&APIError{Endpoint: PathProductLedger, HTTPStatus: 200, Code: "invalid_response", Message: "page repeats earlier rows"})
			}
		} else {
			stuck = 0
		}
		pages = append(pages, recs)
	}
	if total > int64(len(seen)) {
		return nil, fmt.Errorf("%d rows read, total_records says %d: %w", len(seen), total,
			&APIError{Endpoint: PathProductLedger, HTTPStatus: 200, Code: "invalid_response", Message: "fewer rows than total_records"})
	}
	return pages, nil
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
