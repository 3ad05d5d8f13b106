package tiktok_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/facolos/etl/tiktok"
	"github.com/facolos/etl/tiktok/tiktoktest"
)

// Load a (simulated) TikTok shop into SQLite.
func ExampleNewSource() {
	ctx := context.Background()
	sim := tiktoktest.NewServer(tiktoktest.Options{Orders: 250, Now: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)})
	defer sim.Close()
	src, err := tiktok.NewSource(tiktok.Config{
		BaseURL: sim.URL, AuthURL: sim.AuthURL, AppKey: sim.AppKey(), AppSecret: sim.AppSecret(),
		AccessToken: sim.InitialAccess(), RefreshToken: sim.InitialRefresh(), ShopCipher: sim.ShopCipher(),
		StartDate: time.Date(2026, 1, 1, 0, 0, 0, 0, connector.Vietnam), Logger: quiet,
		DisableFinance: true, // the orders alone (the finance streams are on by default)
	})
	if err != nil {
		panic(err)
	}
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	sink, _ := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(dir, "tiktok.db")})
	defer sink.Close()

	r := &connector.Runner{Logger: quiet}
	res := r.Run(ctx, connector.Pipeline{Name: "tiktok/shop", Source: src, Transformer: src.Transformer(), Sink: sink})[0]
	fmt.Println(res.Status, res.Records, res.APICalls[tiktok.PathSearch], res.APICalls[tiktok.PathDetail])
	// Output: ok 250 3 0
}

// Sign a request the way the platform checks it (api-contracts.md §4.1).
func ExampleSign() {
	q := map[string][]string{"app_key": {"29a39d"}, "timestamp": {"1623812664"}}
	fmt.Println(tiktok.Sign("e59af819cc", "/authorization/202309/shops", q, nil))
	// Output: b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8
}
