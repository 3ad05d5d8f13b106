// Package misatest is a strict local simulator of the MISA AMIS CRM open API
// v2, like net/http/httptest: a real HTTP server on loopback that issues
// 24-hour JWTs from POST /Account (client id + secret) and expires them on
// its own clock, checks both headers of every data call (401 with an empty
// body for a bad or expired token), validates paging (400 InvalidParam,
// pageSize at most 100, unknown parameters rejected), orders by
// modified_date newest first, pages 0-based (or 1-based with 0 aliasing 1),
// routes /Products and /Product, serves /Stocks unpaged and
// /Stocks/product_ledger with its success:false, code:0 quirk, and injects
// network-shaped faults through internal/simfault.
//
// The data is deterministic Vietnamese CRM data (companies, people,
// provinces, VND amounts, products with units and tax rates) that changes
// with Advance (records modified, new ones created, sale-order items
// removed), as a live tenant would between two syncs.
package misatest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/facolos/etl/internal/simfault"
	"github.com/facolos/etl/internal/vnfake"
	"golang.org/x/time/rate"
)

// Entity names, as Records and Advance use them.
const (
	Customers  = "customers"
	SaleOrders = "sale_orders"
	Contacts   = "contacts"
	Products   = "products"
	Stocks     = "stocks"
)

// Base paths the server answers under: BasePath is the crmconnect form,
// AltBasePath the amisapp form.
const (
	BasePath    = "/api/v2"
	AltBasePath = "/crm/gc/api/public/api/v2"
)

// Options configure a Server. The zero value gives a small tenant.
type Options struct {
	// ClientID and ClientSecret are the accepted credentials (default
	// "TESTAPP" and "test_secret").
	ClientID, ClientSecret string
	// Seed and the sizes determine the data.
	Seed                                             int64
	Customers, SaleOrders, Contacts, Products, Stock int // defaults 250, 250, 120, 60, 4
	// Now is the clock's start (default today 00:00 UTC); records were
	// modified over the Days (default 120) before it, at least an hour ago.
	Now  time.Time
	Days int
	// TTL is the token lifetime (default 24 h).
	TTL time.Duration
	// PastExpiry (hostile): a login's token carries an exp claim an hour
	// before both the simulated and the real clock, while it stays valid
	// for TTL.
	PastExpiry bool
	// OneBased makes page numbers start at 1 (page 0 then aliases page 1).
	OneBased bool
	// Faults configures the network-shaped faults (rate, kinds, latency).
	Faults simfault.Options
	// RateLimit throttles data calls per second with 429 + Retry-After (0:
	// never).
	RateLimit float64
	// ChangeRate is the share of records of each entity that Advance
	// modifies (default 0.1); a fifth as many are created.
	ChangeRate float64
	// Hostile mixes awkward but valid values into customers (amounts as
	// text with thousands separators, percentages), one malformed date
	// every 211 customers, and a stale duplicate in the last page.
	Hostile bool
	// OnList, when set, is called before a list page is served (entity,
	// page as requested), outside the server's lock: tests change data
	// while a client pages.
	OnList func(entity string, page int)
	// FailPage, when set, is asked before a list page is served; a non-zero
	// HTTP status answers the request with that status and an error body
	// (tests fail a page for good).
	FailPage func(entity string, page int) int
	// NoJSONCache encodes records on every request instead of caching the
	// encoding (so the server's memory stays constant while it serves).
	NoJSONCache bool
}

type rec struct {
	id   int64
	mod  time.Time
	data Record
	js   []byte
}

// json encodes the record; the encoding is cached until the record changes
// unless nocache (benchmarks keep the simulator's memory constant).
func (r *rec) json(nocache bool) []byte {
	if r.js != nil {
		return r.js
	}
	b, err := json.Marshal(r.data)
	if err != nil {
		panic(err)
	}
	if !nocache {
		r.js = b
	}
	return b
}

func (r *rec) touch(mod time.Time) {
	r.mod = mod
	r.data["modified_date"] = Date(mod)
	r.js = nil
}

type store struct {
	name   string
	recs   []*rec
	byID   map[int64]*rec
	sorted []*rec // newest first; nil when stale
	fields []field
}

func (s *store) view() []*rec {
	if s.sorted == nil {
		s.sorted = append([]*rec(nil), s.recs...)
		sort.Slice(s.sorted, func(i, j int) bool {
			a, b := s.sorted[i], s.sorted[j]
			if !a.mod.Equal(b.mod) {
				return a.mod.After(b.mod)
			}
			return a.id > b.id
		})
	}
	return s.sorted
}

// Server is a running simulator.
type Server struct {
	// URL is the API base (http://127.0.0.1:port/api/v2); AltURL the same
	// server under the amisapp base path.
	URL, AltURL string
	opts        Options
	srv         *httptest.Server
	inj         *simfault.Injector
	limiter     *rate.Limiter

	mu       sync.Mutex
	now      time.Time
	ents     map[string]*store
	stocks   []*rec
	ledger   map[string][]*rec // warehouse async_id -> rows by product
	tokens   map[string]time.Time
	logins   int
	issued   int
	calls    map[string]int
	rejected map[int]int
	changes  int
	nextItem int64
	bad      map[string]bool // hostile: keys of malformed records
}

// NewServer starts a simulator. Close it when done.
func NewServer(opts Options) *Server {
	if opts.ClientID == "" {
		opts.ClientID = "TESTAPP"
	}
	if opts.ClientSecret == "" {
		opts.ClientSecret = "test_secret"
	}
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&opts.Customers, 250)
	def(&opts.SaleOrders, 250)
	def(&opts.Contacts, 120)
	def(&opts.Products, 60)
	def(&opts.Stock, 4)
	def(&opts.Days, 120)
	if opts.Now.IsZero() {
		opts.Now = time.Now().UTC().Truncate(24 * time.Hour)
	}
	if opts.TTL <= 0 {
		opts.TTL = 24 * time.Hour
	}
	if opts.ChangeRate <= 0 {
		opts.ChangeRate = 0.1
	}
	s := &Server{opts: opts, now: opts.Now, ents: map[string]*store{}, ledger: map[string][]*rec{}, tokens: map[string]time.Time{},
		calls: map[string]int{}, rejected: map[int]int{}, bad: map[string]bool{}}
	s.inj = simfault.New(opts.Faults, simfault.ErrorFunc(func(w http.ResponseWriter, status int) {
		code := "Exception"
		if status == http.StatusTooManyRequests {
			code = "TooManyRequests"
		}
		writeJSON(w, status, map[string]any{"ErrorCode": code, "DevMsg": http.StatusText(status), "UserMsg": "Có lỗi xảy ra, vui lòng thử lại", "TraceId": "sim-fault"})
	}))
	if opts.RateLimit > 0 {
		s.limiter = rate.NewLimiter(rate.Limit(opts.RateLimit), max(int(opts.RateLimit), 1))
	}
	s.generate()
	mux := http.NewServeMux()
	mux.HandleFunc(BasePath+"/", s.route(BasePath))
	mux.HandleFunc(AltBasePath+"/", s.route(AltBasePath))
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL + BasePath
	s.AltURL = s.srv.URL + AltBasePath
	return s
}

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// ClientID returns the accepted client id (AppID).
func (s *Server) ClientID() string { return s.opts.ClientID }

// ClientSecret returns the accepted client secret.
func (s *Server) ClientSecret() string { return s.opts.ClientSecret }

// Now returns the simulator's clock.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now
}

// Logins returns how many tokens POST /Account issued.
func (s *Server) Logins() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logins
}

// Calls returns how many requests a path (relative to the base, "/Customers")
// received, faults included.
func (s *Server) Calls(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[path]
}

// Rejected returns how many requests were refused with an HTTP status
// (401, 400, 403, 429) by the server's checks (not faults).
func (s *Server) Rejected(status int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rejected[status]
}

// Faults returns how many faults of each kind were injected.
func (s *Server) Faults() map[string]int { return s.inj.Counts() }

// SetFaultRate changes the share of requests answered with a fault.
func (s *Server) SetFaultRate(r float64) { s.inj.SetRate(r) }

// ExpireTokens makes every issued token expired (as 24 hours passing would),
// without moving the data clock.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.tokens {
		s.tokens[k] = s.now.Add(-time.Second)
	}
}

// Malformed returns the keys of the records the hostile mode made
// malformed (a client must quarantine them), sorted.
func (s *Server) Malformed() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for k := range s.bad {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Records returns copies of the records of an entity (customers,
// sale_orders, contacts, products, stocks) by id (stocks by stock_code).
func (s *Server) Records(entity string) []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	var rs []*rec
	if entity == Stocks {
		rs = s.stocks
	} else {
		rs = s.ents[entity].recs
	}
	out := make([]Record, len(rs))
	for i, r := range rs {
		out[i] = copyRecord(r.data)
	}
	return out
}

// Ledger returns copies of the stock-on-hand rows per warehouse async_id.
func (s *Server) Ledger() map[string][]Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string][]Record{}
	for k, rows := range s.ledger {
		for _, r := range rows {
			out[k] = append(out[k], copyRecord(r.data))
		}
	}
	return out
}

func copyRecord(r Record) Record {
	c := make(Record, len(r))
	for k, v := range r {
		if items, ok := v.([]Record); ok {
			cp := make([]Record, len(items))
			for i, it := range items {
				cp[i] = copyRecord(it)
			}
			v = cp
		}
		c[k] = v
	}
	return c
}

// ---- data ----

var entityBase = map[string]int64{Customers: 100_000, SaleOrders: 500_000, Contacts: 300_000, Products: 700_000}

func (s *Server) generate() {
	o := s.opts
	end := o.Now.Add(-time.Hour)
	start := o.Now.Add(-time.Duration(o.Days) * 24 * time.Hour)
	s.nextItem = 90_000_000
	for _, e := range []struct {
		name   string
		n      int
		fields []field
	}{{Products, o.Products, productFields}, {Customers, o.Customers, customerFields}, {Contacts, o.Contacts, contactFields}, {SaleOrders, o.SaleOrders, saleOrderFields}} {
		st := &store{name: e.name, byID: map[int64]*rec{}, fields: e.fields}
		s.ents[e.name] = st
		for i := 0; i < e.n; i++ {
			s.add(st, i, start, end)
		}
	}
	for i := 0; i < o.Stock; i++ {
		r := recRand(o.Seed, Stocks, i, 0)
		c := newCtx(r)
		created := randTime(r, start, end)
		data := Record{"async_id": uuid(r), "act_database_id": uuid(r), "stock_code": fmt.Sprintf("KHO%02d", i+1),
			"stock_name": "Kho " + c.addr.Province, "description": "Kho hàng " + c.addr.Full, "inactive": false,
			"created_by": c.person.Name, "created_date": Date(created), "modified_by": c.person.Name}
		x := &rec{id: int64(i), data: data}
		x.touch(randTime(r, created, end))
		s.stocks = append(s.stocks, x)
		var rows []*rec
		for j, p := range s.ents[Products].recs {
			if r.IntN(5) == 0 {
				continue
			}
			rows = append(rows, &rec{id: int64(j), data: Record{"product_code": p.data["product_code"],
				"main_stock_quantity": Money(strconv.Itoa(r.IntN(2000))), "usage_unit_name": p.data["usage_unit"],
				"product_category_name": p.data["product_category"]}})
		}
		s.ledger[string(data["async_id"].(UUID))] = rows
	}
}

// add creates record i of st, modified in [start, end].
func (s *Server) add(st *store, i int, start, end time.Time) *rec {
	r := recRand(s.opts.Seed, st.name, i, 0)
	c := newCtx(r)
	id := entityBase[st.name] + int64(i)
	created := randTime(r, start, end)
	data := Record{"id": id, "created_date": Date(created), "created_by": c.person.Name}
	switch st.name {
	case Customers:
		data["account_number"] = fmt.Sprintf("KH%06d", i)
		data["account_name"] = c.company
		data["list_product_name"] = "Sản phẩm khách hay mua" // returned by the API, not stored
	case Contacts:
		data["contact_code"] = fmt.Sprintf("LH%06d", i)
		data["contact_name"] = c.person.Name
	case Products:
		p := vnfake.NewProduct(r)
		data["product_code"] = fmt.Sprintf("SP%05d", i)
		data["product_name"] = fit(p.Name+" "+p.ModelName, 500)
		data["unit_price"] = Money(strconv.FormatInt(p.Price, 10))
		data["is_no_recorded_sales"] = false // returned by the API, not stored
	case SaleOrders:
		data["sale_order_no"] = fmt.Sprintf("DH%06d", i)
		data["contact_name"] = c.person.Name // returned by the API, not stored
		data["sale_order_amount"] = Money("0")
		var items []Record
		n := []int{0, 1, 1, 1, 2, 2, 3, 4}[r.IntN(8)]
		if r.IntN(40) == 0 {
			n = 0
		}
		var total int64
		for k := 0; k < n; k++ {
			it := Record{"id": s.nextItem}
			s.nextItem++
			prods := s.ents[Products].recs
			p := prods[r.IntN(len(prods))]
			it["product_code"] = p.data["product_code"]
			it["description"] = p.data["product_name"]
			qty := int64(1 + r.IntN(20))
			price, _ := strconv.ParseInt(string(p.data["unit_price"].(Money)), 10, 64)
			it["amount"] = Money(strconv.FormatInt(qty, 10))
			it["price"] = Money(strconv.FormatInt(price, 10))
			it["total"] = Money(strconv.FormatInt(price*qty, 10))
			it["sort_order"] = int64(k + 1)
			total += price * qty
			gen(r, it, itemFields, start, end, c)
			items = append(items, it)
		}
		data["sale_order_product_mappings"] = items
		data["total_summary"] = Money(strconv.FormatInt(total, 10))
	}
	gen(r, data, st.fields, start, end, c)
	if s.opts.Hostile && st.name == Customers {
		if i%97 == 5 {
			data["debt"] = Text(fmt.Sprintf("%d,%03d,000", 1+r.IntN(99), r.IntN(1000)))
			data["total_score"] = Text(fmt.Sprintf("%d%%", r.IntN(100)))
		}
		if i%211 == 7 {
			data["celebrate_date"] = "31/12/2024"
			s.bad[strconv.FormatInt(id, 10)] = true
		}
	}
	x := &rec{id: id, data: data}
	x.touch(randTime(r, created, end))
	st.recs = append(st.recs, x)
	st.byID[id] = x
	st.sorted = nil
	return x
}

// Change lists what Advance or Modify changed: keys (ids as text) per
// entity, and the sale orders that lost items.
type Change struct {
	Modified     map[string][]string
	Created      map[string][]string
	ItemsRemoved []string
}

// Advance moves the clock on by d and changes the tenant as a live one
// would: ChangeRate of each entity's records modified (some sale orders
// lose items, some all of them), a fifth as many created, stock on hand
// moved, one warehouse renamed. Modification times fall in the advanced
// span.
func (s *Server) Advance(d time.Duration) Change {
	s.mu.Lock()
	defer s.mu.Unlock()
	from := s.now
	s.now = s.now.Add(d)
	s.changes++
	r := rand.New(rand.NewPCG(uint64(s.opts.Seed), uint64(s.changes)*7919))
	ch := Change{Modified: map[string][]string{}, Created: map[string][]string{}}
	for _, name := range []string{Products, Customers, Contacts, SaleOrders} {
		st := s.ents[name]
		k := int(float64(len(st.recs))*s.opts.ChangeRate + 0.5)
		for _, idx := range r.Perm(len(st.recs))[:min(k, len(st.recs))] {
			x := st.recs[idx]
			if s.modify(r, st, x, randTime(r, from.Add(time.Millisecond), s.now), &ch) {
				ch.Modified[name] = append(ch.Modified[name], strconv.FormatInt(x.id, 10))
			}
		}
		for j := 0; j < k/5; j++ {
			x := s.add(st, len(st.recs), from.Add(time.Millisecond), s.now)
			ch.Created[name] = append(ch.Created[name], strconv.FormatInt(x.id, 10))
		}
		st.sorted = nil
	}
	for _, rows := range s.ledger {
		for _, x := range rows {
			if r.IntN(5) == 0 {
				x.data["main_stock_quantity"] = Money(strconv.Itoa(r.IntN(2000)))
				x.js = nil
			}
		}
	}
	if len(s.stocks) > 0 {
		x := s.stocks[r.IntN(len(s.stocks))]
		x.data["description"] = fmt.Sprintf("Kho hàng (cập nhật lần %d)", s.changes)
		x.touch(s.now)
		ch.Modified[Stocks] = append(ch.Modified[Stocks], x.data["stock_code"].(string))
	}
	return ch
}

// modify changes x at time t; false when x was not changed.
func (s *Server) modify(r *rand.Rand, st *store, x *rec, t time.Time, ch *Change) bool {
	if !t.After(x.mod) {
		return false
	}
	switch st.name {
	case Customers:
		x.data["debt"] = Money(fmt.Sprintf("%d000", r.IntN(900_000)))
		x.data["rating"] = pick(r, ratings)
	case Contacts:
		x.data["title"] = pick(r, titles)
	case Products:
		x.data["unit_price"] = Money(fmt.Sprintf("%d000", 10+r.IntN(2000)))
	case SaleOrders:
		x.data["status"] = pick(r, orderStatuses)
		x.data["pay_status"] = pick(r, payStatuses)
		items, _ := x.data["sale_order_product_mappings"].([]Record)
		if len(items) > 0 && r.IntN(3) == 0 {
			drop := 1
			if r.IntN(4) == 0 {
				drop = len(items) // all of them
			}
			x.data["sale_order_product_mappings"] = append([]Record(nil), items[:len(items)-drop]...)
			ch.ItemsRemoved = append(ch.ItemsRemoved, strconv.FormatInt(x.id, 10))
		} else if len(items) > 0 {
			it := copyRecord(items[0])
			it["amount"] = Money(strconv.Itoa(1 + r.IntN(50)))
			items = append([]Record{it}, items[1:]...)
			x.data["sale_order_product_mappings"] = items
		}
	}
	x.data["modified_by"] = "Quản trị viên"
	x.touch(t)
	st.sorted = nil
	return true
}

// Modify advances the clock by one second and modifies n records of an
// entity at that instant, so they move to the head of the newest-first
// order: call it from Options.OnList to shift pages under a client.
func (s *Server) Modify(entity string, n int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = s.now.Add(time.Second)
	s.changes++
	r := rand.New(rand.NewPCG(uint64(s.opts.Seed)+1, uint64(s.changes)))
	st := s.ents[entity]
	ch := Change{}
	var out []string
	for _, idx := range r.Perm(len(st.recs))[:min(n, len(st.recs))] {
		x := st.recs[idx]
		if s.modify(r, st, x, s.now, &ch) {
			out = append(out, strconv.FormatInt(x.id, 10))
		}
	}
	return out
}

// ---- HTTP ----

func writeJSON(w http.ResponseWriter, status int, body any) {
	data, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

func (s *Server) errorBody(w http.ResponseWriter, status int, code, msg string) {
	s.mu.Lock()
	s.rejected[status]++
	s.mu.Unlock()
	writeJSON(w, status, map[string]any{"ErrorCode": code, "DevMsg": msg, "UserMsg": msg, "TraceId": fmt.Sprintf("sim-%d", status)})
}

func (s *Server) route(base string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		path := strings.TrimPrefix(r.URL.Path, base)
		s.mu.Lock()
		s.calls[path]++
		s.mu.Unlock()
		if s.inj.Inject(w, r) {
			return
		}
		if path == "/Account" {
			s.account(w, r)
			return
		}
		if r.Method != http.MethodGet {
			s.errorBody(w, http.StatusMethodNotAllowed, "InvalidParam", "method not allowed")
			return
		}
		if s.limiter != nil && !s.limiter.Allow() {
			w.Header().Set("Retry-After", "1")
			s.errorBody(w, http.StatusTooManyRequests, "TooManyRequests", "too many requests")
			return
		}
		if !s.authorized(w, r) {
			return
		}
		switch path {
		case "/Customers":
			s.list(w, r, Customers)
		case "/SaleOrders":
			s.list(w, r, SaleOrders)
		case "/Contacts":
			s.list(w, r, Contacts)
		case "/Products", "/Product":
			s.list(w, r, Products)
		case "/Stocks":
			s.stockList(w, r)
		case "/Stocks/product_ledger":
			s.productLedger(w, r)
		default:
			s.errorBody(w, http.StatusNotFound, "NotFound", "no such endpoint")
		}
	}
}

// account issues a token for the right client id and secret.
func (s *Server) account(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		s.errorBody(w, http.StatusMethodNotAllowed, "InvalidParam", "POST required")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	var creds struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	if err != nil || json.Unmarshal(body, &creds) != nil {
		s.errorBody(w, http.StatusBadRequest, "InvalidParam", "body must be {client_id, client_secret}")
		return
	}
	if creds.ClientID != s.opts.ClientID || !hmac.Equal([]byte(creds.ClientSecret), []byte(s.opts.ClientSecret)) {
		s.mu.Lock()
		s.rejected[http.StatusUnauthorized]++
		s.mu.Unlock()
		writeJSON(w, http.StatusUnauthorized, map[string]any{"success": false, "code": "InvalidAppID", "data": nil})
		return
	}
	s.mu.Lock()
	s.issued++
	s.logins++
	exp := s.now.Add(s.opts.TTL)
	// The exp claim is in real time (the remaining lifetime from the wall
	// clock), so a client needs no access to the simulated clock; validity
	// is checked on the simulated clock.
	claim := time.Now().Add(s.opts.TTL)
	if s.opts.PastExpiry {
		claim = time.Now()
		if s.now.Before(claim) {
			claim = s.now
		}
		claim = claim.Add(-time.Hour)
	}
	tok := s.jwt(claim, s.issued)
	s.tokens[tok] = exp
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "code": 0, "data": tok})
}

func (s *Server) jwt(exp time.Time, n int) string {
	enc := base64.RawURLEncoding
	head := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	claims, _ := json.Marshal(map[string]any{"exp": exp.Unix(), "iss": "MISA", "aud": "AMISCRM2", "client_id": s.opts.ClientID, "jti": n})
	body := head + "." + enc.EncodeToString(claims)
	m := hmac.New(sha256.New, []byte("sim-signing-key-"+s.opts.ClientSecret))
	m.Write([]byte(body))
	return body + "." + enc.EncodeToString(m.Sum(nil))
}

// authorized checks both headers: 401 with an empty body for a missing,
// unknown or expired token; 403 InvalidAppID for a wrong Clientid.
func (s *Server) authorized(w http.ResponseWriter, r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	exp, known := s.tokens[tok]
	valid := ok && known && s.now.Before(exp)
	if !valid {
		s.rejected[http.StatusUnauthorized]++
	}
	s.mu.Unlock()
	if !valid {
		w.WriteHeader(http.StatusUnauthorized)
		return false
	}
	if r.Header.Get("Clientid") != s.opts.ClientID {
		s.errorBody(w, http.StatusForbidden, "InvalidAppID", "Clientid header is missing or does not match the token")
		return false
	}
	return true
}

// paging validates the query: page, pageSize (1..100, default 10),
// orderBy, isDescending and the extra parameters allowed.
func (s *Server) paging(w http.ResponseWriter, r *http.Request, extra ...string) (start, size int, desc, ok bool) {
	q := r.URL.Query()
	allowed := map[string]bool{"page": true, "pageSize": true, "orderBy": true, "isDescending": true}
	for _, e := range extra {
		allowed[e] = true
	}
	for k := range q {
		if !allowed[k] {
			s.errorBody(w, http.StatusBadRequest, "InvalidParam", "unknown parameter "+k)
			return
		}
	}
	page, size, desc := 0, 10, true
	var err error
	if v := q.Get("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 0 {
			s.errorBody(w, http.StatusBadRequest, "InvalidParam", "page must be a non-negative integer")
			return
		}
	}
	if v := q.Get("pageSize"); v != "" {
		if size, err = strconv.Atoi(v); err != nil || size < 1 || size > 100 {
			s.errorBody(w, http.StatusBadRequest, "InvalidParam", "pageSize must be 1..100")
			return
		}
	}
	if v := q.Get("orderBy"); v != "" && v != "modified_date" {
		s.errorBody(w, http.StatusBadRequest, "InvalidParam", "orderBy must be modified_date")
		return
	}
	if v := q.Get("isDescending"); v != "" {
		if desc, err = strconv.ParseBool(v); err != nil {
			s.errorBody(w, http.StatusBadRequest, "InvalidParam", "isDescending must be true or false")
			return
		}
	}
	if s.opts.OneBased {
		page = max(page-1, 0)
	}
	return page * size, size, desc, true
}

func (s *Server) list(w http.ResponseWriter, r *http.Request, entity string) {
	start, size, desc, ok := s.paging(w, r)
	if !ok {
		return
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	if s.opts.FailPage != nil {
		if st := s.opts.FailPage(entity, page); st != 0 {
			s.errorBody(w, st, "Exception", "simulated failure of this page")
			return
		}
	}
	if s.opts.OnList != nil {
		s.opts.OnList(entity, page)
	}
	s.mu.Lock()
	view := s.ents[entity].view()
	var rows [][]byte
	for i := 0; i < size; i++ {
		j := start + i
		if !desc {
			j = len(view) - 1 - j
		}
		if j < 0 || j >= len(view) {
			break
		}
		rows = append(rows, view[j].json(s.opts.NoJSONCache))
	}
	if s.opts.Hostile && entity == Customers && len(rows) > 0 && len(rows) < size {
		// A stale copy of the page's first record: the client must keep
		// the newest version.
		first := copyRecord(view[start].data)
		first["modified_date"] = Date(view[start].mod.Add(-time.Hour))
		first["rating"] = "bản cũ"
		stale, _ := json.Marshal(first)
		rows = append(rows, stale)
	}
	s.mu.Unlock()
	writePage(w, rows, "")
}

func writePage(w http.ResponseWriter, rows [][]byte, extra string) {
	n := 64 + len(extra)
	for _, r := range rows {
		n += len(r) + 1
	}
	b := make([]byte, 0, n)
	if extra != "" {
		b = append(b, `{"success":false,"code":0,`...)
		b = append(b, extra...)
		b = append(b, `,"data":[`...)
	} else {
		b = append(b, `{"success":true,"code":"","data":[`...)
	}
	for i, r := range rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, r...)
	}
	b = append(b, "]}"...)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// stockList serves /Stocks: every warehouse, no paging.
func (s *Server) stockList(w http.ResponseWriter, r *http.Request) {
	if len(r.URL.Query()) > 0 {
		s.errorBody(w, http.StatusBadRequest, "InvalidParam", "/Stocks takes no parameters")
		return
	}
	s.mu.Lock()
	rows := make([][]byte, len(s.stocks))
	for i, x := range s.stocks {
		rows[i] = x.json(s.opts.NoJSONCache)
	}
	s.mu.Unlock()
	writePage(w, rows, "")
}

// productLedger serves the stock on hand of one warehouse (stockID =
// async_id), paged, with the success:false, code:0 quirk and totals.
func (s *Server) productLedger(w http.ResponseWriter, r *http.Request) {
	start, size, _, ok := s.paging(w, r, "stockID")
	if !ok {
		return
	}
	id := strings.ToUpper(r.URL.Query().Get("stockID"))
	s.mu.Lock()
	all, found := s.ledger[id]
	var rows [][]byte
	for i := start; i < start+size && i < len(all); i++ {
		rows = append(rows, all[i].json(s.opts.NoJSONCache))
	}
	s.mu.Unlock()
	if !found {
		s.errorBody(w, http.StatusBadRequest, "InvalidParam", "stockID is not a warehouse async_id")
		return
	}
	pages := (len(all) + size - 1) / size
	writePage(w, rows, fmt.Sprintf(`"total_pages":%d,"total_records":%d`, pages, len(all)))
}

// SetModified sets the modified_date of one record (an id of customers,
// sale_orders, contacts or products) to t, whatever the clock says: a
// record dated in the future, as a tenant with a wrong clock could send.
func (s *Server) SetModified(entity string, id int64, t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.ents[entity]
	st.byID[id].touch(t)
	st.sorted = nil
}
