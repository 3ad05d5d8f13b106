package stock_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/examples/custom/stock"
	"github.com/facolos/etl/platform"
	"github.com/facolos/etl/sink/sqlite"
)

// The registered driver opens an account like the built-in platforms do.
func ExampleDriver() {
	d, _ := platform.Lookup("stock")
	demo, _ := d.Demo(platform.DemoOptions{})
	defer demo.Close()
	src, tr, _ := d.Open(context.Background(), demo.Account, platform.Deps{})
	dir, _ := os.MkdirTemp("", "stock")
	defer os.RemoveAll(dir)
	s, _ := sqlite.Open(context.Background(), sqlite.Config{Path: filepath.Join(dir, "w.db")})
	defer s.Close()
	r := &connector.Runner{Logger: quiet}
	res := r.RunPipeline(context.Background(), connector.Pipeline{Name: "stock/sample", Source: src, Transformer: tr, Sink: s})
	fmt.Println(res.Status, res.Records, res.Rows[stock.Table.FullName()], res.Rejected)
	// Output: ok 7 6 1
}
