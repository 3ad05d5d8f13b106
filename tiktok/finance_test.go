package tiktok_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/reqhook"
	"github.com/facolos/etl/internal/simfault"
	"github.com/facolos/etl/internal/testsinks"
	"github.com/facolos/etl/sink/postgres"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/facolos/etl/tiktok"
	"github.com/facolos/etl/tiktok/tiktoktest"
	"github.com/stretchr/testify/require"
)

// finWarehouse is a real sink and how a test reads it back.
type finWarehouse struct {
	connector.Sink
	db       *sql.DB
	read     func(ctx context.Context, t *connector.Table) ([][]any, error)
	view     string // the quoted name of staging.order_net_payout
	rejected func(ctx context.Context, pipeline, stream string) ([]connector.Rejection, error)
}

// finSinks are the sinks the finance tests run on: a SQLite file, and
// PostgreSQL in private schemas when ETL_TEST_POSTGRES_DSN is set.
func finSinks() map[string]func(t *testing.T, cfg sqlite.Config) finWarehouse {
	return map[string]func(t *testing.T, cfg sqlite.Config) finWarehouse{
		"sqlite": func(t *testing.T, cfg sqlite.Config) finWarehouse {
			s := openSink(t, "", cfg)
			return finWarehouse{Sink: s, db: s.DB(), read: s.ReadTable, view: `"order_net_payout"`, rejected: s.ReadRejected}
		},
		"postgres": func(t *testing.T, _ sqlite.Config) finWarehouse {
			s := testsinks.Postgres(t, "etl_ttfin", postgres.Config{})
			return finWarehouse{Sink: s, db: s.DB(), read: s.ReadTable, view: connector.QuoteIdent(s.Schema("staging")) + `."order_net_payout"`,
				rejected: s.ReadRejected}
		},
	}
}

// finSim is a small shop whose history ends now, so that its latest
// statements are still being paid (the finance state follows the
// simulated clock).
func finSim(t *testing.T, opts tiktoktest.Options) *tiktoktest.Server {
	t.Helper()
	if opts.Orders == 0 {
		// Four orders a day: every day has settlements, so the latest
		// statements are PROCESSING whatever the day the test runs.
		opts.Orders = 120
	}
	opts.Days, opts.Now = 30, time.Now().Truncate(time.Second)
	opts.NoArrivals = true // new orders do not settle within the tests' advances
	return newSim(t, opts)
}

// finSource is a source with the finance streams on, on the simulator's
// clock (the finance state moves with Advance).
func finSource(t *testing.T, sim *tiktoktest.Server, httpCfg connector.HTTPConfig, tweak ...func(*tiktok.Config)) *tiktok.Source {
	t.Helper()
	return sourceFor(t, sim, nil, httpCfg, append([]func(*tiktok.Config){withFinance, func(c *tiktok.Config) {
		c.Now = sim.Now
		c.StartDate = sim.Now().AddDate(0, 0, -40)
	}}, tweak...)...)
}

// cell renders a value read back from a sink (or the simulator) for
// comparison.
func cell(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		if x == "" {
			return "NULL"
		}
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case connector.Dec:
		return x.String()
	case time.Time:
		return strconv.FormatInt(x.Unix(), 10)
	}
	return fmt.Sprint(v)
}

func rank(status string) int {
	return map[string]int{"PROCESSING": 1, "FAILED": 2, "PAID": 3, "SUCCESS": 3}[status]
}

// financeTruth is what the finance tables must hold for the simulator's
// state, per table a sorted list of rendered rows, from the simulator's
// own figures.
func financeTruth(sim *tiktoktest.Server) map[string][]string {
	out := map[string][]string{}
	shop := sim.ShopID()
	row := func(table string, vals ...any) {
		s := make([]string, len(vals)+1)
		s[0] = shop
		for i, v := range vals {
			s[i+1] = cell(v)
		}
		out[table] = append(out[table], strings.Join(s, "|"))
	}
	for _, st := range sim.Statements() {
		row("statements", st.ID, st.Time, st.Settlement, st.Revenue, st.Fee, st.Adjustment, st.PaymentStatus, rank(st.PaymentStatus),
			st.PaymentID, "VND")
		for _, tx := range st.Transactions {
			var created any
			if tx.OrderCreateTime > 0 {
				created = tx.OrderCreateTime
			}
			row("transactions", tx.ID, st.ID, st.Time, tx.Type, tx.OrderID, tx.AdjustmentID, tx.AdjustmentOrderID, tx.RelatedOrder(),
				created, tx.Settlement, tx.Revenue, tx.Shipping, tx.FeeTax, tx.Adjust, "VND")
			for _, c := range tx.Components {
				row("components", tx.ID, c.Group, c.Code, c.Amount)
			}
		}
	}
	for _, w := range sim.Withdrawals() {
		row("withdrawals", w.ID, w.Type, w.Amount, w.Status, rank(w.Status), w.CreateTime, "VND")
	}
	for k := range out {
		sort.Strings(out[k])
	}
	return out
}

// financeActual reads the finance tables back in financeTruth's form.
func financeActual(t *testing.T, w finWarehouse) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	tables := map[string]*connector.Table{}
	for _, tb := range tiktok.FinanceTables() {
		tables[tb.Name] = tb
	}
	read := func(name, table string, cols ...string) {
		tb := tables[table]
		idx := map[string]int{}
		for i, c := range tb.Columns {
			idx[c.Name] = i
		}
		rows, err := w.read(context.Background(), tb)
		require.NoError(t, err)
		for _, r := range rows {
			s := make([]string, len(cols))
			for i, c := range cols {
				j, ok := idx[c]
				require.True(t, ok, c)
				s[i] = cell(r[j])
			}
			out[name] = append(out[name], strings.Join(s, "|"))
		}
		sort.Strings(out[name])
	}
	read("statements", tiktok.StatementsTable, "shop_id", "statement_id", "statement_time", "settlement_amount", "revenue_amount", "fee_amount",
		"adjustment_amount", "payment_status", "payment_status_rank", "payment_id", "currency")
	read("transactions", tiktok.TransactionsTable, "shop_id", "transaction_id", "statement_id", "statement_time", "transaction_type",
		"order_id", "adjustment_id", "adjustment_order_id", "related_order_id", "order_create_time", "settlement_amount", "revenue_amount",
		"shipping_cost_amount", "fee_tax_amount", "adjustment_amount", "currency")
	read("components", tiktok.ComponentsTable, "shop_id", "transaction_id", "component_group", "code", "amount")
	read("withdrawals", tiktok.WithdrawalsTable, "shop_id", "withdrawal_id", "withdrawal_type", "amount", "status", "status_rank",
		"create_time", "currency")
	return out
}

// netPayoutTruth computes, from the simulator's statements and orders, the
// row of staging.order_net_payout of every order with statement
// transactions, independently of the view's SQL: the base is the order's
// ORDER transactions in its first statement, the rest is adjustments; the
// net payout is the simulator's own NetSettlement.
func netPayoutTruth(t *testing.T, sim *tiktoktest.Server) []string {
	t.Helper()
	created := map[string]int64{}
	for _, o := range sim.Orders() {
		created[o.ID] = o.CreateTime
	}
	sts := sim.Statements()
	first := map[string]int64{}
	for _, st := range sts {
		for _, tx := range st.Transactions {
			if tx.Type == "ORDER" {
				if f, ok := first[tx.OrderID]; !ok || st.Time < f {
					first[tx.OrderID] = st.Time
				}
			}
		}
	}
	in := func(code string, list []string) bool {
		for _, c := range list {
			if c == code {
				return true
			}
		}
		return false
	}
	type agg struct {
		buyer, commission, service, txnFee, other, shipping, vSeller, vPlatform, adjust, net int64
		paid                                                                                 bool
		last                                                                                 int64
	}
	byOrder := map[string]*agg{}
	for _, st := range sts {
		for _, tx := range st.Transactions {
			id := tx.RelatedOrder()
			if id == "" {
				continue
			}
			a := byOrder[id]
			if a == nil {
				a = &agg{paid: true}
				byOrder[id] = a
			}
			a.net += tx.Settlement
			a.paid = a.paid && st.PaymentStatus == "PAID"
			a.last = max(a.last, st.Time)
			if f, ok := first[id]; !ok || tx.Type != "ORDER" || st.Time != f {
				a.adjust += tx.Settlement
				continue
			}
			a.shipping += tx.Shipping
			for _, c := range tx.Components {
				switch {
				case c.Group == "supplementary" && c.Code == "customer_payment_amount":
					a.buyer += c.Amount
				case c.Group == "supplementary" && strings.HasPrefix(c.Code, "platform_discount"):
					a.vPlatform += c.Amount
				case c.Group == "revenue" && strings.HasPrefix(c.Code, "seller_discount"):
					a.vSeller -= c.Amount
				case c.Group == "fee" && c.Code == "platform_commission_amount":
					a.commission -= c.Amount
				case c.Group == "fee" && in(c.Code, tiktok.ServiceFeeCodes):
					a.service -= c.Amount
				case c.Group == "fee" && in(c.Code, tiktok.TransactionFeeCodes):
					a.txnFee -= c.Amount
				case c.Group == "fee" || c.Group == "tax":
					a.other -= c.Amount
				}
			}
		}
	}
	net := sim.NetSettlement()
	var out []string
	for id, a := range byOrder {
		require.Equal(t, net[id], a.net, "order %s: the simulator's net settlement", id)
		ct := "NULL"
		if c, ok := created[id]; ok {
			ct = strconv.FormatInt(c, 10)
		}
		status := "settled"
		if a.paid {
			status = "paid"
		}
		out = append(out, strings.Join([]string{"tiktok", sim.ShopID(), id, ct, "VND"}, "|")+"|"+
			strings.Join(strings.Fields(fmt.Sprint(a.buyer, a.commission, a.service, a.txnFee, a.other, a.shipping, a.vSeller, a.vPlatform,
				a.adjust, net[id])), "|")+"|"+status+"|"+strconv.FormatInt(a.last, 10))
	}
	sort.Strings(out)
	return out
}

// netPayoutActual reads the TikTok rows of staging.order_net_payout.
func netPayoutActual(t *testing.T, w finWarehouse) []string {
	t.Helper()
	cols := make([]string, len(connector.NetPayoutColumns))
	for i, c := range connector.NetPayoutColumns {
		cols[i] = connector.QuoteIdent(c.Name)
	}
	rows, err := w.db.Query(fmt.Sprintf(`SELECT %s FROM %s WHERE platform = 'tiktok'`, strings.Join(cols, ", "), w.view))
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		v := make([]any, len(cols))
		p := make([]any, len(v))
		for i := range v {
			p[i] = &v[i]
		}
		require.NoError(t, rows.Scan(p...))
		s := make([]string, len(v))
		for i, x := range v {
			c := connector.NetPayoutColumns[i]
			switch {
			case x == nil:
				s[i] = "NULL"
			case c.Type == connector.Decimal:
				s[i] = connector.MustDec(viewText(x)).String()
			case c.Type == connector.Timestamp:
				s[i] = viewTime(t, x)
			default:
				s[i] = viewText(x)
			}
		}
		out = append(out, strings.Join(s, "|"))
	}
	require.NoError(t, rows.Err())
	sort.Strings(out)
	return out
}

func viewText(x any) string {
	switch v := x.(type) {
	case []byte:
		return string(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return fmt.Sprint(x)
}

func viewTime(t *testing.T, x any) string {
	switch v := x.(type) {
	case time.Time:
		return strconv.FormatInt(v.Unix(), 10)
	case string:
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999"} {
			if tm, err := time.Parse(layout, v); err == nil {
				return strconv.FormatInt(tm.Unix(), 10)
			}
		}
	}
	t.Fatalf("unexpected timestamp %T %v", x, x)
	return ""
}

// minimumCalls is the contract's minimum of finance calls to read the
// statements sts (all of them new) and w withdrawals: a page of up to 100
// per list, and a page of up to 100 transactions per statement.
func minimumCalls(sts []tiktoktest.Statement, newIDs map[string]bool, w int) map[string]int64 {
	pages := func(n int) int64 { return int64(max((n+99)/100, 1)) }
	var txns int64
	for _, st := range sts {
		if newIDs == nil || newIDs[st.ID] {
			txns += pages(len(st.Transactions))
		}
	}
	return map[string]int64{tiktok.PathStatements: pages(len(sts)), tiktok.PathStatementTransactions: txns, tiktok.PathWithdrawals: pages(w)}
}

func callText(c map[string]int64) string {
	return fmt.Sprintf("statements %d, transactions %d, withdrawals %d", c[tiktok.PathStatements], c[tiktok.PathStatementTransactions],
		c[tiktok.PathWithdrawals])
}

func financeCalls(res connector.Result) map[string]int64 {
	out := map[string]int64{}
	for _, p := range []string{tiktok.PathStatements, tiktok.PathStatementTransactions, tiktok.PathWithdrawals} {
		out[p] = res.APICalls[p]
	}
	return out
}

// A full load, then an incremental one after the simulator's clock moved
// ten days, leave the finance tables equal to the simulator's statements,
// transactions (and their components) and withdrawals, on SQLite and
// PostgreSQL, and staging.order_net_payout equal, order by order, to what
// this test computes from the simulator. Statements still PROCESSING at the
// full load are read again (without their transactions) and stored PAID;
// an order settled before the clock moved shows its later adjustment or
// refund. Both loads make the contract's minimum of finance calls.
func TestFinanceFullThenIncremental(t *testing.T) {
	t.Parallel()
	for name, open := range finSinks() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sim := finSim(t, tiktoktest.Options{})
			w := open(t, sqlite.Config{})
			src := finSource(t, sim, connector.HTTPConfig{})
			res := run(t, &connector.Runner{}, src, w.Sink)
			require.NoError(t, res.Err)
			require.Zero(t, res.Rejected)
			truth := financeTruth(sim)
			require.Equal(t, truth, financeActual(t, w))
			require.Equal(t, netPayoutTruth(t, sim), netPayoutActual(t, w))
			before := sim.Statements()
			processing := map[string]bool{}
			for _, st := range before {
				if st.PaymentStatus == "PROCESSING" {
					processing[st.ID] = true
				}
			}
			require.NotEmpty(t, processing, "the latest statements are still being paid")
			want := minimumCalls(before, nil, len(sim.Withdrawals()))
			t.Logf("full load: %d statements, %d withdrawals; finance calls %s (minimum %s)", len(before), len(sim.Withdrawals()),
				callText(financeCalls(res)), callText(want))
			require.Equal(t, want, financeCalls(res))

			seen := map[string]bool{}
			settled := map[string]bool{}
			for _, st := range before {
				seen[st.ID] = true
				for _, tx := range st.Transactions {
					settled[tx.RelatedOrder()] = true
				}
			}
			sim.Advance(10 * 24 * time.Hour)
			res = run(t, &connector.Runner{}, src, w.Sink)
			require.NoError(t, res.Err)
			require.Zero(t, res.Rejected)
			require.Equal(t, financeTruth(sim), financeActual(t, w))
			require.Equal(t, netPayoutTruth(t, sim), netPayoutActual(t, w))
			after := sim.Statements()
			newIDs := map[string]bool{}
			var inRange []tiktoktest.Statement
			later := 0
			for _, st := range after {
				if !seen[st.ID] {
					newIDs[st.ID] = true
					for _, tx := range st.Transactions {
						if settled[tx.RelatedOrder()] {
							later++
						}
					}
				}
				if processing[st.ID] {
					require.Equal(t, "PAID", st.PaymentStatus, "statement %s was paid in the ten days", st.ID)
				}
				if !seen[st.ID] || processing[st.ID] || st.Time >= before[len(before)-1].Time {
					inRange = append(inRange, st)
				}
			}
			require.NotEmpty(t, newIDs)
			require.Positive(t, later, "an order settled before the clock moved got a later transaction")
			require.GreaterOrEqual(t, src.Stats()["statements_reread"], int64(len(processing)))
			// Withdrawals of the lookback day before the full load's end are read again.
			want = minimumCalls(inRange, newIDs, 1)
			t.Logf("incremental load: %d new statements, %d read again; finance calls %s (minimum %s)", len(newIDs), len(inRange)-len(newIDs),
				callText(financeCalls(res)), callText(want))
			require.Equal(t, want, financeCalls(res))
		})
	}
}

// finPages emits canned records of the statements stream.
type finPages []connector.Record

func (p finPages) Streams() []connector.Stream { return []connector.Stream{p} }
func (finPages) Name() string                  { return tiktok.StreamStatements }
func (p finPages) Read(ctx context.Context, _ connector.ReadOptions, emit connector.EmitFunc) error {
	for i, r := range p {
		if err := emit(ctx, connector.Page{Records: []connector.Record{r}, Checkpoint: connector.Checkpoint(fmt.Sprintf(`{"n":%d}`, i))}); err != nil {
			return err
		}
	}
	return nil
}

func statementRecord(status, settlement string) connector.Record {
	data := fmt.Sprintf(`{"shop_id":"77","data":{"id":"900","statement_time":1767225600,"currency":"VND","settlement_amount":%q,`+
		`"revenue_amount":"120000","fee_amount":"-20000","adjustment_amount":"0","payment_status":%q,"payment_id":"901"}}`, settlement, status)
	return connector.Record{Key: "statement:900", Data: []byte(data)}
}

// A later payment status replaces an earlier one, never the reverse: a
// PROCESSING copy of a statement stored PAID (later in the same run, or in
// a later run) is skipped and counted stale.
func TestFinanceOlderStatusNeverReplacesNewer(t *testing.T) {
	t.Parallel()
	sink := openSink(t, "", sqlite.Config{})
	status := func() string {
		var s, amt string
		require.NoError(t, sink.DB().QueryRow(`SELECT payment_status, settlement_amount FROM tiktok_statements WHERE statement_id = '900'`).Scan(&s, &amt))
		return s + " " + amt
	}
	res := run(t, &connector.Runner{}, finPages{statementRecord("PROCESSING", "100000"), statementRecord("PAID", "100000"),
		statementRecord("PROCESSING", "99999")}, sink)
	require.NoError(t, res.Err)
	require.Equal(t, "PAID 100000", status())
	require.Equal(t, int64(1), res.Stale["staging."+tiktok.StatementsTable])
	res = run(t, &connector.Runner{}, finPages{statementRecord("PROCESSING", "1")}, sink)
	require.NoError(t, res.Err)
	require.Equal(t, "PAID 100000", status())
	require.Equal(t, int64(1), res.Stale["staging."+tiktok.StatementsTable])
}

// With a tenth of the calls failing the way networks fail, crashes at
// random commits and the access token expiring in the middle of a load,
// the resumed runs end with the contents of an uninterrupted load, and the
// view with the simulator's net payouts.
func TestFinanceFaultsCrashesTokenExpiry(t *testing.T) {
	t.Parallel()
	sim := finSim(t, tiktoktest.Options{Orders: 80, Faults: simfault.Options{Rate: 0.1, RetryAfter: time.Millisecond}})
	rnd := rand.New(rand.NewPCG(5, 6))
	var crashed atomic.Int64
	w := finSinks()["sqlite"](t, sqlite.Config{BeforeCommit: func(context.Context, *connector.Batch) error {
		if crashed.Load() < 5 && (crashed.Load() == 0 || rnd.IntN(3) == 0) {
			crashed.Add(1)
			return errCrash
		}
		return nil
	}})
	hook := &reqhook.Transport{Match: func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/finance/202501/statements/") }, N: 7, Fire: sim.ExpireTokens}
	src := finSource(t, sim, connector.HTTPConfig{Timeout: 2 * time.Second, Attempts: 10, MaxRetryAfter: 10 * time.Millisecond,
		Transport: hook})
	for runs := 0; ; runs++ {
		require.Less(t, runs, 60, "no progress")
		res := run(t, &connector.Runner{BatchSize: 40}, src, w.Sink)
		if res.Err == nil {
			break
		}
		// A crash, or a call that failed every attempt (a load that
		// fails is run again, as the job's next round would).
		var te *connector.TransportError
		if !errors.Is(res.Err, errCrash) && !errors.As(res.Err, &te) {
			t.Fatalf("run %d: %v", runs, res.Err)
		}
	}
	require.Positive(t, crashed.Load())
	require.Positive(t, sim.Refreshes(), "the token expired mid-load and was refreshed")
	faults := 0
	for _, n := range sim.Faults() {
		faults += n
	}
	require.Positive(t, faults)
	require.Equal(t, financeTruth(sim), financeActual(t, w))
	require.Equal(t, netPayoutTruth(t, sim), netPayoutActual(t, w))
}

// Answers that contradict the contract are errors naming the record (or
// the record is quarantined with the field and record in the reason),
// never "nothing new".
func TestFinanceHostileAnswers(t *testing.T) {
	t.Parallel()
	plain := finSim(t, tiktoktest.Options{Orders: 60})
	sts := plain.Statements()
	require.Greater(t, len(sts), 8)
	mid := sts[2]
	var txn tiktoktest.Transaction
	var txnStatement string
	for _, st := range sts {
		if len(st.Transactions) > 1 {
			txn, txnStatement = st.Transactions[1], st.ID
			break
		}
	}
	require.NotEmpty(t, txn.ID)
	small := func(c *tiktok.Config) { c.FinancePageSize = 5 }
	cases := []struct {
		name  string
		lies  tiktoktest.FinanceLies
		check func(t *testing.T, res connector.Result, w finWarehouse)
	}{
		{"statement missing from a page", tiktoktest.FinanceLies{OmitStatement: mid.ID}, func(t *testing.T, res connector.Result, _ finWarehouse) {
			require.ErrorIs(t, res.Err, tiktok.ErrBadResponse)
			require.Contains(t, res.Err.Error(), "ends early")
		}},
		{"page token not moving", tiktoktest.FinanceLies{StuckToken: true}, func(t *testing.T, res connector.Result, _ finWarehouse) {
			require.ErrorIs(t, res.Err, tiktok.ErrBadResponse)
			require.Contains(t, res.Err.Error(), "did not move")
		}},
		{"transaction missing from its statement", tiktoktest.FinanceLies{OmitTransaction: txn.ID}, func(t *testing.T, res connector.Result, w finWarehouse) {
			require.ErrorIs(t, res.Err, tiktok.ErrShortRead)
			require.Contains(t, res.Err.Error(), txnStatement)
			var n int
			require.NoError(t, w.db.QueryRow(`SELECT count(*) FROM tiktok_statements WHERE statement_id = ?`, txnStatement).Scan(&n))
			require.Zero(t, n, "the statement is not stored without its transactions")
		}},
		{"malformed amount", tiktoktest.FinanceLies{BadAmount: txn.ID}, func(t *testing.T, res connector.Result, w finWarehouse) {
			require.NoError(t, res.Err)
			require.Equal(t, int64(1), res.Rejected)
			rej, err := w.rejected(context.Background(), "tiktok/shop-7", tiktok.StreamStatements)
			require.NoError(t, err)
			require.Len(t, rej, 1)
			require.Contains(t, rej[0].Reason, "settlement_amount")
			require.Contains(t, rej[0].Reason, "transaction "+txn.ID)
			var n int
			require.NoError(t, w.db.QueryRow(`SELECT count(*) FROM tiktok_statement_transactions WHERE transaction_id = ?`, txn.ID).Scan(&n))
			require.Zero(t, n)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			sim := finSim(t, tiktoktest.Options{Orders: 60, FinanceLies: c.lies})
			w := finSinks()["sqlite"](t, sqlite.Config{})
			res := run(t, &connector.Runner{}, finSource(t, sim, connector.HTTPConfig{}, small), w.Sink)
			c.check(t, res, w)
		})
	}
}

// A statement stored while PROCESSING must be listed again until it is
// final: a later statements list that leaves it out fails the run naming
// it (it would otherwise stay PROCESSING in the warehouse for ever).
func TestFinanceKnownStatementMissing(t *testing.T) {
	t.Parallel()
	sim := finSim(t, tiktoktest.Options{Orders: 60})
	w := finSinks()["sqlite"](t, sqlite.Config{})
	src := finSource(t, sim, connector.HTTPConfig{})
	require.NoError(t, run(t, &connector.Runner{}, src, w.Sink).Err)
	var pending string
	for _, st := range sim.Statements() {
		if st.PaymentStatus == "PROCESSING" {
			pending = st.ID
			break
		}
	}
	require.NotEmpty(t, pending)
	sim.SetFinanceLies(tiktoktest.FinanceLies{OmitStatement: pending})
	sim.Advance(2 * 24 * time.Hour)
	res := run(t, &connector.Runner{}, src, w.Sink)
	require.ErrorIs(t, res.Err, tiktok.ErrBadResponse)
	require.Contains(t, res.Err.Error(), "statement "+pending)
	require.Contains(t, res.Err.Error(), "missing from the statements list")
	var status string
	require.NoError(t, w.db.QueryRow(`SELECT payment_status FROM tiktok_statements WHERE statement_id = ?`, pending).Scan(&status))
	require.Equal(t, "PROCESSING", status)
	sim.SetFinanceLies(tiktoktest.FinanceLies{})
	require.NoError(t, run(t, &connector.Runner{}, src, w.Sink).Err, "the next run reads it again")
	require.Equal(t, financeTruth(sim), financeActual(t, w))
}

// The answers' shapes: a statements page without next_page_token, a
// statement without id, an answer naming another statement, an amount
// that is not a decimal string.
func TestFinanceShapes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, c := range []struct{ name, body, want string }{
		{"no next_page_token", `{"statements":[]}`, "next_page_token is missing"},
		{"statement without id", `{"next_page_token":"","statements":[{"statement_time":1767225600}]}`, "statements[0]"},
		{"statement without time", `{"next_page_token":"","statements":[{"id":"9"}]}`, "statement_time"},
		{"not an object", `[]`, "data is not an object"},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := fixedAnswer(t, tiktok.PathStatements, c.body)
			cfg := tiktok.Config{BaseURL: srv, AppKey: "k", AppSecret: "s", AccessToken: "at", ShopCipher: "c", Logger: quiet,
				HTTP: connector.HTTPConfig{Attempts: 1, Logger: quiet}}
			cl, err := tiktok.NewClient(cfg)
			require.NoError(t, err)
			_, err = cl.GetStatements(ctx, 0, 1767225600, "", 100)
			require.ErrorIs(t, err, tiktok.ErrBadResponse)
			require.Contains(t, err.Error(), c.want)
		})
	}
	tr := tiktok.Transformer{}
	for _, c := range []struct{ name, data, want string }{
		{"amount as a number", `{"shop_id":"1","data":{"id":"9","statement_time":1767225600,"settlement_amount":100}}`, "field settlement_amount"},
		{"amount not a decimal", `{"shop_id":"1","data":{"id":"9","statement_time":1767225600,"settlement_amount":"1e"}}`, "field settlement_amount"},
		{"no settlement", `{"shop_id":"1","data":{"id":"9","statement_time":1767225600}}`, "field settlement_amount: missing"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := tr.Transform(connector.Record{Stream: tiktok.StreamStatements, Key: "statement:9", Data: []byte(c.data)}, discard{})
			require.Error(t, err)
			require.Contains(t, err.Error(), c.want)
			require.Contains(t, err.Error(), "statement 9")
		})
	}
	// A fraction and a negative amount are kept exactly.
	var out rowsOut
	require.NoError(t, tr.Transform(connector.Record{Stream: tiktok.StreamStatements, Key: "statement:9",
		Data: []byte(`{"shop_id":"1","data":{"id":"9","statement_time":1767225600,"settlement_amount":"-1234567.25","payment_status":"PAID"}}`)}, &out))
	require.Len(t, out, 1)
	require.Contains(t, out[0], connector.MustDec("-1234567.25"))
}

type discard struct{}

func (discard) Add(*connector.Table, []any) {}

type rowsOut [][]any

func (r *rowsOut) Add(_ *connector.Table, row []any) { *r = append(*r, row) }

// fixedAnswer serves body as the data of a success on path (and the shops
// list elsewhere).
func fixedAnswer(t *testing.T, path, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == path {
			fmt.Fprintf(w, `{"code":0,"message":"Success","request_id":"r1","data":%s}`, body)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"code": 0, "message": "Success", "request_id": "r0",
			"data": map[string]any{"shops": []map[string]string{{"cipher": "c", "id": "1", "region": "VN"}}}})
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
