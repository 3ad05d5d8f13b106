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
)

// Source is one TikTok shop. It implements connector.Source and
// connector.StatsSource.
type Source struct {
	c   *Client
	cfg Config

	pages        atomic.Int64
	restarts     atomic.Int64
	windowOrders atomic.Int64
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

// Stats implements connector.StatsSource: search_pages read, page_restarts
// (windows restarted from their committed position after a rejected page
// token), token_refreshes, http_retries and throttled answers since the source was
// created.
func (s *Source) Stats() map[string]any {
	return map[string]any{"search_pages": s.pages.Load(), "page_restarts": s.restarts.Load(),
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

// walk reads [cp.From, cp.End) page by page and emits each page with the
// checkpoint it completes.
func (o *orders) walk(ctx context.Context, cp Checkpoint, emit connector.EmitFunc) error {
	s := o.s
	if cp.From >= cp.End { // an empty range (a start date in the future)
		data, _ := json.Marshal(Checkpoint{Phase: "incremental", Watermark: max(cp.End, cp.Watermark)})
		return emit(ctx, connector.Page{Checkpoint: data})
	}
	// ge is the lower bound of the current scan; a page token belongs to
	// it. cp.From moves with every page, and a new scan starts there.
	ge, token := cp.From, ""
	restarted := false
	for {
		page, err := s.c.SearchOrders(ctx, SearchRequest{Field: cp.Field, GE: ge, LT: cp.End, PageToken: token})
		if err != nil && token != "" && !restarted && errors.Is(err, ErrInvalidParam) {
			// The page token was refused (expired, or spent by an attempt
			// whose answer was lost): restart the window from the last
			// committed position.
			s.restarts.Add(1)
			s.c.log.Info("tiktok page token refused; restarting the window from its position", "shop", s.c.Shop(),
				"field", cp.Field, "window_from", time.Unix(cp.From, 0).UTC().Format(time.RFC3339))
			ge, token, restarted = cp.From, "", true
			continue
		}
		if err != nil {
			return fmt.Errorf("tiktok shop %s: search %s [%s, %s): %w", s.c.Shop(), cp.Field,
				time.Unix(ge, 0).UTC().Format(time.RFC3339), time.Unix(cp.End, 0).UTC().Format(time.RFC3339), err)
		}
		restarted = false
		s.pages.Add(1)
		if len(page.Orders) > 0 {
			noteUnmapped(page.Orders[0], s.c.log)
		}
		recs := make([]connector.Record, len(page.Orders))
		next := cp
		for i, raw := range page.Orders {
			k, err := orderKey(raw, cp.Field)
			if err != nil {
				// The record still goes downstream: the transformer
				// quarantines it with the reason.
				s.c.log.Warn("tiktok order without a usable key or time", "shop", s.c.Shop(), "error", err)
			}
			recs[i] = connector.Record{Key: k.id, Data: raw, RequestID: page.RequestID}
			if k.at > next.From && k.at < cp.End {
				next.From = k.at
			}
		}
		if page.NextPageToken == "" {
			next = Checkpoint{Phase: "incremental", Watermark: cp.End}
		}
		data, err := json.Marshal(next)
		if err != nil {
			return err
		}
		if err := emit(ctx, connector.Page{Records: recs, Checkpoint: data}); err != nil {
			return err
		}
		if page.NextPageToken == "" {
			return nil
		}
		cp, token = next, page.NextPageToken
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
// (seconds), ETL_INCREMENTAL_LOOKBACK_MINUTES. ok is false when the app
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
