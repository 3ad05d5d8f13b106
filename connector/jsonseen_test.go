package connector_test

import (
	"context"
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/stretchr/testify/require"
)

// jsonRowsSource emits one page of records; jsonRowsTransformer gives
// each record two rows whose JSON column holds the texts the record names.
type jsonRowsSource struct{ recs []connector.Record }

func (s jsonRowsSource) Streams() []connector.Stream { return []connector.Stream{s} }
func (jsonRowsSource) Name() string                  { return "docs" }
func (s jsonRowsSource) Read(ctx context.Context, _ connector.ReadOptions, emit connector.EmitFunc) error {
	return emit(ctx, connector.Page{Records: s.recs, Checkpoint: connector.Checkpoint(`{"done":true}`)})
}

var jsonRowsTable = &connector.Table{Schema: "staging", Name: "json_rows", PrimaryKey: []string{"id", "n"}, Columns: []connector.Column{
	{Name: "id", Type: connector.String}, {Name: "n", Type: connector.Int}, {Name: "doc", Type: connector.JSON, Nullable: true}}}

type jsonRowsTransformer struct {
	docs map[string][2]connector.RawJSON
}

func (jsonRowsTransformer) Tables() []*connector.Table { return []*connector.Table{jsonRowsTable} }
func (tr jsonRowsTransformer) Transform(rec connector.Record, out connector.Output) error {
	for n, doc := range tr.docs[rec.Key] {
		out.Add(jsonRowsTable, []any{rec.Key, int64(n), doc})
	}
	return nil
}

// The rows of one record that share a JSON text have it checked once; a
// text that is not the same string is checked on its own row, even when
// a valid one of the same length came before it.
func TestRowsOfARecordShareTheirJSONCheck(t *testing.T) {
	shared := connector.RawJSON(`{"order":{"id":"A1","items":[1,2,3]}}`)
	valid, invalid := connector.RawJSON(`{"a":1}`), connector.RawJSON(`{"a"::}`)
	tr := jsonRowsTransformer{docs: map[string][2]connector.RawJSON{
		"shared":        {shared, shared},
		"second-bad":    {valid, invalid},
		"shared-bad":    {invalid, invalid},
		"shared-again":  {shared, shared},
		"equal-strings": {valid, connector.RawJSON(string([]byte(valid)))},
	}}
	var recs []connector.Record
	for _, k := range []string{"shared", "second-bad", "shared-bad", "shared-again", "equal-strings"} {
		recs = append(recs, connector.Record{Key: k, Data: []byte(`{}`)})
	}
	sink := openSink(t)
	res := (&connector.Runner{Mode: connector.Full}).Run(context.Background(),
		connector.Pipeline{Name: "json", Source: jsonRowsSource{recs}, Transformer: tr, Sink: sink})[0]
	require.NoError(t, res.Err)
	require.EqualValues(t, 2, res.Rejected, "second-bad and shared-bad")
	require.EqualValues(t, 6, res.Rows["staging.json_rows"])
	var bad int
	require.NoError(t, sink.DB().QueryRow(`SELECT count(*) FROM json_rows WHERE id IN ('second-bad', 'shared-bad')`).Scan(&bad))
	require.Zero(t, bad)
}
