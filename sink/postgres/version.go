package postgres

import (
	"fmt"
	"strings"

	"github.com/facolos/etl/connector"
)

// Versioned upserts (see connector/version.go for the rules). Before any
// upsert of a batch, the staged rows of every stale group leave the temp
// tables, set-based: first the rows of the child tables that follow a
// versioned parent (their parent key in a stale group), then the versioned
// table's own (whose count is Batch.Stale). The upserts and child-set
// replacements then never see them: a stale parent's child set is neither
// replaced nor pruned. The upsert of a versioned table also keeps its
// version guard, so that a newer version committed meanwhile by another
// transaction is not replaced either.

// versionGuard is the condition under which the upsert of versioned table
// t replaces a stored row (target alias tgt, source alias src, both with
// their dot): the stored version is NULL or not newer than a non-NULL
// incoming one.
func versionGuard(t *connector.Table, tgt, src string) string {
	v := q(t.Version)
	return fmt.Sprintf("(%s%s IS NULL OR (%s%s IS NOT NULL AND %s%s <= %s%s))", tgt, v, src, v, tgt, v, src, v)
}

// staleGroups selects the version groups of versioned table v's staged
// rows that the target holds in a newer version.
func staleGroups(v *tableInfo) string {
	group := v.t.VersionGroup()
	var sel, on []string
	for _, g := range group {
		sel = append(sel, "s."+q(g))
		on = append(on, fmt.Sprintf("t.%s = s.%s", q(g), q(g)))
	}
	tv, sv := "t."+q(v.t.Version), "s."+q(v.t.Version)
	return fmt.Sprintf("SELECT %s FROM %s AS s JOIN %s AS t ON %s WHERE %s IS NOT NULL AND (%s IS NULL OR %s > %s)",
		strings.Join(sel, ", "), v.temp, v.target, strings.Join(on, " AND "), tv, sv, tv, sv)
}

// staleFollower is the temp table of a child table that follows a
// versioned parent, and its columns holding the parent's version group.
type staleFollower struct {
	temp string
	cols []string
}

// pruneStaleSQL deletes from the temp table temp the rows whose cols (the
// group columns of v) are a stale group of v, and from the temp table of
// every follower the rows whose parent is in one. Its command tag counts
// the rows of temp alone.
//
// The stale groups are computed once (a materialized CTE: one probe of the
// target's key per staged row) and then joined to each temp table; the
// followers' deletes are data-modifying CTEs of the same statement, which
// PostgreSQL runs to completion whether or not the statement reads them.
// Written as "(cols) IN (stale groups)", the planner, which knows nothing
// of a temp table's size, re-ran the stale join for every staged row: a
// quadratic number of index probes that took seconds per batch of a few
// hundred rows. A statement per follower, each computing the groups again,
// cost a Shopee full load (eleven child tables) a sixth of its server time.
func pruneStaleSQL(temp string, cols []string, v *tableInfo, followers ...staleFollower) string {
	on := func(cols []string) string {
		var on []string
		for i, c := range cols {
			on = append(on, fmt.Sprintf("c.%s = x.k%d", q(c), i))
		}
		return strings.Join(on, " AND ")
	}
	var keys []string
	for i := range cols {
		keys = append(keys, fmt.Sprintf("k%d", i))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "WITH x (%s) AS MATERIALIZED (%s)", strings.Join(keys, ", "), staleGroups(v))
	for i, f := range followers {
		fmt.Fprintf(&b, ", f%d AS (DELETE FROM %s AS c USING x WHERE %s)", i, f.temp, on(f.cols))
	}
	fmt.Fprintf(&b, " DELETE FROM %s AS c USING x WHERE %s", temp, on(cols))
	return b.String()
}
