// Package shopeetest is a faithful, adversarial local simulator of the Shopee
// Open Platform v2 order, payment (escrow and wallet, see finance.go) and
// auth APIs, like net/http/httptest: a real HTTP
// server on loopback that verifies signatures, partner id, timestamp
// freshness (against the wall clock, as the platform does) and access
// tokens, expires access tokens after 4 hours of the wall clock and refresh
// tokens after 30 days of its data clock, accepts each refresh token once
// and rotates it,
// enforces the platform's limits and strictness (15-day windows, page size
// 100, 50 order_sn per detail call, known order_status and optional fields,
// opaque cursors bound to their query), throttles, adds latency, injects the
// network faults of package simfault and, on demand, hostile data (detail
// answers that omit orders, response: null, cursors that do not advance,
// orders that move while a client pages, shops with long quiet spells,
// truncated bodies, records that are present but malformed, stale copies of
// orders). It serves deterministic, realistic Vietnamese orders.
//
// Two clocks: the wall clock (Options.Clock, the real time by default) is
// the platform's own: every response carries it in the HTTP Date header,
// request timestamps are checked against it and access tokens expire on it,
// so a client that corrects its clock from Date stays accepted. The data
// clock (Now, Advance) drives order times and refresh-token lifetimes.
//
// The data is a pure function of (Seed, Orders, Now, Days): two servers built
// with the same options serve identical orders. Advance moves the clock and
// changes some orders, as a live shop would between two syncs.
package shopeetest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/facolos/etl/internal/simfault"
	"golang.org/x/time/rate"
)

// Options configure a Server. The zero value gives a small shop: 200 orders
// over the 120 days before today 00:00 UTC.
type Options struct {
	PartnerID  int64  // default 2001887
	PartnerKey string // default "sim_partner_key"
	ShopID     int64  // default 123456
	// Seed, Orders, Now and Days determine the data: Orders orders spread
	// over the Days days before Now (the clock's start).
	Seed   int64
	Orders int           // default 200
	Now    time.Time     // default today 00:00 UTC
	Days   int           // default 120
	TTL    time.Duration // access-token lifetime, default 4 h
	// RefreshTTL is the refresh-token lifetime on the data clock (default
	// 30 days, as on Shopee).
	RefreshTTL time.Duration
	// FaultRate is the share of requests answered with a fault of
	// FaultKinds (default every simfault kind: a connection dropped
	// mid-body, an HTML 502/503, a hang, the platform's JSON 500, 429 with
	// and without Retry-After, a truncated JSON body).
	FaultRate  float64
	FaultKinds []simfault.Kind
	// HangFor is how long a hang fault lasts (default 35 s, more than a
	// client's 30 s timeout); it ends early when the client gives up.
	HangFor time.Duration
	// Latency is added to every request, plus a uniform random extra of up
	// to Jitter.
	Latency, Jitter time.Duration
	// QuietDays, when positive, gives the shop a quiet spell: its first
	// three orders fall on its first day (Days before Now), then nothing
	// for QuietDays days, then the other orders.
	QuietDays int
	// Hostile turns on hostile-data modes.
	Hostile Hostile
	// Clock is the platform's wall clock (default time.Now): the Date
	// header, request timestamps and access-token expiry follow it. Tests
	// inject one to move it without sleeping.
	Clock func() time.Time
	// RateLimit throttles requests per second (0 = never); Burst defaults
	// to RateLimit.
	RateLimit float64
	Burst     int
	// Limiter, when set, throttles instead of RateLimit: one limiter given
	// to several servers is the limit of a partner app across its shops.
	Limiter *rate.Limiter
}

// Hostile are data faults a careless client turns into silent gaps. Each
// rate is the share of eligible answers that get the fault (drawn from the
// fault seed, so runs are reproducible).
type Hostile struct {
	// DetailOmit: a get_order_detail answer leaves out one requested order
	// (with no warning).
	DetailOmit float64
	// DetailNull, ListNull: the answer is {"error":"", "response": null}.
	DetailNull, ListNull float64
	// StuckCursor: a get_order_list page with more=true returns the cursor
	// it was asked with.
	StuckCursor float64
	// MoveWhilePaging: after each get_order_list page the data clock ticks
	// one second and this share of the orders matching the page's query
	// changes then (next status, update_time = the new now), as buyers and
	// carriers act while a client pages.
	MoveWhilePaging float64
	// Truncate: a get_order_list or get_order_detail answer is HTTP 200
	// whose JSON body is cut at a random byte, with an honest
	// Content-Length (counter "truncated").
	Truncate float64
	// StaleDuplicate: an order that changed since an earlier answer (by
	// Advance, Touch or MoveWhilePaging) is answered by get_order_detail
	// with its copy from before the change, as a lagging replica does
	// (counter "stale_duplicate").
	StaleDuplicate float64
}

// Paths of the simulated endpoints.
const (
	PathOrderList   = "/api/v2/order/get_order_list"
	PathOrderDetail = "/api/v2/order/get_order_detail"
	PathRefresh     = "/api/v2/auth/access_token/get"
	PathTokenGet    = "/api/v2/auth/token/get"
	PathAuthPartner = "/api/v2/shop/auth_partner"
)

// TimestampWindow is how far a request timestamp may be from the real wall
// clock.
var TimestampWindow = simfault.Window{Past: 5 * time.Minute, Future: 5 * time.Minute}

// Server is a running simulator.
type Server struct {
	// URL is the base URL of the server (http://127.0.0.1:port).
	URL  string
	opts Options
	srv  *httptest.Server

	mu        sync.Mutex
	now       time.Time
	orders    []*Order // sorted by create time
	bySN      map[string]*Order
	access    map[string]time.Time // access token -> expiry
	refresh   map[string]time.Time // unused refresh token -> expiry
	codes     map[string]time.Time // unused authorization code -> expiry
	rotations int
	refreshes int // refresh requests that reached the handler
	loseNext  int // rotations whose answer is dropped
	codeN     int
	hostile   map[string]int
	withheld  map[string]bool   // order_sn get_order_detail leaves out
	malformed map[string]bool   // order_sn get_order_detail answers malformed
	older     map[string]*Order // order_sn -> its copy before its last change
	clock     func() time.Time
	inj       *simfault.Injector
	advances  int
	nextIndex int
	calls     map[string]int
	faults    map[string]int
	throttled int
	reqID     int
	faultRand *rand.Rand
	limiter   *rate.Limiter

	// Finance (finance.go): the escrow state of completed orders, the
	// wallet ledger and its balance, the data-clock second settled last.
	fin            map[string]*escrowState
	escrowWithheld map[string]bool
	wallet         []WalletTxn
	balance        float64
	finSettled     int64
	txnID          int64
	withdrawals    int64
}

// NewServer starts a simulator. Close it when done.
func NewServer(opts Options) *Server {
	if opts.PartnerID == 0 {
		opts.PartnerID = 2001887
	}
	if opts.PartnerKey == "" {
		opts.PartnerKey = "sim_partner_key"
	}
	if opts.ShopID == 0 {
		opts.ShopID = 123456
	}
	if opts.Orders <= 0 {
		opts.Orders = 200
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now().UTC().Truncate(24 * time.Hour)
	}
	if opts.Days <= 0 {
		opts.Days = 120
	}
	if opts.TTL <= 0 {
		opts.TTL = 4 * time.Hour
	}
	if opts.HangFor <= 0 {
		opts.HangFor = 35 * time.Second
	}
	if opts.RefreshTTL <= 0 {
		opts.RefreshTTL = 30 * 24 * time.Hour
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	s := &Server{opts: opts, now: opts.Now, clock: opts.Clock, older: map[string]*Order{}, bySN: map[string]*Order{}, access: map[string]time.Time{}, refresh: map[string]time.Time{},
		codes: map[string]time.Time{}, calls: map[string]int{}, faults: map[string]int{}, hostile: map[string]int{}, nextIndex: opts.Orders,
		fin: map[string]*escrowState{}, escrowWithheld: map[string]bool{},
		faultRand: rand.New(rand.NewPCG(uint64(opts.Seed), 0xfa017))}
	s.inj = simfault.New(simfault.Options{Rate: opts.FaultRate, Kinds: opts.FaultKinds, HangFor: opts.HangFor,
		Latency: opts.Latency, Jitter: opts.Jitter, Seed: opts.Seed}, simfault.ErrorFunc(s.platformError))
	if opts.Limiter != nil {
		s.limiter = opts.Limiter
	} else if opts.RateLimit > 0 {
		b := opts.Burst
		if b <= 0 {
			b = max(int(opts.RateLimit), 1)
		}
		s.limiter = rate.NewLimiter(rate.Limit(opts.RateLimit), b)
	}
	start := opts.Now.Unix()
	for i := 0; i < opts.Orders; i++ {
		var o *Order
		if opts.QuietDays > 0 {
			o = genQuiet(opts.Seed, i, opts.Orders, start, opts.Days, opts.QuietDays)
		} else {
			o = genOrder(opts.Seed, i, opts.Orders, start, opts.Days)
		}
		s.orders = append(s.orders, o)
		s.bySN[o.OrderSN] = o
	}
	sort.SliceStable(s.orders, func(i, j int) bool { return s.orders[i].CreateTime < s.orders[j].CreateTime })
	s.access[s.accessToken(0)] = s.clock().Add(opts.TTL)
	s.refresh[s.refreshToken(0)] = opts.Now.Add(opts.RefreshTTL)
	mux := http.NewServeMux()
	s.settleFinance()
	mux.HandleFunc(PathOrderList, s.handleShop(http.MethodGet, mapAnswer(s.orderList)))
	mux.HandleFunc(PathOrderDetail, s.handleShop(http.MethodGet, mapAnswer(s.orderDetail)))
	mux.HandleFunc(PathEscrowList, s.handleShop(http.MethodGet, s.escrowList))
	mux.HandleFunc(PathEscrowDetailBatch, s.handleShop(http.MethodPost, s.escrowDetailBatch))
	mux.HandleFunc(PathWalletTxnList, s.handleShop(http.MethodGet, s.walletTxnList))
	mux.HandleFunc(PathRefresh, s.handleRefresh)
	mux.HandleFunc(PathTokenGet, s.handleTokenGet)
	mux.HandleFunc(PathAuthPartner, s.handleAuthPartner)
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL
	return s
}

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

func (s *Server) accessToken(n int) string {
	return fmt.Sprintf("sim-at-%d-%d", s.opts.Seed, n)
}
func (s *Server) refreshToken(n int) string {
	return fmt.Sprintf("sim-rt-%d-%d", s.opts.Seed, n)
}

// PartnerID returns the partner id the server accepts.
func (s *Server) PartnerID() int64 { return s.opts.PartnerID }

// PartnerKey returns the partner key the server signs with.
func (s *Server) PartnerKey() string { return s.opts.PartnerKey }

// ShopID returns the shop the server serves.
func (s *Server) ShopID() int64 { return s.opts.ShopID }

// InitialAccess returns the access token valid when the server starts (as
// an authorisation would have handed out).
func (s *Server) InitialAccess() string { return s.accessToken(0) }

// InitialRefresh returns the refresh token valid when the server starts.
func (s *Server) InitialRefresh() string { return s.refreshToken(0) }

// Now returns the simulator's data clock: order times and refresh-token
// lifetimes follow it. The Date header, request timestamps and access
// tokens follow the wall clock (Options.Clock), not this one.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now
}

// Clock returns the platform's wall clock now (Options.Clock): what the
// Date header says and what request timestamps are checked against.
func (s *Server) Clock() time.Time { return s.clock() }

// Orders returns copies of the orders the server holds, by create time.
func (s *Server) Orders() []Order {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Order, len(s.orders))
	for i, o := range s.orders {
		out[i] = *o
	}
	return out
}

// Calls returns how many requests an endpoint path served (faults included).
func (s *Server) Calls(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[path]
}

// Faults returns how many faults of each kind were injected.
func (s *Server) Faults() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.inj.Counts()
	for k, v := range s.faults {
		out[k] += v
	}
	return out
}

// Hostile returns how many hostile-data answers of each mode were given
// ("detail_omit", "detail_null", "list_null", "stuck_cursor", "truncated",
// "stale_duplicate"), how many orders moved while a client paged ("moved")
// and how many times get_order_detail left out a withheld order
// ("detail_withheld") or answered a malformed one ("detail_malformed").
func (s *Server) Hostile() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for k, v := range s.hostile {
		out[k] = v
	}
	return out
}

// SetFaultRate changes the network fault rate.
func (s *Server) SetFaultRate(rate float64) { s.inj.SetRate(rate) }

// SetHostile changes the hostile-data modes.
func (s *Server) SetHostile(h Hostile) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.Hostile = h
}

// WithholdDetail makes get_order_detail leave out the orders sns from
// every answer, silently, until it is called again (with no argument: no
// order withheld), as Shopee does for some cancelled or archived orders:
// get_order_list still lists them. It replaces the previous set.
func (s *Server) WithholdDetail(sns ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.withheld = map[string]bool{}
	for _, sn := range sns {
		s.withheld[sn] = true
	}
}

// MalformDetail makes get_order_detail answer the orders sns, in every
// answer until it is called again (with no argument: none), with a record
// that is present but malformed: its order_sn is an object
// ({"value": "<order_sn>"}) instead of a string; the rest of the record is
// intact. It replaces the previous set.
func (s *Server) MalformDetail(sns ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.malformed = map[string]bool{}
	for _, sn := range sns {
		s.malformed[sn] = true
	}
}

// keepOlder remembers o as it is before a change (called with s.mu held):
// StaleDuplicate serves that copy.
func (s *Server) keepOlder(o *Order) {
	c := *o
	s.older[o.OrderSN] = &c
}

// Touch changes the order sn now, as a buyer or carrier would: its
// update_time becomes the data clock's now (so incremental listing finds
// it again). It reports whether the order exists.
func (s *Server) Touch(sn string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.bySN[sn]
	if ok {
		s.keepOlder(o)
		o.UpdateTime = s.now.Unix()
	}
	return ok
}

// RefreshRequests returns how many refresh requests reached the refresh
// endpoint (faults injected before it excluded), rejected ones included.
func (s *Server) RefreshRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refreshes
}

// LoseNextRotation makes the next successful refresh rotate the tokens
// (the presented refresh token is spent) and then drop the connection
// before the answer is sent, as when a network path breaks at the worst
// moment: the client never learns the new pair.
func (s *Server) LoseNextRotation() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.loseNext++
}

// Authorize simulates the seller approving the partner in the browser: it
// returns a single-use authorization code valid 10 minutes (data clock), as
// the redirect of the auth_partner link carries it.
func (s *Server) Authorize() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codeN++
	code := fmt.Sprintf("sim-code-%d-%d", s.opts.Seed, s.codeN)
	s.codes[code] = s.now.Add(10 * time.Minute)
	return code
}

// Throttled returns how many requests were refused by the rate limit.
func (s *Server) Throttled() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.throttled
}

// Rotations returns how many times a refresh token was exchanged.
func (s *Server) Rotations() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rotations
}

// Change describes what Advance did to an order.
type Change struct {
	OrderSN      string
	Status       string
	RemovedItem  int64 // order_item_id of the removed item, 0 if none
	RemovedModel int64 // its model_id
	New          bool
}

// Advance moves the clock forward by d. Like a live shop in that time, some
// open orders move on in their lifecycle (their update_time moves into the
// elapsed interval), a few multi-item orders lose an item, and new orders
// arrive at the shop's usual rate. The changes are a pure function of the
// options and the sequence of Advance calls.
func (s *Server) Advance(d time.Duration) []Change {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advances++
	from := s.now.Unix()
	s.now = s.now.Add(d)
	to := s.now.Unix()
	span := max(to-from, 1)
	r := rand.New(rand.NewPCG(uint64(s.opts.Seed), 1_000_000+uint64(s.advances)))
	var changes []Change
	// In six hours a third of the open orders move on and one multi-item
	// order in fifty loses an item; shorter or longer advances scale that.
	scale := float64(span) / float64(6*3600)
	pStatus, pRemove := min(scale/3, 1), min(scale/50, 1)
	for _, o := range s.orders {
		open := o.OrderStatus != "COMPLETED" && o.OrderStatus != "CANCELLED"
		switch {
		case open && r.Float64() < pStatus:
			s.keepOlder(o)
			o.OrderStatus = nextStatus(o.OrderStatus)
			o.UpdateTime = from + 1 + r.Int64N(span)
			o.Packages(r)
			changes = append(changes, Change{OrderSN: o.OrderSN, Status: o.OrderStatus})
		case len(o.ItemList) > 1 && r.Float64() < pRemove:
			s.keepOlder(o)
			removed := o.ItemList[len(o.ItemList)-1]
			o.ItemList = o.ItemList[: len(o.ItemList)-1 : len(o.ItemList)-1]
			o.UpdateTime = from + 1 + r.Int64N(span)
			o.Packages(r)
			changes = append(changes, Change{OrderSN: o.OrderSN, Status: o.OrderStatus, RemovedItem: removed.OrderItemID, RemovedModel: removed.ModelID})
		}
	}
	perSecond := float64(s.opts.Orders) / float64(int64(s.opts.Days)*day)
	for n := int(perSecond * float64(span)); n > 0; n-- {
		i := s.nextIndex
		s.nextIndex++
		ct := from + 1 + r.Int64N(span)
		o := buildOrder(rand.New(rand.NewPCG(uint64(s.opts.Seed), uint64(i)+1)), s.opts.Seed, i, ct, to)
		o.UpdateTime = min(max(o.UpdateTime, ct), to)
		s.orders = append(s.orders, o)
		s.bySN[o.OrderSN] = o
		changes = append(changes, Change{OrderSN: o.OrderSN, Status: o.OrderStatus, New: true})
	}
	sort.SliceStable(s.orders, func(i, j int) bool { return s.orders[i].CreateTime < s.orders[j].CreateTime })
	s.settleFinance()
	return changes
}

// ExpireRefreshTokens makes every refresh token expire now, without moving
// the clock.
func (s *Server) ExpireRefreshTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.refresh {
		s.refresh[k] = s.now
	}
}

// ExpireTokens makes every access token expire now (as if 4 hours passed
// for them), without moving either clock.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock()
	for k := range s.access {
		s.access[k] = now
	}
}

// ---- HTTP plumbing ----

type apiError struct {
	status int
	code   string
	msg    string
}

func (s *Server) newRequestID() string {
	s.reqID++
	return fmt.Sprintf("sim%029x", s.reqID)
}

func (s *Server) write(w http.ResponseWriter, status int, body map[string]any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Date", s.clock().UTC().Format(http.TimeFormat))
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// writeTruncated answers 200 with body's JSON cut after cut%len bytes (at
// least one byte goes, at least one stays) and an honest Content-Length.
func (s *Server) writeTruncated(w http.ResponseWriter, body map[string]any, cut int) {
	data, _ := json.Marshal(body)
	data = data[:1+cut%(len(data)-1)]
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Date", s.clock().UTC().Format(http.TimeFormat))
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
}

func (s *Server) fail(w http.ResponseWriter, e apiError) {
	s.mu.Lock()
	id := s.newRequestID()
	s.mu.Unlock()
	s.write(w, e.status, map[string]any{"request_id": id, "error": e.code, "message": e.msg})
}

// platformError renders the platform's JSON errors for simfault.
func (s *Server) platformError(w http.ResponseWriter, status int) {
	switch status {
	case http.StatusTooManyRequests:
		s.fail(w, apiError{429, "error_rate_limit", "Too many requests. You have reached the rate limit."})
	default:
		s.fail(w, apiError{status, "error_server", "Something wrong. Please try later."})
	}
}

// count records a request of an endpoint.
func (s *Server) count(r *http.Request) {
	s.mu.Lock()
	s.calls[r.URL.Path]++
	s.mu.Unlock()
}

// hostileDraw reports whether a hostile mode of rate fires, counting it.
func (s *Server) hostileDraw(mode string, rate float64) bool {
	if rate <= 0 || s.faultRand.Float64() >= rate {
		return false
	}
	s.hostile[mode]++
	return true
}

func (s *Server) throttle(w http.ResponseWriter) bool {
	if s.limiter == nil || s.limiter.Allow() {
		return false
	}
	s.mu.Lock()
	s.throttled++
	s.mu.Unlock()
	s.fail(w, apiError{429, "error_rate_limit", "Too many requests. You have reached the rate limit."})
	return true
}

func sign(key, base string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(base))
	return hex.EncodeToString(m.Sum(nil))
}

// checkCommon verifies partner_id, timestamp and, for shop APIs, the access
// token and shop id, then the signature.
func (s *Server) checkCommon(r *http.Request, shop bool) *apiError {
	q := r.URL.Query()
	pid := q.Get("partner_id")
	if pid == "" {
		return &apiError{400, "error_param", "Missing partner_id."}
	}
	if pid != strconv.FormatInt(s.opts.PartnerID, 10) {
		return &apiError{403, "error_auth", "Invalid partner_id."}
	}
	tsText := q.Get("timestamp")
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return &apiError{400, "error_param", "Invalid timestamp."}
	}
	if err := simfault.CheckTimestamp(ts, s.clock(), TimestampWindow); err != nil {
		return &apiError{400, "error_param", "Timestamp is expired. " + err.Error()}
	}
	sg := q.Get("sign")
	if sg == "" {
		return &apiError{400, "error_param", "Missing sign."}
	}
	base := pid + r.URL.Path + tsText
	if shop {
		tok, shopID := q.Get("access_token"), q.Get("shop_id")
		if tok == "" || shopID == "" {
			return &apiError{400, "error_param", "Missing access_token or shop_id."}
		}
		base += tok + shopID
		if !hmac.Equal([]byte(sg), []byte(sign(s.opts.PartnerKey, base))) {
			return &apiError{403, "error_sign", "Wrong sign."}
		}
		if shopID != strconv.FormatInt(s.opts.ShopID, 10) {
			return &apiError{403, "error_shop", "shopid is invalid"}
		}
		s.mu.Lock()
		exp, ok := s.access[tok]
		valid := ok && s.clock().Before(exp)
		s.mu.Unlock()
		if !valid {
			return &apiError{403, "invalid_acceess_token", "Invalid access_token, please have a check."}
		}
		return nil
	}
	if !hmac.Equal([]byte(sg), []byte(sign(s.opts.PartnerKey, base))) {
		return &apiError{403, "error_sign", "Wrong sign."}
	}
	return nil
}

// mapAnswer adapts a handler whose answer is an object.
func mapAnswer(h func(r *http.Request) (map[string]any, []string, *apiError)) func(r *http.Request) (any, []string, *apiError) {
	return func(r *http.Request) (any, []string, *apiError) {
		m, w, e := h(r)
		if m == nil {
			return nil, w, e
		}
		return m, w, e
	}
}

func (s *Server) handleShop(method string, h func(r *http.Request) (any, []string, *apiError)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != method {
			s.fail(w, apiError{405, "error_param", "Method not allowed."})
			return
		}
		s.count(r)
		if s.inj.Inject(w, r) {
			return
		}
		if e := s.checkCommon(r, true); e != nil {
			s.fail(w, *e)
			return
		}
		if s.throttle(w) {
			return
		}
		resp, warning, e := h(r)
		if e != nil {
			s.fail(w, *e)
			return
		}
		s.mu.Lock()
		body := map[string]any{"request_id": s.newRequestID(), "error": "", "message": "", "response": resp}
		cut := -1
		if s.hostileDraw("truncated", s.opts.Hostile.Truncate) {
			cut = s.faultRand.IntN(1 << 30)
		}
		s.mu.Unlock()
		if resp == nil {
			body["response"] = nil
		}
		if len(warning) > 0 {
			body["warning"] = warning
		}
		if cut >= 0 {
			s.writeTruncated(w, body, cut)
			return
		}
		s.write(w, http.StatusOK, body)
	}
}

// OrderStatuses are the order_status values get_order_list filters on.
var OrderStatuses = map[string]bool{"UNPAID": true, "READY_TO_SHIP": true, "PROCESSED": true, "SHIPPED": true, "COMPLETED": true,
	"IN_CANCEL": true, "CANCELLED": true, "INVOICE_PENDING": true, "TO_CONFIRM_RECEIVE": true, "TO_RETURN": true, "RETRY_SHIP": true}

// cursor encodes an offset into an opaque cursor bound to its query: a
// cursor of another query, or an altered one, is rejected.
func (s *Server) cursor(query string, offset int) string {
	payload := strconv.Itoa(offset) + "|" + query
	mac := sign(s.opts.PartnerKey, "cursor|"+payload)[:16]
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(offset) + "." + mac))
}

func (s *Server) parseCursor(query, c string) (int, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, false
	}
	off, mac, ok := strings.Cut(string(raw), ".")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(off)
	if err != nil || n < 0 {
		return 0, false
	}
	want := sign(s.opts.PartnerKey, "cursor|"+off+"|"+query)[:16]
	return n, hmac.Equal([]byte(mac), []byte(want))
}

func (s *Server) orderList(r *http.Request) (map[string]any, []string, *apiError) {
	q := r.URL.Query()
	field := q.Get("time_range_field")
	if field != "create_time" && field != "update_time" {
		return nil, nil, &apiError{400, "error_param", "time_range_field must be create_time or update_time."}
	}
	from, err1 := strconv.ParseInt(q.Get("time_from"), 10, 64)
	to, err2 := strconv.ParseInt(q.Get("time_to"), 10, 64)
	if err1 != nil || err2 != nil || from >= to || to-from > 15*day {
		return nil, nil, &apiError{400, "order.order_list_invalid_time", "Start time must be earlier than end time and diff in 15days."}
	}
	size, err := strconv.Atoi(q.Get("page_size"))
	if err != nil || size < 1 || size > 100 {
		return nil, nil, &apiError{400, "error_param", "page_size should be between 1 and 100."}
	}
	status := q.Get("order_status")
	if status != "" && !OrderStatuses[status] {
		return nil, nil, &apiError{400, "error_param", "order_status is invalid."}
	}
	if f := q.Get("response_optional_fields"); f != "" && f != "order_status" {
		return nil, nil, &apiError{400, "error_param", "response_optional_fields is invalid."}
	}
	query := fmt.Sprintf("%s|%d|%d|%d|%s", field, from, to, size, status)
	offset := 0
	if c := q.Get("cursor"); c != "" {
		var ok bool
		if offset, ok = s.parseCursor(query, c); !ok {
			return nil, nil, &apiError{400, "error_param", "Invalid cursor."}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hostileDraw("list_null", s.opts.Hostile.ListNull) {
		return nil, nil, nil
	}
	var match []*Order
	for _, o := range s.orders {
		t := o.CreateTime
		if field == "update_time" {
			t = o.UpdateTime
		}
		if t >= from && t <= to && (status == "" || o.OrderStatus == status) {
			match = append(match, o)
		}
	}
	sort.SliceStable(match, func(i, j int) bool {
		if field == "update_time" {
			return match[i].UpdateTime < match[j].UpdateTime
		}
		return match[i].CreateTime < match[j].CreateTime
	})
	list := []map[string]any{}
	end := min(offset+size, len(match))
	for _, o := range match[min(offset, len(match)):end] {
		e := map[string]any{"order_sn": o.OrderSN}
		if q.Get("response_optional_fields") == "order_status" {
			e["order_status"] = o.OrderStatus
		}
		list = append(list, e)
	}
	more := end < len(match)
	next := ""
	if more {
		next = s.cursor(query, end)
		if s.hostileDraw("stuck_cursor", s.opts.Hostile.StuckCursor) {
			next = q.Get("cursor")
			if next == "" {
				next = s.cursor(query, 0)
			}
		}
	}
	// Orders of this window move on while the client pages: the clock
	// ticks one second and they change now, leaving the window or moving
	// to its end.
	if rate := s.opts.Hostile.MoveWhilePaging; rate > 0 {
		s.now = s.now.Add(time.Second)
		now := s.now.Unix()
		for _, o := range match {
			if s.faultRand.Float64() >= rate {
				continue
			}
			s.keepOlder(o)
			o.OrderStatus = nextStatus(o.OrderStatus)
			o.UpdateTime = now
			o.Packages(s.faultRand)
			s.hostile["moved"]++
		}
	}
	return map[string]any{"more": more, "next_cursor": next, "order_list": list}, nil, nil
}

// optionalFields are the documented response_optional_fields; the server
// only returns them when asked.
var optionalFields = map[string][]string{
	"buyer_user_id": {"buyer_user_id"}, "buyer_username": {"buyer_username"}, "estimated_shipping_fee": {"estimated_shipping_fee"},
	"recipient_address": {"recipient_address"}, "actual_shipping_fee": {"actual_shipping_fee"}, "goods_to_declare": {"goods_to_declare"},
	"note": {"note"}, "note_update_time": {"note_update_time"}, "item_list": {"item_list"}, "pay_time": {"pay_time"},
	"dropshipper": {"dropshipper"}, "dropshipper_phone": {"dropshipper_phone"}, "split_up": {"split_up"},
	"buyer_cancel_reason": {"buyer_cancel_reason"}, "cancel_by": {"cancel_by"}, "cancel_reason": {"cancel_reason"},
	"actual_shipping_fee_confirmed": {"actual_shipping_fee_confirmed"}, "buyer_cpf_id": {"buyer_cpf_id"},
	"fulfillment_flag": {"fulfillment_flag"}, "pickup_done_time": {"pickup_done_time"}, "package_list": {"package_list"},
	"shipping_carrier": {"shipping_carrier"}, "payment_method": {"payment_method"}, "total_amount": {"total_amount"},
	"invoice_data": {"invoice_data"}, "order_chargeable_weight_gram": {"order_chargeable_weight_gram"},
	"return_request_due_date": {"return_request_due_date"}, "edt": {"edt_from", "edt_to"}, "payment_info": {"payment_info"},
	"reverse_shipping_fee": {"reverse_shipping_fee"},
}

func (s *Server) orderDetail(r *http.Request) (map[string]any, []string, *apiError) {
	q := r.URL.Query()
	raw := q.Get("order_sn_list")
	if raw == "" {
		return nil, nil, &apiError{400, "error_param", "order_sn_list is required."}
	}
	sns := strings.Split(raw, ",")
	if len(sns) > 50 {
		return nil, nil, &apiError{400, "error_param", "order_sn_list should be 1-50 order_sn."}
	}
	asked := map[string]bool{}
	if f := q.Get("response_optional_fields"); f != "" {
		for _, f := range strings.Split(f, ",") {
			f = strings.TrimSpace(f)
			if _, ok := optionalFields[f]; !ok {
				return nil, nil, &apiError{400, "error_param", fmt.Sprintf("response_optional_fields %q is invalid.", f)}
			}
			asked[f] = true
		}
	}
	drop := map[string]bool{}
	for opt, keys := range optionalFields {
		if !asked[opt] {
			for _, k := range keys {
				drop[k] = true
			}
		}
	}
	var list []json.RawMessage
	var warning []string
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hostileDraw("detail_null", s.opts.Hostile.DetailNull) {
		return nil, nil, nil
	}
	omit := -1
	if len(sns) > 0 && s.hostileDraw("detail_omit", s.opts.Hostile.DetailOmit) {
		omit = s.faultRand.IntN(len(sns))
	}
	for i, sn := range sns {
		if i == omit {
			continue
		}
		if s.withheld[strings.TrimSpace(sn)] {
			s.hostile["detail_withheld"]++
			continue
		}
		o, ok := s.bySN[strings.TrimSpace(sn)]
		if !ok {
			warning = append(warning, fmt.Sprintf("order_sn %s not found", sn))
			continue
		}
		if old := s.older[o.OrderSN]; old != nil && s.hostileDraw("stale_duplicate", s.opts.Hostile.StaleDuplicate) {
			o = old
		}
		data, _ := json.Marshal(o)
		if len(drop) > 0 {
			var m map[string]json.RawMessage
			_ = json.Unmarshal(data, &m)
			for k := range drop {
				delete(m, k)
			}
			data, _ = json.Marshal(m)
		}
		if s.malformed[o.OrderSN] {
			s.hostile["detail_malformed"]++
			sn, _ := json.Marshal(o.OrderSN)
			data = bytes.Replace(data, []byte(`"order_sn":`+string(sn)), []byte(`"order_sn":{"value":`+string(sn)+`}`), 1)
		}
		list = append(list, data)
	}
	if list == nil {
		list = []json.RawMessage{}
	}
	return map[string]any{"order_list": list}, warning, nil
}

// authBody reads the JSON body of an auth call and checks partner and shop.
func (s *Server) authBody(w http.ResponseWriter, r *http.Request, v any, partnerID, shopID *int64) bool {
	if r.Method != http.MethodPost {
		s.fail(w, apiError{405, "error_param", "Method not allowed."})
		return false
	}
	if e := s.checkCommon(r, false); e != nil {
		s.fail(w, *e)
		return false
	}
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		s.fail(w, apiError{400, "error_param", "Invalid request body."})
		return false
	}
	if *partnerID != s.opts.PartnerID || *shopID != s.opts.ShopID {
		s.fail(w, apiError{403, "error_auth", "Invalid partner_id or shop_id."})
		return false
	}
	return true
}

// rotate issues a new token pair (called with s.mu held).
func (s *Server) rotate() (at, rt string) {
	s.rotations++
	at, rt = s.accessToken(s.rotations), s.refreshToken(s.rotations)
	s.access[at] = s.clock().Add(s.opts.TTL)
	s.refresh[rt] = s.now.Add(s.opts.RefreshTTL)
	return at, rt
}

func (s *Server) handleRefresh(w http.ResponseWriter, r *http.Request) {
	s.count(r)
	// No truncated 200: a refresh is not idempotent (the token rotates).
	if s.inj.Inject(w, r, simfault.HTML502, simfault.HTML503, simfault.Hang, simfault.Server500, simfault.Throttle429, simfault.Throttle429Bare) {
		return
	}
	var body struct {
		RefreshToken string `json:"refresh_token"`
		PartnerID    int64  `json:"partner_id"`
		ShopID       int64  `json:"shop_id"`
	}
	if !s.authBody(w, r, &body, &body.PartnerID, &body.ShopID) {
		return
	}
	s.mu.Lock()
	s.refreshes++
	exp, ok := s.refresh[body.RefreshToken]
	switch {
	case !ok:
		s.mu.Unlock()
		s.fail(w, apiError{403, "error_shop_refresh_token", "Your refresh token is error, please have a check."})
		return
	case !s.now.Before(exp):
		delete(s.refresh, body.RefreshToken)
		s.mu.Unlock()
		s.fail(w, apiError{403, "refresh_token_expired", "Your refresh token is expired."})
		return
	}
	delete(s.refresh, body.RefreshToken)
	at, rt := s.rotate()
	lose := s.loseNext > 0
	if lose {
		s.loseNext--
		s.faults["lost_rotation"]++
	}
	id := s.newRequestID()
	s.mu.Unlock()
	if lose {
		simfault.DropMidBody(w, []byte(`{"request_id":"`+id+`","error":"","message":"","partner_id":`), 512)
		return
	}
	s.write(w, 200, map[string]any{"request_id": id, "error": "", "message": "", "partner_id": s.opts.PartnerID, "shop_id": s.opts.ShopID,
		"access_token": at, "refresh_token": rt, "expire_in": int64(s.opts.TTL / time.Second)})
}

// handleTokenGet exchanges an authorization code for the first token pair
// (POST /api/v2/auth/token/get; the answer has no "response" wrapper).
func (s *Server) handleTokenGet(w http.ResponseWriter, r *http.Request) {
	s.count(r)
	var body struct {
		Code      string `json:"code"`
		PartnerID int64  `json:"partner_id"`
		ShopID    int64  `json:"shop_id"`
	}
	if !s.authBody(w, r, &body, &body.PartnerID, &body.ShopID) {
		return
	}
	s.mu.Lock()
	exp, ok := s.codes[body.Code]
	if !ok || !s.now.Before(exp) {
		s.mu.Unlock()
		s.fail(w, apiError{403, "error_auth", "Invalid code."})
		return
	}
	delete(s.codes, body.Code)
	at, rt := s.rotate()
	id := s.newRequestID()
	s.mu.Unlock()
	s.write(w, 200, map[string]any{"request_id": id, "error": "", "message": "", "access_token": at, "refresh_token": rt,
		"expire_in": int64(s.opts.TTL / time.Second), "shop_id_list": []int64{s.opts.ShopID}, "merchant_id_list": []int64{}})
}

// handleAuthPartner is the seller's side of the authorization link: a
// signed GET with a redirect URL. The simulated seller approves at once:
// the answer redirects to redirect?code=..&shop_id=.. .
func (s *Server) handleAuthPartner(w http.ResponseWriter, r *http.Request) {
	s.count(r)
	if e := s.checkCommon(r, false); e != nil {
		s.fail(w, *e)
		return
	}
	red, err := url.Parse(r.URL.Query().Get("redirect"))
	if err != nil || red.Scheme == "" || red.Host == "" {
		s.fail(w, apiError{400, "error_param", "redirect is invalid."})
		return
	}
	q := red.Query()
	q.Set("code", s.Authorize())
	q.Set("shop_id", strconv.FormatInt(s.opts.ShopID, 10))
	red.RawQuery = q.Encode()
	http.Redirect(w, r, red.String(), http.StatusFound)
}
