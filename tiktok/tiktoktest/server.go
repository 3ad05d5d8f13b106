// Package tiktoktest is a strict local simulator of the TikTok Shop Open API
// (202309) order endpoints and finance endpoints (finance.go), like
// net/http/httptest: real HTTP servers on
// loopback (the Open API host and the auth host) that recompute every
// signature over the raw body received and the decoded query, check request
// timestamps against the real wall clock (5 minutes back, 30 s ahead),
// check the x-tts-access-token header and its 7-day expiry on the simulated
// clock, the shop cipher binding, page_size 1..100, at most 50 ids per
// detail call, the body's fields and order_status; page with opaque,
// single-use, expiring page tokens (containing "/", "+" and "="); throttle
// (36009002); and inject network-shaped faults through internal/simfault.
//
// The data is a pure function of (Seed, Orders, Now, Days, Spread): Vietnamese
// buyers and addresses, one line item per unit, cancellations, split
// packages, orders whose line items are not there yet. Advance moves the
// shop on: statuses change, units are cancelled (their line items vanish),
// new orders arrive. Changes are stamped with the real wall clock, so a
// client that uses the real time sees them, as with the real platform; the
// simulated clock (real time plus every Advance) governs token expiry.
package tiktoktest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/facolos/etl/internal/simfault"
	"github.com/facolos/etl/internal/simtoken"
	"golang.org/x/time/rate"
)

// Options configure a Server. The zero value gives a small shop: 200
// orders over the 120 days before now.
type Options struct {
	AppKey     string // default "sim_app_key"
	AppSecret  string // default "sim_app_secret"
	ShopCipher string // default "ROW_sim+cipher/1=="
	ShopID     string // default "7494049642642000000"
	// Seed, Orders, Now, Days and Spread determine the data: Orders
	// orders created over the Days days before Now (default: the real time
	// at start, to the second). Now must not be in the future of the real
	// clock.
	Seed   int64
	Orders int
	Now    time.Time
	Days   int
	// Spread distributes the create times (default Uniform; Skewed: a
	// growing shop with sale days, also determined by Seed and Days).
	Spread Spread
	// AccessTTL is the access tokens' life (default 7 days) and RefreshTTL
	// the refresh tokens' (default 365 days), on the simulated clock.
	AccessTTL, RefreshTTL time.Duration
	// PastExpiry (hostile): a refresh reports access_token_expire_in an
	// hour before both the simulated and the real clock, while the new
	// token stays valid for AccessTTL.
	PastExpiry bool
	// PageTokenTTL is how long a page token stays valid, in real time
	// (default 10 min).
	PageTokenTTL time.Duration
	// Faults configures the network-shaped faults and latency
	// (simfault.Options: Rate, Kinds, Latency, Jitter, HangFor, Seed).
	Faults simfault.Options
	// RateLimit throttles requests per second with 36009002 (0 = never).
	RateLimit float64
	// ServiceID is the app's service id of the seller authorisation link
	// (default "sim_service_id") and RedirectURL the redirect URL registered
	// for the app in Partner Center: the consent page redirects the
	// seller's browser there with ?code=<auth_code>&state=<state>. Without
	// a RedirectURL the consent page refuses (an app must register one).
	ServiceID, RedirectURL string
	// Hostile is the share of orders served with hostile but valid data
	// (nulls for every optional field, ids as JSON numbers, a millisecond
	// recommended_shipping_time, unknown fields, very long text) plus one
	// malformed order in every 50 hostile ones (a non-numeric price) that a
	// client must quarantine.
	Hostile float64
	// Lies bends the order search's answers the way a flaky platform
	// does (all off by default).
	Lies Lies
	// FinanceLies bends the finance answers (all off by default).
	FinanceLies FinanceLies
	// NoArrivals: Advance brings no new orders (it still moves the
	// existing ones on), for tests whose subject is not the orders.
	NoArrivals bool
	// NoFinance leaves the finance state out, for large shops whose
	// orders alone are loaded (benchmarks): the finance endpoints then list
	// no statement and no withdrawal.
	NoFinance bool
}

// Lies are search answers that contradict the platform's contract; a
// client must notice each of them. The zero value tells no lie.
type Lies struct {
	// OmitOrder is the id of an order the search leaves out of the page
	// that should carry it, while total_count still counts it.
	OmitOrder string
	// EmptyPage, when positive, answers page number EmptyPage of every
	// search (1 is the page asked without a page token) with no orders and
	// no next_page_token while total_count still shows orders to come.
	EmptyPage int
	// Times bounds how many answers OmitOrder and EmptyPage bend, each
	// (0: every one): 1 is a transient fault that a second read does not
	// meet.
	Times int
	// CycleTokens: the third page of a search hands back the
	// next_page_token of the first page (A → B → A …), which the platform
	// keeps honouring, so a client that follows tokens never ends.
	CycleTokens bool
	// TotalCount, when positive, is the total_count of every search answer
	// whatever the orders (an absurd 2,000,000,000).
	TotalCount int
	// StaleCopies: every order Advance changed is also served in its
	// previous version, after all the other orders of the search (so on a
	// later page than its current version), and counted in total_count.
	StaleCopies bool
}

// The simulated shop, as GET /authorization/202309/shops lists it (the
// defaults of Options.ShopID and Options.ShopCipher).
const (
	DefaultShopID     = "7494049642642000000"
	DefaultShopCipher = "ROW_sim+cipher/1=="
	ShopRegion        = "VN"
)

// Paths of the simulated endpoints.
const (
	PathShops   = "/authorization/202309/shops"
	PathSearch  = "/order/202309/orders/search"
	PathDetail  = "/order/202309/orders"
	PathRefresh = "/api/v2/token/refresh"
	// PathTokenGet (auth host) exchanges an auth_code for the first token
	// pair; PathAuthorize (services host) is the seller's consent page.
	PathTokenGet  = "/api/v2/token/get"
	PathAuthorize = "/open/authorize"
)

// AuthCodeTTL is how long an auth_code stays valid (single use).
const AuthCodeTTL = 30 * time.Minute

// Server is a running simulator.
type Server struct {
	// URL is the Open API base URL, AuthURL the token host's and
	// ServicesURL the host of the seller authorisation link
	// (ServicesURL + PathAuthorize + "?service_id=…&state=…").
	URL, AuthURL, ServicesURL string

	opts  Options
	api   *httptest.Server
	auth  *httptest.Server
	svc   *httptest.Server
	fault *simfault.Injector

	inflight atomic.Int64 // API requests being served

	mu         sync.Mutex
	offset     time.Duration // simulated clock = real clock + offset
	orders     []*Order
	byID       map[string]*Order
	tokens     *simtoken.Book // on the simulated clock
	pageTokens map[string]*pageToken
	tokenSeq   uint64
	advances   int
	calls      map[string]int
	throttled  int
	rejected   map[int]int
	reqID      int
	limiter    *rate.Limiter
	loseNext   bool
	codeN      int
	searches   []Search
	prev       map[string]*Order // the version before the last Advance (Lies.StaleCopies)
	bent       map[string]int    // answers bent per lie (Lies.Times)

	// The finance state (finance.go), moved at start and at each Advance.
	finClock    int64
	fin         map[string]*finOrder
	statements  map[int64]*Statement // by statement time
	withdrawals []Withdrawal
	balance     int64
	finSeq      int64
}

// Search is one order search the server answered: the query's field and
// half-open range (GE, LT; a bound not sent is 0), whether it continued
// with a page token, and how many orders it returned.
type Search struct {
	Field     string
	GE, LT    int64
	PageToken bool
	PageSize  int
	Returned  int
}

// NewServer starts a simulator. Close it when done.
func NewServer(opts Options) *Server {
	if opts.AppKey == "" {
		opts.AppKey = "sim_app_key"
	}
	if opts.AppSecret == "" {
		opts.AppSecret = "sim_app_secret"
	}
	if opts.ShopCipher == "" {
		opts.ShopCipher = DefaultShopCipher
	}
	if opts.ServiceID == "" {
		opts.ServiceID = "sim_service_id"
	}
	if opts.ShopID == "" {
		opts.ShopID = DefaultShopID
	}
	if opts.Orders <= 0 {
		opts.Orders = 200
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now().Truncate(time.Second)
	}
	if opts.Days <= 0 {
		opts.Days = 120
	}
	if opts.AccessTTL <= 0 {
		opts.AccessTTL = 7 * 24 * time.Hour
	}
	if opts.RefreshTTL <= 0 {
		opts.RefreshTTL = 365 * 24 * time.Hour
	}
	if opts.PageTokenTTL <= 0 {
		opts.PageTokenTTL = 10 * time.Minute
	}
	if opts.Faults.Seed == 0 {
		opts.Faults.Seed = opts.Seed + 1
	}
	s := &Server{opts: opts, byID: map[string]*Order{},
		pageTokens: map[string]*pageToken{}, calls: map[string]int{}, rejected: map[int]int{},
		prev: map[string]*Order{}, bent: map[string]int{}}
	s.fault = simfault.New(opts.Faults, simfault.ErrorFunc(s.platformError))
	if opts.RateLimit > 0 {
		s.limiter = rate.NewLimiter(rate.Limit(opts.RateLimit), max(int(opts.RateLimit), 1))
	}
	end := opts.Now.Unix()
	var c *curve
	if opts.Spread == Skewed {
		c = newCurve(opts.Seed, opts.Days)
	}
	for i := 0; i < opts.Orders; i++ {
		o := genOrder(opts.Seed, i, opts.Orders, end, opts.Days, c)
		s.orders = append(s.orders, o)
		s.byID[o.ID] = o
	}
	s.finance(s.now().Unix())
	s.tokens = simtoken.New(opts.AccessTTL, opts.RefreshTTL, s.accessToken, s.refreshToken, time.Now())
	api := http.NewServeMux()
	api.HandleFunc(PathShops, s.handle(http.MethodGet, false, s.shops))
	api.HandleFunc(PathSearch, s.handle(http.MethodPost, true, s.search))
	api.HandleFunc(PathDetail, s.handle(http.MethodGet, true, s.detail))
	api.HandleFunc(PathStatements, s.handle(http.MethodGet, true, s.statementsList))
	api.HandleFunc("/finance/202501/statements/", s.handle(http.MethodGet, true, s.statementTransactions))
	api.HandleFunc(PathWithdrawals, s.handle(http.MethodGet, true, s.withdrawalsList))
	api.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, http.StatusNotFound, 36009009, "Invalid path")
	})
	s.api = httptest.NewServer(api)
	auth := http.NewServeMux()
	auth.HandleFunc(PathRefresh, s.handleRefresh)
	auth.HandleFunc(PathTokenGet, s.handleTokenGet)
	s.auth = httptest.NewServer(auth)
	svc := http.NewServeMux()
	svc.HandleFunc(PathAuthorize, s.handleAuthorize)
	s.svc = httptest.NewServer(svc)
	s.URL, s.AuthURL, s.ServicesURL = s.api.URL, s.auth.URL, s.svc.URL
	return s
}

// Close shuts the servers down.
func (s *Server) Close() {
	s.api.Close()
	s.auth.Close()
	s.svc.Close()
}

func (s *Server) accessToken(n int) string  { return fmt.Sprintf("TTP_sim_at_%d_%d", s.opts.Seed, n) }
func (s *Server) refreshToken(n int) string { return fmt.Sprintf("TTP_sim_rt_%d_%d", s.opts.Seed, n) }

// ServiceID returns the app's service id (of the authorisation link).
func (s *Server) ServiceID() string { return s.opts.ServiceID }

// ShopID returns the shop's id (GET /authorization/202309/shops).
func (s *Server) ShopID() string { return s.opts.ShopID }

// ShopName is the simulated shop's name (GET /authorization/202309/shops,
// seller_name of the token answers).
const ShopName = "Cửa hàng Mô phỏng"

// Authorize simulates the seller approving the app on the consent page: it
// returns a single-use auth_code valid AuthCodeTTL on the simulated clock,
// as the redirect of the authorisation link carries it.
func (s *Server) Authorize() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codeN++
	code := fmt.Sprintf("TTP_sim_code_%d_%d", s.opts.Seed, s.codeN)
	s.tokens.AddCode(code, s.now().Add(AuthCodeTTL))
	return code
}

// AppKey returns the app key the server accepts.
func (s *Server) AppKey() string { return s.opts.AppKey }

// AppSecret returns the app secret the server signs with.
func (s *Server) AppSecret() string { return s.opts.AppSecret }

// ShopCipher returns the cipher of the shop the tokens are bound to.
func (s *Server) ShopCipher() string { return s.opts.ShopCipher }

// InitialAccess returns the access token valid when the server starts.
func (s *Server) InitialAccess() string { return s.accessToken(0) }

// InitialRefresh returns the refresh token valid when the server starts.
func (s *Server) InitialRefresh() string { return s.refreshToken(0) }

// Now returns the simulated clock: the real clock plus every Advance.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now()
}

func (s *Server) now() time.Time { return time.Now().Add(s.offset) }

// Orders returns copies of the orders the server holds, by create time.
func (s *Server) Orders() []Order {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Order, len(s.orders))
	for i, o := range s.orders {
		out[i] = *o.clone()
	}
	return out
}

// Calls returns how many requests an endpoint path received (faults and
// rejections included).
func (s *Server) Calls(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[path]
}

// WaitIdle waits until no API request is being served (a client that gave
// up on a request does not stop the server serving it: a test that counts
// searches waits for those first), or until timeout, and reports whether
// the server went idle.
func (s *Server) WaitIdle(timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for s.inflight.Load() > 0 {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(time.Millisecond)
	}
	return true
}

// Searches returns the order searches the server answered, in the order
// it answered them (refused and faulted requests are not listed).
func (s *Server) Searches() []Search {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Search(nil), s.searches...)
}

// Refreshes returns how many token refreshes the server granted.
func (s *Server) Refreshes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokens.Refreshes()
}

// Rejections returns how many requests were refused per platform code.
func (s *Server) Rejections() map[int]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[int]int{}
	for k, v := range s.rejected {
		out[k] = v
	}
	return out
}

// Faults returns how many faults of each kind were injected.
func (s *Server) Faults() map[string]int { return s.fault.Counts() }

// SetFaultRate changes the share of requests answered with a fault.
func (s *Server) SetFaultRate(rate float64) { s.fault.SetRate(rate) }

// ExpireTokens makes every access token expire now, as if seven days
// had passed for them.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens.ExpireAccess(s.now())
}

// ExpireRefreshTokens makes every refresh token expire now (the seller's
// authorisation ended).
func (s *Server) ExpireRefreshTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens.ExpireRefresh(s.now())
}

// ExpirePageTokens makes every page token handed out so far expire.
func (s *Server) ExpirePageTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.pageTokens {
		t.issued = time.Time{}
	}
}

// LoseNextRefresh makes the next refresh rotate the tokens and then drop
// the connection before the answer is sent (the client never sees the new
// pair; the old refresh token stays valid, as the platform keeps it).
func (s *Server) LoseNextRefresh() {
	s.mu.Lock()
	s.loseNext = true
	s.mu.Unlock()
}

// Change describes what Advance did to an order.
type Change struct {
	OrderID string
	New     bool
}

// Advance moves the shop on by d: about one order in 200 per simulated
// hour changes (a status step, a unit cancelled and its line item gone,
// the first line items of an order that had none) and about two new orders
// arrive per hour. Changes are stamped with the real time (a second back,
// so a client's [ge, now) window sees them at once); the simulated clock,
// which governs token expiry, moves by d.
func (s *Server) Advance(d time.Duration) []Change {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advances++
	s.offset += d
	r := rand.New(rand.NewPCG(uint64(s.opts.Seed), uint64(s.advances)<<32|0xadd))
	at := time.Now().Unix() - 1
	hours := max(int(d/time.Hour), 1)
	nChange := min(max(len(s.orders)*hours/200, 1), len(s.orders))
	var out []Change
	seen := map[int]bool{}
	// Orders without line items get theirs first, so the placeholder-row
	// path is exercised by every Advance.
	for i, o := range s.orders {
		if len(o.LineItems) == 0 && len(seen) < nChange {
			seen[i] = true
		}
	}
	for len(seen) < nChange {
		seen[r.IntN(len(s.orders))] = true
	}
	idx := make([]int, 0, len(seen))
	for i := range seen {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	for _, i := range idx {
		o := s.orders[i]
		if s.opts.Lies.StaleCopies {
			s.prev[o.ID] = o.clone()
		}
		advanceOrder(o, r, at)
		out = append(out, Change{OrderID: o.ID})
	}
	arrivals := 2 * hours
	if s.opts.NoArrivals {
		arrivals = 0
	}
	for k := 0; k < arrivals && k < 1000; k++ {
		n := len(s.orders)
		o := genOrder(s.opts.Seed+int64(s.advances)*7919, n, n+1, at+1, 1, nil)
		o.ID = orderID(s.opts.Seed, n)
		for j := range o.LineItems {
			o.LineItems[j].ID = fmt.Sprintf("%s%02d", o.ID[:len(o.ID)-1], j)
		}
		o.CreateTime, o.UpdateTime = at, at
		s.orders = append(s.orders, o)
		s.byID[o.ID] = o
		out = append(out, Change{OrderID: o.ID, New: true})
	}
	s.finance(s.now().Unix())
	return out
}

// platformError renders the platform's JSON error for a fault.
func (s *Server) platformError(w http.ResponseWriter, status int) {
	code, msg := CodeInternal, "Internal error, please retry"
	if status == http.StatusTooManyRequests {
		code, msg = CodeThrottled, "Too many requests"
	}
	s.write(w, status, code, msg, nil)
}

// Platform codes the simulator answers with.
const (
	CodeThrottled          = 36009002
	CodeInvalidCredentials = 36009004
	CodeNotJSON            = 36009022
	CodeShopMismatch       = 101000
	CodeRefreshExpired     = 105001
	CodeTokenExpired       = 105002
	CodeBadSign            = 106001
	CodeCipherMissing      = 106013
	CodeInvalidParams      = 21001001
	CodeInternal           = 21011500
)

func (s *Server) newRequestID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqID++
	return fmt.Sprintf("20251101%012d", s.reqID)
}

func (s *Server) write(w http.ResponseWriter, status, code int, msg string, data any) {
	body := map[string]any{"code": code, "message": msg, "request_id": s.newRequestID()}
	if data != nil {
		body["data"] = data
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func (s *Server) fail(w http.ResponseWriter, status, code int, msg string) {
	s.mu.Lock()
	s.rejected[code]++
	s.mu.Unlock()
	s.write(w, status, code, msg, nil)
}

// apiErr is a refusal: HTTP status, platform code, message.
type apiErr struct {
	status, code int
	msg          string
}

// Sign recomputes a request signature the way the platform does.
func Sign(secret, path string, q url.Values, body []byte) string {
	names := make([]string, 0, len(q))
	for k := range q {
		if k != "sign" && k != "access_token" {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(secret + path))
	for _, k := range names {
		m.Write([]byte(k + strings.Join(q[k], ",")))
	}
	m.Write(body)
	m.Write([]byte(secret))
	return hex.EncodeToString(m.Sum(nil))
}

// check verifies the common parameters of a signed Open API request.
func (s *Server) check(r *http.Request, body []byte, shopScoped bool) *apiErr {
	q := r.URL.Query()
	if q.Get("app_key") != s.opts.AppKey {
		return &apiErr{http.StatusUnauthorized, CodeInvalidCredentials, "Invalid credentials. The app_key is invalid."}
	}
	ts, err := strconv.ParseInt(q.Get("timestamp"), 10, 64)
	if err != nil {
		return &apiErr{http.StatusUnauthorized, CodeInvalidCredentials, "Invalid credentials. The timestamp is missing or invalid."}
	}
	if err := simfault.CheckTimestamp(ts, time.Now(), simfault.Window{Past: 5 * time.Minute, Future: 30 * time.Second}); err != nil {
		return &apiErr{http.StatusUnauthorized, CodeInvalidCredentials, "Invalid credentials. " + err.Error()}
	}
	if q.Get("sign") == "" || !hmac.Equal([]byte(q.Get("sign")), []byte(Sign(s.opts.AppSecret, r.URL.Path, q, body))) {
		return &apiErr{http.StatusUnauthorized, CodeBadSign, "Invalid sign."}
	}
	tok := r.Header.Get("x-tts-access-token")
	s.mu.Lock()
	exp, ok := s.tokens.Access(tok)
	now := s.now()
	s.mu.Unlock()
	switch {
	case tok == "" || !ok:
		return &apiErr{http.StatusUnauthorized, CodeInvalidCredentials, "Invalid credentials. The x-tts-access-token header is invalid."}
	case !now.Before(exp):
		return &apiErr{http.StatusUnauthorized, CodeTokenExpired, "Expired credentials. The access_token or x-tts-access-token header has expired."}
	}
	cipher, has := q["shop_cipher"]
	switch {
	case !shopScoped && has:
		return &apiErr{http.StatusUnauthorized, CodeInvalidCredentials, "Unexpected identifier: shop_cipher."}
	case shopScoped && (!has || cipher[0] == ""):
		return &apiErr{http.StatusBadRequest, CodeCipherMissing, "shop_cipher is required."}
	case shopScoped && cipher[0] != s.opts.ShopCipher:
		return &apiErr{http.StatusUnauthorized, CodeShopMismatch, "The access token is not valid for this shop."}
	}
	return nil
}

// handle wraps an endpoint: faults, throttling, method, body, checks.
func (s *Server) handle(method string, shopScoped bool, h func(r *http.Request, body []byte) (any, *apiErr)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.inflight.Add(1)
		defer s.inflight.Add(-1)
		s.mu.Lock()
		s.calls[callPath(r.URL.Path)]++
		s.mu.Unlock()
		if s.fault.Inject(w, r) {
			return
		}
		if s.limiter != nil && !s.limiter.Allow() {
			s.mu.Lock()
			s.throttled++
			s.mu.Unlock()
			s.fail(w, http.StatusTooManyRequests, CodeThrottled, "Too many requests")
			return
		}
		if r.Method != method {
			s.fail(w, http.StatusMethodNotAllowed, 36009010, "Invalid method")
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			return
		}
		if method == http.MethodPost && !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			s.fail(w, http.StatusBadRequest, CodeNotJSON, "The body must be application/json.")
			return
		}
		if e := s.check(r, body, shopScoped); e != nil {
			s.fail(w, e.status, e.code, e.msg)
			return
		}
		data, e := h(r, body)
		if e != nil {
			s.fail(w, e.status, e.code, e.msg)
			return
		}
		s.write(w, http.StatusOK, 0, "Success", data)
	}
}

func (s *Server) shops(r *http.Request, _ []byte) (any, *apiErr) {
	return map[string]any{"shops": []map[string]string{{"cipher": s.opts.ShopCipher, "code": "VNLCSIM01", "id": s.opts.ShopID,
		"name": ShopName, "region": ShopRegion, "seller_type": "LOCAL"}}}, nil
}

var knownStatus = map[string]bool{}

func init() {
	for _, st := range Statuses {
		knownStatus[st] = true
	}
}

// searchBody is the search filter; unknown fields are refused.
type searchBody struct {
	CreateGE             *int64   `json:"create_time_ge"`
	CreateLT             *int64   `json:"create_time_lt"`
	UpdateGE             *int64   `json:"update_time_ge"`
	UpdateLT             *int64   `json:"update_time_lt"`
	OrderStatus          string   `json:"order_status"`
	ShippingType         string   `json:"shipping_type"`
	BuyerUserID          string   `json:"buyer_user_id"`
	IsBuyerRequestCancel *bool    `json:"is_buyer_request_cancel"`
	WarehouseIDs         []string `json:"warehouse_ids"`
}

// pageToken is the server's record of a handed-out page token.
type pageToken struct {
	query  string // the query it belongs to
	after  int64  // sort value of the last order served
	id     string // and its id (keyset)
	issued time.Time
	page   int        // the page number it fetches (2 for the first token)
	first  string     // the first token of its search (Lies.CycleTokens)
	origin *pageToken // and its record
}

// bend reports whether a lie with a bounded count (Lies.Times) is told
// once more, and counts it. Called with s.mu held.
func (s *Server) bend(lie string) bool {
	if s.opts.Lies.Times > 0 && s.bent[lie] >= s.opts.Lies.Times {
		return false
	}
	s.bent[lie]++
	return true
}

// entry is one order of a search result: its sort key (a stale copy sorts
// after every current order) and whether it is a stale copy.
type entry struct {
	o     *Order
	key   int64
	stale bool
}

func invalid(msg string) *apiErr { return &apiErr{http.StatusOK, CodeInvalidParams, msg} }

func (s *Server) search(r *http.Request, body []byte) (any, *apiErr) {
	q := r.URL.Query()
	size, err := strconv.Atoi(q.Get("page_size"))
	if err != nil || size < 1 || size > 100 {
		return nil, invalid("page_size must be 1..100")
	}
	field := q.Get("sort_field")
	if field == "" {
		field = "create_time"
	}
	if field != "create_time" && field != "update_time" {
		return nil, invalid("sort_field must be create_time or update_time")
	}
	order := q.Get("sort_order")
	if order == "" {
		order = "DESC"
	}
	if order != "ASC" && order != "DESC" {
		return nil, invalid("sort_order must be ASC or DESC")
	}
	var b searchBody
	if len(bytes.TrimSpace(body)) > 0 {
		d := json.NewDecoder(bytes.NewReader(body))
		d.DisallowUnknownFields()
		if err := d.Decode(&b); err != nil || d.More() {
			return nil, invalid("the request body is malformed")
		}
	}
	if b.OrderStatus != "" && !knownStatus[b.OrderStatus] {
		return nil, invalid("order_status is invalid")
	}
	now := time.Now().Unix()
	cge, clt := bound(b.CreateGE, 0), bound(b.CreateLT, now)
	uge, ult := bound(b.UpdateGE, 0), bound(b.UpdateLT, now)
	key := fmt.Sprintf("%s|%s|%s|%d", field, order, bytes.TrimSpace(body), size)
	var after *pageToken
	if tok := q.Get("page_token"); tok != "" {
		s.mu.Lock()
		pt, ok := s.pageTokens[tok]
		if ok {
			delete(s.pageTokens, tok) // single use
		}
		s.mu.Unlock()
		switch {
		case !ok:
			return nil, invalid("page_token is invalid or has already been used")
		case time.Since(pt.issued) > s.opts.PageTokenTTL:
			return nil, invalid("page_token has expired")
		case pt.query != key:
			return nil, invalid("page_token does not belong to this query")
		}
		after = pt
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sortVal := func(o *Order) int64 {
		if field == "update_time" {
			return o.UpdateTime
		}
		return o.CreateTime
	}
	matches := func(o *Order) bool {
		return o.CreateTime >= cge && o.CreateTime < clt && o.UpdateTime >= uge && o.UpdateTime < ult &&
			(b.OrderStatus == "" || o.Status == b.OrderStatus)
	}
	var match []entry
	for _, o := range s.orders {
		if matches(o) {
			match = append(match, entry{o: o, key: sortVal(o)})
		}
	}
	less := func(a, b entry) bool {
		if a.key != b.key {
			return a.key < b.key
		}
		return a.o.ID < b.o.ID
	}
	if order == "DESC" {
		asc := less
		less = func(a, b entry) bool { return asc(b, a) }
	}
	sort.Slice(match, func(i, j int) bool { return less(match[i], match[j]) })
	if s.opts.Lies.StaleCopies {
		// The previous versions follow every current order, in id order.
		var stale []entry
		for _, e := range match {
			if p := s.prev[e.o.ID]; p != nil && matches(p) {
				stale = append(stale, entry{o: p, key: math.MaxInt64, stale: true})
			}
		}
		sort.Slice(stale, func(i, j int) bool { return stale[i].o.ID < stale[j].o.ID })
		match = append(match, stale...)
	}
	start, pageNo := 0, 1
	if after != nil {
		mark := entry{o: &Order{ID: after.id}, key: after.after}
		start = sort.Search(len(match), func(i int) bool { return less(mark, match[i]) })
		pageNo = after.page
	}
	end := min(start+size, len(match))
	page := match[start:end]
	orders := make([]json.RawMessage, 0, len(page))
	for _, e := range page {
		if !e.stale && e.o.ID == s.opts.Lies.OmitOrder && s.bend("omit") {
			continue // counted in total_count, not served
		}
		orders = append(orders, s.render(e.o))
	}
	next := ""
	switch {
	case pageNo == s.opts.Lies.EmptyPage && len(page) > 0 && s.bend("empty"):
		orders, next = []json.RawMessage{}, "" // "the last page", with orders still to come
	case end < len(match) && s.opts.Lies.CycleTokens && after != nil && after.page == 3:
		// Hand back the search's first token, valid again.
		next = after.first
		again := *after.origin
		again.issued = time.Now()
		s.pageTokens[next] = &again
	case end < len(match):
		last := page[len(page)-1]
		pt := &pageToken{query: key, after: last.key, id: last.o.ID, issued: time.Now(), page: pageNo + 1}
		next = s.newPageToken(pt)
		pt.first, pt.origin = next, pt
		if after != nil {
			pt.first, pt.origin = after.first, after.origin
		}
	}
	total := len(match)
	if s.opts.Lies.TotalCount > 0 {
		total = s.opts.Lies.TotalCount
	}
	sr := Search{Field: "create_time", GE: bound(b.CreateGE, 0), LT: bound(b.CreateLT, 0), PageToken: after != nil, PageSize: size, Returned: len(orders)}
	if b.UpdateGE != nil || b.UpdateLT != nil {
		sr.Field, sr.GE, sr.LT = "update_time", bound(b.UpdateGE, 0), bound(b.UpdateLT, 0)
	}
	s.searches = append(s.searches, sr)
	return map[string]any{"next_page_token": next, "total_count": total, "orders": orders}, nil
}

func bound(p *int64, def int64) int64 {
	if p == nil {
		return def
	}
	return *p
}

// newPageToken mints an opaque token: base64 with "+", "/" and "=".
// Called with s.mu held.
func (s *Server) newPageToken(pt *pageToken) string {
	s.tokenSeq++
	buf := []byte{0xfb, 0xff, 0xbf}
	buf = binary.BigEndian.AppendUint64(buf, s.tokenSeq)
	m := hmac.New(sha256.New, []byte(s.opts.AppSecret))
	m.Write(buf)
	buf = append(buf, m.Sum(nil)[:6]...) // 17 bytes: ends in "="
	tok := base64.StdEncoding.EncodeToString(buf)
	s.pageTokens[tok] = pt
	return tok
}

func (s *Server) detail(r *http.Request, _ []byte) (any, *apiErr) {
	raw := r.URL.Query().Get("ids")
	if raw == "" {
		return nil, invalid("ids is required")
	}
	ids := strings.Split(raw, ",")
	if len(ids) > 50 {
		return nil, invalid("ids takes at most 50 order ids")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []json.RawMessage{}
	for _, id := range ids {
		if o, ok := s.byID[id]; ok {
			out = append(out, s.render(o))
		}
	}
	return map[string]any{"orders": out}, nil
}

// render serialises an order as served; hostile orders are reshaped.
// Called with s.mu held.
func (s *Server) render(o *Order) json.RawMessage {
	data, _ := json.Marshal(o)
	if s.opts.Hostile <= 0 {
		return data
	}
	n := hostileIndex(o.ID)
	if float64(n%1000) >= s.opts.Hostile*1000 {
		return data
	}
	return hostile(data, n)
}

// IsHostile reports whether the order is served hostile, and whether that
// makes it malformed (to be quarantined by a client).
func (s *Server) IsHostile(id string) (hostile, malformed bool) {
	if s.opts.Hostile <= 0 {
		return false, false
	}
	n := hostileIndex(id)
	if float64(n%1000) >= s.opts.Hostile*1000 {
		return false, false
	}
	return true, n%50 == 7
}

func hostileIndex(id string) int {
	h := 0
	for _, c := range id {
		h = h*31 + int(c)
	}
	if h < 0 {
		h = -h
	}
	return h
}

// hostile reshapes valid JSON of an order: nulls, numbers for ids,
// milliseconds, unknown fields, long text; n%50 == 7 breaks a price.
func hostile(data []byte, n int) json.RawMessage {
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	_ = d.Decode(&m)
	for _, k := range []string{"buyer_message", "seller_note", "tracking_number", "shipping_provider", "warehouse_id", "paid_time"} {
		m[k] = nil
	}
	m["id"] = json.Number(m["id"].(string)) // an 18-19 digit number, not a string
	if v, ok := m["recommended_shipping_time"].(json.Number); ok {
		m["recommended_shipping_time"] = json.Number(string(v) + "000")
	} else {
		m["recommended_shipping_time"] = json.Number("1761955200000")
	}
	m["x_new_field"] = map[string]any{"nested": []any{1, "two"}}
	m["buyer_message"] = strings.Repeat("Rất hài lòng 😀 ", 300)
	m["is_cod"] = "yes"
	if n%50 == 7 {
		if items, ok := m["line_items"].([]any); ok && len(items) > 0 {
			items[0].(map[string]any)["sale_price"] = "mười nghìn"
		} else {
			m["payment"].(map[string]any)["total_amount"] = "mười nghìn"
		}
	}
	out, _ := json.Marshal(m)
	return out
}

// handleRefresh serves GET /api/v2/token/refresh on the auth host: not
// signed; app_key, app_secret, refresh_token, grant_type=refresh_token.
func (s *Server) handleRefresh(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.calls[r.URL.Path]++
	s.mu.Unlock()
	if s.fault.Inject(w, r, simfault.HTML502, simfault.HTML503, simfault.Server500, simfault.Throttle429, simfault.Throttle429Bare, simfault.Hang) {
		return
	}
	q := r.URL.Query()
	if r.Method != http.MethodGet {
		s.fail(w, http.StatusMethodNotAllowed, 36009010, "Invalid method")
		return
	}
	if q.Get("app_key") != s.opts.AppKey || q.Get("app_secret") != s.opts.AppSecret {
		s.fail(w, http.StatusUnauthorized, CodeInvalidCredentials, "Invalid credentials. app_key or app_secret is invalid.")
		return
	}
	if q.Get("grant_type") != "refresh_token" {
		s.fail(w, http.StatusBadRequest, CodeInvalidParams, "grant_type must be refresh_token")
		return
	}
	s.mu.Lock()
	now := s.now()
	// The old refresh token stays usable until its deadline; the new one
	// keeps that deadline (the authorisation period does not grow).
	at, rt, aexp, exp, ok := s.tokens.Refresh(q.Get("refresh_token"), now, false)
	if !ok {
		s.mu.Unlock()
		s.fail(w, http.StatusUnauthorized, CodeRefreshExpired, "The refresh_token is invalid or expired; the seller must authorise the app again.")
		return
	}
	lose := s.loseNext
	s.loseNext = false
	s.mu.Unlock()
	if lose {
		simfault.DropMidBody(w, []byte(`{"code":0,"message":"success","data":{"access_token":"`), 512)
		return
	}
	reported := aexp
	if s.opts.PastExpiry {
		reported = now
		if real := time.Now(); real.Before(reported) {
			reported = real
		}
		reported = reported.Add(-time.Hour)
	}
	s.write(w, http.StatusOK, 0, "success", map[string]any{
		"access_token": at, "access_token_expire_in": reported.Unix(),
		"refresh_token": rt, "refresh_token_expire_in": exp.Unix(),
		"open_id": "7010736057180325637", "seller_name": ShopName, "seller_base_region": "VN", "user_type": 0,
		"granted_scopes": []string{"seller.order.info", "seller.authorization.info"},
	})
}

// handleAuthorize is the seller's consent page of the authorisation link
// (GET /open/authorize?service_id=…&state=…). The simulated seller approves
// at once: the answer redirects to the app's registered RedirectURL with
// ?code=<auth_code>&state=<state> (the link carries no redirect URL, as on
// the platform).
func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.calls[r.URL.Path]++
	s.mu.Unlock()
	q := r.URL.Query()
	switch {
	case r.Method != http.MethodGet:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	case q.Get("service_id") != s.opts.ServiceID:
		http.Error(w, "unknown service_id: this authorisation link is not of a published app", http.StatusBadRequest)
		return
	case s.opts.RedirectURL == "":
		http.Error(w, "the app has no redirect URL registered in Partner Center", http.StatusBadRequest)
		return
	}
	red, err := url.Parse(s.opts.RedirectURL)
	if err != nil || red.Scheme == "" || red.Host == "" {
		http.Error(w, "the app's registered redirect URL is invalid", http.StatusBadRequest)
		return
	}
	rq := red.Query()
	rq.Set("app_key", s.opts.AppKey)
	rq.Set("code", s.Authorize())
	rq.Set("locale", "vi-VN")
	rq.Set("shop_region", "VN")
	if st := q.Get("state"); st != "" {
		rq.Set("state", st)
	}
	red.RawQuery = rq.Encode()
	http.Redirect(w, r, red.String(), http.StatusFound)
}

// handleTokenGet serves GET /api/v2/token/get on the auth host: not
// signed; app_key, app_secret, auth_code, grant_type=authorized_code (the
// only value accepted). An auth_code is accepted once, within AuthCodeTTL;
// an unknown, spent or expired one is refused with 36009004 (the
// platform's code for it is not documented).
func (s *Server) handleTokenGet(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.calls[r.URL.Path]++
	s.mu.Unlock()
	if s.fault.Inject(w, r, simfault.HTML502, simfault.HTML503, simfault.Server500, simfault.Throttle429, simfault.Throttle429Bare, simfault.Hang) {
		return
	}
	q := r.URL.Query()
	if r.Method != http.MethodGet {
		s.fail(w, http.StatusMethodNotAllowed, 36009010, "Invalid method")
		return
	}
	if q.Get("app_key") != s.opts.AppKey || q.Get("app_secret") != s.opts.AppSecret {
		s.fail(w, http.StatusUnauthorized, CodeInvalidCredentials, "Invalid credentials. app_key or app_secret is invalid.")
		return
	}
	if q.Get("grant_type") != "authorized_code" {
		s.fail(w, http.StatusBadRequest, CodeInvalidParams, "grant_type must be authorized_code")
		return
	}
	s.mu.Lock()
	now := s.now()
	if !s.tokens.UseCode(q.Get("auth_code"), now) {
		s.mu.Unlock()
		s.fail(w, http.StatusUnauthorized, CodeInvalidCredentials, "Invalid credentials. The auth_code is invalid, used or expired.")
		return
	}
	rexp := now.Add(s.opts.RefreshTTL)
	at, rt, aexp := s.tokens.Issue(now, rexp)
	s.mu.Unlock()
	s.write(w, http.StatusOK, 0, "success", map[string]any{
		"access_token": at, "access_token_expire_in": aexp.Unix(),
		"refresh_token": rt, "refresh_token_expire_in": rexp.Unix(),
		"open_id": "7010736057180325637", "seller_name": ShopName, "seller_base_region": "VN", "user_type": 0,
		"granted_scopes": []string{"seller.order.info", "seller.authorization.info"},
	})
}
