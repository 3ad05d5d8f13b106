package misa_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/simfault"
	"github.com/facolos/etl/misa"
	"github.com/facolos/etl/misa/misatest"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/facolos/etl/tokenstore"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"
)

func TestFullLoadEqualsSimulator(t *testing.T) {
	sim := newSim(t, misatest.Options{Customers: 330, SaleOrders: 280, Contacts: 120, Products: 110})
	sink := openSink(t, sqlite.Config{})
	cfg := config(sim, nil, connector.HTTPConfig{})
	cfg.Concurrency = 1 // one page at a time: exactly the pages there are
	src, err := misa.NewSource(cfg)
	require.NoError(t, err)
	res := run(t, runner(connector.Full), pipeline(src, sink))
	requireSame(t, expected(sim), actual(t, sink))
	// Calls: ceil(n/100) pages per entity and the empty page that ends the
	// pass, one login.
	require.Equal(t, int64(5), res.APICalls[misatest.BasePath+misa.PathCustomers])
	require.Equal(t, int64(4), res.APICalls[misatest.BasePath+misa.PathSaleOrders])
	require.Equal(t, int64(3), res.APICalls[misatest.BasePath+misa.PathContacts])
	require.Equal(t, int64(3), res.APICalls[misatest.BasePath+misa.PathProducts])
	require.Equal(t, 1, sim.Logins())
	require.Zero(t, res.Rejected)
	// Fields tables.md lists as sent and not stored are not reported as
	// unmapped (TestColumnCoverage fails on any field that is).
	unmapped, _ := res.Stats["unmapped_fields"].([]string)
	for _, f := range []string{"customers.list_product_name", "sale_orders.contact_name", "products.is_no_recorded_sales"} {
		require.NotContains(t, unmapped, f)
	}
	// An order without items is stored with item_id 0 and NULL item columns.
	var n int
	require.NoError(t, sink.DB().QueryRow(`SELECT COUNT(*) FROM "misa_sale_orders_flattened" WHERE item_id = 0 AND item_product_code IS NULL AND total_items_in_order = 0`).Scan(&n))
	require.Positive(t, n)
	_ = context.Background()
}

func TestIncrementalAfterAdvancePicksExactlyTheChanges(t *testing.T) {
	sim := newSim(t, misatest.Options{Customers: 760, SaleOrders: 760, Contacts: 40, Products: 40, ChangeRate: 0.42})
	sink := openSink(t, sqlite.Config{})
	src := sourceFor(t, sim, nil, connector.HTTPConfig{})
	run(t, runner(connector.Full), pipeline(src, sink))
	beforeCust := batchIDs(t, sink, "misa_customers", "id")
	beforeOrders := batchIDs(t, sink, "misa_sale_orders_flattened", "order_id || '/' || item_id")

	ch := sim.Advance(2 * time.Hour)
	require.Greater(t, len(ch.Modified[misatest.Customers])+len(ch.Created[misatest.Customers]), 300)
	require.Greater(t, len(ch.Modified[misatest.SaleOrders]), 300)
	require.NotEmpty(t, ch.ItemsRemoved)
	res := run(t, runner(connector.Incremental), pipeline(src, sink))
	requireSame(t, expected(sim), actual(t, sink))

	// Exactly the changed customers were rewritten, nothing else.
	changed := map[string]bool{}
	for _, k := range append(ch.Modified[misatest.Customers], ch.Created[misatest.Customers]...) {
		changed[k] = true
	}
	after := batchIDs(t, sink, "misa_customers", "id")
	for k, b := range after {
		require.Equal(t, changed[k], b != beforeCust[k], "customer %s rewritten=%v changed=%v", k, b != beforeCust[k], changed[k])
	}
	// Sale-order rows: only rows of changed orders were rewritten, and the
	// removed items are gone.
	orderChanged := map[string]bool{}
	for _, k := range append(ch.Modified[misatest.SaleOrders], ch.Created[misatest.SaleOrders]...) {
		orderChanged[k] = true
	}
	for k, b := range batchIDs(t, sink, "misa_sale_orders_flattened", "order_id || '/' || item_id") {
		if b != beforeOrders[k] {
			require.True(t, orderChanged[strings.Split(k, "/")[0]], "row %s of an unchanged order rewritten", k)
		}
	}
	// The read went as deep as the changes (well past 3 pages) and stopped
	// there: pages = changed records / 100 rounded up, plus the page holding
	// the first older record.
	n := len(changed)
	require.LessOrEqual(t, res.APICalls[misatest.BasePath+misa.PathCustomers], int64((n+99)/100+1))
	require.GreaterOrEqual(t, res.APICalls[misatest.BasePath+misa.PathCustomers], int64((n+99)/100))
	require.Less(t, res.Records, int64(2*n+1000))

	// A second incremental run with no changes reads one page per entity.
	res = run(t, runner(connector.Incremental), pipeline(src, sink))
	require.Equal(t, int64(1), res.APICalls[misatest.BasePath+misa.PathCustomers])
}

// Records modified while the client pages jump to page 0 and push the rest
// down a page: the read sees duplicates at page heads and misses the moved
// records, which the next pass picks up because they are newer than the
// watermark. Nothing unmoved is missed and nothing is stored twice.
func TestPagesShiftWhileReading(t *testing.T) {
	for _, mode := range []connector.Mode{connector.Full, connector.Incremental} {
		t.Run(string(mode), func(t *testing.T) {
			var sim *misatest.Server
			shift := false
			sim = newSim(t, misatest.Options{Customers: 420, SaleOrders: 250, Contacts: 30, Products: 30, ChangeRate: 0.3,
				OnList: func(entity string, page int) {
					if shift && page > 0 && (entity == misatest.Customers || entity == misatest.SaleOrders) {
						sim.Modify(entity, 7)
					}
				}})
			sink := openSink(t, sqlite.Config{})
			src := sourceFor(t, sim, nil, connector.HTTPConfig{})
			if mode == connector.Incremental {
				run(t, runner(connector.Full), pipeline(src, sink))
				sim.Advance(time.Hour)
			}
			shift = true
			before := src.Stats()["duplicates_dropped"].(int64)
			run(t, runner(mode), pipeline(src, sink))
			shift = false
			require.Greater(t, src.Stats()["duplicates_dropped"].(int64), before, "pages shifted under the reader")
			// One more pass picks up what moved during the first.
			run(t, runner(connector.Incremental), pipeline(src, sink))
			requireSame(t, expected(sim), actual(t, sink))
		})
	}
}

// Two workers (two sources, same tenant) share one SQL token store: the
// first logs in, the second reuses its token; when the token expires in the
// middle of the load, exactly one of them logs in again and the other picks
// the new token up from the store.
func TestTokenExpiryMidLoadOneReauthShared(t *testing.T) {
	var sim *misatest.Server
	var expired atomic.Bool
	sim = newSim(t, misatest.Options{Customers: 450, SaleOrders: 150, Contacts: 30, Products: 30,
		OnList: func(entity string, page int) {
			if entity == misatest.Customers && page == 3 && expired.CompareAndSwap(false, true) {
				sim.ExpireTokens()
			}
		}})
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "tokens.db")+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_txlock=immediate")
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	store, err := tokenstore.NewSQLStore(context.Background(), db, tokenstore.SQLite)
	require.NoError(t, err)

	srcA := sourceFor(t, sim, store, connector.HTTPConfig{})
	srcB := sourceFor(t, sim, store, connector.HTTPConfig{})
	sinkA, sinkB := openSink(t, sqlite.Config{}), openSink(t, sqlite.Config{})
	pa, pb := pipeline(srcA, sinkA), pipeline(srcB, sinkB)
	pb.Name = pipeName + "-b"
	before := time.Now()
	results := runner(connector.Full).Run(context.Background(), pa, pb)
	after := time.Now()
	for _, r := range results {
		require.NoError(t, r.Err)
	}
	require.True(t, expired.Load())
	require.Equal(t, 2, sim.Logins(), "one login at the start, one re-authentication after expiry (client logins %d + %d, stats %v / %v)",
		srcA.Client().Logins(), srcB.Client().Logins(), srcA.Stats(), srcB.Stats())
	require.Equal(t, 2, srcA.Client().Logins()+srcB.Client().Logins())
	require.Positive(t, sim.Rejected(401))
	exp := expected(sim)
	requireSame(t, exp, actual(t, sinkA))
	requireSame(t, exp, actual(t, sinkB))
	// The stored token is the JWT of the second login, with its exp.
	tok, err := store.Load(context.Background(), misa.TokenPlatform, sim.ClientID())
	require.NoError(t, err)
	// Its exp is 24 h after the second login, a moment of the run (whole
	// seconds).
	exp24 := tok.AccessExpiresAt.Add(-24 * time.Hour)
	require.False(t, exp24.Before(before.Truncate(time.Second)) || exp24.After(after.Add(time.Second)),
		"token expiry %s, want 24h after a moment between %s and %s", tok.AccessExpiresAt, before, after)
}

// With 10 % of the requests failing the way networks fail (dropped
// connections, HTML 502/503, hangs past the timeout, JSON 500, 429 with and
// without Retry-After, truncated bodies), a full load and an incremental
// load end with the same contents as without faults.
func TestFaultsSameContents(t *testing.T) {
	for _, rate := range []float64{0.1, 0.3} {
		t.Run(fmt.Sprint(rate), func(t *testing.T) {
			sim := newSim(t, misatest.Options{Customers: 350, SaleOrders: 250, Contacts: 40, Products: 40,
				Faults: simfault.Options{Rate: rate, Seed: 3}})
			sink := openSink(t, sqlite.Config{})
			src := sourceFor(t, sim, nil, connector.HTTPConfig{Timeout: time.Second, Attempts: 10, MaxRetryAfter: 20 * time.Millisecond})
			run(t, runner(connector.Full), pipeline(src, sink))
			requireSame(t, expected(sim), actual(t, sink))
			for i := 0; i < 2; i++ {
				sim.Advance(3 * time.Hour)
				run(t, runner(connector.Incremental), pipeline(src, sink))
			}
			requireSame(t, expected(sim), actual(t, sink))
			require.Positive(t, src.Stats()["http_retries"].(int64))
			if rate > 0.2 {
				require.GreaterOrEqual(t, len(sim.Faults()), 6, "fault kinds injected: %v", sim.Faults())
			}
		})
	}
}

// A crash at random points (the commit of a batch fails, the run dies)
// resumes to contents identical to an uninterrupted run, for a full load
// and for an incremental load.
func TestCrashAtRandomPointsResumes(t *testing.T) {
	sim := newSim(t, misatest.Options{Customers: 450, SaleOrders: 300, Contacts: 60, Products: 40, ChangeRate: 0.4})
	rnd := rand.New(rand.NewPCG(11, 12))
	// Each load crashes at its first commit, then at random ones (how many
	// commits a load makes depends on how its streams interleave).
	var crash, first atomic.Bool
	sink := openSink(t, sqlite.Config{BeforeCommit: func(ctx context.Context, b *connector.Batch) error {
		if crash.Load() && (first.CompareAndSwap(true, false) || rnd.IntN(6) == 0) {
			return errors.New("simulated crash before commit")
		}
		return nil
	}})
	cfg := config(sim, nil, connector.HTTPConfig{})
	cfg.Concurrency = 3 // full loads keep 3 pages in flight; commits stay in order
	src, err := misa.NewSource(cfg)
	require.NoError(t, err)
	load := func(mode connector.Mode) int {
		crash.Store(true)
		first.Store(true)
		defer crash.Store(false)
		for i := 0; ; i++ {
			require.Less(t, i, 200, "no progress")
			res := runner(mode).Run(context.Background(), pipeline(src, sink))[0]
			mode = connector.Incremental // a resumed run continues from the checkpoint
			if res.Err == nil {
				return i
			}
			require.ErrorContains(t, res.Err, "simulated crash")
		}
	}
	crashes := load(connector.Full)
	require.Positive(t, crashes)
	requireSame(t, expected(sim), actual(t, sink))
	sim.Advance(2 * time.Hour)
	crashes = load(connector.Incremental)
	require.Positive(t, crashes)
	requireSame(t, expected(sim), actual(t, sink))
}

// A page that fails for good fails the stream after the pages before it are
// stored; the checkpoint stays before the failed page and the watermark
// does not move. The next run resumes at that page.
func TestFailedPageFailsStreamCheckpointStays(t *testing.T) {
	var fail atomic.Bool
	fail.Store(true)
	sim := newSim(t, misatest.Options{Customers: 750, SaleOrders: 100, Contacts: 30, Products: 30,
		FailPage: func(entity string, page int) int {
			if fail.Load() && entity == misatest.Customers && page == 3 {
				return 500
			}
			return 0
		}})
	sink := openSink(t, sqlite.Config{})
	cfg := config(sim, nil, connector.HTTPConfig{Attempts: 2})
	cfg.Concurrency = 1 // the resumed run's calls are counted exactly below
	src, err := misa.NewSource(cfg)
	require.NoError(t, err)
	res := runner(connector.Full).Run(context.Background(), pipeline(src, sink))[0]
	require.Equal(t, connector.StatusFailed, res.Status)
	require.ErrorContains(t, res.Err, "page 3")
	require.ErrorIs(t, res.Err, misa.ErrServer)
	var n int
	require.NoError(t, sink.DB().QueryRow(`SELECT COUNT(*) FROM "misa_customers"`).Scan(&n))
	require.Equal(t, 300, n, "pages 0..2 stored")
	cp, err := sink.LoadCheckpoint(context.Background(), pipeName, misa.StreamCustomers)
	require.NoError(t, err)
	var c misa.Checkpoint
	require.NoError(t, json.Unmarshal(cp, &c))
	require.Empty(t, c.Watermark, "no watermark before the first pass completes")
	require.NotNil(t, c.Pass)
	require.Equal(t, 3, c.Pass.Page)

	fail.Store(false)
	before := sim.Calls(misa.PathCustomers)
	run(t, runner(connector.Incremental), pipeline(src, sink))
	require.Equal(t, 6, sim.Calls(misa.PathCustomers)-before, "resumed at page 3: pages 3..7 and the empty page 8")
	requireSame(t, expected(sim), actual(t, sink))
	cp, err = sink.LoadCheckpoint(context.Background(), pipeName, misa.StreamCustomers)
	require.NoError(t, err)
	c = misa.Checkpoint{}
	require.NoError(t, json.Unmarshal(cp, &c))
	require.Nil(t, c.Pass)
	require.NotEmpty(t, c.Watermark)
}

// Hostile data: amounts as text with thousands separators and "%", a
// malformed date quarantined with a reason naming the field, and a stale
// duplicate of a record in the same answer (the newest version is kept).
func TestHostileData(t *testing.T) {
	sim := newSim(t, misatest.Options{Customers: 650, SaleOrders: 50, Contacts: 20, Products: 20, Hostile: true})
	sink := openSink(t, sqlite.Config{})
	src := sourceFor(t, sim, nil, connector.HTTPConfig{})
	res := run(t, runner(connector.Full), pipeline(src, sink))
	bad := sim.Malformed()
	require.NotEmpty(t, bad)
	require.Equal(t, int64(len(bad)), res.Rejected)
	rows, err := sink.DB().Query(`SELECT record_key, reason FROM "etl_control_rejected_records"`)
	require.NoError(t, err)
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k, reason string
		require.NoError(t, rows.Scan(&k, &reason))
		require.Contains(t, reason, "field celebrate_date")
		require.Contains(t, reason, `"31/12/2024" is not an ISO-8601 date`)
		keys = append(keys, k)
	}
	require.ElementsMatch(t, bad, keys)
	requireSame(t, expected(sim), actual(t, sink))
	require.Positive(t, src.Stats()["duplicates_dropped"].(int64))
}

// A server that numbers pages from 1 (page 0 aliasing page 1) loads the
// same: the repeated page is recognised by key and skipped.
func TestOneBasedServer(t *testing.T) {
	sim := newSim(t, misatest.Options{Customers: 320, SaleOrders: 120, Contacts: 30, Products: 30, OneBased: true})
	sink := openSink(t, sqlite.Config{})
	src := sourceFor(t, sim, nil, connector.HTTPConfig{})
	run(t, runner(connector.Full), pipeline(src, sink))
	requireSame(t, expected(sim), actual(t, sink))
}

// The other documented base URL (amisapp.misa.vn/crm/gc/api/public/api/v2)
// works the same way.
func TestAlternativeHost(t *testing.T) {
	sim := newSim(t, misatest.Options{Customers: 120, SaleOrders: 60, Contacts: 20, Products: 20})
	sink := openSink(t, sqlite.Config{})
	cfg := config(sim, nil, connector.HTTPConfig{})
	cfg.BaseURL = sim.AltURL
	src, err := misa.NewSource(cfg)
	require.NoError(t, err)
	run(t, runner(connector.Full), pipeline(src, sink))
	requireSame(t, expected(sim), actual(t, sink))
}

// A wrong secret is a permanent error that says what to fix and never shows
// the secret; the stream fails without storing anything.
func TestBadCredentials(t *testing.T) {
	sim := newSim(t, misatest.Options{Customers: 10, SaleOrders: 10, Contacts: 10, Products: 10})
	sink := openSink(t, sqlite.Config{})
	cfg := config(sim, nil, connector.HTTPConfig{})
	cfg.ClientSecret = "wrong-secret-value"
	src, err := misa.NewSource(cfg)
	require.NoError(t, err)
	res := runner(connector.Full).Run(context.Background(), pipeline(src, sink))[0]
	require.Equal(t, connector.StatusFailed, res.Status)
	require.ErrorIs(t, res.Err, misa.ErrAuth)
	require.ErrorContains(t, res.Err, "InvalidAppID")
	require.ErrorContains(t, res.Err, "MISA_CRM_CLIENT_SECRET")
	require.NotContains(t, res.Err.Error(), "wrong-secret-value")
	require.Equal(t, 1, sim.Calls(misa.PathAccount), "a permanent error is not retried")
}

// A token from MISA_CRM_ACCESS_TOKEN is used until it expires (its exp is
// decoded), then the client logs in; an HTTP 401 with an empty body makes it
// log in once and retry.
func TestConfiguredTokenAndEmptyBody401(t *testing.T) {
	sim := newSim(t, misatest.Options{Customers: 150, SaleOrders: 20, Contacts: 10, Products: 10})
	// Get a valid token as a user would have one.
	first := sourceFor(t, sim, nil, connector.HTTPConfig{})
	_, err := first.Client().List(context.Background(), misa.PathCustomers, 0, nil)
	require.NoError(t, err)
	require.Equal(t, 1, sim.Logins())
	// A token that the server does not know: rejected with an empty 401, so
	// the client logs in once and goes on.
	cfg := config(sim, nil, connector.HTTPConfig{})
	cfg.AccessToken = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjQxMDI0NDQ4MDB9.c2ln" // exp 2100-01-01, unknown to the server
	src, err := misa.NewSource(cfg)
	require.NoError(t, err)
	p, err := src.Client().List(context.Background(), misa.PathCustomers, 1, nil)
	require.NoError(t, err)
	require.Len(t, p.Records, 50)
	require.Equal(t, 2, sim.Logins())
	require.Equal(t, 1, sim.Rejected(401))
}

func TestConfigFromEnv(t *testing.T) {
	env := map[string]string{}
	get := func(k string) string { return env[k] }
	_, ok, err := misa.ConfigFromEnv(get)
	require.NoError(t, err)
	require.False(t, ok)
	env["MISA_CRM_CLIENT_ID"] = "APP"
	_, _, err = misa.ConfigFromEnv(get)
	require.ErrorContains(t, err, "MISA_CRM_CLIENT_SECRET")
	env["MISA_CRM_CLIENT_SECRET"] = "s"
	env["MISA_CRM_TOKEN_REFRESH_BUFFER"] = "600"
	env["MISA_CRM_INCREMENTAL_LOOKBACK_MINUTES"] = "30"
	env["MISA_CRM_BASE_URL"] = misa.AltBaseURL
	env["MISA_CRM_CONCURRENCY"] = "2"
	cfg, ok, err := misa.ConfigFromEnv(get)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, 2, cfg.Concurrency)
	require.Equal(t, 10*time.Minute, cfg.RefreshBuffer)
	require.Equal(t, 30*time.Minute, cfg.Lookback)
	require.Equal(t, misa.AltBaseURL, cfg.BaseURL)
	env["MISA_CRM_INCREMENTAL_LOOKBACK_MINUTES"] = "x"
	_, _, err = misa.ConfigFromEnv(get)
	require.ErrorContains(t, err, "MISA_CRM_INCREMENTAL_LOOKBACK_MINUTES")
	env["MISA_CRM_INCREMENTAL_LOOKBACK_MINUTES"] = "30"
	env["MISA_CRM_CONCURRENCY"] = "-1"
	_, _, err = misa.ConfigFromEnv(get)
	require.ErrorContains(t, err, "MISA_CRM_CONCURRENCY")
}

// A record dated far in the future is stored but does not become the
// watermark, which would hide every later change.
func TestFutureDatedRecordDoesNotLiftWatermark(t *testing.T) {
	sim := newSim(t, misatest.Options{Customers: 300, SaleOrders: 50, Contacts: 20, Products: 20})
	sink := openSink(t, sqlite.Config{})
	src := sourceFor(t, sim, nil, connector.HTTPConfig{})
	run(t, runner(connector.Full), pipeline(src, sink))
	sim.SetModified(misatest.Customers, 100_010, sim.Now().AddDate(10, 0, 0))
	sim.Advance(time.Hour)
	run(t, runner(connector.Incremental), pipeline(src, sink))
	require.Positive(t, src.Stats()["future_dated"].(int64))
	cp, err := sink.LoadCheckpoint(context.Background(), pipeName, misa.StreamCustomers)
	require.NoError(t, err)
	var c misa.Checkpoint
	require.NoError(t, json.Unmarshal(cp, &c))
	wm, err := time.Parse(time.RFC3339Nano, c.Watermark)
	require.NoError(t, err)
	require.False(t, wm.After(sim.Now()), "watermark %s after the clock %s", wm, sim.Now())
	sim.Advance(time.Hour)
	run(t, runner(connector.Incremental), pipeline(src, sink))
	requireSame(t, expected(sim), actual(t, sink))
}
