package mssql

import (
	"context"
	"strings"
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/stretchr/testify/require"
)

// The statements that store a view part and create its view on SQL Server:
// under the DDL lock, the parts table created when missing, the part
// replaced, the view dropped and created from every stored part, each column
// cast to its type.
func TestGoldenViewPrepare(t *testing.T) {
	ctx := context.Background()
	r := &recorder{}
	s := openRecorded(t, r, Config{Schemas: map[string]string{"staging": "stg"}})
	start := len(sent(r, 0))
	part := connector.ViewPart{View: "staging.st_view", Part: "a", Columns: []connector.Column{
		{Name: "id", Type: connector.String, Length: 64},
		{Name: "amount", Type: connector.Decimal, Precision: 18, Scale: 4},
		{Name: "paid_at", Type: connector.Timestamp},
	}, SQL: `SELECT CAST(id AS {text}) AS id, SUM(fee) AS amount, CAST(NULL AS {timestamp}) AS paid_at FROM {staging.st_a} WHERE paid = {true} GROUP BY id`}
	require.NoError(t, s.PrepareViews(ctx, []connector.ViewPart{part}))
	golden(t, "view_prepare", strings.Join(sent(r, start), ";\n"))
}
