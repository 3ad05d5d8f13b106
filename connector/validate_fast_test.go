package connector

import (
	"fmt"
	"math/rand"
	"testing"
	"time"
)

// TestValidateRowFastPathAgrees compares ValidateRow on a validated table
// (the compact fast path) with the column-by-column checks on random rows
// of good, bad and wrongly typed values: same verdict, same reason.
func TestValidateRowFastPathAgrees(t *testing.T) {
	tb := &Table{Schema: "s", Name: "t", PrimaryKey: []string{"k"}, Columns: []Column{
		{Name: "k", Type: String, Length: 5},
		{Name: "s", Type: String, Nullable: true},
		{Name: "i", Type: Int, Nullable: true},
		{Name: "d", Type: Decimal, Precision: 6, Scale: 2, Nullable: true},
		{Name: "b", Type: Bool},
		{Name: "ts", Type: Timestamp, Nullable: true},
		{Name: "j", Type: JSON, Nullable: true},
		{Name: "u", Type: UUID, Nullable: true},
		{Name: "at", Type: Timestamp, Auto: AutoUpdatedAt},
	}}
	if err := tb.Validate(); err != nil {
		t.Fatal(err)
	}
	values := []any{nil, "", "abc", "Đường", "📦📦📦", "abcdef", "a\x00b", "a\xffb", int64(7), 7, MustDec("12.5"), MustDec("1.234"),
		MustDec("10000"), true, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC), RawJSON(`{"a":1}`), RawJSON(`{`), "0b7c2a4e-1f3d-4c5b-9a8e-7d6c5b4a3f2e", "not-a-uuid", 1.5}
	r := rand.New(rand.NewSource(1))
	for n := 0; n < 20000; n++ {
		row := make([]any, len(tb.Columns))
		for i := range row {
			row[i] = values[r.Intn(len(values))]
		}
		if n%3 == 0 { // mostly good values, so that errors in later columns are reached
			row[0], row[4] = "k", false
		}
		got, want := ValidateRow(tb, row), validateCells(tb, row, 0, nil)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("row %v: ValidateRow = %v, column by column = %v", row, got, want)
		}
	}
}
