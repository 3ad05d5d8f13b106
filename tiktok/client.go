// Package tiktok is the TikTok Shop Open API (version 202309) source: a
// client that signs every request over the exact bytes it sends (a retry
// signs again with a fresh timestamp), refreshes tokens from their absolute
// expiry times through tokenstore.Manager, resolves the shop cipher, reads
// the orders stream from the order search (complete order objects, so no
// detail calls) by page token inside half-open time windows, and a
// transformer to the 118-column staging.tiktok_shop_order_detail (one row
// per line item, the line set of an order replaced on every sync). Its
// finance streams (finance.go) read the daily statements with their
// transactions and the withdrawals into four more tables, and feed the
// TikTok part of staging.order_net_payout. Package tiktoktest simulates the
// platform.
package tiktok

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/tokenstore"
	gojson "github.com/goccy/go-json"
)

// Hosts of the production platform.
const (
	DefaultBaseURL = "https://open-api.tiktokglobalshop.com"
	DefaultAuthURL = "https://auth.tiktok-shops.com"
)

// API paths.
const (
	PathShops   = "/authorization/202309/shops"
	PathSearch  = "/order/202309/orders/search"
	PathDetail  = "/order/202309/orders"
	PathRefresh = "/api/v2/token/refresh"
)

// Limits of the platform.
const (
	// MaxPageSize is the largest search page.
	MaxPageSize = 100
	// MaxDetailIDs is the most order ids one detail call takes.
	MaxDetailIDs = 50
)

// PlatformName is the platform's key in the token store (as the old
// system's etl_control.api_token_storage has it).
const PlatformName = "tiktok_shop"

// Config configures the TikTok Shop client and source.
type Config struct {
	// BaseURL is the Open API host (default DefaultBaseURL; env
	// TIKTOK_SHOP_API_BASE_URL) and AuthURL the token host (default
	// DefaultAuthURL; env TIKTOK_AUTH_BASE_URL).
	BaseURL, AuthURL  string
	AppKey, AppSecret string
	// AccessToken and RefreshToken seed the token store on the first run.
	AccessToken, RefreshToken string
	// ShopCipher identifies the shop; when empty it is resolved through
	// GET /authorization/202309/shops (the token's only shop, or the one
	// whose id, code or name is Shop).
	ShopCipher string
	// Shop names the account in the token store, errors and logs (default
	// "default"; the cipher is never used as a name, it is kept out of logs).
	Shop string
	// Tokens persists tokens between runs (default: in memory).
	Tokens tokenstore.Store
	// RefreshBuffer: refresh when the access token expires within it
	// (default 300 s, env TIKTOK_TOKEN_REFRESH_BUFFER).
	RefreshBuffer time.Duration
	// Lookback of incremental windows (default 15 min, env
	// ETL_INCREMENTAL_LOOKBACK_MINUTES).
	Lookback time.Duration
	// StartDate of full loads (default 2024-07-01 00:00 Asia/Ho_Chi_Minh,
	// the business start; env TIKTOK_START_DATE).
	StartDate time.Time
	// PageSize of the order search (default and maximum 100).
	PageSize int
	// Concurrency is how many time windows a load reads at once (default
	// DefaultConcurrency; 1 reads one page at a time, window after window).
	// A window's pages are chained by page token, so they are read one
	// after another; the windows' pages are emitted in time order, so
	// checkpoints stay exact. Every call still draws from HTTP's budget.
	Concurrency int
	// DisableFinance turns off the finance streams (statements and
	// withdrawals, see finance.go), which are on by default (env
	// TIKTOK_FINANCE=false).
	DisableFinance bool
	// FinanceLookback is the overlap of the finance streams' incremental
	// reads (default DefaultFinanceLookback, env
	// TIKTOK_FINANCE_LOOKBACK_HOURS).
	FinanceLookback time.Duration
	// FinancePageSize is the page size of the finance lists (default and
	// maximum MaxFinancePageSize).
	FinancePageSize int
	// HTTP configures retries, timeouts and the rate limit.
	HTTP connector.HTTPConfig
	// Now is the clock of load windows and token expiry (default
	// time.Now). Request timestamps always use the real wall clock, as
	// the platform checks them against its own.
	Now    func() time.Time
	Logger *slog.Logger
}

// DefaultStartDate is the old system's business start.
var DefaultStartDate = time.Date(2024, 7, 1, 0, 0, 0, 0, connector.Vietnam)

// Client calls the TikTok Shop API. It is safe for concurrent use.
type Client struct {
	cfg    Config
	http   *connector.Client
	tokens *tokenstore.Manager
	log    *slog.Logger

	mu     sync.Mutex
	cipher string
	shop   *Shop // resolved through the shops endpoint
}

// NewClient validates cfg and returns a client.
func NewClient(cfg Config) (*Client, error) {
	if cfg.AppKey == "" || cfg.AppSecret == "" {
		return nil, errors.New("tiktok: AppKey and AppSecret are required")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.AuthURL == "" {
		cfg.AuthURL = DefaultAuthURL
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	cfg.AuthURL = strings.TrimRight(cfg.AuthURL, "/")
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Tokens == nil {
		cfg.Tokens = &tokenstore.Memory{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.HTTP.Logger == nil {
		cfg.HTTP.Logger = cfg.Logger
	}
	if cfg.Shop == "" {
		cfg.Shop = "default"
	}
	if cfg.PageSize <= 0 || cfg.PageSize > MaxPageSize {
		cfg.PageSize = MaxPageSize
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	if cfg.FinancePageSize <= 0 || cfg.FinancePageSize > MaxFinancePageSize {
		cfg.FinancePageSize = MaxFinancePageSize
	}
	if cfg.FinanceLookback <= 0 {
		cfg.FinanceLookback = DefaultFinanceLookback
	}
	c := &Client{cfg: cfg, http: connector.NewClient(cfg.HTTP), log: cfg.Logger, cipher: cfg.ShopCipher}
	for _, s := range []string{cfg.AppSecret, cfg.AccessToken, cfg.RefreshToken} {
		c.http.AddSecret(s)
	}
	var seed *tokenstore.Token
	if cfg.AccessToken != "" || cfg.RefreshToken != "" {
		seed = &tokenstore.Token{AccessToken: cfg.AccessToken, RefreshToken: cfg.RefreshToken}
	}
	c.tokens = &tokenstore.Manager{Store: cfg.Tokens, Platform: PlatformName, Account: cfg.Shop,
		Refresh: c.refresh, Seed: seed, Buffer: cfg.RefreshBuffer, Now: cfg.Now, Logger: cfg.Logger}
	return c, nil
}

// Shop returns the account name the client uses in errors and the token
// store.
func (c *Client) Shop() string { return c.cfg.Shop }

// APICalls returns the requests sent per endpoint path.
func (c *Client) APICalls() map[string]int64 { return c.http.APICalls() }

// Retries returns how many requests were sent again after a retryable
// failure (5xx, 429, timeouts, truncated bodies, platform server codes).
func (c *Client) Retries() int64 { return c.http.Retries() }

// Throttled returns how many answers throttled the client (HTTP 429 or the
// platform's throttling code).
func (c *Client) Throttled() int64 { return c.http.Throttled() }

// Refreshes returns how many token refreshes this client performed.
func (c *Client) Refreshes() int { return c.tokens.Refreshes() }

// envelope is the platform's answer: {code, message, request_id, data}.
type envelope struct {
	Code      *int            `json:"code"`
	Message   string          `json:"message"`
	RequestID string          `json:"request_id"`
	Data      json.RawMessage `json:"data"`
}

// DecodeEnvelope turns an HTTP answer into the envelope's data or an
// *APIError. A body that is not an envelope, a missing code, or a success
// without data (null or absent) is an error, never "nothing".
func DecodeEnvelope(endpoint string, status int, body []byte) (data json.RawMessage, requestID string, err error) {
	var env envelope
	if jerr := gojson.Unmarshal(body, &env); jerr != nil || env.Code == nil {
		msg := "response is not a JSON envelope"
		if status == http.StatusOK && jerr == nil {
			msg = "response envelope has no code"
		}
		return nil, "", &APIError{Endpoint: endpoint, HTTPStatus: status, Message: msg}
	}
	if *env.Code != 0 || status < 200 || status > 299 {
		return nil, env.RequestID, &APIError{Endpoint: endpoint, HTTPStatus: status, Code: *env.Code, Message: env.Message, RequestID: env.RequestID}
	}
	if len(env.Data) == 0 || string(env.Data) == "null" {
		return nil, env.RequestID, &APIError{Endpoint: endpoint, HTTPStatus: status, Message: "success without data", RequestID: env.RequestID}
	}
	return env.Data, env.RequestID, nil
}

// call sends a signed request to the Open API and decodes the envelope.
// It signs with the real wall clock, signs again before every HTTP retry,
// retries platform server and throttling codes answered with HTTP 200, and
// on an expired access token refreshes once and retries.
func (c *Client) call(ctx context.Context, method, path string, params url.Values, body []byte, withCipher bool) (json.RawMessage, string, error) {
	var stale string
	serverRetries := 0
	for {
		var tok string
		var err error
		if stale == "" {
			tok, err = c.tokens.AccessToken(ctx)
		} else {
			tok, err = c.tokens.Invalidate(ctx, stale)
		}
		if err != nil {
			return nil, "", c.tokenError(path, err)
		}
		c.http.AddSecret(tok)
		q := url.Values{}
		for k, v := range params {
			q[k] = v
		}
		q.Set("app_key", c.cfg.AppKey)
		if withCipher {
			cipher, err := c.ShopCipher(ctx)
			if err != nil {
				return nil, "", err
			}
			q.Set("shop_cipher", cipher)
		}
		signed := func() *url.URL {
			q.Set("timestamp", strconv.FormatInt(time.Now().Unix(), 10))
			q.Del("sign")
			q.Set("sign", Sign(c.cfg.AppSecret, path, q, body))
			u, _ := url.Parse(c.cfg.BaseURL + path)
			u.RawQuery = q.Encode()
			return u
		}
		var rd io.Reader
		if body != nil {
			rd = bytes.NewReader(body)
		}
		req, err := http.NewRequestWithContext(ctx, method, c.cfg.BaseURL+path, rd)
		if err != nil {
			return nil, "", fmt.Errorf("tiktok %s: %s", path, c.http.Redact(err.Error()))
		}
		req.URL = signed()
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("x-tts-access-token", tok)
		pctx := connector.WithPrepare(ctx, func(r *http.Request) error {
			r.URL = signed()
			return nil
		})
		resp, err := c.http.Do(pctx, req)
		if err != nil {
			return nil, "", fmt.Errorf("tiktok shop %s: %w", c.cfg.Shop, err)
		}
		data, rid, err := DecodeEnvelope(path, resp.StatusCode, resp.Body)
		switch {
		case err == nil:
			return data, rid, nil
		case errors.Is(err, ErrTokenExpired) && stale == "":
			c.log.Info("tiktok access token expired; refreshing", "shop", c.cfg.Shop, "endpoint", path)
			stale = tok
			continue
		case retryable(err) && resp.StatusCode < 300 && serverRetries+1 < c.http.Attempts():
			if errors.Is(err, ErrThrottled) {
				// 36009002 in a 200 answer: the app's budget slows down
				// for every shop of the app (HTTP 429 the client sees
				// itself).
				c.http.Throttle(0)
			}
			serverRetries++
			c.log.Debug("tiktok server code retried", "shop", c.cfg.Shop, "endpoint", path, "error", err)
			if werr := connector.Sleep(ctx, time.Duration(serverRetries)*c.http.MinBackoff()); werr != nil {
				return nil, "", werr
			}
			continue
		}
		return nil, rid, err
	}
}

// tokenError wraps a token failure; a spent or expired refresh token
// becomes ErrReauthorize naming the shop.
func (c *Client) tokenError(path string, err error) error {
	if errors.Is(err, ErrReauthorize) {
		return fmt.Errorf("tiktok shop %s: %w (%s)", c.cfg.Shop, ErrReauthorize, c.http.Redact(err.Error()))
	}
	return fmt.Errorf("tiktok shop %s: %s: token: %w", c.cfg.Shop, path, err)
}

// refresh exchanges the refresh token at the auth host. The app secret
// travels in the query (the platform requires it), so the URL is never
// logged and errors are redacted.
func (c *Client) refresh(ctx context.Context, refreshToken string) (tokenstore.Token, error) {
	c.http.AddSecret(refreshToken)
	q := url.Values{}
	q.Set("app_key", c.cfg.AppKey)
	q.Set("app_secret", c.cfg.AppSecret)
	q.Set("refresh_token", refreshToken)
	q.Set("grant_type", "refresh_token")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.cfg.AuthURL+PathRefresh+"?"+q.Encode(), nil)
	if err != nil {
		return tokenstore.Token{}, errors.New("tiktok refresh: bad auth URL")
	}
	resp, err := c.http.Do(ctx, req)
	if err != nil {
		return tokenstore.Token{}, fmt.Errorf("tiktok refresh: %w", err)
	}
	data, _, err := DecodeEnvelope(PathRefresh, resp.StatusCode, resp.Body)
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) && ae.Code != 0 && !retryable(err) {
			ae.Message = c.http.Redact(ae.Message)
			return tokenstore.Token{}, fmt.Errorf("%w: %w", ErrReauthorize, ae)
		}
		return tokenstore.Token{}, fmt.Errorf("tiktok refresh: %w", err)
	}
	var r struct {
		AccessToken          string `json:"access_token"`
		AccessTokenExpireIn  int64  `json:"access_token_expire_in"`
		RefreshToken         string `json:"refresh_token"`
		RefreshTokenExpireIn int64  `json:"refresh_token_expire_in"`
	}
	if err := json.Unmarshal(data, &r); err != nil || r.AccessToken == "" {
		return tokenstore.Token{}, &APIError{Endpoint: PathRefresh, HTTPStatus: resp.StatusCode, Message: "refresh answer without access_token"}
	}
	c.http.AddSecret(r.AccessToken)
	c.http.AddSecret(r.RefreshToken)
	tok := tokenstore.Token{AccessToken: r.AccessToken, RefreshToken: r.RefreshToken}
	// Both are absolute Unix times (the old system added them to "now").
	if r.AccessTokenExpireIn > 0 {
		tok.AccessExpiresAt = time.Unix(r.AccessTokenExpireIn, 0).UTC()
	}
	if r.RefreshTokenExpireIn > 0 {
		tok.RefreshExpiresAt = time.Unix(r.RefreshTokenExpireIn, 0).UTC()
	}
	return tok, nil
}

// Shop is an authorised shop from GET /authorization/202309/shops.
type Shop struct {
	Cipher     string `json:"cipher"`
	Code       string `json:"code"`
	ID         string `json:"id"`
	Name       string `json:"name"`
	Region     string `json:"region"`
	SellerType string `json:"seller_type"`
}

// Shops lists the shops the access token is authorised for (never sending
// a shop_cipher, which /authorization/* rejects).
func (c *Client) Shops(ctx context.Context) ([]Shop, error) {
	data, rid, err := c.call(ctx, http.MethodGet, PathShops, nil, nil, false)
	if err != nil {
		return nil, fmt.Errorf("tiktok shop %s: list shops: %w", c.cfg.Shop, err)
	}
	var r struct {
		Shops []Shop `json:"shops"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, &APIError{Endpoint: PathShops, HTTPStatus: 200, Message: "shops: " + err.Error(), RequestID: rid}
	}
	return r.Shops, nil
}

// ShopCipher returns the configured shop cipher or resolves it once
// through ShopInfo.
func (c *Client) ShopCipher(ctx context.Context) (string, error) {
	c.mu.Lock()
	cipher := c.cipher
	c.mu.Unlock()
	if cipher != "" {
		return cipher, nil
	}
	shop, err := c.ShopInfo(ctx)
	if err != nil {
		return "", err
	}
	return shop.Cipher, nil
}

// ShopInfo returns the shop the client reads, resolved once through GET
// /authorization/202309/shops: the one whose cipher is the configured
// one, or without a configured cipher the token's only shop, or the one
// whose id, code or name equals Config.Shop. A configured cipher the token
// is not authorised for is an error.
func (c *Client) ShopInfo(ctx context.Context) (Shop, error) {
	c.mu.Lock()
	shop, configured := c.shop, c.cfg.ShopCipher
	c.mu.Unlock()
	if shop != nil {
		return *shop, nil
	}
	shops, err := c.Shops(ctx)
	if err != nil {
		return Shop{}, err
	}
	var match []Shop
	for _, s := range shops {
		if configured != "" && s.Cipher == configured ||
			configured == "" && (len(shops) == 1 || s.ID == c.cfg.Shop || s.Code == c.cfg.Shop || s.Name == c.cfg.Shop) {
			match = append(match, s)
		}
	}
	switch {
	case configured != "" && len(match) != 1:
		return Shop{}, fmt.Errorf("tiktok shop %s: the token is authorised for %d shops, none with the configured TIKTOK_SHOP_CIPHER", c.cfg.Shop, len(shops))
	case len(match) != 1 || match[0].Cipher == "":
		return Shop{}, fmt.Errorf("tiktok shop %s: the token is authorised for %d shops; set TIKTOK_SHOP_CIPHER", c.cfg.Shop, len(shops))
	}
	c.mu.Lock()
	c.shop = &match[0]
	c.cipher = match[0].Cipher
	c.mu.Unlock()
	c.log.Info("tiktok shop resolved", "shop", c.cfg.Shop, "shop_id", match[0].ID, "region", match[0].Region)
	return match[0], nil
}

// SearchRequest is one order search page.
type SearchRequest struct {
	// Field is "create_time" or "update_time": the window's field and the
	// sort field (ascending).
	Field string
	// GE and LT bound the window (Unix seconds, half-open [GE, LT)).
	GE, LT int64
	// PageToken is "" for the first page.
	PageToken string
	// PageSize is 1..100 (default the client's).
	PageSize int
	// Status, when set, filters by order_status.
	Status string
}

// SearchPage is one page of the order search.
type SearchPage struct {
	// Orders are the complete order objects, as sent.
	Orders        []json.RawMessage
	NextPageToken string
	TotalCount    int
	RequestID     string
}

// searchBody is the JSON body; marshalled once, signed and sent as is.
type searchBody struct {
	CreateGE    int64  `json:"create_time_ge,omitempty"`
	CreateLT    int64  `json:"create_time_lt,omitempty"`
	UpdateGE    int64  `json:"update_time_ge,omitempty"`
	UpdateLT    int64  `json:"update_time_lt,omitempty"`
	OrderStatus string `json:"order_status,omitempty"`
}

// SearchOrders reads one page of POST /order/202309/orders/search.
func (c *Client) SearchOrders(ctx context.Context, r SearchRequest) (SearchPage, error) {
	var b searchBody
	switch r.Field {
	case "create_time":
		b.CreateGE, b.CreateLT = r.GE, r.LT
	case "update_time":
		b.UpdateGE, b.UpdateLT = r.GE, r.LT
	default:
		return SearchPage{}, fmt.Errorf("tiktok: search field %q is not create_time or update_time", r.Field)
	}
	b.OrderStatus = r.Status
	body, err := json.Marshal(b)
	if err != nil {
		return SearchPage{}, err
	}
	size := r.PageSize
	if size <= 0 {
		size = c.cfg.PageSize
	}
	q := url.Values{}
	q.Set("page_size", strconv.Itoa(size))
	q.Set("sort_field", r.Field)
	q.Set("sort_order", "ASC")
	if r.PageToken != "" {
		q.Set("page_token", r.PageToken)
	}
	data, rid, err := c.call(ctx, http.MethodPost, PathSearch, q, body, true)
	if err != nil {
		return SearchPage{}, err
	}
	var p struct {
		NextPageToken *string           `json:"next_page_token"`
		TotalCount    *int              `json:"total_count"`
		Orders        []json.RawMessage `json:"orders"`
	}
	if err := gojson.Unmarshal(data, &p); err != nil {
		return SearchPage{}, &APIError{Endpoint: PathSearch, HTTPStatus: 200, Message: "search data: " + err.Error(), RequestID: rid}
	}
	if p.TotalCount == nil {
		return SearchPage{}, &APIError{Endpoint: PathSearch, HTTPStatus: 200, Message: "search data without total_count", RequestID: rid}
	}
	out := SearchPage{Orders: p.Orders, TotalCount: *p.TotalCount, RequestID: rid}
	if p.NextPageToken != nil {
		out.NextPageToken = *p.NextPageToken
	}
	if out.NextPageToken != "" && out.NextPageToken == r.PageToken {
		return out, &APIError{Endpoint: PathSearch, HTTPStatus: 200, Message: "next_page_token did not move", RequestID: rid}
	}
	if out.NextPageToken != "" && len(out.Orders) == 0 {
		return out, &APIError{Endpoint: PathSearch, HTTPStatus: 200, Message: "empty page with a next_page_token", RequestID: rid}
	}
	return out, nil
}

// GetOrders fetches up to 50 named orders with GET /order/202309/orders
// (to re-fetch orders by id; loads use the search, which carries complete
// orders). An id the platform does not return is an error.
func (c *Client) GetOrders(ctx context.Context, ids []string) ([]json.RawMessage, string, error) {
	if len(ids) == 0 || len(ids) > MaxDetailIDs {
		return nil, "", fmt.Errorf("tiktok: order detail takes 1..%d ids, got %d", MaxDetailIDs, len(ids))
	}
	q := url.Values{}
	q.Set("ids", strings.Join(ids, ","))
	data, rid, err := c.call(ctx, http.MethodGet, PathDetail, q, nil, true)
	if err != nil {
		return nil, rid, fmt.Errorf("tiktok shop %s: order detail of %d orders from %s: %w", c.cfg.Shop, len(ids), ids[0], err)
	}
	var r struct {
		Orders []json.RawMessage `json:"orders"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, rid, &APIError{Endpoint: PathDetail, HTTPStatus: 200, Message: "detail data: " + err.Error(), RequestID: rid}
	}
	if len(r.Orders) != len(ids) {
		return r.Orders, rid, &APIError{Endpoint: PathDetail, HTTPStatus: 200, RequestID: rid,
			Message: fmt.Sprintf("asked for %d orders, got %d", len(ids), len(r.Orders))}
	}
	return r.Orders, rid, nil
}
