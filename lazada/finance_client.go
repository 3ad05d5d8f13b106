package lazada

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Finance API paths (contract §7).
const (
	PathTransactions = "/finance/transaction/details/get"
	PathPayoutStatus = "/finance/payout/status/get"
)

// Limits of /finance/transaction/details/get.
const (
	// MaxTransactionLimit is the largest page (limit) the platform serves.
	MaxTransactionLimit = 500
	// MaxTransactionSpan is the longest end_time - start_time the client
	// asks for: the platform refuses a range of 180 days or more (code
	// 1000012); 178 days keeps the range under 180 days whether the
	// platform counts the difference or the days inclusive.
	MaxTransactionSpan = 178
)

// Finance error codes (contract §7).
const (
	CodeFinanceRange   = "1000012" // end_time - start_time is 180 days or more
	CodeFinanceFeeType = "1000014" // unknown trans_type
)

// Date is a calendar day in the seller's venture (the finance endpoints
// filter and answer in days, not instants).
type Date struct{ Year, Month, Day int }

func dateOf(t time.Time) Date { y, m, d := t.Date(); return Date{y, int(m), d} }

// String is YYYY-MM-DD.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

func (d Date) time() time.Time {
	return time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC)
}

// AddDays returns the day n days after d.
func (d Date) AddDays(n int) Date { return dateOf(d.time().AddDate(0, 0, n)) }

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.time().Before(e.time()) }

// Days is the number of days from d to e.
func (d Date) Days(e Date) int { return int(e.time().Sub(d.time()) / (24 * time.Hour)) }

// parseISODate reads YYYY-MM-DD.
func parseISODate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
	}
	return dateOf(t), nil
}

// ventureZones are the time zones of the ventures' answers: statement
// times carry no offset and transaction dates are days (contract §7; the
// zone is the venture's, as the order answers show: INFERRED).
var ventureZones = map[string]*time.Location{
	"vn": time.FixedZone("+0700", 7*3600), "th": time.FixedZone("+0700", 7*3600), "id": time.FixedZone("+0700", 7*3600),
	"my": time.FixedZone("+0800", 8*3600), "sg": time.FixedZone("+0800", 8*3600), "ph": time.FixedZone("+0800", 8*3600),
}

// Currencies of the ventures.
var ventureCurrencies = map[string]string{"vn": "VND", "th": "THB", "id": "IDR", "my": "MYR", "sg": "SGD", "ph": "PHP"}

// zone is the client's venture zone (Vietnam when the country is unknown).
func (c *Client) zone() *time.Location {
	if z, ok := ventureZones[c.cfg.Country]; ok {
		return z
	}
	return ventureZones["vn"]
}

// currency is the client's venture currency.
func (c *Client) currency() string {
	if cur, ok := ventureCurrencies[c.cfg.Country]; ok {
		return cur
	}
	return "VND"
}

// Today is the venture's date at t.
func (c *Client) Today(t time.Time) Date { return dateOf(t.In(c.zone())) }

// TransactionRequest is one /finance/transaction/details/get call: the
// transactions dated Start to End (inclusive), from Offset, at most Limit.
type TransactionRequest struct {
	Start, End    Date
	Offset, Limit int
	// TradeOrderID narrows the answer to one order (0: every order).
	TradeOrderID int64
}

// TransactionRow is one row of a transaction answer.
type TransactionRow struct {
	// Date is the row's transaction_date.
	Date Date
	// Number is transaction_number ("" when absent).
	Number string
	// Paid is paid_status read as paid; PaidKnown is false when
	// paid_status is absent or unreadable (the transformer reports it).
	Paid, PaidKnown bool
	// Raw is the row as sent.
	Raw json.RawMessage
}

// TransactionPage is one transaction answer.
type TransactionPage struct {
	Rows      []TransactionRow
	RequestID string
}

// GetTransactions reads one page of /finance/transaction/details/get.
// Every row must be an object with a readable transaction_date inside the
// asked range; an answer without a list, with more rows than asked or with
// a row of another date is an error (ErrBadResponse) naming the row.
func (c *Client) GetTransactions(ctx context.Context, r TransactionRequest) (TransactionPage, error) {
	if r.Limit <= 0 || r.Limit > MaxTransactionLimit {
		r.Limit = MaxTransactionLimit
	}
	if r.End.Before(r.Start) || r.Start.Days(r.End) > MaxTransactionSpan {
		return TransactionPage{}, fmt.Errorf("lazada: transactions %s to %s: the range must be 0 to %d days", r.Start, r.End, MaxTransactionSpan)
	}
	if r.Offset < 0 || r.Offset > c.cfg.OffsetCap {
		return TransactionPage{}, fmt.Errorf("lazada: offset %d is beyond the cap %d", r.Offset, c.cfg.OffsetCap)
	}
	p := map[string]string{"start_time": r.Start.String(), "end_time": r.End.String(), "offset": strconv.Itoa(r.Offset),
		"limit": strconv.Itoa(r.Limit)}
	if r.TradeOrderID != 0 {
		p["trade_order_id"] = strconv.FormatInt(r.TradeOrderID, 10)
	}
	env, _, err := c.call(ctx, c.cfg.BaseURL, PathTransactions, p, true, true)
	if err != nil {
		return TransactionPage{}, err
	}
	var list []json.RawMessage
	if err := json.Unmarshal(env.Data, &list); err != nil {
		return TransactionPage{}, badResponse(PathTransactions, env.RequestID, "data is not a list of transactions: "+err.Error())
	}
	if len(list) > r.Limit {
		return TransactionPage{}, badResponse(PathTransactions, env.RequestID, fmt.Sprintf("asked for %d transactions, got %d", r.Limit, len(list)))
	}
	page := TransactionPage{Rows: make([]TransactionRow, len(list)), RequestID: env.RequestID}
	for i, raw := range list {
		row, err := readTransactionRow(raw, c.zone())
		if err == nil && (row.Date.Before(r.Start) || r.End.Before(row.Date)) {
			err = fmt.Errorf("transaction_date %s is outside the asked %s to %s", row.Date, r.Start, r.End)
		}
		if err != nil {
			return TransactionPage{}, badResponse(PathTransactions, env.RequestID, fmt.Sprintf("row %d (offset %d%s): %v", i, r.Offset+i,
				numberNote(raw), err))
		}
		page.Rows[i] = row
	}
	return page, nil
}

// unmarshalObject decodes raw, which must be a JSON object, into v.
func unmarshalObject(raw json.RawMessage, v any) error {
	if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '{' {
		return fmt.Errorf("not an object")
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("not an object: %v", err)
	}
	return nil
}

// numberNote names a row's transaction_number in an error, when it has
// one.
func numberNote(raw json.RawMessage) string {
	var h struct {
		Number json.RawMessage `json:"transaction_number"`
	}
	if json.Unmarshal(raw, &h) != nil {
		return ""
	}
	if s, ok, _ := scalar(h.Number); ok && s != "" {
		return ", transaction " + s
	}
	return ""
}

// readTransactionRow reads what the stream needs of a row: its date, its
// number and whether it is paid.
func readTransactionRow(raw json.RawMessage, zone *time.Location) (TransactionRow, error) {
	var h struct {
		Date   json.RawMessage `json:"transaction_date"`
		Number json.RawMessage `json:"transaction_number"`
		Paid   json.RawMessage `json:"paid_status"`
	}
	if err := unmarshalObject(raw, &h); err != nil {
		return TransactionRow{}, err
	}
	row := TransactionRow{Raw: raw}
	s, ok, err := scalar(h.Date)
	if err != nil || !ok || s == "" {
		return row, fmt.Errorf("field transaction_date is missing")
	}
	if row.Date, err = parseDay(s, zone); err != nil {
		return row, fmt.Errorf("field transaction_date: %v", err)
	}
	if n, ok, err := scalar(h.Number); err != nil {
		return row, fmt.Errorf("field transaction_number: %v", err)
	} else if ok {
		row.Number = strings.TrimSpace(n)
	}
	if p, err := asPaid(h.Paid); err == nil && p != nil {
		row.Paid, row.PaidKnown = p.(bool), true
	}
	return row, nil
}

// dayLayouts are the forms a day is read in: the documentation's
// ("17 May 2016"), ISO, and an instant (taken in the venture's zone).
var dayLayouts = []string{"2 Jan 2006", "02 Jan 2006", "2 January 2006", time.DateOnly}

// parseDay reads a day.
func parseDay(s string, zone *time.Location) (Date, error) {
	s = strings.TrimSpace(s)
	for _, l := range dayLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return dateOf(t), nil
		}
	}
	if t, err := parseTime(s); err == nil {
		return dateOf(t.In(zone)), nil
	}
	if t, err := time.ParseInLocation(time.DateTime, s, zone); err == nil {
		return dateOf(t), nil
	}
	return Date{}, fmt.Errorf("%q is not a date (\"17 May 2016\" or YYYY-MM-DD)", s)
}

// asPaid reads a paid status: "Paid", "Yes", "1", true are paid; "Not
// paid", "Unpaid", "No", "0", false are not (the documentation shows both
// "Not paid" and "Yes / No").
func asPaid(raw json.RawMessage) (any, error) {
	s, ok, err := scalar(raw)
	if err != nil || !ok || strings.TrimSpace(s) == "" {
		return nil, err
	}
	switch strings.ToLower(strings.Join(strings.Fields(s), " ")) {
	case "paid", "yes", "1", "true":
		return true, nil
	case "not paid", "unpaid", "no", "0", "false":
		return false, nil
	}
	return nil, fmt.Errorf("%q is not a paid status (Paid/Not paid, Yes/No)", s)
}

// StatementRow is one statement of a payout status answer.
type StatementRow struct {
	Number    string
	CreatedAt time.Time
	// Paid is the paid field read as paid (false when unreadable: the
	// transformer reports it).
	Paid bool
	Raw  json.RawMessage
}

// StatementPage is a payout status answer.
type StatementPage struct {
	Statements []StatementRow
	RequestID  string
}

// GetPayoutStatus reads /finance/payout/status/get: the statements created
// on or after the day createdAfter. Every statement needs a
// statement_number and a readable created_at; one number answered twice,
// differently, is an error.
func (c *Client) GetPayoutStatus(ctx context.Context, createdAfter Date) (StatementPage, error) {
	env, _, err := c.call(ctx, c.cfg.BaseURL, PathPayoutStatus, map[string]string{"created_after": createdAfter.String()}, true, true)
	if err != nil {
		return StatementPage{}, err
	}
	var list []json.RawMessage
	if err := json.Unmarshal(env.Data, &list); err != nil {
		return StatementPage{}, badResponse(PathPayoutStatus, env.RequestID, "data is not a list of statements: "+err.Error())
	}
	page := StatementPage{RequestID: env.RequestID}
	seen := map[string]json.RawMessage{}
	for i, raw := range list {
		st, err := readStatementRow(raw, c.zone())
		if err != nil {
			return StatementPage{}, badResponse(PathPayoutStatus, env.RequestID, fmt.Sprintf("statement %d: %v", i, err))
		}
		if prev, ok := seen[st.Number]; ok {
			if !bytes.Equal(prev, raw) {
				return StatementPage{}, badResponse(PathPayoutStatus, env.RequestID, fmt.Sprintf("statement %s answered twice, differently", st.Number))
			}
			continue
		}
		seen[st.Number] = raw
		page.Statements = append(page.Statements, st)
	}
	return page, nil
}

func readStatementRow(raw json.RawMessage, zone *time.Location) (StatementRow, error) {
	var h struct {
		Number    json.RawMessage `json:"statement_number"`
		CreatedAt json.RawMessage `json:"created_at"`
		Paid      json.RawMessage `json:"paid"`
	}
	if err := unmarshalObject(raw, &h); err != nil {
		return StatementRow{}, err
	}
	n, ok, err := scalar(h.Number)
	if err != nil || !ok || strings.TrimSpace(n) == "" {
		return StatementRow{}, fmt.Errorf("field statement_number is missing")
	}
	st := StatementRow{Number: strings.TrimSpace(n), Raw: raw}
	at, err := asLocalTime(h.CreatedAt, zone)
	if err != nil || at == nil {
		return st, fmt.Errorf("statement %s: field created_at is missing or not a time (%v)", st.Number, err)
	}
	st.CreatedAt = at.(time.Time)
	if p, err := asPaid(h.Paid); err == nil && p != nil {
		st.Paid = p.(bool)
	}
	return st, nil
}

// asLocalTime reads a statement time: "YYYY-MM-DD HH:MM:SS" in the
// venture's zone (the contract shows no offset), or any form parseTime
// reads.
func asLocalTime(raw json.RawMessage, zone *time.Location) (any, error) {
	s, ok, err := scalar(raw)
	if err != nil || !ok || strings.TrimSpace(s) == "" {
		return nil, err
	}
	s = strings.TrimSpace(s)
	if t, err := time.ParseInLocation(time.DateTime, s, zone); err == nil {
		return t.UTC(), nil
	}
	t, err := parseTime(s)
	if err != nil {
		return nil, err
	}
	return t.UTC(), nil
}
