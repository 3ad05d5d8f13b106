package postgres

import (
	"context"
	"strings"
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
//   - every temp table the batch staged rows in is analyzed after COPY, on
//     the columns the write statements join on (key, parent key, version):
//     a temp table emptied by ON COMMIT DELETE ROWS looks empty to the
//     planner (no pages, no tuples), so without it the planner took one row
//     for a 5,000-row batch and joined it to the target by nested loops
//     without an index condition: a stale check of one MISA batch of
//     5,000 customers compared 25 million pairs (83 s); the child-set
//     delete of its sale order items compared 5 million. The column list
//     keeps the JSON columns out (TikTok's detail rows carry kilobytes of
//     it), so it costs milliseconds;
//   - a target table is analyzed, on the same columns, after the commit
//     of a batch (the first time before the next batch, later beside the
//     next batches' writes) once the rows written by this sink since its
//     last ANALYZE reach max(analyzeMin, the rows it had then): the table
//     doubles between two ANALYZEs, so a load of n rows costs O(log n) of
//     them, starting after its first batches. Autovacuum still analyzes
//     every column later (see analyze).

// analyzeMin is the number of rows written into a table that holds rows
// before its first ANALYZE (a table that looked empty is analyzed after its
// first batch).
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
	enough := float64(analyzeMin)
	if st.base == 0 {
		enough = 1 // a table that looked empty: its first rows are enough
	}
	if st.running || !st.known || st.off || float64(st.written) < max(enough, st.base) {
		return false
	}
	st.running = true
	return true
}

// analyzeTemps analyzes, inside the write transaction, the temp tables of
// tables (see tempAnalyzes).
func analyzeTemps(ctx context.Context, tx pgx.Tx, tables []*tableInfo) error {
	for _, st := range tempAnalyzes(tables) {
		if _, err := tx.Exec(ctx, st); err != nil {
			return err
		}
	}
	return nil
}

// tempAnalyzes returns the ANALYZE statements of the temp tables of
// tables, each on the columns the write statements join on: the primary
// key, the parent key and the version columns (Write queues them at the
// head of its one round trip of statements).
func tempAnalyzes(tables []*tableInfo) []string {
	var out []string
	for _, ti := range tables {
		out = append(out, "ANALYZE "+ti.temp+" ("+joinColumns(ti.t)+")")
	}
	return out
}

// joinColumns lists, quoted, the columns of t the write statements join
// on: the primary key, the parent key and the version columns.
func joinColumns(t *connector.Table) string {
	seen := map[string]bool{}
	var cols []string
	for _, group := range [][]string{t.PrimaryKey, t.ParentKey, t.VersionGroup(), {t.Version}} {
		for _, c := range group {
			if c != "" && !seen[c] {
				seen[c] = true
				cols = append(cols, q(c))
			}
		}
	}
	return strings.Join(cols, ", ")
}

// refreshStats runs after a committed batch: it analyzes every target
// table that grew enough since its last ANALYZE (one at a time per table):
// the first time at once, later beside the writes that follow. It never fails the batch (the
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
		// A table that looked empty (a new table: CREATE INDEX records it
		// as empty) is analyzed before the next batch is written, which
		// would otherwise be planned for one row; later ANALYZEs only
		// refine statistics that already lead to the indexes.
		first := st.base == 0
		st.mu.Unlock()
		if !st.due(len(tr.Rows)) {
			continue
		}
		cols := joinColumns(tr.Table)
		if first {
			s.analyze(ctx, target, cols, st)
			continue
		}
		s.bg.Go(func() { s.analyze(s.bgCtx, target, cols, st) })
	}
}

// analyze runs ANALYZE on the columns cols of target and records its new
// size in st. The column list is what the write statements need: an
// ANALYZE of some columns updates the table's and its indexes' sizes in
// pg_class like a whole one, costs a fraction of it on wide tables (a
// TikTok order line has 118 columns, five of them JSON), and leaves the
// table's count of changes since its last ANALYZE as it is, so autovacuum
// still analyzes every column after a load.
func (s *Sink) analyze(ctx context.Context, target, cols string, st *tableStats) {
	if _, err := s.pool.Exec(ctx, "ANALYZE "+target+" ("+cols+")"); err != nil {
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
