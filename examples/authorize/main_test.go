package main

import (
	"bufio"
	"context"
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
	"github.com/facolos/etl/shopee"
	"github.com/facolos/etl/shopee/shopeetest"
	"github.com/facolos/etl/tokenstore"
	"github.com/stretchr/testify/require"
)

// A lost token rotation leaves the shop needing re-authorisation; the
// command prints the link, the seller approves (the simulator redirects to
// the command's listener), the new pair is stored and syncing resumes.
func TestAuthorizeRestoresSyncing(t *testing.T) {
	ctx := context.Background()
	sim := shopeetest.NewServer(shopeetest.Options{Orders: 50, Days: 10, Now: time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)})
	defer sim.Close()
	path := filepath.Join(t.TempDir(), "wh.db")
	store, closeStore, err := openTokenStore(ctx, "sqlite:"+path)
	require.NoError(t, err)
	defer closeStore()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	src, err := shopee.NewSource(shopee.Config{Host: sim.URL, PartnerID: sim.PartnerID(), PartnerKey: sim.PartnerKey(), ShopID: sim.ShopID(),
		AccessToken: sim.InitialAccess(), RefreshToken: sim.InitialRefresh(), Tokens: store, Logger: quiet,
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

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	redirect := "http://" + ln.Addr().String() + "/callback"
	ln.Close()
	out, w := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-sink", "sqlite:" + path, "-host", sim.URL, "-redirect", redirect,
			"-partner-id", strconv.FormatInt(sim.PartnerID(), 10), "-shop-id", strconv.FormatInt(sim.ShopID(), 10)},
			func(k string) string {
				if k == "SHOPEE_PARTNER_KEY" {
					return sim.PartnerKey()
				}
				return ""
			}, strings.NewReader(""), w)
		w.Close()
	}()
	sc := bufio.NewScanner(out)
	var link string
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); strings.HasPrefix(l, "http") {
			link = l
			break
		}
	}
	require.Contains(t, link, shopee.PathAuthPartner)
	require.NotContains(t, link, sim.PartnerKey())
	// The seller opens the link; the platform redirects to the listener.
	resp, err := http.Get(link)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	var rest strings.Builder
	for sc.Scan() {
		rest.WriteString(sc.Text() + "\n")
	}
	require.NoError(t, <-done)
	require.Contains(t, rest.String(), "Stored a new token pair")

	tok, err := store.Load(ctx, "shopee", strconv.FormatInt(sim.ShopID(), 10))
	require.NoError(t, err)
	require.Empty(t, tok.Reauthorize, "mark cleared")
	require.NoError(t, read(), "syncing resumes")
}

func TestAuthorizeWithCodeFlag(t *testing.T) {
	ctx := context.Background()
	sim := shopeetest.NewServer(shopeetest.Options{Orders: 5, Days: 5})
	defer sim.Close()
	path := filepath.Join(t.TempDir(), "wh.db")
	var out strings.Builder
	require.NoError(t, run(ctx, []string{"-sink", "sqlite:" + path, "-host", sim.URL, "-code", sim.Authorize(), "-partner-key", sim.PartnerKey(),
		"-partner-id", strconv.FormatInt(sim.PartnerID(), 10), "-shop-id", strconv.FormatInt(sim.ShopID(), 10)}, func(string) string { return "" },
		strings.NewReader(""), &out))
	store, closeStore, err := openTokenStore(ctx, "sqlite:"+path)
	require.NoError(t, err)
	defer closeStore()
	tok, err := store.Load(ctx, "shopee", strconv.FormatInt(sim.ShopID(), 10))
	require.NoError(t, err)
	require.NotEmpty(t, tok.RefreshToken)

	err = run(ctx, []string{"-sink", "sqlite:" + path, "-platform", "tiktok"}, func(string) string { return "" }, strings.NewReader(""), &out)
	require.ErrorContains(t, err, "only shopee")
	err = run(ctx, []string{"-sink", "sqlite:" + path}, func(string) string { return "" }, strings.NewReader(""), &out)
	require.ErrorContains(t, err, "required")
}

func TestCodeFrom(t *testing.T) {
	require.Equal(t, "abc", codeFrom(" abc "))
	require.Equal(t, "xyz", codeFrom("http://127.0.0.1:8765/callback?code=xyz&shop_id=1"))
	require.Empty(t, codeFrom("  "))
}
