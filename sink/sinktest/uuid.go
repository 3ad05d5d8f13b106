package sinktest

import (
	"testing"

	"github.com/facolos/etl/connector"
)

// Canonical UUIDs for the UUID cases, in the same order as text, as
// PostgreSQL uuid and as SQL Server UNIQUEIDENTIFIER (which compares the
// last group first): u3 < u1 < u2 < u4.
const (
	u1 = "6f1c1e0a-53b1-4c2e-9d6a-0b9c1f2e3d4a"
	u2 = "a3bb189e-8bf9-4888-9912-ace4e6543002"
	u3 = "00000000-0000-0000-0000-000000000000"
	u4 = "ffffffff-ffff-ffff-ffff-ffffffffffff"
)

// uuidLines is a table keyed by a UUID that is its own parent by that UUID
// (the shape of a MISA order's lines): the key join, the child-set
// replacement and the change comparison all run on UUID columns.
func uuidLines(name string, idType connector.Type) *connector.Table {
	id := connector.Column{Name: "id", Type: idType}
	if idType == connector.String {
		id.Length = 36
	}
	return &connector.Table{Schema: "staging", Name: name, PrimaryKey: []string{"id", "line"},
		Parent: "staging." + name, ParentKey: []string{"id"}, Columns: []connector.Column{
			id,
			{Name: "line", Type: connector.Int},
			{Name: "owner", Type: connector.UUID, Nullable: true},
		}}
}

// testUUID: UUID values round-trip as the same canonical text, as keys, as
// parent keys and as nullable values; a table whose key column was created
// as text before the column became a UUID keeps working (Prepare does not
// alter types).
func testUUID(t *testing.T, newSink NewSink) {
	s := newSink(t, Config{})
	tb := uuidLines("st_uuids", connector.UUID)
	prepare(t, s, tb)
	rows := [][]any{{u1, int64(1), u2}, {u1, int64(2), nil}, {u3, int64(1), u4}, {u2, int64(1), u1}}
	write(t, s, batch("r1", connector.TableRows{Table: tb, Rows: rows}))
	want := [][]any{{u3, int64(1), u4}, {u1, int64(1), u2}, {u1, int64(2), nil}, {u2, int64(1), u1}}
	equal(t, want, read(t, s, tb), "UUIDs round-trip as canonical lower-case text")
	// u1 loses line 2 and line 1 changes owner; u3 and u2 are not in the batch.
	write(t, s, batch("r2", connector.TableRows{Table: tb, Rows: [][]any{{u1, int64(1), u4}}}))
	want = [][]any{{u3, int64(1), u4}, {u1, int64(1), u4}, {u2, int64(1), u1}}
	equal(t, want, read(t, s, tb), "line sets replaced per UUID parent, changed UUID stored")
	got := read(t, s, tb)
	write(t, s, batch("r3", connector.TableRows{Table: tb, Rows: [][]any{{u1, int64(1), u4}}}))
	after := read(t, s, tb)
	equal(t, got, after, "the same UUID row again changes nothing")

	// A table created when the key was text keeps its text column.
	old := uuidLines("st_uuids_text", connector.String)
	old.Columns = old.Columns[:2]
	prepare(t, s, old)
	write(t, s, batch("r1", connector.TableRows{Table: old, Rows: [][]any{{u1, int64(1)}, {u2, int64(1)}}}))
	cur := uuidLines("st_uuids_text", connector.UUID)
	prepare(t, s, cur)
	prepare(t, s, cur)
	write(t, s, batch("r2", connector.TableRows{Table: cur, Rows: [][]any{{u1, int64(2), u3}, {u4, int64(1), u1}}}))
	equal(t, [][]any{{u1, int64(2), u3}, {u2, int64(1), nil}, {u4, int64(1), u1}}, read(t, s, cur),
		"an old text key column takes UUIDs: line set of u1 replaced, u2 kept, new column added")
}
