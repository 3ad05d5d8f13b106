package mssql

import (
	"context"
	"sync"

	"github.com/facolos/etl/connector"
)

// Statistics during long loads. Child-set replacement finds the old child
// rows of a batch's parents through the index on the parent key (see
// prepareSQL); the optimizer seeks on it only when its statistics say the
// table is large. SQL Server refreshes statistics by itself only after a
// share of the table has changed, and a table created by a first load starts
// with none, so a committed batch refreshes the statistics of every table
// it wrote to once the rows written by this sink since the last refresh
// reach max(statsMin, the rows the table had then): the table doubles
// between two refreshes, so a load of n rows costs O(log n) of them,
// starting after its first batches.

// statsMin is the number of rows written into a table before its first
// statistics refresh.
const statsMin = 1000

// tableStats counts the rows written into one target table.
type tableStats struct {
	mu      sync.Mutex
	known   bool  // base was read from the catalog
	off     bool  // the server refused a refresh (permissions, engine): not tried again
	base    int64 // rows at the last refresh
	written int64 // rows written since
	running bool  // a refresh of the table is under way (one at a time)
}

func (s *Sink) statsOf(target string) *tableStats {
	v, _ := s.stats.LoadOrStore(target, &tableStats{})
	return v.(*tableStats)
}

// rows reads a table's row count from the catalog (0 when unknown).
func (s *Sink) rows(ctx context.Context, n names) int64 {
	var c int64
	if err := s.db.QueryRowContext(ctx, tableRowsSQL, n.target()).Scan(&c); err != nil {
		return 0
	}
	return c
}

// refreshStats runs after a committed batch. It never fails the batch (the
// batch is committed): a refresh the server refuses (UPDATE STATISTICS needs
// ALTER permission on the table) is logged once and not tried again.
func (s *Sink) refreshStats(ctx context.Context, b *connector.Batch) {
	for _, tr := range b.Tables {
		if len(tr.Rows) == 0 {
			continue
		}
		n := names{s.Schema(tr.Table.Schema), tr.Table.Name}
		st := s.statsOf(n.target())
		st.mu.Lock()
		if !st.known {
			st.known, st.base = true, s.rows(ctx, n)-int64(len(tr.Rows))
		}
		st.written += int64(len(tr.Rows))
		due := !st.off && !st.running && st.written >= max(statsMin, st.base)
		if due {
			// Writers of the same table (pipelines, streams read at once)
			// do not each refresh it: one does, the others go on.
			st.running = true
		}
		st.mu.Unlock()
		if !due {
			continue
		}
		if _, err := s.db.ExecContext(ctx, updateStatisticsSQL(n)); err != nil {
			st.mu.Lock()
			st.running = false
			if ctx.Err() == nil {
				st.off = true
			}
			st.mu.Unlock()
			if ctx.Err() != nil {
				return
			}
			s.cfg.Logger.Warn("mssql: cannot refresh statistics; the server's automatic statistics must do (a long first load may slow down)",
				"table", n.target(), "error", err.Error())
			continue
		}
		rows := s.rows(ctx, n)
		st.mu.Lock()
		st.base, st.written, st.running = rows, 0, false
		st.mu.Unlock()
	}
}
