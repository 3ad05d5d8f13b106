package shopee

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
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
	for cp.From <= cp.End {
		to := min(cp.From+int64(FinanceWindow/time.Second), cp.End)
		var err error
		switch f.name {
		case StreamEscrow:
			err = f.escrowWindow(ctx, cp.From, to, emit)
		case StreamEstimates:
			err = f.estimateWindow(ctx, cp.From, to, emit)
		default:
			// A full load details every order released in its range as it
			// is now, adjustments included: only incremental runs read the
			// adjusted orders again.
			err = f.walletWindow(ctx, cp.From, to, cp.Phase == "incremental", emit)
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
		if err := emit(ctx, connector.Page{Checkpoint: b}); err != nil {
			return err
		}
		if to == cp.End {
			return nil
		}
		cp = next
	}
	return nil
}

// escrowWindow reads the releases of [from, to] and their details.
func (f *financeStream) escrowWindow(ctx context.Context, from, to int64, emit connector.EmitFunc) error {
	s := f.s
	var prev map[string]bool
	empty := 0
	for no := 1; ; no++ {
		p, err := s.c.GetEscrowList(ctx, time.Unix(from, 0), time.Unix(to, 0), no, FinancePageSize)
		if err != nil {
			return fmt.Errorf("shopee shop %d: escrow list [%d, %d] page %d: %w", s.cfg.ShopID, from, to, no, err)
		}
		seen := map[string]bool{}
		var recs []incomeRecord
		for _, r := range p.Releases {
			if prev[r.OrderSN] {
				return fmt.Errorf("shopee shop %d: escrow list [%d, %d] page %d repeats order %s of the page before (page_no ignored?): %w",
					s.cfg.ShopID, from, to, no, r.OrderSN, ErrBadResponse)
			}
			if seen[r.OrderSN] {
				continue
			}
			seen[r.OrderSN] = true
			recs = append(recs, incomeRecord{OrderSN: r.OrderSN, Release: r.Raw, ReleaseTime: r.ReleaseTime, Released: true})
		}
		prev = seen
		if err := f.detail(ctx, recs, p.RequestID, emit); err != nil {
			return err
		}
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
// redetail, the escrow details of the orders that adjustments among them
// name.
func (f *financeStream) walletWindow(ctx context.Context, from, to int64, redetail bool, emit connector.EmitFunc) error {
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
		adjusted := map[string]int64{}
		for _, t := range p.Txns {
			k, err := walletKey(t.Raw)
			if err != nil {
				return fmt.Errorf("shopee shop %d: wallet transactions [%d, %d] page %d: %w", s.cfg.ShopID, from, to, no, err)
			}
			recs = append(recs, connector.Record{Key: k, Data: t.Raw, RequestID: p.RequestID})
			if redetail && adjustmentTypes[t.Type] && t.OrderSN != "" {
				adjusted[t.OrderSN] = max(adjusted[t.OrderSN], t.CreateTime)
			}
		}
		if len(recs) > 0 {
			if err := emit(ctx, connector.Page{Records: recs}); err != nil {
				return err
			}
		}
		var again []incomeRecord
		for sn, at := range adjusted {
			again = append(again, incomeRecord{OrderSN: sn, AdjustedAt: at, Released: true})
		}
		sort.Slice(again, func(i, j int) bool { return again[i].OrderSN < again[j].OrderSN })
		if err := f.detail(ctx, again, p.RequestID, emit); err != nil {
			return err
		}
		if !p.More {
			return nil
		}
	}
}

// detail fetches the escrow details of recs (whose Release names the
// order) in batches of EscrowBatch and emits one record per order. An
// order the answer leaves out is asked for once more on its own batch;
// left out again, it fails the run (never read as "no income").
func (f *financeStream) detail(ctx context.Context, recs []incomeRecord, _ string, emit connector.EmitFunc) error {
	s := f.s
	for lo := 0; lo < len(recs); lo += EscrowBatch {
		chunk := recs[lo:min(lo+EscrowBatch, len(recs))]
		sns := make([]string, len(chunk))
		for i, r := range chunk {
			sns[i] = r.OrderSN
		}
		d, err := s.c.GetEscrowDetailBatch(ctx, sns)
		if err != nil {
			return fmt.Errorf("shopee shop %d: escrow details: %w", s.cfg.ShopID, err)
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
		estimates := len(chunk) > 0 && !chunk[0].Released
		if len(missing) > 0 && estimates {
			// An estimable order without an escrow has not been paid (a
			// cash-on-delivery order before delivery): there is nothing to
			// estimate yet. The released escrow, when it comes, is read by
			// the escrow stream, which never passes over one.
			kept := chunk[:0:0]
			for _, r := range chunk {
				if _, ok := d.Details[r.OrderSN]; ok {
					kept = append(kept, r)
				}
			}
			chunk, sns, missing = kept, nil, nil
			for _, r := range chunk {
				sns = append(sns, r.OrderSN)
			}
		}
		if len(missing) > 0 {
			again, err := s.c.GetEscrowDetailBatch(ctx, missing)
			if err != nil {
				return fmt.Errorf("shopee shop %d: escrow details: %w", s.cfg.ShopID, err)
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
				return fmt.Errorf("shopee shop %d: get_escrow_detail_batch left out %d released order(s) twice: %s: %w",
					s.cfg.ShopID, len(still), strings.Join(still, ", "), ErrBadResponse)
			}
		}
		if len(chunk) == 0 {
			continue
		}
		out := make([]connector.Record, len(chunk))
		for i, r := range chunk {
			r.Detail = d.Details[sns[i]]
			data, err := json.Marshal(r)
			if err != nil {
				return err
			}
			out[i] = connector.Record{Key: sns[i], Data: data, RequestID: reqIDs[sns[i]]}
		}
		if err := emit(ctx, connector.Page{Records: out}); err != nil {
			return err
		}
	}
	return nil
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
