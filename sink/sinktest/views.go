package sinktest

import (
	"context"
	"errors"
	"testing"

	"github.com/facolos/etl/connector"
)

// viewTables are two tables of different shapes that feed one view.
func viewTables() (*connector.Table, *connector.Table) {
	a := &connector.Table{Schema: "staging", Name: "st_view_a", PrimaryKey: []string{"id"}, Columns: []connector.Column{
		{Name: "id", Type: connector.String},
		{Name: "amount", Type: connector.Decimal, Precision: 18, Scale: 4},
		{Name: "paid", Type: connector.Bool},
	}}
	b := &connector.Table{Schema: "staging", Name: "st_view_b", PrimaryKey: []string{"shop", "id"}, Columns: []connector.Column{
		{Name: "shop", Type: connector.Int},
		{Name: "id", Type: connector.Int},
		{Name: "fee", Type: connector.Decimal, Precision: 12, Scale: 2},
	}}
	return a, b
}

var viewColumns = []connector.Column{
	{Name: "part", Type: connector.String, Length: 8},
	{Name: "id", Type: connector.String, Length: 64},
	{Name: "amount", Type: connector.Decimal, Precision: 18, Scale: 4},
	{Name: "paid", Type: connector.Bool},
}

func viewRead() *connector.Table {
	cols := append([]connector.Column(nil), viewColumns...)
	for i := range cols {
		cols[i].Nullable = true
	}
	return &connector.Table{Schema: "staging", Name: "st_view", PrimaryKey: []string{"part", "id"}, Columns: cols}
}

func viewPart(name, sql string) connector.ViewPart {
	return connector.ViewPart{View: "staging.st_view", Part: name, Columns: viewColumns, SQL: sql}
}

// testViews checks connector.ViewSink: a view is the union of the parts given
// so far, in any order and by any worker; a part given again replaces its
// SQL; the placeholders work; parts of one call with different columns are
// refused; a part with a new column list replaces the view's list and
// leaves out the parts of the old one.
func testViews(t *testing.T, newSink NewSink) {
	s := newSink(t, Config{})
	vs, ok := s.(connector.ViewSink)
	if !ok {
		t.Skip("the sink does not create views")
	}
	ctx := context.Background()
	a, b := viewTables()
	prepare(t, s, a, b)
	write(t, s, batch("r1",
		connector.TableRows{Table: a, Rows: [][]any{{"x1", dec("10.5"), true}, {"x2", dec("-3"), false}}},
		connector.TableRows{Table: b, Rows: [][]any{{int64(7), int64(42), dec("1.25")}}}))

	partA := viewPart("a", `SELECT 'a' AS part, CAST(id AS {text}) AS id, amount, paid FROM {staging.st_view_a} WHERE paid = {true} OR amount < 0`)
	partB := viewPart("b", `SELECT 'b' AS part, CAST(shop AS {text}) AS id, SUM(fee) AS amount, {false} AS paid FROM {staging.st_view_b} GROUP BY shop`)
	wantA := [][]any{{"a", "x1", dec("10.5"), true}, {"a", "x2", dec("-3"), false}}
	wantB := [][]any{{"b", "7", dec("1.25"), false}}
	check := func(want [][]any, msg string) {
		t.Helper()
		got, err := s.ReadTable(ctx, viewRead())
		if err != nil {
			t.Fatalf("%s: read the view: %v", msg, err)
		}
		equal(t, want, got, msg)
	}
	if err := vs.PrepareViews(ctx, []connector.ViewPart{partA}); err != nil {
		t.Fatal(err)
	}
	check(wantA, "one part")
	// Another worker (a second sink on the same warehouse when the suite
	// can have one) adds its part: the view holds both.
	other := s
	if o := newSink(t, Config{SameAs: s}); o != nil {
		other = o
	}
	if err := other.(connector.ViewSink).PrepareViews(ctx, []connector.ViewPart{partB}); err != nil {
		t.Fatal(err)
	}
	check(append(append([][]any{}, wantA...), wantB...), "two parts")
	// Unchanged parts again: same view.
	if err := vs.PrepareViews(ctx, []connector.ViewPart{partA, partB}); err != nil {
		t.Fatal(err)
	}
	check(append(append([][]any{}, wantA...), wantB...), "the same parts again")
	// A changed part replaces its SQL and keeps the other part.
	partA.SQL = `SELECT 'a' AS part, id, amount, paid FROM {staging.st_view_a} WHERE paid = {true}`
	if err := vs.PrepareViews(ctx, []connector.ViewPart{partA}); err != nil {
		t.Fatal(err)
	}
	check(append([][]any{wantA[0]}, wantB...), "a changed part")

	bad := viewPart("c", partB.SQL)
	bad.Columns = viewColumns[:3]
	if err := vs.PrepareViews(ctx, []connector.ViewPart{partA, bad}); !errors.Is(err, connector.ErrViewColumns) {
		t.Fatalf("parts of different columns in one call: %v, want connector.ErrViewColumns", err)
	}
	unknown := viewPart("c", `SELECT {nope} AS part`)
	if err := vs.PrepareViews(ctx, []connector.ViewPart{unknown}); err == nil {
		t.Fatal("an unknown placeholder was accepted")
	}
	check(append([][]any{wantA[0]}, wantB...), "refused parts changed nothing")

	// Two workers adding their parts at the same moment: the view ends up
	// with both, whoever commits last.
	c, d := viewPart("c", `SELECT 'c' AS part, id, amount, paid FROM {staging.st_view_a} WHERE paid = {true}`),
		viewPart("d", `SELECT 'd' AS part, id, amount, paid FROM {staging.st_view_a} WHERE paid = {true}`)
	errs := make(chan error, 2)
	go func() { errs <- vs.PrepareViews(ctx, []connector.ViewPart{c}) }()
	go func() { errs <- other.(connector.ViewSink).PrepareViews(ctx, []connector.ViewPart{d}) }()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	check(append([][]any{wantA[0]}, append(wantB, []any{"c", "x1", dec("10.5"), true}, []any{"d", "x1", dec("10.5"), true})...), "parts added at once")

	// A new column list (a newer release): the view takes it and leaves
	// out part b until b is given with the new list.
	wider := viewPart("a", `SELECT 'a' AS part, id, amount, paid, 1 AS n FROM {staging.st_view_a} WHERE paid = {true}`)
	wider.Columns = append(append([]connector.Column(nil), viewColumns...), connector.Column{Name: "n", Type: connector.Int})
	if err := vs.PrepareViews(ctx, []connector.ViewPart{wider}); err != nil {
		t.Fatal(err)
	}
	check([][]any{wantA[0]}, "a new column list")
}

func dec(s string) connector.Dec {
	d, err := connector.ParseDec(s)
	if err != nil {
		panic(err)
	}
	return d
}
