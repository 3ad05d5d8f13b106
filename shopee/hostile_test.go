package shopee_test

import (
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/shopee"
	"github.com/stretchr/testify/require"
)

// Hostile values are rejected with a reason naming the field, by the
// shared connector rules (issue 9): no truthy "nope", keys of the JSON type
// Shopee documents, epochs in seconds or milliseconds by magnitude, times
// inside 1970-2100.
func TestHostileValues(t *testing.T) {
	bad := map[string]string{
		`{"order_sn":"H1","cod":"nope"}`:                       `field cod: "nope" is not a boolean`,
		`{"order_sn":"H2","cod":2}`:                            "field cod: 2 is not a boolean",
		`{"order_sn":{"v":"H3"}}`:                              "field order_sn: key is an object",
		`{"order_sn":12345}`:                                   "field order_sn: key 12345 is a number",
		`{"order_sn":["H5"]}`:                                  "field order_sn: key is a list",
		`{"order_sn":true}`:                                    "field order_sn: key is a boolean",
		`{"order_sn":"H7","create_time":5000000000}`:           "field create_time: epoch 5000000000: time 2128",
		`{"order_sn":"H8","create_time":99999999999999}`:       "field create_time: epoch 99999999999999",
		`{"order_sn":"H9","days_to_ship":9223372036854775808}`: "field days_to_ship",
	}
	for payload, msg := range bad {
		err := shopee.Transformer{}.Transform(connector.Record{Key: "k", Data: []byte(payload)}, outputFunc(func(*connector.Table, []any) {}))
		require.ErrorContains(t, err, msg, payload)
	}
	for payload, want := range map[string]time.Time{
		`{"order_sn":"S","create_time":1700000000}`:    time.Unix(1700000000, 0).UTC(),
		`{"order_sn":"M","create_time":1700000000123}`: time.UnixMilli(1700000000123).UTC(),
	} {
		var got any
		err := shopee.Transformer{}.Transform(connector.Record{Key: "k", Data: []byte(payload)}, outputFunc(func(tb *connector.Table, row []any) {
			if tb.Name == "shopee_orders" {
				got = row[tb.ColumnIndex("create_time")]
			}
		}))
		require.NoError(t, err)
		require.Equal(t, want, got, payload)
	}
}
