package mssql

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/facolos/etl/connector"
)

// Versioned upserts (see connector/version.go for the rules). After a
// versioned table's rows are bulk-copied and before its upsert, the groups
// the target holds in a newer version go to a temp table of their own (the
// stale set), and their rows leave the staged temp table; the rows of a
// child table that follows it leave its temp table the same way, after its
// bulk copy. The upserts and child-set replacements then never see them: a
// stale parent's child set is neither replaced nor pruned. The upsert of a
// versioned table keeps its version guard as well (versionGuard).

// versionGuard is the condition under which the upsert of versioned table
// t replaces a stored row t with the staged row s, followed by AND; "" for
// a table without a version. NULL is the oldest version.
func versionGuard(t *connector.Table) string {
	if t.Version == "" {
		return ""
	}
	v := qi(t.Version)
	return fmt.Sprintf("(t.%s IS NULL OR (s.%s IS NOT NULL AND t.%s <= s.%s)) AND ", v, v, v, v)
}

// staleName is the temp table of the stale groups of a table's batch.
func staleName(temp string) string { return "#etl_stale_" + strings.TrimPrefix(temp, "#etl_") }

// createStaleSQL (re)creates the stale-set temp table of versioned table t:
// its group columns, typed as stage (t as the temp table holds it) has them.
func createStaleSQL(t, stage *connector.Table, stale string, basis connector.TimeBasis) string {
	var cols []string
	for _, g := range t.VersionGroup() {
		cols = append(cols, qi(g)+" "+columnType(stage.Columns[stage.ColumnIndex(g)], true, true, basis)+" NOT NULL")
	}
	return fmt.Sprintf("IF OBJECT_ID(N'tempdb..%s') IS NOT NULL DROP TABLE %s;\nCREATE TABLE %s (%s)", stale, stale, stale, strings.Join(cols, ", "))
}

// insertStaleSQL fills the stale set of versioned table t: the groups of its
// staged rows whose stored version is newer.
func insertStaleSQL(t *connector.Table, n names, temp, stale string) string {
	group := t.VersionGroup()
	v := qi(t.Version)
	return fmt.Sprintf("INSERT INTO %s (%s)\nSELECT DISTINCT %s FROM %s AS s\nJOIN %s AS t ON %s\nWHERE t.%s IS NOT NULL AND (s.%s IS NULL OR t.%s > s.%s)",
		stale, strings.Join(quoteAll(group), ", "), prefixed("s", group), temp, n.target(), keyMatch(group, "t", "s"), v, v, v, v)
}

// pruneStaleSQL deletes from a staged temp table the rows whose cols (the
// versioned table's group, or a child's parent key) are in the stale set
// whose columns are group.
func pruneStaleSQL(temp string, cols []string, stale string, group []string) string {
	match := make([]string, len(group))
	for i, g := range group {
		match[i] = fmt.Sprintf("x.%s = c.%s", qi(g), qi(cols[i]))
	}
	return fmt.Sprintf("DELETE c FROM %s AS c\nWHERE EXISTS (SELECT 1 FROM %s AS x WHERE %s)", temp, stale, strings.Join(match, " AND "))
}

// skipStale takes the stale rows out of the staged rows of ti, after their
// bulk copy and before their upsert: a versioned table's own stale groups
// (their stale set kept in sets for its followers, and their row count in
// stale), or the rows of a child whose parent's group is stale.
func (s *Sink) skipStale(ctx context.Context, tx *sql.Tx, ti *tableInfo, staged map[string]*tableInfo, sets map[string]string, stale map[string]int64) error {
	t := ti.t
	if t.Version != "" {
		set := staleName(ti.temp)
		for _, st := range []string{createStaleSQL(t, ti.stage, set, s.cfg.TimeBasis), insertStaleSQL(t, ti.n, ti.temp, set)} {
			if _, err := tx.ExecContext(ctx, st); err != nil {
				return fmt.Errorf("stale rows of %s: %w", t.FullName(), err)
			}
		}
		sets[t.FullName()] = set
		res, err := tx.ExecContext(ctx, pruneStaleSQL(ti.temp, t.VersionGroup(), set, t.VersionGroup()))
		if err != nil {
			return fmt.Errorf("stale rows of %s: %w", t.FullName(), err)
		}
		if n, err := res.RowsAffected(); err == nil && n > 0 {
			stale[t.FullName()] = n
		}
		return nil
	}
	set, parent := sets[t.Parent], staged[t.Parent]
	if t.Parent == "" || set == "" || parent == nil {
		return nil
	}
	if _, err := tx.ExecContext(ctx, pruneStaleSQL(ti.temp, t.ParentKey, set, parent.t.VersionGroup())); err != nil {
		return fmt.Errorf("stale children of %s: %w", t.FullName(), err)
	}
	return nil
}
