package sinktest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/facolos/etl/connector"
)

// KeyedTable is staging.st_keyed (name suffixed): key (id) in its first
// version, key (tenant, id) once it holds the rows of several tenants (a
// new leading key column).
func KeyedTable(name string, tenant bool) *connector.Table {
	tb := &connector.Table{Schema: "staging", Name: name, PrimaryKey: []string{"id"}, Columns: []connector.Column{
		{Name: "id", Type: connector.Int}, {Name: "note", Type: connector.String, Length: 50, Nullable: true}}}
	if tenant {
		tb.Columns = append([]connector.Column{{Name: "tenant", Type: connector.String, Length: 100}}, tb.Columns...)
		tb.PrimaryKey = []string{"tenant", "id"}
	}
	return tb
}

// KeyChange checks, with Prepare alone (a recording driver can run it), that
// s refuses a table whose existing primary key is not its definition's:
// the error wraps connector.ErrKeyChanged and names the table, the key it
// has and the key wanted; the same key columns in another order are
// accepted; a key that lost a column is refused too. It uses the tables
// st_keyed and st_keyed2 of schema staging, which must not exist.
func KeyChange(t *testing.T, s connector.Sink) {
	t.Helper()
	ctx := context.Background()
	refused := func(tb *connector.Table, has, wants string) {
		t.Helper()
		err := s.Prepare(ctx, []*connector.Table{tb})
		if !errors.Is(err, connector.ErrKeyChanged) {
			t.Fatalf("Prepare of %s with key %v over a table with %s: %v, want connector.ErrKeyChanged", tb.FullName(), tb.PrimaryKey, has, err)
		}
		for _, want := range []string{tb.Name, has, wants} {
			if !strings.Contains(err.Error(), want) {
				t.Fatalf("the error names the table, the key it has and the key wanted (%q): %v", want, err)
			}
		}
	}
	ok := func(tb *connector.Table, why string) {
		t.Helper()
		if err := s.Prepare(ctx, []*connector.Table{tb}); err != nil {
			t.Fatalf("Prepare of %s with key %v (%s): %v", tb.FullName(), tb.PrimaryKey, why, err)
		}
	}
	ok(KeyedTable("st_keyed", false), "a new table")
	refused(KeyedTable("st_keyed", true), "primary key (id)", "wants (tenant, id)")
	refused(KeyedTable("st_keyed", true), "primary key (id)", "wants (tenant, id)") // nothing was half done
	ok(KeyedTable("st_keyed", false), "the old definition still fits")

	ok(KeyedTable("st_keyed2", true), "a new table")
	swapped := KeyedTable("st_keyed2", true)
	swapped.PrimaryKey = []string{"id", "tenant"}
	ok(swapped, "the same key columns in another order")
	refused(KeyedTable("st_keyed2", false), "primary key (tenant, id)", "wants (id)")
}

// testKeyChanged runs KeyChange on a sink and then proves the refused table
// untouched: it still takes and returns rows under its old key.
func testKeyChanged(t *testing.T, newSink NewSink) {
	s := newSink(t, Config{})
	KeyChange(t, s)
	v1 := KeyedTable("st_keyed", false)
	prepare(t, s, v1)
	rows := [][]any{{int64(1), "a"}, {int64(2), "b"}}
	write(t, s, batch("r1", connector.TableRows{Table: v1, Rows: rows}))
	equal(t, rows, read(t, s, v1), "the refused table still works under its old key")
}
