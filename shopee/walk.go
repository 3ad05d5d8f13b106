package shopee

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/facolos/etl/connector"
	"golang.org/x/sync/errgroup"
)

// How a range is read (see docs/shopee.md):
//
//   - Full loads list by create_time, which never changes, in 15-day
//     windows paged with the platform's cursor; up to ListConcurrency
//     windows are listed at once.
//   - Incremental runs list by update_time, which moves while a client
//     pages: an offset-style cursor then skips an order whenever an earlier
//     one leaves the result set. So a window is only ever read in ONE page:
//     a window whose answer has more is halved until each part fits one
//     page (a single answer is a consistent snapshot), and the span grows
//     again after a part that fits. A one-second window holding more than a
//     page is read with the cursor until two reads agree.
//   - Order numbers queue up and are fetched in detail batches of exactly
//     50 (the last may be smaller), up to Concurrency batches at once; the
//     pages are emitted strictly in order, each with the checkpoint of the
//     last list page it completes, so checkpoints stay exact.
//   - A detail answer must hold every order asked for: missing orders (or
//     response null) are asked again, up to DetailAttempts times, then the
//     stream fails naming them; the checkpoint never passes them, and
//     remembers (Checkpoint.Missing) in how many consecutive runs each was
//     left out. From the DetailMissingRuns-th run on, an order the platform
//     still leaves out is quarantined instead (a record the Transformer
//     rejects, see quarantineRecord) and the stream goes on: a platform that
//     permanently omits an order must not stop the shop's sync.
//   - A record that is present but whose order_sn cannot be read (an
//     object, a list, missing: see detailKey) is quarantined at once when
//     it is known to be the record of one requested order: the only one
//     the answer left out, or the answer to a call asking for that order
//     alone (made for each order left out, at most MaxDetailQuarantine,
//     when an answer holds such records). Its marker carries the record as
//     sent (malformedRecord); the rest of the batch loads.

// DetailAttempts is how many times a detail batch is asked for orders the
// platform left out of its answer before the stream fails.
const DetailAttempts = 4

// segment is the order numbers of one list page and the checkpoint valid
// once they (and everything before) are stored.
type segment struct {
	window int64 // start of the window the page belongs to
	sns    []string
	cp     Checkpoint
}

// job is one detail batch on its way to emit, in order.
type job struct {
	sns  []string
	cp   *Checkpoint
	done chan struct{}
	page connector.Page
	// quarantined are the orders of page the platform never returned,
	// quarantined with their counts of this run.
	quarantined map[string]DetailMissing
	// malformed are the orders of page whose record was present but
	// unreadable, quarantined at once, with the reason.
	malformed map[string]string
	err       error
}

// walk reads the range of cp: a lister produces segments in order, the
// assembler batches their order numbers into detail jobs fetched
// concurrently, and the emitter hands the results downstream in order.
// base is the checkpoint the run started from (cp itself when there was
// none): its Missing counts carry on, and a run stopped by a missing order
// commits it again with the new counts. With checkClock, the first answer
// of an incremental run is checked against the platform's clock (a
// *clockMoved error before anything is emitted).
func (o *orders) walk(ctx context.Context, cp, base Checkpoint, emit connector.EmitFunc, checkClock bool) error {
	s := o.s
	if cp.End > 0 && cp.From >= cp.End { // an empty range (a start date in the future)
		data, _ := json.Marshal(Checkpoint{Phase: "incremental", Watermark: cp.End})
		return emit(ctx, connector.Page{Checkpoint: data})
	}
	g, gctx := errgroup.WithContext(ctx)
	segs := make(chan segment, 4*s.cfg.ListConcurrency)
	jobs := make(chan *job, s.cfg.Concurrency)
	g.Go(func() error {
		defer close(segs)
		if cp.Field == "update_time" {
			return o.listIncremental(gctx, cp, segs, checkClock)
		}
		return o.listFull(gctx, cp, segs)
	})
	g.Go(func() error {
		defer close(jobs)
		return o.assemble(gctx, cp.Field == "update_time", base.Missing, segs, jobs)
	})
	g.Go(func() error {
		miss := newMissingSet(base.Missing)
		last := base // where the warehouse stands: the last checkpoint emitted
		last.Missing = nil
		for j := range jobs {
			select {
			case <-j.done:
			case <-gctx.Done():
				return gctx.Err()
			}
			if j.err != nil {
				var dm *detailsMissing
				if errors.As(j.err, &dm) && len(dm.counted) > 0 {
					// Commit the new counts, at the position already reached.
					for sn, m := range dm.counted {
						miss.m[sn] = m
					}
					data, err := json.Marshal(miss.on(last))
					if err == nil {
						err = emit(ctx, connector.Page{Checkpoint: data})
					}
					if err != nil {
						return errors.Join(j.err, fmt.Errorf("shopee shop %d: saving the counts of missing orders: %w", s.cfg.ShopID, err))
					}
				}
				return j.err
			}
			miss.passed(j.sns, j.quarantined)
			if j.cp != nil {
				if j.cp.End == 0 { // the range is complete
					miss.prune()
				}
				data, err := json.Marshal(miss.on(*j.cp))
				if err != nil {
					return err
				}
				j.page.Checkpoint = data
				last = *j.cp
			}
			if len(j.page.Records) == 0 && j.page.Checkpoint == nil {
				continue
			}
			if err := emit(gctx, j.page); err != nil {
				return err
			}
			for sn, m := range j.quarantined {
				s.quarantined.Add(1)
				s.c.log.Warn("shopee get_order_detail never returned an order; quarantined so that the sync goes on", "shop_id", s.cfg.ShopID,
					"order_sn", sn, "runs", m.Runs, "calls", m.Calls)
			}
			for sn, reason := range j.malformed {
				s.malformed.Add(1)
				s.c.log.Warn("shopee get_order_detail returned an unreadable record for an order; quarantined", "shop_id", s.cfg.ShopID,
					"order_sn", sn, "reason", reason)
			}
		}
		return nil
	})
	return g.Wait()
}

func send[T any](ctx context.Context, ch chan<- T, v T) error {
	select {
	case ch <- v:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (o *orders) windowErr(field string, from, to int64, err error) error {
	return fmt.Errorf("shopee shop %d: get_order_list %s [%s, %s]: %w", o.s.cfg.ShopID, field,
		time.Unix(from, 0).UTC().Format(time.RFC3339), time.Unix(to, 0).UTC().Format(time.RFC3339), err)
}

// listPages pages through [from, to] by field from cursor, calling page for
// each. A cursor seen before in the window fails (it would loop forever).
func (o *orders) listPages(ctx context.Context, field string, from, to int64, cursor string, page func(ListPage) error) error {
	seen := map[string]bool{}
	for {
		p, err := o.s.c.GetOrderList(ctx, field, time.Unix(from, 0), time.Unix(to, 0), PageSize, cursor)
		if err != nil {
			return o.windowErr(field, from, to, err)
		}
		if p.More && seen[p.NextCursor] {
			return o.windowErr(field, from, to, &APIError{Endpoint: PathOrderList, HTTPStatus: 200, Code: "invalid_response",
				Message: "next_cursor repeats an earlier cursor: the cursor does not advance", RequestID: p.RequestID})
		}
		seen[cursor] = true
		if err := page(p); err != nil {
			return err
		}
		if !p.More {
			return nil
		}
		cursor = p.NextCursor
	}
}

// listFull lists the create_time windows of a full load, several at once,
// and forwards their pages in order.
func (o *orders) listFull(ctx context.Context, cp Checkpoint, out chan<- segment) error {
	span := int64(MaxWindow / time.Second)
	type window struct {
		from, to int64
		cursor   string
		pages    chan segment
	}
	var windows []*window
	for from := cp.From; from < cp.End || len(windows) == 0; from += span {
		w := &window{from: from, to: min(from+span, cp.End), pages: make(chan segment, 64)}
		if len(windows) == 0 {
			w.cursor = cp.Cursor
		}
		windows = append(windows, w)
		if w.to >= cp.End {
			break
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	sem := make(chan struct{}, o.s.cfg.ListConcurrency)
	g.Go(func() error { // start the listers in order, at most ListConcurrency at once
		for _, w := range windows {
			if err := send(gctx, sem, struct{}{}); err != nil {
				return err
			}
			g.Go(func() error {
				defer func() { <-sem }()
				defer close(w.pages)
				return o.listPages(gctx, cp.Field, w.from, w.to, w.cursor, func(p ListPage) error {
					next := Checkpoint{Phase: cp.Phase, Field: cp.Field, From: w.from, End: cp.End, Cursor: p.NextCursor}
					switch {
					case p.More:
					case w.to < cp.End:
						next.From, next.Cursor = w.to, ""
					default:
						next = Checkpoint{Phase: "incremental", Watermark: cp.End}
					}
					return send(gctx, w.pages, segment{window: w.from, sns: p.OrderSNs, cp: next})
				})
			})
		}
		return nil
	})
	g.Go(func() error { // forward in order
		for _, w := range windows {
			for {
				var seg segment
				var ok bool
				select {
				case seg, ok = <-w.pages:
				case <-gctx.Done():
					return gctx.Err()
				}
				if !ok {
					break
				}
				if err := send(gctx, out, seg); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return g.Wait()
}

// listIncremental lists the update_time range in windows that each fit one
// page (see the top of this file).
func (o *orders) listIncremental(ctx context.Context, cp Checkpoint, out chan<- segment, checkClock bool) error {
	maxSpan := int64(MaxWindow / time.Second)
	span := maxSpan
	for pos := cp.From; pos < cp.End; {
		to := min(pos+span, cp.End)
		p, err := o.s.c.GetOrderList(ctx, cp.Field, time.Unix(pos, 0), time.Unix(to, 0), PageSize, "")
		if err != nil {
			return o.windowErr(cp.Field, pos, to, err)
		}
		if checkClock {
			checkClock = false
			now := o.s.c.Now().UTC()
			if d := now.Sub(time.Unix(cp.End, 0)); d > ClockTolerance || d < -ClockTolerance {
				return &clockMoved{now: now}
			}
		}
		sns := p.OrderSNs
		if p.More {
			if to-pos >= 2 {
				span = (to - pos) / 2
				continue
			}
			if sns, err = o.stableRead(ctx, cp.Field, pos, to); err != nil {
				return err
			}
		}
		next := Checkpoint{Phase: cp.Phase, Field: cp.Field, From: to, End: cp.End, Watermark: cp.Watermark}
		if to >= cp.End {
			next = Checkpoint{Phase: "incremental", Watermark: cp.End}
		}
		if err := send(ctx, out, segment{window: pos, sns: sns, cp: next}); err != nil {
			return err
		}
		pos = to
		span = min(span*2, maxSpan)
	}
	return nil
}

// stableRead reads a window too dense to split with the cursor until two
// consecutive reads list the same orders.
func (o *orders) stableRead(ctx context.Context, field string, from, to int64) ([]string, error) {
	var last []string
	for attempt := 0; attempt < 5; attempt++ {
		var sns []string
		err := o.listPages(ctx, field, from, to, "", func(p ListPage) error { sns = append(sns, p.OrderSNs...); return nil })
		if err != nil {
			return nil, err
		}
		slices.Sort(sns)
		if last != nil && slices.Equal(last, sns) {
			return sns, nil
		}
		last = sns
	}
	return nil, o.windowErr(field, from, to, errors.New("the window's orders kept changing over 5 reads"))
}

// assemble batches the order numbers of the segments into detail jobs of
// exactly MaxDetailBatch (the last may be smaller), starts each job's fetch
// (at most Concurrency at once) and queues the jobs in order. Order
// numbers already listed are skipped: in full loads those of the current
// and previous window (windows share their boundary second); in
// incremental runs those still waiting for their detail call (one listed
// again after its details were fetched is fetched again: it changed).
// prior are the Missing counts of the checkpoint the run started from.
func (o *orders) assemble(ctx context.Context, incremental bool, prior map[string]DetailMissing, segs <-chan segment, jobs chan<- *job) error {
	var queue []string
	var marks []mark
	var prev, cur map[string]bool
	window := int64(-1)
	pending := map[string]bool{}
	sem := make(chan struct{}, o.s.cfg.Concurrency)
	dispatch := func(n int) error {
		j := &job{sns: slices.Clone(queue[:n]), done: make(chan struct{})}
		keep := marks[:0]
		for _, m := range marks {
			if m.n <= n {
				c := m.cp
				j.cp = &c
				continue
			}
			keep = append(keep, mark{n: m.n - n, cp: m.cp})
		}
		marks = keep
		for _, sn := range queue[:n] {
			delete(pending, sn)
		}
		queue = queue[n:]
		if len(j.sns) == 0 {
			o.finish(j, nil)
		} else {
			if err := send(ctx, sem, struct{}{}); err != nil {
				return err
			}
			go func() {
				defer func() { <-sem }()
				var recs []connector.Record
				var quarantined map[string]DetailMissing
				var malformed map[string]string
				err := connector.Guard("shopee detail worker", func() (err error) {
					recs, quarantined, malformed, err = o.details(ctx, j.sns, prior)
					return err
				})
				j.quarantined, j.malformed = quarantined, malformed
				o.finish(j, func() ([]connector.Record, error) { return recs, err })
			}()
		}
		return send(ctx, jobs, j)
	}
	for seg := range segs {
		if seg.window != window {
			prev, cur, window = cur, map[string]bool{}, seg.window
		}
		for _, sn := range seg.sns {
			dup := pending[sn]
			if !incremental {
				dup = cur[sn] || prev[sn]
			}
			cur[sn] = true
			if !dup {
				queue = append(queue, sn)
				pending[sn] = true
			}
		}
		marks = append(marks, mark{n: len(queue), cp: seg.cp})
		for len(queue) >= MaxDetailBatch {
			if err := dispatch(MaxDetailBatch); err != nil {
				return err
			}
		}
		if len(queue) == 0 && len(marks) > 0 {
			if err := dispatch(0); err != nil {
				return err
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(queue) > 0 || len(marks) > 0 {
		return dispatch(len(queue))
	}
	return nil
}

// mark is a checkpoint valid once the first n queued orders are emitted.
type mark struct {
	n  int
	cp Checkpoint
}

// finish completes job j with the records fetch returns (nil: none). The
// emitter adds the checkpoint (it owns the Missing counts).
func (o *orders) finish(j *job, fetch func() ([]connector.Record, error)) {
	defer close(j.done)
	if fetch != nil {
		j.page.Records, j.err = fetch()
	}
}

// details fetches the orders sns (one detail batch), asking again for any
// the platform left out, and returns them in the order asked. An order
// still left out after DetailAttempts calls fails the batch with a
// *detailsMissing (its count of consecutive runs goes up), unless this is
// the DetailMissingRuns-th such run (prior holds the earlier ones): then
// its record is a quarantine marker (see quarantineRecord), also returned
// in quarantined. Only orders that a valid answer left out count: answers
// of response null say nothing about single orders. An order whose record
// is present but unreadable is quarantined at once (see attribute); its
// reason is returned in malformed.
func (o *orders) details(ctx context.Context, sns []string, prior map[string]DetailMissing) (recs []connector.Record, quarantined map[string]DetailMissing,
	malformed map[string]string, err error) {
	s := o.s
	want := make(map[string]bool, len(sns))
	for _, sn := range sns {
		want[sn] = true
	}
	got := make(map[string]connector.Record, len(sns))
	bad := map[string]connector.Record{} // quarantine markers of unreadable records
	malformed = map[string]string{}
	omitted := map[string]bool{} // left out by a valid answer
	missing := sns
	var lastErr error
	var lastID string // request id of the last valid answer
	attempt := 1
	for ; ; attempt++ {
		d, err := s.c.GetOrderDetail(ctx, missing)
		switch {
		case errors.Is(err, ErrBadResponse):
			lastErr = err
		case err != nil:
			return nil, nil, nil, fmt.Errorf("shopee shop %d: get_order_detail of %d orders from %s: %w", s.cfg.ShopID, len(missing), missing[0], err)
		default:
			for _, w := range d.Warning {
				s.c.log.Warn("shopee get_order_detail warning", "shop_id", s.cfg.ShopID, "warning", w)
			}
			returned := 0 // orders of missing this answer holds
			for i, raw := range d.Orders {
				key := d.Keys[i]
				if !want[key] {
					s.c.log.Warn("shopee get_order_detail returned an order not asked for; ignored", "shop_id", s.cfg.ShopID, "order_sn", key)
					continue
				}
				if _, dup := got[key]; !dup {
					returned++
				}
				got[key] = connector.Record{Key: key, Data: raw, RequestID: d.RequestID}
			}
			if len(d.Malformed) > 0 {
				n, err := o.attribute(ctx, d, missing, got, bad, malformed)
				if err != nil {
					return nil, nil, nil, err
				}
				returned += n
			}
			for _, sn := range missing {
				// An answer holding none of the orders asked for is the
				// platform failing (like response: null), not evidence
				// against single orders, except for one already
				// quarantined (listed again, it is quarantined again).
				_, isBad := bad[sn]
				if _, ok := got[sn]; !ok && !isBad && (returned > 0 || prior[sn].Runs >= s.cfg.DetailMissingRuns) {
					omitted[sn] = true
				}
			}
			lastErr, lastID = nil, d.RequestID
		}
		missing = missing[:0:0]
		for _, sn := range sns {
			_, isBad := bad[sn]
			if _, ok := got[sn]; !ok && !isBad {
				missing = append(missing, sn)
			}
		}
		if len(missing) == 0 {
			break
		}
		if attempt >= DetailAttempts {
			break
		}
		s.c.log.Warn("shopee get_order_detail incomplete; asking again", "shop_id", s.cfg.ShopID, "missing", len(missing), "first", missing[0], "attempt", attempt)
	}
	if len(missing) > 0 {
		counted := map[string]DetailMissing{}
		stuck := false
		for _, sn := range missing {
			if !omitted[sn] {
				stuck = true // only null answers: not counted
				continue
			}
			m := prior[sn]
			m.Runs++
			m.Calls += attempt
			counted[sn] = m
			if m.Runs < s.cfg.DetailMissingRuns {
				stuck = true
			}
		}
		if len(counted) > MaxDetailQuarantine || len(counted) == 0 && lastErr == nil {
			// So many orders of one batch left out, or answers holding
			// none of the orders asked for, is the platform failing, not
			// a few orders it cannot detail: nothing is counted, so
			// nothing is ever quarantined for it.
			if lastErr == nil {
				lastErr = &APIError{Endpoint: PathOrderDetail, HTTPStatus: 200, Code: "invalid_response",
					Message: "the answer leaves out orders that were asked for", RequestID: lastID}
			}
			return nil, nil, nil, fmt.Errorf("shopee shop %d: get_order_detail: %d of %d orders asked for never came back after %d attempts (first %s; more than %d left out of one batch, or none of them returned, is a platform fault, never quarantined): %w",
				s.cfg.ShopID, len(missing), len(sns), attempt, missing[0], MaxDetailQuarantine, lastErr)
		}
		if stuck {
			if lastErr == nil {
				lastErr = &APIError{Endpoint: PathOrderDetail, HTTPStatus: 200, Code: "invalid_response",
					Message: "the answer leaves out orders that were asked for", RequestID: lastID}
			}
			first := missing[0]
			return nil, nil, nil, &detailsMissing{counted: counted, err: fmt.Errorf(
				"shopee shop %d: get_order_detail: %d of %d orders asked for never came back after %d attempts (first %s, left out in %d consecutive runs; quarantined from run %d on): %w",
				s.cfg.ShopID, len(missing), len(sns), attempt, first, counted[first].Runs, s.cfg.DetailMissingRuns, lastErr)}
		}
		quarantined = counted
		for sn, m := range counted {
			got[sn] = quarantineRecord(s.cfg.ShopID, sn, m)
		}
	}
	for sn, r := range bad {
		got[sn] = r
	}
	recs = make([]connector.Record, len(sns))
	for i, sn := range sns {
		recs[i] = got[sn]
	}
	return recs, quarantined, malformed, nil
}

// attribute attributes the unreadable records of answer d (asked for
// asked) to requested orders, adding their quarantine markers to bad and
// their reasons to reasons, and returns how many orders it attributed. A
// record is attributed only when it cannot belong to another order: it is
// the only unreadable record and one order asked for is left without a
// record; otherwise each order left without one (at most
// MaxDetailQuarantine; more is a platform fault, left to the missing-order
// rules) is asked for alone, and an answer for it alone holding one
// unreadable record is its record.
func (o *orders) attribute(ctx context.Context, d Detail, asked []string, got, bad map[string]connector.Record, reasons map[string]string) (int, error) {
	s := o.s
	var left []string
	for _, sn := range asked {
		_, isBad := bad[sn]
		if _, ok := got[sn]; !ok && !isBad {
			left = append(left, sn)
		}
	}
	put := func(sn string, m MalformedRecord, requestID string) {
		rec := malformedRecord(s.cfg.ShopID, sn, m, requestID)
		bad[sn] = rec
		reasons[sn] = Quarantined(rec).Error()
	}
	switch {
	case len(left) == 0:
		s.c.log.Warn("shopee get_order_detail returned unreadable records besides every order asked for; ignored", "shop_id", s.cfg.ShopID,
			"records", len(d.Malformed), "first_reason", d.Malformed[0].Err.Error(), "request_id", d.RequestID)
		return 0, nil
	case len(left) == 1 && len(d.Malformed) == 1:
		put(left[0], d.Malformed[0], d.RequestID)
		return 1, nil
	case len(left) > MaxDetailQuarantine:
		s.c.log.Warn("shopee get_order_detail returned unreadable records and left out many orders; not attributed", "shop_id", s.cfg.ShopID,
			"records", len(d.Malformed), "left_out", len(left), "request_id", d.RequestID)
		return 0, nil
	}
	n := 0
	for _, sn := range left {
		one, err := s.c.GetOrderDetail(ctx, []string{sn})
		switch {
		case errors.Is(err, ErrBadResponse):
			continue // a bad answer says nothing about the order
		case err != nil:
			return n, fmt.Errorf("shopee shop %d: get_order_detail of order %s alone: %w", s.cfg.ShopID, sn, err)
		}
		if i := slices.Index(one.Keys, sn); i >= 0 {
			got[sn] = connector.Record{Key: sn, Data: one.Orders[i], RequestID: one.RequestID}
			n++
		} else if len(one.Malformed) == 1 {
			put(sn, one.Malformed[0], one.RequestID)
			n++
		}
	}
	return n, nil
}

// detailsMissing: a detail batch failed because the platform left orders
// out; counted are the counts of consecutive runs, this run included, of
// those a valid answer left out.
type detailsMissing struct {
	counted map[string]DetailMissing
	err     error
}

func (e *detailsMissing) Error() string { return e.err.Error() }
func (e *detailsMissing) Unwrap() error { return e.err }

// missingSet is the emitter's copy of Checkpoint.Missing during a run.
type missingSet struct {
	m      map[string]DetailMissing
	listed map[string]bool // asked for in this run
}

func newMissingSet(prior map[string]DetailMissing) *missingSet {
	m := make(map[string]DetailMissing, len(prior))
	for sn, v := range prior {
		m[sn] = v
	}
	return &missingSet{m: m, listed: map[string]bool{}}
}

// passed records an emitted batch: an order returned is missing no more;
// one quarantined keeps its count (listed again by the next run's
// overlap, it is quarantined at once).
func (ms *missingSet) passed(sns []string, quarantined map[string]DetailMissing) {
	for _, sn := range sns {
		ms.listed[sn] = true
		if m, ok := quarantined[sn]; ok {
			ms.m[sn] = m
		} else {
			delete(ms.m, sn)
		}
	}
}

// prune drops, when the run has completed its range, the orders it did not
// list (the platform no longer lists them there; a later change lists them
// again).
func (ms *missingSet) prune() {
	for sn := range ms.m {
		if !ms.listed[sn] {
			delete(ms.m, sn)
		}
	}
}

// on returns cp carrying the current counts.
func (ms *missingSet) on(cp Checkpoint) Checkpoint {
	cp.Missing = nil
	if len(ms.m) > 0 {
		cp.Missing = make(map[string]DetailMissing, len(ms.m))
		for sn, v := range ms.m {
			cp.Missing[sn] = v
		}
	}
	return cp
}

// quarantineMark starts the payload of a quarantine marker record: the
// order's get_order_list entry ({"order_sn": …}) preceded by the reason.
// Transformer.Transform rejects such a record with that reason, so it lands
// in the sink's quarantine table (and Result.Rejected) through the
// runner's usual path. A detail order never starts with this key; if a
// hostile answer forged one, it would be quarantined too, never dropped.
var quarantineMark = []byte(`{"etl_quarantine":`)

// quarantineRecord is the marker record of order sn, which
// get_order_detail has left out in m.Runs consecutive runs.
func quarantineRecord(shopID int64, sn string, m DetailMissing) connector.Record {
	data, _ := json.Marshal(struct {
		Reason  string `json:"etl_quarantine"`
		OrderSN string `json:"order_sn"`
	}{fmt.Sprintf("order %s: shopee shop %d: get_order_detail left it out in %d consecutive runs (%d calls asked for it); quarantined so that the sync goes on, it is stored when the platform returns it",
		sn, shopID, m.Runs, m.Calls), sn})
	return connector.Record{Key: sn, Data: data}
}

// malformedRecord is the marker record of order sn, whose record in the
// get_order_detail answer requestID is m: present but unreadable. The
// marker carries the record as sent (key "record").
func malformedRecord(shopID int64, sn string, m MalformedRecord, requestID string) connector.Record {
	data, err := json.Marshal(struct {
		Reason  string          `json:"etl_quarantine"`
		OrderSN string          `json:"order_sn"`
		Record  json.RawMessage `json:"record"`
	}{fmt.Sprintf("order %s: shopee shop %d: get_order_detail (request %s) returned its record unreadable: %v; quarantined at once, the record as sent is under \"record\"",
		sn, shopID, requestID, m.Err), sn, m.Data})
	if err != nil { // m.Data came out of a JSON answer; should it not re-encode, keep it as text
		data, _ = json.Marshal(struct {
			Reason  string `json:"etl_quarantine"`
			OrderSN string `json:"order_sn"`
			Record  string `json:"record_text"`
		}{fmt.Sprintf("order %s: shopee shop %d: get_order_detail (request %s) returned its record unreadable: %v", sn, shopID, requestID, m.Err), sn, string(m.Data)})
	}
	return connector.Record{Key: sn, Data: data, RequestID: requestID}
}

// Quarantined returns, as an error, the reason of a quarantine marker
// record of the orders stream (an order get_order_detail never returned,
// see Config.DetailMissingRuns), and nil for any other record.
// Transformer rejects marker records, so they land in the sink's
// quarantine table; a transformer of your own for this source's records
// must reject them too (return this error), or it would store an order
// with nothing but its order_sn.
func Quarantined(rec connector.Record) error {
	if !bytes.HasPrefix(rec.Data, quarantineMark) {
		return nil
	}
	var q struct {
		Reason string `json:"etl_quarantine"`
	}
	if err := json.Unmarshal(rec.Data, &q); err != nil || q.Reason == "" {
		return fmt.Errorf("order %s: malformed quarantine marker", rec.Key)
	}
	return errors.New(q.Reason)
}
