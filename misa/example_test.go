package misa_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/misa"
	"github.com/facolos/etl/misa/misatest"
	"github.com/facolos/etl/sink/sqlite"
)

// Load a (simulated) MISA CRM tenant into SQLite, then pick up what changed.
func ExampleNewSource() {
	ctx := context.Background()
	sim := misatest.NewServer(misatest.Options{Customers: 250, SaleOrders: 120, Now: time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)})
	defer sim.Close()
	// Concurrency 1 reads one page at a time, so the calls printed below
	// are exactly the pages there are and the empty page that ends a full
	// pass; by default a full pass keeps up to
	// DefaultConcurrency pages in flight (a few more calls, less waiting).
	src, err := misa.NewSource(misa.Config{BaseURL: sim.URL, ClientID: sim.ClientID(), ClientSecret: sim.ClientSecret(), Logger: quiet,
		Concurrency: 1})
	if err != nil {
		panic(err)
	}
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	sink, _ := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(dir, "misa.db")})
	defer sink.Close()

	r := &connector.Runner{Logger: quiet}
	p := connector.Pipeline{Name: "misa/" + sim.ClientID(), Source: src, Transformer: src.Transformer(), Sink: sink}
	res := r.Run(ctx, p)[0]
	fmt.Println(res.Status, res.Rows["staging.misa_customers"], res.APICalls["/api/v2/Customers"])

	sim.Advance(time.Hour) // 25 customers modified, 5 created; 1 more re-read in the lookback
	res = r.Run(ctx, p)[0]
	fmt.Println(res.Status, res.Rows["staging.misa_customers"], res.APICalls["/api/v2/Customers"])
	// Output:
	// ok 250 4
	// ok 31 1
}
