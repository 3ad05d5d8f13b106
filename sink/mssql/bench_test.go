package mssql_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink/mssql"
	"github.com/facolos/etl/sink/sinktest"
	"github.com/stretchr/testify/require"
)

// The benchmarks run on any TDS server (SQL Server, Babelfish) through
// ETL_TEST_MSSQL_DSN:
//
//	ETL_TEST_MSSQL_DSN='sqlserver://sa:PASSWORD@127.0.0.1:1433?database=master' \
//	  go test ./sink/mssql -run '^$' -bench . -benchtime 1x
//
// None of them can hang on a failure: every operation runs under a
// deadline, every failed transaction is rolled back (BulkCopyRows, the
// sink's Write), and the cleanup of the isolated schemas is bounded.

const benchRows = 100_000

// benchCtx bounds one benchmark iteration.
func benchCtx(b *testing.B) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	b.Cleanup(cancel)
	return ctx
}

func writeAll(ctx context.Context, b *testing.B, s *mssql.Sink, tb *connector.Table, rows [][]any, size int) {
	for start := 0; start < len(rows); start += size {
		end := min(start+size, len(rows))
		require.NoError(b, s.Write(ctx, &connector.Batch{Pipeline: "b", Stream: "s", Tables: []connector.TableRows{{Table: tb, Rows: rows[start:end]}}}))
	}
}

// BenchmarkUpsert: 100,000 rows of a 20-column table, half changed and half
// new, in batches of 1,000 and 5,000, with both strategies (merge is
// skipped on Babelfish, which rejects MERGE).
func BenchmarkUpsert(b *testing.B) {
	dsn(b)
	for _, strategy := range []mssql.Strategy{mssql.MergeStrategy, mssql.UpdateInsert} {
		for _, size := range []int{1000, 5000} {
			b.Run(fmt.Sprintf("%s/batch=%d", strategy, size), func(b *testing.B) {
				if strategy == mssql.MergeStrategy {
					skipOnBabelfish(b, noMergeOnBabelfish)
				}
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					ctx := benchCtx(b)
					s := open(b, mssql.Config{Strategy: strategy})
					tb := sinktest.WideTable()
					require.NoError(b, s.Prepare(ctx, []*connector.Table{tb}))
					writeAll(ctx, b, s, tb, sinktest.WideRows(benchRows/2, 0, 0), 5000)
					rows := sinktest.WideRows(benchRows, 0, 1) // keys 0..49,999 changed, 50,000..99,999 new
					b.StartTimer()
					writeAll(ctx, b, s, tb, rows, size)
				}
				b.ReportMetric(float64(b.N*benchRows)/b.Elapsed().Seconds(), "rows/s")
			})
		}
	}
}

// naiveParam is a row value as a parameter of the naive statement, NULL
// typed (an untyped NULL is rejected by Babelfish).
func naiveParam(v any) any {
	switch x := v.(type) {
	case nil:
		return sql.NullString{}
	case connector.Dec:
		return x.String()
	}
	return v
}

// BenchmarkNaive is the row-by-row way: per row one UPDATE, then an INSERT
// when no row was updated, each in its own transaction (autocommit); 10,000
// rows, half changed and half new. It uses no MERGE, so it runs on
// Babelfish too.
func BenchmarkNaive(b *testing.B) {
	dsn(b)
	const n = 10_000
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		ctx := benchCtx(b)
		s := open(b, mssql.Config{Strategy: defaultStrategy(b)})
		tb := sinktest.WideTable()
		require.NoError(b, s.Prepare(ctx, []*connector.Table{tb}))
		writeAll(ctx, b, s, tb, sinktest.WideRows(n/2, 0, 0), 5000)
		var cols, ph, sets []string
		for k, c := range tb.Columns {
			cols = append(cols, "["+c.Name+"]")
			ph = append(ph, fmt.Sprintf("@p%d", k+1))
			if k > 0 {
				sets = append(sets, fmt.Sprintf("[%s] = @p%d", c.Name, k+1))
			}
		}
		target := fmt.Sprintf("[%s].[bench_wide]", s.Schema("staging"))
		q := fmt.Sprintf("UPDATE %s SET %s WHERE [id] = @p1;\nIF @@ROWCOUNT = 0 INSERT INTO %s (%s) VALUES (%s);",
			target, strings.Join(sets, ", "), target, strings.Join(cols, ", "), strings.Join(ph, ", "))
		rows := sinktest.WideRows(n, 0, 1)
		b.StartTimer()
		args := make([]any, len(tb.Columns))
		for _, r := range rows {
			for k, v := range r {
				args[k] = naiveParam(v)
			}
			_, err := s.DB().ExecContext(ctx, q, args...)
			require.NoError(b, err)
		}
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkBulkCopy is the ceiling: plain bulk copy of 100,000 rows into an
// empty table in one transaction (rolled back on any failure).
func BenchmarkBulkCopy(b *testing.B) {
	dsn(b)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		ctx := benchCtx(b)
		s := open(b, mssql.Config{Strategy: defaultStrategy(b)})
		tb := sinktest.WideTable()
		require.NoError(b, s.Prepare(ctx, []*connector.Table{tb}))
		rows := sinktest.WideRows(benchRows, 0, 1)
		b.StartTimer()
		require.NoError(b, mssql.BulkCopyRows(ctx, s.DB(), tb, fmt.Sprintf("[%s].[bench_wide]", s.Schema("staging")), rows))
	}
	b.ReportMetric(float64(b.N*benchRows)/b.Elapsed().Seconds(), "rows/s")
}
