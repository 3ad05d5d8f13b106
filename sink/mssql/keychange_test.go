package mssql

import (
	"context"
	"strings"
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink/sinktest"
	"github.com/stretchr/testify/require"
)

// The conformance check of a changed primary key, on the simulated
// catalog: Prepare reads the existing key (sys.indexes.is_primary_key)
// and refuses a definition with another key, sending no DDL at all, so
// the table is left as it was for its one-time migration.
func TestPrepareRefusesAChangedKey(t *testing.T) {
	cat := &babelCatalog{tables: map[string]*babelTable{}}
	_, s := openOnCatalog(t, cat)
	sinktest.KeyChange(t, s)

	r, s2 := openOnCatalog(t, cat) // another process, on the same server
	calls, start := len(r.calls), len(r.entries())
	err := s2.Prepare(context.Background(), []*connector.Table{sinktest.KeyedTable("st_keyed", true)})
	require.ErrorIs(t, err, connector.ErrKeyChanged)
	require.ErrorContains(t, err, "table [staging].[st_keyed] has primary key (id), the definition of staging.st_keyed wants (tenant, id)")
	require.Empty(t, sent(r, calls), "no statement is executed")
	require.NotContains(t, strings.Join(r.entries()[start:], "\n"), "BEGIN", "no DDL transaction")
	cols := cat.tables["staging.st_keyed"].cols
	require.Len(t, cols, 2, "the tenant column was not added: %v", cols)
}
