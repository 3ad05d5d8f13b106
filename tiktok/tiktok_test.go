package tiktok_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/reqhook"
	"github.com/facolos/etl/internal/simfault"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/facolos/etl/tiktok"
	"github.com/facolos/etl/tiktok/tiktoktest"
	"github.com/facolos/etl/tokenstore"
	"github.com/stretchr/testify/require"
)

func TestTableHas118Columns(t *testing.T) {
	tb := tiktok.Table()
	require.Len(t, tb.Columns, 118)
	require.Equal(t, []string{"order_id", "item_id"}, tb.PrimaryKey)
	require.Equal(t, tb.FullName(), tb.Parent, "the table is its own parent: line sets are replaced per order")
	require.Equal(t, []string{"order_id"}, tb.ParentKey)
	for _, c := range tb.Columns {
		_, mapped := colPath[c.Name]
		require.True(t, mapped || strings.HasPrefix(c.Name, "etl_"), "column %s has no documented source", c.Name)
	}
}

// A full load of 2,345 orders: every line item exactly once, every column
// equal to the simulator's data, the minimum number of search calls for
// the windows read (a head page and windows read at once; at most one
// partial page per window above ceil(2345/100)) and no detail call.
func TestFullLoad(t *testing.T) {
	t.Parallel()
	n := small(2345)
	sim := newSim(t, tiktoktest.Options{Orders: n})
	src := sourceFor(t, sim, nil, connector.HTTPConfig{})
	sink := openSink(t, "", sqlite.Config{})
	res := run(t, &connector.Runner{}, src, sink)
	require.NoError(t, res.Err)
	require.Equal(t, int64(n), res.Records)
	require.Zero(t, res.Rejected)
	plan := requireMinimalPlan(t, sim, sim.Searches())
	require.Greater(t, plan.windows, 1, "the load is read as several windows at once")
	require.Zero(t, plan.restarts)
	require.Equal(t, int64(plan.windows+1), src.Stats()["search_windows"], "the windows and the whole range")
	calls := sim.Calls(tiktok.PathSearch)
	require.Equal(t, map[string]int64{tiktok.PathSearch: int64(calls), tiktok.PathShops: 1}, res.APICalls,
		"search calls only, no detail calls (and the shop resolved once)")
	require.LessOrEqual(t, calls, (n+99)/100+plan.leaves+plan.splits)
	require.Zero(t, sim.Calls(tiktok.PathDetail))
	orders := sim.Orders()
	want := expected(orders)
	items, empty := 0, 0
	for _, o := range orders {
		items += len(o.LineItems)
		if len(o.LineItems) == 0 {
			empty++
		}
	}
	require.Positive(t, empty, "the data has orders without line items")
	require.Len(t, want, items+empty)
	requireSameContents(t, want, actual(t, sink))
	require.Equal(t, int64(items+empty), res.Rows["staging."+tiktok.TableName])
}

// After Advance, an incremental run updates the changed orders, deletes
// their vanished line items (and the placeholder rows of orders whose
// items arrived) and leaves every other row untouched.
func TestIncrementalAfterAdvance(t *testing.T) {
	t.Parallel()
	sim := newSim(t, tiktoktest.Options{Orders: small(800)})
	var clock atomic.Int64
	clock.Store(simNow.Unix())
	sink := openSink(t, "", sqlite.Config{Now: func() time.Time { return time.Unix(clock.Load(), 0) }})
	src := sourceFor(t, sim, nil, connector.HTTPConfig{})
	res := run(t, &connector.Runner{}, src, sink)
	require.NoError(t, res.Err)
	before := etlUpdated(t, sink)
	beforeRows := actual(t, sink)

	changes := sim.Advance(6 * time.Hour)
	changed := map[string]bool{}
	for _, c := range changes {
		changed[c.OrderID] = true
	}
	clock.Add(3600)
	res = run(t, &connector.Runner{}, src, sink)
	require.NoError(t, res.Err)
	require.Positive(t, res.Records)
	afterRows := actual(t, sink)
	requireSameContents(t, expected(sim.Orders()), afterRows)

	after := etlUpdated(t, sink)
	removed, untouched := 0, 0
	for k, at := range before {
		id := k[:strings.IndexByte(k, '/')]
		if _, still := after[k]; !still {
			require.True(t, changed[id], "row %s vanished although its order did not change", k)
			removed++
			continue
		}
		if !changed[id] {
			require.Equal(t, at, after[k], "row %s of an unchanged order was rewritten", k)
			untouched++
		}
	}
	require.Positive(t, removed, "some line items (or placeholder rows) were removed upstream")
	require.Positive(t, untouched)
	rewritten := 0
	for k, at := range after {
		if prev, ok := before[k]; ok && !at.Equal(prev) {
			rewritten++
			id := k[:strings.IndexByte(k, '/')]
			require.True(t, changed[id])
			require.NotEqual(t, beforeRows[k], afterRows[k], "a rewritten row changed")
		}
	}
	require.Positive(t, rewritten)
}

// The access token expires in the middle of a load (before the third
// search is sent, with windows read at once): exactly one refresh, since
// the requests refused with the old token in flight share it (the token
// manager refreshes only a token no other caller has replaced), the new
// pair persisted before use, and the load completes.
func TestTokenExpiryMidLoad(t *testing.T) {
	sim := newSim(t, tiktoktest.Options{Orders: 600})
	store := &tokenstore.Memory{}
	hook := &reqhook.Transport{Match: reqhook.PathIs(tiktok.PathSearch), N: 3, Fire: sim.ExpireTokens}
	src := sourceFor(t, sim, store, connector.HTTPConfig{Transport: hook})
	sink := openSink(t, "", sqlite.Config{})
	res := run(t, &connector.Runner{}, src, sink)
	require.NoError(t, res.Err)
	require.True(t, hook.Fired())
	require.Positive(t, sim.Rejections()[tiktoktest.CodeTokenExpired], "the third search was refused")
	require.Equal(t, 1, sim.Refreshes())
	require.Equal(t, 1, src.Stats()["token_refreshes"])
	require.Equal(t, int64(1), res.APICalls[tiktok.PathRefresh])
	tok, err := store.Load(context.Background(), tiktok.PlatformName, "shop-7")
	require.NoError(t, err)
	require.NotEqual(t, sim.InitialAccess(), tok.AccessToken, "the refreshed token is persisted")
	require.InDelta(t, sim.Now().Add(7*24*time.Hour).Unix(), tok.AccessExpiresAt.Unix(), 300, "access_token_expire_in is an absolute time")
	requireSameContents(t, expected(sim.Orders()), actual(t, sink))
}

// A refresh whose answer is lost after the server rotated the tokens: the
// client retries with the refresh token it has, which stays valid.
func TestLostRefreshAnswer(t *testing.T) {
	sim := newSim(t, tiktoktest.Options{Orders: 150})
	store := &tokenstore.Memory{}
	src := sourceFor(t, sim, store, connector.HTTPConfig{})
	sim.ExpireTokens()
	sim.LoseNextRefresh()
	res := run(t, &connector.Runner{}, src, openSink(t, "", sqlite.Config{}))
	require.NoError(t, res.Err)
	require.Equal(t, 2, sim.Refreshes(), "the lost rotation and the retry")
	require.Equal(t, 1, src.Stats()["token_refreshes"])
}

// An expired refresh token fails the pipeline at once with a clear error
// naming the shop, after a single refresh attempt, without secrets.
func TestExpiredRefreshToken(t *testing.T) {
	sim := newSim(t, tiktoktest.Options{Orders: 50})
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	src := sourceFor(t, sim, nil, connector.HTTPConfig{Logger: logger})
	sim.ExpireTokens()
	sim.ExpireRefreshTokens()
	res := run(t, &connector.Runner{Logger: logger}, src, openSink(t, "", sqlite.Config{}))
	require.Equal(t, connector.StatusFailed, res.Status)
	require.ErrorIs(t, res.Err, tiktok.ErrReauthorize)
	require.Contains(t, res.Err.Error(), "shop-7")
	require.Contains(t, res.Err.Error(), "re-authorise")
	require.Equal(t, 1, sim.Calls(tiktok.PathRefresh), "no retry loop on a dead refresh token")
	requireNoSecrets(t, sim, res.Err.Error()+logs.String())
}

func requireNoSecrets(t *testing.T, sim *tiktoktest.Server, text string) {
	t.Helper()
	for _, s := range []string{sim.AppSecret(), sim.InitialAccess(), sim.InitialRefresh(), "TTP_sim_at_", "TTP_sim_rt_", "sign="} {
		if s == "sign=" {
			require.NotRegexp(t, `sign=[0-9a-f]{16}`, text)
			continue
		}
		require.NotContains(t, text, s)
	}
}

// 10% of the requests fail the way networks fail (dropped connections,
// HTML 502/503, hangs past the timeout, 500, 429 with and without
// Retry-After, truncated JSON): the table ends up the same, and no secret
// reaches the debug log.
func TestFaultsSameContents(t *testing.T) {
	t.Parallel()
	sim := newSim(t, tiktoktest.Options{Orders: small(800), Faults: simfault.Options{Rate: 0.1, HangFor: 3 * time.Second, RetryAfter: time.Millisecond}})
	var logs bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg := config(sim, nil, connector.HTTPConfig{Timeout: time.Second, Attempts: 10, MaxRetryAfter: 10 * time.Millisecond, Logger: logger})
	cfg.PageSize = 20 // more calls, more faults
	src, err := tiktok.NewSource(cfg)
	require.NoError(t, err)
	sim.ExpireTokens() // a refresh under faults too
	res := run(t, &connector.Runner{Logger: logger}, src, openSink(t, "", sqlite.Config{}))
	require.NoError(t, res.Err)
	require.Positive(t, sim.Faults()["drop"]+sim.Faults()["html_502"]+sim.Faults()["hang"]+sim.Faults()["truncated"])
	require.Positive(t, src.Stats()["http_retries"].(int64))
	sink := openSink(t, "", sqlite.Config{})
	sim.SetFaultRate(0)
	require.NoError(t, run(t, &connector.Runner{}, sourceFor(t, sim, nil, connector.HTTPConfig{}), sink).Err)
	requireSameContents(t, expected(sim.Orders()), actual(t, sink))
	mu.Lock()
	defer mu.Unlock()
	require.Contains(t, logs.String(), "api call retried")
	requireNoSecrets(t, sim, logs.String())
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

var errCrash = errors.New("simulated crash")

// A crash at a random batch (the write fails, nothing of that batch is
// committed) and a cancellation at a random page: the next run resumes from
// the last checkpoint and the table ends identical to an uninterrupted load.
func TestCrashResume(t *testing.T) {
	t.Parallel()
	sim := newSim(t, tiktoktest.Options{Orders: 500})
	want := expected(sim.Orders())
	for _, n := range []int{1, 5, 9} {
		path := t.TempDir() + "/crash.db"
		var writes atomic.Int64
		crashAt := int64(n)
		sink := openSink(t, path, sqlite.Config{BeforeCommit: func(context.Context, *connector.Batch) error {
			if writes.Add(1) == crashAt {
				return errCrash
			}
			return nil
		}})
		src := sourceFor(t, sim, nil, connector.HTTPConfig{})
		res := run(t, &connector.Runner{BatchSize: 150}, src, sink)
		require.ErrorIs(t, res.Err, errCrash, "crash at batch %d", n)
		cp, err := sink.LoadCheckpoint(context.Background(), "tiktok/shop-7", "orders")
		require.NoError(t, err)
		if n >= 5 {
			require.Contains(t, string(cp), `"phase":"full"`, "a checkpoint inside the load")
		}
		calls := sim.Calls(tiktok.PathSearch)
		res = run(t, &connector.Runner{BatchSize: 150}, src, sink)
		require.NoError(t, res.Err)
		if n >= 9 { // two pages committed: at most the 5 left and one for the re-read boundary
			require.LessOrEqual(t, sim.Calls(tiktok.PathSearch)-calls, 6, "the resumed run does not start over")
		}
		requireSameContents(t, want, actual(t, sink))
	}
	// Cancellation at a page: what was read is stored, the rest follows.
	path := t.TempDir() + "/cancel.db"
	sink := openSink(t, path, sqlite.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	var pages atomic.Int64
	r := &connector.Runner{Logger: quiet, Observer: func(e connector.Event) {
		if e.Kind == connector.PageFetched && pages.Add(1) == 3 {
			cancel()
		}
	}}
	src := sourceFor(t, sim, nil, connector.HTTPConfig{})
	res := r.Run(ctx, connector.Pipeline{Name: "tiktok/shop-7", Source: src, Transformer: src.Transformer(), Sink: sink})[0]
	require.Equal(t, connector.StatusInterrupted, res.Status)
	res = run(t, &connector.Runner{}, src, sink)
	require.NoError(t, res.Err)
	requireSameContents(t, want, actual(t, sink))
}

// A page token that expires (or was spent) while the load waits: the
// window restarts from its committed position and nothing is lost. The
// page tokens handed out so far expire before the first request that
// carries one is sent; every window holding one then restarts once (at
// least the window of that request, at most every window), each restart
// after one refusal.
func TestExpiredPageTokenRestartsWindow(t *testing.T) {
	sim := newSim(t, tiktoktest.Options{Orders: 600})
	hook := expirePageTokensHook(sim)
	src := sourceFor(t, sim, nil, connector.HTTPConfig{Transport: hook})
	sink := openSink(t, "", sqlite.Config{})
	res := run(t, &connector.Runner{}, src, sink)
	require.NoError(t, res.Err)
	require.True(t, hook.Fired())
	restarts := src.Stats()["page_restarts"].(int64)
	require.GreaterOrEqual(t, restarts, int64(1))
	require.LessOrEqual(t, restarts, src.Stats()["search_windows"].(int64))
	require.Equal(t, restarts, int64(sim.Rejections()[tiktoktest.CodeInvalidParams]))
	requireSameContents(t, expected(sim.Orders()), actual(t, sink))
}

// The same with one page read at a time: exactly one refusal, one restart.
func TestExpiredPageTokenRestartsWindowSerial(t *testing.T) {
	sim := newSim(t, tiktoktest.Options{Orders: 600})
	hook := expirePageTokensHook(sim)
	cfg := config(sim, nil, connector.HTTPConfig{Transport: hook})
	cfg.Concurrency = 1
	src, err := tiktok.NewSource(cfg)
	require.NoError(t, err)
	sink := openSink(t, "", sqlite.Config{})
	res := run(t, &connector.Runner{}, src, sink)
	require.NoError(t, res.Err)
	require.True(t, hook.Fired())
	require.Equal(t, int64(1), src.Stats()["page_restarts"])
	require.Equal(t, 1, sim.Rejections()[tiktoktest.CodeInvalidParams])
	requireSameContents(t, expected(sim.Orders()), actual(t, sink))
}

// expirePageTokensHook expires the page tokens sim handed out before the
// first search that carries one is sent.
func expirePageTokensHook(sim *tiktoktest.Server) *reqhook.Transport {
	return &reqhook.Transport{Fire: sim.ExpirePageTokens, Match: func(r *http.Request) bool {
		return r.URL.Path == tiktok.PathSearch && r.URL.Query().Get("page_token") != ""
	}}
}

// Without a configured cipher the source resolves it once through the
// shops endpoint (to which it never sends a cipher).
func TestShopCipherResolved(t *testing.T) {
	sim := newSim(t, tiktoktest.Options{Orders: 120})
	cfg := config(sim, nil, connector.HTTPConfig{})
	cfg.ShopCipher = ""
	src, err := tiktok.NewSource(cfg)
	require.NoError(t, err)
	res := run(t, &connector.Runner{}, src, openSink(t, "", sqlite.Config{}))
	require.NoError(t, res.Err)
	require.Equal(t, int64(1), res.APICalls[tiktok.PathShops])
	require.Zero(t, sim.Rejections()[tiktoktest.CodeInvalidCredentials])
}

// Hostile but valid data loads exactly (ids sent as 19-digit JSON numbers
// stay exact text, nulls stay NULL, millisecond times); malformed orders
// are quarantined with a reason naming the field while their page-mates
// load.
func TestHostileData(t *testing.T) {
	sim := newSim(t, tiktoktest.Options{Orders: small(800), Hostile: 0.3})
	sink := openSink(t, "", sqlite.Config{})
	src := sourceFor(t, sim, nil, connector.HTTPConfig{})
	var reasons []string
	var mu sync.Mutex
	r := &connector.Runner{Observer: func(e connector.Event) {
		if e.Kind == connector.RecordRejected {
			mu.Lock()
			reasons = append(reasons, e.Reason)
			mu.Unlock()
		}
	}}
	res := run(t, r, src, sink)
	require.NoError(t, res.Err)
	var good []tiktoktest.Order
	bad, hostile := 0, 0
	for _, o := range sim.Orders() {
		h, m := sim.IsHostile(o.ID)
		if h {
			hostile++
		}
		if m {
			bad++
			continue
		}
		good = append(good, o)
	}
	require.Positive(t, bad)
	require.Greater(t, hostile, bad)
	require.Equal(t, int64(bad), res.Rejected)
	for _, why := range reasons {
		require.Regexp(t, `field (line_items\[0\]\.sale_price|payment\.total_amount): "mười nghìn" is not a decimal number`, why)
	}
	got := actual(t, sink)
	// Hostile values differ from the typed data on purpose; check the
	// invariants that matter and every non-hostile row exactly.
	want := expected(good)
	require.Len(t, got, len(want))
	var plain []tiktoktest.Order
	for _, o := range good {
		if h, _ := sim.IsHostile(o.ID); !h {
			plain = append(plain, o)
		}
	}
	pw := expected(plain)
	for k, w := range pw {
		requireSameContents(t, map[string]map[string]any{k: w}, map[string]map[string]any{k: got[k]})
	}
	for _, o := range good {
		if h, _ := sim.IsHostile(o.ID); !h {
			continue
		}
		for k, row := range got {
			if strings.HasPrefix(k, o.ID+"/") {
				require.Nil(t, row["tracking_number"], "null stays NULL")
				require.Nil(t, row["paid_time"])
				require.Equal(t, true, row["is_cod"])
				if ms, ok := row["recommended_shipping_time"].(time.Time); ok {
					require.Less(t, ms.Year(), 2100, "milliseconds recognised")
				}
			}
		}
	}
}

func TestConfigFromEnv(t *testing.T) {
	env := map[string]string{"TIKTOK_APP_KEY": "k", "TIKTOK_APP_SECRET": "s", "TIKTOK_ACCESS_TOKEN": "a", "TIKTOK_REFRESH_TOKEN": "r",
		"TIKTOK_SHOP_CIPHER": "ROW_x", "TIKTOK_START_DATE": "2024-07-01", "TIKTOK_TOKEN_REFRESH_BUFFER": "600", "ETL_INCREMENTAL_LOOKBACK_MINUTES": "30",
		"TIKTOK_CONCURRENCY": "3"}
	cfg, ok, err := tiktok.ConfigFromEnv(func(k string) string { return env[k] })
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, 3, cfg.Concurrency)
	require.Equal(t, "ROW_x", cfg.ShopCipher)
	require.Equal(t, 10*time.Minute, cfg.RefreshBuffer)
	require.Equal(t, 30*time.Minute, cfg.Lookback)
	require.True(t, cfg.StartDate.Equal(time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)), "a date-only setting is midnight of the default time basis (UTC)")
	_, ok, err = tiktok.ConfigFromEnv(func(string) string { return "" })
	require.NoError(t, err)
	require.False(t, ok)
	_, _, err = tiktok.ConfigFromEnv(func(k string) string { return map[string]string{"TIKTOK_APP_KEY": "k"}[k] })
	require.Error(t, err)
	env["TIKTOK_CONCURRENCY"] = "many"
	_, _, err = tiktok.ConfigFromEnv(func(k string) string { return env[k] })
	require.ErrorContains(t, err, "TIKTOK_CONCURRENCY")
}

// API fields no column stores are reported, not silently dropped.
func TestUnmappedFieldsReported(t *testing.T) {
	sim := newSim(t, tiktoktest.Options{Orders: 300, Hostile: 1})
	res := run(t, &connector.Runner{}, sourceFor(t, sim, nil, connector.HTTPConfig{}), openSink(t, "", sqlite.Config{}))
	require.NoError(t, res.Err)
	got := tiktok.Unmapped()
	require.Contains(t, got, "x_new_field")
	require.NotContains(t, got, "cancellation_initiator", "documented, deliberately not stored")
	require.Contains(t, tiktok.NotStored(), "cancellation_initiator")
	require.NotContains(t, got, "payment.sub_total")
}

// With the absolute expiry known, the next run refreshes before the token
// expires (inside the buffer): no request is refused for an expired token.
func TestProactiveRefresh(t *testing.T) {
	sim := newSim(t, tiktoktest.Options{Orders: 100})
	store := &tokenstore.Memory{}
	var offset atomic.Int64
	cfg := config(sim, store, connector.HTTPConfig{})
	cfg.Now = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	src, err := tiktok.NewSource(cfg)
	require.NoError(t, err)
	sink := openSink(t, "", sqlite.Config{})
	sim.ExpireTokens() // the seeded token has no known expiry: the first refresh is reactive
	require.NoError(t, run(t, &connector.Runner{}, src, sink).Err)
	require.Equal(t, 1, sim.Refreshes())
	require.Equal(t, 1, sim.Rejections()[tiktoktest.CodeTokenExpired])
	tok, err := store.Load(context.Background(), tiktok.PlatformName, "shop-7")
	require.NoError(t, err)
	// Two minutes before that token's absolute expiry (buffer 5 min).
	offset.Store(int64(time.Until(tok.AccessExpiresAt) - 2*time.Minute))
	require.NoError(t, run(t, &connector.Runner{}, src, sink).Err)
	require.Equal(t, 2, sim.Refreshes(), "refreshed proactively")
	require.Equal(t, 1, sim.Rejections()[tiktoktest.CodeTokenExpired], "no call was refused")
}
