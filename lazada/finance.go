package lazada

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/facolos/etl/connector"
)

// Names of the finance streams.
const (
	StreamTransactions = "transactions"
	StreamPayouts      = "payouts"
)

// DefaultFinanceLookback is the default of Config.FinanceLookback: an
// incremental finance run reads again from a day before the last run.
const DefaultFinanceLookback = 24 * time.Hour

// MaxFinanceReread bounds how far back an incremental finance run goes to
// read again rows and statements that were not paid yet (days before the
// run's day): a weekly statement is paid within two weeks, so a row still
// unpaid after this long is left as last read.
const MaxFinanceReread = 90

// PayoutRereadDays is how many more days an incremental payouts run asks
// for than the transactions stream (the endpoint has no paging: one call
// whatever the range).
const PayoutRereadDays = 35

// FinanceCheckpoint is the cursor of the transactions and payouts
// streams. A transactions run reads the days From to End (venture time)
// in windows of at most MaxTransactionSpan days; consecutive windows share
// their boundary day. When the range is done only Watermark (the run's
// start, Unix seconds) and Unpaid remain; the next run reads from the day
// of Watermark - Config.FinanceLookback, or from Unpaid when that is
// earlier (at most MaxFinanceReread days back).
type FinanceCheckpoint struct {
	Phase     string `json:"phase"` // "full" or "incremental"
	From      string `json:"window_from,omitempty"`
	End       string `json:"end,omitempty"`
	Watermark int64  `json:"watermark,omitempty"`
	// Unpaid is the earliest day of a row (transactions) or the creation
	// day of a statement (payouts) read not paid: by this run so far, or
	// by the last run when the range is done.
	Unpaid string `json:"unpaid,omitempty"`
}

// financeStats are the finance streams' counters (Source.Stats).
type financeStats struct {
	windows, segments, splits atomic.Int64
}

// financeRecord is the Data of a finance record: the row as sent, with
// what the stream knows of it.
type financeRecord struct {
	SellerID string `json:"seller_id"`
	Currency string `json:"currency"`
	// Key is the row's key in its table (transaction_key, or the
	// statement_number).
	Key         string          `json:"key"`
	Transaction json.RawMessage `json:"transaction,omitempty"`
	Statement   json.RawMessage `json:"statement,omitempty"`
}

type financeStream struct {
	s    *Source
	name string
}

func (f *financeStream) Name() string { return f.name }

// earliest returns the earlier of a and the day in b ("" is none).
func earliest(a Date, b string) Date {
	if d, err := parseISODate(b); err == nil && d.Before(a) {
		return d
	}
	return a
}

// start works out the first day of a run without a range in progress:
// the start date for a full load, else the watermark's day less the
// lookback, or the earliest unpaid day (at most MaxFinanceReread days
// before today).
func (f *financeStream) start(opts connector.ReadOptions, cp FinanceCheckpoint, today Date) (Date, string) {
	s := f.s
	if opts.Checkpoint == nil || cp.Watermark == 0 {
		start := opts.Since
		if start.IsZero() {
			start = s.cfg.StartDate
		}
		return s.c.Today(start), "full"
	}
	from := earliest(s.c.Today(time.Unix(cp.Watermark, 0).Add(-s.cfg.FinanceLookback)), cp.Unpaid)
	if floor := today.AddDays(-MaxFinanceReread); from.Before(floor) {
		from = floor
	}
	return from, "incremental"
}

// Read implements connector.Stream.
func (f *financeStream) Read(ctx context.Context, opts connector.ReadOptions, emit connector.EmitFunc) error {
	s := f.s
	var cp FinanceCheckpoint
	if opts.Checkpoint != nil {
		if err := json.Unmarshal(opts.Checkpoint, &cp); err != nil {
			return fmt.Errorf("lazada seller %s %s: bad checkpoint: %w", s.c.SellerID(), f.name, err)
		}
	}
	now := s.cfg.Now()
	today := s.c.Today(now)
	if f.name == StreamPayouts {
		return f.payouts(ctx, opts, cp, now, today, emit)
	}
	if cp.End == "" {
		from, phase := f.start(opts, cp, today)
		if today.Before(from) {
			from = today
		}
		cp = FinanceCheckpoint{Phase: phase, From: from.String(), End: today.String(), Watermark: now.Unix()}
	}
	from, err := parseISODate(cp.From)
	if err == nil {
		today, err = parseISODate(cp.End)
	}
	if err != nil {
		return fmt.Errorf("lazada seller %s %s: bad checkpoint: %w", s.c.SellerID(), f.name, err)
	}
	for {
		to := from.AddDays(MaxTransactionSpan)
		if today.Before(to) {
			to = today
		}
		s.fin.windows.Add(1)
		unpaid, err := f.transactionWindow(ctx, from, to, map[string]sentRow{}, emit)
		if err != nil {
			return err
		}
		if unpaid != nil && (cp.Unpaid == "" || unpaid.String() < cp.Unpaid) {
			cp.Unpaid = unpaid.String()
		}
		next := cp
		if to == today {
			next = FinanceCheckpoint{Phase: "incremental", Watermark: cp.Watermark, Unpaid: cp.Unpaid}
		} else {
			next.From = to.String() // the boundary day is read again
		}
		b, err := json.Marshal(next)
		if err != nil {
			return err
		}
		if err := emit(ctx, connector.Page{Checkpoint: b}); err != nil {
			return err
		}
		if to == today {
			return nil
		}
		cp, from = next, to
	}
}

// sentRow is a row a window read has sent: its day and a digest of it as
// sent.
type sentRow struct {
	day Date
	sum [sha256.Size]byte
}

// transactionWindow reads the transactions dated from to to, page by page
// from offset 0, and returns the earliest day of a row not paid (nil:
// none). A page shorter than the limit ends the window. When the next
// offset would pass the cap: if the rows came in date order, the read
// goes on from the last day read, at offset 0; otherwise the window is
// read again in two halves. A row read again as it was sent (sent, by
// key) is not sent again. More rows in one day than the cap lets a window
// hold is an error naming the day.
func (f *financeStream) transactionWindow(ctx context.Context, from, to Date, sent map[string]sentRow, emit connector.EmitFunc) (*Date, error) {
	s := f.s
	seller := s.c.SellerID()
	var unpaid *Date
	note := func(d Date) {
		if unpaid == nil || d.Before(*unpaid) {
			unpaid = &d
		}
	}
	seg, offset := from, 0
	counts := map[string]int{}
	var last Date
	sorted := true
	var prevFirst json.RawMessage
	s.fin.segments.Add(1)
	for {
		page, err := s.c.GetTransactions(ctx, TransactionRequest{Start: seg, End: to, Offset: offset, Limit: MaxTransactionLimit})
		if err != nil {
			return nil, fmt.Errorf("lazada seller %s: transactions %s to %s offset %d: %w", seller, seg, to, offset, err)
		}
		if offset > 0 && len(page.Rows) > 0 && bytes.Equal(page.Rows[0].Raw, prevFirst) {
			return nil, badResponse(PathTransactions, page.RequestID, fmt.Sprintf("seller %s: transactions %s to %s offset %d repeat the page before (offset ignored?)",
				seller, seg, to, offset))
		}
		if len(page.Rows) > 0 {
			prevFirst = page.Rows[0].Raw
		}
		recs := make([]connector.Record, 0, len(page.Rows))
		inPage := map[string]json.RawMessage{}
		for i, row := range page.Rows {
			if row.Date.Before(last) {
				sorted = false
			}
			if last.Before(row.Date) {
				last = row.Date
			}
			var key string
			if row.Number != "" {
				key = "n:" + row.Number
				if prev, ok := inPage[key]; ok && !bytes.Equal(prev, row.Raw) {
					return nil, badResponse(PathTransactions, page.RequestID, fmt.Sprintf("seller %s: transaction %s answered twice, differently (offset %d)",
						seller, row.Number, offset+i))
				}
				inPage[key] = row.Raw
			} else {
				d, err := rowDigest(row.Raw, row.Date)
				if err != nil {
					return nil, badResponse(PathTransactions, page.RequestID, fmt.Sprintf("seller %s: row %d (offset %d): %v", seller, i, offset+i, err))
				}
				key = fmt.Sprintf("h:%s#%d", d, counts[d])
				counts[d]++
			}
			if !row.Paid {
				note(row.Date)
			}
			sum := sha256.Sum256(row.Raw)
			if prev, ok := sent[key]; ok && prev.sum == sum {
				continue
			}
			sent[key] = sentRow{row.Date, sum}
			data, err := json.Marshal(financeRecord{SellerID: seller, Currency: s.c.currency(), Key: key, Transaction: row.Raw})
			if err != nil {
				return nil, err
			}
			recs = append(recs, connector.Record{Key: seller + "/" + key, Data: data, RequestID: page.RequestID})
		}
		if len(recs) > 0 {
			if err := emit(ctx, connector.Page{Records: recs}); err != nil {
				return nil, err
			}
		}
		if len(page.Rows) < MaxTransactionLimit {
			return unpaid, nil
		}
		offset += MaxTransactionLimit
		if offset <= s.cfg.OffsetCap {
			continue
		}
		switch {
		case sorted && seg.Before(last):
			// Go on from the last day read: its rows are read again from
			// its first, and keyed again from the first.
			s.fin.segments.Add(1)
			seg, offset, prevFirst = last, 0, nil
			for d := range counts {
				if strings.HasPrefix(d, last.String()) {
					delete(counts, d)
				}
			}
			for k, r := range sent {
				if r.day != last {
					delete(sent, k) // never read again by this window
				}
			}
		case !sorted && seg.Before(to):
			s.fin.splits.Add(1)
			s.c.log.Warn("lazada transactions out of date order at the offset cap; reading the window again in halves", "seller", seller,
				"from", seg.String(), "to", to.String())
			mid := seg.AddDays(seg.Days(to) / 2)
			for _, h := range [][2]Date{{seg, mid}, {mid.AddDays(1), to}} {
				u, err := f.transactionWindow(ctx, h[0], h[1], sent, emit)
				if err != nil {
					return nil, err
				}
				if u != nil {
					note(*u)
				}
			}
			return unpaid, nil
		default:
			return nil, fmt.Errorf("lazada seller %s: more than %d transactions dated %s, more than the offset cap lets a read hold", seller,
				s.cfg.OffsetCap+MaxTransactionLimit, last)
		}
	}
}

// digestFields are the fields that identify a transaction row without a
// transaction_number (paid_status, payment_ref_id, comment and details,
// which can change after the row is written, are left out).
var digestFields = []string{"transaction_type", "fee_name", "fee_type", "amount", "VAT_in_amount", "WHT_amount", "statement",
	"order_no", "orderItem_no", "reference", "seller_sku", "lazada_sku", "shipping_provider", "shipping_speed", "shipment_type"}

// rowDigest is the day and a digest of a row's identifying fields
// (numbers and amounts in canonical form, so the real-wire and the
// documentation's forms digest alike).
func rowDigest(raw json.RawMessage, day Date) (string, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return "", err
	}
	h := sha256.New()
	for _, k := range digestFields {
		v, _, err := scalar(m[k])
		if err != nil {
			return "", fmt.Errorf("field %s: %v", k, err)
		}
		if d, err := connector.ParseDec(strings.ReplaceAll(v, ",", "")); err == nil {
			v = d.String()
		}
		h.Write([]byte(k + "=" + v + "\x00"))
	}
	return day.String() + ":" + hex.EncodeToString(h.Sum(nil))[:32], nil
}

// payouts reads the statements created from the run's first day: one
// call (the endpoint has no paging), then the checkpoint.
func (f *financeStream) payouts(ctx context.Context, opts connector.ReadOptions, cp FinanceCheckpoint, now time.Time, today Date,
	emit connector.EmitFunc) error {
	s := f.s
	seller := s.c.SellerID()
	after, phase := f.start(opts, cp, today)
	if phase == "incremental" {
		// One call whatever the range: ask for five more weeks, so that a
		// statement whose created_at is earlier than its creation is read
		// too.
		after = after.AddDays(-PayoutRereadDays)
	}
	page, err := s.c.GetPayoutStatus(ctx, after)
	if err != nil {
		return fmt.Errorf("lazada seller %s: payout status created after %s: %w", seller, after, err)
	}
	next := FinanceCheckpoint{Phase: "incremental", Watermark: now.Unix()}
	recs := make([]connector.Record, 0, len(page.Statements))
	for _, st := range page.Statements {
		if !st.Paid {
			if d := s.c.Today(st.CreatedAt).String(); next.Unpaid == "" || d < next.Unpaid {
				next.Unpaid = d
			}
		}
		data, err := json.Marshal(financeRecord{SellerID: seller, Currency: s.c.currency(), Key: st.Number, Statement: st.Raw})
		if err != nil {
			return err
		}
		recs = append(recs, connector.Record{Key: seller + "/" + st.Number, Data: data, RequestID: page.RequestID})
	}
	b, err := json.Marshal(next)
	if err != nil {
		return err
	}
	return emit(ctx, connector.Page{Records: recs, Checkpoint: b})
}
