package mssql

import (
	"context"
	"fmt"
	"strings"

	"github.com/facolos/etl/connector"
)

// indexSQL creates a declared secondary index when it is missing.
func indexSQL(ix connector.Index, n names) string {
	return fmt.Sprintf("IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = %s AND object_id = OBJECT_ID(%s))\n%s",
		qs(ix.Name), qs(n.schema+"."+n.table), ix.CreateSQL(n.target(), qi, false))
}

// indexNamesSQL lists the index names of a table (@p1 schema.table).
const indexNamesSQL = `SELECT name FROM sys.indexes WHERE object_id = OBJECT_ID(@p1) AND name IS NOT NULL`

// ensureIndexes creates the declared indexes a matching (already complete)
// table lacks; it costs one query when they all exist.
func (s *Sink) ensureIndexes(ctx context.Context, t *connector.Table, n names) error {
	if len(t.Indexes) == 0 {
		return nil
	}
	rows, err := s.db.QueryContext(ctx, indexNamesSQL, n.schema+"."+n.table)
	if err != nil {
		return err
	}
	defer rows.Close()
	have := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return err
		}
		have[strings.ToLower(name)] = true
	}
	if err := rows.Err(); err != nil {
		return err
	}
	var stmts []string
	for _, ix := range t.Indexes {
		if !have[strings.ToLower(ix.Name)] {
			stmts = append(stmts, indexSQL(ix, n))
		}
	}
	if len(stmts) == 0 {
		return nil
	}
	return s.ddl(ctx, stmts)
}
