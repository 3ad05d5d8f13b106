package lazada_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/lazada"
	"github.com/facolos/etl/lazada/lazadatest"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/facolos/etl/tokenstore"
	"github.com/stretchr/testify/require"
)

// An authorisation code becomes a token pair whose lifetimes come from the
// answer, with the seller id of the answer's country; the code is single
// use.
func TestCreateToken(t *testing.T) {
	sim := newSim(t, lazadatest.Options{AccessTTL: 3 * time.Hour, RefreshTTL: 50 * time.Hour})
	c, err := lazada.NewClient(config(sim, nil, connector.HTTPConfig{}))
	require.NoError(t, err)
	code := sim.NewAuthCode()
	before := time.Now()
	ti, err := c.CreateToken(context.Background(), code)
	after := time.Now()
	require.NoError(t, err)
	require.Equal(t, sim.SellerID(), ti.SellerID)
	require.Equal(t, "vn", ti.Country)
	require.NotEmpty(t, ti.Account)
	within(t, before, after, 3*time.Hour, ti.AccessExpiresAt, "access token expiry")
	within(t, before, after, 50*time.Hour, ti.RefreshExpiresAt, "refresh token expiry")
	_, err = c.CreateToken(context.Background(), code)
	require.ErrorIs(t, err, lazada.ErrRefreshInvalid)
	require.NotContains(t, err.Error(), code, "the code is a secret")
}

// An access token the platform refuses is refreshed once through the
// token store: the new pair (lifetimes from the answer) is persisted, the
// old refresh token is dead (the simulator rotates), and the load goes on.
func TestExpiredAccessTokenRefreshed(t *testing.T) {
	issued := time.Now() // the simulator issues the first pair when it starts
	sim := newSim(t, lazadatest.Options{Orders: 120})
	store := &tokenstore.Memory{}
	sink := openSink(t, "", sqlite.Config{})
	sim.ExpireTokens()
	before := time.Now()
	res := run(t, sourceFor(t, config(sim, store, connector.HTTPConfig{})), sink)
	after := time.Now()
	require.NoError(t, res.Err)
	require.Equal(t, 1, sim.Refreshes())
	tok, err := store.Load(context.Background(), lazada.PlatformName, sim.SellerID())
	require.NoError(t, err)
	require.NotEqual(t, sim.InitialRefresh(), tok.RefreshToken)
	within(t, before, after, 7*24*time.Hour, tok.AccessExpiresAt, "access token expiry")
	// A refresh keeps the first pair's deadline (the platform's rotation).
	within(t, issued, before, 30*24*time.Hour, tok.RefreshExpiresAt, "refresh token expiry")
	requireSame(t, expected(sim.SellerID(), sim.Orders()), actual(t, sink))
}

// A dead refresh token fails the run with ErrReauthorize naming the fix,
// and marks the stored pair so that no process presents it again.
func TestDeadRefreshTokenNeedsReauthorisation(t *testing.T) {
	sim := newSim(t, lazadatest.Options{Orders: 20})
	store := &tokenstore.Memory{}
	sim.ExpireTokens()
	sim.ExpireRefreshTokens()
	res := run(t, sourceFor(t, config(sim, store, connector.HTTPConfig{})), openSink(t, "", sqlite.Config{}))
	require.ErrorIs(t, res.Err, lazada.ErrReauthorize)
	require.ErrorContains(t, res.Err, "examples/authorize -platform lazada")
	require.NotContains(t, res.Err.Error(), sim.InitialRefresh())
	tok, err := store.Load(context.Background(), lazada.PlatformName, sim.SellerID())
	require.NoError(t, err)
	require.NotEmpty(t, tok.Reauthorize)
	require.Zero(t, sim.Refreshes())
}

// Four workers sharing one SQL token store refresh a rotating refresh
// token once: the others pick the new pair up from the store.
func TestTokenRotationFourWorkersOneStore(t *testing.T) {
	sim := newSim(t, lazadatest.Options{Orders: 60})
	path := filepath.Join(t.TempDir(), "tokens.db")
	first := openSink(t, path, sqlite.Config{})
	store, err := tokenstore.NewSQLStore(context.Background(), first.DB(), tokenstore.SQLite)
	require.NoError(t, err)
	sim.ExpireTokens()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sink := openSink(t, filepath.Join(t.TempDir(), "w.db"), sqlite.Config{})
			errs[i] = run(t, sourceFor(t, config(sim, store, connector.HTTPConfig{})), sink).Err
		}()
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
	require.Equal(t, 1, sim.Refreshes(), "one refresh for four workers")
}

// The error envelope (HTTP 200) becomes typed errors; a body that is not an
// envelope, a success without data, or a success envelope with a status
// other than 2xx, is an error too.
func TestEnvelopeErrors(t *testing.T) {
	cases := []struct {
		path, body string
		status     int
		kind       error
	}{
		{lazada.PathOrders, `{"code":"IllegalAccessToken","type":"ISV","message":"The specified access token is invalid or expired","request_id":"x"}`, 200, lazada.ErrTokenExpired},
		{lazada.PathTokenRefresh, `{"code":"IllegalRefreshToken","type":"ISV","message":"m","request_id":"x"}`, 200, tokenstore.ErrRefreshRejected},
		{lazada.PathTokenRefresh, `{"code":"AUTH_TYPE_UNSUPPORTED","message":"m"}`, 200, lazada.ErrRefreshInvalid},
		{lazada.PathOrders, `{"code":"IncompleteSignature","type":"ISV","message":"The request signature does not conform to lazop standards"}`, 200, lazada.ErrBadSign},
		{lazada.PathOrders, `{"code":"ApiCallLimit","type":"ISV","message":"this ban will last 1 seconds"}`, 200, lazada.ErrThrottled},
		{lazada.PathOrders, `{"code":"14","type":"ISV","message":"E014: Invalid Offset"}`, 200, lazada.ErrInvalidParam},
		{lazada.PathOrders, `{"code":"6","type":"ISV","message":"E006: Invalid status filter"}`, 200, lazada.ErrInvalidParam},
		{lazada.PathOrderItems, `{"code":"6","type":"ISP","message":"E006: System Error"}`, 200, lazada.ErrServer},
		{lazada.PathOrderItems, `{"code":"38","type":"ISV","message":"E038: Too many orders were requested"}`, 200, lazada.ErrInvalidParam},
		{lazada.PathOrders, `{"code":"ServiceTimeout","type":"ISP","message":"m"}`, 200, lazada.ErrServer},
		{lazada.PathOrders, `{"code":"Whatever","type":"SYSTEM","message":"m"}`, 200, lazada.ErrServer},
		{lazada.PathOrders, `<html>502</html>`, 502, lazada.ErrBadResponse},
		{lazada.PathOrders, `{"code":"0","request_id":"x"}`, 200, lazada.ErrBadResponse},
		{lazada.PathOrders, `{"code":"0","data":null}`, 200, lazada.ErrBadResponse},
		{lazada.PathOrders, `{"message":"no code"}`, 200, lazada.ErrBadResponse},
		{lazada.PathOrders, `{"code":"0","data":{"countTotal":0,"orders":[]}}`, 306, lazada.ErrBadResponse},
		{lazada.PathTokenRefresh, `{"code":"0","access_token":"a","refresh_token":"r"}`, 304, lazada.ErrBadResponse},
		{lazada.PathOrders, `{"code":"0","data":{"orders":[]}}`, 503, lazada.ErrServer},
	}
	for _, c := range cases {
		_, err := lazada.DecodeEnvelope(c.path, c.status, []byte(c.body), true)
		require.ErrorIs(t, err, c.kind, c.body)
	}
	_, err := lazada.DecodeEnvelope(lazada.PathOrders, http.StatusOK, []byte(`{"code":0,"data":{"orders":[]}}`), true)
	require.NoError(t, err, "a numeric code 0 is a success too")
}

// A refresh answer whose expires_in is shorter than the refresh buffer
// (the token is "due" at once) does not make the client refresh before
// every call: the token is used until the platform rejects it, one
// refresh for the whole load and the next run.
func TestShortLivedRefreshedToken(t *testing.T) {
	sim := newSim(t, lazadatest.Options{Orders: 300, AccessTTL: 10 * time.Minute})
	cfg := config(sim, nil, connector.HTTPConfig{})
	cfg.Concurrency = 1
	src := sourceFor(t, cfg)
	sink := openSink(t, "", sqlite.Config{})
	sim.ExpireTokens()
	res := run(t, src, sink)
	require.NoError(t, res.Err)
	require.GreaterOrEqual(t, sim.Calls(lazadatest.PathOrders)+sim.Calls(lazadatest.PathOrderItems), 9, "several calls after the refresh")
	require.Equal(t, 1, sim.Refreshes())
	require.Equal(t, 1, sim.Rejections()["IllegalAccessToken"])
	require.NoError(t, run(t, src, sink).Err)
	require.Equal(t, 1, sim.Refreshes(), "the next run uses the token too")
}

// within checks that at is ttl after a moment between before and after (to
// the second: lifetimes are whole seconds).
func within(t *testing.T, before, after time.Time, ttl time.Duration, at time.Time, what string) {
	t.Helper()
	lo, hi := before.Add(ttl).Add(-time.Second), after.Add(ttl).Add(time.Second)
	require.False(t, at.Before(lo) || at.After(hi), "%s %s, want %s after a moment between %s and %s", what, at, ttl, before, after)
}

// A token answer whose lifetime is not a number of seconds is an error naming
// the field, never a token stored without expiry; a lifetime left out is
// unknown (zero).
func TestTokenAnswerLifetimes(t *testing.T) {
	answer := ""
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, answer)
	}))
	defer srv.Close()
	c, err := lazada.NewClient(lazada.Config{BaseURL: srv.URL, AuthURL: srv.URL, AppKey: "1", AppSecret: "s", SellerID: "1",
		HTTP: connector.HTTPConfig{Logger: quiet}})
	require.NoError(t, err)
	for _, bad := range []string{`"expires_in":"soon"`, `"refresh_expires_in":1.5`, `"expires_in":{"s":1}`} {
		answer = `{"code":"0","access_token":"A","refresh_token":"R",` + bad + `}`
		_, err := c.CreateToken(context.Background(), "code")
		require.ErrorIs(t, err, lazada.ErrBadResponse, bad)
		field, _, _ := strings.Cut(strings.Trim(bad, `"`), `"`)
		require.ErrorContains(t, err, field, bad)
	}
	answer = `{"code":"0","access_token":"A","refresh_token":"R"}`
	ti, err := c.CreateToken(context.Background(), "code")
	require.NoError(t, err)
	require.True(t, ti.AccessExpiresAt.IsZero() && ti.RefreshExpiresAt.IsZero(), "no lifetime sent: unknown")
}
