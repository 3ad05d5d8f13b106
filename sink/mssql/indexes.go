package mssql

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/facolos/etl/connector"
)

// Indexes are found by their key columns, never by name: Babelfish lists an
// index in sys.indexes under an internal name (CREATE INDEX
// [IX_shopee_orders_update_time] shows as ix_shopee_orders_update_timesho…,
// a primary key as <table>_pkey), so a guard by name never finds it, runs
// CREATE INDEX again and fails with 2714; catching that error inside the
// transaction leaves it uncommittable there. An index whose key columns are
// the wanted ones, in order, is found on both engines.

// indexSQL creates a declared secondary index when the table has no index
// with its key columns.
func indexSQL(ix connector.Index, n names) string {
	return createIndexSQL(ix.Name, ix.Columns, n)
}

// createIndexSQL creates index name on cols of n unless an index with
// exactly these key columns, in this order, exists.
func createIndexSQL(name string, cols []string, n names) string {
	var b strings.Builder
	fmt.Fprintf(&b, "IF NOT EXISTS (SELECT 1 FROM sys.indexes i WHERE i.[object_id] = OBJECT_ID(%s)", qs(n.schema+"."+n.table))
	fmt.Fprintf(&b, "\n\tAND (SELECT COUNT(*) FROM sys.index_columns ic WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] > 0) = %d", len(cols))
	for k, c := range cols {
		fmt.Fprintf(&b, "\n\tAND EXISTS (SELECT 1 FROM sys.index_columns ic JOIN sys.columns c ON c.[object_id] = ic.[object_id] AND c.[column_id] = ic.[column_id]"+
			" WHERE ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id] AND ic.[key_ordinal] = %d AND c.[name] = %s)", k+1, qs(c))
	}
	fmt.Fprintf(&b, ")\nCREATE INDEX %s ON %s (%s)", qi(name), n.target(), strings.Join(quoteAll(cols), ", "))
	return b.String()
}

// indexKeysSQL lists the key columns of every index of a table (@p1
// schema.table), index by index, in key order.
const indexKeysSQL = `SELECT i.[index_id], c.[name]
FROM sys.indexes i
JOIN sys.index_columns ic ON ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id]
JOIN sys.columns c ON c.[object_id] = ic.[object_id] AND c.[column_id] = ic.[column_id]
WHERE i.[object_id] = OBJECT_ID(@p1) AND ic.[key_ordinal] > 0
ORDER BY i.[index_id], ic.[key_ordinal]`

// wantedIndexes are the indexes Prepare keeps on t: the parent-key index of
// a child table whose parent key does not lead its primary key, and the
// declared secondary indexes.
func wantedIndexes(t *connector.Table, n names) []connector.Index {
	var out []connector.Index
	if len(t.ParentKey) > 0 && !t.ParentKeyLeadsKey() {
		out = append(out, connector.Index{Name: parentIndexName(n), Columns: t.ParentKey})
	}
	return append(out, t.Indexes...)
}

// ensureIndexes creates the indexes a matching (already complete) table
// lacks, comparing key columns; it costs one catalog query when they all
// exist, and sends no DDL then.
func (s *Sink) ensureIndexes(ctx context.Context, t *connector.Table, n names) error {
	want := wantedIndexes(t, n)
	if len(want) == 0 {
		return nil
	}
	have, err := s.indexKeys(ctx, n)
	if err != nil {
		return err
	}
	var stmts []string
	for _, ix := range want {
		if !slices.ContainsFunc(have, func(keys []string) bool { return sameColumns(keys, ix.Columns) }) {
			stmts = append(stmts, createIndexSQL(ix.Name, ix.Columns, n))
		}
	}
	if len(stmts) == 0 {
		return nil
	}
	return s.ddl(ctx, stmts)
}

// indexKeys returns the key columns of each index of n.
func (s *Sink) indexKeys(ctx context.Context, n names) ([][]string, error) {
	rows, err := s.db.QueryContext(ctx, indexKeysSQL, n.schema+"."+n.table)
	if err != nil {
		return nil, fmt.Errorf("read the indexes: %w", err)
	}
	defer rows.Close()
	var out [][]string
	last := int64(-1)
	for rows.Next() {
		var id int64
		var col string
		if err := rows.Scan(&id, &col); err != nil {
			return nil, fmt.Errorf("read the indexes: %w", err)
		}
		if id != last {
			out = append(out, nil)
			last = id
		}
		out[len(out)-1] = append(out[len(out)-1], col)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the indexes: %w", err)
	}
	return out, nil
}

// sameColumns compares key-column lists in order, case-insensitively (as
// the server compares identifiers).
func sameColumns(a, b []string) bool {
	return slices.EqualFunc(a, b, strings.EqualFold)
}
