package tiktoktest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Paths of the simulated finance endpoints. The statement transactions
// path carries the statement id: PathStatementTransactions is its pattern,
// StatementTransactionsPath(id) the path of one statement.
const (
	PathStatements            = "/finance/202309/statements"
	PathStatementTransactions = "/finance/202501/statements/{statement_id}/statement_transactions"
	PathWithdrawals           = "/finance/202309/withdrawals"
)

// callPath is the path a request is counted under by Calls: a statement's
// transactions path counts as PathStatementTransactions.
func callPath(p string) string {
	if strings.HasPrefix(p, "/finance/202501/statements/") {
		return PathStatementTransactions
	}
	return p
}

// StatementTransactionsPath is the statement transactions path of id.
func StatementTransactionsPath(id string) string {
	return "/finance/202501/statements/" + url.PathEscape(id) + "/statement_transactions"
}

// Finance lifecycle of the simulator (the contract's INFERRED defaults):
// an order settles SettleLagDays days (plus up to a day) after its
// delivery, or, when the delivery became known later (an Advance), at the
// finance clock of that Advance; its ORDER transaction goes into the
// statement of the next 00:00 UTC, which covers the UTC day before it and
// is visible from its statement_time. A statement's payment is PROCESSING
// until 1 to 4 days after its statement_time, then PAID, and its
// settlement is credited to the seller's balance then (a SETTLE
// withdrawal record). AdjustedShare of the settled orders get one more
// transaction 1 to 10 days after settlement, in a later statement: a
// shipping fee adjustment (negative), a platform compensation (positive)
// or the refund of a unit (an ORDER transaction with refund amounts). Every
// Wednesday 10:00 UTC an ads charge (GMV_PAYMENT_FOR_ADS, tied to no
// order) is taken, and every Monday 02:00 UTC the positive balance is
// withdrawn to the bank (WITHDRAW, a positive amount).
//
// The finance state follows the simulated clock as it was when the server
// started and at each Advance (not between them), so a test reads a fixed
// state between two Advances.
const (
	SettleLagDays = 7
	AdjustedShare = 0.15
)

const day = 86400

// Component is one amount of a transaction's breakdown: its group
// ("revenue", "shipping_cost", "shipping_cost.supplementary_component",
// "fee", "tax", "supplementary"), code (the breakdown's key) and amount in
// đồng.
type Component struct {
	Group, Code string
	Amount      int64
}

// Transaction is one statement transaction (202501), its amounts in đồng.
// OrderID is set for ORDER transactions, AdjustmentID (and, when it
// relates to one, AdjustmentOrderID) for adjustments.
type Transaction struct {
	ID, Type                                      string
	OrderID, AdjustmentID, AdjustmentOrderID      string
	OrderCreateTime                               int64
	Settlement, Revenue, Shipping, FeeTax, Adjust int64
	Components                                    []Component
}

// RelatedOrder is the order the transaction's money belongs to (the order,
// or the adjusted order; "" for neither).
func (t Transaction) RelatedOrder() string {
	if t.OrderID != "" {
		return t.OrderID
	}
	return t.AdjustmentOrderID
}

// Statement is one daily statement and its transactions. Amounts are in
// đồng; Fee includes shipping costs (the VN reading of the contract).
type Statement struct {
	ID            string
	Time          int64
	PaymentID     string
	PaymentStatus string
	// PaidAt is when the payment becomes PAID.
	PaidAt                               int64
	Settlement, Revenue, Fee, Adjustment int64
	Transactions                         []Transaction
}

// Withdrawal is one record of GET /finance/202309/withdrawals.
type Withdrawal struct {
	ID, Type, Status string
	Amount           int64
	CreateTime       int64
}

// FinanceLies bend the finance answers; the zero value tells none.
type FinanceLies struct {
	// OmitStatement is the id of a statement the statements list leaves
	// out of the page that should carry it.
	OmitStatement string
	// StuckToken: the statements list answers a request with a page token
	// with that same token as next_page_token.
	StuckToken bool
	// BadAmount is the id of a statement or transaction whose
	// settlement_amount is served as text that is not a decimal.
	BadAmount string
	// OmitTransaction is the id of a transaction its statement's pages
	// leave out while total_count still counts it.
	OmitTransaction string
}

// finOrder is the finance state of a delivered order.
type finOrder struct {
	settleAt, adjustAt int64
	adjustKind         int // 0 none, 1 shipping fee adjustment, 2 compensation, 3 refund of a unit
	settled, adjusted  bool
	// The unit a refund takes back (frozen at settlement).
	unitOrig, unitSD, unitPD int64
}

func (s *Server) finRand(id string, salt uint64) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(id))
	return rand.New(rand.NewPCG(uint64(s.opts.Seed)^h.Sum64(), salt))
}

func delivered(o *Order) bool {
	return o.DeliveryTime > 0 && (o.Status == "DELIVERED" || o.Status == "COMPLETED")
}

// nextMidnight is the statement time of money settled at t: the next 00:00
// UTC strictly after t.
func nextMidnight(t int64) int64 { return (t/day + 1) * day }

// SetFinanceLies changes the finance lies the server tells from now on.
func (s *Server) SetFinanceLies(l FinanceLies) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.FinanceLies = l
}

// finance moves the finance state to the clock now (Unix seconds). Called
// with s.mu held.
func (s *Server) finance(now int64) {
	if s.opts.NoFinance {
		s.statements, s.finClock = map[int64]*Statement{}, now
		return
	}
	prev := s.finClock
	first := s.fin == nil
	if first {
		s.fin = map[string]*finOrder{}
		s.statements = map[int64]*Statement{}
	}
	for _, o := range s.orders {
		if s.fin[o.ID] != nil || !delivered(o) {
			continue
		}
		r := s.finRand(o.ID, 1)
		f := &finOrder{settleAt: o.DeliveryTime + SettleLagDays*day + r.Int64N(day)}
		if !first {
			f.settleAt = max(f.settleAt, prev+1) // its delivery became known now
		}
		if r.Float64() < AdjustedShare {
			f.adjustKind = 1 + r.IntN(3)
			f.adjustAt = f.settleAt + int64(1+r.IntN(10))*day + r.Int64N(day)
		}
		s.fin[o.ID] = f
	}
	// Transactions, in time order.
	type event struct {
		at   int64
		kind int // 0 settlement, 1 adjustment, 2 ads charge
		id   string
	}
	var evs []event
	for id, f := range s.fin {
		if !f.settled && f.settleAt <= now {
			evs = append(evs, event{f.settleAt, 0, id})
		}
		if f.adjustKind > 0 && !f.adjusted && f.adjustAt <= now {
			evs = append(evs, event{f.adjustAt, 1, id})
		}
	}
	start := prev
	if first && len(s.orders) > 0 {
		start = s.orders[0].CreateTime
	}
	// Wednesdays 10:00 UTC (1970-01-01 was a Thursday: Wednesdays are 6 days on).
	for t := weekly(start, 6*day+10*3600); t <= now; t += 7 * day {
		evs = append(evs, event{t, 2, ""})
	}
	sort.Slice(evs, func(i, j int) bool {
		a, b := evs[i], evs[j]
		if a.at != b.at {
			return a.at < b.at
		}
		if a.kind != b.kind {
			return a.kind < b.kind
		}
		return a.id < b.id
	})
	for _, e := range evs {
		switch e.kind {
		case 0:
			s.settleOrder(s.byID[e.id], s.fin[e.id], e.at)
		case 1:
			s.adjustOrder(s.byID[e.id], s.fin[e.id], e.at)
		case 2:
			r := s.finRand(strconv.FormatInt(e.at, 10), 4)
			amt := -int64(50000 + 10000*r.IntN(16))
			s.addTxn(e.at, Transaction{Type: "GMV_PAYMENT_FOR_ADS", AdjustmentID: s.newID(), Settlement: amt, Adjust: amt})
		}
	}
	// Payments and withdrawals, in time order.
	type money struct {
		at int64
		st *Statement // nil: the Monday withdrawal
	}
	var ms []money
	for _, st := range s.statements {
		if st.Time <= now && st.PaymentStatus != "PAID" && st.PaidAt <= now {
			ms = append(ms, money{st.PaidAt, st})
		}
	}
	// Mondays 02:00 UTC (4 days on from a Thursday).
	for t := weekly(start, 4*day+2*3600); t <= now; t += 7 * day {
		ms = append(ms, money{t, nil})
	}
	sort.Slice(ms, func(i, j int) bool {
		a, b := ms[i], ms[j]
		if a.at != b.at {
			return a.at < b.at
		}
		if (a.st == nil) != (b.st == nil) {
			return a.st != nil
		}
		return a.st != nil && a.st.Time < b.st.Time
	})
	for _, m := range ms {
		if m.st != nil {
			m.st.PaymentStatus = "PAID"
			s.balance += m.st.Settlement
			s.withdrawals = append(s.withdrawals, Withdrawal{ID: s.newID(), Type: "SETTLE", Status: "SUCCESS", Amount: m.st.Settlement, CreateTime: m.at})
			continue
		}
		if s.balance <= 0 {
			continue
		}
		s.withdrawals = append(s.withdrawals, Withdrawal{ID: s.newID(), Type: "WITHDRAW", Status: "SUCCESS", Amount: s.balance, CreateTime: m.at})
		s.balance = 0
	}
	s.finClock = now
}

// weekly is the first time at or after from that is off seconds past a
// multiple of a week (Unix time), but never before from.
func weekly(from, off int64) int64 {
	const week = 7 * day
	k := (from - off + week - 1) / week
	if t := off + k*week; t >= from {
		return t
	}
	return off + (k+1)*week
}

// newID mints a transaction, adjustment or withdrawal id. Called with s.mu
// held.
func (s *Server) newID() string {
	s.finSeq++
	return strconv.FormatInt(7_300_000_000_000_000_000+s.opts.Seed%1000*1_000_000_000_000+s.finSeq, 10)
}

// statementAt returns the statement of statement time t, created when
// missing. Called with s.mu held.
func (s *Server) statementAt(t int64) *Statement {
	st := s.statements[t]
	if st == nil {
		r := s.finRand(strconv.FormatInt(t, 10), 5)
		dayNo := t / day
		st = &Statement{ID: strconv.FormatInt(7_200_000_000_000_000_000+s.opts.Seed%1000*1_000_000_000+dayNo, 10), Time: t,
			PaymentID:     strconv.FormatInt(7_250_000_000_000_000_000+s.opts.Seed%1000*1_000_000_000+dayNo, 10),
			PaymentStatus: "PROCESSING", PaidAt: t + int64(1+r.IntN(4))*day + r.Int64N(6*3600)}
		s.statements[t] = st
	}
	return st
}

// addTxn puts a transaction of time at into its statement. Called with
// s.mu held.
func (s *Server) addTxn(at int64, t Transaction) {
	if t.ID == "" {
		t.ID = s.newID()
	}
	st := s.statementAt(nextMidnight(at))
	st.Transactions = append(st.Transactions, t)
	st.Settlement += t.Settlement
	st.Revenue += t.Revenue
	st.Fee += t.Shipping + t.FeeTax
	st.Adjustment += t.Adjust
}

func pct(v, percent, per int64) int64 { return (v*percent + per/2) / per }

func amount(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// settleOrder adds an order's ORDER transaction from its current line
// items and payment. Called with s.mu held.
func (s *Server) settleOrder(o *Order, f *finOrder, at int64) {
	f.settled = true
	r := s.finRand(o.ID, 3)
	var orig, sd, pd int64
	for _, it := range o.LineItems {
		orig += amount(it.OriginalPrice)
		sd += amount(it.SellerDiscount)
		pd += amount(it.PlatformDiscount)
	}
	if n := len(o.LineItems); n > 0 {
		it := o.LineItems[n-1]
		f.unitOrig, f.unitSD, f.unitPD = amount(it.OriginalPrice), amount(it.SellerDiscount), amount(it.PlatformDiscount)
	}
	p := o.Payment
	actual, buyerShip, platShip, sellerShip := amount(p.OriginalShippingFee), amount(p.ShippingFee), amount(p.ShippingFeePlatformDiscount),
		amount(p.ShippingFeeSellerDiscount)
	revenue := orig - sd
	buyerTotal := orig - sd - pd + buyerShip
	t := Transaction{Type: "ORDER", OrderID: o.ID, OrderCreateTime: o.CreateTime}
	add := func(group, code string, v int64) { t.Components = append(t.Components, Component{group, code, v}) }
	add("revenue", "subtotal_before_discount_amount", orig)
	add("revenue", "seller_discount_amount", -sd)
	add("shipping_cost", "actual_shipping_fee_amount", -actual)
	add("shipping_cost", "customer_paid_shipping_fee_amount", buyerShip)
	add("shipping_cost", "shipping_fee_discount_amount", platShip)
	add("shipping_cost.supplementary_component", "platform_shipping_fee_discount_amount", platShip)
	add("shipping_cost.supplementary_component", "seller_shipping_fee_discount_amount", -sellerShip)
	add("fee", "platform_commission_amount", -pct(revenue, 4, 100))
	add("fee", "transaction_fee_amount", -pct(buyerTotal, 2, 100))
	add("fee", "vn_fix_infrastructure_fee", -3000)
	if r.IntN(7) == 0 {
		add("fee", "affiliate_commission_amount", -pct(revenue, 5, 100))
	}
	if r.IntN(3) == 0 {
		add("fee", "sfp_service_fee_amount", -pct(revenue, 3, 100))
	}
	if r.IntN(5) == 0 {
		add("fee", "voucher_xtra_service_fee_amount", -pct(revenue, 2, 100))
	}
	if r.IntN(10) == 0 {
		add("fee", "campaign_resource_fee", -1000) // a code the SDK does not know
	}
	if s.opts.Seed%2 == 1 { // a household seller: VAT and PIT withheld
		add("tax", "vat_amount", -pct(revenue, 1, 100))
		add("tax", "pit_amount", -pct(revenue, 5, 1000))
	}
	add("supplementary", "customer_payment_amount", buyerTotal)
	add("supplementary", "customer_refund_amount", 0)
	add("supplementary", "platform_discount_amount", pd)
	add("supplementary", "platform_discount_refund_amount", 0)
	s.total(&t)
	s.addTxn(at, t)
}

// total sets a transaction's amounts from its components: revenue,
// shipping (the direct keys of the shipping breakdown) and fee_tax (fee
// and tax) add up to the settlement; the supplementary amounts do not.
func (s *Server) total(t *Transaction) {
	for _, c := range t.Components {
		switch c.Group {
		case "revenue":
			t.Revenue += c.Amount
		case "shipping_cost":
			t.Shipping += c.Amount
		case "fee", "tax":
			t.FeeTax += c.Amount
		}
	}
	t.Settlement = t.Revenue + t.Shipping + t.FeeTax + t.Adjust
}

// adjustOrder adds an order's later transaction. Called with s.mu held.
func (s *Server) adjustOrder(o *Order, f *finOrder, at int64) {
	f.adjusted = true
	r := s.finRand(o.ID, 2)
	switch f.adjustKind {
	case 1:
		amt := -int64(2000 + 1000*r.IntN(10))
		s.addTxn(at, Transaction{Type: "SHIPPING_FEE_ADJUSTMENT", AdjustmentID: s.newID(), AdjustmentOrderID: o.ID, Settlement: amt, Adjust: amt})
	case 2:
		amt := int64(5000 + 1000*r.IntN(20))
		s.addTxn(at, Transaction{Type: "PLATFORM_COMPENSATION", AdjustmentID: s.newID(), AdjustmentOrderID: o.ID, Settlement: amt, Adjust: amt})
	default:
		// The buyer returned a unit after settlement: a second ORDER
		// transaction takes its revenue back and returns its fees.
		back := f.unitOrig - f.unitSD
		paid := back - f.unitPD
		t := Transaction{Type: "ORDER", OrderID: o.ID, OrderCreateTime: o.CreateTime}
		add := func(group, code string, v int64) { t.Components = append(t.Components, Component{group, code, v}) }
		add("revenue", "refund_subtotal_before_discount_amount", -f.unitOrig)
		add("revenue", "seller_discount_refund_amount", f.unitSD)
		add("fee", "platform_commission_amount", pct(back, 4, 100))
		add("fee", "transaction_fee_amount", pct(paid, 2, 100))
		add("supplementary", "customer_payment_amount", 0)
		add("supplementary", "customer_refund_amount", -paid)
		add("supplementary", "platform_discount_amount", 0)
		add("supplementary", "platform_discount_refund_amount", -f.unitPD)
		s.total(&t)
		s.addTxn(at, t)
	}
}

// Statements returns the statements issued so far (statement_time at or
// before the finance clock), oldest first, with their transactions: the
// simulator's own figures, deep copies.
func (s *Server) Statements() []Statement {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Statement
	for _, st := range s.visibleStatements() {
		c := *st
		c.Transactions = make([]Transaction, len(st.Transactions))
		for i, t := range st.Transactions {
			t.Components = append([]Component(nil), t.Components...)
			c.Transactions[i] = t
		}
		out = append(out, c)
	}
	return out
}

// visibleStatements are the issued statements by time. Called with s.mu
// held.
func (s *Server) visibleStatements() []*Statement {
	var out []*Statement
	for _, st := range s.statements {
		if st.Time <= s.finClock {
			out = append(out, st)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Time < out[j].Time })
	return out
}

// Withdrawals returns the withdrawal records so far, oldest first.
func (s *Server) Withdrawals() []Withdrawal {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Withdrawal(nil), s.withdrawals...)
}

// Balance returns the seller's balance: settlements paid minus
// withdrawals.
func (s *Server) Balance() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.balance
}

// NetSettlement returns, per order, the sum in đồng of the settlement
// amounts of every issued transaction whose money belongs to it (its ORDER
// transactions and the adjustments naming it), from the simulator's own
// ledger.
func (s *Server) NetSettlement() map[string]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int64{}
	for _, st := range s.visibleStatements() {
		for _, t := range st.Transactions {
			if id := t.RelatedOrder(); id != "" {
				out[id] += t.Settlement
			}
		}
	}
	return out
}

// FinanceClock returns the time (Unix seconds) the finance state was last
// moved to.
func (s *Server) FinanceClock() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.finClock
}

// ---- the endpoints

// finToken mints a page token for offset within the query key: opaque
// base64 (with "+", "/" and "=") that carries the offset and a tag of the
// query, so a token is refused by any other query. Tokens do not expire
// and can be used again (the finance lists are stable between Advances).
func (s *Server) finToken(key string, offset int) string {
	buf := []byte{0xfb, 0xff, 0xbf}
	buf = binary.BigEndian.AppendUint32(buf, uint32(offset))
	buf = append(buf, s.finTag(key, offset)...)
	return base64.StdEncoding.EncodeToString(buf)
}

func (s *Server) finTag(key string, offset int) []byte {
	m := hmac.New(sha256.New, []byte(s.opts.AppSecret))
	fmt.Fprintf(m, "%s|%d", key, offset)
	return m.Sum(nil)[:9] // 16 bytes in all: ends in "=="
}

// pageOf reads the page_size (1..100, default 20) and page_token (an
// offset of this query) parameters.
func (s *Server) pageOf(q url.Values, key string) (size, offset int, e *apiErr) {
	size = 20
	if v, ok := q["page_size"]; ok {
		n, err := strconv.Atoi(v[0])
		if err != nil || n < 1 || n > 100 {
			return 0, 0, invalid("page_size must be 1..100")
		}
		size = n
	}
	tok := q.Get("page_token")
	if tok == "" {
		return size, 0, nil
	}
	b, err := base64.StdEncoding.DecodeString(tok)
	if err != nil || len(b) != 16 || b[0] != 0xfb {
		return 0, 0, invalid("page_token is invalid")
	}
	off := int(binary.BigEndian.Uint32(b[3:7]))
	if !hmac.Equal(b[7:], s.finTag(key, off)) {
		return 0, 0, invalid("page_token does not belong to this query")
	}
	return size, off, nil
}

// queryKey is the part of a query a page token belongs to: every
// parameter but the common ones and the token.
func queryKey(path string, q url.Values) string {
	var parts []string
	for k, v := range q {
		switch k {
		case "app_key", "timestamp", "sign", "shop_cipher", "page_token", "access_token":
			continue
		}
		parts = append(parts, k+"="+strings.Join(v, ","))
	}
	sort.Strings(parts)
	return path + "?" + strings.Join(parts, "&")
}

// timeParam reads an optional Unix-seconds parameter.
func timeParam(q url.Values, name string, def int64) (int64, *apiErr) {
	v, ok := q[name]
	if !ok {
		return def, nil
	}
	n, err := strconv.ParseInt(v[0], 10, 64)
	if err != nil || n < 0 {
		return 0, invalid(name + " must be a Unix time in seconds")
	}
	return n, nil
}

func str(v int64) string { return strconv.FormatInt(v, 10) }

// statementsList serves GET /finance/202309/statements: sort_field
// (required, statement_time only), sort_order ASC (default) or DESC,
// statement_time_ge (inclusive) and statement_time_lt (exclusive;
// default the finance clock + 1, i.e. now), payment_status, page_size
// 1..100 (default 20), page_token.
func (s *Server) statementsList(r *http.Request, _ []byte) (any, *apiErr) {
	q := r.URL.Query()
	if q.Get("sort_field") != "statement_time" {
		return nil, invalid("sort_field is required and must be statement_time")
	}
	order := q.Get("sort_order")
	if order == "" {
		order = "ASC"
	}
	if order != "ASC" && order != "DESC" {
		return nil, invalid("sort_order must be ASC or DESC")
	}
	status := q.Get("payment_status")
	if _, ok := q["payment_status"]; ok && status != "PAID" && status != "FAILED" && status != "PROCESSING" {
		return nil, invalid("payment_status must be PAID, FAILED or PROCESSING")
	}
	ge, e := timeParam(q, "statement_time_ge", 0)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	lt, e := timeParam(q, "statement_time_lt", s.finClock+1)
	if e != nil {
		return nil, e
	}
	if ge > lt {
		return nil, invalid("statement_time_ge must not be after statement_time_lt")
	}
	key := queryKey(PathStatements, q)
	size, off, e := s.pageOf(q, key)
	if e != nil {
		return nil, e
	}
	var match []*Statement
	for _, st := range s.visibleStatements() {
		if st.Time >= ge && st.Time < lt && (status == "" || st.PaymentStatus == status) {
			match = append(match, st)
		}
	}
	if order == "DESC" {
		for i, j := 0, len(match)-1; i < j; i, j = i+1, j-1 {
			match[i], match[j] = match[j], match[i]
		}
	}
	off = min(off, len(match))
	end := min(off+size, len(match))
	list := []map[string]any{}
	for _, st := range match[off:end] {
		if st.ID == s.opts.FinanceLies.OmitStatement {
			s.bent["omit_statement"]++
			continue
		}
		settle := str(st.Settlement)
		if st.ID == s.opts.FinanceLies.BadAmount {
			settle = "12,5"
		}
		list = append(list, map[string]any{"id": st.ID, "statement_time": st.Time, "currency": "VND", "settlement_amount": settle,
			"revenue_amount": str(st.Revenue), "fee_amount": str(st.Fee), "adjustment_amount": str(st.Adjustment),
			"net_sales_amount": "", "shipping_cost_amount": "", "payment_status": st.PaymentStatus, "payment_id": st.PaymentID})
	}
	next := ""
	if end < len(match) {
		next = s.finToken(key, end)
	}
	if tok := q.Get("page_token"); tok != "" && s.opts.FinanceLies.StuckToken {
		next = tok
	}
	return map[string]any{"next_page_token": next, "statements": list}, nil
}

// statementTransactions serves GET
// /finance/202501/statements/{statement_id}/statement_transactions:
// sort_field (required, order_create_time only), sort_order ASC (default)
// or DESC, page_size 1..100 (default 20), page_token. Transactions are
// sorted by order_create_time (0 for adjustments), then id.
func (s *Server) statementTransactions(r *http.Request, _ []byte) (any, *apiErr) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/finance/202501/statements/")
	id, ok2 := strings.CutSuffix(rest, "/statement_transactions")
	if !ok || !ok2 || id == "" || strings.Contains(id, "/") {
		return nil, &apiErr{http.StatusNotFound, 36009009, "Invalid path"}
	}
	q := r.URL.Query()
	if q.Get("sort_field") != "order_create_time" {
		return nil, invalid("sort_field is required and must be order_create_time")
	}
	order := q.Get("sort_order")
	if order == "" {
		order = "ASC"
	}
	if order != "ASC" && order != "DESC" {
		return nil, invalid("sort_order must be ASC or DESC")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var st *Statement
	for _, x := range s.visibleStatements() {
		if x.ID == id {
			st = x
		}
	}
	if st == nil {
		return nil, invalid("statement_id is invalid")
	}
	key := queryKey(r.URL.Path, q)
	size, off, e := s.pageOf(q, key)
	if e != nil {
		return nil, e
	}
	txns := append([]Transaction(nil), st.Transactions...)
	sort.Slice(txns, func(i, j int) bool {
		a, b := txns[i], txns[j]
		if a.OrderCreateTime != b.OrderCreateTime {
			return (a.OrderCreateTime < b.OrderCreateTime) == (order == "ASC")
		}
		return (a.ID < b.ID) == (order == "ASC")
	})
	off = min(off, len(txns))
	end := min(off+size, len(txns))
	list := []map[string]any{}
	for _, t := range txns[off:end] {
		if t.ID == s.opts.FinanceLies.OmitTransaction {
			s.bent["omit_transaction"]++
			continue
		}
		list = append(list, s.renderTxn(t))
	}
	next := ""
	if end < len(txns) {
		next = s.finToken(key, end)
	}
	return map[string]any{"id": st.ID, "create_time": st.Time, "status": "SETTLED", "currency": "VND",
		"total_settlement_amount": str(st.Settlement), "total_reserve_amount": "0", "payable_amount": str(st.Settlement),
		"total_settlement_breakdown": map[string]string{"total_revenue_amount": str(st.Revenue), "total_shipping_cost_amount": str(shippingOf(st)),
			"total_fee_tax_amount": str(st.Fee - shippingOf(st)), "total_adjustment_amount": str(st.Adjustment)},
		"total_count": len(txns), "next_page_token": next, "transactions": list}, nil
}

func shippingOf(st *Statement) int64 {
	var n int64
	for _, t := range st.Transactions {
		n += t.Shipping
	}
	return n
}

// renderTxn is a transaction as the 202501 API serves it. Called with
// s.mu held.
func (s *Server) renderTxn(t Transaction) map[string]any {
	m := map[string]any{"id": t.ID, "type": t.Type, "settlement_amount": str(t.Settlement), "revenue_amount": str(t.Revenue),
		"shipping_cost_amount": str(t.Shipping), "fee_tax_amount": str(t.FeeTax), "adjustment_amount": str(t.Adjust)}
	if t.ID == s.opts.FinanceLies.BadAmount {
		m["settlement_amount"] = "12,5"
	}
	if t.OrderID != "" {
		m["order_id"], m["order_create_time"] = t.OrderID, t.OrderCreateTime
	}
	if t.AdjustmentID != "" {
		m["adjustment_id"] = t.AdjustmentID
		if t.AdjustmentOrderID != "" {
			m["adjustment_order_id"] = t.AdjustmentOrderID
		}
	}
	if len(t.Components) == 0 {
		return m
	}
	obj := func(path ...string) map[string]any {
		cur := m
		for _, p := range path {
			next, ok := cur[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				cur[p] = next
			}
			cur = next
		}
		return cur
	}
	for _, c := range t.Components {
		var o map[string]any
		switch c.Group {
		case "revenue":
			o = obj("revenue_breakdown")
		case "shipping_cost":
			o = obj("shipping_cost_breakdown")
		case "shipping_cost.supplementary_component":
			o = obj("shipping_cost_breakdown", "supplementary_component")
		case "fee", "tax":
			o = obj("fee_tax_breakdown", c.Group)
		case "supplementary":
			o = obj("supplementary_component")
		}
		o[c.Code] = str(c.Amount)
	}
	return m
}

var withdrawalTypes = map[string]bool{"WITHDRAW": true, "SETTLE": true, "TRANSFER": true, "REVERSE": true}

// withdrawalsList serves GET /finance/202309/withdrawals: types (required,
// comma-separated WITHDRAW, SETTLE, TRANSFER, REVERSE), create_time_ge,
// create_time_lt, page_size 1..100 (default 20), page_token; records by
// create_time, then id (the order is not documented).
func (s *Server) withdrawalsList(r *http.Request, _ []byte) (any, *apiErr) {
	q := r.URL.Query()
	types := map[string]bool{}
	for _, t := range strings.Split(q.Get("types"), ",") {
		if !withdrawalTypes[t] {
			return nil, invalid("types is required: WITHDRAW, SETTLE, TRANSFER, REVERSE")
		}
		types[t] = true
	}
	ge, e := timeParam(q, "create_time_ge", 0)
	if e != nil {
		return nil, e
	}
	lt, e := timeParam(q, "create_time_lt", 1<<62)
	if e != nil {
		return nil, e
	}
	if ge > lt {
		return nil, invalid("create_time_ge must not be after create_time_lt")
	}
	key := queryKey(PathWithdrawals, q)
	size, off, e := s.pageOf(q, key)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var match []Withdrawal
	for _, w := range s.withdrawals {
		if types[w.Type] && w.CreateTime >= ge && w.CreateTime < lt {
			match = append(match, w)
		}
	}
	off = min(off, len(match))
	end := min(off+size, len(match))
	list := []map[string]any{}
	for _, w := range match[off:end] {
		list = append(list, map[string]any{"id": w.ID, "type": w.Type, "amount": str(w.Amount), "currency": "VND", "status": w.Status,
			"create_time": w.CreateTime})
	}
	next := ""
	if end < len(match) {
		next = s.finToken(key, end)
	}
	return map[string]any{"next_page_token": next, "total_count": len(match), "withdrawals": list}, nil
}
