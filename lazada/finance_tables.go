package lazada

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/facolos/etl/connector"
)

// Finance table names.
const (
	TransactionsTable = "lazada_transactions"
	PayoutsTable      = "lazada_payouts"
)

// Fee kinds: how a transaction row counts in staging.order_net_payout
// (stored in lazada_transactions.fee_kind; see FeeKind).
const (
	FeeItemPrice     = "item_price"
	FeeCommission    = "commission"
	FeeService       = "service"
	FeeTransaction   = "transaction"
	FeeShipping      = "shipping"
	FeeVoucherSeller = "voucher_seller"
	FeeAdjustment    = "adjustment"
	FeeOther         = "other"
)

// feeKinds maps the fee_type ids of the platform's enum (the
// QueryTransactionDetails fee type list) whose kind is not their
// category's.
var feeKinds = map[int64]string{
	// Item price and the platform's subsidies on it.
	13: FeeItemPrice, 501: FeeItemPrice, 59: FeeItemPrice, 502: FeeItemPrice, 212: FeeItemPrice, 36: FeeItemPrice,
	// Commission and its corrections at the sale.
	16: FeeCommission, 65: FeeCommission, 66: FeeCommission, 274: FeeCommission, 277: FeeCommission, 341: FeeCommission, 218: FeeCommission,
	// Payment (transaction) fees.
	3: FeeTransaction, 67: FeeTransaction, 84: FeeTransaction, 286: FeeTransaction, 513: FeeTransaction, 514: FeeTransaction,
	135: FeeTransaction, 221: FeeTransaction,
	// Programme fees the platform charges per order.
	298: FeeService, 304: FeeService, 306: FeeService,
	// Promotions the seller funds.
	117: FeeVoucherSeller, 118: FeeVoucherSeller, 119: FeeVoucherSeller, 202: FeeVoucherSeller, 209: FeeVoucherSeller,
	// Corrections after the sale, under a category of the sale.
	1027: FeeAdjustment, 1030: FeeAdjustment, 1031: FeeAdjustment, 1033: FeeAdjustment, 1034: FeeAdjustment, 1035: FeeAdjustment,
	1036: FeeAdjustment, 1037: FeeAdjustment, 1038: FeeAdjustment, 62: FeeAdjustment, 81: FeeAdjustment, 235: FeeAdjustment,
	236: FeeAdjustment, 280: FeeAdjustment, 329: FeeAdjustment, 330: FeeAdjustment,
}

// FeeKind says how a transaction row counts in the net payout view: the
// kind of its fee_type when the table above names it; otherwise by its
// transaction_type category ("Refunds-…" and "…-Claims": adjustment;
// "…-Logistics": shipping; "Orders-Marketing Fees": voucher_seller;
// "Orders-Sales": item_price) or, without a category, by a fee_name
// that starts with "Reversal" or "Adjustment" (adjustment); anything
// else is other.
func FeeKind(feeType int64, transactionType, feeName string) string {
	if k, ok := feeKinds[feeType]; ok {
		return k
	}
	cat, sub, hasCat := strings.Cut(strings.TrimSpace(transactionType), "-")
	name := strings.ToLower(strings.TrimSpace(feeName))
	switch {
	case hasCat && strings.EqualFold(cat, "Refunds"), hasCat && strings.EqualFold(sub, "Claims"):
		return FeeAdjustment
	case hasCat && strings.EqualFold(sub, "Logistics"):
		return FeeShipping
	case hasCat && strings.EqualFold(cat, "Orders") && strings.EqualFold(sub, "Marketing Fees"):
		return FeeVoucherSeller
	case hasCat && strings.EqualFold(cat, "Orders") && strings.EqualFold(sub, "Sales"):
		return FeeItemPrice
	case strings.HasPrefix(name, "reversal"), strings.HasPrefix(name, "adjustment"):
		return FeeAdjustment
	}
	return FeeOther
}

// fkind says how a finance field is read.
type fkind int

const (
	fString fkind = iota
	fInt
	fMoney
	fYesNo
	fLocalTime
	fDerived // filled by the transformer
)

// ffield is a column of a finance table and the key it reads.
type ffield struct {
	col    string
	src    string
	kind   fkind
	length int
	typ    connector.Type // of a derived column
}

func (f ffield) column() connector.Column {
	c := connector.Column{Name: f.col, Nullable: true}
	switch f.kind {
	case fString:
		c.Type, c.Length = connector.String, f.length
	case fInt:
		c.Type = connector.Int
	case fMoney:
		c.Type, c.Precision, c.Scale = connector.Decimal, 18, 4
	case fYesNo:
		c.Type = connector.Bool
	case fLocalTime:
		c.Type = connector.Timestamp
	case fDerived:
		c.Type, c.Length = f.typ, f.length
	}
	return c
}

func derived(col string, typ connector.Type, length int) ffield {
	return ffield{col: col, kind: fDerived, typ: typ, length: length}
}

// transactionFields are the columns of staging.lazada_transactions after
// seller_id and transaction_key: every field of a QueryTransactionDetails
// row (contract §7), and what the transformer reads from them.
var transactionFields = []ffield{
	derived("transaction_date", connector.String, 10),
	{"transaction_type", "transaction_type", fString, 100, 0},
	{"fee_name", "fee_name", fString, 255, 0},
	{"fee_type", "fee_type", fInt, 0, 0},
	derived("fee_kind", connector.String, 20),
	{"transaction_number", "transaction_number", fString, 100, 0},
	{"amount", "amount", fMoney, 0, 0},
	{"vat_in_amount", "VAT_in_amount", fMoney, 0, 0},
	{"wht_amount", "WHT_amount", fMoney, 0, 0},
	{"wht_included_in_amount", "WHT_included_in_amount", fYesNo, 0, 0},
	{"statement", "statement", fString, 100, 0},
	derived("statement_start", connector.String, 10),
	derived("statement_end", connector.String, 10),
	{"paid_status", "paid_status", fString, 50, 0},
	derived("is_paid", connector.Bool, 0),
	derived("status_version", connector.Int, 0),
	{"order_no", "order_no", fInt, 0, 0},
	{"order_item_no", "orderItem_no", fInt, 0, 0},
	{"order_item_status", "orderItem_status", fString, 50, 0},
	{"reference", "reference", fString, 100, 0},
	{"seller_sku", "seller_sku", fString, 255, 0},
	{"lazada_sku", "lazada_sku", fString, 255, 0},
	{"shipping_provider", "shipping_provider", fString, 255, 0},
	{"shipping_speed", "shipping_speed", fString, 100, 0},
	{"shipment_type", "shipment_type", fString, 100, 0},
	{"payment_ref_id", "payment_ref_id", fString, 255, 0},
	{"comment", "comment", fString, 0, 0},
	{"details", "details", fString, 0, 0},
	derived("currency", connector.String, 10),
	derived("raw_json", connector.JSON, 0),
}

// payoutFields are the columns of staging.lazada_payouts after seller_id
// and statement_number: every field of a GetPayoutStatus statement.
var payoutFields = []ffield{
	{"created_at", "created_at", fLocalTime, 0, 0},
	{"updated_at", "updated_at", fLocalTime, 0, 0},
	derived("period_end", connector.String, 10),
	{"opening_balance", "opening_balance", fMoney, 0, 0},
	{"closing_balance", "closing_balance", fMoney, 0, 0},
	{"item_revenue", "item_revenue", fMoney, 0, 0},
	{"other_revenue_total", "other_revenue_total", fMoney, 0, 0},
	{"fees_total", "fees_total", fMoney, 0, 0},
	{"subtotal1", "subtotal1", fMoney, 0, 0},
	{"refunds", "refunds", fMoney, 0, 0},
	{"fees_on_refunds_total", "fees_on_refunds_total", fMoney, 0, 0},
	{"subtotal2", "subtotal2", fMoney, 0, 0},
	{"shipment_fee", "shipment_fee", fMoney, 0, 0},
	{"shipment_fee_credit", "shipment_fee_credit", fMoney, 0, 0},
	{"guarantee_deposit", "guarantee_deposit", fMoney, 0, 0},
	derived("payout", connector.Decimal, 0),
	derived("payout_currency", connector.String, 10),
	{"paid", "paid", fYesNo, 0, 0},
	derived("statement_version", connector.Int, 0),
	derived("currency", connector.String, 10),
	derived("raw_json", connector.JSON, 0),
}

func financeColumns(key string, keyLen int, fields []ffield) []connector.Column {
	out := []connector.Column{{Name: "seller_id", Type: connector.String, Length: 50}, {Name: key, Type: connector.String, Length: keyLen}}
	for _, f := range fields {
		c := f.column()
		if c.Type == connector.Decimal {
			c.Precision, c.Scale = 18, 4
		}
		out = append(out, c)
	}
	return append(out, etlColumns...)
}

var transactionsTable = mustValidate(&connector.Table{Schema: "staging", Name: TransactionsTable,
	Columns:    financeColumns("transaction_key", 120, transactionFields),
	PrimaryKey: []string{"seller_id", "transaction_key"},
	// status_version (1 paid, 0 not) is the row's version: a copy read
	// before the row was paid never replaces the paid row.
	Version: "status_version",
	Indexes: []connector.Index{
		{Name: "IX_lazada_transactions_order_no", Columns: []string{"seller_id", "order_no"}},
		{Name: "IX_lazada_transactions_transaction_date", Columns: []string{"transaction_date"}},
	}})

var payoutsTable = mustValidate(&connector.Table{Schema: "staging", Name: PayoutsTable,
	Columns:    financeColumns("statement_number", 100, payoutFields),
	PrimaryKey: []string{"seller_id", "statement_number"},
	// statement_version is paid × 10^10 + updated_at (Unix seconds): a
	// paid statement is never replaced by an unpaid copy, and among copies
	// of the same paid status the later update wins.
	Version: "statement_version",
	Indexes: []connector.Index{{Name: "IX_lazada_payouts_period_end", Columns: []string{"period_end"}}}})

// FinanceTables returns staging.lazada_transactions (one row per
// transaction, key seller_id and transaction_key) and
// staging.lazada_payouts (one row per statement, key seller_id and
// statement_number).
func FinanceTables() []*connector.Table { return []*connector.Table{transactionsTable, payoutsTable} }

// readFinance reads the value of f from obj for the table's column.
func readFinance(f ffield, raw json.RawMessage, zone *time.Location) (any, error) {
	switch f.kind {
	case fInt:
		return asInt(raw)
	case fMoney:
		v, err := asDec(raw)
		if err != nil || v == nil {
			return v, err
		}
		if err := v.(connector.Dec).Fits(18, 4); err != nil {
			return nil, err
		}
		return v, nil
	case fYesNo:
		s, ok, err := scalar(raw)
		if err != nil || !ok || strings.TrimSpace(s) == "" {
			return nil, err
		}
		if p, err := asPaid(raw); err == nil {
			return p, nil
		}
		return nil, fmt.Errorf("%q is not yes or no", s)
	case fLocalTime:
		return asLocalTime(raw, zone)
	}
	return asString(raw)
}

// fillFinance fills the columns after the two key columns of row from obj;
// the derived columns are left to the caller.
func fillFinance(row []any, obj map[string]json.RawMessage, fields []ffield, zone *time.Location) error {
	for i, f := range fields {
		if f.kind == fDerived {
			continue
		}
		v, err := readFinance(f, obj[f.src], zone)
		if err != nil {
			return fmt.Errorf("field %s: %w", f.src, err)
		}
		row[2+i] = v
	}
	return nil
}

func fieldIndex(t *connector.Table, name string) int {
	i := t.ColumnIndex(name)
	if i < 0 {
		panic("lazada: no column " + name)
	}
	return i
}

// statementPeriod reads the period of a statement field ("11 May 2016 -
// 17 May 2016").
var statementPeriod = regexp.MustCompile(`^\s*(\d{1,2} \w+ \d{4})\s*-\s*(\d{1,2} \w+ \d{4})\s*$`)

// payoutAmount reads "3962.41 EUR" (or a bare amount).
var payoutAmount = regexp.MustCompile(`^\s*(-?[0-9][0-9,]*(?:\.[0-9]+)?)\s*([A-Za-z]{3})?\s*$`)

// periodSuffix is the period's last day at the end of a statement number
// ("EG100RT-20141228").
var periodSuffix = regexp.MustCompile(`-(\d{8})$`)

// transformFinance makes the row of a finance record.
func transformFinance(rec connector.Record, out connector.Output) error {
	var r financeRecord
	if err := json.Unmarshal(rec.Data, &r); err != nil || r.SellerID == "" || r.Key == "" {
		return fmt.Errorf("record %s: not a Lazada finance record (%v)", rec.Key, err)
	}
	zone := ventureZones["vn"]
	for c, cur := range ventureCurrencies {
		if cur == r.Currency {
			zone = ventureZones[c]
		}
	}
	switch rec.Stream {
	case StreamTransactions:
		if err := transformTransaction(rec, r, out, zone); err != nil {
			return fmt.Errorf("transaction %s: %w", r.Key, err)
		}
	case StreamPayouts:
		if err := transformStatement(rec, r, out, zone); err != nil {
			return fmt.Errorf("statement %s: %w", r.Key, err)
		}
	default:
		return fmt.Errorf("record %s: stream %q is not a finance stream", rec.Key, rec.Stream)
	}
	return nil
}

// financeRow is a row of a finance table on its way: the record's keys,
// the fields read from the object, the derived columns set by name.
type financeRow struct {
	t   *connector.Table
	row []any
	obj map[string]json.RawMessage
	raw json.RawMessage
}

// newFinanceRow reads the object raw (the record's transaction or
// statement) into a row of t.
func newFinanceRow(t *connector.Table, fields []ffield, r financeRecord, raw json.RawMessage, what string, zone *time.Location) (*financeRow, error) {
	f := &financeRow{t: t, row: make([]any, len(t.Columns)), raw: raw}
	if err := unmarshalObject(raw, &f.obj); err != nil {
		return nil, fmt.Errorf("the %s is %w", what, err)
	}
	f.row[0], f.row[1] = r.SellerID, r.Key
	if err := fillFinance(f.row, f.obj, fields, zone); err != nil {
		return nil, err
	}
	f.set("currency", r.Currency)
	return f, nil
}

func (f *financeRow) set(col string, v any) { f.row[fieldIndex(f.t, col)] = v }
func (f *financeRow) get(col string) any    { return f.row[fieldIndex(f.t, col)] }

// add sets the raw JSON and the request id and adds the row.
func (f *financeRow) add(rec connector.Record, out connector.Output) error {
	raw, err := asJSON(f.raw)
	if err != nil {
		return err
	}
	f.set("raw_json", raw)
	f.row[len(f.row)-len(etlColumns)] = rec.RequestID
	out.Add(f.t, f.row)
	return nil
}

// transformTransaction writes a row of staging.lazada_transactions.
//
// Version rule: status_version is 1 for a paid row, 0 for one not paid,
// so a copy read before the row was paid never replaces the paid row;
// reading the same row again is the same version.
func transformTransaction(rec connector.Record, r financeRecord, out connector.Output, zone *time.Location) error {
	f, err := newFinanceRow(transactionsTable, transactionFields, r, r.Transaction, "transaction", zone)
	if err != nil {
		return err
	}
	set, get, obj := f.set, f.get, f.obj
	s, _, err := scalar(obj["transaction_date"])
	if err != nil || strings.TrimSpace(s) == "" {
		return fmt.Errorf("field transaction_date is missing")
	}
	day, err := parseDay(s, zone)
	if err != nil {
		return fmt.Errorf("field transaction_date: %w", err)
	}
	set("transaction_date", day.String())
	if get("amount") == nil {
		return fmt.Errorf("field amount is missing")
	}
	paid, err := asPaid(obj["paid_status"])
	if err == nil && paid == nil {
		err = fmt.Errorf("missing")
	}
	if err != nil {
		return fmt.Errorf("field paid_status: %w", err)
	}
	set("is_paid", paid)
	set("status_version", map[bool]int64{true: 1}[paid.(bool)])
	var feeType int64
	if v := get("fee_type"); v != nil {
		feeType = v.(int64)
	}
	typ, _ := get("transaction_type").(string)
	name, _ := get("fee_name").(string)
	set("fee_kind", FeeKind(feeType, typ, name))
	if st, _ := get("statement").(string); st != "" {
		if m := statementPeriod.FindStringSubmatch(st); m != nil {
			a, err1 := parseDay(m[1], zone)
			b, err2 := parseDay(m[2], zone)
			if err1 == nil && err2 == nil {
				set("statement_start", a.String())
				set("statement_end", b.String())
			}
		}
	}
	return f.add(rec, out)
}

// transformStatement writes a row of staging.lazada_payouts.
//
// Version rule: statement_version is paid × 10^10 + updated_at (or
// created_at) in Unix seconds: paid wins over not paid whatever the
// times, and among copies of one paid status the later update wins.
func transformStatement(rec connector.Record, r financeRecord, out connector.Output, zone *time.Location) error {
	f, err := newFinanceRow(payoutsTable, payoutFields, r, r.Statement, "statement", zone)
	if err != nil {
		return err
	}
	set, get, obj := f.set, f.get, f.obj
	if n, _, _ := scalar(obj["statement_number"]); strings.TrimSpace(n) != r.Key {
		return fmt.Errorf("field statement_number is %q, the record's is %q", n, r.Key)
	}
	at, _ := get("updated_at").(time.Time)
	if at.IsZero() {
		at, _ = get("created_at").(time.Time)
	}
	if at.IsZero() {
		return fmt.Errorf("field created_at is missing")
	}
	paid, _ := get("paid").(bool)
	if get("paid") == nil {
		return fmt.Errorf("field paid is missing")
	}
	set("statement_version", map[bool]int64{true: 1}[paid]*10_000_000_000+at.Unix())
	if m := periodSuffix.FindStringSubmatch(r.Key); m != nil {
		if d, err := time.Parse("20060102", m[1]); err == nil {
			set("period_end", dateOf(d).String())
		}
	}
	if s, ok, err := scalar(obj["payout"]); err != nil {
		return fmt.Errorf("field payout: %w", err)
	} else if ok && strings.TrimSpace(s) != "" {
		m := payoutAmount.FindStringSubmatch(s)
		if m == nil {
			return fmt.Errorf("field payout: %q is not an amount with an optional currency", s)
		}
		d, err := connector.ParseDec(strings.ReplaceAll(m[1], ",", ""))
		if err == nil {
			err = d.Fits(18, 4)
		}
		if err != nil {
			return fmt.Errorf("field payout: %w", err)
		}
		set("payout", d)
		if m[2] != "" {
			set("payout_currency", strings.ToUpper(m[2]))
		}
	}
	return f.add(rec, out)
}

// isFinance reports whether rec comes from a finance stream.
func isFinance(rec connector.Record) bool {
	return rec.Stream == StreamTransactions || rec.Stream == StreamPayouts
}

// netPayoutSQL is the Lazada part of staging.order_net_payout: one row per
// order with transaction rows, summed by fee kind, joined to its order.
const netPayoutSQL = `SELECT 'lazada' AS platform, f.seller_id AS shop_id, CAST(f.order_no AS {text}) AS order_id,
  o.created_at AS order_time, f.currency AS currency,
  CAST(o.price - COALESCE(o.voucher, 0) + COALESCE(o.shipping_fee, 0) AS DECIMAL(18,4)) AS buyer_paid,
  f.commission_fee, f.service_fee, f.transaction_fee, f.other_fees, f.shipping_net, f.voucher_seller,
  CAST(o.voucher_platform AS DECIMAL(18,4)) AS voucher_platform, f.adjustments, f.net_payout,
  CASE WHEN f.unpaid_rows = 0 THEN 'paid' ELSE 'settled' END AS payout_status,
  CASE WHEN f.unpaid_rows = 0 THEN f.payout_time ELSE CAST(NULL AS {timestamp}) END AS payout_time
FROM (
  SELECT t.seller_id, t.order_no, MAX(t.currency) AS currency,
    CAST(SUM(CASE WHEN t.fee_kind = 'commission' THEN 0 - t.amount ELSE 0 END) AS DECIMAL(18,4)) AS commission_fee,
    CAST(SUM(CASE WHEN t.fee_kind = 'service' THEN 0 - t.amount ELSE 0 END) AS DECIMAL(18,4)) AS service_fee,
    CAST(SUM(CASE WHEN t.fee_kind = 'transaction' THEN 0 - t.amount ELSE 0 END) AS DECIMAL(18,4)) AS transaction_fee,
    CAST(SUM(CASE WHEN t.fee_kind = 'other' THEN 0 - t.amount ELSE 0 END) AS DECIMAL(18,4)) AS other_fees,
    CAST(SUM(CASE WHEN t.fee_kind = 'shipping' THEN t.amount ELSE 0 END) AS DECIMAL(18,4)) AS shipping_net,
    CAST(SUM(CASE WHEN t.fee_kind = 'voucher_seller' THEN 0 - t.amount ELSE 0 END) AS DECIMAL(18,4)) AS voucher_seller,
    CAST(SUM(CASE WHEN t.fee_kind = 'adjustment' THEN t.amount ELSE 0 END) AS DECIMAL(18,4)) AS adjustments,
    CAST(SUM(t.amount) AS DECIMAL(18,4)) AS net_payout,
    SUM(CASE WHEN t.is_paid = {true} THEN 0 ELSE 1 END) AS unpaid_rows,
    MAX(p.paid_at) AS payout_time
  FROM {staging.lazada_transactions} t
  LEFT JOIN (
    SELECT seller_id, period_end, MAX(CASE WHEN paid = {true} THEN updated_at ELSE NULL END) AS paid_at
    FROM {staging.lazada_payouts}
    GROUP BY seller_id, period_end
  ) p ON p.seller_id = t.seller_id AND p.period_end = t.statement_end
  WHERE t.order_no IS NOT NULL
  GROUP BY t.seller_id, t.order_no
) f
LEFT JOIN {staging.lazada_orders} o ON o.seller_id = f.seller_id AND o.order_id = f.order_no`

// netPayoutDoc says how the Lazada part computes each column (the
// warehouse reference prints it).
var netPayoutDoc = map[string]string{
	"shop_id":          "`lazada_transactions.seller_id`",
	"order_id":         "`order_no` as text (rows without an order are left out)",
	"order_time":       "`lazada_orders.created_at`",
	"currency":         "the venture's currency (`lazada_transactions.currency`)",
	"buyer_paid":       "`lazada_orders.price` − `voucher` + `shipping_fee`",
	"commission_fee":   "− the sum of `amount` of the order's rows of `fee_kind` `commission`",
	"service_fee":      "− the sum of `amount` of `fee_kind` `service`",
	"transaction_fee":  "− the sum of `amount` of `fee_kind` `transaction`",
	"other_fees":       "− the sum of `amount` of `fee_kind` `other`",
	"shipping_net":     "the sum of `amount` of `fee_kind` `shipping`",
	"voucher_seller":   "− the sum of `amount` of `fee_kind` `voucher_seller`",
	"voucher_platform": "`lazada_orders.voucher_platform`",
	"adjustments":      "the sum of `amount` of `fee_kind` `adjustment`",
	"net_payout":       "the sum of `amount` of all the order's rows",
	"payout_status":    "`paid` when every row of the order is paid, else `settled`",
	"payout_time":      "when paid: the latest `updated_at` of the paid `lazada_payouts` statements of the rows' periods (`period_end` = `statement_end`); else NULL",
}

// Views implements connector.ViewTransformer: the Lazada part of
// staging.order_net_payout (docs/warehouse.md, docs/lazada-finance.md),
// one row per order with transaction rows.
func (Transformer) Views() []connector.ViewPart {
	return []connector.ViewPart{{View: connector.NetPayoutView, Part: "lazada", Columns: connector.NetPayoutColumns, SQL: netPayoutSQL,
		Doc: netPayoutDoc}}
}
