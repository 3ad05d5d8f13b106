package shopee_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/shopee"
	"github.com/facolos/etl/shopee/shopeetest"
	"github.com/facolos/etl/sink/sqlite"
)

// Load a (simulated) Shopee shop into SQLite.
func ExampleNewSource() {
	ctx := context.Background()
	sim := shopeetest.NewServer(shopeetest.Options{Orders: 120, Now: time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)})
	defer sim.Close()
	src, err := shopee.NewSource(shopee.Config{
		Host: sim.URL, PartnerID: sim.PartnerID(), PartnerKey: sim.PartnerKey(), ShopID: sim.ShopID(),
		AccessToken: sim.InitialAccess(), RefreshToken: sim.InitialRefresh(), Now: sim.Now, Logger: quiet,
	})
	if err != nil {
		panic(err)
	}
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	sink, _ := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(dir, "shopee.db")})
	defer sink.Close()

	r := &connector.Runner{Logger: quiet}
	res := r.Run(ctx, connector.Pipeline{Name: "shopee/123456", Source: src, Transformer: shopee.Transformer{}, Sink: sink})[0]
	fmt.Println(res.Status, res.Rows["staging.shopee_orders"], res.APICalls[shopee.PathOrderDetail])
	// Output: ok 120 3
}
