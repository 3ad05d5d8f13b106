package shopee

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
)

// parseDetailRef and detailKeyRef are parseDetail and detailKey as they
// were written with encoding/json: the reference the one-pass versions are
// held to.
func parseDetailRef(raw, warning json.RawMessage) (Detail, error) {
	var d Detail
	if len(warning) > 0 && !isNull(warning) {
		var ws []string
		if json.Unmarshal(warning, &ws) == nil {
			d.Warning = ws
		} else {
			d.Warning = []string{string(warning)}
		}
	}
	if isNull(raw) {
		return d, errors.New("response is null")
	}
	var r struct {
		OrderList *[]json.RawMessage `json:"order_list"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return d, fmt.Errorf("response: %w", err)
	}
	if r.OrderList == nil {
		return d, errors.New("response.order_list is missing or null")
	}
	for i, o := range *r.OrderList {
		key, err := detailKeyRef(o)
		if err != nil {
			d.Malformed = append(d.Malformed, MalformedRecord{Index: i, Data: o, Err: err})
			continue
		}
		d.Orders = append(d.Orders, o)
		d.Keys = append(d.Keys, key)
	}
	return d, nil
}

func detailKeyRef(raw json.RawMessage) (string, error) {
	var k struct {
		OrderSN json.RawMessage `json:"order_sn"`
	}
	if err := json.Unmarshal(raw, &k); err != nil {
		return "", fmt.Errorf("the record is not a JSON object: %w", err)
	}
	var s string
	if err := json.Unmarshal(k.OrderSN, &s); err == nil && s != "" {
		return s, nil
	}
	var n json.Number
	if err := json.Unmarshal(k.OrderSN, &n); err == nil && n != "" {
		return n.String(), nil
	}
	what := "is missing"
	switch t := bytes.TrimSpace(k.OrderSN); {
	case len(t) == 0:
	case t[0] == '{':
		what = "is an object"
	case t[0] == '[':
		what = "is a list"
	case t[0] == 't' || t[0] == 'f':
		what = "is a boolean"
	case t[0] == 'n':
		what = "is null"
	default:
		what = "is empty"
	}
	return "", fmt.Errorf("field order_sn %s, not a string", what)
}

// The one-pass parseDetail accepts and refuses what the encoding/json one
// did, with the same orders, keys, malformed records (and their reasons,
// but for the wording of a record that is not an object) and warnings.
func FuzzParseDetailMatchesEncodingJSON(f *testing.F) {
	for _, s := range [][2]string{
		{`{"order_list":[{"order_sn":"2510A","item_list":[]},{"order_sn":"2510B"}]}`, `["order_sn X not found"]`},
		{`{"order_list":[]}`, ``},
		{`{"order_list":null}`, `null`},
		{`{"order_list":[{"order_sn":"A"}],"order_list":null}`, ``},
		{`{"order_list":null,"ORDER_LIST":[{"Order_SN":"B","order_sn":"A"}]}`, ``},
		{`{"order_list":[{"order_sn":"A","order_sn":"B"},{"ORDER_SN":12},{"order_sn":"\u00e9\ud800"}]}`, ``},
		{`{"order_list":[{"order_sn":123456789012345678901234567890},{"order_sn":-1.5e3}]}`, `"one warning"`},
		{`{"order_list":[{"order_sn":null},{"order_sn":""},{"order_sn":{}},{"order_sn":[]},{"order_sn":true},{}]}`, ``},
		{`{"order_list":[1,"x",null,[],true]}`, `{}`},
		{`{"order_list":{}}`, ``},
		{`{"order_list":[{"order_sn":"A"}]} x`, ``},
		{` { "order_list" : [ { "order_sn" : "A" } , {"order_sn":"B"} ] } `, ``},
		{`[]`, ``},
		{`"x"`, ``},
		{`{"order_list":[{"order_sn":"A"}]`, ``},
		{`{"a":[1,{"b":2}],"order_list":[{"x":{"order_sn":"no"},"order_sn":"yes"}]}`, ``},
	} {
		f.Add([]byte(s[0]), []byte(s[1]))
	}
	f.Fuzz(func(t *testing.T, raw, warning []byte) {
		got, gerr := parseDetail(json.RawMessage(raw), json.RawMessage(warning))
		want, werr := parseDetailRef(json.RawMessage(raw), json.RawMessage(warning))
		if (gerr == nil) != (werr == nil) {
			t.Fatalf("%q: error %v, encoding/json %v", raw, gerr, werr)
		}
		if gerr != nil {
			return
		}
		if !reflect.DeepEqual(got.Keys, want.Keys) || !reflect.DeepEqual(got.Warning, want.Warning) || len(got.Orders) != len(want.Orders) {
			t.Fatalf("%q: keys %q warning %q, encoding/json %q %q", raw, got.Keys, got.Warning, want.Keys, want.Warning)
		}
		for i := range got.Orders {
			if !bytes.Equal(got.Orders[i], want.Orders[i]) {
				t.Fatalf("%q: order %d is %q, encoding/json %q", raw, i, got.Orders[i], want.Orders[i])
			}
			if k, err := detailKey(got.Orders[i]); err != nil || k != got.Keys[i] {
				t.Fatalf("%q: key of order %d: %q %v", raw, i, k, err)
			}
		}
		if len(got.Malformed) != len(want.Malformed) {
			t.Fatalf("%q: %d malformed, encoding/json %d", raw, len(got.Malformed), len(want.Malformed))
		}
		for i, m := range got.Malformed {
			w := want.Malformed[i]
			if m.Index != w.Index || !bytes.Equal(m.Data, w.Data) {
				t.Fatalf("%q: malformed %d: %d %q, encoding/json %d %q", raw, i, m.Index, m.Data, w.Index, w.Data)
			}
			gs, ws := m.Err.Error(), w.Err.Error()
			if gs != ws && !(bytes.HasPrefix([]byte(gs), []byte("the record is not a JSON object")) && bytes.HasPrefix([]byte(ws), []byte("the record is not a JSON object"))) {
				t.Fatalf("%q: malformed %d: %q, encoding/json %q", raw, i, gs, ws)
			}
		}
	})
}
