package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink/sqlite"
)

// BenchmarkReplaceChildren writes one order with n items over an existing
// one whose item set differs by one item: the child-set replacement must be
// linear in n (an order with 20,000 items took 26 s before).
//
//	go test ./sink/sqlite -run '^$' -bench ReplaceChildren -benchtime 3x
func BenchmarkReplaceChildren(b *testing.B) {
	for _, n := range []int{2000, 20000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			ctx := context.Background()
			s, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(b.TempDir(), "c.db")})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			p, c := benchParent(), benchChild()
			if err := s.Prepare(ctx, []*connector.Table{p, c}); err != nil {
				b.Fatal(err)
			}
			batch := func(v int) *connector.Batch {
				items := make([][]any, n)
				for i := range items {
					items[i] = []any{"ORDER-1", int64(i + v), fmt.Sprintf("SKU-%d", i)}
				}
				return &connector.Batch{Pipeline: "p", Stream: "s", Tables: []connector.TableRows{
					{Table: p, Rows: [][]any{{"ORDER-1", fmt.Sprint("v", v)}}}, {Table: c, Rows: items}}}
			}
			if err := s.Write(ctx, batch(0)); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := s.Write(ctx, batch(i+1)); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			var got int
			if err := s.DB().QueryRow(`SELECT count(*) FROM bench_items`).Scan(&got); err != nil || got != n {
				b.Fatalf("%d items after replacement, want %d (%v)", got, n, err)
			}
		})
	}
}

func benchParent() *connector.Table {
	return &connector.Table{Schema: "staging", Name: "bench_orders", PrimaryKey: []string{"id"}, Columns: []connector.Column{
		{Name: "id", Type: connector.String, Length: 50}, {Name: "v", Type: connector.String, Nullable: true}}}
}

func benchChild() *connector.Table {
	return &connector.Table{Schema: "staging", Name: "bench_items", PrimaryKey: []string{"id", "line"}, Parent: "staging.bench_orders",
		ParentKey: []string{"id"}, Columns: []connector.Column{
			{Name: "id", Type: connector.String, Length: 50}, {Name: "line", Type: connector.Int}, {Name: "sku", Type: connector.String, Nullable: true}}}
}
