package mssql

import (
	"context"
	"database/sql/driver"
	"strings"
	"testing"

	mssqldb "github.com/microsoft/go-mssqldb"
	"github.com/stretchr/testify/require"

	"github.com/facolos/etl/connector"
)

const (
	uuidA = "6f1c1e0a-53b1-4c2e-9d6a-0b9c1f2e3d4a"
	uuidB = "a3bb189e-8bf9-4888-9912-ace4e6543002"
)

// uuidA in SQL Server's byte order: the first three groups little-endian.
var uuidAWire = []byte{0x0a, 0x1e, 0x1c, 0x6f, 0xb1, 0x53, 0x2e, 0x4c, 0x9d, 0x6a, 0x0b, 0x9c, 0x1f, 0x2e, 0x3d, 0x4a}

func uuidTable() *connector.Table {
	return &connector.Table{Schema: "staging", Name: "u", PrimaryKey: []string{"id"}, Columns: []connector.Column{
		{Name: "id", Type: connector.UUID}, {Name: "owner", Type: connector.UUID, Nullable: true}}}
}

// wire is what go-mssqldb's bulk copy makes of a bound value for a
// UNIQUEIDENTIFIER column: it calls a driver.Valuer through
// driver.DefaultParameterConverter and accepts only []byte (bulkcopy.go,
// case typeGuid).
func wire(t *testing.T, v driver.Value) []byte {
	t.Helper()
	if _, ok := v.(driver.Valuer); !ok {
		t.Fatalf("%T would be refused by the bulk copy of a UNIQUEIDENTIFIER column", v)
	}
	got, err := driver.DefaultParameterConverter.ConvertValue(v)
	require.NoError(t, err)
	b, ok := got.([]byte)
	require.True(t, ok, "a UNIQUEIDENTIFIER is bulk-copied from []byte, got %T", got)
	return b
}

func TestUUIDBulkCopiedAsUniqueIdentifier(t *testing.T) {
	r := &recorder{}
	s := openRecorded(t, r, Config{})
	tb := uuidTable()
	require.NoError(t, s.Prepare(context.Background(), []*connector.Table{tb}))
	require.Contains(t, s.tables["staging.u"].createTemp, "[id] UNIQUEIDENTIFIER NOT NULL, [owner] UNIQUEIDENTIFIER NULL")
	require.NoError(t, s.Write(context.Background(), &connector.Batch{Pipeline: "p", Stream: "s", RunID: "r1",
		Tables: []connector.TableRows{{Table: tb, Rows: [][]any{{uuidA, uuidB}, {uuidB, nil}}}}}))
	require.Len(t, r.bulkRows, 2)
	require.Equal(t, uuidAWire, wire(t, r.bulkRows[0][0]))
	require.Nil(t, r.bulkRows[1][1], "NULL stays NULL")
	// What the server gives back reads as the same canonical text.
	for _, row := range r.bulkRows[:1] {
		for _, v := range row {
			back, err := uuidFromDB(wire(t, v))
			require.NoError(t, err)
			require.Contains(t, []string{uuidA, uuidB}, back)
		}
	}
	got, err := uuidFromDB(uuidAWire)
	require.NoError(t, err)
	require.Equal(t, uuidA, got)
	got, err = uuidFromDB(strings.ToUpper(uuidA)) // a connection with GUID conversion on
	require.NoError(t, err)
	require.Equal(t, uuidA, got)
}

func TestUUIDIntoAnOldTextColumn(t *testing.T) {
	r := &recorder{answerRows: func(q string) [][]driver.Value {
		if q == primaryKeySQL {
			return [][]driver.Value{{"id"}}
		}
		if q != columnsSQL {
			return nil
		}
		// The table exists; its id column was created as NVARCHAR(36).
		return [][]driver.Value{{"id", "nvarchar"}, {"owner", "uniqueidentifier"}}
	}}
	s := openRecorded(t, r, Config{})
	tb := uuidTable()
	require.NoError(t, s.Prepare(context.Background(), []*connector.Table{tb}))
	ti := s.tables["staging.u"]
	require.Contains(t, ti.createTemp, "[id] NVARCHAR(36) NOT NULL, [owner] UNIQUEIDENTIFIER NULL")
	require.NotEqual(t, tempName(tb, ti.n, connector.TimeUTC), ti.temp, "the text staging has its own temp table")
	require.NoError(t, s.Write(context.Background(), &connector.Batch{Pipeline: "p", Stream: "s", RunID: "r1",
		Tables: []connector.TableRows{{Table: tb, Rows: [][]any{{uuidA, uuidB}}}}}))
	require.Len(t, r.bulkRows, 1)
	require.Equal(t, uuidA, r.bulkRows[0][0], "the old text column gets the canonical text")
	b, ok := r.bulkRows[0][1].(mssqldb.UniqueIdentifier)
	require.True(t, ok, "the UNIQUEIDENTIFIER column gets a UniqueIdentifier, got %T", r.bulkRows[0][1])
	back, err := uuidFromDB(wire(t, b))
	require.NoError(t, err)
	require.Equal(t, uuidB, back)
}
