package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink/postgres"
	"github.com/facolos/etl/sink/sinktest"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

const benchRows = 100_000

// BenchmarkUpsert writes 100,000 rows of a 20-column table, half new and
// half changed, in batches of 1,000 and 5,000, with both strategies.
func BenchmarkUpsert(b *testing.B) { benchmarkUpsert(b, "", []int{1000, 5000}) }

// BenchmarkUpsertVersioned is BenchmarkUpsert in 1,000-row batches with a
// version column (every changed row newer than the stored one): the cost of
// finding stale rows.
func BenchmarkUpsertVersioned(b *testing.B) { benchmarkUpsert(b, "c03", []int{1000}) }

func benchmarkUpsert(b *testing.B, version string, sizes []int) {
	for _, strategy := range []postgres.Strategy{postgres.OnConflict, postgres.Merge} {
		for _, size := range sizes {
			b.Run(fmt.Sprintf("%s/batch=%d", strategy, size), func(b *testing.B) {
				ctx := context.Background()
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					s := open(b, postgres.Config{Strategy: strategy})
					t := sinktest.WideTable()
					t.Version = version
					require.NoError(b, s.Prepare(ctx, []*connector.Table{t}))
					old := sinktest.WideRows(benchRows/2, 0, 0)
					for start := 0; start < len(old); start += 5000 {
						require.NoError(b, s.Write(ctx, &connector.Batch{Pipeline: "b", Stream: "s", Tables: []connector.TableRows{{Table: t, Rows: old[start : start+5000]}}}))
					}
					rows := sinktest.WideRows(benchRows, 0, 1) // keys 0..49,999 changed, 50,000..99,999 new
					b.StartTimer()
					for start := 0; start < len(rows); start += size {
						err := s.Write(ctx, &connector.Batch{Pipeline: "b", Stream: "s", Tables: []connector.TableRows{{Table: t, Rows: rows[start : start+size]}}})
						require.NoError(b, err)
					}
				}
				b.ReportMetric(float64(b.N*benchRows)/b.Elapsed().Seconds(), "rows/s")
			})
		}
	}
}

func plainValues(row []any) []any {
	out := make([]any, len(row))
	for i, v := range row {
		if d, ok := v.(connector.Dec); ok {
			out[i] = d.String()
		} else {
			out[i] = v
		}
	}
	return out
}

// BenchmarkNaive is the old system's way: one INSERT … ON CONFLICT statement
// per row, each in its own transaction (autocommit); 10,000 rows, half new
// and half changed.
func BenchmarkNaive(b *testing.B) {
	ctx := context.Background()
	const n = 10_000
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s := open(b, postgres.Config{})
		t := sinktest.WideTable()
		require.NoError(b, s.Prepare(ctx, []*connector.Table{t}))
		require.NoError(b, s.Write(ctx, &connector.Batch{Pipeline: "b", Stream: "s", Tables: []connector.TableRows{{Table: t, Rows: sinktest.WideRows(n/2, 0, 0)}}}))
		var cols, ph, sets []string
		for k, c := range t.Columns {
			cols = append(cols, c.Name)
			ph = append(ph, fmt.Sprintf("$%d", k+1))
			if c.Name != "id" {
				sets = append(sets, c.Name+"=EXCLUDED."+c.Name)
			}
		}
		q := fmt.Sprintf("INSERT INTO %s.bench_wide (%s) VALUES (%s) ON CONFLICT (id) DO UPDATE SET %s",
			connector.QuoteIdent(s.Schema("staging")), strings.Join(cols, ","), strings.Join(ph, ","), strings.Join(sets, ","))
		rows := sinktest.WideRows(n, 0, 1)
		b.StartTimer()
		for _, r := range rows {
			_, err := s.Pool().Exec(ctx, q, plainValues(r)...)
			require.NoError(b, err)
		}
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkCopy is the ceiling: plain COPY of 100,000 rows into an empty
// table, one transaction.
func BenchmarkCopy(b *testing.B) {
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s := open(b, postgres.Config{})
		t := sinktest.WideTable()
		require.NoError(b, s.Prepare(ctx, []*connector.Table{t}))
		var cols []string
		for _, c := range t.Columns {
			cols = append(cols, c.Name)
		}
		rows := sinktest.WideRows(benchRows, 0, 1)
		conv := make([][]any, len(rows))
		for k, r := range rows {
			conv[k] = plainValues(r)
		}
		b.StartTimer()
		_, err := s.Pool().CopyFrom(ctx, pgx.Identifier{s.Schema("staging"), "bench_wide"}, cols, pgx.CopyFromRows(conv))
		require.NoError(b, err)
	}
	b.ReportMetric(float64(b.N*benchRows)/b.Elapsed().Seconds(), "rows/s")
}
