package connector

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Within a batch, the row of the highest version of a key is kept (equal
// versions: the last; NULL is the oldest), in the rows' order, and the
// dropped rows are counted with one example key.
func TestDedupeKeepsTheNewestVersion(t *testing.T) {
	tb := &Table{Schema: "s", Name: "t", PrimaryKey: []string{"id"}, Version: "v", Columns: []Column{
		{Name: "id", Type: String}, {Name: "v", Type: Timestamp, Nullable: true}, {Name: "s", Type: String, Nullable: true}}}
	require.NoError(t, tb.Validate())
	at := func(m int) any { return time.Date(2025, 1, 1, 0, m, 0, 0, time.UTC) }
	rows := [][]any{
		{"A", at(2), "A newest"},
		{"B", nil, "B null"},
		{"A", at(1), "A older, later in the batch"},
		{"C", at(5), "C first"},
		{"B", at(1), "B versioned"},
		{"C", at(5), "C equal, last"},
		{"B", nil, "B null again"},
	}
	out, dropped, example := dedupeByKey(tb, rows)
	require.Equal(t, [][]any{{"A", at(2), "A newest"}, {"B", at(1), "B versioned"}, {"C", at(5), "C equal, last"}}, out)
	require.Equal(t, 4, dropped)
	require.Equal(t, "A", example)

	// Int versions; a table without a version keeps the last row.
	ti := &Table{Schema: "s", Name: "t", PrimaryKey: []string{"id"}, Version: "v", Columns: []Column{{Name: "id", Type: String}, {Name: "v", Type: Int, Nullable: true}}}
	require.NoError(t, ti.Validate())
	out, _, _ = dedupeByKey(ti, [][]any{{"A", int64(9)}, {"A", int64(3)}})
	require.Equal(t, [][]any{{"A", int64(9)}}, out)
	ti.Version = ""
	out, _, _ = dedupeByKey(ti, [][]any{{"A", int64(9)}, {"A", int64(3)}})
	require.Equal(t, [][]any{{"A", int64(3)}}, out)
}

func TestVersionColumnValidation(t *testing.T) {
	cols := func() []Column {
		return []Column{{Name: "id", Type: String}, {Name: "n", Type: Int}, {Name: "v", Type: Timestamp, Nullable: true}, {Name: "s", Type: String, Nullable: true}}
	}
	for _, c := range []struct {
		t    *Table
		want string
	}{
		{&Table{Schema: "s", Name: "t", PrimaryKey: []string{"id"}, Version: "nope", Columns: cols()}, "is not a column"},
		{&Table{Schema: "s", Name: "t", PrimaryKey: []string{"id"}, Version: "s", Columns: cols()}, "must be a timestamp or an int"},
		{&Table{Schema: "s", Name: "t", PrimaryKey: []string{"id", "n"}, Version: "n", Columns: cols()}, "must not be a key column"},
		{&Table{Schema: "s", Name: "t", PrimaryKey: []string{"id", "n"}, Version: "v", Parent: "s.p", ParentKey: []string{"id"}, Columns: cols()}, "follows its parent"},
		{&Table{Schema: "s", Name: "t", PrimaryKey: []string{"id", "n"}, Version: "v", Parent: "s.t", ParentKey: []string{"n"}, Columns: cols()}, "prefix"},
	} {
		err := c.t.Validate()
		require.Error(t, err)
		require.True(t, strings.Contains(err.Error(), c.want), "%v does not say %q", err, c.want)
	}
	ok := &Table{Schema: "s", Name: "t", PrimaryKey: []string{"id", "n"}, Version: "v", Parent: "s.t", ParentKey: []string{"id"}, Columns: cols()}
	require.NoError(t, ok.Validate())
	require.Equal(t, []string{"id"}, ok.VersionGroup())
	ok.Parent, ok.ParentKey = "", nil
	require.Equal(t, []string{"id", "n"}, ok.VersionGroup())
}
