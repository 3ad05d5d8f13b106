package connector

import (
	"fmt"
	"time"
)

// Versioned upserts.
//
// A table that declares a Version column is written so that an older
// version of a row never replaces a newer one, within a batch, across
// batches and across runs:
//
//   - Within a batch, the writer keeps the row of the highest version of
//     every key (equal versions: the last one wins) and counts the others
//     (Result.Duplicates).
//   - In the warehouse, a stored row is replaced only when the incoming
//     version is at least as new (stored <= incoming): equal versions are
//     idempotent, a newer one replaces, an older one is skipped and counted
//     (Batch.Stale, Result.Stale). Sinks do it in the upsert statement
//     itself, never by reading first.
//   - NULL is the oldest version: a row whose incoming version is NULL
//     replaces only a stored row whose version is NULL too, and any
//     non-NULL version replaces a stored NULL.
//   - The decision is taken per group: a row for a root table, the set of
//     rows sharing a ParentKey for a table that is its own parent (one row
//     per order line): the group is stale when one of its stored rows is
//     newer than one of its incoming rows, and then none of its rows is
//     written or deleted. A child table of another table has no version:
//     its rows follow the parent row's decision, so the child set of a
//     stale parent is neither replaced nor pruned.

// validateVersion checks the Version column: an existing Timestamp or Int
// column, on a table that is a root or its own parent (with ParentKey a
// prefix of the key).
func (t *Table) validateVersion(idx map[string]int) error {
	if t.Version == "" {
		return nil
	}
	i, ok := idx[t.Version]
	if !ok {
		return fmt.Errorf("table %s: version column %q is not a column", t.FullName(), t.Version)
	}
	if c := t.Columns[i]; c.Type != Timestamp && c.Type != Int {
		return fmt.Errorf("table %s: version column %q must be a timestamp or an int, not %v", t.FullName(), c.Name, c.Type)
	}
	if t.IsKey(t.Version) {
		return fmt.Errorf("table %s: version column %q must not be a key column", t.FullName(), t.Version)
	}
	if t.Parent != "" && t.Parent != t.FullName() {
		return fmt.Errorf("table %s: a child table has no version of its own (it follows its parent %s)", t.FullName(), t.Parent)
	}
	if t.Parent != "" && !t.ParentKeyLeadsKey() {
		return fmt.Errorf("table %s: a versioned table that is its own parent needs ParentKey as a prefix of PrimaryKey", t.FullName())
	}
	return nil
}

// SelfParent reports whether the table names itself as its parent.
func (t *Table) SelfParent() bool { return t.Parent != "" && t.Parent == t.FullName() }

// VersionGroup returns the columns by which a versioned table's rows are
// accepted or skipped together: ParentKey for a table that is its own
// parent, PrimaryKey otherwise (nil when the table has no Version).
func (t *Table) VersionGroup() []string {
	switch {
	case t.Version == "":
		return nil
	case t.SelfParent():
		return t.ParentKey
	}
	return t.PrimaryKey
}

// olderVersion reports whether version a is older than version b under the
// rule above (NULL is the oldest; equal versions are not older). Values of
// other types compare as equal.
func olderVersion(a, b any) bool {
	switch {
	case b == nil:
		return false
	case a == nil:
		return true
	}
	switch x := a.(type) {
	case time.Time:
		if y, ok := b.(time.Time); ok {
			return x.Before(y)
		}
	case int64:
		if y, ok := b.(int64); ok {
			return x < y
		}
	}
	return false
}
