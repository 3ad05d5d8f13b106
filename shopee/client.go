// Package shopee is the Shopee Open Platform v2 source: a signed client with
// token rotation, the orders stream (earliest-date binary search, 15-day
// windows, cursor paging, 50-order detail batches, incremental by
// update_time with lookback) and the transformer to the twelve
// staging.shopee_* tables. Package shopeetest simulates the platform.
package shopee

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/jsonscan"
	"github.com/facolos/etl/tokenstore"
)

// DefaultHost is the production API host.
const DefaultHost = "https://partner.shopeemobile.com"

// API paths.
const (
	PathOrderList   = "/api/v2/order/get_order_list"
	PathOrderDetail = "/api/v2/order/get_order_detail"
	PathRefresh     = "/api/v2/auth/access_token/get"
	PathTokenGet    = "/api/v2/auth/token/get"
	PathAuthPartner = "/api/v2/shop/auth_partner"
)

// Sign returns the request signature: lowercase hex of HMAC-SHA256 of base
// keyed by the partner key.
func Sign(partnerKey, base string) string {
	m := hmac.New(sha256.New, []byte(partnerKey))
	m.Write([]byte(base))
	return hex.EncodeToString(m.Sum(nil))
}

// ShopBase is the signature base of shop APIs:
// partner_id + api_path + timestamp + access_token + shop_id.
func ShopBase(partnerID int64, path string, ts int64, accessToken string, shopID int64) string {
	return strconv.FormatInt(partnerID, 10) + path + strconv.FormatInt(ts, 10) + accessToken + strconv.FormatInt(shopID, 10)
}

// PublicBase is the signature base of public APIs (auth):
// partner_id + api_path + timestamp.
func PublicBase(partnerID int64, path string, ts int64) string {
	return strconv.FormatInt(partnerID, 10) + path + strconv.FormatInt(ts, 10)
}

// Error kinds, matched with errors.Is on an *APIError.
var (
	// ErrAuth: signature, partner, permission or token problems that a retry
	// does not fix.
	ErrAuth = errors.New("shopee: authorization failed")
	// ErrTokenExpired: the access token is invalid or expired (the client
	// refreshes once and retries). It is also an ErrAuth.
	ErrTokenExpired = errors.New("shopee: access token invalid or expired")
	// ErrThrottled: rate or daily limit reached.
	ErrThrottled = errors.New("shopee: throttled")
	// ErrInvalidParam: the request was rejected as invalid.
	ErrInvalidParam = errors.New("shopee: invalid parameter")
	// ErrServer: the platform failed.
	ErrServer = errors.New("shopee: server error")
	// ErrBadResponse: a 200 answer of an unexpected shape (not a JSON
	// envelope, response null, a field of the wrong type, a detail answer
	// that leaves out requested orders, a cursor that does not advance).
	// Never read as "nothing there".
	ErrBadResponse = errors.New("shopee: unexpected response")
)

// APIError is an error envelope returned by the platform.
type APIError struct {
	Endpoint   string
	HTTPStatus int
	// Code is the platform's error string as sent ("error_auth",
	// "common.error_auth"); Kind matches on the part after the last ".".
	Code      string
	Message   string
	RequestID string
}

// Error describes the error with the endpoint, code and request id.
func (e *APIError) Error() string {
	return fmt.Sprintf("shopee %s: %s: %s (HTTP %d, request %s)", e.Endpoint, e.Code, e.Message, e.HTTPStatus, e.RequestID)
}

func (e *APIError) bare() string {
	c := e.Code
	if i := strings.LastIndex(c, "."); i >= 0 {
		c = c[i+1:]
	}
	return c
}

// Is matches the error kinds.
func (e *APIError) Is(target error) bool {
	c := e.bare()
	switch target {
	case ErrTokenExpired:
		return c == "invalid_acceess_token" || c == "invalid_access_token" ||
			(c == "error_auth" && strings.Contains(strings.ToLower(e.Message), "access_token"))
	case ErrAuth:
		switch c {
		case "error_auth", "invalid_acceess_token", "invalid_access_token", "error_sign", "invalid_partner_id", "partner_shop_no_link",
			"shop_no_linked", "shop_banned", "error_permission", "error_shop_refresh_token", "refresh_token_expired",
			"shop_access_expired", "error_partner_key_expired", "error_api_call_restricted", "api_suspended", "source_ip_undeclared", "error_shop":
			return true
		}
	case ErrThrottled:
		return c == "error_rate_limit" || c == "error_limit" || e.HTTPStatus == http.StatusTooManyRequests
	case ErrInvalidParam:
		return c == "error_param" || c == "order_list_invalid_time" || c == "error_data" || c == "error_not_found"
	case ErrServer:
		return c == "error_server" || c == "error_network" || e.HTTPStatus >= 500
	case ErrBadResponse:
		return c == "invalid_response"
	case tokenstore.ErrRefreshRejected:
		return e.Endpoint == PathRefresh && (c == "error_shop_refresh_token" || c == "refresh_token_expired" || c == "shop_access_expired" ||
			c == "invalid_refresh_token" || c == "error_auth" || c == "shop_no_linked" || c == "shop_banned" || c == "partner_shop_no_link")
	}
	return false
}

// Config configures the Shopee client and source.
type Config struct {
	// Host is the API base URL (default DefaultHost).
	Host       string
	PartnerID  int64
	PartnerKey string
	ShopID     int64
	// AccessToken and RefreshToken seed the token store on the first run.
	AccessToken, RefreshToken string
	// Tokens persists tokens between runs (default: in memory).
	Tokens tokenstore.Store
	// RefreshBuffer: refresh when the access token expires within it
	// (default 300 s, env SHOPEE_TOKEN_REFRESH_BUFFER).
	RefreshBuffer time.Duration
	// Lookback of incremental windows (default 15 min, env
	// SHOPEE_INCREMENTAL_LOOKBACK_MINUTES).
	Lookback time.Duration
	// StartDate of full loads; zero discovers the earliest order (at most
	// two years back) by binary search.
	StartDate time.Time
	// HTTP configures retries, timeouts and the rate limit.
	HTTP connector.HTTPConfig
	// Now is the platform's clock: it ends the windows a run reads and
	// times token expiry. Default: the platform's own clock, as the Date
	// header of its answers shows it (one cheap call at the start of each
	// read learns it), so that local clock skew — or a simulator whose data
	// clock is elsewhere — needs no configuration. Tests may set it.
	// Request timestamps are always signed with the real time (time.Now):
	// the platform checks them against its wall clock.
	Now func() time.Time
	// Concurrency is how many get_order_detail calls may be in flight at
	// once (default 8); ListConcurrency how many 15-day windows a full load
	// lists at once (default 4). Records are still emitted in order and
	// checkpoints stay exact; HTTP.RateLimit bounds the rate.
	Concurrency, ListConcurrency int
	// DetailMissingRuns: an order that get_order_detail keeps leaving out
	// (after DetailAttempts calls) fails the run, so the checkpoint does
	// not pass it, in fewer than this many consecutive runs; from this
	// run on it is quarantined instead and the run goes on (default 3,
	// env SHOPEE_DETAIL_MISSING_RUNS; see Checkpoint.Missing).
	DetailMissingRuns int
	// DisableFinance turns off the finance streams (escrow and
	// wallet_transactions, see finance.go), which are on by default (env
	// SHOPEE_FINANCE=false).
	DisableFinance bool
	// FinanceEstimates adds the escrow_estimates stream (off by default,
	// env SHOPEE_FINANCE_ESTIMATES=true): the escrow details of paid
	// orders not yet released, stored as estimates (is_released false, no
	// version) that the released figure replaces.
	FinanceEstimates bool
	// FinanceLookback is the overlap of the finance streams' incremental
	// windows (default DefaultFinanceLookback, env
	// SHOPEE_FINANCE_LOOKBACK_HOURS).
	FinanceLookback time.Duration
	Logger          *slog.Logger
}

// Client calls the Shopee API. It is safe for concurrent use.
type Client struct {
	cfg    Config
	http   *connector.Client
	tokens *tokenstore.Manager
	log    *slog.Logger
	// skew is the platform's clock minus the local clock (nanoseconds),
	// from the Date header of the latest answer.
	skew atomic.Int64
}

// NewClient validates cfg and returns a client.
func NewClient(cfg Config) (*Client, error) {
	if cfg.PartnerID == 0 || cfg.PartnerKey == "" || cfg.ShopID == 0 {
		return nil, errors.New("shopee: PartnerID, PartnerKey and ShopID are required")
	}
	if cfg.Host == "" {
		cfg.Host = DefaultHost
	}
	cfg.Host = strings.TrimRight(cfg.Host, "/")
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 8
	}
	if cfg.ListConcurrency <= 0 {
		cfg.ListConcurrency = 4
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
	c := &Client{cfg: cfg, http: connector.NewClient(cfg.HTTP), log: cfg.Logger}
	c.http.AddSecret(cfg.PartnerKey)
	c.http.AddSecret(cfg.AccessToken)
	c.http.AddSecret(cfg.RefreshToken)
	var seed *tokenstore.Token
	if cfg.AccessToken != "" || cfg.RefreshToken != "" {
		seed = &tokenstore.Token{AccessToken: cfg.AccessToken, RefreshToken: cfg.RefreshToken}
	}
	c.tokens = &tokenstore.Manager{Store: cfg.Tokens, Platform: "shopee", Account: strconv.FormatInt(cfg.ShopID, 10),
		Refresh: c.refresh, Seed: seed, Buffer: cfg.RefreshBuffer, Now: c.Now, Logger: c.log,
		Hint: fmt.Sprintf("run `go run ./examples/authorize -platform shopee -shop-id %d` (prints the authorisation link, stores the new tokens)", cfg.ShopID)}
	return c, nil
}

// Now returns the platform's clock: Config.Now when set, otherwise the
// local clock corrected by the skew the platform's Date headers showed.
func (c *Client) Now() time.Time {
	if c.cfg.Now != nil {
		return c.cfg.Now()
	}
	return time.Now().Add(time.Duration(c.skew.Load()))
}

// observe learns the platform's clock from an answer's Date header.
func (c *Client) observe(h http.Header) {
	if c.cfg.Now != nil || h == nil {
		return
	}
	if t, err := http.ParseTime(h.Get("Date")); err == nil {
		// The header has whole seconds: keep the local sub-second part.
		local := time.Now()
		c.skew.Store(int64(t.Sub(local.Truncate(time.Second))))
	}
}

// SyncClock learns the platform's clock with one cheap call (a one-order
// get_order_list over the last hour) unless Config.Now is set, and returns
// the platform's now.
func (c *Client) SyncClock(ctx context.Context) (time.Time, error) {
	if c.cfg.Now != nil {
		return c.cfg.Now(), nil
	}
	to := time.Now().Add(time.Duration(c.skew.Load()))
	if _, err := c.GetOrderList(ctx, "create_time", to.Add(-time.Hour), to, 1, ""); err != nil {
		return time.Time{}, fmt.Errorf("shopee shop %d: read the platform's clock: %w", c.cfg.ShopID, err)
	}
	return c.Now(), nil
}

// APICalls returns the requests sent per endpoint path.
func (c *Client) APICalls() map[string]int64 { return c.http.APICalls() }

// Retries returns how many requests were sent again after a retryable
// failure (5xx, 429, timeouts, truncated bodies).
func (c *Client) Retries() int64 { return c.http.Retries() }

// Refreshes returns how many token refreshes this client performed.
func (c *Client) Refreshes() int { return c.tokens.Refreshes() }

type envelope struct {
	RequestID string          `json:"request_id"`
	Error     string          `json:"error"`
	Message   string          `json:"message"`
	Response  json.RawMessage `json:"response"`
	Warning   json.RawMessage `json:"warning"`
}

// decode turns a response into the envelope or an *APIError. A body that is
// not a JSON envelope, an error code, or a status other than 2xx (a 3xx
// without Location, a 1xx) is an error, never an answer.
func decode(endpoint string, resp *connector.Response) (*envelope, error) {
	var env envelope
	if err := json.Unmarshal(resp.Body, &env); err != nil {
		code := "invalid_response"
		if resp.StatusCode >= 400 {
			code = fmt.Sprintf("http_%d", resp.StatusCode)
		}
		return nil, &APIError{Endpoint: endpoint, HTTPStatus: resp.StatusCode, Code: code, Message: "response is not a JSON envelope"}
	}
	if env.Error != "" || resp.StatusCode < 200 || resp.StatusCode > 299 {
		code := env.Error
		if code == "" {
			code = fmt.Sprintf("http_%d", resp.StatusCode)
		}
		return nil, &APIError{Endpoint: endpoint, HTTPStatus: resp.StatusCode, Code: code, Message: env.Message, RequestID: env.RequestID}
	}
	return &env, nil
}

// shopGET calls a shop API. On an expired-token error it refreshes once and
// retries with a new signature.
func (c *Client) shopGET(ctx context.Context, path string, params url.Values) (*envelope, error) {
	return c.shopCall(ctx, http.MethodGet, path, params, nil)
}

// shopCall calls a shop API with method, sending body (when not nil) as
// JSON. On an expired-token error it refreshes once and retries with a new
// signature.
func (c *Client) shopCall(ctx context.Context, method, path string, params url.Values, body []byte) (*envelope, error) {
	var stale string
	for attempt := 0; ; attempt++ {
		var tok string
		var err error
		if stale == "" {
			tok, err = c.tokens.AccessToken(ctx)
		} else {
			tok, err = c.tokens.Invalidate(ctx, stale)
		}
		if err != nil {
			return nil, fmt.Errorf("shopee %s: token: %w", path, err)
		}
		c.http.AddSecret(tok)
		ts := time.Now().Unix() // checked against the platform's wall clock
		q := url.Values{}
		for k, v := range params {
			q[k] = v
		}
		q.Set("partner_id", strconv.FormatInt(c.cfg.PartnerID, 10))
		q.Set("timestamp", strconv.FormatInt(ts, 10))
		q.Set("access_token", tok)
		q.Set("shop_id", strconv.FormatInt(c.cfg.ShopID, 10))
		q.Set("sign", Sign(c.cfg.PartnerKey, ShopBase(c.cfg.PartnerID, path, ts, tok, c.cfg.ShopID)))
		var rd io.Reader
		if body != nil {
			rd = bytes.NewReader(body)
		}
		req, err := http.NewRequestWithContext(ctx, method, c.cfg.Host+path+"?"+q.Encode(), rd)
		if err != nil {
			return nil, fmt.Errorf("shopee %s: %s", path, c.http.Redact(err.Error()))
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := c.http.Do(ctx, req)
		if err != nil {
			return nil, fmt.Errorf("shopee: %w", err)
		}
		c.observe(resp.Header)
		env, err := decode(path, resp)
		if errors.Is(err, ErrTokenExpired) && attempt == 0 {
			c.log.Info("shopee access token rejected; refreshing", "shop_id", c.cfg.ShopID, "endpoint", path)
			stale = tok
			continue
		}
		return env, err
	}
}

// refresh exchanges a refresh token (single use) for a new pair.
func (c *Client) refresh(ctx context.Context, refreshToken string) (tokenstore.Token, error) {
	c.http.AddSecret(refreshToken)
	ts := time.Now().Unix()
	q := url.Values{}
	q.Set("partner_id", strconv.FormatInt(c.cfg.PartnerID, 10))
	q.Set("timestamp", strconv.FormatInt(ts, 10))
	q.Set("sign", Sign(c.cfg.PartnerKey, PublicBase(c.cfg.PartnerID, PathRefresh, ts)))
	body, _ := json.Marshal(map[string]any{"refresh_token": refreshToken, "partner_id": c.cfg.PartnerID, "shop_id": c.cfg.ShopID})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.Host+PathRefresh+"?"+q.Encode(), bytes.NewReader(body))
	if err != nil {
		return tokenstore.Token{}, fmt.Errorf("shopee refresh: %s", c.http.Redact(err.Error()))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(ctx, req)
	if err != nil {
		return tokenstore.Token{}, fmt.Errorf("shopee refresh: %w", err)
	}
	c.observe(resp.Header)
	return c.tokenAnswer(PathRefresh, resp)
}

// tokenAnswer decodes the answer of token/get or access_token/get.
func (c *Client) tokenAnswer(endpoint string, resp *connector.Response) (tokenstore.Token, error) {
	var r struct {
		RequestID    string `json:"request_id"`
		Error        string `json:"error"`
		Message      string `json:"message"`
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		ExpireIn     int64  `json:"expire_in"`
	}
	if err := json.Unmarshal(resp.Body, &r); err != nil || r.Error != "" || resp.StatusCode < 200 || resp.StatusCode > 299 || r.AccessToken == "" {
		code := r.Error
		if code == "" {
			code = fmt.Sprintf("http_%d", resp.StatusCode)
		}
		return tokenstore.Token{}, &APIError{Endpoint: endpoint, HTTPStatus: resp.StatusCode, Code: code, Message: r.Message, RequestID: r.RequestID}
	}
	c.http.AddSecret(r.AccessToken)
	c.http.AddSecret(r.RefreshToken)
	now := c.Now()
	exp := now.Add(time.Duration(r.ExpireIn) * time.Second)
	if r.ExpireIn > 1_000_000_000 { // a Unix time, as one documentation sample shows
		exp = time.Unix(r.ExpireIn, 0)
	}
	if r.ExpireIn <= 0 {
		exp = now.Add(4 * time.Hour)
	}
	return tokenstore.Token{AccessToken: r.AccessToken, RefreshToken: r.RefreshToken, AccessExpiresAt: exp.UTC(),
		RefreshExpiresAt: now.Add(30 * 24 * time.Hour).UTC()}, nil
}

// ListPage is one page of get_order_list.
type ListPage struct {
	OrderSNs []string
	// Statuses are the order_status of OrderSNs, in the same order, when
	// the page was asked for them (GetOrderStatusList).
	Statuses   []string
	More       bool
	NextCursor string
	RequestID  string
}

// GetOrderList lists orders whose field ("create_time" or "update_time") is
// in [from, to] (at most 15 days apart), one page of pageSize (1..100) from
// cursor ("" for the first page).
func (c *Client) GetOrderList(ctx context.Context, field string, from, to time.Time, pageSize int, cursor string) (ListPage, error) {
	return c.orderList(ctx, field, from, to, pageSize, cursor, false)
}

// GetOrderStatusList is GetOrderList with each order's order_status
// (response_optional_fields=order_status); an order without one is an
// error.
func (c *Client) GetOrderStatusList(ctx context.Context, field string, from, to time.Time, pageSize int, cursor string) (ListPage, error) {
	return c.orderList(ctx, field, from, to, pageSize, cursor, true)
}

func (c *Client) orderList(ctx context.Context, field string, from, to time.Time, pageSize int, cursor string, statuses bool) (ListPage, error) {
	q := url.Values{}
	q.Set("time_range_field", field)
	q.Set("time_from", strconv.FormatInt(from.Unix(), 10))
	q.Set("time_to", strconv.FormatInt(to.Unix(), 10))
	q.Set("page_size", strconv.Itoa(pageSize))
	q.Set("cursor", cursor)
	if statuses {
		q.Set("response_optional_fields", "order_status")
	}
	env, err := c.shopGET(ctx, PathOrderList, q)
	if err != nil {
		return ListPage{}, err
	}
	p, err := parseListPage(env.Response, statuses)
	p.RequestID = env.RequestID
	if err != nil {
		return ListPage{}, &APIError{Endpoint: PathOrderList, HTTPStatus: 200, Code: "invalid_response", Message: err.Error(), RequestID: env.RequestID}
	}
	if cursor != "" && p.More && p.NextCursor == cursor {
		return ListPage{}, &APIError{Endpoint: PathOrderList, HTTPStatus: 200, Code: "invalid_response",
			Message: "next_cursor equals the cursor sent: the cursor does not advance", RequestID: env.RequestID}
	}
	return p, nil
}

// parseListPage decodes the response object of get_order_list. A null or
// missing response, a missing order_list, an order without order_sn, or
// more without next_cursor is an error.
func parseListPage(raw json.RawMessage, statuses bool) (ListPage, error) {
	if isNull(raw) {
		return ListPage{}, errors.New("response is null")
	}
	var r struct {
		More       *bool  `json:"more"`
		NextCursor string `json:"next_cursor"`
		OrderList  *[]struct {
			OrderSN     string `json:"order_sn"`
			OrderStatus string `json:"order_status"`
		} `json:"order_list"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return ListPage{}, fmt.Errorf("response: %w", err)
	}
	if r.More == nil {
		return ListPage{}, errors.New("response.more is missing")
	}
	p := ListPage{More: *r.More, NextCursor: r.NextCursor}
	if r.OrderList == nil {
		if p.More {
			return ListPage{}, errors.New("response.order_list is missing")
		}
		return p, nil // an empty window may omit the list
	}
	for i, o := range *r.OrderList {
		if o.OrderSN == "" {
			return ListPage{}, fmt.Errorf("response.order_list[%d].order_sn is missing", i)
		}
		p.OrderSNs = append(p.OrderSNs, o.OrderSN)
		if statuses {
			if o.OrderStatus == "" {
				return ListPage{}, fmt.Errorf("response.order_list[%d].order_status is missing (order %s)", i, o.OrderSN)
			}
			p.Statuses = append(p.Statuses, o.OrderStatus)
		}
	}
	if p.More && p.NextCursor == "" {
		return ListPage{}, errors.New("more is true but next_cursor is empty")
	}
	return p, nil
}

func isNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null"
}

// DetailFields are the response_optional_fields the client asks for: every
// optional field the staging tables need.
var DetailFields = []string{
	"buyer_user_id", "buyer_username", "estimated_shipping_fee", "recipient_address", "actual_shipping_fee", "goods_to_declare",
	"note", "note_update_time", "item_list", "pay_time", "dropshipper", "dropshipper_phone", "split_up", "buyer_cancel_reason",
	"cancel_by", "cancel_reason", "actual_shipping_fee_confirmed", "buyer_cpf_id", "fulfillment_flag", "pickup_done_time",
	"package_list", "shipping_carrier", "payment_method", "total_amount", "invoice_data", "order_chargeable_weight_gram",
	"return_request_due_date", "edt", "payment_info", "reverse_shipping_fee",
}

// MaxDetailBatch is the platform's limit of order_sn per detail call.
const MaxDetailBatch = 50

// Detail is the result of get_order_detail.
type Detail struct {
	Orders []json.RawMessage
	// Keys are the order_sn of Orders, in the same order.
	Keys []string
	// Malformed are the records of the answer that are present but whose
	// order_sn cannot be read (not a JSON object, order_sn missing, empty
	// or not a string or number), in the order of the answer.
	Malformed []MalformedRecord
	RequestID string
	Warning   []string
}

// MalformedRecord is a record of a get_order_detail answer whose order_sn
// cannot be read.
type MalformedRecord struct {
	// Index is the record's position in response.order_list.
	Index int
	// Data is the record as sent.
	Data json.RawMessage
	// Err names the field and what is wrong with it.
	Err error
}

// GetOrderDetail fetches up to 50 orders with every optional field.
func (c *Client) GetOrderDetail(ctx context.Context, sns []string) (Detail, error) {
	if len(sns) == 0 || len(sns) > MaxDetailBatch {
		return Detail{}, fmt.Errorf("shopee: get_order_detail takes 1..%d order_sn, got %d", MaxDetailBatch, len(sns))
	}
	q := url.Values{}
	q.Set("order_sn_list", strings.Join(sns, ","))
	q.Set("response_optional_fields", strings.Join(DetailFields, ","))
	q.Set("request_order_status_pending", "true")
	env, err := c.shopGET(ctx, PathOrderDetail, q)
	if err != nil {
		return Detail{}, err
	}
	d, err := parseDetail(env.Response, env.Warning)
	d.RequestID = env.RequestID
	if err != nil {
		return Detail{}, &APIError{Endpoint: PathOrderDetail, HTTPStatus: 200, Code: "invalid_response", Message: err.Error(), RequestID: env.RequestID}
	}
	return d, nil
}

// parseDetail decodes the response object and warning of get_order_detail:
// an order carries an order_sn (a JSON string, or a number from a sloppy
// gateway); a record without a readable one is returned in Malformed. A
// null response or order_list is an error.
//
// The response is read in one pass of the shared scanner (it matches keys
// as encoding/json matches struct fields, the last of repeated keys
// winning): the list and every order's key were two more passes of
// encoding/json over every order, 45 % of a full load's loader CPU.
func parseDetail(raw, warning json.RawMessage) (Detail, error) {
	var d Detail
	if len(warning) > 0 && !isNull(warning) {
		var ws []string
		if json.Unmarshal(warning, &ws) == nil {
			d.Warning = ws
		} else {
			d.Warning = []string{string(warning)}
		}
	}
	if isNull(raw) {
		return d, errors.New("response is null")
	}
	type order struct {
		data, sn []byte
		object   bool // an object, or null
	}
	var list []order
	found := false
	s := jsonscan.NewBytes(raw)
	if s.Lookahead() != '{' {
		return d, errors.New("response: not a JSON object")
	}
	it := s.Object(orderListKeys, nil)
	for it.Next() {
		if it.Index() < 0 {
			if !s.Skip() {
				break
			}
			continue
		}
		switch s.Lookahead() {
		case 'n':
			if !s.Skip() {
				break
			}
			list, found = nil, false
		case '[':
			list, found = nil, true
			s.Elements(func(int) bool {
				s.Lookahead()
				start := s.Pos()
				sn, object, ok := scanOrder(s, raw)
				list = append(list, order{raw[start:s.Pos()], sn, object})
				return ok
			})
		default:
			return d, errors.New("response: order_list is not a list")
		}
	}
	if err := s.Err(); err != nil {
		return d, fmt.Errorf("response: %w", err)
	}
	if !s.AtEnd() {
		return d, errors.New("response: data after the object")
	}
	if !found {
		return d, errors.New("response.order_list is missing or null")
	}
	for i, o := range list {
		key, err := snKey(o.sn, o.object)
		if err != nil {
			d.Malformed = append(d.Malformed, MalformedRecord{Index: i, Data: o.data, Err: err})
			continue
		}
		d.Orders = append(d.Orders, o.data)
		d.Keys = append(d.Keys, key)
	}
	return d, nil
}

var (
	orderListKeys = jsonscan.NewKeys([]string{"order_list"}, true)
	orderSNKeys   = jsonscan.NewKeys([]string{"order_sn"}, true)
)

// scanOrder reads the value at s's position, one order of data (the text
// s reads), and returns the text of its last order_sn member (nil when it
// has none) and whether it is an object or null, which encoding/json
// decodes into a struct; ok is false when the scanner failed.
func scanOrder(s *jsonscan.Scanner, data []byte) (sn []byte, object, ok bool) {
	switch s.Lookahead() {
	case '{':
		it := s.Object(orderSNKeys, nil)
		for it.Next() {
			s.Lookahead()
			start := s.Pos()
			if !s.Skip() {
				break
			}
			if it.Index() == 0 {
				sn = data[start:s.Pos()]
			}
		}
		return sn, true, !s.Failed()
	case 'n':
		return nil, true, s.Skip()
	}
	return nil, false, s.Skip()
}

// detailKey returns the order_sn of one order's JSON.
func detailKey(raw json.RawMessage) (string, error) {
	s := jsonscan.NewBytes(raw)
	sn, object, ok := scanOrder(s, raw)
	if !ok || !s.AtEnd() {
		return "", errors.New("the record is not a JSON object: it is not valid JSON")
	}
	return snKey(sn, object)
}

// snKey is the key of an order whose order_sn member's text is sn (nil
// when absent): a non-empty string, or a number's text.
func snKey(sn []byte, object bool) (string, error) {
	if !object {
		return "", errors.New("the record is not a JSON object")
	}
	if len(sn) > 0 {
		switch c := sn[0]; {
		case c == '"':
			if s, ok := jsonscan.NewBytes(sn).Str(); ok && s != "" {
				return strings.Clone(s), nil
			}
		case c == '-' || c >= '0' && c <= '9':
			return string(sn), nil
		}
	}
	what := "is missing"
	switch t := sn; {
	case len(t) == 0:
	case t[0] == '{':
		what = "is an object"
	case t[0] == '[':
		what = "is a list"
	case t[0] == 't' || t[0] == 'f':
		what = "is a boolean"
	case t[0] == 'n':
		what = "is null"
	default:
		what = "is empty"
	}
	return "", fmt.Errorf("field order_sn %s, not a string", what)
}
