// Command custom shows how to compose a pipeline of your own with the
// library: a Source that reads a CSV of stock counts, a Transformer to one
// staging table, and any of the sinks. Rows that do not parse are
// quarantined with the reason; the rest load, and a second run resumes from
// the checkpoint (the line number).
//
//	go run ./examples/custom -sink sqlite:stock.db
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/examples/custom/stock"
	"github.com/facolos/etl/sink"
)

func main() {
	sinkURL := flag.String("sink", "sqlite:stock.db", "warehouse URL: sqlite:PATH, postgres://… or sqlserver://…")
	file := flag.String("file", "", "CSV file (default: the embedded sample)")
	flag.Parse()
	res, err := run(context.Background(), *sinkURL, *file)
	if err != nil {
		fmt.Fprintln(os.Stderr, "custom:", err)
		os.Exit(1)
	}
	fmt.Printf("%s: %d records, %d rows, %d rejected\n", res.Status, res.Records, res.Rows["staging.warehouse_stock"], res.Rejected)
}

func run(ctx context.Context, sinkURL, file string) (connector.Result, error) {
	data := stock.Sample
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return connector.Result{}, err
		}
		data = string(b)
	}
	wh, err := sink.Open(ctx, sinkURL, connector.TimeUTC)
	if err != nil {
		return connector.Result{}, err
	}
	defer wh.Close()
	r := &connector.Runner{Logger: slog.New(slog.NewTextHandler(os.Stderr, nil))}
	res := r.RunPipeline(ctx, connector.Pipeline{Name: "stock/csv", Platform: "csv", Source: stock.NewSource(data), Transformer: stock.Transformer{}, Sink: wh.Sink})
	return res, res.Err
}
