package shopee_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/reqhook"
	"github.com/facolos/etl/internal/testenv"
	"github.com/facolos/etl/shopee"
	"github.com/facolos/etl/shopee/shopeetest"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/facolos/etl/tokenstore"
	"github.com/stretchr/testify/require"
)

var (
	simNow = time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	quiet  = slog.New(slog.NewTextHandler(io.Discard, nil))
)

func newSim(t testing.TB, opts shopeetest.Options) *shopeetest.Server {
	t.Helper()
	if opts.Now.IsZero() {
		opts.Now = simNow
	}
	if opts.Seed == 0 {
		opts.Seed = 7
	}
	sim := shopeetest.NewServer(opts)
	t.Cleanup(sim.Close)
	return sim
}

func sourceFor(t testing.TB, sim *shopeetest.Server, tokens tokenstore.Store, httpCfg connector.HTTPConfig, tweak ...func(*shopee.Config)) *shopee.Source {
	t.Helper()
	if httpCfg.MinBackoff == 0 {
		httpCfg.MinBackoff, httpCfg.MaxBackoff = time.Millisecond, 20*time.Millisecond
	}
	httpCfg.Logger = quiet
	// The orders stream alone unless a test asks for the finance streams
	// (withFinance): they are tested on their own, and every order test
	// would otherwise pay for them.
	cfg := shopee.Config{Host: sim.URL, PartnerID: sim.PartnerID(), PartnerKey: sim.PartnerKey(), ShopID: sim.ShopID(),
		AccessToken: sim.InitialAccess(), RefreshToken: sim.InitialRefresh(), Tokens: tokens, Now: sim.Now, HTTP: httpCfg, Logger: quiet,
		DisableFinance: true}
	for _, f := range tweak {
		f(&cfg)
	}
	src, err := shopee.NewSource(cfg)
	require.NoError(t, err)
	return src
}

// withFinance turns the finance streams on (sourceFor leaves them off).
func withFinance(c *shopee.Config) { c.DisableFinance = false }

func openSink(t testing.TB) *sqlite.Sink {
	t.Helper()
	s, err := sqlite.Open(context.Background(), sqlite.Config{Path: filepath.Join(t.TempDir(), "shopee.db")})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func pipeline(src *shopee.Source, sink connector.Sink) connector.Pipeline {
	return connector.Pipeline{Name: "shopee/123456", Platform: "shopee", Account: "123456", Source: src, Transformer: shopee.Transformer{}, Sink: sink}
}

func runner(mode connector.Mode) *connector.Runner {
	return &connector.Runner{Mode: mode, Logger: quiet}
}

// ---- expected contents, computed from the simulator's orders ----

// dec is a money value as SQLite holds it: a number (sink/sqlite/numeric.go)
// whose text is the canonical decimal.
func dec(f float64) string {
	return connector.MustDec(strconv.FormatFloat(f, 'f', -1, 64)).String()
}

func tsText(sec int64) string {
	if sec == 0 {
		return "NULL"
	}
	return time.Unix(sec, 0).UTC().Format("2006-01-02T15:04:05.000000Z")
}

func b2s(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

type want map[string][]string

func expected(orders []shopeetest.Order) want {
	w := want{}
	add := func(table string, vals ...any) {
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = fmt.Sprint(v)
		}
		w[table] = append(w[table], strings.Join(parts, "|"))
	}
	for _, o := range orders {
		add("shopee_orders", o.OrderSN, o.OrderStatus, dec(o.TotalAmount), tsText(o.CreateTime), tsText(o.UpdateTime), b2s(o.COD), o.MessageToSeller)
		if a := o.RecipientAddress; a != nil {
			lat := "NULL"
			if a.Geolocation != nil {
				lat = dec(a.Geolocation.Latitude)
			}
			add("shopee_recipient_address", o.OrderSN, a.Name, a.State, a.FullAddress, lat)
		}
		for _, it := range o.ItemList {
			add("shopee_order_items", o.OrderSN, it.OrderItemID, it.ModelID, it.ItemName, it.ModelName, it.ModelQuantityPurchased, dec(it.ModelDiscountedPrice))
			for _, loc := range it.Locations() {
				add("shopee_order_item_locations", o.OrderSN, it.OrderItemID, it.ModelID, loc)
			}
		}
		for _, p := range o.PackageList {
			add("shopee_packages", o.OrderSN, p.PackageNumber, p.LogisticsStatus, p.ParcelChargeableWeightGram)
			for _, pi := range p.ItemList {
				add("shopee_package_items", o.OrderSN, p.PackageNumber, pi.OrderItemID, pi.ModelID, pi.ModelQuantity)
			}
		}
		if inv := o.InvoiceData; inv != nil {
			add("shopee_invoice", o.OrderSN, inv.Number, dec(inv.TotalValue))
		}
		for _, p := range o.PaymentInfo {
			add("shopee_payment_info", o.OrderSN, p.TransactionID, p.CardBrand)
		}
		for _, x := range o.PendingTerms {
			add("shopee_order_pending_terms", o.OrderSN, x)
		}
		for _, x := range o.Warnings {
			add("shopee_order_warnings", o.OrderSN, x)
		}
		for _, x := range o.PrescriptionImages {
			add("shopee_prescription_images", o.OrderSN, x)
		}
		for _, x := range o.BuyerProofOfCollection {
			add("shopee_buyer_proof_of_collection", o.OrderSN, x)
		}
	}
	for _, v := range w {
		sort.Strings(v)
	}
	return w
}

var dumpColumns = map[string]string{
	"shopee_orders":                    "order_sn, order_status, total_amount, create_time, update_time, cod, message_to_seller",
	"shopee_recipient_address":         "order_sn, name, state, full_address, latitude",
	"shopee_order_items":               "order_sn, order_item_id, model_id, item_name, model_name, model_quantity_purchased, model_discounted_price",
	"shopee_order_item_locations":      "order_sn, order_item_id, model_id, location_id",
	"shopee_packages":                  "order_sn, package_number, logistics_status, parcel_chargeable_weight_gram",
	"shopee_package_items":             "order_sn, package_number, order_item_id, model_id, model_quantity",
	"shopee_invoice":                   "order_sn, number, total_value",
	"shopee_payment_info":              "order_sn, transaction_id, card_brand",
	"shopee_order_pending_terms":       "order_sn, term",
	"shopee_order_warnings":            "order_sn, warning",
	"shopee_prescription_images":       "order_sn, image_url",
	"shopee_buyer_proof_of_collection": "order_sn, image_url",
}

func actual(t testing.TB, db *sql.DB) want {
	t.Helper()
	w := want{}
	for table, cols := range dumpColumns {
		var exprs []string
		for _, c := range strings.Split(cols, ", ") {
			exprs = append(exprs, fmt.Sprintf("COALESCE(CAST(%s AS TEXT), 'NULL')", c))
		}
		rows, err := db.Query(fmt.Sprintf("SELECT %s FROM %s", strings.Join(exprs, " || '|' || "), table))
		require.NoError(t, err)
		for rows.Next() {
			var s string
			require.NoError(t, rows.Scan(&s))
			w[table] = append(w[table], s)
		}
		require.NoError(t, rows.Err())
		rows.Close()
		sort.Strings(w[table])
	}
	return w
}

func requireSame(t testing.TB, exp, got want) {
	t.Helper()
	for table := range dumpColumns {
		require.Equal(t, len(exp[table]), len(got[table]), "rows of %s", table)
		require.Equal(t, exp[table], got[table], "contents of %s", table)
	}
}

// ---- tests ----

func TestFullLoad1234Orders(t *testing.T) {
	ctx := context.Background()
	sim := newSim(t, shopeetest.Options{Orders: 1234, Days: 200})
	sink := openSink(t)
	src := sourceFor(t, sim, nil, connector.HTTPConfig{})
	res := runner(connector.Full).Run(ctx, pipeline(src, sink))[0]
	require.NoError(t, res.Err)
	require.Equal(t, connector.StatusOK, res.Status)
	require.EqualValues(t, 1234, res.Rows["staging.shopee_orders"])
	require.EqualValues(t, 1234, res.Rows["staging.shopee_orders"])
	require.EqualValues(t, 25, res.APICalls[shopee.PathOrderDetail], "ceil(1234/50) detail calls")
	require.Equal(t, 25, sim.Calls(shopee.PathOrderDetail))

	orders := sim.Orders()
	exp := expected(orders)
	requireSame(t, exp, actual(t, sink.DB()))
	for table, rows := range exp {
		require.NotEmpty(t, rows, "the simulator exercises %s", table)
	}

	first := time.Unix(orders[0].CreateTime, 0).UTC().Format(time.DateOnly)
	require.Equal(t, first, res.Stats["earliest_date"], "earliest date correct to the day")
	probes := res.Stats["earliest_date_probes"].(int)
	require.LessOrEqual(t, probes, probeBound(sim.Now(), orders[0].CreateTime), "a probe per 15 days before the first order, plus ~4")
	t.Logf("earliest date %s found with %d probes; API calls %v", first, probes, res.APICalls)
}

func TestIncrementalAfterAdvance(t *testing.T) {
	ctx := context.Background()
	sim := newSim(t, shopeetest.Options{Orders: 400, Days: 30})
	sink := openSink(t)
	src := sourceFor(t, sim, nil, connector.HTTPConfig{})
	res := runner(connector.Incremental).Run(ctx, pipeline(src, sink))[0]
	require.NoError(t, res.Err)
	require.EqualValues(t, 400, res.Rows["staging.shopee_orders"], "no checkpoint: incremental does a full load")

	stamp := func(sn string) string {
		var s string
		require.NoError(t, sink.DB().QueryRow(`SELECT etl_updated_at || etl_batch_id FROM shopee_orders WHERE order_sn = ?`, sn).Scan(&s))
		return s
	}
	before := map[string]string{}
	for _, o := range sim.Orders() {
		before[o.OrderSN] = stamp(o.OrderSN)
	}

	changes := sim.Advance(6 * time.Hour)
	changed := map[string]bool{}
	var removed []shopeetest.Change
	for _, c := range changes {
		changed[c.OrderSN] = true
		if c.RemovedItem != 0 {
			removed = append(removed, c)
		}
	}
	require.NotEmpty(t, changes)
	require.NotEmpty(t, removed, "the advance removes an item from some order")

	res = runner(connector.Incremental).Run(ctx, pipeline(src, sink))[0]
	require.NoError(t, res.Err)
	require.GreaterOrEqual(t, res.Rows["staging.shopee_orders"], int64(len(changes)))
	require.LessOrEqual(t, res.Rows["staging.shopee_orders"], int64(len(changes)+20), "only changed orders (and the lookback overlap) are read")
	requireSame(t, expected(sim.Orders()), actual(t, sink.DB()))

	for _, c := range removed {
		var n int
		require.NoError(t, sink.DB().QueryRow(`SELECT count(*) FROM shopee_order_items WHERE order_sn = ? AND order_item_id = ? AND model_id = ?`,
			c.OrderSN, c.RemovedItem, c.RemovedModel).Scan(&n))
		require.Zero(t, n, "item removed upstream is gone")
	}
	untouched := 0
	for sn, s := range before {
		if !changed[sn] {
			require.Equal(t, s, stamp(sn), "unchanged order %s untouched", sn)
			untouched++
		}
	}
	require.Positive(t, untouched)
	var dups int
	require.NoError(t, sink.DB().QueryRow(`SELECT count(*) - count(DISTINCT order_sn) FROM shopee_orders`).Scan(&dups))
	require.Zero(t, dups)
}

func TestTokenExpiryMidLoad(t *testing.T) {
	ctx := context.Background()
	sim := newSim(t, shopeetest.Options{Orders: 600, Days: 60})
	sink := openSink(t)
	store, err := tokenstore.NewSQLStore(ctx, sink.DB(), tokenstore.SQLite)
	require.NoError(t, err)
	src := sourceFor(t, sim, store, connector.HTTPConfig{Transport: expireAfter(sim, 4)})
	r := runner(connector.Full)
	res := r.Run(ctx, pipeline(src, sink))[0]
	require.NoError(t, res.Err)
	require.EqualValues(t, 600, res.Rows["staging.shopee_orders"])
	require.Equal(t, 1, sim.Rotations(), "exactly one refresh")
	require.Equal(t, 1, res.Stats["token_refreshes"])
	tok, err := store.Load(ctx, "shopee", "123456")
	require.NoError(t, err)
	require.Equal(t, fmt.Sprintf("sim-rt-%d-1", 7), tok.RefreshToken, "rotated refresh token persisted")
	requireSame(t, expected(sim.Orders()), actual(t, sink.DB()))
}

func TestFaultsGiveSameContents(t *testing.T) {
	ctx := context.Background()
	total := map[string]int{}
	seeds := []int64{3, 11, 19}
	if !testenv.Long() || raceEnabled {
		seeds = seeds[:1]
	}
	for _, seed := range seeds {
		opts := shopeetest.Options{Orders: 800, Days: 45, Seed: seed}
		clean := newSim(t, opts)
		cleanSink := openSink(t)
		res := runner(connector.Full).Run(ctx, pipeline(sourceFor(t, clean, nil, connector.HTTPConfig{}), cleanSink))[0]
		require.NoError(t, res.Err)

		opts.FaultRate, opts.HangFor = 0.10, slow(time.Second)
		faulty := newSim(t, opts)
		sink := openSink(t)
		res = runner(connector.Full).Run(ctx, pipeline(sourceFor(t, faulty, nil, connector.HTTPConfig{Timeout: slow(400 * time.Millisecond), Attempts: 8},
			func(c *shopee.Config) {
				if raceEnabled {
					c.Concurrency, c.ListConcurrency = 2, 1 // the race detector starves the simulator
				}
			}), sink))[0]
		require.NoError(t, res.Err)
		for k, v := range faulty.Faults() {
			total[k] += v
		}
		require.Positive(t, res.Stats["http_retries"], "faults were retried")
		requireSame(t, actual(t, cleanSink.DB()), actual(t, sink.DB()))
	}
	t.Logf("faults injected: %v", total)
	require.GreaterOrEqual(t, len(total), 3, "several kinds of faults were injected")
}

func TestThrottling(t *testing.T) {
	ctx := context.Background()
	opts := shopeetest.Options{Orders: 300, Days: 30, RateLimit: 100, Burst: 5}
	// A client limited below the platform's rate paces itself: the i-th
	// request leaves it no sooner than i/80 s after the run started. (Whether
	// the platform then throttles it depends on how the machine's load
	// bunches the requests on their way, so it is not asserted.)
	sim := newSim(t, opts)
	sink := openSink(t)
	var mu sync.Mutex
	var sent []time.Time
	pace := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		sent = append(sent, time.Now())
		mu.Unlock()
		return http.DefaultTransport.RoundTrip(r)
	})
	start := time.Now()
	res := runner(connector.Full).Run(ctx, pipeline(sourceFor(t, sim, nil, connector.HTTPConfig{RateLimit: 80, Transport: pace}), sink))[0]
	require.NoError(t, res.Err)
	mu.Lock()
	sort.Slice(sent, func(i, j int) bool { return sent[i].Before(sent[j]) })
	require.Greater(t, len(sent), 10)
	for i, at := range sent {
		require.False(t, at.Before(start.Add(time.Duration(i)*(time.Second/80)-time.Millisecond)), "request %d sent %s after the start, faster than 80/s", i, at.Sub(start))
	}
	mu.Unlock()
	t.Logf("throttled requests of the paced client: %d", sim.Throttled())
	want := actual(t, sink.DB())

	// An unlimited client is throttled, backs off, retries and gets everything.
	sim2 := newSim(t, opts)
	sink2 := openSink(t)
	res = runner(connector.Full).Run(ctx, pipeline(sourceFor(t, sim2, nil, connector.HTTPConfig{Attempts: 10, MinBackoff: 10 * time.Millisecond, MaxBackoff: 200 * time.Millisecond}), sink2))[0]
	require.NoError(t, res.Err)
	t.Logf("throttled requests: %d", sim2.Throttled())
	requireSame(t, want, actual(t, sink2.DB()))
}

func TestCrashResume(t *testing.T) {
	ctx := context.Background()
	opts := shopeetest.Options{Orders: 700, Days: 70}
	sim := newSim(t, opts)
	refSink := openSink(t)
	require.NoError(t, runner(connector.Full).Run(ctx, pipeline(sourceFor(t, sim, nil, connector.HTTPConfig{}), refSink))[0].Err)
	want := actual(t, refSink.DB())

	rng := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < testenv.Pick(2, 4); round++ {
		stopAt := int64(1 + rng.IntN(25))
		t.Run(fmt.Sprint(stopAt), func(t *testing.T) {
			sim := newSim(t, opts)
			sink := openSink(t)
			src := sourceFor(t, sim, nil, connector.HTTPConfig{})
			for attempt := 0; ; attempt++ {
				cctx, cancel := context.WithCancel(ctx)
				var pages atomic.Int64
				r := runner(connector.Incremental)
				r.Observer = func(e connector.Event) {
					if e.Kind == connector.PageFetched && pages.Add(1) == stopAt {
						cancel()
					}
				}
				res := r.Run(cctx, pipeline(src, sink))[0]
				cancel()
				if res.Status == connector.StatusOK {
					break
				}
				require.Equal(t, connector.StatusInterrupted, res.Status, "error: %v", res.Err)
				require.Less(t, attempt, 50)
			}
			requireSame(t, want, actual(t, sink.DB()))
		})
	}
}

func TestMalformedOrderQuarantined(t *testing.T) {
	var rows []string
	out := outputFunc(func(tb *connector.Table, row []any) { rows = append(rows, tb.Name) })
	good := `{"order_sn":"A1","total_amount":100,"item_list":[{"order_item_id":1,"model_id":2,"product_location_id":"VNZ"}]}`
	require.NoError(t, shopee.Transformer{}.Transform(connector.Record{Key: "A1", Data: []byte(good)}, out))
	require.Equal(t, []string{"shopee_orders", "shopee_order_items", "shopee_order_item_locations"}, rows)

	cases := map[string]string{
		`{"order_sn":"B1","total_amount":"12,5k"}`:                           "order B1: field total_amount",
		`{"order_sn":"B2","item_list":[{"order_item_id":"x","model_id":1}]}`: "order B2: field item_list[0].order_item_id",
		`{"order_sn":"B3","create_time":-5}`:                                 "order B3: field create_time",
		`{"total_amount":1}`:                                                 "field order_sn: missing",
		`not json`:                                                           "not a JSON object",
	}
	for payload, msg := range cases {
		err := shopee.Transformer{}.Transform(connector.Record{Key: "k", Data: []byte(payload)}, out)
		require.ErrorContains(t, err, msg)
	}
}

type outputFunc func(t *connector.Table, row []any)

func (f outputFunc) Add(t *connector.Table, row []any) { f(t, row) }

func TestBatchMatesOfMalformedOrderLoad(t *testing.T) {
	ctx := context.Background()
	sink := openSink(t)
	src := &staticSource{records: []connector.Record{
		{Key: "OK1", Data: []byte(`{"order_sn":"OK1","order_status":"COMPLETED","item_list":[{"order_item_id":1,"model_id":0}]}`)},
		{Key: "BAD", Data: []byte(`{"order_sn":"BAD","item_list":[{"order_item_id":1}]}`)},
		{Key: "OK2", Data: []byte(`{"order_sn":"OK2","recipient_address":{"name":"Lê Thị Thu Hà 🌸","state":"Cần Thơ"}}`)},
	}}
	res := runner(connector.Full).Run(ctx, connector.Pipeline{Name: "p", Source: src, Transformer: shopee.Transformer{}, Sink: sink})[0]
	require.NoError(t, res.Err)
	require.EqualValues(t, 1, res.Rejected)
	var n int
	require.NoError(t, sink.DB().QueryRow(`SELECT count(*) FROM shopee_orders`).Scan(&n))
	require.Equal(t, 2, n)
	var reason string
	require.NoError(t, sink.DB().QueryRow(`SELECT reason FROM etl_control_rejected_records WHERE record_key='BAD'`).Scan(&reason))
	require.Contains(t, reason, "model_id")
	var name string
	require.NoError(t, sink.DB().QueryRow(`SELECT name FROM shopee_recipient_address WHERE order_sn='OK2'`).Scan(&name))
	require.Equal(t, "Lê Thị Thu Hà 🌸", name)
}

type staticSource struct{ records []connector.Record }

func (s *staticSource) Streams() []connector.Stream { return []connector.Stream{s} }
func (s *staticSource) Name() string                { return "orders" }
func (s *staticSource) Read(ctx context.Context, _ connector.ReadOptions, emit connector.EmitFunc) error {
	return emit(ctx, connector.Page{Records: s.records, Checkpoint: connector.Checkpoint(`{}`)})
}

func TestEarliestDate(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct{ orders, days int }{{40, 2}, {60, 20}, {300, 400}, {500, 729}, {500, 900}} {
		t.Run(fmt.Sprintf("%d_orders_over_%d_days", c.orders, c.days), func(t *testing.T) {
			sim := newSim(t, shopeetest.Options{Orders: c.orders, Days: c.days})
			src := sourceFor(t, sim, nil, connector.HTTPConfig{})
			got, err := src.EarliestDate(ctx, sim.Now())
			require.NoError(t, err)
			first := time.Unix(sim.Orders()[0].CreateTime, 0).UTC().Truncate(24 * time.Hour)
			history := sim.Now().Add(-shopee.MaxHistory)
			if first.Before(history) {
				first = history.Truncate(24 * time.Hour).Add(24 * time.Hour) // the platform's horizon
			}
			require.Equal(t, first.Format(time.DateOnly), got.Format(time.DateOnly))
			probes := src.Stats()["earliest_date_probes"].(int)
			require.LessOrEqual(t, probes, probeBound(sim.Now(), sim.Orders()[0].CreateTime), "a probe per 15 days before the first order, plus ~4")
			require.Equal(t, probes, sim.Calls(shopee.PathOrderList))
		})
	}
}

func TestUnmappedFieldsReported(t *testing.T) {
	rec := connector.Record{Key: "U1", Data: []byte(`{"order_sn":"U1","brand_new_field":1,"item_list":[{"order_item_id":1,"model_id":2,"promotion_list":[]}]}`)}
	require.NoError(t, shopee.Transformer{}.Transform(rec, outputFunc(func(*connector.Table, []any) {})))
	require.Contains(t, shopee.Unmapped(), "brand_new_field")
	require.Contains(t, shopee.Unmapped(), "item_list[].promotion_list")
	require.NotContains(t, shopee.Unmapped(), "order_sn")
}

// Nothing the job logs or returns carries a token, the partner key or a
// signature, even at debug level with faults and a token refresh.
func TestSecretsNeverLogged(t *testing.T) {
	ctx := context.Background()
	sim := newSim(t, shopeetest.Options{Orders: 300, Days: 30, FaultRate: 0.1, HangFor: slow(700 * time.Millisecond)})
	var buf strings.Builder
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return buf.Write(p)
	}), &slog.HandlerOptions{Level: slog.LevelDebug}))
	src, err := shopee.NewSource(shopee.Config{Host: sim.URL, PartnerID: sim.PartnerID(), PartnerKey: sim.PartnerKey(), ShopID: sim.ShopID(),
		AccessToken: sim.InitialAccess(), RefreshToken: sim.InitialRefresh(), Now: sim.Now, Logger: logger,
		HTTP: connector.HTTPConfig{Timeout: slow(300 * time.Millisecond), Attempts: 8, MinBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond,
			Transport: expireAfter(sim, 2)}})
	require.NoError(t, err)
	r := &connector.Runner{Mode: connector.Full, Logger: logger}
	res := r.Run(ctx, pipeline(src, openSink(t)))[0]
	require.NoError(t, res.Err)
	require.Equal(t, 1, sim.Rotations())
	mu.Lock()
	logs := buf.String()
	mu.Unlock()
	require.Contains(t, logs, "api call", "debug logs were written")
	for _, secret := range []string{sim.PartnerKey(), sim.InitialAccess(), sim.InitialRefresh(), "sim-at-7-1", "sim-rt-7-1", "sign="} {
		require.NotContains(t, logs, secret)
	}
	require.NotRegexp(t, `[0-9a-f]{64}`, logs, "no signature")
}

type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestFullLoadFromTheFuture(t *testing.T) {
	sim := newSim(t, shopeetest.Options{Orders: 20})
	sink := openSink(t)
	r := runner(connector.Full)
	r.Since = sim.Now().Add(48 * time.Hour)
	res := r.Run(context.Background(), pipeline(sourceFor(t, sim, nil, connector.HTTPConfig{}), sink))[0]
	require.NoError(t, res.Err)
	require.Zero(t, res.Records)
	require.Zero(t, sim.Calls(shopee.PathOrderList))
}

// probeBound is the most earliest-date probes for a shop whose first order
// is at first: one per 15-day window from the start of the history to it,
// up to 7 more already in flight (8 run at once), plus 5 for the day.
func probeBound(now time.Time, first int64) int {
	history := now.Add(-shopee.MaxHistory).Unix()
	windows := int(max(first-history, 0)/(15*24*3600)) + 1
	return windows + 7 + 5
}

// expireAfter is a transport that expires every access token in the
// simulator just before the n-th get_order_detail request is sent (and
// before every later one).
func expireAfter(sim *shopeetest.Server, n int64) http.RoundTripper {
	return &reqhook.Transport{Match: reqhook.PathIs(shopee.PathOrderDetail), N: int(n), Fire: sim.ExpireTokens}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// slow stretches a per-attempt timeout under the race detector, which
// slows client and simulator alike (a hang fault still lasts longer).
func slow(d time.Duration) time.Duration {
	if raceEnabled {
		return 20 * d
	}
	return d
}
