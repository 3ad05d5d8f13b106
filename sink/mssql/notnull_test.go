package mssql

import (
	"testing"

	"github.com/facolos/etl/connector"
)

// A column declared not nullable is NOT NULL in the table Prepare creates;
// the column Prepare adds to an existing table is always NULL.
func TestCreateTableNotNull(t *testing.T) {
	tb := &connector.Table{Schema: "staging", Name: "nn", PrimaryKey: []string{"id"}, Columns: []connector.Column{
		{Name: "id", Type: connector.Int}, {Name: "no", Type: connector.String, Length: 50}, {Name: "note", Type: connector.String, Nullable: true}}}
	if err := tb.Validate(); err != nil {
		t.Fatal(err)
	}
	golden(t, "create_table_not_null", createTableSQL(tb, names{"staging", "nn"}, connector.TimeUTC)+";\n"+addColumnSQL(tb.Columns[1], names{"staging", "nn"}, connector.TimeUTC))
}
