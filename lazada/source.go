package lazada

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
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

	lists, windows, splits, passes, itemRetries atomic.Int64
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
	return &Source{c: c, cfg: c.cfg}, nil
}

// Client returns the source's API client.
func (s *Source) Client() *Client { return s.c }

// Streams implements connector.Source: one stream, "orders" (each order
// with its items).
func (s *Source) Streams() []connector.Stream { return []connector.Stream{&orders{s: s}} }

// APICalls implements connector.StatsSource.
func (s *Source) APICalls() map[string]int64 { return s.c.APICalls() }

// Stats implements connector.StatsSource: list_calls (/orders/get pages
// read), windows (windows read), window_splits (windows split before
// being read on), reread_passes (passes over a create second with more
// updated orders than a page), item_retries (items calls repeated for
// orders an answer left out), token_refreshes, http_retries, throttled.
func (s *Source) Stats() map[string]any {
	return map[string]any{"list_calls": s.lists.Load(), "windows": s.windows.Load(), "window_splits": s.splits.Load(),
		"reread_passes": s.passes.Load(), "item_retries": s.itemRetries.Load(), "token_refreshes": s.c.Refreshes(),
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

// job is a page of orders on its way downstream: its items are fetched
// while later pages are read; pages are emitted in the order read.
type job struct {
	done chan struct{}
	recs []connector.Record
	err  error
	cp   []byte
}

// run reads the range, fetching every page's items with up to Concurrency
// item calls in flight, and emits the pages in order, each with the
// checkpoint it completes.
func (o *orders) run(ctx context.Context, cp Checkpoint, emit connector.EmitFunc) error {
	s := o.s
	conc := s.cfg.Concurrency
	jobs := make(chan *job, conc)
	sem := make(chan struct{}, conc)
	g, gctx := errgroup.WithContext(ctx)
	// send queues a page: pos is the new From (every order before it is
	// in this page or an earlier one), final ends the range.
	send := func(page []json.RawMessage, rid string, pos int64, final bool, created int64) error {
		next := cp
		next.From, next.Created = pos, created
		if final {
			next = Checkpoint{Phase: "incremental", Watermark: cp.End}
		}
		data, err := json.Marshal(next)
		if err != nil {
			return err
		}
		j := &job{done: make(chan struct{}), cp: data}
		g.Go(func() error {
			defer close(j.done)
			j.recs, j.err = o.withItems(gctx, page, rid, sem)
			return nil
		})
		select {
		case jobs <- j:
			return nil
		case <-gctx.Done():
			return gctx.Err()
		}
	}
	g.Go(func() error {
		defer close(jobs)
		var err error
		if cp.Field == "created_at" {
			err = o.full(gctx, cp, send)
		} else {
			err = o.incremental(gctx, cp, send)
		}
		return err
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

type sendFunc func(page []json.RawMessage, rid string, pos int64, final bool, created int64) error

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
// order at an edge is read by both windows; the upsert makes it harmless).
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

// full reads created_at windows in time order by offset paging, sorted by
// created_at (which never changes, so an order updated during the read
// does not move in the list). A window whose countTotal shows more orders
// than the pages up to the offset cap hold is split before it is read on;
// without countTotal, a window that reaches the cap goes on from the
// create time of the last order read, at offset 0. The orders read from
// a first page to the end of a window are checked against its countTotal:
// a shortfall is an error.
func (o *orders) full(ctx context.Context, cp Checkpoint, send sendFunc) error {
	s := o.s
	queue := []window{{cp.From, cp.End}}
	for len(queue) > 0 {
		w := queue[0]
		queue = queue[1:]
		s.windows.Add(1)
		offset, read, total, seen := 0, map[string]bool{}, -1, w.from
		for {
			page, err := o.list(ctx, ListRequest{Field: "created_at", From: w.from, To: w.to, Offset: offset, Limit: MaxLimit})
			if err != nil {
				return err
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
			ats, err := times(page.Orders, "created_at")
			if err == nil {
				err = ats.ascending(seen, page.RequestID)
			}
			if err != nil {
				return fmt.Errorf("lazada seller %s: %w", s.c.SellerID(), err)
			}
			for _, id := range ats.ids {
				read[id] = true
			}
			last := len(page.Orders) < MaxLimit
			if last && total >= 0 && len(read) < total {
				return badResponse(PathOrders, page.RequestID, fmt.Sprintf("window [%s, %s] ended after %d orders, countTotal said %d",
					time.Unix(w.from, 0).UTC().Format(time.RFC3339), time.Unix(w.to, 0).UTC().Format(time.RFC3339), len(read), total))
			}
			if total >= 0 && offset == 0 && len(page.Orders) > total {
				return badResponse(PathOrders, page.RequestID, fmt.Sprintf("a page of %d orders with countTotal %d", len(page.Orders), total))
			}
			pos := seen
			if len(ats.at) > 0 {
				pos = ats.at[len(ats.at)-1]
				seen = pos
			}
			if last {
				pos = w.to
			}
			if err := send(page.Orders, page.RequestID, pos, last && len(queue) == 0, 0); err != nil {
				return err
			}
			if last {
				break
			}
			offset += MaxLimit
			if offset > s.cfg.OffsetCap {
				// Without a usable countTotal the window reached the cap:
				// go on from the last create time read, at offset 0.
				if pos <= w.from {
					return fmt.Errorf("lazada seller %s: more than %d orders created in the second %s", s.c.SellerID(), o.capacity(),
						time.Unix(w.from, 0).UTC().Format(time.RFC3339))
				}
				w.from, offset, read, total = pos, 0, map[string]bool{}, -1
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
func (o *orders) incremental(ctx context.Context, cp Checkpoint, send sendFunc) error {
	s := o.s
	s.windows.Add(1)
	c := max(cp.Created, createdFloor)
	var held map[string]bool // ids of second c already sent
	for {
		r := ListRequest{Field: "updated_at", From: cp.From, To: cp.End, CreatedAfter: c, Limit: MaxLimit}
		page, err := o.list(ctx, r)
		if err != nil {
			return err
		}
		n, total := len(page.Orders), page.CountTotal
		if total >= 0 && (n > total || n < MaxLimit && n != total) {
			return badResponse(PathOrders, page.RequestID, fmt.Sprintf("updated in [%s, %s], created from %s: a page of %d orders, countTotal said %d",
				time.Unix(cp.From, 0).UTC().Format(time.RFC3339), time.Unix(cp.End, 0).UTC().Format(time.RFC3339),
				time.Unix(c, 0).UTC().Format(time.RFC3339), n, total))
		}
		ks, err := times(page.Orders, "created_at")
		if err == nil {
			err = ks.ascending(c, page.RequestID)
		}
		if err != nil {
			return fmt.Errorf("lazada seller %s: %w", s.c.SellerID(), err)
		}
		last := n < MaxLimit
		next := c
		if n > 0 {
			next = ks.at[n-1]
		}
		if !last && next == c {
			// A full page of one create second: read that second whole.
			recs, rid, err := o.rereadSecond(ctx, cp, c)
			if err != nil {
				return err
			}
			if err := send(recs, rid, cp.From, false, c+1); err != nil {
				return err
			}
			c, held = c+1, nil
			continue
		}
		var fresh []json.RawMessage
		nextHeld := map[string]bool{}
		for i, raw := range page.Orders {
			if ks.at[i] == c && held[ks.ids[i]] {
				continue
			}
			fresh = append(fresh, raw)
		}
		for i := range page.Orders {
			if ks.at[i] == next {
				nextHeld[ks.ids[i]] = true
			}
		}
		if err := send(fresh, page.RequestID, cp.From, last, next); err != nil {
			return err
		}
		if last {
			return nil
		}
		c, held = next, nextHeld
	}
}

// maxPasses bounds the passes over a second that keeps changing.
const maxPasses = 6

// rereadSecond reads the orders updated in the window and created in the
// second c (more than a page of them) by offset paging, again and again,
// until two passes return the same orders; it returns every order any
// pass read (an order missing from a later pass was updated past the
// window and the next run reads it).
func (o *orders) rereadSecond(ctx context.Context, cp Checkpoint, c int64) ([]json.RawMessage, string, error) {
	s := o.s
	union := map[string]json.RawMessage{}
	var order, prev []string
	rid := ""
	for pass := 0; pass < maxPasses; pass++ {
		s.passes.Add(1)
		var ids []string
		for offset := 0; ; offset += MaxLimit {
			if offset > s.cfg.OffsetCap {
				return nil, "", fmt.Errorf("lazada seller %s: more than %d orders created in the second %s", s.c.SellerID(), o.capacity(),
					time.Unix(c, 0).UTC().Format(time.RFC3339))
			}
			page, err := o.list(ctx, ListRequest{Field: "updated_at", From: cp.From, To: cp.End, CreatedAfter: c, CreatedBefore: c,
				Offset: offset, Limit: MaxLimit})
			if err != nil {
				return nil, "", err
			}
			rid = page.RequestID
			ks, err := times(page.Orders, "created_at")
			if err != nil {
				return nil, "", fmt.Errorf("lazada seller %s: %w", s.c.SellerID(), err)
			}
			for i, id := range ks.ids {
				if _, ok := union[id]; !ok {
					order = append(order, id)
				}
				union[id] = page.Orders[i]
				ids = append(ids, id)
			}
			if len(page.Orders) < MaxLimit {
				break
			}
		}
		sort.Strings(ids)
		if prev != nil && equal(prev, ids) {
			out := make([]json.RawMessage, len(order))
			for i, id := range order {
				out[i] = union[id]
			}
			return out, rid, nil
		}
		prev = ids
	}
	return nil, "", fmt.Errorf("lazada seller %s: the orders created in the second %s kept changing over %d passes", s.c.SellerID(),
		time.Unix(c, 0).UTC().Format(time.RFC3339), maxPasses)
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// keys are the ids and window times of a page's orders.
type keys struct {
	ids []string
	at  []int64
}

// ascending checks that a page is sorted by create time, none before
// floor: a position taken from an unsorted page could pass orders not read
// yet.
func (k keys) ascending(floor int64, requestID string) error {
	prev := floor
	for i, at := range k.at {
		if at < prev {
			return badResponse(PathOrders, requestID, fmt.Sprintf("order %s is out of created_at order (%s after %s)", k.ids[i],
				time.Unix(at, 0).UTC().Format(time.RFC3339), time.Unix(prev, 0).UTC().Format(time.RFC3339)))
		}
		prev = at
	}
	return nil
}

// orderHead is what the stream reads of an order (the transformer reads
// the rest).
type orderHead struct {
	OrderID   json.RawMessage `json:"order_id"`
	CreatedAt json.RawMessage `json:"created_at"`
	UpdatedAt json.RawMessage `json:"updated_at"`
}

// times reads the id and the field of every order of a page. An order
// without a usable id or time is an error: the window could not be
// followed past it.
func times(page []json.RawMessage, field string) (keys, error) {
	k := keys{ids: make([]string, len(page)), at: make([]int64, len(page))}
	for i, raw := range page {
		var h orderHead
		if err := json.Unmarshal(raw, &h); err != nil {
			return k, fmt.Errorf("order %d of a page is not an object: %w", i, err)
		}
		id, err := asInt(h.OrderID)
		if err != nil || id == nil {
			return k, fmt.Errorf("order %d of a page has no usable order_id (%v)", i, err)
		}
		k.ids[i] = strconv.FormatInt(id.(int64), 10)
		v := h.CreatedAt
		if field == "updated_at" {
			v = h.UpdatedAt
		}
		at, err := asTime(v)
		if err != nil || at == nil {
			return k, fmt.Errorf("order %s: %s is not a time (%v)", k.ids[i], field, err)
		}
		k.at[i] = at.(time.Time).Unix()
	}
	return k, nil
}

// maxItemAttempts is how many items calls an order gets before an answer
// that keeps leaving it out fails the load.
const maxItemAttempts = 3

// withItems fetches the items of a page's orders (50 orders a call, the
// calls at once, at most cap(sem) in flight in the whole stream) and
// returns one record per order: {"seller_id", "order", "items"}. An order
// an answer leaves out is asked for again; after maxItemAttempts the page
// fails, naming the orders: never a record without its items.
func (o *orders) withItems(ctx context.Context, page []json.RawMessage, rid string, sem chan struct{}) ([]connector.Record, error) {
	s := o.s
	if len(page) == 0 {
		return nil, nil
	}
	ks, err := times(page, "created_at")
	if err != nil {
		return nil, fmt.Errorf("lazada seller %s: %w", s.c.SellerID(), err)
	}
	ids := make([]int64, len(page))
	for i, id := range ks.ids {
		ids[i], _ = strconv.ParseInt(id, 10, 64)
	}
	items := make(map[int64][]json.RawMessage, len(ids))
	missing := ids
	for attempt := 1; len(missing) > 0; attempt++ {
		if attempt > maxItemAttempts {
			return nil, badResponse(PathOrderItems, rid, fmt.Sprintf("seller %s: the items of orders %v were left out of %d answers",
				s.c.SellerID(), missing, maxItemAttempts))
		}
		if attempt > 1 {
			s.itemRetries.Add(1)
		}
		got := make([][]OrderItems, (len(missing)+MaxItemIDs-1)/MaxItemIDs)
		g, gctx := errgroup.WithContext(ctx)
		for c := range got {
			chunk := missing[c*MaxItemIDs : min((c+1)*MaxItemIDs, len(missing))]
			g.Go(func() error {
				select {
				case sem <- struct{}{}:
				case <-gctx.Done():
					return gctx.Err()
				}
				defer func() { <-sem }()
				res, _, err := s.c.GetOrderItems(gctx, chunk)
				if err != nil {
					return fmt.Errorf("lazada seller %s: items of %d orders from %d: %w", s.c.SellerID(), len(chunk), chunk[0], err)
				}
				got[c] = res
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return nil, err
		}
		asked := map[int64]bool{}
		for _, id := range missing {
			asked[id] = true
		}
		for _, res := range got {
			for _, oi := range res {
				if !asked[oi.OrderID] {
					return nil, badResponse(PathOrderItems, "", fmt.Sprintf("seller %s: the answer holds order %d, which was not asked for",
						s.c.SellerID(), oi.OrderID))
				}
				items[oi.OrderID] = oi.Items
			}
		}
		var still []int64
		for _, id := range missing {
			if _, ok := items[id]; !ok {
				still = append(still, id)
			}
		}
		if len(still) > 0 {
			s.c.log.Warn("lazada items answer left orders out; asking again", "seller", s.c.SellerID(), "orders", len(still))
		}
		missing = still
	}
	recs := make([]connector.Record, len(page))
	seller, _ := json.Marshal(s.c.SellerID())
	for i, raw := range page {
		var b bytes.Buffer
		b.WriteString(`{"seller_id":`)
		b.Write(seller)
		b.WriteString(`,"order":`)
		b.Write(raw)
		b.WriteString(`,"items":[`)
		for j, it := range items[ids[i]] {
			if j > 0 {
				b.WriteByte(',')
			}
			b.Write(it)
		}
		b.WriteString(`]}`)
		recs[i] = connector.Record{Key: s.c.SellerID() + "/" + ks.ids[i], Data: b.Bytes(), RequestID: rid}
	}
	return recs, nil
}
