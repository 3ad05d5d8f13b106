// Package lazada is the Lazada Open Platform (LazOp) source: a client that
// signs every request as the contract's §2 says (a fresh millisecond
// timestamp and signature per attempt), turns the platform's error
// envelopes (HTTP 200) into typed errors, refreshes tokens through
// tokenstore.Manager; the orders stream (/orders/get by created_at windows
// for a full load, by update_after windows for incremental runs, never
// reading past the offset cap) with the items of every order
// (/orders/items/get, 50 orders a call); and a transformer to
// staging.lazada_orders and staging.lazada_order_items. Package
// lazadatest simulates the platform.
package lazada

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/tokenstore"
)

// API paths (without the /rest prefix, as they are signed).
const (
	PathOrders       = "/orders/get"
	PathOrderItems   = "/orders/items/get"
	PathTokenCreate  = "/auth/token/create"
	PathTokenRefresh = "/auth/token/refresh"
)

// DefaultAuthURL is the token host of every country.
const DefaultAuthURL = "https://auth.lazada.com/rest"

// Hosts are the API gateways per country (LAZADA_COUNTRY).
var Hosts = map[string]string{
	"vn": "https://api.lazada.vn/rest",
	"sg": "https://api.lazada.sg/rest",
	"my": "https://api.lazada.com.my/rest",
	"th": "https://api.lazada.co.th/rest",
	"ph": "https://api.lazada.com.ph/rest",
	"id": "https://api.lazada.co.id/rest",
}

// Limits of the platform.
const (
	// MaxLimit is the largest /orders/get page.
	MaxLimit = 100
	// OffsetCap is the largest offset /orders/get accepts (the API
	// metadata's maxSize; the tutorial says 5000).
	OffsetCap = 4500
	// MaxItemIDs is the most order ids one /orders/items/get call takes.
	MaxItemIDs = 50
	// BanDuration is how long ApiCallLimit bans an API.
	BanDuration = time.Second
)

// PlatformName is the platform's key in the token store.
const PlatformName = "lazada"

// Config configures the client and the source.
type Config struct {
	// Country selects the API host (default "vn"; env LAZADA_COUNTRY).
	Country string
	// BaseURL overrides the country's host and AuthURL the token host
	// (tests, simulators), both including /rest.
	BaseURL, AuthURL  string
	AppKey, AppSecret string
	// AccessToken and RefreshToken seed the token store on the first run.
	AccessToken, RefreshToken string
	// SellerID is the seller the tokens belong to: the warehouse key of
	// its rows and its account in the token store (env LAZADA_SELLER_ID).
	SellerID string
	// Tokens persists tokens between runs (default: in memory).
	Tokens tokenstore.Store
	// RefreshBuffer: refresh when the access token expires within it
	// (default 30 min, as the platform recommends).
	RefreshBuffer time.Duration
	// Lookback of incremental windows (default 15 min).
	Lookback time.Duration
	// StartDate of full loads (default DefaultStartDate).
	StartDate time.Time
	// Concurrency scales the calls in flight (default DefaultConcurrency):
	// a full load reads up to 2 × Concurrency list pages ahead of the merge
	// and has up to 2 × Concurrency item calls in flight. 1 reads the range
	// of a full load as one window, page by page.
	Concurrency int
	// OffsetCap is the largest offset the client asks for (default and
	// at most OffsetCap; tests lower it with the simulator's).
	OffsetCap int
	// HTTP configures retries, timeouts and the rate limit.
	HTTP connector.HTTPConfig
	// Now is the clock of load windows and token expiry (default
	// time.Now). Request timestamps always use the real clock.
	Now    func() time.Time
	Logger *slog.Logger
}

// DefaultStartDate is the start of full loads when none is configured.
var DefaultStartDate = time.Date(2024, 7, 1, 0, 0, 0, 0, connector.Vietnam)

// DefaultConcurrency is the default Concurrency: at 20 calls/s and 300 ms
// a call, 6 calls must be in flight to use the budget; up to 16 list pages
// and 16 item calls leave room for jitter, for answers slower than that,
// and for either kind to use the whole budget while the other waits.
const DefaultConcurrency = 8

// Client calls the Lazada API. It is safe for concurrent use.
type Client struct {
	cfg    Config
	http   *connector.Client
	tokens *tokenstore.Manager
	log    *slog.Logger
}

// NewClient validates cfg and returns a client.
func NewClient(cfg Config) (*Client, error) {
	if cfg.AppKey == "" || cfg.AppSecret == "" {
		return nil, errors.New("lazada: AppKey and AppSecret are required")
	}
	if cfg.Country == "" {
		cfg.Country = "vn"
	}
	cfg.Country = strings.ToLower(cfg.Country)
	if cfg.BaseURL == "" {
		host, ok := Hosts[cfg.Country]
		if !ok {
			return nil, fmt.Errorf("lazada: country %q is not one of vn, sg, my, th, ph, id", cfg.Country)
		}
		cfg.BaseURL = host
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
	if cfg.SellerID == "" {
		cfg.SellerID = "default"
	}
	if cfg.RefreshBuffer <= 0 {
		cfg.RefreshBuffer = 30 * time.Minute
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	if cfg.OffsetCap <= 0 || cfg.OffsetCap > OffsetCap {
		cfg.OffsetCap = OffsetCap
	}
	c := &Client{cfg: cfg, http: connector.NewClient(cfg.HTTP), log: cfg.Logger}
	for _, s := range []string{cfg.AppSecret, cfg.AccessToken, cfg.RefreshToken} {
		c.http.AddSecret(s)
	}
	var seed *tokenstore.Token
	if cfg.AccessToken != "" || cfg.RefreshToken != "" {
		seed = &tokenstore.Token{AccessToken: cfg.AccessToken, RefreshToken: cfg.RefreshToken}
	}
	c.tokens = &tokenstore.Manager{Store: cfg.Tokens, Platform: PlatformName, Account: cfg.SellerID,
		Refresh: c.refresh, Seed: seed, Buffer: cfg.RefreshBuffer, Now: cfg.Now}
	return c, nil
}

// BaseURL returns the API host the client calls (the country's, or the
// configured one).
func (c *Client) BaseURL() string { return c.cfg.BaseURL }

// SellerID returns the seller the client reads.
func (c *Client) SellerID() string { return c.cfg.SellerID }

// APICalls returns the requests sent per endpoint path (with the /rest
// prefix of the host).
func (c *Client) APICalls() map[string]int64 { return c.http.APICalls() }

// Retries returns how many requests were sent again.
func (c *Client) Retries() int64 { return c.http.Retries() }

// Throttled returns how many answers throttled the client.
func (c *Client) Throttled() int64 { return c.http.Throttled() }

// Refreshes returns how many token refreshes this client performed.
func (c *Client) Refreshes() int { return c.tokens.Refreshes() }

// Envelope is the platform's answer. Token answers carry their fields next
// to code, without data.
type Envelope struct {
	Code      json.RawMessage `json:"code"`
	Type      string          `json:"type"`
	Message   string          `json:"message"`
	RequestID string          `json:"request_id"`
	Data      json.RawMessage `json:"data"`
}

// DecodeEnvelope turns an HTTP answer into the Envelope or an *APIError: a
// body that is not a JSON object with a code, an error code, or a status
// other than 2xx is an error. needData makes a success without data (null or absent) an error
// too, never "nothing".
func DecodeEnvelope(endpoint string, status int, body []byte, needData bool) (Envelope, error) {
	var env Envelope
	if err := json.Unmarshal(body, &env); err != nil || code(env.Code) == "" {
		msg := "response is not a JSON Envelope"
		if err == nil {
			msg = "response Envelope has no code"
		}
		return env, &APIError{Endpoint: endpoint, HTTPStatus: status, Message: msg, kind: ErrBadResponse}
	}
	if c := code(env.Code); c != CodeOK || status < 200 || status > 299 {
		e := &APIError{Endpoint: endpoint, HTTPStatus: status, Code: c, Type: env.Type, Message: env.Message, RequestID: env.RequestID}
		if c == CodeOK {
			// A success envelope with a status that is not a success
			// (a 3xx without Location, a proxy's 5xx) is no answer.
			e.Message, e.kind = fmt.Sprintf("a success envelope with HTTP %d", status), ErrBadResponse
		}
		return env, e
	}
	if needData && (len(env.Data) == 0 || string(env.Data) == "null") {
		return env, badResponse(endpoint, env.RequestID, "success without data")
	}
	return env, nil
}

// call sends a signed GET to base+apiPath and decodes the Envelope. Every
// attempt is signed with a fresh real-clock millisecond timestamp; empty
// parameters are never sent; throttling (with its one-second ban) and
// server codes answered with HTTP 200 are retried; an invalid or expired
// access token is refreshed once.
func (c *Client) call(ctx context.Context, base, apiPath string, params map[string]string, withToken, needData bool) (Envelope, []byte, error) {
	var stale string
	serverRetries := 0
	for {
		p := make(map[string]string, len(params)+5)
		for k, v := range params {
			if v != "" {
				p[k] = v
			}
		}
		p["app_key"] = c.cfg.AppKey
		p["sign_method"] = "sha256"
		if withToken {
			var tok string
			var err error
			if stale == "" {
				tok, err = c.tokens.AccessToken(ctx)
			} else {
				tok, err = c.tokens.Invalidate(ctx, stale)
			}
			if err != nil {
				return Envelope{}, nil, c.tokenError(apiPath, err)
			}
			c.http.AddSecret(tok)
			p["access_token"] = tok
		}
		signed := func() *url.URL {
			p["timestamp"] = strconv.FormatInt(time.Now().UnixMilli(), 10)
			delete(p, "sign")
			sig := Sign(c.cfg.AppSecret, apiPath, p)
			q := make(url.Values, len(p)+1)
			for k, v := range p {
				q.Set(k, v)
			}
			q.Set("sign", sig)
			u, _ := url.Parse(base + apiPath)
			u.RawQuery = q.Encode()
			return u
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+apiPath, nil)
		if err != nil {
			return Envelope{}, nil, fmt.Errorf("lazada %s: bad URL: %s", apiPath, c.http.Redact(err.Error()))
		}
		req.URL = signed()
		pctx := connector.WithPrepare(ctx, func(r *http.Request) error {
			r.URL = signed()
			return nil
		})
		resp, err := c.http.Do(pctx, req)
		if err != nil {
			return Envelope{}, nil, fmt.Errorf("lazada: %w", err)
		}
		env, err := DecodeEnvelope(apiPath, resp.StatusCode, resp.Body, needData)
		switch {
		case err == nil:
			return env, resp.Body, nil
		case withToken && errors.Is(err, ErrTokenExpired) && stale == "":
			c.log.Info("lazada access token refused; refreshing", "seller", c.cfg.SellerID, "endpoint", apiPath)
			stale = p["access_token"]
			continue
		case retryable(err) && resp.StatusCode < 300 && serverRetries+1 < c.http.Attempts():
			wait := time.Duration(serverRetries+1) * c.http.MinBackoff()
			if errors.Is(err, ErrThrottled) {
				// ApiCallLimit bans the API for a second: this client
				// waits it out, and the app's shared budget slows down
				// for its other sellers.
				c.http.Throttle(BanDuration)
				wait = max(wait, BanDuration)
			}
			serverRetries++
			c.log.Debug("lazada code retried", "seller", c.cfg.SellerID, "endpoint", apiPath, "error", err)
			if werr := connector.Sleep(ctx, wait); werr != nil {
				return Envelope{}, nil, werr
			}
			continue
		}
		var ae *APIError
		if errors.As(err, &ae) {
			ae.Message = c.http.Redact(ae.Message)
		}
		return env, nil, err
	}
}

// tokenError wraps a token failure (the token store's error names the
// seller); its text is redacted, its chain kept (ErrReauthorize matches
// through it).
func (c *Client) tokenError(path string, err error) error {
	return &redacted{msg: fmt.Sprintf("lazada %s: token: %s", path, c.http.Redact(err.Error())), err: err}
}

// redacted is an error whose text was redacted and whose cause is kept.
type redacted struct {
	msg string
	err error
}

func (r *redacted) Error() string { return r.msg }
func (r *redacted) Unwrap() error { return r.err }

// TokenInfo is an answer of /auth/token/create or /auth/token/refresh.
type TokenInfo struct {
	AccessToken, RefreshToken string
	// AccessExpiresAt and RefreshExpiresAt are now plus the answer's
	// expires_in and refresh_expires_in (zero when the answer has none;
	// refresh_expires_in 0 means the token cannot be refreshed).
	AccessExpiresAt, RefreshExpiresAt time.Time
	Country, Account                  string
	// SellerID and ShortCode come from the country_user_info (or
	// country_user_info_list) entry of the answer's country.
	SellerID, ShortCode, UserID string
}

// CreateToken exchanges an authorisation code (valid 30 minutes, single
// use) for a token pair at the auth host.
func (c *Client) CreateToken(ctx context.Context, authCode string) (TokenInfo, error) {
	c.http.AddSecret(authCode)
	return c.tokenCall(ctx, PathTokenCreate, map[string]string{"code": authCode})
}

// refresh is the tokenstore RefreshFunc.
func (c *Client) refresh(ctx context.Context, refreshToken string) (tokenstore.Token, error) {
	c.http.AddSecret(refreshToken)
	ti, err := c.tokenCall(ctx, PathTokenRefresh, map[string]string{"refresh_token": refreshToken})
	if err != nil {
		return tokenstore.Token{}, err
	}
	if ti.SellerID != "" && c.cfg.SellerID != "default" && ti.SellerID != c.cfg.SellerID {
		return tokenstore.Token{}, fmt.Errorf("lazada: the refreshed token belongs to seller %s, not %s", ti.SellerID, c.cfg.SellerID)
	}
	return tokenstore.Token{AccessToken: ti.AccessToken, RefreshToken: ti.RefreshToken,
		AccessExpiresAt: ti.AccessExpiresAt, RefreshExpiresAt: ti.RefreshExpiresAt}, nil
}

func (c *Client) tokenCall(ctx context.Context, apiPath string, params map[string]string) (TokenInfo, error) {
	now := c.cfg.Now()
	_, body, err := c.call(ctx, c.cfg.AuthURL, apiPath, params, false, false)
	if err != nil {
		return TokenInfo{}, fmt.Errorf("lazada %s: %w", apiPath, err)
	}
	type userInfo struct {
		Country   string          `json:"country"`
		SellerID  json.RawMessage `json:"seller_id"`
		UserID    json.RawMessage `json:"user_id"`
		ShortCode string          `json:"short_code"`
	}
	var r struct {
		AccessToken      string          `json:"access_token"`
		RefreshToken     string          `json:"refresh_token"`
		ExpiresIn        json.RawMessage `json:"expires_in"`
		RefreshExpiresIn json.RawMessage `json:"refresh_expires_in"`
		Country          string          `json:"country"`
		Account          string          `json:"account"`
		Info             []userInfo      `json:"country_user_info"`
		InfoList         []userInfo      `json:"country_user_info_list"`
	}
	if err := json.Unmarshal(body, &r); err != nil || r.AccessToken == "" {
		return TokenInfo{}, badResponse(apiPath, "", "token answer without access_token")
	}
	c.http.AddSecret(r.AccessToken)
	c.http.AddSecret(r.RefreshToken)
	ti := TokenInfo{AccessToken: r.AccessToken, RefreshToken: r.RefreshToken, Country: r.Country, Account: r.Account}
	// A lifetime the answer leaves out is unknown (zero); one it sends
	// that is not a whole number of seconds is an error, never a guess.
	for _, l := range []struct {
		field string
		raw   json.RawMessage
		at    *time.Time
	}{{"expires_in", r.ExpiresIn, &ti.AccessExpiresAt}, {"refresh_expires_in", r.RefreshExpiresIn, &ti.RefreshExpiresAt}} {
		n, err := asInt(l.raw)
		if err != nil {
			return TokenInfo{}, badResponse(apiPath, "", fmt.Sprintf("token answer: %s %.40q is not a number of seconds", l.field, l.raw))
		}
		if n != nil && n.(int64) > 0 {
			*l.at = now.Add(time.Duration(n.(int64)) * time.Second).UTC()
		}
	}
	infos := r.Info
	if len(infos) == 0 {
		infos = r.InfoList
	}
	for _, u := range infos {
		if u.Country == r.Country || len(infos) == 1 {
			ti.SellerID, _ = scalarText(u.SellerID)
			ti.UserID, _ = scalarText(u.UserID)
			ti.ShortCode = u.ShortCode
			break
		}
	}
	return ti, nil
}

func scalarText(raw json.RawMessage) (string, error) {
	s, _, err := scalar(raw)
	return s, err
}

// ListRequest is one /orders/get call: a window of created_at (Field
// "created_at") or updated_at ("updated_at"), bounds inclusive (Unix
// seconds), sorted by created_at ascending (an order's create time never
// changes, so an update does not move it in the list).
type ListRequest struct {
	Field         string
	From, To      int64
	Offset, Limit int
	// CreatedAfter and CreatedBefore, when not zero, narrow an updated_at
	// window by create time (inclusive).
	CreatedAfter, CreatedBefore int64
}

// ListPage is one /orders/get answer.
type ListPage struct {
	// Orders are the order objects, as sent.
	Orders []json.RawMessage
	// CountTotal is the answer's countTotal, -1 when absent.
	CountTotal int
	RequestID  string
}

// filterTime formats a filter bound as the platform asks:
// YYYY-MM-DDTHH:mm:ss+07:00.
func filterTime(unix int64) string {
	return time.Unix(unix, 0).In(connector.Vietnam).Format("2006-01-02T15:04:05-07:00")
}

// ListOrders reads one page of /orders/get. An answer without an orders
// list, or with more orders than asked, is an error.
func (c *Client) ListOrders(ctx context.Context, r ListRequest) (ListPage, error) {
	if r.Limit <= 0 || r.Limit > MaxLimit {
		r.Limit = MaxLimit
	}
	if r.Offset < 0 || r.Offset > c.cfg.OffsetCap {
		return ListPage{}, fmt.Errorf("lazada: offset %d is beyond the cap %d", r.Offset, c.cfg.OffsetCap)
	}
	p := map[string]string{"sort_by": r.Field, "sort_direction": "ASC", "limit": strconv.Itoa(r.Limit), "offset": strconv.Itoa(r.Offset)}
	switch r.Field {
	case "created_at":
		p["created_after"], p["created_before"] = filterTime(r.From), filterTime(r.To)
	case "updated_at":
		p["update_after"], p["update_before"] = filterTime(r.From), filterTime(r.To)
		p["sort_by"] = "created_at"
		if r.CreatedAfter != 0 {
			p["created_after"] = filterTime(r.CreatedAfter)
		}
		if r.CreatedBefore != 0 {
			p["created_before"] = filterTime(r.CreatedBefore)
		}
	default:
		return ListPage{}, fmt.Errorf("lazada: list field %q is not created_at or updated_at", r.Field)
	}
	env, _, err := c.call(ctx, c.cfg.BaseURL, PathOrders, p, true, true)
	if err != nil {
		return ListPage{}, err
	}
	var d struct {
		CountTotal json.RawMessage    `json:"countTotal"`
		Orders     *[]json.RawMessage `json:"orders"`
	}
	if err := json.Unmarshal(env.Data, &d); err != nil {
		return ListPage{}, badResponse(PathOrders, env.RequestID, "data: "+err.Error())
	}
	page := ListPage{CountTotal: -1, RequestID: env.RequestID}
	if n, err := asInt(d.CountTotal); err != nil {
		return ListPage{}, badResponse(PathOrders, env.RequestID, "countTotal: "+err.Error())
	} else if n != nil {
		page.CountTotal = int(n.(int64))
	}
	if d.Orders == nil {
		// An answer that says nothing about orders is not "no orders";
		// a null list is empty only when countTotal says so.
		if page.CountTotal != 0 {
			return ListPage{}, badResponse(PathOrders, env.RequestID, "data has no orders list")
		}
	} else {
		page.Orders = *d.Orders
	}
	if len(page.Orders) > r.Limit {
		return ListPage{}, badResponse(PathOrders, env.RequestID, fmt.Sprintf("asked for %d orders, got %d", r.Limit, len(page.Orders)))
	}
	return page, nil
}

// OrderItems is the items of one order from /orders/items/get.
type OrderItems struct {
	OrderID int64
	Items   []json.RawMessage
}

// GetOrderItems reads the items of up to 50 orders with one
// /orders/items/get call. The answer is returned as sent: the caller
// checks that every order is there.
func (c *Client) GetOrderItems(ctx context.Context, ids []int64) ([]OrderItems, string, error) {
	if len(ids) == 0 || len(ids) > MaxItemIDs {
		return nil, "", fmt.Errorf("lazada: /orders/items/get takes 1..%d ids, got %d", MaxItemIDs, len(ids))
	}
	var b strings.Builder
	b.WriteByte('[')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	b.WriteByte(']')
	env, _, err := c.call(ctx, c.cfg.BaseURL, PathOrderItems, map[string]string{"order_ids": b.String()}, true, true)
	if err != nil {
		return nil, "", err
	}
	var d []struct {
		OrderID json.RawMessage   `json:"order_id"`
		Items   []json.RawMessage `json:"order_items"`
	}
	if err := json.Unmarshal(env.Data, &d); err != nil {
		return nil, env.RequestID, badResponse(PathOrderItems, env.RequestID, "data is not a list of orders: "+err.Error())
	}
	out := make([]OrderItems, len(d))
	for i, o := range d {
		id, err := asInt(o.OrderID)
		if err != nil || id == nil {
			return nil, env.RequestID, badResponse(PathOrderItems, env.RequestID, fmt.Sprintf("entry %d has no usable order_id", i))
		}
		out[i] = OrderItems{OrderID: id.(int64), Items: o.Items}
	}
	return out, env.RequestID, nil
}

// AuthLink is the page where the seller approves the app: the auth host's
// /oauth/authorize with response_type=code, force_auth=true, the redirect
// URL and the app key (never a uuid, which the platform refuses).
func (c *Client) AuthLink(redirect string) string {
	q := url.Values{}
	q.Set("response_type", "code")
	q.Set("force_auth", "true")
	q.Set("redirect_uri", redirect)
	q.Set("client_id", c.cfg.AppKey)
	return strings.TrimSuffix(c.cfg.AuthURL, "/rest") + "/oauth/authorize?" + q.Encode()
}

// Authorize exchanges an authorisation code for a token pair and stores it
// in the token store for the answer's seller (replacing a pair marked for
// re-authorisation), so every sync process picks it up. With a configured
// SellerID, a code of another seller is refused.
func (c *Client) Authorize(ctx context.Context, authCode string) (TokenInfo, error) {
	ti, err := c.CreateToken(ctx, authCode)
	if err != nil {
		return ti, err
	}
	if ti.SellerID == "" {
		return ti, badResponse(PathTokenCreate, "", "token answer without a seller_id for country "+ti.Country)
	}
	if c.cfg.SellerID != "default" && ti.SellerID != c.cfg.SellerID {
		return ti, fmt.Errorf("lazada: the code authorises seller %s, not %s", ti.SellerID, c.cfg.SellerID)
	}
	err = tokenstore.StoreAuthorized(ctx, c.cfg.Tokens, tokenstore.Token{Platform: PlatformName, Account: ti.SellerID,
		AccessToken: ti.AccessToken, RefreshToken: ti.RefreshToken, AccessExpiresAt: ti.AccessExpiresAt, RefreshExpiresAt: ti.RefreshExpiresAt})
	if err != nil {
		return ti, fmt.Errorf("lazada seller %s: store the new token pair: %w", ti.SellerID, err)
	}
	return ti, nil
}
