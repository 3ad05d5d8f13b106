package postgres

import (
	"context"
	"sync"

	"github.com/facolos/etl/connector"
	"github.com/jackc/pgx/v5"
)

// Planner statistics during long loads. Child-set replacement finds the
// rows of a batch's parents through the index on the parent key (the
// primary key's prefix, or ix_<table>_parent). The planner takes that
// index only when it knows the child table is large and the parent key
// selective; a table created by this load has no statistics until
// autovacuum gets to it (a minute or more), so without help every batch of
// a first load scans every child table: quadratic. Two things keep the
// plans right:
//
//   - the batch's parent temp table is analyzed after COPY (a few hundred
//     rows, well under a millisecond), so the planner knows how few parents
//     a batch has;
//   - a target table is analyzed after the commit of a batch (beside the
//     next batches' writes, not before them) once the rows
//     written by this sink since its last ANALYZE reach max(analyzeMin, the
//     rows it had then): the table doubles between two ANALYZEs, so a load
//     of n rows costs O(log n) of them, starting after its first batches.

// analyzeMin is the number of rows written into a table before its first
// ANALYZE.
const analyzeMin = 1000

// tableStats counts the rows written into one target table.
type tableStats struct {
	mu      sync.Mutex
	known   bool    // base was read from pg_class
	off     bool    // the server refused ANALYZE (not the owner): not tried again
	base    float64 // rows at the last ANALYZE
	written int64   // rows written since
	running bool    // an ANALYZE of the table is under way
}

// statsOf returns the counters of a target table.
func (s *Sink) statsOf(target string) *tableStats {
	v, _ := s.stats.LoadOrStore(target, &tableStats{})
	return v.(*tableStats)
}

// due adds n written rows and reports whether the table should be analyzed.
func (st *tableStats) due(n int) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.written += int64(n)
	if st.running || !st.known || st.off || float64(st.written) < max(analyzeMin, st.base) {
		return false
	}
	st.running = true
	return true
}

// analyzeParentTemps analyzes, inside the write transaction, the temp tables
// of the batch's tables that have a child table in the batch.
func analyzeParentTemps(ctx context.Context, tx pgx.Tx, parents map[string]*tableInfo, children []*connector.Table) error {
	for _, st := range parentTempAnalyzes(parents, children) {
		if _, err := tx.Exec(ctx, st); err != nil {
			return err
		}
	}
	return nil
}

// parentTempAnalyzes returns the ANALYZE statements of the temp tables of
// the batch's tables that have a child table in the batch (Write queues
// them at the head of its one round trip of statements).
func parentTempAnalyzes(parents map[string]*tableInfo, children []*connector.Table) []string {
	var out []string
	done := map[string]bool{}
	for _, c := range children {
		p := parents[c.Parent]
		if c.Parent == "" || p == nil || done[p.temp] {
			continue
		}
		done[p.temp] = true
		out = append(out, "ANALYZE "+p.temp)
	}
	return out
}

// refreshStats runs after a committed batch: it starts an ANALYZE, beside
// the writes that follow, of every target table that grew enough since its
// last ANALYZE (one at a time per table). It never fails the batch (the
// batch is committed); a table the server refuses to analyze (ANALYZE needs
// its owner) is left to autovacuum. Close cancels and waits for the
// ANALYZEs under way.
func (s *Sink) refreshStats(ctx context.Context, b *connector.Batch) {
	for _, tr := range b.Tables {
		if len(tr.Rows) == 0 {
			continue
		}
		target := s.qualified(tr.Table.Schema, tr.Table.Name)
		st := s.statsOf(target)
		st.mu.Lock()
		if !st.known {
			var n float64
			if err := s.pool.QueryRow(ctx, `SELECT reltuples FROM pg_class WHERE oid = $1::regclass`, target).Scan(&n); err == nil {
				st.known, st.base = true, max(n, 0)
			}
		}
		st.mu.Unlock()
		if !st.due(len(tr.Rows)) {
			continue
		}
		s.bg.Go(func() { s.analyze(target, st) })
	}
}

// analyze runs ANALYZE on target and records its new size in st.
func (s *Sink) analyze(target string, st *tableStats) {
	ctx := s.bgCtx
	if _, err := s.pool.Exec(ctx, "ANALYZE "+target); err != nil {
		st.mu.Lock()
		st.running = false
		if ctx.Err() == nil {
			st.off = true // autovacuum's statistics must do
		}
		st.mu.Unlock()
		return
	}
	var n float64
	err := s.pool.QueryRow(ctx, `SELECT reltuples FROM pg_class WHERE oid = $1::regclass`, target).Scan(&n)
	st.mu.Lock()
	st.running = false
	if err == nil {
		st.base, st.written = max(n, 0), 0
	}
	st.mu.Unlock()
}

// waitStats waits for the ANALYZEs refreshStats started.
func (s *Sink) waitStats() { s.bg.Wait() }
