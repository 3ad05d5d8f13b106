package connector_test

import (
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/stretchr/testify/require"
)

func TestValidateRow(t *testing.T) {
	tb := &connector.Table{Schema: "staging", Name: "v", PrimaryKey: []string{"k"}, Columns: []connector.Column{
		{Name: "k", Type: connector.String, Length: 5},
		{Name: "d", Type: connector.Decimal, Precision: 6, Scale: 2, Nullable: true},
		{Name: "i", Type: connector.Int, Nullable: true},
		{Name: "ts", Type: connector.Timestamp, Nullable: true},
		{Name: "j", Type: connector.JSON, Nullable: true},
	}}
	require.NoError(t, tb.Validate())
	ok := []any{"Đường", connector.MustDec("9999.99"), int64(1), time.Now(), connector.RawJSON(`{}`)}
	require.NoError(t, connector.ValidateRow(tb, ok), "5 Vietnamese letters fit a length of 5")
	cases := map[string][]any{
		"exceeds the column length 5":   {"📦📦📦", nil, nil, nil, nil}, // 6 UTF-16 units
		"NULL in a non-nullable column": {nil, nil, nil, nil, nil},
		"fraction digits":               {"a", connector.MustDec("1.234"), nil, nil, nil},
		"does not fit DECIMAL(6,2)":     {"a", connector.MustDec("10000"), nil, nil, nil},
		"cannot hold a int":             {"a", nil, 1, nil, nil},
		"not valid JSON":                {"a", nil, nil, nil, connector.RawJSON(`{`)},
		"row has 2 values":              {"a", nil},
	}
	for msg, row := range cases {
		err := connector.ValidateRow(tb, row)
		require.ErrorContains(t, err, msg)
	}
}

func TestTableValidate(t *testing.T) {
	bad := []*connector.Table{
		{Schema: "s", Name: "t"},
		{Schema: "s", Name: "t", Columns: []connector.Column{{Name: "a", Type: connector.Int}}},
		{Schema: "s", Name: "t", PrimaryKey: []string{"a"}, Columns: []connector.Column{{Name: "a", Type: connector.Int, Nullable: true}}},
		{Schema: "s", Name: "t", PrimaryKey: []string{"a"}, Columns: []connector.Column{{Name: "a", Type: connector.Int}, {Name: "a", Type: connector.Int}}},
		{Schema: "s", Name: "t", PrimaryKey: []string{"a"}, Columns: []connector.Column{{Name: "a", Type: connector.Decimal}}},
		{Schema: "s", Name: "t", PrimaryKey: []string{"a"}, Parent: "s.p", Columns: []connector.Column{{Name: "a", Type: connector.Int}}},
	}
	for i, tb := range bad {
		require.Error(t, tb.Validate(), "case %d", i)
	}
}

func TestParseDec(t *testing.T) {
	for in, want := range map[string]string{"0": "0", "-0.00": "0", "00123.4500": "123.45", "+7": "7", ".5": "0.5", "1.5e3": "1500", "2E-2": "0.02", "-12.5": "-12.5"} {
		d, err := connector.ParseDec(in)
		require.NoError(t, err, in)
		require.Equal(t, want, d.String(), in)
	}
	for _, in := range []string{"", "abc", "1.2.3", "NaN", "1e", "-"} {
		_, err := connector.ParseDec(in)
		require.Error(t, err, in)
	}
}
