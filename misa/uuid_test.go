package misa

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/facolos/etl/connector"
)

// The UNIQUEIDENTIFIER columns of the spec are UUID columns, and the
// transformer turns MISA's forms (braces, upper case) into canonical rows.
func TestUniqueIdentifierColumnsAreUUID(t *testing.T) {
	want := map[string]bool{"staging.misa_stocks.act_database_id": true, "staging.misa_stocks.async_id": true, "staging.misa_product_stock.stock_async_id": true}
	got := map[string]bool{}
	for _, tb := range Tables() {
		for _, c := range tb.Columns {
			if c.Type == connector.UUID {
				got[tb.FullName()+"."+c.Name] = true
			}
		}
	}
	require.Equal(t, want, got)

	var out collect
	require.NoError(t, Transformer{}.Transform(connector.Record{Stream: StreamStocks, Key: "KHO1",
		Data: []byte(`{"stock_code":"KHO1","async_id":"{6F9619FF-8B86-D011-B42D-00C04FC964FF}","act_database_id":null}`)}, &out))
	for tb, rows := range out.rows {
		require.Len(t, rows, 1)
		require.NoError(t, connector.ValidateRow(tb, rows[0]))
		require.Equal(t, "6f9619ff-8b86-d011-b42d-00c04fc964ff", rows[0][tb.ColumnIndex("async_id")])
		require.Nil(t, rows[0][tb.ColumnIndex("act_database_id")])
	}
	require.Len(t, out.rows, 1)

	err := Transformer{}.Transform(connector.Record{Stream: StreamStocks, Key: "KHO2",
		Data: []byte(`{"stock_code":"KHO2","async_id":"6F9619FF8B86D011B42D00C04FC964FF"}`)}, &collect{})
	require.ErrorContains(t, err, "async_id")
}
