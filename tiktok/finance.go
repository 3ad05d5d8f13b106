package tiktok

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/facolos/etl/connector"
)

// Names of the finance streams.
const (
	StreamStatements  = "statements"
	StreamWithdrawals = "withdrawals"
)

// DefaultFinanceLookback is the default of Config.FinanceLookback: a day,
// so that a statement (stamped 00:00 UTC) or a withdrawal published late
// is still read.
const DefaultFinanceLookback = 24 * time.Hour

// FinanceCheckpoint is the cursor of the statements and withdrawals
// streams. A run reads [From, End) (statement_time, or create_time) with
// page tokens; a statements walk moves From to each statement stored (the
// statement at From is read again when a run resumes). When the range is
// done only Watermark (its end) and Known remain, and the next run reads
// from Watermark - Config.FinanceLookback, or from the earliest record of
// Known that is not final, whichever is earlier.
type FinanceCheckpoint struct {
	Phase     string `json:"phase"` // "full" or "incremental"
	From      int64  `json:"window_from,omitempty"`
	End       int64  `json:"end,omitempty"`
	Watermark int64  `json:"watermark"`
	// Known are records stored already, by id: those whose status is not
	// final (read again until it is) and those of the lookback overlap. A
	// known statement whose settlement_amount is unchanged is stored again
	// without reading its transactions again. Every known record in a
	// range read must be listed again, else the run fails.
	Known map[string]KnownRecord `json:"known,omitempty"`
}

// KnownRecord is what a checkpoint remembers of a stored record.
type KnownRecord struct {
	Time       int64  `json:"time"`
	Final      bool   `json:"final,omitempty"`
	Settlement string `json:"settlement,omitempty"`
}

// finalStatus reports whether a statement's payment_status or a
// withdrawal's status no longer changes (PAID, FAILED; SUCCESS for a
// withdrawal).
func finalStatus(s string) bool { return s == "PAID" || s == "FAILED" || s == "SUCCESS" }

// finRecord is the Data of a finance record: the object as sent, with
// what the stream knows around it.
type finRecord struct {
	ShopID string `json:"shop_id"`
	// StatementID, StatementTime and Currency are the statement of a
	// transaction.
	StatementID   string          `json:"statement_id,omitempty"`
	StatementTime int64           `json:"statement_time,omitempty"`
	Currency      string          `json:"currency,omitempty"`
	Data          json.RawMessage `json:"data"`
}

// Record key prefixes of the statements stream.
const (
	keyStatement   = "statement:"
	keyTransaction = "transaction:"
)

type finStream struct {
	s    *Source
	name string
}

func (f *finStream) Name() string { return f.name }

// shopID resolves the shop (once per source) and returns its id, the
// first column of every finance key.
func (s *Source) shopID(ctx context.Context) (string, error) {
	if s.shop.Load() == nil {
		shop, err := s.c.ShopInfo(ctx)
		if err != nil {
			return "", err
		}
		s.shop.Store(newShopCols(shop))
	}
	id, _ := s.shop.Load()[0].(string)
	if id == "" {
		return "", fmt.Errorf("tiktok shop %s: the shops list gives the shop no id", s.c.Shop())
	}
	return id, nil
}

// Read implements connector.Stream.
func (f *finStream) Read(ctx context.Context, opts connector.ReadOptions, emit connector.EmitFunc) error {
	s := f.s
	var cp FinanceCheckpoint
	if opts.Checkpoint != nil {
		if err := json.Unmarshal(opts.Checkpoint, &cp); err != nil {
			return fmt.Errorf("tiktok shop %s %s: bad checkpoint: %w", s.c.Shop(), f.name, err)
		}
	}
	now := s.cfg.Now().Unix()
	switch {
	case opts.Checkpoint == nil:
		start := opts.Since
		if start.IsZero() {
			start = s.cfg.StartDate
		}
		cp = FinanceCheckpoint{Phase: "full", From: start.Unix(), End: now}
	case cp.End == 0:
		from := time.Unix(cp.Watermark, 0).Add(-s.cfg.FinanceLookback).Unix()
		for _, k := range cp.Known {
			if !k.Final {
				from = min(from, k.Time)
			}
		}
		if from >= now {
			return nil
		}
		cp = FinanceCheckpoint{Phase: "incremental", From: from, End: now, Watermark: cp.Watermark, Known: cp.Known}
	}
	if cp.Known == nil {
		cp.Known = map[string]KnownRecord{}
	}
	shop, err := s.shopID(ctx)
	if err != nil {
		return err
	}
	if cp.From >= cp.End {
		return f.done(ctx, cp, emit)
	}
	if f.name == StreamStatements {
		return f.statements(ctx, shop, cp, emit)
	}
	return f.withdrawals(ctx, shop, cp, emit)
}

// done emits the checkpoint of a finished range: the watermark, and the
// known records still needed (not final, or in the next run's overlap).
func (f *finStream) done(ctx context.Context, cp FinanceCheckpoint, emit connector.EmitFunc) error {
	next := FinanceCheckpoint{Phase: "incremental", Watermark: max(cp.End, cp.Watermark), Known: f.keep(cp.Known, cp.End)}
	data, err := json.Marshal(next)
	if err != nil {
		return err
	}
	return emit(ctx, connector.Page{Checkpoint: data})
}

// keep returns the known records a checkpoint carries while its range is
// read up to at: the ones not final and those at or after at minus the
// lookback.
func (f *finStream) keep(known map[string]KnownRecord, at int64) map[string]KnownRecord {
	edge := time.Unix(at, 0).Add(-f.s.cfg.FinanceLookback).Unix()
	out := map[string]KnownRecord{}
	for id, k := range known {
		if !k.Final || k.Time >= edge {
			out[id] = k
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// rangeName names the stream's range in errors.
func (f *finStream) rangeName(cp FinanceCheckpoint) string {
	return fmt.Sprintf("tiktok shop %s: %s [%s, %s)", f.s.c.Shop(), f.name,
		time.Unix(cp.From, 0).UTC().Format(time.RFC3339), time.Unix(cp.End, 0).UTC().Format(time.RFC3339))
}

// statements walks the statements of [cp.From, cp.End) in statement_time
// order; each statement is emitted with its transactions (read unless the
// statement is known and its settlement_amount unchanged) and the
// checkpoint at its statement_time.
func (f *finStream) statements(ctx context.Context, shop string, cp FinanceCheckpoint, emit connector.EmitFunc) error {
	s := f.s
	size := s.c.cfg.FinancePageSize
	walkFrom := cp.From
	listed := map[string]bool{}
	tokens := map[string]bool{}
	last := cp.From
	token := ""
	for {
		p, err := s.c.GetStatements(ctx, walkFrom, cp.End, token, size)
		if err != nil {
			return fmt.Errorf("%s: statements page: %w", f.rangeName(cp), err)
		}
		for _, st := range p.Statements {
			switch {
			case st.Time < walkFrom || st.Time >= cp.End:
				return fmt.Errorf("%s: statement %s has statement_time %d outside the range asked: %w", f.rangeName(cp), st.ID, st.Time, ErrBadResponse)
			case st.Time < last:
				return fmt.Errorf("%s: statement %s comes after a later statement (statement_time %d < %d): %w",
					f.rangeName(cp), st.ID, st.Time, last, ErrBadResponse)
			case listed[st.ID]:
				return fmt.Errorf("%s: statement %s is listed twice: %w", f.rangeName(cp), st.ID, ErrBadResponse)
			}
			last = st.Time
			listed[st.ID] = true
			data, _ := json.Marshal(finRecord{ShopID: shop, Data: st.Raw})
			recs := []connector.Record{{Key: keyStatement + st.ID, Data: data, RequestID: p.RequestID}}
			if k, ok := cp.Known[st.ID]; ok && k.Settlement == st.Settlement {
				s.finRereads.Add(1)
			} else {
				txns, err := f.transactions(ctx, shop, st)
				if err != nil {
					return fmt.Errorf("%s: %w", f.rangeName(cp), err)
				}
				recs = append(recs, txns...)
			}
			s.finStatements.Add(1)
			cp.Known[st.ID] = KnownRecord{Time: st.Time, Final: finalStatus(st.PaymentStatus), Settlement: st.Settlement}
			// The checkpoint never passes a known statement this walk has
			// not listed again: a resumed run must still see it (or fail).
			pos := st.Time
			for id, k := range cp.Known {
				if k.Time >= walkFrom && k.Time < pos && !listed[id] {
					pos = k.Time
				}
			}
			next := cp
			next.From = pos
			next.Known = f.keep(cp.Known, pos)
			data, err = json.Marshal(next)
			if err != nil {
				return err
			}
			if err := emit(ctx, connector.Page{Records: recs, Checkpoint: data}); err != nil {
				return err
			}
		}
		if p.NextPageToken == "" {
			break
		}
		if tokens[p.NextPageToken] {
			return fmt.Errorf("%s: next_page_token repeats a token of the same walk: %w", f.rangeName(cp), ErrPageTokenCycle)
		}
		tokens[p.NextPageToken] = true
		token = p.NextPageToken
	}
	for id, k := range cp.Known {
		if k.Time >= walkFrom && k.Time < cp.End && !listed[id] {
			return fmt.Errorf("%s: statement %s (statement_time %d), stored before, is missing from the statements list: %w",
				f.rangeName(cp), id, k.Time, ErrBadResponse)
		}
	}
	return f.done(ctx, cp, emit)
}

// transactions reads every transaction of a statement. The read must reach
// the statement's total_count; a short read is read again once, then fails
// naming the statement.
func (f *finStream) transactions(ctx context.Context, shop string, st StatementRow) ([]connector.Record, error) {
	s := f.s
	for attempt := 0; ; attempt++ {
		var recs []connector.Record
		seen := map[string]bool{}
		tokens := map[string]bool{}
		total := -1
		token := ""
		for {
			p, err := s.c.GetStatementTransactions(ctx, st.ID, token, s.c.cfg.FinancePageSize)
			if err != nil {
				return nil, fmt.Errorf("statement %s: transactions: %w", st.ID, err)
			}
			if total < 0 {
				total = p.TotalCount
			}
			for _, t := range p.Transactions {
				if seen[t.ID] {
					return nil, fmt.Errorf("statement %s: transaction %s is listed twice: %w", st.ID, t.ID, ErrBadResponse)
				}
				seen[t.ID] = true
				data, _ := json.Marshal(finRecord{ShopID: shop, StatementID: st.ID, StatementTime: st.Time, Currency: p.Currency, Data: t.Raw})
				recs = append(recs, connector.Record{Key: keyTransaction + t.ID, Data: data, RequestID: p.RequestID})
			}
			if p.NextPageToken == "" {
				break
			}
			if tokens[p.NextPageToken] {
				return nil, fmt.Errorf("statement %s: next_page_token repeats a token of the same read: %w", st.ID, ErrPageTokenCycle)
			}
			if len(seen) > total {
				return nil, fmt.Errorf("statement %s: read %d transactions, more than the %d counted, and the pages go on: %w",
					st.ID, len(seen), total, ErrContradictoryCount)
			}
			tokens[p.NextPageToken] = true
			token = p.NextPageToken
		}
		if len(seen) == total {
			return recs, nil
		}
		if attempt > 0 || len(seen) > total {
			return nil, fmt.Errorf("statement %s: read %d transactions, the platform counts %d: %w", st.ID, len(seen), total, ErrShortRead)
		}
		s.c.log.Warn("tiktok statement transactions read fewer than counted; reading them again", "shop", s.c.Shop(),
			"statement", st.ID, "read", len(seen), "total_count", total)
	}
}

// withdrawals reads the withdrawal records of [cp.From, cp.End); the
// checkpoint moves only at the end of the range (the order of the list is
// not documented). The read must reach total_count (read again once).
func (f *finStream) withdrawals(ctx context.Context, shop string, cp FinanceCheckpoint, emit connector.EmitFunc) error {
	s := f.s
	for attempt := 0; ; attempt++ {
		listed := map[string]bool{}
		tokens := map[string]bool{}
		total := -1
		token := ""
		for {
			p, err := s.c.GetWithdrawals(ctx, cp.From, cp.End, token, s.c.cfg.FinancePageSize)
			if err != nil {
				return fmt.Errorf("%s: %w", f.rangeName(cp), err)
			}
			if total < 0 {
				total = p.TotalCount
			}
			recs := make([]connector.Record, 0, len(p.Withdrawals))
			for _, w := range p.Withdrawals {
				if w.CreateTime < cp.From || w.CreateTime >= cp.End {
					return fmt.Errorf("%s: withdrawal %s has create_time %d outside the range asked: %w", f.rangeName(cp), w.ID, w.CreateTime, ErrBadResponse)
				}
				if listed[w.ID] {
					return fmt.Errorf("%s: withdrawal %s is listed twice: %w", f.rangeName(cp), w.ID, ErrBadResponse)
				}
				listed[w.ID] = true
				cp.Known[w.ID] = KnownRecord{Time: w.CreateTime, Final: finalStatus(w.Status)}
				data, _ := json.Marshal(finRecord{ShopID: shop, Data: w.Raw})
				recs = append(recs, connector.Record{Key: w.ID, Data: data, RequestID: p.RequestID})
			}
			if len(recs) > 0 {
				if err := emit(ctx, connector.Page{Records: recs}); err != nil {
					return err
				}
			}
			if p.NextPageToken == "" {
				break
			}
			if tokens[p.NextPageToken] {
				return fmt.Errorf("%s: next_page_token repeats a token of the same read: %w", f.rangeName(cp), ErrPageTokenCycle)
			}
			if len(listed) > total {
				return fmt.Errorf("%s: read %d withdrawals, more than the %d counted, and the pages go on: %w",
					f.rangeName(cp), len(listed), total, ErrContradictoryCount)
			}
			tokens[p.NextPageToken] = true
			token = p.NextPageToken
		}
		if len(listed) != total {
			if attempt > 0 || len(listed) > total {
				return fmt.Errorf("%s: read %d withdrawals, the platform counts %d: %w", f.rangeName(cp), len(listed), total, ErrShortRead)
			}
			continue
		}
		for id, k := range cp.Known {
			if k.Time >= cp.From && k.Time < cp.End && !listed[id] {
				return fmt.Errorf("%s: withdrawal %s (create_time %d), stored before, is missing from the list: %w",
					f.rangeName(cp), id, k.Time, ErrBadResponse)
			}
		}
		return f.done(ctx, cp, emit)
	}
}

// financeStreams are the source's finance streams (none when disabled).
func (s *Source) financeStreams() []connector.Stream {
	if s.cfg.DisableFinance {
		return nil
	}
	return []connector.Stream{&finStream{s: s, name: StreamStatements}, &finStream{s: s, name: StreamWithdrawals}}
}
