package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/lazada"
	"github.com/facolos/etl/lazada/lazadatest"
	"github.com/facolos/etl/platform"
	"github.com/facolos/etl/tokenstore"
	"github.com/stretchr/testify/require"
)

// A new Lazada seller: the command exchanges the code of the redirect
// (-code) and stores the pair for the seller of the answer; a sync
// configured without any token variable loads the seller's orders (and its
// finance) with it.
func TestFirstTokensThenSyncLazada(t *testing.T) {
	ctx := context.Background()
	sim := lazadatest.NewServer(lazadatest.Options{Orders: 30, Now: time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)})
	defer sim.Close()
	path := filepath.Join(t.TempDir(), "wh.db")
	env := map[string]string{"LAZADA_APP_KEY": sim.AppKey(), "LAZADA_APP_SECRET": sim.AppSecret(), "LAZADA_SELLER_ID": sim.SellerID(),
		"LAZADA_API_BASE_URL": sim.URL, "LAZADA_AUTH_BASE_URL": sim.AuthURL, "LAZADA_START_DATE": "2025-06-01"}
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"-platform", "lazada", "-sink", "sqlite:" + path, "-code", sim.NewAuthCode()},
		func(k string) string { return env[k] }, strings.NewReader(""), &out))
	require.Contains(t, out.String(), "lazada seller "+sim.SellerID())
	require.Equal(t, 1, sim.Calls(lazada.PathTokenCreate))

	res := syncOnce(t, path, platform.Account{Platform: "lazada", Name: sim.SellerID(), Get: func(k string) string { return env[k] }})
	require.Equal(t, connector.StatusOK, res.Status, "%v", res.Err)
	require.Greater(t, res.Records, int64(30), "the 30 orders, then the finance records")
	require.EqualValues(t, 30, res.Changed["staging.lazada_orders"])
	require.Zero(t, sim.Refreshes(), "the stored pair was used as it is")
}

// A Lazada seller whose refresh token died is re-authorised with
// -platform lazada: the code becomes a pair stored for the seller_id of
// the answer, and syncing resumes.
func TestAuthorizeLazada(t *testing.T) {
	ctx := context.Background()
	sim := lazadatest.NewServer(lazadatest.Options{Orders: 20, Now: time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)})
	defer sim.Close()
	path := filepath.Join(t.TempDir(), "wh.db")
	ts, err := openTokenStore(ctx, "sqlite:"+path)
	require.NoError(t, err)
	defer ts.close()
	store := ts.Store
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	src, err := lazada.NewSource(lazada.Config{BaseURL: sim.URL, AuthURL: sim.AuthURL, AppKey: sim.AppKey(), AppSecret: sim.AppSecret(),
		AccessToken: sim.InitialAccess(), RefreshToken: sim.InitialRefresh(), SellerID: sim.SellerID(), Tokens: store, Logger: quiet,
		StartDate: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC),
		HTTP:      connector.HTTPConfig{MinBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond, Logger: quiet}})
	require.NoError(t, err)
	read := func() error {
		return src.Streams()[0].Read(ctx, connector.ReadOptions{}, func(context.Context, connector.Page) error { return nil })
	}
	require.NoError(t, read())
	sim.ExpireTokens()
	sim.ExpireRefreshTokens()
	err = read()
	require.ErrorIs(t, err, tokenstore.ErrReauthorize)
	require.Contains(t, err.Error(), "examples/authorize -platform lazada")

	env := map[string]string{"LAZADA_APP_KEY": sim.AppKey(), "LAZADA_APP_SECRET": sim.AppSecret(), "LAZADA_AUTH_BASE_URL": sim.AuthURL,
		"LAZADA_SELLER_ID": sim.SellerID()}
	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"-platform", "lazada", "-sink", "sqlite:" + path, "-code", sim.NewAuthCode()},
		func(k string) string { return env[k] }, strings.NewReader(""), &out))
	require.Contains(t, out.String(), "lazada seller "+sim.SellerID())
	require.NoError(t, read(), "syncing resumes with the new pair")

	// The link the seller opens.
	c, err := lazada.NewClient(lazada.Config{AppKey: "100123", AppSecret: "s"})
	require.NoError(t, err)
	require.Equal(t, "https://auth.lazada.com/oauth/authorize?client_id=100123&force_auth=true&redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2Fcallback&response_type=code",
		c.AuthLink("http://127.0.0.1:8765/callback"))
}
