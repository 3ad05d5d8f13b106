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
	_ "embed"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink"
)

//go:embed stock.csv
var sample string

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
	data := sample
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
	res := r.RunPipeline(ctx, connector.Pipeline{Name: "stock/csv", Platform: "csv", Source: csvSource{data}, Transformer: stockTransformer{}, Sink: wh.Sink})
	return res, res.Err
}

// csvSource is a Source with one stream over CSV text.
type csvSource struct{ data string }

func (s csvSource) Streams() []connector.Stream { return []connector.Stream{s} }
func (s csvSource) Name() string                { return "stock" }

// Read emits pages of 100 lines; the checkpoint is the number of lines done.
func (s csvSource) Read(ctx context.Context, opts connector.ReadOptions, emit connector.EmitFunc) error {
	var done struct {
		Line int `json:"line"`
	}
	if opts.Checkpoint != nil {
		if err := json.Unmarshal(opts.Checkpoint, &done); err != nil {
			return err
		}
	}
	rd := csv.NewReader(strings.NewReader(s.data))
	header, err := rd.Read()
	if err != nil {
		return fmt.Errorf("csv header: %w", err)
	}
	var page connector.Page
	for line := 1; ; line++ {
		rec, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("csv line %d: %w", line, err)
		}
		if line <= done.Line {
			continue
		}
		obj := map[string]string{}
		for i, h := range header {
			obj[h] = rec[i]
		}
		raw, _ := json.Marshal(obj)
		page.Records = append(page.Records, connector.Record{Key: obj["sku"] + "@" + obj["warehouse"], Data: raw})
		done.Line = line
		if len(page.Records) == 100 {
			page.Checkpoint, _ = json.Marshal(done)
			if err := emit(ctx, page); err != nil {
				return err
			}
			page = connector.Page{}
		}
	}
	page.Checkpoint, _ = json.Marshal(done)
	return emit(ctx, page)
}

var stockTable = &connector.Table{Schema: "staging", Name: "warehouse_stock", PrimaryKey: []string{"sku", "warehouse"}, Columns: []connector.Column{
	{Name: "sku", Type: connector.String, Length: 100},
	{Name: "warehouse", Type: connector.String, Length: 200},
	{Name: "quantity", Type: connector.Int, Nullable: true},
	{Name: "unit_price", Type: connector.Decimal, Precision: 18, Scale: 4, Nullable: true},
	{Name: "counted_at", Type: connector.Timestamp, Nullable: true},
	{Name: "etl_updated_at", Type: connector.Timestamp, Nullable: true, Auto: connector.AutoUpdatedAt},
}}

// stockTransformer maps one CSV record to one row.
type stockTransformer struct{}

func (stockTransformer) Tables() []*connector.Table { return []*connector.Table{stockTable} }

func (stockTransformer) Transform(rec connector.Record, out connector.Output) error {
	var r map[string]string
	if err := json.Unmarshal(rec.Data, &r); err != nil {
		return err
	}
	qty, err := strconv.ParseInt(r["quantity"], 10, 64)
	if err != nil {
		return fmt.Errorf("field quantity: %q is not an integer", r["quantity"])
	}
	price, err := connector.ParseDec(r["unit_price"])
	if err != nil {
		return fmt.Errorf("field unit_price: %w", err)
	}
	at, err := time.Parse(time.RFC3339, r["counted_at"])
	if err != nil {
		return fmt.Errorf("field counted_at: %w", err)
	}
	out.Add(stockTable, []any{r["sku"], r["warehouse"], qty, price, at, nil})
	return nil
}
