package shopee

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

	// quarantined counts the orders quarantined because get_order_detail
	// never returned them (see DetailMissingRuns).
	quarantined atomic.Int64
	// malformed counts the orders quarantined because get_order_detail
	// returned their record unreadable.
	malformed atomic.Int64
}

// MaxDetailQuarantine is the most orders of one detail batch (of up to 50)
// that are ever counted towards quarantine: a valid answer that leaves out
// more is taken for a platform fault (like a null answer), so a platform
// answering empty lists for a while fails runs instead of quarantining
// whole batches.
const MaxDetailQuarantine = 5

// DefaultDetailMissingRuns is the default of Config.DetailMissingRuns.
const DefaultDetailMissingRuns = 3

// NewSource returns the source of the shop in cfg.
func NewSource(cfg Config) (*Source, error) {
	c, err := NewClient(cfg)
	if err != nil {
		return nil, err
	}
	if c.cfg.Lookback <= 0 {
		c.cfg.Lookback = 15 * time.Minute
	}
	if c.cfg.FinanceLookback <= 0 {
		c.cfg.FinanceLookback = DefaultFinanceLookback
	}
	if c.cfg.DetailMissingRuns <= 0 {
		c.cfg.DetailMissingRuns = DefaultDetailMissingRuns
	}
	return &Source{c: c, cfg: c.cfg}, nil
}

// Client returns the source's API client.
func (s *Source) Client() *Client { return s.c }

// Streams implements connector.Source: "orders", whose records are
// get_order_detail orders, or quarantine markers of orders the platform
// never details (see Quarantined); then, unless Config.DisableFinance,
// "escrow" (released escrows and their details) and "wallet_transactions"
// (the wallet ledger, and the escrow details of the orders its
// adjustments name), see finance.go, and with Config.FinanceEstimates
// "escrow_estimates" (see estimates.go).
func (s *Source) Streams() []connector.Stream {
	st := []connector.Stream{&orders{s: s}}
	if !s.cfg.DisableFinance {
		st = append(st, &financeStream{s: s, name: StreamEscrow}, &financeStream{s: s, name: StreamWallet})
		if s.cfg.FinanceEstimates {
			st = append(st, &financeStream{s: s, name: StreamEstimates})
		}
	}
	return st
}

// APICalls implements connector.StatsSource.
func (s *Source) APICalls() map[string]int64 { return s.c.APICalls() }

// Stats implements connector.StatsSource: earliest_date_probes and
// earliest_date of the last discovery; token_refreshes, http_retries,
// details_quarantined (orders get_order_detail never returned, stored as
// rejections; see Config.DetailMissingRuns) and details_malformed (orders
// whose detail record was present but unreadable, stored as rejections at
// once) since the source was created.
func (s *Source) Stats() map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := map[string]any{"earliest_date_probes": s.probes, "token_refreshes": s.c.Refreshes(), "http_retries": s.c.Retries(), "throttled": s.c.http.Throttled(),
		"details_quarantined": s.quarantined.Load(), "details_malformed": s.malformed.Load()}
	if s.first != "" {
		st["earliest_date"] = s.first
	}
	return st
}

// Checkpoint is the orders stream's cursor. A run walks [From, End] in
// windows of at most 15 days by Field, and inside a window pages with
// Cursor. When the range is done, only Watermark remains: the next
// incremental run reads update_time in [Watermark - lookback, now].
//
// Missing remembers, by order_sn, the orders get_order_detail left out in
// consecutive runs (absent in checkpoints written before it existed, and
// whenever no order is missing). An order is dropped from it when its
// detail comes back, or when a run completes its range without listing it.
type Checkpoint struct {
	Phase     string                   `json:"phase"` // "full" or "incremental"
	Field     string                   `json:"field,omitempty"`
	From      int64                    `json:"window_from,omitempty"`
	End       int64                    `json:"end,omitempty"`
	Cursor    string                   `json:"cursor,omitempty"`
	Watermark int64                    `json:"watermark"`
	Missing   map[string]DetailMissing `json:"missing,omitempty"`
}

// DetailMissing is how long get_order_detail has been leaving out an order:
// in Runs consecutive runs that asked for it, with Calls calls in all. From
// Runs = Config.DetailMissingRuns on the order is quarantined.
type DetailMissing struct {
	Runs  int `json:"runs"`
	Calls int `json:"calls"`
}

type orders struct{ s *Source }

func (o *orders) Name() string { return "orders" }

// Read implements connector.Stream.
func (o *orders) Read(ctx context.Context, opts connector.ReadOptions, emit connector.EmitFunc) error {
	s := o.s
	var cp Checkpoint
	if opts.Checkpoint != nil {
		if err := json.Unmarshal(opts.Checkpoint, &cp); err != nil {
			return fmt.Errorf("shopee shop %d: bad checkpoint: %w", s.cfg.ShopID, err)
		}
	}
	// A new range ends at the platform's now. A full load asks the
	// platform for it first; an incremental run starts from the clock seen
	// last and checks it against its first answer (see walk).
	var now time.Time
	checkClock := false
	switch {
	case opts.Checkpoint == nil:
		t, err := s.c.SyncClock(ctx)
		if err != nil {
			return err
		}
		now = t.UTC()
	case cp.End == 0:
		now, checkClock = s.c.Now().UTC(), s.cfg.Now == nil
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
		inc := Checkpoint{Phase: "incremental", Field: "update_time", From: from.Unix(), End: now.Unix(), Watermark: cp.Watermark}
		err := o.walk(ctx, inc, cp, emit, checkClock)
		var moved *clockMoved
		if !errors.As(err, &moved) {
			return err
		}
		// The platform's clock is not where it was last seen (the first run
		// of this process, or a clock that jumped): nothing was emitted yet;
		// read again up to the platform's now.
		s.c.log.Info("shopee platform clock differs from the one seen last; reading up to it", "shop_id", s.cfg.ShopID,
			"platform_now", moved.now.Format(time.RFC3339))
		if !from.Before(moved.now) {
			return nil
		}
		inc.End = moved.now.Unix()
		return o.walk(ctx, inc, cp, emit, false)
	default:
		s.c.log.Info("shopee resuming", "shop_id", s.cfg.ShopID, "phase", cp.Phase, "window_from", time.Unix(cp.From, 0).UTC().Format(time.RFC3339))
	}
	return o.walk(ctx, cp, cp, emit, false)
}

// clockMoved: the platform's clock, seen in the first answer of an
// incremental run, is more than ClockTolerance away from the end the run
// assumed.
type clockMoved struct{ now time.Time }

func (e *clockMoved) Error() string {
	return "shopee: the platform's clock is at " + e.now.Format(time.RFC3339)
}

// ClockTolerance is how far the platform's clock may be from the end an
// incremental run assumed before the run reads up to the platform's clock
// instead (well below the lookback, so nothing can fall between runs).
const ClockTolerance = time.Minute

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
// SHOPEE_INCREMENTAL_LOOKBACK_MINUTES, SHOPEE_FINANCE (false turns the
// finance streams off), SHOPEE_FINANCE_ESTIMATES (true adds the escrow
// estimates stream), SHOPEE_FINANCE_LOOKBACK_HOURS, SHOPEE_START_DATE (YYYY-MM-DD,
// midnight UTC: the default time basis; the driver reads it in
// platform.Deps.TimeBasis), SHOPEE_DETAIL_MISSING_RUNS. ok is false when the
// credentials are not set.
func ConfigFromEnv(getenv func(string) string) (cfg Config, ok bool, err error) {
	return configFromEnv(getenv, connector.TimeUTC)
}

// configFromEnv is ConfigFromEnv with date-only settings read in basis.
func configFromEnv(getenv func(string) string, basis connector.TimeBasis) (cfg Config, ok bool, err error) {
	if getenv("SHOPEE_PARTNER_ID") == "" && getenv("SHOPEE_PARTNER_KEY") == "" {
		return cfg, false, nil
	}
	num := func(name string) (int64, error) { return platform.EnvInt(getenv, name) }
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
	runs, err := num("SHOPEE_DETAIL_MISSING_RUNS")
	if err != nil {
		return cfg, false, err
	}
	if runs < 0 {
		return cfg, false, fmt.Errorf("SHOPEE_DETAIL_MISSING_RUNS: %d is negative", runs)
	}
	cfg.DetailMissingRuns = int(runs)
	finLook, err := num("SHOPEE_FINANCE_LOOKBACK_HOURS")
	if err != nil {
		return cfg, false, err
	}
	cfg.FinanceLookback = time.Duration(finLook) * time.Hour
	finance, err := platform.EnvBool(getenv, "SHOPEE_FINANCE", true)
	if err != nil {
		return cfg, false, err
	}
	cfg.DisableFinance = !finance
	if cfg.FinanceEstimates, err = platform.EnvBool(getenv, "SHOPEE_FINANCE_ESTIMATES", false); err != nil {
		return cfg, false, err
	}
	cfg.RefreshBuffer = time.Duration(buf) * time.Second
	cfg.Lookback = time.Duration(look) * time.Minute
	cfg.PartnerKey = getenv("SHOPEE_PARTNER_KEY")
	cfg.AccessToken = getenv("SHOPEE_ACCESS_TOKEN")
	cfg.RefreshToken = getenv("SHOPEE_REFRESH_TOKEN")
	cfg.Host = getenv("SHOPEE_HOST")
	if cfg.StartDate, err = platform.EnvDate(getenv, "SHOPEE_START_DATE", basis); err != nil {
		return cfg, false, err
	}
	if cfg.PartnerID == 0 || cfg.PartnerKey == "" || cfg.ShopID == 0 {
		return cfg, false, fmt.Errorf("shopee: SHOPEE_PARTNER_ID, SHOPEE_PARTNER_KEY and SHOPEE_SHOP_ID must all be set")
	}
	return cfg, true, nil
}
