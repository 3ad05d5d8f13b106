// Package lazadatest is a strict local simulator of the Lazada Open
// Platform order APIs, like net/http/httptest: two real HTTP servers on
// loopback (the API host and the auth host, both under /rest) that merge
// query and form parameters, recompute every signature over exactly the
// parameters received (then with blank values dropped, the Java SDKs'
// convention), check timestamps against the real wall clock (7,200 s),
// check access tokens and their expiry on the simulated clock, limit ≤ 100,
// the offset cap (code 14), the time format (17), sort parameters (74, 75),
// status values (36), at most 50 order ids per items call (38) and their
// format (56); throttle per API with ApiCallLimit and a one-second ban;
// rotate refresh tokens (the old one dies, the deadline stays); and inject
// network-shaped faults through internal/simfault. Errors are HTTP 200
// envelopes {type, code, message, request_id}.
//
// The data is a pure function of (Seed, Orders, Now, Days): Vietnamese
// buyers (masked), real provinces, VND, several items per order,
// cancellations and returns. Answers are in the real-wire form (numbers,
// booleans, "2006-01-02 15:04:05 +0700" times) or, with DocForm, the
// documentation's all-strings form. Hostile modes: orders moved while a
// client pages (MoveMidRead), orders left out of items answers
// (OmitItems), countTotal absent or lying (Count), ids above 2^53.
//
// The finance endpoints (/finance/transaction/details/get,
// /finance/payout/status/get) are served from the orders: settlements,
// returns and adjustments after settlement, weekly statements paid after
// they close (finance.go).
package lazadatest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
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

// Count says how /orders/get reports countTotal.
type Count int

// countTotal modes.
const (
	// CountHonest reports the number of orders matching the filter.
	CountHonest Count = iota
	// CountAbsent leaves countTotal out, as old answers do.
	CountAbsent
	// CountLying reports more orders than match the filter.
	CountLying
)

// Options configure a Server. The zero value gives a small shop: 200
// orders over the 120 days before now.
// DefaultSellerID is the simulated seller's seller_id unless Options.SellerID
// sets another.
const DefaultSellerID = "200123456789"

type Options struct {
	AppKey    string // default "100123"
	AppSecret string // default "sim_app_secret"
	SellerID  string // default "200123456789"
	Seed      int64
	Orders    int
	// Now is the end of the history (default the real time; never in the
	// future of the real clock) and Days its length (default 120).
	Now  time.Time
	Days int
	// AccessTTL and RefreshTTL are the lifetimes the token answers give
	// (defaults 7 and 30 days, the test app's), on the simulated clock.
	AccessTTL, RefreshTTL time.Duration
	// OffsetCap is the largest offset accepted (default 4500).
	OffsetCap int
	// Count is how countTotal is reported.
	Count Count
	// DocForm answers in the documentation's all-strings form.
	DocForm bool
	// BigIDs gives order and item ids above 2^53.
	BigIDs bool
	// MoveMidRead updates the first order of every /orders/get answer
	// right after answering (a status step stamped with the real time), so
	// that a client paging by offset sees the list shift under it.
	MoveMidRead bool
	// Burst creates the orders in bursts of this many in one second (a
	// flash sale): more than a page, or than a read up to the offset cap,
	// can share a create time.
	Burst int
	// UnstableTies orders the orders of one create second by an order
	// that depends on the request's created_after (as a search engine's
	// ties may), instead of by order id whatever the request.
	UnstableTies bool
	// OmitItems is how many /orders/items/get answers leave out their
	// last order (negative: every answer).
	OmitItems int
	// RateLimit is each API's calls per second before ApiCallLimit and a
	// one-second ban of the API (0: never).
	RateLimit float64
	// Faults configures network-shaped faults and latency.
	Faults simfault.Options
	// OmitTransactionNumbers leaves transaction_number out of the
	// finance rows.
	OmitTransactionNumbers bool
	// FinanceAnswer, when set, replaces the data of every finance answer
	// (the rows it would send, []map[string]any) with what it returns:
	// tests make hostile answers with it.
	FinanceAnswer func(path string, offset int, rows []map[string]any) any
}

// Rest is the prefix of both hosts' paths.
const Rest = "/rest"

// API paths, as they are signed (without Rest).
const (
	PathOrders       = "/orders/get"
	PathOrderItems   = "/orders/items/get"
	PathTokenCreate  = "/auth/token/create"
	PathTokenRefresh = "/auth/token/refresh"
)

// DefaultOffsetCap is the largest offset /orders/get accepts by default
// (the API metadata's maxSize).
const DefaultOffsetCap = 4500

// Sign recomputes a signature as the platform does: upper-case hex
// HMAC-SHA256 of the API path followed by every parameter but sign as key
// and value, keys in byte order, keyed with the app secret.
func Sign(secret, apiPath string, params map[string]string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		if k != "sign" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(apiPath))
	for _, k := range keys {
		m.Write([]byte(k))
		m.Write([]byte(params[k]))
	}
	return strings.ToUpper(hex.EncodeToString(m.Sum(nil)))
}

// Server is a running simulator.
type Server struct {
	// URL is the API host's base URL and AuthURL the auth host's (both
	// ending in /rest).
	URL, AuthURL string

	opts  Options
	api   *httptest.Server
	auth  *httptest.Server
	fault *simfault.Injector

	inflight atomic.Int64

	mu       sync.Mutex
	offset   time.Duration
	orders   []*Order // by create time
	byID     map[int64]*Order
	tokens   *simtoken.Book
	codeN    int
	advances int
	calls    map[string]int
	rejected map[string]int
	reqID    int
	limiters map[string]*rate.Limiter
	bans     map[string]time.Time
	omitted  int
	moved    map[int64]bool
	lists    []List
	fin      *finance
}

// List is one /orders/get the server answered.
type List struct {
	Field         string // created_at or updated_at (the filter's)
	From, To      int64  // bounds (To 0: none)
	Offset, Limit int
	Returned      int
	SortBy        string
}

// NewServer starts a simulator. Close it when done.
func NewServer(opts Options) *Server {
	if opts.AppKey == "" {
		opts.AppKey = "100123"
	}
	if opts.AppSecret == "" {
		opts.AppSecret = "sim_app_secret"
	}
	if opts.SellerID == "" {
		opts.SellerID = DefaultSellerID
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
		opts.RefreshTTL = 30 * 24 * time.Hour
	}
	if opts.OffsetCap <= 0 {
		opts.OffsetCap = DefaultOffsetCap
	}
	if opts.Faults.Seed == 0 {
		opts.Faults.Seed = opts.Seed + 1
	}
	s := &Server{opts: opts, byID: map[int64]*Order{}, calls: map[string]int{}, rejected: map[string]int{}, limiters: map[string]*rate.Limiter{},
		bans: map[string]time.Time{}, moved: map[int64]bool{}}
	s.fault = simfault.New(opts.Faults, simfault.ErrorFunc(s.platformError))
	end := opts.Now.Unix()
	for i := 0; i < opts.Orders; i++ {
		o := genOrder(opts.Seed, i, opts.Orders, end, opts.Days, opts.BigIDs)
		if opts.Burst > 1 && i%opts.Burst != 0 {
			// The burst's first order is the earliest of it.
			o.CreatedAt = s.orders[i-i%opts.Burst].CreatedAt
			for j := range o.Items {
				o.Items[j].CreatedAt = o.CreatedAt
			}
		}
		s.orders = append(s.orders, o)
		s.byID[o.ID] = o
	}
	s.sortOrders()
	s.fin = newFinance(end - int64(opts.Days)*86400)
	s.settleFinance()
	s.tokens = simtoken.New(opts.AccessTTL, opts.RefreshTTL, s.accessToken, s.refreshToken, time.Now())
	api := http.NewServeMux()
	api.HandleFunc(Rest+PathOrders, s.handle(true, s.list))
	api.HandleFunc(Rest+PathOrderItems, s.handle(true, s.items))
	api.HandleFunc(Rest+PathTransactions, s.handle(true, s.transactions))
	api.HandleFunc(Rest+PathPayoutStatus, s.handle(true, s.payouts))
	api.HandleFunc("/", s.handle(false, func(p url.Values, path string) (any, *apiErr) {
		return nil, &apiErr{"InvalidApiPath", "ISV", "The specified API path is invalid"}
	}))
	s.api = httptest.NewServer(api)
	auth := http.NewServeMux()
	auth.HandleFunc(Rest+PathTokenCreate, s.handle(false, s.tokenCreate))
	auth.HandleFunc(Rest+PathTokenRefresh, s.handle(false, s.tokenRefresh))
	s.auth = httptest.NewServer(auth)
	s.URL, s.AuthURL = s.api.URL+Rest, s.auth.URL+Rest
	return s
}

func (s *Server) sortOrders() {
	sort.SliceStable(s.orders, func(i, j int) bool {
		a, b := s.orders[i], s.orders[j]
		return a.CreatedAt < b.CreatedAt || a.CreatedAt == b.CreatedAt && a.ID < b.ID
	})
}

// Close shuts the servers down.
func (s *Server) Close() {
	s.api.Close()
	s.auth.Close()
}

func (s *Server) accessToken(n int) string {
	return fmt.Sprintf("50000%d01a%dsimAccessToken", s.opts.Seed, n)
}
func (s *Server) refreshToken(n int) string {
	return fmt.Sprintf("50001%d01b%dsimRefreshToken", s.opts.Seed, n)
}

// AppKey returns the app key the server accepts.
func (s *Server) AppKey() string { return s.opts.AppKey }

// AppSecret returns the app secret the server signs with.
func (s *Server) AppSecret() string { return s.opts.AppSecret }

// SellerID returns the seller the tokens belong to.
func (s *Server) SellerID() string { return s.opts.SellerID }

// InitialAccess returns the access token valid when the server starts.
func (s *Server) InitialAccess() string { return s.accessToken(0) }

// InitialRefresh returns the refresh token valid when the server starts.
func (s *Server) InitialRefresh() string { return s.refreshToken(0) }

// NewAuthCode returns an authorisation code, valid 30 minutes (simulated
// clock) and once, as the seller's consent page would redirect with.
func (s *Server) NewAuthCode() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codeN++
	c := fmt.Sprintf("0_%s_simCode%d", s.opts.AppKey, s.codeN)
	s.tokens.AddCode(c, s.now().Add(30*time.Minute))
	return c
}

// Now returns the simulated clock: the real clock plus every Advance.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now()
}

func (s *Server) now() time.Time { return time.Now().Add(s.offset) }

// Orders returns copies of the orders, by create time.
func (s *Server) Orders() []Order {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Order, len(s.orders))
	for i, o := range s.orders {
		out[i] = *o.clone()
	}
	return out
}

// Moved returns the ids of the orders MoveMidRead moved.
func (s *Server) Moved() map[int64]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[int64]bool, len(s.moved))
	for k := range s.moved {
		out[k] = true
	}
	return out
}

// SetMoveMidRead turns MoveMidRead on or off.
func (s *Server) SetMoveMidRead(on bool) {
	s.mu.Lock()
	s.opts.MoveMidRead = on
	s.mu.Unlock()
}

// Calls returns how many requests a path (PathOrders, …) received,
// faults and refusals included.
func (s *Server) Calls(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[path]
}

// Lists returns the /orders/get calls the server answered, in order.
func (s *Server) Lists() []List {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]List(nil), s.lists...)
}

// Rejections returns how many requests were refused per code.
func (s *Server) Rejections() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for k, v := range s.rejected {
		out[k] = v
	}
	return out
}

// Refreshes returns how many refreshes the server granted.
func (s *Server) Refreshes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokens.Refreshes()
}

// Faults returns how many faults of each kind were injected.
func (s *Server) Faults() map[string]int { return s.fault.Counts() }

// SetFaultRate changes the share of requests answered with a fault.
func (s *Server) SetFaultRate(rate float64) { s.fault.SetRate(rate) }

// WaitIdle waits until no request is being served, or timeout passes, and
// reports whether the server went idle.
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

// ExpireTokens makes every access token expire now.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens.ExpireAccess(s.now())
}

// ExpireRefreshTokens makes every refresh token expire now.
func (s *Server) ExpireRefreshTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens.ExpireRefresh(s.now())
}

// Advance moves the shop on by d: about one order in 200 per simulated
// hour changes (a status step, or an item line that vanishes upstream) and
// about two new orders arrive per hour. Changes are stamped with the real
// time a second back, new orders with the seconds before it (three a
// second); the simulated clock moves by d. It returns the ids
// of the orders changed and added.
func (s *Server) Advance(d time.Duration) []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advances++
	s.offset += d
	r := rand.New(rand.NewPCG(uint64(s.opts.Seed), uint64(s.advances)<<32|0xadd))
	at := time.Now().Unix() - 1
	hours := max(int(d/time.Hour), 1)
	n := min(max(len(s.orders)*hours/200, 1), len(s.orders))
	seen := map[int]bool{}
	for len(seen) < n {
		seen[r.IntN(len(s.orders))] = true
	}
	var out []int64
	for i := range seen {
		advanceOrder(s.orders[i], r, at, s.advances)
		out = append(out, s.orders[i].ID)
	}
	for k := 0; k < 2*hours && k < 1000; k++ {
		i := len(s.orders)
		o := genOrder(s.opts.Seed+int64(s.advances)*7919, i, i+1, at+1, 1, s.opts.BigIDs)
		o.ID, o.Number = orderID(s.opts.Seed, i, s.opts.BigIDs), orderID(s.opts.Seed, i, s.opts.BigIDs)
		for j := range o.Items {
			o.Items[j].ID = itemID(o.ID, j)
		}
		// New orders arrive over the last minutes, a few a second.
		o.CreatedAt = at - int64(k)/3
		o.UpdatedAt = o.CreatedAt
		for j := range o.Items {
			o.Items[j].CreatedAt, o.Items[j].UpdatedAt = o.CreatedAt, o.CreatedAt
		}
		s.orders = append(s.orders, o)
		s.byID[o.ID] = o
		out = append(out, o.ID)
	}
	s.sortOrders()
	s.markFinance()
	s.settleFinance()
	return out
}

// AdvanceClock moves the simulated clock by d without changing any order:
// time passes for the tokens and the finance lifecycle (settlements,
// adjustments, statements created and paid) alone.
func (s *Server) AdvanceClock(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset += d
	s.settleFinance()
}

// apiErr is a refusal: code, type, message.
type apiErr struct{ code, typ, msg string }

func (s *Server) platformError(w http.ResponseWriter, status int) {
	code, typ, msg := "ServiceTimeout", "ISP", "The request has failed due to a temporary failure of the server."
	if status == http.StatusTooManyRequests {
		code, typ, msg = "ApiCallLimit", "ISV", "Api access frequency exceeds the limit. this ban will last 1 seconds"
	}
	s.write(w, status, map[string]any{"code": code, "type": typ, "message": msg})
}

func (s *Server) write(w http.ResponseWriter, status int, body map[string]any) {
	s.mu.Lock()
	s.reqID++
	body["request_id"] = fmt.Sprintf("0ba2887315178178%09d", s.reqID)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func (s *Server) fail(w http.ResponseWriter, e *apiErr) {
	s.mu.Lock()
	s.rejected[e.code]++
	s.mu.Unlock()
	s.write(w, http.StatusOK, map[string]any{"code": e.code, "type": e.typ, "message": e.msg})
}

// params merges the query and a form body into one map.
func params(r *http.Request) (url.Values, error) {
	p := r.URL.Query()
	if r.Method == http.MethodPost {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			return nil, err
		}
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			f, err := url.ParseQuery(string(body))
			if err != nil {
				return nil, err
			}
			for k, v := range f {
				p[k] = append(p[k], v...)
			}
		}
	}
	return p, nil
}

// signOK checks the signature over exactly the parameters received (empty
// ones included), then with blank values dropped.
func (s *Server) signOK(path string, p url.Values) bool {
	got := p.Get("sign")
	all, nonBlank := map[string]string{}, map[string]string{}
	for k, v := range p {
		all[k] = v[0]
		if strings.TrimSpace(v[0]) != "" {
			nonBlank[k] = v[0]
		}
	}
	return hmac.Equal([]byte(got), []byte(Sign(s.opts.AppSecret, path, all))) ||
		hmac.Equal([]byte(got), []byte(Sign(s.opts.AppSecret, path, nonBlank)))
}

// check verifies the system parameters.
func (s *Server) check(path string, p url.Values, needToken bool) *apiErr {
	for _, k := range []string{"app_key", "timestamp", "sign_method", "sign"} {
		if p.Get(k) == "" {
			return &apiErr{"MissingParameter", "ISV", "Missing required parameter: " + k}
		}
	}
	if p.Get("app_key") != s.opts.AppKey {
		return &apiErr{"InvalidAppKey", "ISV", "Invalid app key"}
	}
	if p.Get("sign_method") != "sha256" {
		return &apiErr{"IncompleteSignature", "ISV", "Unsupported sign_method"}
	}
	ts, err := strconv.ParseInt(p.Get("timestamp"), 10, 64)
	if err != nil {
		t, perr := time.Parse(time.RFC3339, p.Get("timestamp"))
		if perr != nil {
			return &apiErr{"InvalidTimestamp", "ISV", "Invalid timestamp"}
		}
		ts = t.UnixMilli()
	}
	if err := simfault.CheckTimestamp(ts/1000, time.Now(), simfault.Window{Past: 7200 * time.Second, Future: 7200 * time.Second}); err != nil {
		return &apiErr{"InvalidTimestamp", "ISV", "Timestamp is out of range: " + err.Error()}
	}
	if !s.signOK(path, p) {
		return &apiErr{"IncompleteSignature", "ISV", "The request signature does not conform to lazop standards"}
	}
	if needToken {
		s.mu.Lock()
		exp, ok := s.tokens.Access(p.Get("access_token"))
		now := s.now()
		s.mu.Unlock()
		if !ok || !now.Before(exp) {
			return &apiErr{"IllegalAccessToken", "ISV", "The specified access token is invalid or expired"}
		}
	}
	return nil
}

// throttled applies each API's token bucket and its one-second ban.
func (s *Server) throttled(path string) bool {
	if s.opts.RateLimit <= 0 {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	if now.Before(s.bans[path]) {
		return true
	}
	l := s.limiters[path]
	if l == nil {
		l = rate.NewLimiter(rate.Limit(s.opts.RateLimit), max(int(s.opts.RateLimit), 1))
		s.limiters[path] = l
	}
	if !l.AllowN(now, 1) {
		s.bans[path] = now.Add(time.Second)
		return true
	}
	return false
}

// handle wraps an endpoint: faults, throttling, parameters, checks.
func (s *Server) handle(needToken bool, h func(p url.Values, path string) (any, *apiErr)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.inflight.Add(1)
		defer s.inflight.Add(-1)
		path := strings.TrimPrefix(r.URL.Path, Rest)
		s.mu.Lock()
		s.calls[path]++
		s.mu.Unlock()
		if s.fault.Inject(w, r) {
			return
		}
		if s.throttled(path) {
			s.fail(w, &apiErr{"ApiCallLimit", "ISV", "Api access frequency exceeds the limit. this ban will last 1 seconds"})
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodPost {
			s.fail(w, &apiErr{"InvalidMethod", "ISV", "Invalid HTTP method"})
			return
		}
		p, err := params(r)
		if err != nil {
			return
		}
		if e := s.check(path, p, needToken); e != nil {
			s.fail(w, e)
			return
		}
		out, e := h(p, path)
		if e != nil {
			s.fail(w, e)
			return
		}
		if m, ok := out.(map[string]any); ok && m["_flat"] == true {
			delete(m, "_flat")
			m["code"] = "0"
			s.write(w, http.StatusOK, m)
			return
		}
		s.write(w, http.StatusOK, map[string]any{"code": "0", "data": out})
	}
}

// isoTime parses a filter time: ISO 8601 with a colon offset.
func isoTime(v string) (int64, bool) {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil || !strings.Contains(v, "T") {
		return 0, false
	}
	return t.Unix(), true
}

func invalid(code, msg string) *apiErr { return &apiErr{code, "ISV", msg} }

// list serves /orders/get.
func (s *Server) list(p url.Values, _ string) (any, *apiErr) {
	bounds := map[string]int64{}
	for _, k := range []string{"created_after", "created_before", "update_after", "update_before"} {
		if v := p.Get(k); v != "" {
			t, ok := isoTime(v)
			if !ok {
				return nil, invalid("17", "E017: \""+v+"\" Invalid Date Format, must be YYYY-MM-DDTHH:mm:ss±HH:MM")
			}
			bounds[k] = t
		}
	}
	_, ca := bounds["created_after"]
	_, ua := bounds["update_after"]
	if !ca && !ua {
		return nil, invalid("MissingParameter", "created_after or update_after is mandatory")
	}
	limit, offset := 100, 0
	if v := p.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return nil, invalid("19", "E019: Invalid Limit")
		}
		limit = n
	}
	if v := p.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > s.opts.OffsetCap {
			return nil, invalid("14", "E014: Invalid Offset")
		}
		offset = n
	}
	sortBy := p.Get("sort_by")
	if sortBy == "" {
		sortBy = "created_at"
	}
	if sortBy != "created_at" && sortBy != "updated_at" {
		return nil, invalid("75", "E075: Invalid sort filter")
	}
	dir := p.Get("sort_direction")
	if dir == "" {
		dir = "DESC"
	}
	if dir != "ASC" && dir != "DESC" {
		return nil, invalid("74", "E074: Invalid sort direction")
	}
	status := p.Get("status")
	if status != "" && !knownStatus[status] {
		return nil, invalid("36", "E036: Invalid status filter")
	}
	in := func(v int64, after, before string) bool {
		if a, ok := bounds[after]; ok && v < a {
			return false
		}
		if b, ok := bounds[before]; ok && v > b {
			return false
		}
		return true
	}
	s.mu.Lock()
	var match []*Order
	for _, o := range s.orders {
		if !in(o.CreatedAt, "created_after", "created_before") || !in(o.UpdatedAt, "update_after", "update_before") {
			continue
		}
		if status != "" && status != "all" && !contains(o.Statuses(), status) {
			continue
		}
		match = append(match, o)
	}
	key := func(o *Order) int64 {
		if sortBy == "updated_at" {
			return o.UpdatedAt
		}
		return o.CreatedAt
	}
	tie := func(o *Order) int64 { return o.ID }
	if s.opts.UnstableTies {
		salt := uint64(bounds["created_after"]) * 0x9E3779B97F4A7C15
		tie = func(o *Order) int64 { return int64((uint64(o.ID) ^ salt) * 0x2545F4914F6CDD1D) }
	}
	sort.SliceStable(match, func(i, j int) bool {
		a, b := match[i], match[j]
		less := key(a) < key(b) || key(a) == key(b) && tie(a) < tie(b)
		if dir == "DESC" {
			return key(a) > key(b) || key(a) == key(b) && tie(a) > tie(b)
		}
		return less
	})
	page := match[min(offset, len(match)):min(offset+limit, len(match))]
	w := wire{doc: s.opts.DocForm}
	orders := make([]any, len(page))
	for i, o := range page {
		orders[i] = w.order(o)
	}
	l := List{Field: "created_at", From: bounds["created_after"], To: bounds["created_before"], Offset: offset, Limit: limit, Returned: len(page),
		SortBy: sortBy}
	if ua {
		l.Field, l.From, l.To = "updated_at", bounds["update_after"], bounds["update_before"]
	}
	s.lists = append(s.lists, l)
	if s.opts.MoveMidRead && len(page) > 0 {
		o := page[0]
		advanceOrder(o, rand.New(rand.NewPCG(uint64(o.ID), uint64(len(s.lists)))), time.Now().Unix(), len(s.lists))
		s.moved[o.ID] = true
		s.markFinance()
	}
	s.mu.Unlock()
	data := map[string]any{"count": w.num(int64(len(page))), "orders": orders}
	switch s.opts.Count {
	case CountHonest:
		data["countTotal"] = w.num(int64(len(match)))
	case CountLying:
		data["countTotal"] = w.num(int64(len(match) + 7))
	}
	return data, nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// items serves /orders/items/get.
func (s *Server) items(p url.Values, _ string) (any, *apiErr) {
	v := strings.TrimSpace(p.Get("order_ids"))
	if v == "" {
		return nil, invalid("MissingParameter", "Missing required parameter: order_ids")
	}
	if !strings.HasPrefix(v, "[") || !strings.HasSuffix(v, "]") {
		return nil, invalid("56", "E056: Invalid OrdersIdList format. Must use array format [1,2]")
	}
	var ids []int64
	for _, f := range strings.Split(v[1:len(v)-1], ",") {
		n, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64)
		if err != nil {
			return nil, invalid("56", "E056: Invalid OrdersIdList format. Must use array format [1,2]")
		}
		ids = append(ids, n)
	}
	if len(ids) > 50 {
		return nil, invalid("38", "E038: Too many orders were requested")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	w := wire{doc: s.opts.DocForm}
	var out []any
	for _, id := range ids {
		o := s.byID[id]
		if o == nil {
			return nil, invalid("37", "E037: One or more order id in the list are incorrect")
		}
		items := make([]any, len(o.Items))
		for j := range o.Items {
			items[j] = w.item(o, &o.Items[j])
		}
		out = append(out, map[string]any{"order_id": w.id(o.ID), "order_number": w.id(o.Number), "order_items": items})
	}
	if s.opts.OmitItems != 0 && len(out) > 0 {
		if s.opts.OmitItems > 0 {
			s.opts.OmitItems--
		}
		s.omitted++
		out = out[:len(out)-1]
	}
	if out == nil {
		out = []any{}
	}
	return out, nil
}

// tokenAnswer is the flat answer of both token APIs.
func (s *Server) tokenAnswer(at, rt string, accessLeft, refreshLeft time.Duration, list bool) map[string]any {
	info := []map[string]any{{"country": "vn", "seller_id": s.opts.SellerID, "user_id": "300123456789", "short_code": "VN1SIMLZ"}}
	m := map[string]any{"_flat": true, "access_token": at, "refresh_token": rt, "expires_in": int64(accessLeft / time.Second),
		"refresh_expires_in": int64(refreshLeft / time.Second), "country": "vn", "account": "seller.sim@example.vn",
		"account_platform": "seller_center", "country_user_info": info}
	if list {
		m["country_user_info_list"] = info
	}
	return m
}

// tokenCreate serves /auth/token/create.
func (s *Server) tokenCreate(p url.Values, _ string) (any, *apiErr) {
	if p.Get("uuid") != "" {
		return nil, invalid("InvalidCode", "uuid must not be sent")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if !s.tokens.UseCode(p.Get("code"), now) {
		return nil, &apiErr{"InvalidCode", "ISP", "Invalid authorization code"}
	}
	at, rt, aexp := s.tokens.Issue(now, now.Add(s.opts.RefreshTTL))
	return s.tokenAnswer(at, rt, aexp.Sub(now), s.opts.RefreshTTL, false), nil
}

// tokenRefresh serves /auth/token/refresh: a new pair; the old refresh
// token dies and the deadline stays.
func (s *Server) tokenRefresh(p url.Values, _ string) (any, *apiErr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	at, rt, aexp, deadline, ok := s.tokens.Refresh(p.Get("refresh_token"), now, true)
	if !ok {
		return nil, &apiErr{"IllegalRefreshToken", "ISV", "The specified refresh token is invalid or expired"}
	}
	return s.tokenAnswer(at, rt, aexp.Sub(now), deadline.Sub(now), true), nil
}
