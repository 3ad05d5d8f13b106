// Package stock is a platform a user writes: a CSV of stock counts as a
// Source with one stream, a Transformer to staging.warehouse_stock, and a
// platform driver registered as "stock" (platform.go), so that the sync job
// and its accounts file use it like the built-in platforms.
package stock

import (
	"context"
	_ "embed"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/facolos/etl/connector"
)

// Sample is an embedded CSV of seven stock counts (one has a bad quantity).
//
//go:embed stock.csv
var Sample string

// NewSource returns a source over CSV text.
func NewSource(data string) connector.Source { return csvSource{data} }

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

// Table is staging.warehouse_stock. counted_at is its version: an older
// count of a SKU never replaces a newer one.
var Table = &connector.Table{Schema: "staging", Name: "warehouse_stock", PrimaryKey: []string{"sku", "warehouse"}, Version: "counted_at", Columns: []connector.Column{
	{Name: "sku", Type: connector.String, Length: 100},
	{Name: "warehouse", Type: connector.String, Length: 200},
	{Name: "quantity", Type: connector.Int, Nullable: true},
	{Name: "unit_price", Type: connector.Decimal, Precision: 18, Scale: 4, Nullable: true},
	{Name: "counted_at", Type: connector.Timestamp, Nullable: true},
	{Name: "etl_updated_at", Type: connector.Timestamp, Nullable: true, Auto: connector.AutoUpdatedAt},
}}

// Transformer maps one CSV record to one row.
type Transformer struct{}

func (Transformer) Tables() []*connector.Table { return []*connector.Table{Table} }

func (Transformer) Transform(rec connector.Record, out connector.Output) error {
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
	out.Add(Table, []any{r["sku"], r["warehouse"], qty, price, at, nil})
	return nil
}
