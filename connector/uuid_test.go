package connector_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/facolos/etl/connector"
)

func TestValidateRowUUID(t *testing.T) {
	tb := &connector.Table{Schema: "staging", Name: "u", PrimaryKey: []string{"id"}, Columns: []connector.Column{
		{Name: "id", Type: connector.UUID},
		{Name: "owner", Type: connector.UUID, Nullable: true},
	}}
	require.NoError(t, tb.Validate())
	require.Equal(t, "uuid", connector.UUID.String())

	good := "0f8fad5b-d9cb-469f-a165-70867728950e"
	require.NoError(t, connector.ValidateRow(tb, []any{good, nil}))
	require.NoError(t, connector.ValidateRow(tb, []any{good, "00000000-0000-0000-0000-000000000000"}))

	for name, v := range map[string]any{
		"upper case":     "0F8FAD5B-D9CB-469F-A165-70867728950E",
		"braces":         "{0f8fad5b-d9cb-469f-a165-70867728950e}",
		"no hyphens":     "0f8fad5bd9cb469fa16570867728950e",
		"hyphen moved":   "0f8fad5bd-9cb-469f-a165-70867728950e",
		"not hex":        "0f8fad5b-d9cb-469f-a165-70867728950g",
		"too long":       good + "0",
		"empty":          "",
		"surrounding sp": " " + good[1:],
		"bytes":          []byte(good),
	} {
		t.Run(name, func(t *testing.T) {
			err := connector.ValidateRow(tb, []any{good, v})
			require.Error(t, err)
			require.Contains(t, err.Error(), "staging.u.owner")
		})
	}
	err := connector.ValidateRow(tb, []any{"0F8FAD5B-D9CB-469F-A165-70867728950E", nil})
	require.ErrorContains(t, err, "staging.u.id")
	require.ErrorContains(t, err, "not a canonical UUID")
}

func TestCheckUUIDClipsHostileInput(t *testing.T) {
	long := make([]byte, 10000)
	for i := range long {
		long[i] = 'x'
	}
	err := connector.CheckUUID(string(long))
	require.Error(t, err)
	require.Less(t, len(err.Error()), 200, "a hostile value is clipped in the error")
}

func BenchmarkValidateRowUUID(b *testing.B) {
	tb := &connector.Table{Schema: "staging", Name: "u", PrimaryKey: []string{"id"}, Columns: []connector.Column{{Name: "id", Type: connector.UUID}}}
	if err := tb.Validate(); err != nil {
		b.Fatal(err)
	}
	row := []any{"0f8fad5b-d9cb-469f-a165-70867728950e"}
	b.ReportAllocs()
	for b.Loop() {
		if err := connector.ValidateRow(tb, row); err != nil {
			b.Fatal(err)
		}
	}
}
