package shopee_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/shopee"
	"github.com/facolos/etl/shopee/shopeetest"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/stretchr/testify/require"
)

// Orders get_order_detail leaves out for good (tests against the simulator's
// WithholdDetail, the real runner and a SQLite file).

// storedCheckpoint is the stream's checkpoint committed in the sink.
func storedCheckpoint(t *testing.T, sink *sqlite.Sink, p connector.Pipeline) shopee.Checkpoint {
	t.Helper()
	raw, err := sink.LoadCheckpoint(context.Background(), p.Name, "orders")
	require.NoError(t, err)
	require.NotNil(t, raw)
	var cp shopee.Checkpoint
	require.NoError(t, json.Unmarshal(raw, &cp))
	return cp
}

func rejections(t *testing.T, sink *sqlite.Sink, p connector.Pipeline) []connector.Rejection {
	t.Helper()
	rej, err := sink.ReadRejected(context.Background(), p.Name, "orders")
	require.NoError(t, err)
	return rej
}

func storedOrder(t *testing.T, sink *sqlite.Sink, sn string) bool {
	t.Helper()
	var n int
	require.NoError(t, sink.DB().QueryRow(`SELECT count(*) FROM shopee_orders WHERE order_sn = ?`, sn).Scan(&n))
	return n > 0
}

func without(orders []shopeetest.Order, sn string) []shopeetest.Order {
	var out []shopeetest.Order
	for _, o := range orders {
		if o.OrderSN != sn {
			out = append(out, o)
		}
	}
	return out
}

// settled returns an order in the middle of the shop's history that the
// simulator's Advance never changes (closed, one item), so that only the
// test decides when it is listed again.
func settled(t *testing.T, sim *shopeetest.Server) shopeetest.Order {
	t.Helper()
	orders := sim.Orders()
	for _, o := range orders[len(orders)/2:] {
		if (o.OrderStatus == "COMPLETED" || o.OrderStatus == "CANCELLED") && len(o.ItemList) == 1 {
			return o
		}
	}
	t.Fatal("no settled order")
	return shopeetest.Order{}
}

// An order the platform never details fails the first DetailMissingRuns-1
// runs without the checkpoint passing it; the next run quarantines it
// (reason and payload in the quarantine table, Result.Rejected, the
// details_quarantined stat), stores every other order and completes; when
// the platform returns the order later, it is stored.
func TestPermanentlyMissingDetailQuarantined(t *testing.T) {
	ctx := context.Background()
	sim := newSim(t, shopeetest.Options{Orders: 400, Days: 40})
	sink := openSink(t)
	p := pipeline(sourceFor(t, sim, nil, connector.HTTPConfig{}), sink)
	victim := settled(t, sim)
	sim.WithholdDetail(victim.OrderSN)
	runs := shopee.DefaultDetailMissingRuns
	require.Equal(t, 3, runs)

	for run := 1; run < runs; run++ {
		res := runner(connector.Incremental).Run(ctx, p)[0]
		require.ErrorIs(t, res.Err, shopee.ErrBadResponse, "run %d", run)
		require.ErrorContains(t, res.Err, "first "+victim.OrderSN)
		require.ErrorContains(t, res.Err, fmt.Sprintf("left out in %d consecutive runs; quarantined from run %d on", run, runs))
		require.Zero(t, res.Rejected)
		require.Empty(t, rejections(t, sink, p))
		require.False(t, storedOrder(t, sink, victim.OrderSN))

		cp := storedCheckpoint(t, sink, p)
		require.Equal(t, map[string]shopee.DetailMissing{victim.OrderSN: {Runs: run, Calls: run * shopee.DetailAttempts}}, cp.Missing)
		// The full load stopped before the victim's create_time window ends.
		require.Equal(t, "full", cp.Phase)
		require.LessOrEqual(t, cp.From, victim.CreateTime)
		var n int
		require.NoError(t, sink.DB().QueryRow(`SELECT count(*) FROM shopee_orders`).Scan(&n))
		require.Positive(t, n, "the orders before the victim's batch are stored")
		require.Less(t, n, 400)
	}

	res := runner(connector.Incremental).Run(ctx, p)[0]
	require.NoError(t, res.Err)
	require.EqualValues(t, 1, res.Rejected)
	require.EqualValues(t, 1, res.Stats["details_quarantined"])
	rej := rejections(t, sink, p)
	require.Len(t, rej, 1)
	require.Equal(t, victim.OrderSN, rej[0].Key)
	require.Contains(t, rej[0].Reason, "order "+victim.OrderSN)
	require.Contains(t, rej[0].Reason, fmt.Sprintf("in %d consecutive runs (%d calls", runs, runs*shopee.DetailAttempts))
	var payload map[string]string
	require.NoError(t, json.Unmarshal(rej[0].Payload, &payload))
	require.Equal(t, victim.OrderSN, payload["order_sn"], "the list entry is the payload")
	require.Equal(t, rej[0].Reason, payload["etl_quarantine"])
	requireSame(t, expected(without(sim.Orders(), victim.OrderSN)), actual(t, sink.DB()))
	cp := storedCheckpoint(t, sink, p)
	require.Equal(t, "incremental", cp.Phase)
	require.Zero(t, cp.End, "the range is complete")
	require.Equal(t, runs, cp.Missing[victim.OrderSN].Runs, "kept while a run lists it")

	// Listed again (it changed, or the lookback overlaps it) and still left
	// out: quarantined at once, the run does not stop again.
	sim.Advance(time.Hour)
	require.True(t, sim.Touch(victim.OrderSN))
	res = runner(connector.Incremental).Run(ctx, p)[0]
	require.NoError(t, res.Err)
	require.EqualValues(t, 1, res.Rejected)
	require.EqualValues(t, 2, res.Stats["details_quarantined"], "since the source was created")
	rej = rejections(t, sink, p)
	require.Len(t, rej, 2)
	require.Contains(t, rej[1].Reason, fmt.Sprintf("in %d consecutive runs (%d calls", runs+1, (runs+1)*shopee.DetailAttempts))

	// The next run's lookback still covers its update_time: the same.
	sim.Advance(time.Hour)
	res = runner(connector.Incremental).Run(ctx, p)[0]
	require.NoError(t, res.Err)
	require.EqualValues(t, 1, res.Rejected)
	require.Equal(t, runs+2, storedCheckpoint(t, sink, p).Missing[victim.OrderSN].Runs)

	// The next run does not list the victim: its count is dropped, the
	// sync goes on, nothing is quarantined again.
	sim.Advance(time.Hour)
	res = runner(connector.Incremental).Run(ctx, p)[0]
	require.NoError(t, res.Err)
	require.Zero(t, res.Rejected)
	require.Empty(t, storedCheckpoint(t, sink, p).Missing)
	requireSame(t, expected(without(sim.Orders(), victim.OrderSN)), actual(t, sink.DB()))

	// The order changes and the platform returns it: it is stored.
	sim.WithholdDetail()
	sim.Advance(time.Hour)
	require.True(t, sim.Touch(victim.OrderSN))
	res = runner(connector.Incremental).Run(ctx, p)[0]
	require.NoError(t, res.Err)
	require.Zero(t, res.Rejected)
	require.True(t, storedOrder(t, sink, victim.OrderSN))
	requireSame(t, expected(sim.Orders()), actual(t, sink.DB()))
	require.Len(t, rejections(t, sink, p), 3, "the quarantine rows stay as history")
	require.Positive(t, sim.Hostile()["detail_withheld"])
}

// Omissions that fill in on retry, and answers of response null, never
// quarantine anything: a transient gap is not a missing order.
func TestTransientDetailGapsQuarantineNothing(t *testing.T) {
	ctx := context.Background()
	t.Run("omissions", func(t *testing.T) {
		sim := newSim(t, shopeetest.Options{Orders: 500, Days: 40, Hostile: shopeetest.Hostile{DetailOmit: 0.4}})
		sink := openSink(t)
		p := pipeline(sourceFor(t, sim, nil, connector.HTTPConfig{}, func(c *shopee.Config) { c.DetailMissingRuns = 1 }), sink)
		res := runner(connector.Incremental).Run(ctx, p)[0]
		require.NoError(t, res.Err)
		require.Positive(t, sim.Hostile()["detail_omit"], "the simulator was hostile")
		require.Zero(t, res.Rejected)
		require.EqualValues(t, 0, res.Stats["details_quarantined"])
		require.Empty(t, rejections(t, sink, p))
		require.Empty(t, storedCheckpoint(t, sink, p).Missing)
		requireSame(t, expected(sim.Orders()), actual(t, sink.DB()))
	})
	t.Run("null answers", func(t *testing.T) {
		sim := newSim(t, shopeetest.Options{Orders: 120, Days: 20})
		sink := openSink(t)
		p := pipeline(sourceFor(t, sim, nil, connector.HTTPConfig{}, func(c *shopee.Config) { c.DetailMissingRuns = 1 }), sink)
		sim.SetHostile(shopeetest.Hostile{DetailNull: 1})
		for run := 0; run < 3; run++ {
			res := runner(connector.Incremental).Run(ctx, p)[0]
			require.ErrorIs(t, res.Err, shopee.ErrBadResponse)
			require.ErrorContains(t, res.Err, "response is null")
			require.Zero(t, res.Rejected)
		}
		require.Empty(t, rejections(t, sink, p))
		sim.SetHostile(shopeetest.Hostile{})
		res := runner(connector.Incremental).Run(ctx, p)[0]
		require.NoError(t, res.Err)
		require.Zero(t, res.Rejected)
		requireSame(t, expected(sim.Orders()), actual(t, sink.DB()))
	})
}

// The runs must be consecutive: a run that gets the order's detail resets
// its count. Config.DetailMissingRuns = 2; the stream starts from a
// checkpoint written before Checkpoint.Missing existed.
func TestMissingDetailCountResets(t *testing.T) {
	ctx := context.Background()
	sim := newSim(t, shopeetest.Options{Orders: 300, Days: 30})
	sink := openSink(t)
	p := pipeline(sourceFor(t, sim, nil, connector.HTTPConfig{}, func(c *shopee.Config) { c.DetailMissingRuns = 2 }), sink)
	res := runner(connector.Incremental).Run(ctx, p)[0]
	require.NoError(t, res.Err)
	cp := storedCheckpoint(t, sink, p)
	// An old checkpoint: no "missing" key.
	old := fmt.Sprintf(`{"phase":"incremental","watermark":%d}`, cp.Watermark)
	require.NoError(t, sink.SaveCheckpoint(ctx, p.Name, "orders", connector.Checkpoint(old)))

	victim := settled(t, sim)
	touch := func() {
		sim.Advance(time.Hour)
		require.True(t, sim.Touch(victim.OrderSN))
	}
	run := func() connector.Result { return runner(connector.Incremental).Run(ctx, p)[0] }

	sim.WithholdDetail(victim.OrderSN)
	touch()
	res = run()
	require.ErrorIs(t, res.Err, shopee.ErrBadResponse)
	require.Equal(t, 1, storedCheckpoint(t, sink, p).Missing[victim.OrderSN].Runs)

	sim.WithholdDetail() // returned this time
	res = run()
	require.NoError(t, res.Err)
	require.True(t, storedOrder(t, sink, victim.OrderSN))
	require.Empty(t, storedCheckpoint(t, sink, p).Missing)

	sim.WithholdDetail(victim.OrderSN)
	touch()
	res = run()
	require.ErrorIs(t, res.Err, shopee.ErrBadResponse, "counting starts again at 1")
	require.Equal(t, 1, storedCheckpoint(t, sink, p).Missing[victim.OrderSN].Runs)
	res = run()
	require.NoError(t, res.Err)
	require.EqualValues(t, 1, res.Rejected)
	rej := rejections(t, sink, p)
	require.Len(t, rej, 1)
	require.Contains(t, rej[0].Reason, "in 2 consecutive runs")
	// The stale version stored before stays; every other order is current.
	exp := expected(without(sim.Orders(), victim.OrderSN))
	got := actual(t, sink.DB())
	for table, rows := range got {
		var keep []string
		for _, r := range rows {
			if !strings.HasPrefix(r, victim.OrderSN+"|") {
				keep = append(keep, r)
			}
		}
		got[table] = keep
	}
	requireSame(t, exp, got)
}

// A marker record forged by a hostile answer is quarantined, never stored;
// the Transformer's reason is the marker's.
func TestQuarantineMarkerRejected(t *testing.T) {
	var rows int
	out := outputFunc(func(*connector.Table, []any) { rows++ })
	err := shopee.Transformer{}.Transform(connector.Record{Key: "X1", Data: []byte(`{"etl_quarantine":"order X1: why","order_sn":"X1"}`)}, out)
	require.EqualError(t, err, "order X1: why")
	err = shopee.Transformer{}.Transform(connector.Record{Key: "X2", Data: []byte(`{"etl_quarantine":7,"order_sn":"X2"}`)}, out)
	require.EqualError(t, err, "order X2: malformed quarantine marker")
	require.Zero(t, rows)
	require.NoError(t, shopee.Quarantined(connector.Record{Key: "A1", Data: []byte(`{"order_sn":"A1","etl_quarantine":"x"}`)}), "an order")
}

func TestDetailMissingRunsFromEnv(t *testing.T) {
	env := map[string]string{"SHOPEE_PARTNER_ID": "1", "SHOPEE_PARTNER_KEY": "k", "SHOPEE_SHOP_ID": "2", "SHOPEE_DETAIL_MISSING_RUNS": "5"}
	get := func(k string) string { return env[k] }
	cfg, ok, err := shopee.ConfigFromEnv(get)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, 5, cfg.DetailMissingRuns)
	for _, bad := range []string{"x", "-1"} {
		env["SHOPEE_DETAIL_MISSING_RUNS"] = bad
		_, _, err = shopee.ConfigFromEnv(get)
		require.ErrorContains(t, err, "SHOPEE_DETAIL_MISSING_RUNS")
	}
	var names []string
	for _, v := range (shopee.Driver{}).Variables() {
		names = append(names, v.Name)
	}
	require.Contains(t, names, "SHOPEE_DETAIL_MISSING_RUNS")
}

// A platform that leaves most of a batch out (empty but valid answers) is
// failing, not unable to detail a few orders: runs fail and nothing is ever
// quarantined, however many runs it lasts; once it answers, all is stored.
func TestMassOmissionNeverQuarantined(t *testing.T) {
	ctx := context.Background()
	sim := newSim(t, shopeetest.Options{Orders: 300, Days: 30})
	sink := openSink(t)
	p := pipeline(sourceFor(t, sim, nil, connector.HTTPConfig{}, func(c *shopee.Config) { c.DetailMissingRuns = 1 }), sink)
	orders := sim.Orders()
	var block []string
	for _, o := range orders[100:160] { // more than one detail batch, whatever the batching
		block = append(block, o.OrderSN)
	}
	sim.WithholdDetail(block...)
	for run := 0; run < 3; run++ {
		res := runner(connector.Incremental).Run(ctx, p)[0]
		require.ErrorIs(t, res.Err, shopee.ErrBadResponse, "run %d", run)
		require.ErrorContains(t, res.Err, "platform fault, never quarantined")
		require.Zero(t, res.Rejected)
		require.Empty(t, storedCheckpoint(t, sink, p).Missing, "nothing counted")
	}
	require.Empty(t, rejections(t, sink, p))
	sim.WithholdDetail()
	res := runner(connector.Incremental).Run(ctx, p)[0]
	require.NoError(t, res.Err)
	require.Zero(t, res.Rejected)
	requireSame(t, expected(sim.Orders()), actual(t, sink.DB()))
}
