package connector

import "fmt"

// Index is a secondary index of a Table, created by every sink's Prepare
// when missing (never dropped or rebuilt).
type Index struct {
	// Name is the index name ("IX_shopee_orders_update_time"), unique in
	// the database.
	Name    string
	Columns []string
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
