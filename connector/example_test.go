package connector_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink/sqlite"
)

// A pipeline is a source, a transformer and a sink; the Runner moves the
// records, batches the rows and commits checkpoints with the data.
func ExampleRunner() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	sink, _ := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(dir, "warehouse.db")})
	defer sink.Close()

	shop := newShop(42, 10) // a test source: 42 orders, pages of 10
	r := &connector.Runner{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	res := r.Run(ctx, connector.Pipeline{Name: "demo", Source: shop, Transformer: shopTransformer{}, Sink: sink})[0]
	fmt.Println(res.Status, res.Records, res.Rows["staging.test_orders"], res.Rows["staging.test_items"])

	// The next incremental run starts from the committed checkpoint.
	res = r.Run(ctx, connector.Pipeline{Name: "demo", Source: shop, Transformer: shopTransformer{}, Sink: sink})[0]
	fmt.Println(res.Status, res.Records)
	// Output:
	// ok 42 42 84
	// ok 0
}

func ExampleParseDec() {
	d, _ := connector.ParseDec("1500000.50")
	fmt.Println(d, d.Fixed(4))
	d, _ = connector.ParseDec("1.25e3")
	fmt.Println(d)
	// Output:
	// 1500000.5 1500000.5000
	// 1250
}
