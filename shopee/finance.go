package shopee

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/facolos/etl/connector"
)

// Names of the finance streams.
const (
	StreamEscrow = "escrow"
	StreamWallet = "wallet_transactions"
)

// DefaultFinanceLookback is the default of Config.FinanceLookback: the
// contract's one-day overlap.
const DefaultFinanceLookback = 24 * time.Hour

// maxEmptyPages is how many pages in a row get_escrow_list may answer empty
// with more=true (the contract says it happens) before the walk fails.
const maxEmptyPages = 3

// adjustmentTypes are the wallet transaction types that move an order's
// money after its escrow was released: the wallet stream reads the order's
// escrow detail again when it sees one.
var adjustmentTypes = map[string]bool{
	"ADJUSTMENT_ADD": true, "ADJUSTMENT_MINUS": true, "ADJUSTMENT_CENTER_ADD": true, "ADJUSTMENT_CENTER_DEDUCT": true,
	"ADJUSTMENT_FOR_RR_AFTER_ESCROW_VERIFIED": true, "SELLER_COMPENSATE_ADD": true,
}

// FinanceCheckpoint is the cursor of the escrow and wallet streams. A run
// walks [From, End] in windows of at most FinanceWindow; consecutive
// windows share their boundary second. When the range is done only
// Watermark (the range's end) remains, and the next run reads from
// Watermark - Config.FinanceLookback.
type FinanceCheckpoint struct {
	Phase     string `json:"phase"` // "full" or "incremental"
	From      int64  `json:"window_from,omitempty"`
	End       int64  `json:"end,omitempty"`
	Watermark int64  `json:"watermark"`
}

// incomeRecord is the Data of an escrow-detail record: the detail, and
// what is known of its release.
type incomeRecord struct {
	OrderSN string `json:"order_sn"`
	// Release is the get_escrow_list row (absent when the detail was read
	// for another reason).
	Release json.RawMessage `json:"release,omitempty"`
	// ReleaseTime is the release's escrow_release_time.
	ReleaseTime int64 `json:"release_time,omitempty"`
	// AdjustedAt is the create_time of the wallet adjustment that made the
	// detail be read again (0: none).
	AdjustedAt int64 `json:"adjusted_at,omitempty"`
	// Released says the escrow was released (false: an estimate).
	Released bool            `json:"released"`
	Detail   json.RawMessage `json:"escrow_detail"`
}

type financeStream struct {
	s    *Source
	name string
}

func (f *financeStream) Name() string { return f.name }

// Read implements connector.Stream.
func (f *financeStream) Read(ctx context.Context, opts connector.ReadOptions, emit connector.EmitFunc) error {
	s := f.s
	var cp FinanceCheckpoint
	if opts.Checkpoint != nil {
		if err := json.Unmarshal(opts.Checkpoint, &cp); err != nil {
			return fmt.Errorf("shopee shop %d %s: bad checkpoint: %w", s.cfg.ShopID, f.name, err)
		}
	}
	if opts.Checkpoint == nil || cp.End == 0 {
		now := s.c.Now()
		if s.cfg.Now == nil {
			t, err := s.c.SyncClock(ctx)
			if err != nil {
				return err
			}
			now = t
		}
		if opts.Checkpoint == nil {
			start := opts.Since
			if start.IsZero() {
				start = s.cfg.StartDate
			}
			if start.IsZero() {
				start = s.earliestSeen()
			}
			if start.IsZero() {
				start = now.Add(-MaxHistory)
			}
			cp = FinanceCheckpoint{Phase: "full", From: start.Unix(), End: now.Unix()}
		} else {
			from := time.Unix(cp.Watermark, 0).Add(-s.cfg.FinanceLookback)
			if !from.Before(now) {
				return nil
			}
			cp = FinanceCheckpoint{Phase: "incremental", From: from.Unix(), End: now.Unix(), Watermark: cp.Watermark}
		}
	}
	q := newDetailQueue(f)
	for cp.From <= cp.End {
		to := min(cp.From+int64(FinanceWindow/time.Second), cp.End)
		var err error
		switch f.name {
		case StreamEscrow:
			err = f.escrowWindow(ctx, cp.From, to, q, emit)
		case StreamEstimates:
			err = f.estimateWindow(ctx, cp.From, to, q, emit)
		default:
			// A full load details every order released in its range as it
			// is now, adjustments included: only incremental runs read the
			// adjusted orders again.
			err = f.walletWindow(ctx, cp.From, to, cp.Phase == "incremental", q, emit)
		}
		if err != nil {
			return err
		}
		next := cp
		if to == cp.End {
			next = FinanceCheckpoint{Phase: "incremental", Watermark: cp.End}
		} else {
			next.From = to // the boundary second is read again
		}
		b, _ := json.Marshal(next)
		if err := q.endWindow(ctx, b, to == cp.End, emit); err != nil {
			return err
		}
		if to == cp.End {
			return nil
		}
		cp = next
	}
	return nil
}

// escrowWindow reads the releases of [from, to] and queues their orders
// for their details.
func (f *financeStream) escrowWindow(ctx context.Context, from, to int64, q *detailQueue, emit connector.EmitFunc) error {
	s := f.s
	var prev map[string]bool
	empty := 0
	for no := 1; ; no++ {
		p, err := s.c.GetEscrowList(ctx, time.Unix(from, 0), time.Unix(to, 0), no, FinancePageSize)
		if err != nil {
			return fmt.Errorf("shopee shop %d: escrow list [%d, %d] page %d: %w", s.cfg.ShopID, from, to, no, err)
		}
		seen := map[string]bool{}
		for _, r := range p.Releases {
			if prev[r.OrderSN] {
				return fmt.Errorf("shopee shop %d: escrow list [%d, %d] page %d repeats order %s of the page before (page_no ignored?): %w",
					s.cfg.ShopID, from, to, no, r.OrderSN, ErrBadResponse)
			}
			seen[r.OrderSN] = true
			if err := q.add(ctx, incomeRecord{OrderSN: r.OrderSN, Release: r.Raw, ReleaseTime: r.ReleaseTime, Released: true}, emit); err != nil {
				return err
			}
		}
		prev = seen
		if !p.More {
			return nil
		}
		if len(p.Releases) == 0 {
			if empty++; empty > maxEmptyPages {
				return fmt.Errorf("shopee shop %d: escrow list [%d, %d]: %d empty pages in a row say more=true: %w",
					s.cfg.ShopID, from, to, empty, ErrBadResponse)
			}
		} else {
			empty = 0
		}
	}
}

// walletWindow reads the wallet transactions of [from, to] and, when
// redetail, queues the orders that adjustments among them name for their
// escrow details.
func (f *financeStream) walletWindow(ctx context.Context, from, to int64, redetail bool, q *detailQueue, emit connector.EmitFunc) error {
	s := f.s
	var prevFirst string
	for no := 0; ; no++ {
		p, err := s.c.GetWalletTransactions(ctx, time.Unix(from, 0), time.Unix(to, 0), no, FinancePageSize)
		if err != nil {
			return fmt.Errorf("shopee shop %d: wallet transactions [%d, %d] page %d: %w", s.cfg.ShopID, from, to, no, err)
		}
		if p.More && len(p.Txns) < FinancePageSize {
			return fmt.Errorf("shopee shop %d: wallet transactions [%d, %d] page %d has %d of %d transactions but says more=true: %w",
				s.cfg.ShopID, from, to, no, len(p.Txns), FinancePageSize, ErrBadResponse)
		}
		if len(p.Txns) > 0 {
			first := string(p.Txns[0].Raw)
			if first == prevFirst {
				return fmt.Errorf("shopee shop %d: wallet transactions [%d, %d] page %d repeats the page before (page_no ignored?): %w",
					s.cfg.ShopID, from, to, no, ErrBadResponse)
			}
			prevFirst = first
		}
		recs := make([]connector.Record, 0, len(p.Txns))
		var adjusted []incomeRecord
		for _, t := range p.Txns {
			k, err := walletKey(t.Raw)
			if err != nil {
				return fmt.Errorf("shopee shop %d: wallet transactions [%d, %d] page %d: %w", s.cfg.ShopID, from, to, no, err)
			}
			recs = append(recs, connector.Record{Key: k, Data: t.Raw, RequestID: p.RequestID})
			if redetail && adjustmentTypes[t.Type] && t.OrderSN != "" {
				adjusted = append(adjusted, incomeRecord{OrderSN: t.OrderSN, AdjustedAt: t.CreateTime, Released: true})
			}
		}
		if len(recs) > 0 {
			if err := emit(ctx, connector.Page{Records: recs}); err != nil {
				return err
			}
		}
		for _, r := range adjusted {
			if err := q.add(ctx, r, emit); err != nil {
				return err
			}
		}
		if !p.More {
			return nil
		}
	}
}

// detailQueue gathers the orders a stream reads escrow details of, across
// pages and windows, and asks for them EscrowBatch at a time: a load makes
// ceil(orders / EscrowBatch) detail calls, not one more per page or window
// that ends with a partial batch.
//
// A window's checkpoint covers the orders listed in it, so it is held back
// while any of them waits in the queue: it is emitted with the batch that
// stores them, and a later window's checkpoint replaces a held one (the
// newest safe one is kept). A committed checkpoint therefore never passes
// an order whose detail is not stored; a crash re-reads at most the windows
// since the last batch.
type detailQueue struct {
	f       *financeStream
	pending []incomeRecord
	at      map[string]int // order_sn -> index in pending
	held    connector.Checkpoint
	// cur and prev are the orders queued in the current and the previous
	// window, with their stamp: consecutive windows share their boundary
	// second, and an order read twice at it is asked for once.
	cur, prev map[string]int64
}

func newDetailQueue(f *financeStream) *detailQueue {
	return &detailQueue{f: f, at: map[string]int{}, cur: map[string]int64{}, prev: map[string]int64{}}
}

// stamp orders two readings of one order: the later release or adjustment
// is the one to keep.
func (r incomeRecord) stamp() int64 { return max(r.ReleaseTime, r.AdjustedAt) }

// add queues r, reading the details of a full batch at once. An order
// already queued keeps one place, with the later of the two readings; one
// already read in this window or the one before is not read again unless
// this reading is later.
func (q *detailQueue) add(ctx context.Context, r incomeRecord, emit connector.EmitFunc) error {
	sn := r.OrderSN
	if i, ok := q.at[sn]; ok {
		if r.stamp() > q.pending[i].stamp() {
			r.AdjustedAt = max(r.AdjustedAt, q.pending[i].AdjustedAt)
			q.pending[i] = r
			q.cur[sn] = r.stamp()
		}
		return nil
	}
	if st, ok := q.cur[sn]; ok && r.stamp() <= st {
		return nil
	}
	if st, ok := q.prev[sn]; ok && r.stamp() <= st {
		return nil
	}
	q.cur[sn] = r.stamp()
	q.at[sn] = len(q.pending)
	q.pending = append(q.pending, r)
	if len(q.pending) >= EscrowBatch {
		return q.flush(ctx, emit)
	}
	return nil
}

// endWindow takes the checkpoint after a window: emitted now when no order
// waits, else held until the batch that stores the waiting orders. The
// last window's (final) flushes the queue with it.
func (q *detailQueue) endWindow(ctx context.Context, cp connector.Checkpoint, final bool, emit connector.EmitFunc) error {
	q.prev, q.cur = q.cur, map[string]int64{}
	q.held = cp
	if final || len(q.pending) == 0 {
		return q.flush(ctx, emit)
	}
	return nil
}

// flush reads the details of the queued orders and emits them with the
// held checkpoint, if any.
func (q *detailQueue) flush(ctx context.Context, emit connector.EmitFunc) error {
	recs := q.pending
	q.pending = nil
	clear(q.at)
	var out []connector.Record
	if len(recs) > 0 {
		var err error
		if out, err = q.f.details(ctx, recs); err != nil {
			return err
		}
	}
	p := connector.Page{Records: out, Checkpoint: q.held}
	q.held = nil
	if len(p.Records) == 0 && p.Checkpoint == nil {
		return nil
	}
	return emit(ctx, p)
}

// details fetches the escrow details of recs (1..EscrowBatch orders) in
// one call and returns one record per order. A released order the answer
// leaves out is asked for once more; left out again, it fails the run
// (never read as "no income").
func (f *financeStream) details(ctx context.Context, recs []incomeRecord) ([]connector.Record, error) {
	s := f.s
	sns := make([]string, len(recs))
	for i, r := range recs {
		sns[i] = r.OrderSN
	}
	d, err := s.c.GetEscrowDetailBatch(ctx, sns)
	if err != nil {
		return nil, fmt.Errorf("shopee shop %d: escrow details: %w", s.cfg.ShopID, err)
	}
	var missing []string
	for _, sn := range sns {
		if _, ok := d.Details[sn]; !ok {
			missing = append(missing, sn)
		}
	}
	reqIDs := map[string]string{}
	for sn := range d.Details {
		reqIDs[sn] = d.RequestID
	}
	if len(missing) > 0 && !recs[0].Released {
		// An estimable order without an escrow has not been paid (a
		// cash-on-delivery order before delivery): there is nothing to
		// estimate yet. The released escrow, when it comes, is read by
		// the escrow stream, which never passes over one.
		kept := recs[:0:0]
		for _, r := range recs {
			if _, ok := d.Details[r.OrderSN]; ok {
				kept = append(kept, r)
			}
		}
		recs, sns, missing = kept, nil, nil
		for _, r := range recs {
			sns = append(sns, r.OrderSN)
		}
	}
	if len(missing) > 0 {
		again, err := s.c.GetEscrowDetailBatch(ctx, missing)
		if err != nil {
			return nil, fmt.Errorf("shopee shop %d: escrow details: %w", s.cfg.ShopID, err)
		}
		var still []string
		for _, sn := range missing {
			if det, ok := again.Details[sn]; ok {
				d.Details[sn], reqIDs[sn] = det, again.RequestID
			} else {
				still = append(still, sn)
			}
		}
		if len(still) > 0 {
			return nil, fmt.Errorf("shopee shop %d: get_escrow_detail_batch left out %d released order(s) twice: %s: %w",
				s.cfg.ShopID, len(still), strings.Join(still, ", "), ErrBadResponse)
		}
	}
	out := make([]connector.Record, len(recs))
	for i, r := range recs {
		r.Detail = d.Details[sns[i]]
		data, err := json.Marshal(r)
		if err != nil {
			return nil, err
		}
		out[i] = connector.Record{Key: sns[i], Data: data, RequestID: reqIDs[sns[i]]}
	}
	return out, nil
}

// walletKey is a wallet transaction's key: "id:<transaction_id>" when the
// answer carries transaction_id (not in the documentation's field table,
// read by ERP clients), otherwise "h:" and a digest of the fields that
// identify it.
func walletKey(raw json.RawMessage) (string, error) {
	var t struct {
		ID           *json.Number `json:"transaction_id"`
		CreateTime   json.Number  `json:"create_time"`
		Type         string       `json:"transaction_type"`
		Amount       json.Number  `json:"amount"`
		OrderSN      string       `json:"order_sn"`
		WithdrawalID json.Number  `json:"withdrawal_id"`
	}
	if err := json.Unmarshal(raw, &t); err != nil {
		return "", fmt.Errorf("wallet transaction: %w", err)
	}
	if t.ID != nil {
		if _, err := t.ID.Int64(); err != nil {
			return "", fmt.Errorf("wallet transaction: transaction_id %q is not an integer", t.ID.String())
		}
		return "id:" + t.ID.String(), nil
	}
	return "h:" + digest(string(t.CreateTime), t.Type, string(t.Amount), t.OrderSN, string(t.WithdrawalID)), nil
}

// digest is the hex SHA-256 of the parts, each followed by a NUL.
func digest(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:40]
}

// earliestSeen is the day of the shop's first order when this process
// discovered it (the orders stream's full load), else zero: a finance full
// load without a start date starts there instead of two years back.
func (s *Source) earliestSeen() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.first == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.DateOnly, s.first)
	if err != nil {
		return time.Time{}
	}
	return t
}
