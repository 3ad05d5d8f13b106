package sinktest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/facolos/etl/connector"
)

// RowsChanged checks that a sink reports the rows its upserts changed
// (connector.Batch.Changed) through the runner into Result.Changed: a first
// load changes every row sent, a re-run of the same data changes none while
// still sending every row, and a record changed upstream changes exactly its
// rows. schema is the logical schema of the test tables ("staging").
func RowsChanged(t *testing.T, s connector.Sink, schema string) {
	t.Helper()
	ctx := context.Background()
	orders := &connector.Table{Schema: schema, Name: "changed_orders", PrimaryKey: []string{"id"}, Columns: []connector.Column{
		{Name: "id", Type: connector.String, Length: 50},
		{Name: "name", Type: connector.String, Nullable: true},
		{Name: "etl_loaded_at", Type: connector.Timestamp, Auto: connector.AutoUpdatedAt, Nullable: true},
	}}
	items := &connector.Table{Schema: schema, Name: "changed_items", PrimaryKey: []string{"id", "line"}, Parent: orders.FullName(),
		ParentKey: []string{"id"}, Columns: []connector.Column{
			{Name: "id", Type: connector.String, Length: 50},
			{Name: "line", Type: connector.Int},
			{Name: "sku", Type: connector.String, Nullable: true},
		}}
	tr := changedTransformer{orders: orders, items: items}
	data := map[string]string{}
	for i := range 10 {
		data[fmt.Sprintf("o%02d", i)] = fmt.Sprintf(`{"name":"order %d","skus":["a%d","b%d"]}`, i, i, i)
	}
	run := func(step string, wantChanged map[string]int64) {
		t.Helper()
		r := &connector.Runner{Mode: connector.Full, BatchSize: 7}
		res := r.RunPipeline(ctx, connector.Pipeline{Name: "changed/test", Platform: "changed", Account: "test",
			Source: changedSource{data: data}, Transformer: tr, Sink: s})
		if res.Status != connector.StatusOK {
			t.Fatalf("%s: status %s: %v", step, res.Status, res.Err)
		}
		if res.Rows[orders.FullName()] != 10 || res.Rows[items.FullName()] != 20 {
			t.Fatalf("%s: rows sent %v, want 10 orders and 20 items", step, res.Rows)
		}
		for k, want := range wantChanged {
			if got, ok := res.Changed[k]; !ok || got != want {
				t.Fatalf("%s: rows changed %v, want %s = %d", step, res.Changed, k, want)
			}
		}
	}
	run("first load", map[string]int64{orders.FullName(): 10, items.FullName(): 20})
	run("re-run of unchanged data", map[string]int64{orders.FullName(): 0, items.FullName(): 0})
	data["o03"] = `{"name":"order 3 renamed","skus":["a3","b3 changed"]}`
	run("one record changed", map[string]int64{orders.FullName(): 1, items.FullName(): 1})
	data["o04"] = `{"name":"order 4","skus":["a4","b4","c4"]}`
	data["o05"] = `{"name":"order 5","skus":["a5"]}`
	delete(data, "o09")
	data["o10"] = `{"name":"order 10","skus":["a10","b10"]}`
	// o04 gains an item (1 insert), o05 loses one (a delete, not counted as
	// an upsert), o10 is new (1 order, 2 items); rows sent: 10 orders, 20 items.
	run("items added and a new order", map[string]int64{orders.FullName(): 1, items.FullName(): 3})
}

type changedSource struct{ data map[string]string }

func (s changedSource) Streams() []connector.Stream { return []connector.Stream{s} }
func (s changedSource) Name() string                { return "orders" }
func (s changedSource) Read(ctx context.Context, _ connector.ReadOptions, emit connector.EmitFunc) error {
	var pg connector.Page
	for i := range 20 {
		k := fmt.Sprintf("o%02d", i)
		if d, ok := s.data[k]; ok {
			pg.Records = append(pg.Records, connector.Record{Key: k, Data: json.RawMessage(d)})
		}
	}
	pg.Checkpoint = connector.Checkpoint(`{"done":true}`)
	return emit(ctx, pg)
}

type changedTransformer struct{ orders, items *connector.Table }

func (c changedTransformer) Tables() []*connector.Table { return []*connector.Table{c.orders, c.items} }
func (c changedTransformer) Transform(rec connector.Record, out connector.Output) error {
	var v struct {
		Name string   `json:"name"`
		Skus []string `json:"skus"`
	}
	if err := json.Unmarshal(rec.Data, &v); err != nil {
		return fmt.Errorf("record %s: %w", rec.Key, err)
	}
	out.Add(c.orders, []any{rec.Key, v.Name, nil})
	for i, sku := range v.Skus {
		out.Add(c.items, []any{rec.Key, int64(i + 1), sku})
	}
	return nil
}
