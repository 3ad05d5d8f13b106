package lazadatest

import (
	"container/heap"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Paths of the simulated finance endpoints (contract §7).
const (
	PathTransactions = "/finance/transaction/details/get"
	PathPayoutStatus = "/finance/payout/status/get"
)

// Limits of /finance/transaction/details/get the simulator enforces: at
// most MaxTransactionLimit rows a page, end_time - start_time under
// MaxTransactionRangeDays days (code 1000012), an offset at most
// Options.OffsetCap (code 14, as /orders/get: the contract gives the
// finance endpoint no cap of its own), a known trans_type (1000014).
const (
	MaxTransactionLimit     = 500
	MaxTransactionRangeDays = 180
	// DefaultTransactionLimit is the page size when limit is not sent.
	DefaultTransactionLimit = 100
)

// ShortCode is the simulated seller's short code: the prefix of its
// transaction and statement numbers.
const ShortCode = "VN1SIMLZ"

// Finance lifecycle of the simulator (the contract is silent; these are
// its readings, see docs/lazada-finance.md): an order item is settled
// SettleLagMin to SettleLagMax days after it is first seen delivered
// (its item price credit, commission, payment fee, program fee, seller
// voucher charge and shipping rows, dated that day, "Not paid"); an item
// returned after that is reversed (item price, commission and voucher
// charge) on the day of the return; AdjustedShare of the settled orders
// get one adjustment 3 to 20 days after settlement (a wrong-weight
// charge, a lost-or-damaged compensation, or another adjustment). A
// sponsored-products fee without an order is charged on the 1st of every
// month. Statements cover Monday to Sunday (Vietnam time); a week's
// statement is created the Thursday after it ends (00:23:04) and paid the
// Monday after that (10:00): its rows become "Paid".
const (
	SettleLagMin  = 1
	SettleLagMax  = 5
	AdjustedShare = 0.12
)

// FeeKind is the simulator's own label of a transaction row: what it
// created the row for. It is not sent; tests compare it with the
// client's reading of fee_type.
type FeeKind string

// Fee kinds.
const (
	KindItem          FeeKind = "item_price"
	KindCommission    FeeKind = "commission"
	KindService       FeeKind = "service"
	KindTransaction   FeeKind = "transaction"
	KindShipping      FeeKind = "shipping"
	KindVoucherSeller FeeKind = "voucher_seller"
	KindAdjustment    FeeKind = "adjustment"
	KindOther         FeeKind = "other"
)

// fee is one fee type of the platform's enum: transaction_type (its
// category), fee_name, fee_type.
type fee struct {
	typ, name string
	id        int
	kind      FeeKind
}

var (
	feeItemPrice      = fee{"Orders-Sales", "Item Price Credit", 13, KindItem}
	feeCommission     = fee{"Orders-Lazada Fees", "Commission", 16, KindCommission}
	feePayment        = fee{"Orders-Lazada Fees", "Payment Fee", 3, KindTransaction}
	feeFreeShipMax    = fee{"Orders-Marketing Fees", "Free Shipping Max Fee", 298, KindService}
	feeVoucher        = fee{"Orders-Marketing Fees", "Promotional Charges Vouchers", 118, KindVoucherSeller}
	feeShipCustomer   = fee{"Orders-Logistics", "Shipping Fee (Paid By Customer)", 8, KindShipping}
	feeShipSeller     = fee{"Orders-Logistics", "Shipping Fee Paid by Seller", 7, KindShipping}
	feeShipSubsidy    = fee{"Orders-Logistics", "Shipping Fee Subsidy by Lazada", 500, KindShipping}
	feeRevItemPrice   = fee{"Refunds-Sales", "Reversal Item Price", 14, KindAdjustment}
	feeRevCommission  = fee{"Refunds-Lazada Fees", "Reversal Commission", 15, KindAdjustment}
	feeRevVoucher     = fee{"Refunds-Marketing Fees", "Reversal Promotional Charges Vouchers", 121, KindAdjustment}
	feeWrongWeight    = fee{"Orders-Logistics", "Wrong Weight Adjustment", 1027, KindAdjustment}
	feeLostDamaged    = fee{"Orders-Claims", "Lost Or Damaged - Sales Order Item", 48, KindAdjustment}
	feeAdjustOthers   = fee{"Refunds-Lazada Fees", "Adjustments Others", 104, KindAdjustment}
	feeSponsoredProds = fee{"Other Services-Lazada Fees", "Sponsored Product Fee", 112, KindOther}
)

// knownFeeTypes are the trans_type values the simulator accepts (its own
// fee types and a few more of the enum); others answer 1000014.
var knownFeeTypes = map[int]bool{4: true, 20: true, 21: true, 28: true, 47: true, 59: true, 61: true, 65: true, 66: true, 85: true,
	117: true, 119: true, 142: true, 143: true, 202: true, 209: true, 211: true, 306: true, 501: true, 502: true}

func init() {
	for _, f := range []fee{feeItemPrice, feeCommission, feePayment, feeFreeShipMax, feeVoucher, feeShipCustomer, feeShipSeller,
		feeShipSubsidy, feeRevItemPrice, feeRevCommission, feeRevVoucher, feeWrongWeight, feeLostDamaged, feeAdjustOthers, feeSponsoredProds} {
		knownFeeTypes[f.id] = true
	}
}

// Transaction is one row of the seller's transaction ledger, as
// /finance/transaction/details/get serves it.
type Transaction struct {
	// Seq is the row's position in the ledger (the answer's order within
	// a date).
	Seq    int
	Number string // transaction_number ("" with OmitTransactionNumbers)
	// Date is the transaction date (YYYY-MM-DD, Vietnam time); At the
	// event's time (not sent).
	Date string
	At   int64
	// Type, FeeName and FeeType are transaction_type, fee_name, fee_type.
	Type, FeeName string
	FeeType       int
	// Kind is the simulator's label (not sent).
	Kind FeeKind
	// Amount is signed whole VND (negative: charged to the seller);
	// VATInAmount the VAT in it (2 decimals).
	Amount, VATCents int64
	// Statement is the period text ("30 Nov 2026 - 6 Dec 2026");
	// PeriodEnd the period's last day (YYYY-MM-DD).
	Statement, PeriodEnd string
	Paid                 bool
	PaymentRefID         string
	// OrderID and OrderItemID are 0 for a row without an order.
	OrderID, OrderItemID                               int64
	ItemStatus, SellerSKU, LazadaSKU, ShippingProvider string
	ShippingSpeed, ShipmentType, Comment, Details      string
}

// VATInAmount is the VAT in the amount as the answer sends it.
func (t Transaction) VATInAmount() string {
	return fmt.Sprintf("%d.%02d", t.VATCents/100, t.VATCents%100)
}

// Statement is one weekly statement as /finance/payout/status/get serves
// it. Money is whole VND.
type Statement struct {
	Number                 string
	PeriodStart, PeriodEnd string // YYYY-MM-DD
	CreatedAt, UpdatedAt   int64
	Paid                   bool
	PaidAt                 int64
	Opening, Closing, ItemRevenue, OtherRevenue, FeesTotal, Subtotal1,
	Refunds, FeesOnRefunds, Subtotal2, ShipmentFee, ShipmentFeeCredit, GuaranteeDeposit, Payout int64
}

// NetPayout is the simulator's own account of one order's money: the
// sums of its transaction rows by the kind the simulator created them
// for (amounts signed as sent), computed from its ledger, never from an
// answer.
type NetPayout struct {
	OrderID int64
	ByKind  map[FeeKind]int64
	Net     int64
	// Paid: every row of the order is paid; PaidAt is then the latest
	// payment time of their statements.
	Paid   bool
	PaidAt int64
}

// finItem is the finance state of one order item, from when it was first
// seen delivered (or returned).
type finItem struct {
	orderID, itemID                 int64
	price, paidPrice, vseller, ship int64
	shipOriginal, shipFee           int64
	sellerSKU, lazadaSKU, provider  string
	speed                           string
	settleAt, returnAt              int64
	settled, reverse                bool
	commission                      int64
}

type finOrder struct {
	lag       int64
	program   bool  // in the free-shipping programme (its fee)
	surcharge int64 // the carrier's weight surcharge
	adjustAt  int64
	adjustKnd int
	items     []*finItem
}

// Event kinds, in the order they apply at the same time.
const (
	evSettle = iota
	evReverse
	evAdjust
	evMonthly
	evCreate
	evPay
)

type finEvent struct {
	at       int64
	kind     int
	oid, iid int64
	week     int
}

type eventHeap []finEvent

func (h eventHeap) Len() int { return len(h) }
func (h eventHeap) Less(i, j int) bool {
	a, b := h[i], h[j]
	if a.at != b.at {
		return a.at < b.at
	}
	if a.kind != b.kind {
		return a.kind < b.kind
	}
	if a.oid != b.oid {
		return a.oid < b.oid
	}
	if a.iid != b.iid {
		return a.iid < b.iid
	}
	return a.week < b.week
}
func (h eventHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *eventHeap) Push(x any)   { *h = append(*h, x.(finEvent)) }
func (h *eventHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// finance is the simulator's finance state.
type finance struct {
	t         int64 // events applied up to here
	scan      bool  // orders changed since the last scan
	origin    int64 // Monday 00:00 (Vietnam) of the history's first week
	nextWeek  int   // the next week whose statement is not created
	nextMonth int   // months since origin's month of the next sponsored fee
	orders    map[int64]*finOrder
	items     map[int64]*finItem
	pending   eventHeap
	ledger    []*Transaction
	stmts     []*Statement // by week
	numbers   map[string]bool
}

const day = 86400

func newFinance(start int64) *finance {
	d := time.Unix(start, 0).In(vn)
	mid := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, vn)
	monday := mid.AddDate(0, 0, -((int(mid.Weekday()) + 6) % 7))
	return &finance{scan: true, origin: monday.Unix(), orders: map[int64]*finOrder{}, items: map[int64]*finItem{}, numbers: map[string]bool{}}
}

// week w's period: Monday 00:00 to Sunday (Vietnam time), its statement's
// creation (the Thursday after, 00:23:04) and payment (the Monday after
// that, 10:00).
func (f *finance) weekStart(w int) int64 { return f.origin + int64(w)*7*day }
func (f *finance) createAt(w int) int64  { return f.weekStart(w) + 10*day + 23*60 + 4 }
func (f *finance) payAt(w int) int64     { return f.weekStart(w) + 14*day + 10*3600 }
func (f *finance) weekOf(at int64) int   { return int((at - f.origin) / (7 * day)) }

func isoDate(at int64) string { return time.Unix(at, 0).In(vn).Format(time.DateOnly) }

// statementText is the statement field of a row dated in week w.
func (f *finance) statementText(w int) (text, end string) {
	s, e := time.Unix(f.weekStart(w), 0).In(vn), time.Unix(f.weekStart(w)+6*day, 0).In(vn)
	return s.Format("2 Jan 2006") + " - " + e.Format("2 Jan 2006"), e.Format(time.DateOnly)
}

func (s *Server) finRand(id int64, salt uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(s.opts.Seed)^uint64(id)*0x9e3779b97f4a7c15, salt))
}

// markFinance notes that orders changed (called with s.mu held).
func (s *Server) markFinance() { s.fin.scan = true }

// settleFinance moves the finance state to the simulated clock: it notes
// the items newly seen delivered or returned, then applies every event
// due (settlements, reversals, adjustments, monthly fees, statements
// created and paid) in time order. Called with s.mu held.
func (s *Server) settleFinance() {
	f := s.fin
	now := s.now().Unix()
	if f.scan {
		f.scan = false
		for _, o := range s.orders {
			s.noteOrder(o, f)
		}
	}
	for f.createAt(f.nextWeek) <= now {
		heap.Push(&f.pending, finEvent{at: f.createAt(f.nextWeek), kind: evCreate, week: f.nextWeek})
		f.nextWeek++
	}
	for {
		o := time.Unix(f.origin, 0).In(vn)
		at := time.Date(o.Year(), o.Month()+time.Month(f.nextMonth)+1, 1, 9, 0, 0, 0, vn).Unix()
		if at > now {
			break
		}
		heap.Push(&f.pending, finEvent{at: at, kind: evMonthly})
		f.nextMonth++
	}
	for f.pending.Len() > 0 && f.pending[0].at <= now {
		e := heap.Pop(&f.pending).(finEvent)
		s.apply(e)
	}
	f.t = max(f.t, now)
}

// noteOrder notes the order's items first seen delivered or returned and
// the returns of settled items.
func (s *Server) noteOrder(o *Order, f *finance) {
	fo := f.orders[o.ID]
	for _, it := range o.Items {
		fi := f.items[it.ID]
		if fi == nil {
			if it.Status != "delivered" && it.Status != "returned" {
				continue
			}
			if fo == nil {
				r := s.finRand(o.ID, 1)
				fo = &finOrder{lag: int64(SettleLagMin+r.IntN(SettleLagMax-SettleLagMin+1))*day + r.Int64N(day), program: r.IntN(10) < 3}
				if r.IntN(5) == 0 {
					fo.surcharge = 2000
				}
				if r.Float64() < AdjustedShare {
					fo.adjustKnd = 1 + r.IntN(3)
					fo.adjustAt = int64(3+r.IntN(18))*day + r.Int64N(day) // after the first settlement
				}
				f.orders[o.ID] = fo
			}
			noteAt := max(o.UpdatedAt, f.t)
			fi = &finItem{orderID: o.ID, itemID: it.ID, price: it.ItemPrice, paidPrice: it.PaidPrice, vseller: it.VoucherSeller,
				ship: it.ShippingAmount, shipOriginal: o.ShippingFeeOriginal, shipFee: o.ShippingFee, sellerSKU: it.SKU,
				lazadaSKU: it.ShopSKU, provider: it.ShipmentProvider, speed: it.ShippingProviderType, settleAt: noteAt + fo.lag}
			f.items[it.ID] = fi
			if len(fo.items) == 0 && fo.adjustKnd > 0 {
				fo.adjustAt += fi.settleAt
				heap.Push(&f.pending, finEvent{at: fo.adjustAt, kind: evAdjust, oid: o.ID})
			}
			fo.items = append(fo.items, fi)
			heap.Push(&f.pending, finEvent{at: fi.settleAt, kind: evSettle, oid: o.ID, iid: it.ID})
			if it.Status == "returned" {
				// Returned before the simulator saw it delivered: settled,
				// then reversed some days later.
				r := s.finRand(it.ID, 2)
				fi.returnAt = fi.settleAt + int64(2+r.IntN(7))*day + r.Int64N(day)
				heap.Push(&f.pending, finEvent{at: fi.returnAt, kind: evReverse, oid: o.ID, iid: it.ID})
			}
			continue
		}
		if it.Status == "returned" && fi.returnAt == 0 {
			fi.returnAt = max(max(o.UpdatedAt, f.t), fi.settleAt)
			heap.Push(&f.pending, finEvent{at: fi.returnAt, kind: evReverse, oid: o.ID, iid: it.ID})
		}
	}
}

// number is a transaction number: the short code and seven base-36
// characters, a pure function of the row's origin.
func (s *Server) number(parts ...int64) string {
	f := s.fin
	for salt := int64(0); ; salt++ {
		h := fnv.New64a()
		for _, p := range append(parts, s.opts.Seed, salt) {
			h.Write([]byte(strconv.FormatInt(p, 10) + "/"))
		}
		n := strings.ToUpper(strconv.FormatUint(h.Sum64()%78364164096, 36)) // 36^7
		n = ShortCode + "-" + strings.Repeat("0", 7-len(n)) + n
		if !f.numbers[n] {
			f.numbers[n] = true
			return n
		}
	}
}

// add appends a ledger row for fee fe of amount at time at.
func (s *Server) add(at int64, fe fee, amount int64, fi *finItem, status, comment string, origin int64) {
	f := s.fin
	if amount == 0 {
		return
	}
	text, end := f.statementText(f.weekOf(at))
	t := &Transaction{Seq: len(f.ledger), Date: isoDate(at), At: at, Type: fe.typ, FeeName: fe.name, FeeType: fe.id, Kind: fe.kind,
		Amount: amount, Statement: text, PeriodEnd: end, ShipmentType: "Dropshipping", Comment: comment}
	if amount < 0 && fe.kind != KindItem {
		t.VATCents = (-amount*1000 + 55) / 110 // 10 % VAT included in a charge
	}
	if fi != nil {
		t.OrderID, t.OrderItemID, t.ItemStatus = fi.orderID, fi.itemID, status
		t.SellerSKU, t.LazadaSKU, t.ShippingProvider, t.ShippingSpeed = fi.sellerSKU, fi.lazadaSKU, fi.provider, fi.speed
	}
	if !s.opts.OmitTransactionNumbers {
		t.Number = s.number(origin, int64(fe.id), at)
	}
	f.ledger = append(f.ledger, t)
}

// apply applies one event.
func (s *Server) apply(e finEvent) {
	f := s.fin
	switch e.kind {
	case evSettle:
		fi := f.items[e.iid]
		fi.settled = true
		rate := int64(4)
		if fi.itemID%2 == 1 {
			rate = 6
		}
		fi.commission = fi.price * rate / 100
		s.add(e.at, feeItemPrice, fi.price, fi, "delivered", "", fi.itemID)
		s.add(e.at, feeCommission, -fi.commission, fi, "delivered", "", fi.itemID)
		s.add(e.at, feePayment, -(fi.paidPrice+fi.ship)*2/100, fi, "delivered", "", fi.itemID)
		fo := f.orders[fi.orderID]
		if fo.program {
			s.add(e.at, feeFreeShipMax, -fi.price*3/100, fi, "delivered", "", fi.itemID)
		}
		s.add(e.at, feeVoucher, -fi.vseller, fi, "delivered", "", fi.itemID)
		if fi.ship > 0 {
			s.add(e.at, feeShipCustomer, fi.ship, fi, "delivered", "", fi.itemID)
			s.add(e.at, feeShipSeller, -(fi.shipOriginal + fo.surcharge), fi, "delivered", "", fi.itemID)
			s.add(e.at, feeShipSubsidy, fi.shipOriginal-fi.shipFee, fi, "delivered", "", fi.itemID)
		}
	case evReverse:
		fi := f.items[e.iid]
		if fi.reverse {
			return
		}
		fi.reverse = true
		s.add(e.at, feeRevItemPrice, -fi.price, fi, "returned", "Khách trả hàng", fi.itemID)
		s.add(e.at, feeRevCommission, fi.commission, fi, "returned", "", fi.itemID)
		s.add(e.at, feeRevVoucher, fi.vseller, fi, "returned", "", fi.itemID)
	case evAdjust:
		fo := f.orders[e.oid]
		fi := fo.items[0]
		r := s.finRand(e.oid, 3)
		switch fo.adjustKnd {
		case 1:
			s.add(e.at, feeWrongWeight, -int64(2000+1000*r.IntN(14)), fi, "delivered", "Điều chỉnh phí vận chuyển do sai khối lượng", e.oid)
		case 2:
			s.add(e.at, feeLostDamaged, fi.price/2, fi, "delivered", "Bồi thường hàng hư hỏng", e.oid)
		default:
			amt := int64(1000 * (1 + r.IntN(20)))
			if r.IntN(2) == 0 {
				amt = -amt
			}
			s.add(e.at, feeAdjustOthers, amt, fi, "delivered", "Điều chỉnh khác", e.oid)
		}
	case evMonthly:
		s.add(e.at, feeSponsoredProds, -50000, nil, "", "Quảng cáo sản phẩm tài trợ", -e.at)
	case evCreate:
		s.createStatement(e.week, e.at)
		heap.Push(&f.pending, finEvent{at: f.payAt(e.week), kind: evPay, week: e.week})
	case evPay:
		st := f.stmts[e.week]
		st.Paid, st.PaidAt, st.UpdatedAt = true, e.at, e.at
		for _, t := range f.ledger {
			if t.PeriodEnd == st.PeriodEnd {
				t.Paid, t.PaymentRefID = true, "PAY"+strings.ReplaceAll(st.PeriodEnd, "-", "")
			}
		}
	}
}

// createStatement sums week w's rows into its statement: item_revenue
// (item rows), other_revenue_total and fees_total (the credits and the
// charges of the other rows but refunds), refunds (minus the sum of the
// Refunds-* rows), so that subtotal1 = item_revenue + other_revenue_total
// - fees_total and subtotal2 = subtotal1 - refunds is the week's sum;
// closing = opening + subtotal2, payout = the positive closing balance.
func (s *Server) createStatement(w int, at int64) {
	f := s.fin
	_, end := f.statementText(w)
	st := &Statement{Number: ShortCode + "-" + strings.ReplaceAll(end, "-", ""), PeriodStart: isoDate(f.weekStart(w)), PeriodEnd: end,
		CreatedAt: at, UpdatedAt: at}
	if w > 0 {
		prev := f.stmts[w-1]
		st.Opening = prev.Closing - prev.Payout
	}
	for _, t := range f.ledger {
		if t.PeriodEnd != end {
			continue
		}
		switch {
		case t.Kind == KindItem:
			st.ItemRevenue += t.Amount
		case strings.HasPrefix(t.Type, "Refunds-"):
			st.Refunds -= t.Amount
			if t.Amount > 0 {
				st.FeesOnRefunds += t.Amount
			}
		case t.Amount > 0:
			st.OtherRevenue += t.Amount
		default:
			st.FeesTotal -= t.Amount
		}
		switch t.FeeType {
		case feeShipSeller.id:
			st.ShipmentFee -= t.Amount
		case feeShipCustomer.id:
			st.ShipmentFeeCredit += t.Amount
		}
	}
	st.Subtotal1 = st.ItemRevenue + st.OtherRevenue - st.FeesTotal
	st.Subtotal2 = st.Subtotal1 - st.Refunds
	st.Closing = st.Opening + st.Subtotal2
	st.Payout = max(st.Closing, 0)
	f.stmts = append(f.stmts, st)
}

// Transactions returns the ledger (copies), in the answer's order.
func (s *Server) Transactions() []Transaction {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleFinance()
	out := make([]Transaction, len(s.fin.ledger))
	for i, t := range s.fin.ledger {
		out[i] = *t
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Date < out[j].Date })
	return out
}

// Statements returns the statements created so far (copies), by period.
func (s *Server) Statements() []Statement {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleFinance()
	out := make([]Statement, len(s.fin.stmts))
	for i, st := range s.fin.stmts {
		out[i] = *st
	}
	return out
}

// NetPayouts returns the simulator's own account of every order with
// transaction rows, by order id.
func (s *Server) NetPayouts() map[int64]NetPayout {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleFinance()
	paidAt := map[string]int64{}
	for _, st := range s.fin.stmts {
		if st.Paid {
			paidAt[st.PeriodEnd] = st.PaidAt
		}
	}
	out := map[int64]NetPayout{}
	for _, t := range s.fin.ledger {
		if t.OrderID == 0 {
			continue
		}
		np, ok := out[t.OrderID]
		if !ok {
			np = NetPayout{OrderID: t.OrderID, ByKind: map[FeeKind]int64{}, Paid: true}
		}
		np.ByKind[t.Kind] += t.Amount
		np.Net += t.Amount
		if t.Paid {
			np.PaidAt = max(np.PaidAt, paidAt[t.PeriodEnd])
		} else {
			np.Paid = false
		}
		out[t.OrderID] = np
	}
	for id, np := range out {
		if !np.Paid {
			np.PaidAt = 0
			out[id] = np
		}
	}
	return out
}

// localTime renders a statement time as the contract shows it:
// "YYYY-MM-DD HH:MM:SS", Vietnam time, no offset.
func localTime(at int64) string { return time.Unix(at, 0).In(vn).Format(time.DateTime) }

func (w wire) dec(text string) any {
	if w.doc {
		return text
	}
	return json.Number(text)
}

// transaction renders a ledger row.
func (w wire) transaction(t *Transaction) map[string]any {
	paid := map[bool]string{true: "Paid", false: "Not paid"}[t.Paid]
	if w.doc {
		paid = map[bool]string{true: "Yes", false: "No"}[t.Paid]
	}
	m := map[string]any{
		"transaction_date": time.Unix(t.At, 0).In(vn).Format("2 Jan 2006"), "transaction_type": t.Type, "fee_name": t.FeeName,
		"fee_type": w.num(int64(t.FeeType)), "transaction_number": t.Number, "amount": w.money(t.Amount),
		"VAT_in_amount": w.dec(t.VATInAmount()), "WHT_amount": w.dec("0.00"), "WHT_included_in_amount": "No", "statement": t.Statement,
		"paid_status": paid, "order_no": "", "orderItem_no": "", "orderItem_status": t.ItemStatus, "reference": "",
		"seller_sku": t.SellerSKU, "lazada_sku": t.LazadaSKU, "shipping_provider": t.ShippingProvider, "shipping_speed": t.ShippingSpeed,
		"shipment_type": t.ShipmentType, "payment_ref_id": t.PaymentRefID, "comment": t.Comment, "details": t.Details,
	}
	if t.OrderID != 0 {
		m["order_no"], m["orderItem_no"], m["reference"] = w.id(t.OrderID), w.id(t.OrderItemID), strconv.FormatInt(t.OrderItemID, 10)
	}
	if t.Number == "" {
		delete(m, "transaction_number")
	}
	return m
}

// statement renders a statement; payout carries the currency.
func (w wire) statement(st *Statement) map[string]any {
	return map[string]any{
		"statement_number": st.Number, "created_at": localTime(st.CreatedAt), "updated_at": localTime(st.UpdatedAt),
		"opening_balance": w.money(st.Opening), "closing_balance": w.money(st.Closing), "item_revenue": w.money(st.ItemRevenue),
		"other_revenue_total": w.money(st.OtherRevenue), "fees_total": w.money(st.FeesTotal), "subtotal1": w.money(st.Subtotal1),
		"refunds": w.money(st.Refunds), "fees_on_refunds_total": w.money(st.FeesOnRefunds), "subtotal2": w.money(st.Subtotal2),
		"shipment_fee": w.money(st.ShipmentFee), "shipment_fee_credit": w.money(st.ShipmentFeeCredit),
		"guarantee_deposit": w.money(st.GuaranteeDeposit), "payout": strconv.FormatInt(st.Payout, 10) + ".00 VND",
		"paid": w.num(map[bool]int64{true: 1}[st.Paid]),
	}
}

// dateParam reads a required date parameter (YYYY-MM-DD).
func dateParam(p url.Values, k string) (time.Time, *apiErr) {
	v := p.Get(k)
	if v == "" {
		return time.Time{}, invalid("MissingParameter", "Missing required parameter: "+k)
	}
	t, err := time.ParseInLocation(time.DateOnly, v, vn)
	if err != nil {
		return time.Time{}, invalid("InvalidParameter", fmt.Sprintf("%s %q is not a date (YYYY-MM-DD)", k, v))
	}
	return t, nil
}

// intParam reads an optional non-negative integer parameter.
func intParam(p url.Values, k string, def int64) (int64, bool) {
	v := p.Get(k)
	if v == "" {
		return def, true
	}
	n, err := strconv.ParseInt(v, 10, 64)
	return n, err == nil && n >= 0
}

// transactions serves /finance/transaction/details/get.
func (s *Server) transactions(p url.Values, path string) (any, *apiErr) {
	start, e := dateParam(p, "start_time")
	if e != nil {
		return nil, e
	}
	end, e := dateParam(p, "end_time")
	if e != nil {
		return nil, e
	}
	if end.Sub(start) >= MaxTransactionRangeDays*24*time.Hour {
		return nil, &apiErr{"1000012", "ISV", "endTime - startTime must should be less than 180 days"}
	}
	var feeType int64 = -1
	if v := p.Get("trans_type"); v != "" && v != "-1" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || !knownFeeTypes[int(n)] {
			return nil, &apiErr{"1000014", "ISV", "Can not find that transactionType"}
		}
		feeType = n
	}
	limit, ok := intParam(p, "limit", DefaultTransactionLimit)
	if !ok || limit < 1 || limit > MaxTransactionLimit {
		return nil, invalid("InvalidParameter", "limit must be 1 to 500")
	}
	offset, ok := intParam(p, "offset", 0)
	if !ok || offset > int64(s.opts.OffsetCap) {
		return nil, invalid("14", "E014: Invalid Offset")
	}
	order, ok1 := intParam(p, "trade_order_id", 0)
	line, ok2 := intParam(p, "trade_order_line_id", 0)
	if !ok1 || !ok2 {
		return nil, invalid("InvalidParameter", "trade_order_id and trade_order_line_id are ids")
	}
	from, to := start.Format(time.DateOnly), end.Format(time.DateOnly)
	s.mu.Lock()
	s.settleFinance()
	var match []*Transaction
	for _, t := range s.fin.ledger {
		if t.Date < from || t.Date > to || feeType >= 0 && int64(t.FeeType) != feeType || order != 0 && t.OrderID != order ||
			line != 0 && t.OrderItemID != line {
			continue
		}
		match = append(match, t)
	}
	sort.SliceStable(match, func(i, j int) bool { return match[i].Date < match[j].Date })
	w := wire{doc: s.opts.DocForm}
	page := match[min(int(offset), len(match)):min(int(offset+limit), len(match))]
	rows := make([]map[string]any, len(page))
	for i, t := range page {
		rows[i] = w.transaction(t)
	}
	s.mu.Unlock()
	if s.opts.FinanceAnswer != nil {
		return s.opts.FinanceAnswer(path, int(offset), rows), nil
	}
	return rows, nil
}

// payouts serves /finance/payout/status/get: every statement created on
// or after created_after (Vietnam time).
func (s *Server) payouts(p url.Values, path string) (any, *apiErr) {
	after, e := dateParam(p, "created_after")
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	s.settleFinance()
	w := wire{doc: s.opts.DocForm}
	rows := []map[string]any{}
	for _, st := range s.fin.stmts {
		if st.CreatedAt >= after.Unix() {
			rows = append(rows, w.statement(st))
		}
	}
	s.mu.Unlock()
	if s.opts.FinanceAnswer != nil {
		return s.opts.FinanceAnswer(path, 0, rows), nil
	}
	return rows, nil
}
