package main

import (
	"bufio"
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/platform"
	"github.com/facolos/etl/shopee"
	"github.com/facolos/etl/shopee/shopeetest"
	etlsink "github.com/facolos/etl/sink"
	"github.com/facolos/etl/tiktok"
	"github.com/facolos/etl/tiktok/tiktoktest"
	"github.com/facolos/etl/tokenstore"
	"github.com/stretchr/testify/require"
)

// freeRedirect returns a redirect URL on a free loopback port.
func freeRedirect(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return "http://" + ln.Addr().String() + "/callback"
}

// started is a run of the command in the background: its link, the rest
// of its output and its error.
type started struct {
	link string
	rest chan string
	done chan error
}

// start runs the command with args and env and waits for the link it
// prints; stdin feeds the paste path. The rest of the output is read in
// the background, so the command never blocks on it.
func start(t *testing.T, args []string, env map[string]string, stdin io.Reader) *started {
	t.Helper()
	out, w := io.Pipe()
	s := &started{rest: make(chan string, 1), done: make(chan error, 1)}
	go func() {
		s.done <- run(context.Background(), args, func(k string) string { return env[k] }, stdin, w)
		w.Close()
	}()
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); strings.HasPrefix(l, "http") {
			s.link = l
			break
		}
	}
	go func() {
		var rest strings.Builder
		for sc.Scan() {
			rest.WriteString(sc.Text() + "\n")
		}
		s.rest <- rest.String()
	}()
	require.NotEmpty(t, s.link, "the command prints the authorisation link")
	return s
}

// finish waits for the command and returns the rest of its output.
func (s *started) finish(t *testing.T) string {
	t.Helper()
	require.NoError(t, <-s.done)
	return <-s.rest
}

// follow opens a link as the seller's browser does (following the
// platform's redirect to the command's listener).
func follow(t *testing.T, link string) (int, string) {
	t.Helper()
	resp, err := http.Get(link)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// syncOnce runs one full load of acct into the warehouse at path with the
// warehouse's token store, as examples/sync does, and returns its result.
func syncOnce(t *testing.T, path string, acct platform.Account) connector.Result {
	t.Helper()
	ctx := context.Background()
	wh, err := etlsink.Open(ctx, "sqlite:"+path, connector.TimeUTC)
	require.NoError(t, err)
	defer wh.Close()
	store, err := wh.TokenStore(ctx)
	require.NoError(t, err)
	d, ok := platform.Lookup(acct.Platform)
	require.True(t, ok)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	src, tr, err := d.Open(ctx, acct, platform.Deps{Tokens: store, Logger: quiet,
		HTTP: connector.HTTPConfig{MinBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond}})
	require.NoError(t, err)
	r := connector.Runner{Mode: connector.Full, Logger: quiet}
	res := r.Run(ctx, connector.Pipeline{Name: acct.Platform + "/" + acct.Name, Platform: acct.Platform, Account: acct.Name,
		Source: src, Transformer: tr, Sink: wh.Sink})
	require.Len(t, res, 1)
	return res[0]
}

// A new Shopee shop: the link, the seller's approval redirected to the
// listener, the first pair stored, and a sync configured without any token
// variable loads the shop's orders with it.
func TestFirstTokensThenSyncShopee(t *testing.T) {
	sim := shopeetest.NewServer(shopeetest.Options{Orders: 40, Days: 10})
	defer sim.Close()
	path := filepath.Join(t.TempDir(), "wh.db")
	env := map[string]string{"SHOPEE_PARTNER_ID": strconv.FormatInt(sim.PartnerID(), 10), "SHOPEE_PARTNER_KEY": sim.PartnerKey(),
		"SHOPEE_SHOP_ID": strconv.FormatInt(sim.ShopID(), 10), "SHOPEE_HOST": sim.URL,
		"SHOPEE_START_DATE": time.Now().AddDate(0, 0, -12).Format(time.DateOnly)}

	s := start(t, []string{"-platform", "shopee", "-sink", "sqlite:" + path, "-redirect", freeRedirect(t)}, env, strings.NewReader(""))
	require.Contains(t, s.link, shopee.PathAuthPartner)
	require.NotContains(t, s.link, sim.PartnerKey())
	status, body := follow(t, s.link)
	require.Equal(t, http.StatusOK, status, body)
	require.Contains(t, s.finish(t), "Stored a new token pair for shopee shop")

	res := syncOnce(t, path, platform.Account{Platform: "shopee", Name: env["SHOPEE_SHOP_ID"], Get: func(k string) string { return env[k] }})
	require.Equal(t, connector.StatusOK, res.Status, "%v", res.Err)
	require.EqualValues(t, 40, res.Records)
}

// A new TikTok shop: the service authorisation link with a state, the
// consent page redirecting to the app's registered URL (the listener), a
// forged redirect refused, token/get with the auth_code, the pair stored
// under the account name with its shop cipher, and a sync configured
// without any token variable loads the shop's orders with it.
func TestFirstTokensThenSyncTikTok(t *testing.T) {
	redirect := freeRedirect(t)
	sim := tiktoktest.NewServer(tiktoktest.Options{Orders: 30, Days: 10, RedirectURL: redirect})
	defer sim.Close()
	path := filepath.Join(t.TempDir(), "wh.db")
	env := map[string]string{"TIKTOK_APP_KEY": sim.AppKey(), "TIKTOK_APP_SECRET": sim.AppSecret(), "TIKTOK_SERVICE_ID": sim.ServiceID(),
		"TIKTOK_SHOP_NAME": "main", "TIKTOK_AUTHORIZE_URL": sim.ServicesURL, "TIKTOK_AUTH_BASE_URL": sim.AuthURL,
		"TIKTOK_SHOP_API_BASE_URL": sim.URL, "TIKTOK_START_DATE": time.Now().AddDate(0, 0, -12).In(connector.Vietnam).Format(time.DateOnly)}

	s := start(t, []string{"-platform", "tiktok", "-sink", "sqlite:" + path, "-redirect", redirect}, env, strings.NewReader(""))
	require.True(t, strings.HasPrefix(s.link, sim.ServicesURL+tiktoktest.PathAuthorize+"?"), s.link)
	require.NotContains(t, s.link, sim.AppSecret())
	// A redirect of another authorisation (another state) is refused.
	status, _ := follow(t, redirect+"?code=stolen&state=other")
	require.Equal(t, http.StatusBadRequest, status)
	status, body := follow(t, s.link)
	require.Equal(t, http.StatusOK, status, body)
	out := s.finish(t)
	require.Contains(t, out, "Stored a new token pair for tiktok shop main")
	require.Contains(t, out, sim.ShopID())
	require.NotContains(t, out, sim.ShopCipher(), "the cipher is not printed")
	require.Equal(t, 1, sim.Calls(tiktoktest.PathTokenGet))

	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer db.Close()
	var cipher string
	require.NoError(t, db.QueryRow(`SELECT shop_cipher FROM etl_control_api_token_storage WHERE platform = ? AND account = ?`,
		tiktok.PlatformName, "main").Scan(&cipher))
	require.Equal(t, sim.ShopCipher(), cipher)

	res := syncOnce(t, path, platform.Account{Platform: "tiktok", Name: "main", Get: func(k string) string { return env[k] }})
	require.Equal(t, connector.StatusOK, res.Status, "%v", res.Err)
	var orders int
	require.NoError(t, db.QueryRow(`SELECT count(DISTINCT order_id) FROM tiktok_shop_order_detail`).Scan(&orders))
	require.Equal(t, 30, orders)
	require.Greater(t, res.Records, int64(30), "the 30 orders, then the finance records")
	require.Zero(t, sim.Refreshes(), "the stored pair was used as it is")
}

// The paste path: a redirect URL that is not on this machine; the seller
// pastes the URL the browser landed on.
func TestTikTokPastedRedirect(t *testing.T) {
	const redirect = "https://app.example/tiktok/callback"
	sim := tiktoktest.NewServer(tiktoktest.Options{Orders: 5, Days: 5, RedirectURL: redirect})
	defer sim.Close()
	path := filepath.Join(t.TempDir(), "wh.db")
	env := map[string]string{"TIKTOK_APP_KEY": sim.AppKey(), "TIKTOK_APP_SECRET": sim.AppSecret(), "TIKTOK_SERVICE_ID": sim.ServiceID(),
		"TIKTOK_AUTHORIZE_URL": sim.ServicesURL, "TIKTOK_AUTH_BASE_URL": sim.AuthURL, "TIKTOK_SHOP_API_BASE_URL": sim.URL}
	in, paste := io.Pipe()
	s := start(t, []string{"-platform", "tiktok", "-sink", "sqlite:" + path, "-redirect", redirect}, env, in)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(s.link)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusFound, resp.StatusCode)
	landed := resp.Header.Get("Location")
	require.True(t, strings.HasPrefix(landed, redirect+"?"), landed)
	_, err = io.WriteString(paste, landed+"\n")
	require.NoError(t, err)
	require.Contains(t, s.finish(t), "tiktok shop default")
	paste.Close()

	ts, err := openTokenStore(context.Background(), "sqlite:"+path)
	require.NoError(t, err)
	defer ts.close()
	tok, err := ts.Load(context.Background(), tiktok.PlatformName, "default")
	require.NoError(t, err)
	require.NotEmpty(t, tok.RefreshToken)
	require.False(t, tok.AccessExpiresAt.IsZero(), "the expiry of the answer is kept")
}

// A lost token rotation leaves the shop needing re-authorisation; the
// command prints the link, the seller approves (the simulator redirects to
// the command's listener), the new pair is stored and syncing resumes.
func TestAuthorizeRestoresSyncing(t *testing.T) {
	ctx := context.Background()
	sim := shopeetest.NewServer(shopeetest.Options{Orders: 50, Days: 10, Now: time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)})
	defer sim.Close()
	path := filepath.Join(t.TempDir(), "wh.db")
	ts, err := openTokenStore(ctx, "sqlite:"+path)
	require.NoError(t, err)
	defer ts.close()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	src, err := shopee.NewSource(shopee.Config{Host: sim.URL, PartnerID: sim.PartnerID(), PartnerKey: sim.PartnerKey(), ShopID: sim.ShopID(),
		AccessToken: sim.InitialAccess(), RefreshToken: sim.InitialRefresh(), Tokens: ts, Logger: quiet,
		HTTP: connector.HTTPConfig{MinBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond, Logger: quiet}})
	require.NoError(t, err)
	read := func() error {
		return src.Streams()[0].Read(ctx, connector.ReadOptions{}, func(context.Context, connector.Page) error { return nil })
	}
	require.NoError(t, read())

	sim.LoseNextRotation()
	sim.ExpireTokens()
	err = read()
	require.ErrorIs(t, err, tokenstore.ErrReauthorize)
	require.Contains(t, err.Error(), "shopee account "+strconv.FormatInt(sim.ShopID(), 10))
	require.Contains(t, err.Error(), "examples/authorize")

	s := start(t, []string{"-sink", "sqlite:" + path, "-host", sim.URL, "-redirect", freeRedirect(t),
		"-partner-id", strconv.FormatInt(sim.PartnerID(), 10), "-shop-id", strconv.FormatInt(sim.ShopID(), 10)},
		map[string]string{"SHOPEE_PARTNER_KEY": sim.PartnerKey()}, strings.NewReader(""))
	require.Contains(t, s.link, shopee.PathAuthPartner)
	status, body := follow(t, s.link)
	require.Equal(t, http.StatusOK, status, body)
	require.Contains(t, s.finish(t), "Stored a new token pair")

	tok, err := ts.Load(ctx, "shopee", strconv.FormatInt(sim.ShopID(), 10))
	require.NoError(t, err)
	require.Empty(t, tok.Reauthorize, "mark cleared")
	require.NoError(t, read(), "syncing resumes")
}

func TestAuthorizeWithCodeFlag(t *testing.T) {
	ctx := context.Background()
	sim := shopeetest.NewServer(shopeetest.Options{Orders: 5, Days: 5})
	defer sim.Close()
	path := filepath.Join(t.TempDir(), "wh.db")
	none := func(string) string { return "" }
	var out strings.Builder
	require.NoError(t, run(ctx, []string{"-sink", "sqlite:" + path, "-host", sim.URL, "-code", sim.Authorize(), "-partner-key", sim.PartnerKey(),
		"-partner-id", strconv.FormatInt(sim.PartnerID(), 10), "-shop-id", strconv.FormatInt(sim.ShopID(), 10)}, none,
		strings.NewReader(""), &out))
	ts, err := openTokenStore(ctx, "sqlite:"+path)
	require.NoError(t, err)
	defer ts.close()
	tok, err := ts.Load(ctx, "shopee", strconv.FormatInt(sim.ShopID(), 10))
	require.NoError(t, err)
	require.NotEmpty(t, tok.RefreshToken)

	// TikTok with -code: spent once, refused the second time.
	tt := tiktoktest.NewServer(tiktoktest.Options{Orders: 5, Days: 5})
	defer tt.Close()
	code := tt.Authorize()
	args := []string{"-platform", "tiktok", "-sink", "sqlite:" + path, "-code", code, "-app-key", tt.AppKey(), "-app-secret", tt.AppSecret(),
		"-auth-url", tt.AuthURL, "-api-url", tt.URL, "-shop", tt.ShopID()}
	require.NoError(t, run(ctx, args, none, strings.NewReader(""), &out))
	err = run(ctx, args, none, strings.NewReader(""), &out)
	require.ErrorContains(t, err, "exchange the authorisation code")
	require.NotContains(t, err.Error(), tt.AppSecret())
	require.NotContains(t, err.Error(), code)

	err = run(ctx, []string{"-sink", "sqlite:" + path, "-platform", "misa"}, none, strings.NewReader(""), &out)
	require.ErrorContains(t, err, "client credentials")
	err = run(ctx, []string{"-sink", "sqlite:" + path, "-platform", "lazada"}, none, strings.NewReader(""), &out)
	require.ErrorContains(t, err, "LAZADA_APP_KEY and LAZADA_APP_SECRET are required")
	err = run(ctx, []string{"-sink", "sqlite:" + path, "-platform", "amazon"}, none, strings.NewReader(""), &out)
	require.ErrorContains(t, err, "use shopee, tiktok or lazada")
	err = run(ctx, []string{"-sink", "sqlite:" + path}, none, strings.NewReader(""), &out)
	require.ErrorContains(t, err, "required")
	// tiktok_shop is the token store's name of the platform, which the
	// re-authorisation hint names.
	for _, p := range []string{"tiktok", "tiktok_shop"} {
		err = run(ctx, []string{"-sink", "sqlite:" + path, "-platform", p}, none, strings.NewReader(""), &out)
		require.ErrorContains(t, err, "-app-key and -app-secret")
	}
}

func TestCodeFrom(t *testing.T) {
	a := &tiktokAuth{state: "s1"}
	code, err := codeFrom(" abc ", a)
	require.NoError(t, err)
	require.Equal(t, "abc", code)
	code, err = codeFrom("http://127.0.0.1:8765/callback?code=xyz&state=s1", a)
	require.NoError(t, err)
	require.Equal(t, "xyz", code)
	_, err = codeFrom("http://127.0.0.1:8765/callback?code=xyz&state=s2", a)
	require.ErrorContains(t, err, "state differs")
	_, err = codeFrom("http://127.0.0.1:8765/callback?error=denied", a)
	require.ErrorContains(t, err, "no code")
	code, err = codeFrom("  ", a)
	require.NoError(t, err)
	require.Empty(t, code)
	s := &shopeeAuth{o: shopeeOptions{shopID: 1}}
	_, err = codeFrom("http://127.0.0.1:8765/callback?code=xyz&shop_id=2", s)
	require.ErrorContains(t, err, "not shop 1")
}
