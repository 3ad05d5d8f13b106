package postgres_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink/postgres"
)

// A UUID column is created as uuid; a column an older definition created as
// text stays text, and both take and give back the canonical text.
func TestUUIDColumnTypes(t *testing.T) {
	ctx := context.Background()
	for _, strategy := range []postgres.Strategy{postgres.OnConflict, postgres.Merge} {
		s := open(t, postgres.Config{Strategy: strategy})
		schema := s.Schema("staging")
		old := &connector.Table{Schema: "staging", Name: "u", PrimaryKey: []string{"id"}, Columns: []connector.Column{
			{Name: "id", Type: connector.String, Length: 36}}}
		require.NoError(t, s.Prepare(ctx, []*connector.Table{old}))
		cur := &connector.Table{Schema: "staging", Name: "u", PrimaryKey: []string{"id"}, Columns: []connector.Column{
			{Name: "id", Type: connector.UUID}, {Name: "owner", Type: connector.UUID, Nullable: true}}}
		require.NoError(t, s.Prepare(ctx, []*connector.Table{cur}))
		types := map[string]string{}
		rows, err := s.DB().QueryContext(ctx, `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'u'`, schema)
		require.NoError(t, err)
		for rows.Next() {
			var n, ty string
			require.NoError(t, rows.Scan(&n, &ty))
			types[n] = ty
		}
		require.NoError(t, rows.Err())
		require.Equal(t, map[string]string{"id": "character varying", "owner": "uuid"}, types)

		const a, b = "0f8fad5b-d9cb-469f-a165-70867728950e", "7c9e6679-7425-40de-944b-e07fc1f90ae7"
		for run, owner := range []string{b, a} {
			require.NoError(t, s.Write(ctx, &connector.Batch{Pipeline: "p", Stream: "s", RunID: "r" + string(rune('1'+run)),
				Tables: []connector.TableRows{{Table: cur, Rows: [][]any{{a, owner}, {b, nil}}}}}))
		}
		got, err := s.ReadTable(ctx, cur)
		require.NoError(t, err)
		require.Equal(t, [][]any{{a, a}, {b, nil}}, got, "strategy %v", strategy)
	}
}
