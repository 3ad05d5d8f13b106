package shopee

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/facolos/etl/connector"
)

// Limits of the platform.
const (
	// MaxWindow is the longest get_order_list time range.
	MaxWindow = 15 * 24 * time.Hour
	// PageSize is the get_order_list page size used (the maximum).
	PageSize = 100
	// MaxHistory is how far back the platform lets a shop look.
	MaxHistory = 730 * 24 * time.Hour
)

const dayS = 24 * 3600

// Source is one Shopee shop. It implements connector.Source and
// connector.StatsSource.
type Source struct {
	c   *Client
	cfg Config

	mu     sync.Mutex
	probes int
	first  string
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
	return &Source{c: c, cfg: c.cfg}, nil
}

// Client returns the source's API client.
func (s *Source) Client() *Client { return s.c }

// Streams implements connector.Source: one stream, "orders".
func (s *Source) Streams() []connector.Stream { return []connector.Stream{&orders{s: s}} }

// APICalls implements connector.StatsSource.
func (s *Source) APICalls() map[string]int64 { return s.c.APICalls() }

// Stats implements connector.StatsSource: earliest_date_probes and
// earliest_date of the last discovery, token_refreshes and http_retries
// since the source was created.
func (s *Source) Stats() map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := map[string]any{"earliest_date_probes": s.probes, "token_refreshes": s.c.Refreshes(), "http_retries": s.c.Retries(), "throttled": s.c.http.Throttled()}
	if s.first != "" {
		st["earliest_date"] = s.first
	}
	return st
}

// Checkpoint is the orders stream's cursor. A run walks [From, End] in
// windows of at most 15 days by Field, and inside a window pages with
// Cursor. When the range is done, only Watermark remains: the next
// incremental run reads update_time in [Watermark - lookback, now].
type Checkpoint struct {
	Phase     string `json:"phase"` // "full" or "incremental"
	Field     string `json:"field,omitempty"`
	From      int64  `json:"window_from,omitempty"`
	End       int64  `json:"end,omitempty"`
	Cursor    string `json:"cursor,omitempty"`
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
			return fmt.Errorf("shopee shop %d: bad checkpoint: %w", s.cfg.ShopID, err)
		}
	}
	switch {
	case opts.Checkpoint == nil:
		start := opts.Since
		if start.IsZero() {
			start = s.cfg.StartDate
		}
		if start.IsZero() {
			first, err := s.EarliestDate(ctx, now)
			if err != nil {
				return err
			}
			start = first
		}
		cp = Checkpoint{Phase: "full", Field: "create_time", From: start.Unix(), End: now.Unix()}
		s.c.log.Info("shopee full load", "shop_id", s.cfg.ShopID, "from", start.Format(time.RFC3339), "to", now.Format(time.RFC3339))
	case cp.End == 0:
		from := time.Unix(cp.Watermark, 0).Add(-s.cfg.Lookback)
		if !from.Before(now) {
			return nil // nothing can have changed since the watermark
		}
		cp = Checkpoint{Phase: "incremental", Field: "update_time", From: from.Unix(), End: now.Unix(), Watermark: cp.Watermark}
	default:
		s.c.log.Info("shopee resuming", "shop_id", s.cfg.ShopID, "phase", cp.Phase, "window_from", time.Unix(cp.From, 0).UTC().Format(time.RFC3339))
	}
	return o.walk(ctx, cp, emit)
}

// walk reads the range of cp window by window. Order numbers from the list
// pages queue up and are fetched in detail batches of exactly 50 (only the
// last batch of the range is smaller), so a full load needs the minimum of
// ceil(orders/50) detail calls. The checkpoint after a list page is emitted
// with the detail batch that completes that page.
func (o *orders) walk(ctx context.Context, cp Checkpoint, emit connector.EmitFunc) error {
	s := o.s
	maxSpan := int64(MaxWindow / time.Second)
	q := &detailQueue{o: o, emit: emit}
	// Windows share their boundary second (the platform's bound semantics
	// are undocumented), so an order can be listed by two windows: the
	// order numbers of the current and previous window are remembered.
	var prev, cur map[string]bool
	if cp.End > 0 && cp.From >= cp.End { // an empty range (a start date in the future)
		data, _ := json.Marshal(Checkpoint{Phase: "incremental", Watermark: cp.End})
		return emit(ctx, connector.Page{Checkpoint: data})
	}
	for {
		from := cp.From
		to := min(from+maxSpan, cp.End)
		cursor := cp.Cursor
		prev, cur = cur, map[string]bool{}
		for {
			page, err := s.c.GetOrderList(ctx, cp.Field, time.Unix(from, 0), time.Unix(to, 0), PageSize, cursor)
			if err != nil {
				return fmt.Errorf("shopee shop %d: get_order_list %s [%s, %s]: %w", s.cfg.ShopID, cp.Field,
					time.Unix(from, 0).UTC().Format(time.RFC3339), time.Unix(to, 0).UTC().Format(time.RFC3339), err)
			}
			next := cp
			switch {
			case page.More:
				next.Cursor = page.NextCursor
			case to < cp.End:
				next.From, next.Cursor = to, ""
			default:
				next = Checkpoint{Phase: "incremental", Watermark: cp.End}
			}
			for _, sn := range page.OrderSNs {
				if !cur[sn] && !prev[sn] {
					q.sns = append(q.sns, sn)
				}
				cur[sn] = true
			}
			if err := q.mark(ctx, next); err != nil {
				return err
			}
			cp = next
			if !page.More {
				break
			}
			cursor = page.NextCursor
		}
		if cp.End == 0 {
			return q.flush(ctx)
		}
	}
}

// detailQueue batches order numbers for get_order_detail.
type detailQueue struct {
	o     *orders
	emit  connector.EmitFunc
	sns   []string
	marks []mark
}

// mark is a checkpoint valid once the first n queued orders are emitted.
type mark struct {
	n  int
	cp Checkpoint
}

// mark records that cp is valid after everything queued so far, and fetches
// the full batches.
func (q *detailQueue) mark(ctx context.Context, cp Checkpoint) error {
	q.marks = append(q.marks, mark{n: len(q.sns), cp: cp})
	for len(q.sns) >= MaxDetailBatch {
		if err := q.fetch(ctx, MaxDetailBatch); err != nil {
			return err
		}
	}
	if len(q.sns) == 0 && len(q.marks) > 0 {
		return q.fetch(ctx, 0)
	}
	return nil
}

// flush fetches what is left.
func (q *detailQueue) flush(ctx context.Context) error {
	if len(q.sns) == 0 && len(q.marks) == 0 {
		return nil
	}
	return q.fetch(ctx, len(q.sns))
}

// fetch gets the details of the first n queued orders and emits them with
// the latest checkpoint they complete.
func (q *detailQueue) fetch(ctx context.Context, n int) error {
	s := q.o.s
	pg := connector.Page{}
	if n > 0 {
		batch := q.sns[:n]
		d, err := s.c.GetOrderDetail(ctx, batch)
		if err != nil {
			return fmt.Errorf("shopee shop %d: get_order_detail of %d orders from %s: %w", s.cfg.ShopID, len(batch), batch[0], err)
		}
		for _, w := range d.Warning {
			s.c.log.Warn("shopee get_order_detail warning", "shop_id", s.cfg.ShopID, "warning", w)
		}
		pg.Records = make([]connector.Record, 0, len(d.Orders))
		for _, raw := range d.Orders {
			var k struct {
				OrderSN any `json:"order_sn"`
			}
			_ = json.Unmarshal(raw, &k)
			key, _ := toString(k.OrderSN)
			ks, _ := key.(string)
			pg.Records = append(pg.Records, connector.Record{Key: ks, Data: raw, RequestID: d.RequestID})
		}
	}
	var covered *Checkpoint
	keep := q.marks[:0]
	for _, m := range q.marks {
		if m.n <= n {
			c := m.cp
			covered = &c
			continue
		}
		keep = append(keep, mark{n: m.n - n, cp: m.cp})
	}
	q.marks = keep
	q.sns = q.sns[n:]
	if covered != nil {
		data, err := json.Marshal(covered)
		if err != nil {
			return err
		}
		pg.Checkpoint = data
	}
	if len(pg.Records) == 0 && pg.Checkpoint == nil {
		return nil
	}
	return q.emit(ctx, pg)
}

// EarliestDate finds the day (UTC) of the shop's first order within the
// platform's two-year history by binary search with get_order_list probes
// (page size 1), each over at most 15 days: about log2(730) ≈ 10 probes to
// find the first 15-day window holding orders, then about 4 to find the day
// inside it. It assumes the shop has had orders at least every 15 days
// since its first one; a longer silent gap can make it start after the gap
// (set Config.StartDate to be safe). With no order at all it returns the
// start of the history.
func (s *Source) EarliestDate(ctx context.Context, now time.Time) (time.Time, error) {
	t0 := now.Add(-MaxHistory).Truncate(24 * time.Hour)
	if t0.Before(now.Add(-MaxHistory)) {
		t0 = t0.Add(24 * time.Hour)
	}
	base := t0.Unix()
	end := now.Unix()
	lastDay := int((end - 1 - base) / dayS)
	probes := 0
	probe := func(from, to int64) (bool, error) {
		to = min(to, end)
		if from >= to {
			return false, nil
		}
		probes++
		p, err := s.c.GetOrderList(ctx, "create_time", time.Unix(from, 0), time.Unix(to, 0), 1, "")
		if err != nil {
			return false, fmt.Errorf("shopee shop %d: earliest-date probe [%s, %s]: %w", s.cfg.ShopID,
				time.Unix(from, 0).UTC().Format(time.DateOnly), time.Unix(to, 0).UTC().Format(time.DateOnly), err)
		}
		return len(p.OrderSNs) > 0, nil
	}
	// window(d): does the 15-day window starting on day d hold an order?
	window := func(d int) (bool, error) {
		return probe(base+int64(d)*dayS, base+int64(d)*dayS+int64(MaxWindow/time.Second)-1)
	}
	first, err := firstTrue(0, lastDay+1, window)
	if err != nil {
		return time.Time{}, err
	}
	if first > lastDay {
		// No window found: either no orders at all, or none recently. Scan
		// the history forward window by window (at most 49 probes).
		first = -1
		for d := 0; d <= lastDay && first < 0; d += 15 {
			ok, err := window(d)
			if err != nil {
				return time.Time{}, err
			}
			if ok {
				first = d
			}
		}
		if first < 0 {
			s.setEarliest(probes, "")
			return t0, nil
		}
	}
	// The first order is on day first..first+14: the first day m for which
	// [day first, end of day m] holds an order (monotone in m).
	upTo := func(m int) (bool, error) { return probe(base+int64(first)*dayS, base+int64(m+1)*dayS-1) }
	lo, hi := first, min(first+14, lastDay)
	if first > 0 && first+14 <= lastDay {
		// With orders every 15 days the window before first is empty, so the
		// first order is on day first+14; one probe confirms it.
		ok, err := upTo(first + 13)
		if err != nil {
			return time.Time{}, err
		}
		if ok {
			hi = first + 13
		} else {
			lo = first + 14
		}
	}
	if lo, err = firstTrue(lo, hi, upTo); err != nil {
		return time.Time{}, err
	}
	day := time.Unix(base+int64(lo)*dayS, 0).UTC()
	s.setEarliest(probes, day.Format(time.DateOnly))
	s.c.log.Info("shopee earliest order date", "shop_id", s.cfg.ShopID, "date", day.Format(time.DateOnly), "probes", probes)
	return day, nil
}

// firstTrue returns the smallest i in [lo, hi) for which pred holds, or hi,
// assuming pred is monotone (false, then true).
func firstTrue(lo, hi int, pred func(int) (bool, error)) (int, error) {
	for lo < hi {
		mid := (lo + hi) / 2
		ok, err := pred(mid)
		if err != nil {
			return 0, err
		}
		if ok {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo, nil
}

func (s *Source) setEarliest(probes int, day string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.probes, s.first = probes, day
}

// ConfigFromEnv reads the SHOPEE_* variables: SHOPEE_PARTNER_ID,
// SHOPEE_PARTNER_KEY, SHOPEE_SHOP_ID, SHOPEE_ACCESS_TOKEN,
// SHOPEE_REFRESH_TOKEN, SHOPEE_HOST, SHOPEE_TOKEN_REFRESH_BUFFER (seconds),
// SHOPEE_INCREMENTAL_LOOKBACK_MINUTES, SHOPEE_START_DATE (YYYY-MM-DD). ok is
// false when the credentials are not set.
func ConfigFromEnv(getenv func(string) string) (cfg Config, ok bool, err error) {
	if getenv("SHOPEE_PARTNER_ID") == "" && getenv("SHOPEE_PARTNER_KEY") == "" {
		return cfg, false, nil
	}
	num := func(name string) (int64, error) {
		v := getenv(name)
		if v == "" {
			return 0, nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s: %q is not an integer", name, v)
		}
		return n, nil
	}
	if cfg.PartnerID, err = num("SHOPEE_PARTNER_ID"); err != nil {
		return cfg, false, err
	}
	if cfg.ShopID, err = num("SHOPEE_SHOP_ID"); err != nil {
		return cfg, false, err
	}
	buf, err := num("SHOPEE_TOKEN_REFRESH_BUFFER")
	if err != nil {
		return cfg, false, err
	}
	look, err := num("SHOPEE_INCREMENTAL_LOOKBACK_MINUTES")
	if err != nil {
		return cfg, false, err
	}
	cfg.RefreshBuffer = time.Duration(buf) * time.Second
	cfg.Lookback = time.Duration(look) * time.Minute
	cfg.PartnerKey = getenv("SHOPEE_PARTNER_KEY")
	cfg.AccessToken = getenv("SHOPEE_ACCESS_TOKEN")
	cfg.RefreshToken = getenv("SHOPEE_REFRESH_TOKEN")
	cfg.Host = getenv("SHOPEE_HOST")
	if v := getenv("SHOPEE_START_DATE"); v != "" {
		if cfg.StartDate, err = time.Parse(time.DateOnly, v); err != nil {
			return cfg, false, fmt.Errorf("SHOPEE_START_DATE: %q is not YYYY-MM-DD", v)
		}
	}
	if cfg.PartnerID == 0 || cfg.PartnerKey == "" || cfg.ShopID == 0 {
		return cfg, false, fmt.Errorf("shopee: SHOPEE_PARTNER_ID, SHOPEE_PARTNER_KEY and SHOPEE_SHOP_ID must all be set")
	}
	return cfg, true, nil
}
