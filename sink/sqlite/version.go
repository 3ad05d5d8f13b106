package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/facolos/etl/connector"
)

// Versioned upserts (see connector/version.go for the rules). Before any
// upsert of a batch, the (group, version) pairs of every versioned table's
// rows go to a temp table, and one join against the stored rows puts the
// groups whose stored version is newer in a second temp table, the stale
// set. Then:
//   - the upsert of a versioned table updates a row only when the stored
//     version is not newer (versionGuard, in its ON CONFLICT ... WHERE);
//   - the rows of a table that is its own parent, or of a child of a
//     versioned table, are written only when their group is not in the
//     stale set (staleFilter), and the child sets of stale groups are not
//     pruned (replaceChildren).
// Nothing is read back to decide: the stale set is only counted, for
// Batch.Stale. A batch without stale groups runs the plain statements.

// incoming names the rows of a filtered upsert (a WITH of the batch's
// VALUES, its columns named after the table's).
const incoming = `"_etl_incoming"`

// versionGuard is the condition that lets an upsert of versioned table t
// (flattened name) replace a stored row, followed by AND; "" for a table
// without a version. NULL is the oldest version.
func versionGuard(t *connector.Table, name string) string {
	if t.Version == "" {
		return ""
	}
	stored, in := q(name)+"."+q(t.Version), "excluded."+q(t.Version)
	return fmt.Sprintf("(%s IS NULL OR (%s IS NOT NULL AND %s <= %s)) AND ", stored, in, stored, in)
}

// markStale finds the stale groups of every versioned table of b, before
// any upsert. It returns the stale-set temp table (quoted) of each table
// that has stale groups, and the number of its incoming rows in them.
func (s *Sink) markStale(ctx context.Context, tx execer, b *connector.Batch) (map[string]string, map[string]int64, error) {
	var sets map[string]string
	var stale map[string]int64
	for _, tr := range b.Tables {
		t := tr.Table
		if t.Version == "" || len(tr.Rows) == 0 {
			continue
		}
		ti, err := s.info(t)
		if err != nil {
			return nil, nil, err
		}
		group := t.VersionGroup()
		verTmp, setTmp := q("_etl_ver_"+ti.name), q("_etl_stale_"+ti.name)
		vc := t.Columns[t.ColumnIndex(t.Version)]
		defs := make([]string, 0, len(group)+1)
		for _, g := range group {
			defs = append(defs, q(g)+" "+sqlType(t.Columns[t.ColumnIndex(g)]))
		}
		defs = append(defs, `"_etl_version" `+sqlType(vc))
		for _, st := range []string{
			fmt.Sprintf("CREATE TEMP TABLE IF NOT EXISTS %s (%s)", verTmp, strings.Join(defs, ", ")),
			tempKeyTable(setTmp, t, group),
			"DELETE FROM temp." + verTmp,
			"DELETE FROM temp." + setTmp,
		} {
			if _, err := tx.ExecContext(ctx, st); err != nil {
				return nil, nil, fmt.Errorf("stale rows of %s: %w", t.FullName(), err)
			}
		}
		gi := t.KeyIndexes()[:len(group)] // the group leads the key
		vi := t.ColumnIndex(t.Version)
		if err := s.insertTuples(ctx, ti, "temp."+verTmp, len(group)+1, len(tr.Rows), func(i int, dst []any) []any {
			for _, k := range gi {
				dst = append(dst, s.value(&t.Columns[k], tr.Rows[i][k]))
			}
			return append(dst, s.value(&vc, tr.Rows[i][vi]))
		}); err != nil {
			return nil, nil, fmt.Errorf("stale rows of %s: %w", t.FullName(), err)
		}
		gCols := quoteAll(group)
		var on []string
		for _, g := range gCols {
			on = append(on, fmt.Sprintf("t.%s = v.%s", g, g))
		}
		tv := "t." + q(t.Version)
		res, err := tx.ExecContext(ctx, fmt.Sprintf(`INSERT OR IGNORE INTO temp.%s SELECT DISTINCT %s FROM temp.%s AS v JOIN main.%s AS t ON %s WHERE %s IS NOT NULL AND (v."_etl_version" IS NULL OR %s > v."_etl_version")`,
			setTmp, "v."+strings.Join(gCols, ", v."), verTmp, q(ti.name), strings.Join(on, " AND "), tv, tv))
		if err != nil {
			return nil, nil, fmt.Errorf("stale rows of %s: %w", t.FullName(), err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			continue
		}
		var n int64
		if err := s.wconn.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM temp.%s WHERE (%s) IN (SELECT * FROM temp.%s)",
			verTmp, strings.Join(gCols, ", "), setTmp)).Scan(&n); err != nil {
			return nil, nil, fmt.Errorf("count stale rows of %s: %w", t.FullName(), err)
		}
		if sets == nil {
			sets, stale = map[string]string{}, map[string]int64{}
		}
		sets[t.FullName()], stale[t.FullName()] = setTmp, n
	}
	return sets, stale, nil
}

// staleFilter is the predicate that keeps the incoming rows of t whose
// group is not stale: t's own groups when it is a versioned table that is
// its own parent, its parent's when the parent is versioned. "" when no
// group of the batch is stale (or t is a versioned root table, whose
// upsert guard skips its stale rows by itself).
func staleFilter(b *connector.Batch, t *connector.Table, sets map[string]string) string {
	if t.Parent == "" || sets[t.Parent] == "" {
		return ""
	}
	var group []string
	for _, tr := range b.Tables {
		if tr.Table.FullName() == t.Parent {
			group = tr.Table.VersionGroup()
		}
	}
	if len(group) == 0 || len(t.ParentKey) < len(group) {
		return ""
	}
	match := make([]string, len(group))
	for i, g := range group {
		match[i] = fmt.Sprintf("x.%s = %s.%s", q(g), incoming, q(t.ParentKey[i]))
	}
	return fmt.Sprintf("NOT EXISTS (SELECT 1 FROM temp.%s AS x WHERE %s)", sets[t.Parent], strings.Join(match, " AND "))
}
