package lazada_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/simfault"
	"github.com/facolos/etl/internal/testsinks"
	"github.com/facolos/etl/lazada"
	"github.com/facolos/etl/lazada/lazadatest"
	"github.com/facolos/etl/sink/postgres"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/facolos/etl/tokenstore"
	"github.com/stretchr/testify/require"
)

// finSim starts a simulator whose history ends two days before the real
// clock, so that its last weeks' statements are still open and moving its
// clock pays them.
func finSim(t testing.TB, opts lazadatest.Options) *lazadatest.Server {
	t.Helper()
	if opts.Now.IsZero() {
		opts.Now = time.Now().Add(-48 * time.Hour).Truncate(time.Second)
	}
	if opts.Orders == 0 {
		opts.Orders = 60
	}
	if opts.Days == 0 {
		opts.Days = 45
	}
	return newSim(t, opts)
}

// finConfig is config with the finance streams on, on the simulator's
// clock, from before its history.
func finConfig(sim *lazadatest.Server, tokens tokenstore.Store, httpCfg connector.HTTPConfig) lazada.Config {
	cfg := config(sim, tokens, httpCfg)
	cfg.DisableFinance, cfg.Now = false, sim.Now
	cfg.StartDate = sim.Now().AddDate(0, 0, -100)
	return cfg
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func decText(s string) string { return connector.MustDec(s).String() }

// finExpected is what every table must hold for the simulator's state:
// the orders and items (expected), and the finance tables read from the
// simulator's ledger and statements. Transaction keys are
// "n:<transaction_number>"; fee_kind is the simulator's own label of
// each row.
func finExpected(sim *lazadatest.Server, doc bool) contents {
	seller := sim.SellerID()
	out := expected(seller, sim.Orders())
	out[lazada.TransactionsTable], out[lazada.PayoutsTable] = map[string]map[string]any{}, map[string]map[string]any{}
	paidText := map[bool]string{true: "Paid", false: "Not paid"}
	if doc {
		paidText = map[bool]string{true: "Yes", false: "No"}
	}
	for _, t := range sim.Transactions() {
		var orderNo, itemNo any
		ref := ""
		if t.OrderID != 0 {
			orderNo, itemNo, ref = t.OrderID, t.OrderItemID, strconv.FormatInt(t.OrderItemID, 10)
		}
		key, number := "n:"+t.Number, any(t.Number)
		if t.Number == "" { // OmitTransactionNumbers: keyed by a digest
			key, number = fmt.Sprintf("seq:%d", t.Seq), nil
		}
		out[lazada.TransactionsTable][seller+"/"+key] = map[string]any{"seller_id": seller, "transaction_key": key,
			"transaction_date": t.Date, "transaction_type": t.Type, "fee_name": t.FeeName, "fee_type": int64(t.FeeType),
			"fee_kind": string(t.Kind), "transaction_number": number, "amount": dec(t.Amount), "vat_in_amount": decText(t.VATInAmount()),
			"wht_amount": dec(0), "wht_included_in_amount": false, "statement": t.Statement,
			"statement_start": day(t.PeriodEnd).AddDate(0, 0, -6).Format(time.DateOnly), "statement_end": t.PeriodEnd,
			"paid_status": paidText[t.Paid], "is_paid": t.Paid, "status_version": map[bool]int64{true: 1}[t.Paid],
			"order_no": orderNo, "order_item_no": itemNo, "order_item_status": t.ItemStatus, "reference": ref, "seller_sku": t.SellerSKU,
			"lazada_sku": t.LazadaSKU, "shipping_provider": t.ShippingProvider, "shipping_speed": t.ShippingSpeed,
			"shipment_type": t.ShipmentType, "payment_ref_id": t.PaymentRefID, "comment": t.Comment, "details": t.Details, "currency": "VND"}
	}
	for _, st := range sim.Statements() {
		out[lazada.PayoutsTable][seller+"/"+st.Number] = map[string]any{"seller_id": seller, "statement_number": st.Number,
			"created_at": ts(st.CreatedAt), "updated_at": ts(st.UpdatedAt), "period_end": st.PeriodEnd, "opening_balance": dec(st.Opening),
			"closing_balance": dec(st.Closing), "item_revenue": dec(st.ItemRevenue), "other_revenue_total": dec(st.OtherRevenue),
			"fees_total": dec(st.FeesTotal), "subtotal1": dec(st.Subtotal1), "refunds": dec(st.Refunds),
			"fees_on_refunds_total": dec(st.FeesOnRefunds), "subtotal2": dec(st.Subtotal2), "shipment_fee": dec(st.ShipmentFee),
			"shipment_fee_credit": dec(st.ShipmentFeeCredit), "guarantee_deposit": dec(st.GuaranteeDeposit), "payout": dec(st.Payout),
			"payout_currency": "VND", "paid": st.Paid, "statement_version": map[bool]int64{true: 10_000_000_000}[st.Paid] + st.UpdatedAt,
			"currency": "VND"}
	}
	return out
}

// financeExpected is finExpected of the finance tables alone (a load of
// the finance streams alone).
func financeExpected(sim *lazadatest.Server, doc bool) contents {
	c := finExpected(sim, doc)
	c[lazada.OrdersTable], c[lazada.ItemsTable] = nil, nil
	return c
}

// finActual reads every table back; the raw JSON of each finance row must
// be an object (checked here) and is then left out of the comparison.
func finActual(t testing.TB, s tableReader) contents {
	t.Helper()
	got := actual(t, s)
	for _, tb := range []string{lazada.TransactionsTable, lazada.PayoutsTable} {
		for k, row := range got[tb] {
			raw, ok := row["raw_json"].(string)
			require.True(t, ok && strings.HasPrefix(raw, "{"), "%s %s: raw_json %v", tb, k, row["raw_json"])
			delete(row, "raw_json")
		}
	}
	return got
}

func runFinance(t testing.TB, src connector.Source, sink connector.Sink) connector.Result {
	t.Helper()
	res := run(t, src, sink)
	require.NoError(t, res.Err)
	require.Zero(t, res.Rejected)
	return res
}

// minimumTransactionCalls is the contract's minimum for reading the days
// from..to: windows of at most lazada.MaxTransactionSpan days sharing
// their boundary day, each read in pages of 500 until a short page.
func minimumTransactionCalls(sim *lazadatest.Server, from, to time.Time) int {
	per := map[string]int{}
	for _, tx := range sim.Transactions() {
		per[tx.Date]++
	}
	calls := 0
	for a := from; ; a = a.AddDate(0, 0, lazada.MaxTransactionSpan) {
		b := a.AddDate(0, 0, lazada.MaxTransactionSpan)
		if b.After(to) {
			b = to
		}
		rows := 0
		for d := a; !d.After(b); d = d.AddDate(0, 0, 1) {
			rows += per[d.Format(time.DateOnly)]
		}
		calls += rows/lazada.MaxTransactionLimit + 1
		if !b.Before(to) {
			return calls
		}
	}
}

// requireMinimumCalls asserts that a run read the transactions dated from
// to today in the contract's minimum of calls and the statements in one
// call (unless the run crossed midnight, which changes its range).
func requireMinimumCalls(t testing.TB, sim *lazadatest.Server, res connector.Result, from, today time.Time, what string) {
	t.Helper()
	calls := res.APICalls[lazadatest.Rest+lazada.PathTransactions]
	min := minimumTransactionCalls(sim, from, today)
	rows := 0
	for _, tx := range sim.Transactions() {
		if d := day(tx.Date); !d.Before(from) && !d.After(today) {
			rows++
		}
	}
	t.Logf("%s: %d transactions dated %s to %s: %d transaction calls (minimum %d), %d payout status calls", what, rows,
		from.Format(time.DateOnly), today.Format(time.DateOnly), calls, min, res.APICalls[lazadatest.Rest+lazada.PathPayoutStatus])
	if vnDay(sim.Now()).Equal(today) {
		require.EqualValues(t, min, calls, "transaction calls at the contract's minimum")
	}
	require.EqualValues(t, 1, res.APICalls[lazadatest.Rest+lazada.PathPayoutStatus])
}

// A shop whose history spans two windows and several pages is read, in a
// full load and in an incremental run after the clock moves, in the
// contract's minimum of calls: per window of 178 days, its rows / 500 + 1
// pages.
func TestFinanceCallsAtTheMinimum(t *testing.T) {
	t.Parallel()
	sim := finSim(t, lazadatest.Options{Orders: 220, Days: 300})
	cfg := finConfig(sim, nil, connector.HTTPConfig{})
	cfg.StartDate = sim.Now().AddDate(0, 0, -310)
	src := financeOnly{sourceFor(t, cfg)}
	sink := newMemSink()
	from, today := vnDay(cfg.StartDate), vnDay(sim.Now())
	res := runFinance(t, src, sink)
	requireMinimumCalls(t, sim, res, from, today, "full load")
	require.EqualValues(t, 2, src.Stats()["finance_windows"])
	cp := loadFinanceCheckpoint(t, sink, lazada.StreamTransactions)
	sim.AdvanceClock(6 * 24 * time.Hour) // within the access token's 7 days: no refused call
	from, today = earliestDay(vnDay(time.Unix(cp.Watermark, 0).Add(-lazada.DefaultFinanceLookback)), cp.Unpaid), vnDay(sim.Now())
	res = runFinance(t, src, sink)
	requireMinimumCalls(t, sim, res, from, today, "incremental")
}

// memSink keeps the checkpoints, the last row written per table and key,
// and the rejections, in memory: for the tests of what the streams read
// (the warehouses' own rules are tested on SQLite and PostgreSQL).
type memSink struct {
	mu       sync.Mutex
	cps      map[string]connector.Checkpoint
	rows     map[string]map[string][]any
	rejected []connector.Rejection
	writes   int
}

func newMemSink() *memSink {
	return &memSink{cps: map[string]connector.Checkpoint{}, rows: map[string]map[string][]any{}}
}

func (m *memSink) Prepare(context.Context, []*connector.Table) error { return nil }
func (m *memSink) Close() error                                      { return nil }
func (m *memSink) Write(_ context.Context, b *connector.Batch) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.writes++
	for _, tr := range b.Tables {
		if m.rows[tr.Table.Name] == nil {
			m.rows[tr.Table.Name] = map[string][]any{}
		}
		for _, r := range tr.Rows {
			m.rows[tr.Table.Name][fmt.Sprint(r[0], "/", r[1])] = r
		}
	}
	m.rejected = append(m.rejected, b.Rejected...)
	if b.Checkpoint != nil {
		m.cps[b.Pipeline+"/"+b.Stream] = b.Checkpoint
	}
	return nil
}

// ReadTable returns the rows of t (tableReader).
func (m *memSink) ReadTable(_ context.Context, t *connector.Table) ([][]any, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out [][]any
	for _, r := range m.rows[t.Name] {
		out = append(out, r)
	}
	return out, nil
}

func (m *memSink) LoadCheckpoint(_ context.Context, pipeline, stream string) (connector.Checkpoint, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cps[pipeline+"/"+stream], nil
}

func (m *memSink) SaveCheckpoint(_ context.Context, pipeline, stream string, cp connector.Checkpoint) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cps[pipeline+"/"+stream] = cp
	return nil
}

// earliestDay is the earlier of d and the day s (YYYY-MM-DD, "" none).
func earliestDay(d time.Time, s string) time.Time {
	if s != "" && day(s).Before(d) {
		return day(s)
	}
	return d
}

// vnDay is the Vietnam day of t, at midnight UTC.
func vnDay(t time.Time) time.Time { return day(t.In(connector.Vietnam).Format(time.DateOnly)) }

// checkStatements asserts the contract's identities on every stored
// statement (subtotal1 = item_revenue + other_revenue_total - fees_total,
// subtotal2 = subtotal1 - refunds) and that the transactions stored for
// its period sum to its subtotal2.
func checkStatements(t testing.TB, got contents) {
	t.Helper()
	r := func(v any) *big.Rat { return connector.MustDec(v.(string)).Rat() }
	byPeriod := map[string]*big.Rat{}
	for _, tx := range got[lazada.TransactionsTable] {
		end := tx["statement_end"].(string)
		if byPeriod[end] == nil {
			byPeriod[end] = new(big.Rat)
		}
		byPeriod[end].Add(byPeriod[end], r(tx["amount"]))
	}
	require.NotEmpty(t, got[lazada.PayoutsTable])
	for k, st := range got[lazada.PayoutsTable] {
		s1 := new(big.Rat).Add(r(st["item_revenue"]), r(st["other_revenue_total"]))
		s1.Sub(s1, r(st["fees_total"]))
		require.Zero(t, s1.Cmp(r(st["subtotal1"])), "%s: subtotal1", k)
		s2 := new(big.Rat).Sub(s1, r(st["refunds"]))
		require.Zero(t, s2.Cmp(r(st["subtotal2"])), "%s: subtotal2", k)
		sum := byPeriod[st["period_end"].(string)]
		if sum == nil {
			sum = new(big.Rat)
		}
		require.Zero(t, sum.Cmp(s2), "%s: its period's transactions sum to subtotal2", k)
	}
}

// financeSink is a sink that reads its tables (and views) back.
type financeSink interface {
	connector.Sink
	tableReader
}

func financeSinks(t *testing.T) map[string]func(t *testing.T) financeSink {
	return map[string]func(t *testing.T) financeSink{
		"sqlite":   func(t *testing.T) financeSink { return openSink(t, "", sqlite.Config{}) },
		"postgres": func(t *testing.T) financeSink { return testsinks.Postgres(t, "etl_lzfin", postgres.Config{}) },
	}
}

// A full load then an incremental one after the simulator's clock moves
// leave every table equal to the simulator's data, column by column:
// transactions with the simulator's own fee kinds, paid status and
// statement periods; statements whose identities hold and whose period's
// transactions sum to their subtotal2. The advance pays statements that
// were open (their rows turn paid) and brings adjustments and returns
// after settlement (new rows of orders settled before). Each run reads
// the transactions in the contract's minimum of calls (pages of 500 per
// window of 178 days) and the statements in one call. Then an older copy
// of a paid row and of a paid statement never replaces them.
func TestFinanceFullThenIncremental(t *testing.T) {
	t.Parallel()
	for name, open := range financeSinks(t) {
		t.Run(name, func(t *testing.T) {
			sim := finSim(t, lazadatest.Options{})
			fs := open(t)
			cfg := finConfig(sim, nil, connector.HTTPConfig{})
			src := sourceFor(t, cfg)
			from, today := vnDay(cfg.StartDate), vnDay(sim.Now())
			res := runFinance(t, src, fs)
			want := finExpected(sim, false)
			got := finActual(t, fs)
			requireSame(t, want, got)
			checkStatements(t, got)
			checkView(t, fs, sim)
			requireMinimumCalls(t, sim, res, from, today, "full load")

			cp := loadFinanceCheckpoint(t, fs, lazada.StreamTransactions)
			require.NotEmpty(t, cp.Unpaid, "rows not paid yet at the first load")
			before := got
			// A day of the shop (status steps, returns, new orders), then
			// eight days of the finance lifecycle alone.
			require.NotEmpty(t, sim.Advance(24*time.Hour))
			sim.AdvanceClock(8 * 24 * time.Hour)
			from, today = earliestDay(vnDay(time.Unix(cp.Watermark, 0).Add(-lazada.DefaultFinanceLookback)), cp.Unpaid), vnDay(sim.Now())
			res = runFinance(t, src, fs)
			want = finExpected(sim, false)
			got = finActual(t, fs)
			requireSame(t, want, got)
			checkStatements(t, got)
			checkView(t, fs, sim)
			requireMinimumCalls(t, sim, res, from, today, "incremental")
			flipped, later := 0, 0
			settledBefore := map[any]bool{}
			for k, row := range before[lazada.TransactionsTable] {
				if row["is_paid"] == false && got[lazada.TransactionsTable][k]["is_paid"] == true {
					flipped++
				}
				if row["order_no"] != nil {
					settledBefore[row["order_no"]] = true
				}
			}
			for k, row := range got[lazada.TransactionsTable] {
				if _, old := before[lazada.TransactionsTable][k]; !old && row["fee_kind"] == lazada.FeeAdjustment && settledBefore[row["order_no"]] {
					later++
				}
			}
			require.Positive(t, flipped, "rows read unpaid turned paid")
			require.Positive(t, later, "orders settled before the advance got adjustments after it")
			requireOlderCopiesStale(t, sim, fs)
		})
	}
}

func loadFinanceCheckpoint(t testing.TB, s connector.Sink, stream string) lazada.FinanceCheckpoint {
	t.Helper()
	raw, err := s.(interface {
		LoadCheckpoint(ctx context.Context, pipeline, stream string) (connector.Checkpoint, error)
	}).LoadCheckpoint(context.Background(), "lazada/seller", stream)
	require.NoError(t, err)
	var cp lazada.FinanceCheckpoint
	require.NoError(t, json.Unmarshal(raw, &cp))
	return cp
}

// viewTruth is what staging.order_net_payout must show for the
// simulator's orders: the simulator's own net payout of each order (its
// ledger summed by the kinds it created the rows for), the order's
// buyer-paid amount (price - voucher + shipping_fee) and platform voucher
// from its own data, rendered as viewRow renders a row of the view.
func viewTruth(sim *lazadatest.Server) map[string]string {
	orders := map[int64]lazadatest.Order{}
	for _, o := range sim.Orders() {
		orders[o.ID] = o
	}
	out := map[string]string{}
	for id, np := range sim.NetPayouts() {
		o := orders[id]
		k := func(kind lazadatest.FeeKind) int64 { return np.ByKind[kind] }
		status, paidAt := "settled", "NULL"
		if np.Paid {
			status, paidAt = "paid", strconv.FormatInt(np.PaidAt, 10)
		}
		out[strconv.FormatInt(id, 10)] = strings.Join([]string{"lazada", sim.SellerID(), strconv.FormatInt(id, 10),
			strconv.FormatInt(o.CreatedAt, 10), "VND", dec(o.Price() - o.Voucher() + o.ShippingFee),
			dec(-k(lazadatest.KindCommission)), dec(-k(lazadatest.KindService)), dec(-k(lazadatest.KindTransaction)),
			dec(-k(lazadatest.KindOther)), dec(k(lazadatest.KindShipping)), dec(-k(lazadatest.KindVoucherSeller)),
			dec(o.VoucherPlatform), dec(k(lazadatest.KindAdjustment)), dec(np.Net), status, paidAt}, "|")
	}
	return out
}

// checkView compares every Lazada row of staging.order_net_payout (the
// view the sink built from the transformer's part when the runner
// prepared its tables) with viewTruth.
func checkView(t testing.TB, fs financeSink, sim *lazadatest.Server) {
	t.Helper()
	vt := connector.NetPayoutTable()
	rows, err := fs.ReadTable(context.Background(), vt)
	require.NoError(t, err)
	got := map[string]string{}
	for _, r := range rows {
		if r[0] != "lazada" {
			continue
		}
		vals := make([]string, len(r))
		for i, v := range r {
			switch x := v.(type) {
			case nil:
				vals[i] = "NULL"
			case connector.Dec:
				vals[i] = x.String()
			case time.Time:
				vals[i] = strconv.FormatInt(x.Unix(), 10)
			default:
				vals[i] = fmt.Sprint(x)
			}
		}
		got[vals[2]] = strings.Join(vals, "|")
	}
	want := viewTruth(sim)
	require.NotEmpty(t, want)
	var diffs []string
	for k, w := range want {
		if got[k] != w {
			diffs = append(diffs, fmt.Sprintf("order %s:\n want %s\n got  %s", k, w, got[k]))
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			diffs = append(diffs, "unexpected order "+k)
		}
	}
	sort.Strings(diffs)
	if len(diffs) > 5 {
		diffs = append(diffs[:5], fmt.Sprintf("... and %d more", len(diffs)-5))
	}
	require.Empty(t, diffs, "order_net_payout differs from the simulator's net payouts (columns %v)", connector.NetPayoutColumns)
}

// replaySource emits finance records as the streams would.
type replaySource struct {
	stream string
	recs   []connector.Record
}

func (s *replaySource) Streams() []connector.Stream { return []connector.Stream{s} }
func (s *replaySource) Name() string                { return s.stream }
func (s *replaySource) Read(ctx context.Context, _ connector.ReadOptions, emit connector.EmitFunc) error {
	return emit(ctx, connector.Page{Records: s.recs, Checkpoint: connector.Checkpoint(`{}`)})
}

// requireOlderCopiesStale writes, after the loads, an older copy of a
// paid adjustment (read as not paid, as before its statement was paid) and
// of a paid statement (not paid, with an earlier update): both are
// counted stale and the stored rows stay as they were.
func requireOlderCopiesStale(t testing.TB, sim *lazadatest.Server, sink connector.Sink) {
	t.Helper()
	stored := finActual(t, sink.(tableReader))
	var tx lazadatest.Transaction
	for _, x := range sim.Transactions() {
		if x.Paid && x.Kind == lazadatest.KindAdjustment && x.OrderID != 0 {
			tx = x
			break
		}
	}
	require.NotEmpty(t, tx.Number, "a paid adjustment")
	var st lazadatest.Statement
	for _, x := range sim.Statements() {
		if x.Paid {
			st = x
			break
		}
	}
	require.True(t, st.Paid)
	oldTx, err := json.Marshal(map[string]any{"seller_id": sim.SellerID(), "currency": "VND", "key": "n:" + tx.Number,
		"transaction": map[string]any{"transaction_date": day(tx.Date).Format("2 Jan 2006"), "transaction_number": tx.Number,
			"amount": strconv.FormatInt(tx.Amount, 10), "fee_type": strconv.Itoa(tx.FeeType), "fee_name": tx.FeeName,
			"transaction_type": tx.Type, "paid_status": "Not paid", "statement": tx.Statement, "order_no": strconv.FormatInt(tx.OrderID, 10)}})
	require.NoError(t, err)
	oldSt, err := json.Marshal(map[string]any{"seller_id": sim.SellerID(), "currency": "VND", "key": st.Number,
		"statement": map[string]any{"statement_number": st.Number, "created_at": time.Unix(st.CreatedAt, 0).In(connector.Vietnam).Format(time.DateTime),
			"updated_at": time.Unix(st.CreatedAt, 0).In(connector.Vietnam).Format(time.DateTime), "paid": "0", "payout": "1.00 VND"}})
	require.NoError(t, err)
	r := &connector.Runner{Logger: quiet}
	for stream, rec := range map[string]connector.Record{lazada.StreamTransactions: {Key: tx.Number, Data: oldTx},
		lazada.StreamPayouts: {Key: st.Number, Data: oldSt}} {
		res := r.Run(context.Background(), connector.Pipeline{Name: "lazada/replay", Source: &replaySource{stream, []connector.Record{rec}},
			Transformer: lazada.Transformer{}, Sink: sink})[0]
		require.NoError(t, res.Err)
		require.Zero(t, res.Rejected)
		table := map[string]string{lazada.StreamTransactions: "staging." + lazada.TransactionsTable, lazada.StreamPayouts: "staging." + lazada.PayoutsTable}[stream]
		require.EqualValues(t, 1, res.Stale[table], "the older copy is stale")
	}
	require.Equal(t, stored, finActual(t, sink.(tableReader)), "the newer rows stay")
}

// The access token expiring in the middle of a load, the warehouse failing
// at a random commit of a load that is then run again, and a tenth of the
// calls faulted (dropped connections, 5xx, 429, truncated bodies, hangs
// past the timeout) all leave the same tables.
func TestFinanceFaultsCrashesAndTokenExpiry(t *testing.T) {
	t.Parallel()
	sim := finSim(t, lazadatest.Options{Seed: 21, Faults: simfault.Options{HangFor: 2 * time.Second, Seed: 9}})
	cfg := finConfig(sim, &tokenstore.Memory{}, connector.HTTPConfig{Attempts: 10, Timeout: time.Second})
	want := finExpected(sim, false)

	// The token expires when the first batch of the finance streams is
	// written (the transactions stream goes on, the payouts stream has not
	// started).
	sink := newMemSink()
	exp := &expiringSink{memSink: sink, sim: sim, at: 1}
	runFinance(t, financeOnly{sourceFor(t, cfg)}, exp)
	require.Positive(t, sim.Refreshes(), "the token expired during the load and was refreshed")
	requireSame(t, financeExpected(sim, false), finActual(t, sink))

	// A crash at a random commit of a load of every stream, then the load
	// again.
	counter := newMemSink()
	runFinance(t, sourceFor(t, cfg), counter)
	commits := counter.writes
	n := 1 + rand.New(rand.NewPCG(11, 12)).IntN(commits-1)
	crashed := openSink(t, "", sqlite.Config{})
	res := run(t, sourceFor(t, cfg), &failingSink{Sink: crashed, n: n})
	require.ErrorIs(t, res.Err, errGone, "crash after %d of %d commits", n, commits)
	runFinance(t, sourceFor(t, cfg), crashed)
	requireSame(t, want, finActual(t, crashed))

	// Faults, on the finance streams alone from two years back (five
	// windows, most of them empty: more calls to fault).
	sim.SetFaultRate(0.1)
	t.Cleanup(func() { sim.SetFaultRate(0) })
	sink = newMemSink()
	cfg.StartDate = sim.Now().AddDate(-2, 0, 0)
	before := sim.Calls(lazadatest.PathTransactions)
	src := sourceFor(t, cfg)
	require.NoError(t, run(t, financeOnly{src}, sink).Err)
	require.GreaterOrEqual(t, len(sim.Faults()), 2, "several kinds of faults were injected: %v", sim.Faults())
	require.Greater(t, int64(sim.Calls(lazadatest.PathTransactions)-before), src.Stats()["finance_windows"], "transaction calls were faulted")
	requireSame(t, financeExpected(sim, false), finActual(t, sink))
}

// expiringSink expires the simulator's access tokens when its at-th
// batch is written (in the middle of a load).
type expiringSink struct {
	*memSink
	sim *lazadatest.Server
	at  int
}

func (e *expiringSink) Write(ctx context.Context, b *connector.Batch) error {
	if e.at--; e.at == 0 {
		e.sim.ExpireTokens()
	}
	return e.memSink.Write(ctx, b)
}

// The documentation's all-strings form (paid status Yes/No) and answers
// without transaction_number load the same rows; without numbers the rows
// are keyed by a digest of their fields, stable across runs: a second
// full read adds no row.
func TestFinanceDocFormWithoutNumbers(t *testing.T) {
	t.Parallel()
	sim := finSim(t, lazadatest.Options{DocForm: true, OmitTransactionNumbers: true})
	sink := newMemSink()
	runFinance(t, financeOnly{sourceFor(t, finConfig(sim, nil, connector.HTTPConfig{}))}, sink)
	// Without numbers the keys are digests: compare the rows without
	// their keys.
	strip := func(c contents) []string {
		var out []string
		for _, row := range c[lazada.TransactionsTable] {
			r := map[string]any{}
			for k, v := range row {
				if k != "transaction_key" && k != "transaction_number" {
					r[k] = v
				}
			}
			b, _ := json.Marshal(r)
			out = append(out, string(b))
		}
		sort.Strings(out)
		return out
	}
	want, got := financeExpected(sim, true), finActual(t, sink)
	require.Equal(t, strip(want), strip(got))
	require.Equal(t, want[lazada.PayoutsTable], got[lazada.PayoutsTable])
	for k := range got[lazada.TransactionsTable] {
		require.Contains(t, k, "/h:", "keyed by digest")
	}
	runFinance(t, financeOnly{sourceFor(t, finConfig(sim, nil, connector.HTTPConfig{}))}, sink)
	require.Len(t, finActual(t, sink)[lazada.TransactionsTable], len(got[lazada.TransactionsTable]), "a second read adds no row")
}

// More transactions in a window than the offset cap lets a read hold load
// completely: in date order the read goes on from the last day read at
// offset 0; out of date order the window is read again in halves. No
// request passes the cap (the simulator refuses one).
func TestFinanceOffsetCap(t *testing.T) {
	t.Parallel()
	for name, reverse := range map[string]bool{"in date order": false, "out of date order": true} {
		t.Run(name, func(t *testing.T) {
			opts := lazadatest.Options{Orders: 130, OffsetCap: 100}
			if reverse {
				opts.FinanceAnswer = func(path string, _ int, rows []map[string]any) any {
					if path == lazadatest.PathTransactions {
						for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
							rows[i], rows[j] = rows[j], rows[i]
						}
					}
					return rows
				}
			}
			sim := finSim(t, opts)
			cfg := finConfig(sim, nil, connector.HTTPConfig{})
			cfg.OffsetCap = 100
			src := sourceFor(t, cfg)
			sink := newMemSink()
			runFinance(t, financeOnly{src}, sink)
			require.Greater(t, len(sim.Transactions()), 100+lazada.MaxTransactionLimit, "more rows than a read holds")
			require.Zero(t, sim.Rejections()["14"], "no offset beyond the cap")
			stats := src.Stats()
			t.Logf("%d transaction calls, stats %v", sim.Calls(lazadatest.PathTransactions), stats)
			if reverse {
				require.Positive(t, stats["finance_splits"])
			} else {
				require.Zero(t, stats["finance_splits"])
				require.Greater(t, stats["finance_segments"], stats["finance_windows"])
			}
			requireSame(t, financeExpected(sim, false), finActual(t, sink))
		})
	}
}

// financeOnly is the source's finance streams alone.
type financeOnly struct{ *lazada.Source }

func (f financeOnly) Streams() []connector.Stream {
	var out []connector.Stream
	for _, s := range f.Source.Streams() {
		if s.Name() != "orders" {
			out = append(out, s)
		}
	}
	return out
}

// Answers of an unexpected shape fail the load with an error naming the
// field and the record, and no checkpoint passes them; a single row whose
// value cannot be read is quarantined with the field and the transaction
// in the reason, and the rest is stored.
func TestFinanceHostileAnswers(t *testing.T) {
	t.Parallel()
	fakeRows := func(n, from int) []map[string]any {
		out := make([]map[string]any, n)
		for i := range out {
			out[i] = map[string]any{"transaction_date": time.Now().Add(-72 * time.Hour).In(connector.Vietnam).Format("2 Jan 2006"),
				"transaction_number": fmt.Sprintf("X-%d", from+i), "amount": "1.00", "paid_status": "Paid"}
		}
		return out
	}
	cases := []struct {
		name   string
		answer func(path string, offset int, rows []map[string]any) any
		want   []string
	}{
		{"null data", func(p string, _ int, rows []map[string]any) any {
			if p == lazadatest.PathTransactions {
				return nil
			}
			return rows
		}, []string{"success without data"}},
		{"an object for a list", func(p string, _ int, rows []map[string]any) any {
			if p == lazadatest.PathTransactions {
				return map[string]any{"transactions": rows}
			}
			return rows
		}, []string{"data is not a list of transactions"}},
		{"row without a date", func(p string, _ int, rows []map[string]any) any {
			if p == lazadatest.PathTransactions && len(rows) > 3 {
				delete(rows[3], "transaction_date")
			}
			return rows
		}, []string{"row 3", "field transaction_date is missing", "transaction VN1SIMLZ-"}},
		{"row of another day", func(p string, _ int, rows []map[string]any) any {
			if p == lazadatest.PathTransactions && len(rows) > 0 {
				rows[0]["transaction_date"] = "1 Jan 2001"
			}
			return rows
		}, []string{"transaction_date 2001-01-01 is outside the asked"}},
		{"more rows than asked", func(p string, _ int, rows []map[string]any) any {
			if p == lazadatest.PathTransactions {
				return fakeRows(lazada.MaxTransactionLimit+1, 0)
			}
			return rows
		}, []string{"asked for 500 transactions, got 501"}},
		{"offset ignored", func(p string, offset int, rows []map[string]any) any {
			if p == lazadatest.PathTransactions {
				return fakeRows(lazada.MaxTransactionLimit, 0)
			}
			return rows
		}, []string{"offset 500 repeat the page before"}},
		{"one number, two rows", func(p string, _ int, rows []map[string]any) any {
			if p == lazadatest.PathTransactions && len(rows) > 2 {
				rows[2]["transaction_number"] = rows[1]["transaction_number"]
			}
			return rows
		}, []string{"answered twice, differently"}},
		{"statement without number", func(p string, _ int, rows []map[string]any) any {
			if p == lazadatest.PathPayoutStatus && len(rows) > 1 {
				delete(rows[1], "statement_number")
			}
			return rows
		}, []string{"statement 1", "field statement_number is missing"}},
		{"statement without created_at", func(p string, _ int, rows []map[string]any) any {
			if p == lazadatest.PathPayoutStatus && len(rows) > 1 {
				rows[1]["created_at"] = "soon"
			}
			return rows
		}, []string{"statement VN1SIMLZ-", "field created_at"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sim := finSim(t, lazadatest.Options{Orders: 30, FinanceAnswer: c.answer})
			sink := newMemSink()
			res := run(t, financeOnly{sourceFor(t, finConfig(sim, nil, connector.HTTPConfig{}))}, sink)
			require.ErrorIs(t, res.Err, lazada.ErrBadResponse)
			for _, w := range c.want {
				require.ErrorContains(t, res.Err, w)
			}
			for _, stream := range []string{lazada.StreamTransactions, lazada.StreamPayouts} {
				cp, err := sink.LoadCheckpoint(context.Background(), "lazada/seller", stream)
				require.NoError(t, err)
				if strings.Contains(c.name, "statement") == (stream == lazada.StreamPayouts) {
					require.Nil(t, cp, "no checkpoint passes the bad answer of %s", stream)
				}
			}
		})
	}
	t.Run("unreadable row quarantined", func(t *testing.T) {
		var bad string
		sim := finSim(t, lazadatest.Options{Orders: 30, FinanceAnswer: func(p string, _ int, rows []map[string]any) any {
			if p == lazadatest.PathTransactions && len(rows) > 4 {
				rows[4]["amount"] = "12,34.5.6"
				bad, _ = rows[4]["transaction_number"].(string)
			}
			return rows
		}})
		sink := newMemSink()
		res := run(t, financeOnly{sourceFor(t, finConfig(sim, nil, connector.HTTPConfig{}))}, sink)
		require.NoError(t, res.Err)
		require.EqualValues(t, 1, res.Rejected)
		rej := sink.rejected
		require.Len(t, rej, 1)
		require.Contains(t, rej[0].Reason, "field amount")
		require.Contains(t, rej[0].Reason, bad)
		want := financeExpected(sim, false)
		delete(want[lazada.TransactionsTable], sim.SellerID()+"/n:"+bad)
		requireSame(t, want, finActual(t, sink))
	})
}

// The fee kinds of the platform's enum: by id, then by category.
func TestFeeKind(t *testing.T) {
	for _, c := range []struct {
		id       int64
		typ, fee string
		want     string
	}{
		{13, "Orders-Sales", "Item Price Credit", lazada.FeeItemPrice},
		{16, "Orders-Lazada Fees", "Commission", lazada.FeeCommission},
		{3, "Orders-Lazada Fees", "Payment Fee", lazada.FeeTransaction},
		{8, "Orders-Logistics", "Shipping Fee (Paid By Customer)", lazada.FeeShipping},
		{7, "Orders-Logistics", "Shipping Fee Paid by Seller", lazada.FeeShipping},
		{14, "Refunds-Sales", "Reversal Item Price", lazada.FeeAdjustment},
		{15, "Refunds-Lazada Fees", "Reversal Commission", lazada.FeeAdjustment},
		{118, "Orders-Marketing Fees", "Promotional Charges Vouchers", lazada.FeeVoucherSeller},
		{298, "Orders-Marketing Fees", "Free Shipping Max Fee", lazada.FeeService},
		{1027, "Orders-Logistics", "Wrong Weight Adjustment", lazada.FeeAdjustment},
		{48, "Orders-Claims", "Lost Or Damaged - Sales Order Item", lazada.FeeAdjustment},
		{112, "Other Services-Lazada Fees", "Sponsored Product Fee", lazada.FeeOther},
		{9999, "Orders-Logistics", "A new shipping fee", lazada.FeeShipping},
		{9999, "", "Reversal of something new", lazada.FeeAdjustment},
		{0, "Payment Fee", "Payment Fee", lazada.FeeOther},
	} {
		require.Equal(t, c.want, lazada.FeeKind(c.id, c.typ, c.fee), "%d %s %s", c.id, c.typ, c.fee)
	}
}
