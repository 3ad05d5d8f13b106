package tiktok

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzDecodeOrder: the order decoder accepts exactly the texts that are
// valid JSON with an object (or null) at the top, and reads the same
// values as encoding/json does through val and json.RawMessage: the
// order's scalars and raw nested values, and, decoded in the same pass,
// payment, recipient_address, the first package and every line item.
func FuzzDecodeOrder(f *testing.F) {
	for _, s := range []string{
		`{"id":"1","status":"A\u00e9\n","create_time":1700000000.0,"is_cod":true,"payment":{"total_amount":"1e3"}}`,
		`{"ID":"x","Id":"y","line_items":[{"id":"1"},[],{}],"unknown":{"a":[1,-2.5e+3,null,false]}}`,
		`{"payment":{"tax":"1"},"PAYMENT":{"sub_total":"2"},"packages":[null,{"id":"p"}],"Packages":[{"ID":"q"},1]}`,
		`{"line_items":[{"id":"1"}],"line_items":"x","recipient_address":{"district_info":[{}],"name":"a\"b"}}`,
		`{"line_items":[ {"id" : "1" , "Sale_Price":"2.50"} , null , 7 ],"recipient_address":null}`,
		`{"packages":{"id":"p"},"payment":[],"recipient_address":"x","line_items":{}}`,
		`null`, ` {} `, `{"id":"1"} x`, `{"id":01}`, `{"id":"\x01"}`, `{"id":"\q"}`, `[1]`, `{"id":tru}`,
		`{"id":-}`, `{"id":1.}`, `{"id":1e}`, `{"a":1,}`, `{"\u0069d":"k"}`, `{"id":"` + "\xff" + `"}`,
		`{"line_items":[{"id":"1"},]}`, `{"":1e700}`, `{"create_time":1e700}`, `{"\u0069d":"\ud83d\ude00\ud800x\udc00\ud800\u0041\u00e9\"\\\/\b\f\n\r\t` + "\xff\xe2\x82" + `"}`, `{"payment":{"tax":}}`, `{"packages":[{"id":"1"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var got apiOrder
		err := decodeOrder(s, &got)
		// Numbers stay text (1e700 is valid JSON, if not a float64).
		dec := json.NewDecoder(strings.NewReader(s))
		dec.UseNumber()
		var top any
		stdErr := dec.Decode(&top)
		if stdErr == nil && !json.Valid([]byte(s)) {
			stdErr = errors.New("data after the value")
		}
		_, isObj := top.(map[string]any)
		if stdErr != nil || !(isObj || top == nil) {
			require.Error(t, err, "accepted %q", s)
			return
		}
		require.NoError(t, err, "rejected %q", s)
		var want apiOrder
		require.NoError(t, json.Unmarshal([]byte(s), &want))
		got2 := got
		got2.payment, got2.recipient, got2.pkg, got2.pkgRaw, got2.items = apiPayment{}, apiRecipient{}, apiPackage{}, nil, nil
		got2.dec = decState{}
		require.Equal(t, want, got2)

		// The nested parts, as encoding/json reads them from the raw text.
		var pay apiPayment
		if len(got.Payment) > 0 && got.Payment[0] == '{' {
			require.NoError(t, json.Unmarshal(got.Payment, &pay))
		}
		require.Equal(t, pay, got.payment)
		var rcp apiRecipient
		if len(got.RecipientAddress) > 0 && got.RecipientAddress[0] == '{' {
			require.NoError(t, json.Unmarshal(got.RecipientAddress, &rcp))
		}
		require.Equal(t, rcp, got.recipient)
		var pkgs []json.RawMessage
		var pk apiPackage
		if len(got.Packages) > 0 && got.Packages[0] == '[' {
			require.NoError(t, json.Unmarshal(got.Packages, &pkgs))
			if len(pkgs) > 0 {
				require.Equal(t, string(pkgs[0]), string(got.pkgRaw))
				if pkgs[0][0] == '{' {
					require.NoError(t, json.Unmarshal(pkgs[0], &pk))
				}
			}
		}
		require.Equal(t, pk, got.pkg)
		var items []json.RawMessage
		if len(got.LineItems) > 0 && got.LineItems[0] == '[' {
			require.NoError(t, json.Unmarshal(got.LineItems, &items))
		}
		require.Len(t, got.items, len(items))
		for i, raw := range items {
			var it apiItem
			if raw[0] == '{' {
				require.NoError(t, json.Unmarshal(raw, &it))
			}
			require.Equal(t, string(raw), string(got.items[i].raw))
			require.Equal(t, it, got.items[i].apiItem)
		}
	})
}

// A reused order (as the transformer's scratch is) keeps nothing of the
// order decoded before.
func TestDecodeOrderReuse(t *testing.T) {
	var o apiOrder
	require.NoError(t, decodeOrder(`{"id":"1","payment":{"tax":"1"},"packages":[{"id":"p"}],`+
		`"line_items":[{"id":"a","sale_price":"1"},{"id":"b","product_name":"x"},{"id":"c"}]}`, &o))
	require.Len(t, o.items, 3)
	require.NoError(t, decodeOrder(`{"id":"2","line_items":[{"id":"d"},{"sku_id":"s"}]}`, &o))
	require.Equal(t, val{s: "2", k: kString}, o.ID)
	require.Equal(t, apiPayment{}, o.payment)
	require.Equal(t, apiPackage{}, o.pkg)
	require.Nil(t, o.pkgRaw)
	require.Len(t, o.items, 2)
	require.Equal(t, apiItem{ID: val{s: "d", k: kString}}, o.items[0].apiItem)
	require.Equal(t, apiItem{SKUID: val{s: "s", k: kString}}, o.items[1].apiItem)
	require.NoError(t, decodeOrder(`null`, &o))
	require.Equal(t, apiOrder{items: o.items[:0], dec: o.dec}, o)
}

// The nesting limit is encoding/json's: an order with 10,000 levels of
// nesting (itself included) decodes, one more level is refused, in any
// field, as encoding/json refuses it.
func TestDecodeOrderDepthLimit(t *testing.T) {
	for _, levels := range []int{10000, 10001} {
		inner := levels - 1
		for _, s := range []string{
			`{"id":"1","x":` + strings.Repeat("[", inner) + strings.Repeat("]", inner) + `}`,
			`{"id":"1","payment":` + strings.Repeat(`{"a":`, inner-1) + "{}" + strings.Repeat("}", inner-1) + `}`,
			`{"id":"1","line_items":[` + strings.Repeat("[", inner-1) + strings.Repeat("]", inner-1) + `]}`,
		} {
			require.Equal(t, levels <= 10000, json.Valid([]byte(s)))
			var o apiOrder
			err := decodeOrder(s, &o)
			if levels <= 10000 {
				require.NoError(t, err)
			} else {
				require.ErrorContains(t, err, "nested too deeply")
			}
		}
	}
}
