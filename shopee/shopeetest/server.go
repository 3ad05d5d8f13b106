// Package shopeetest is a faithful local simulator of the Shopee Open Platform
// v2 order APIs, like net/http/httptest: a real HTTP server on loopback that
// verifies signatures, partner id, timestamp freshness and access tokens,
// expires access tokens after 4 hours of its clock, accepts each refresh
// token once and rotates it, enforces the platform's limits (15-day windows,
// page size 100, 50 order_sn per detail call), throttles, injects faults on
// demand and serves deterministic, realistic Vietnamese orders.
//
// The data is a pure function of (Seed, Orders, Now, Days): two servers built
// with the same options serve identical orders. Advance moves the clock and
// changes some orders, as a live shop would between two syncs.
package shopeetest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

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
	// FaultRate is the share of requests answered with a fault: HTTP 500,
	// HTTP 429, a hang (a timeout for the client) or a truncated JSON body.
	FaultRate float64
	// HangFor is how long a "timeout" fault hangs (default 35 s, more than
	// a client's 30 s timeout); it ends early when the client gives up.
	HangFor time.Duration
	// RateLimit throttles requests per second (0 = never); Burst defaults
	// to RateLimit.
	RateLimit float64
	Burst     int
}

// Paths of the simulated endpoints.
const (
	PathOrderList   = "/api/v2/order/get_order_list"
	PathOrderDetail = "/api/v2/order/get_order_detail"
	PathRefresh     = "/api/v2/auth/access_token/get"
)

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
	refresh   map[string]bool      // refresh token -> unused
	rotations int
	advances  int
	nextIndex int
	calls     map[string]int
	faults    map[string]int
	throttled int
	reqID     int
	faultRand *rand.Rand
	limiter   *rate.Limiter
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
	s := &Server{opts: opts, now: opts.Now, bySN: map[string]*Order{}, access: map[string]time.Time{}, refresh: map[string]bool{},
		calls: map[string]int{}, faults: map[string]int{}, nextIndex: opts.Orders,
		faultRand: rand.New(rand.NewPCG(uint64(opts.Seed), 0xfa017))}
	if opts.RateLimit > 0 {
		b := opts.Burst
		if b <= 0 {
			b = max(int(opts.RateLimit), 1)
		}
		s.limiter = rate.NewLimiter(rate.Limit(opts.RateLimit), b)
	}
	start := opts.Now.Unix()
	for i := 0; i < opts.Orders; i++ {
		o := genOrder(opts.Seed, i, opts.Orders, start, opts.Days)
		s.orders = append(s.orders, o)
		s.bySN[o.OrderSN] = o
	}
	s.access[s.accessToken(0)] = opts.Now.Add(opts.TTL)
	s.refresh[s.refreshToken(0)] = true
	mux := http.NewServeMux()
	mux.HandleFunc(PathOrderList, s.handleShop(s.orderList))
	mux.HandleFunc(PathOrderDetail, s.handleShop(s.orderDetail))
	mux.HandleFunc(PathRefresh, s.handleRefresh)
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

// Now returns the simulator's clock. Clients talking to it must sign with
// this clock (timestamps are checked against it).
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now
}

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
	out := map[string]int{}
	for k, v := range s.faults {
		out[k] = v
	}
	return out
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
			o.OrderStatus = nextStatus(o.OrderStatus)
			o.UpdateTime = from + 1 + r.Int64N(span)
			o.Packages(r)
			changes = append(changes, Change{OrderSN: o.OrderSN, Status: o.OrderStatus})
		case len(o.ItemList) > 1 && r.Float64() < pRemove:
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
	return changes
}

// ExpireTokens makes every access token expire now (as if 4 hours passed
// for them), without moving the clock.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.access {
		s.access[k] = s.now
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
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func (s *Server) fail(w http.ResponseWriter, e apiError) {
	s.mu.Lock()
	id := s.newRequestID()
	s.mu.Unlock()
	s.write(w, e.status, map[string]any{"request_id": id, "error": e.code, "message": e.msg})
}

// fault injects a fault at the configured rate; it reports whether the
// request was answered. truncate is set when the handler should truncate
// its successful body instead.
func (s *Server) fault(w http.ResponseWriter, r *http.Request, allowTruncate bool) (handled, truncate bool) {
	s.mu.Lock()
	s.calls[r.URL.Path]++
	if s.opts.FaultRate <= 0 || s.faultRand.Float64() >= s.opts.FaultRate {
		s.mu.Unlock()
		return false, false
	}
	kinds := []string{"500", "429", "timeout", "truncated"}
	if !allowTruncate {
		kinds = kinds[:3]
	}
	kind := kinds[s.faultRand.IntN(len(kinds))]
	s.faults[kind]++
	s.mu.Unlock()
	switch kind {
	case "500":
		s.fail(w, apiError{500, "error_server", "Something wrong. Please try later."})
	case "429":
		s.fail(w, apiError{429, "error_rate_limit", "Too many requests. You have reached the rate limit."})
	case "timeout":
		select {
		case <-r.Context().Done():
		case <-time.After(s.opts.HangFor):
		}
	case "truncated":
		return false, true
	}
	return true, false
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
	now := s.Now().Unix()
	if ts < now-300 || ts > now+300 {
		return &apiError{400, "error_param", "Timestamp is expired."}
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
		valid := ok && s.now.Before(exp)
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

func (s *Server) handleShop(h func(r *http.Request) (map[string]any, []string, *apiError)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			s.fail(w, apiError{405, "error_param", "Method not allowed."})
			return
		}
		handled, truncate := s.fault(w, r, true)
		if handled {
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
		s.mu.Unlock()
		if len(warning) > 0 {
			body["warning"] = warning
		}
		data, _ := json.Marshal(body)
		w.Header().Set("Content-Type", "application/json")
		if truncate {
			w.Write(data[:len(data)/2])
			return
		}
		w.Write(data)
	}
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
	offset := 0
	if c := q.Get("cursor"); c != "" {
		if offset, err = strconv.Atoi(c); err != nil || offset < 0 {
			return nil, nil, &apiError{400, "error_param", "Invalid cursor."}
		}
	}
	status := q.Get("order_status")
	s.mu.Lock()
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
	s.mu.Unlock()
	more := end < len(match)
	next := ""
	if more {
		next = strconv.Itoa(end)
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
	for _, f := range strings.Split(q.Get("response_optional_fields"), ",") {
		asked[strings.TrimSpace(f)] = true
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
	for _, sn := range sns {
		o, ok := s.bySN[strings.TrimSpace(sn)]
		if !ok {
			warning = append(warning, fmt.Sprintf("order_sn %s not found", sn))
			continue
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
		list = append(list, data)
	}
	if list == nil {
		list = []json.RawMessage{}
	}
	return map[string]any{"order_list": list}, warning, nil
}

func (s *Server) handleRefresh(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		s.fail(w, apiError{405, "error_param", "Method not allowed."})
		return
	}
	// No truncation here: a refresh is not idempotent (the token rotates).
	if handled, _ := s.fault(w, r, false); handled {
		return
	}
	if e := s.checkCommon(r, false); e != nil {
		s.fail(w, *e)
		return
	}
	var body struct {
		RefreshToken string `json:"refresh_token"`
		PartnerID    int64  `json:"partner_id"`
		ShopID       int64  `json:"shop_id"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.RefreshToken == "" {
		s.fail(w, apiError{400, "error_param", "refresh_token, partner_id and shop_id are required."})
		return
	}
	if body.PartnerID != s.opts.PartnerID || body.ShopID != s.opts.ShopID {
		s.fail(w, apiError{403, "error_auth", "Invalid partner_id or shop_id."})
		return
	}
	s.mu.Lock()
	if !s.refresh[body.RefreshToken] {
		s.mu.Unlock()
		s.fail(w, apiError{403, "error_shop_refresh_token", "Your refresh token is error, please have a check."})
		return
	}
	delete(s.refresh, body.RefreshToken)
	s.rotations++
	at, rt := s.accessToken(s.rotations), s.refreshToken(s.rotations)
	s.access[at] = s.now.Add(s.opts.TTL)
	s.refresh[rt] = true
	id := s.newRequestID()
	s.mu.Unlock()
	s.write(w, 200, map[string]any{"request_id": id, "error": "", "message": "", "partner_id": s.opts.PartnerID, "shop_id": s.opts.ShopID,
		"access_token": at, "refresh_token": rt, "expire_in": int64(s.opts.TTL / time.Second)})
}
