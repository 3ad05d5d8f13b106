package tiktok

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzDecodeOrder: the order decoder accepts exactly the texts that are
// valid JSON with an object (or null) at the top, and reads the same
// scalars as encoding/json does through val.
func FuzzDecodeOrder(f *testing.F) {
	for _, s := range []string{
		`{"id":"1","status":"A\u00e9\n","create_time":1700000000.0,"is_cod":true,"payment":{"total_amount":"1e3"}}`,
		`{"ID":"x","Id":"y","line_items":[{"id":"1"},[],{}],"unknown":{"a":[1,-2.5e+3,null,false]}}`,
		`null`, ` {} `, `{"id":"1"} x`, `{"id":01}`, `{"id":"\x01"}`, `{"id":"\q"}`, `[1]`, `{"id":tru}`,
		`{"id":-}`, `{"id":1.}`, `{"id":1e}`, `{"a":1,}`, `{"\u0069d":"k"}`, `{"id":"` + "\xff" + `"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var got apiOrder
		err := decodeOrder(s, &got)
		var top any
		stdErr := json.Unmarshal([]byte(s), &top)
		_, isObj := top.(map[string]any)
		if stdErr != nil || !(isObj || top == nil) {
			require.Error(t, err, "accepted %q", s)
			return
		}
		require.NoError(t, err, "rejected %q", s)
		var want apiOrder
		require.NoError(t, json.Unmarshal([]byte(s), &want))
		require.Equal(t, want.ID, got.ID)
		require.Equal(t, want.Status, got.Status)
		require.Equal(t, want.CreateTime, got.CreateTime)
		require.Equal(t, string(want.Payment), string(got.Payment))
		require.Equal(t, string(want.LineItems), string(got.LineItems))
		var items []json.RawMessage
		if decodeList(got.LineItems, &items) == nil {
			for _, it := range items {
				var a, b apiItem
				if err := decodeObject(it, &a); err != nil {
					require.NotEqual(t, byte('{'), it[0], "%q: %v", it, err)
					continue
				}
				require.NoError(t, json.Unmarshal(it, &b))
				require.Equal(t, b, a)
			}
		}
	})
}
