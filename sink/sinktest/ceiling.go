package sinktest

import (
	"context"
	"fmt"
	"time"

	"github.com/facolos/etl/connector"
)

// UpsertCeiling measures a sink's own upsert speed the way the sinks'
// BenchmarkUpsert do, so that a load can be compared with it in the same
// process and the same minutes: rows/2 rows of WideTable are written first
// (not timed), then rows rows (the first half changed, the second half
// new) in batches of batch rows, timed. It returns rows per second. The
// table is bench_wide of the staging schema; its rows are left in place
// (run it against a scratch warehouse), and a second call finds them.
func UpsertCeiling(ctx context.Context, s connector.Sink, rows, batch int) (float64, error) {
	if rows < 2 || batch < 1 {
		return 0, fmt.Errorf("upsert ceiling: %d rows in batches of %d", rows, batch)
	}
	t := WideTable()
	if err := s.Prepare(ctx, []*connector.Table{t}); err != nil {
		return 0, fmt.Errorf("upsert ceiling: %w", err)
	}
	write := func(rows [][]any, size int) error {
		for start := 0; start < len(rows); start += size {
			b := &connector.Batch{Pipeline: "bench_ceiling", Stream: "wide", RunID: "bench",
				Tables: []connector.TableRows{{Table: t, Rows: rows[start:min(start+size, len(rows))]}}}
			if err := s.Write(ctx, b); err != nil {
				return fmt.Errorf("upsert ceiling: %w", err)
			}
		}
		return nil
	}
	if err := write(WideRows(rows/2, 0, 0), 5000); err != nil {
		return 0, err
	}
	next := WideRows(rows, 0, 1)
	start := time.Now()
	if err := write(next, batch); err != nil {
		return 0, err
	}
	return float64(rows) / time.Since(start).Seconds(), nil
}
