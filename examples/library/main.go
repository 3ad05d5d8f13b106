// Command library is the README's library snippet, compiled and run (by
// its Example) against the Shopee simulator: one shop loaded into an
// embedded SQLite warehouse with tokens kept in the warehouse. Only the
// simulator's address and credentials differ from a real shop's.
//
//	go run ./examples/library
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/shopee"
	"github.com/facolos/etl/shopee/shopeetest"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/facolos/etl/tokenstore"
)

func main() {
	dir, err := os.MkdirTemp("", "etl-library")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	res, err := run(context.Background(), filepath.Join(dir, "warehouse.db"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Status, res.Records, "records,", res.Rows["staging.shopee_orders"], "rows in staging.shopee_orders")
}

func run(ctx context.Context, path string) (connector.Result, error) {
	// A simulated shop whose clock is the real one.
	sim := shopeetest.NewServer(shopeetest.Options{Orders: 100, Now: time.Now()})
	defer sim.Close()
	key, at, rt := sim.PartnerKey(), sim.InitialAccess(), sim.InitialRefresh()

	// The README's snippet.
	sink, err := sqlite.Open(ctx, sqlite.Config{Path: path})
	if err != nil {
		return connector.Result{}, err
	}
	defer sink.Close()
	tokens, err := tokenstore.NewSQLStore(ctx, sink.DB(), tokenstore.SQLite)
	if err != nil {
		return connector.Result{}, err
	}
	src, err := shopee.NewSource(shopee.Config{
		Host:      sim.URL, // omit for the real platform
		PartnerID: 2001887, PartnerKey: key, ShopID: 123456,
		AccessToken: at, RefreshToken: rt, // first run only
		Tokens: tokens,
	})
	if err != nil {
		return connector.Result{}, err
	}
	r := &connector.Runner{Mode: connector.Incremental, Logger: quiet}
	results := r.Run(ctx, connector.Pipeline{
		Name: "shopee/123456", Platform: "shopee", Account: "123456",
		Source: src, Transformer: src.Transformer(), Sink: sink,
	})
	return results[0], results[0].Err
}
