package connector

import (
	"fmt"
	"strings"
)

// Index is a secondary index of a Table, created by every sink's Prepare
// when missing (never dropped or rebuilt).
type Index struct {
	// Name is the index name ("IX_shopee_orders_update_time"), unique in
	// the database.
	Name    string
	Columns []string
	// Unique makes the index unique.
	Unique bool
	// WhereNotNull restricts the index to the rows whose indexed columns
	// are all not NULL (a filtered or partial index): unique, it lets any
	// number of rows hold NULL.
	WhereNotNull bool
}

// CreateSQL is the CREATE [UNIQUE] INDEX statement of ix on target, with
// the sink's identifier quoting; ifNotExists adds IF NOT EXISTS.
func (ix Index) CreateSQL(target string, quote func(string) string, ifNotExists bool) string {
	var b strings.Builder
	b.WriteString("CREATE ")
	if ix.Unique {
		b.WriteString("UNIQUE ")
	}
	b.WriteString("INDEX ")
	if ifNotExists {
		b.WriteString("IF NOT EXISTS ")
	}
	cols := make([]string, len(ix.Columns))
	for i, c := range ix.Columns {
		cols[i] = quote(c)
	}
	fmt.Fprintf(&b, "%s ON %s (%s)", quote(ix.Name), target, strings.Join(cols, ", "))
	if ix.WhereNotNull {
		for i, c := range cols {
			if i == 0 {
				b.WriteString(" WHERE ")
			} else {
				b.WriteString(" AND ")
			}
			b.WriteString(c + " IS NOT NULL")
		}
	}
	return b.String()
}

// validateIndexes checks that every index has a name and existing columns.
func (t *Table) validateIndexes(idx map[string]int) error {
	seen := map[string]bool{}
	for _, ix := range t.Indexes {
		if ix.Name == "" || len(ix.Columns) == 0 {
			return fmt.Errorf("table %s: an index needs a name and columns", t.FullName())
		}
		if seen[ix.Name] {
			return fmt.Errorf("table %s: duplicate index %q", t.FullName(), ix.Name)
		}
		seen[ix.Name] = true
		for _, c := range ix.Columns {
			if _, ok := idx[c]; !ok {
				return fmt.Errorf("table %s: index %s: column %q is not a column", t.FullName(), ix.Name, c)
			}
		}
	}
	return nil
}
