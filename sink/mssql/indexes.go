package mssql

import (
	"fmt"
	"strings"

	"github.com/facolos/etl/connector"
)

// indexSQL creates a declared secondary index when it is missing.
func indexSQL(ix connector.Index, n names) string {
	return fmt.Sprintf("IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = %s AND object_id = OBJECT_ID(%s))\nCREATE INDEX %s ON %s (%s)",
		qs(ix.Name), qs(n.schema+"."+n.table), qi(ix.Name), n.target(), strings.Join(quoteAll(ix.Columns), ", "))
}
