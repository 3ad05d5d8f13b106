package jsonscan

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The fuzz targets hold the scanner to encoding/json: it accepts exactly
// the texts encoding/json accepts, reads the same strings, numbers, keys
// and values, never panics, and stops at encoding/json's nesting limit.
// Run one with, for example:
//
//	go test ./internal/jsonscan -run '^$' -fuzz '^FuzzValue$' -fuzztime 30s

var fuzzSeeds = []string{
	`{"order_sn":"2507A","total":1.5e3,"items":[{"id":1,"name":"Bùi Bảo \"Trang\""},null,true,false],"x":{}}`,
	`{"ID":"x","Id":"y","ſku":1,"\u212a":2,"\u0069d":"k","a":1,"a":2}`,
	`[1,-0,0.5,-1.5E+10,1e700,"\ud83d\ude00\ud800x\udc00\ud800\u0041\u00e9\"\\\/\b\f\n\r\t` + "\xff\xe2\x82" + `"]`,
	` { "a" : [ ] , "b" : { } } `, `"abc`, `{"a":1,}`, `[1,]`, `01`, `1.`, `-`, `tru`, `{"a" 1}`, `{1:2}`, "\"\x01\"", `"\q"`,
	`{"a":1} x`, `nul`, ``, `{"":null}`, `"\u12"`, `[[[[[[]]]]]]`,
}

// tree reads any value into the tree encoding/json builds with UseNumber:
// objects as maps (the last duplicate key wins), arrays as slices, numbers
// as json.Number.
func tree(s *Scanner) (any, bool) {
	switch s.Lookahead() {
	case '{':
		m := map[string]any{}
		it := s.Object(nil, nil)
		for it.Next() {
			v, ok := tree(s)
			if !ok {
				return nil, false
			}
			m[it.Key()] = v
		}
		return m, s.Err() == nil
	case '[':
		l := []any{}
		it := s.Array()
		for it.Next() {
			v, ok := tree(s)
			if !ok {
				return nil, false
			}
			l = append(l, v)
		}
		return l, s.Err() == nil
	}
	v, ok := s.Value()
	switch v.Kind() {
	case String:
		return v.Text(), ok
	case Number:
		return json.Number(v.Text()), ok
	case True, False:
		return v.Kind() == True, ok
	}
	return nil, ok
}

func stdTree(data string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if !json.Valid([]byte(data)) { // data after the value
		return nil, &SyntaxError{Msg: "data after the value"}
	}
	return v, nil
}

// FuzzValue: every way of reading a whole text agrees with encoding/json:
// Skip, Value and a tree built with the walkers accept exactly the valid
// texts (with nothing but whitespace after the value), Value's text of an
// object or array is the text itself, and the tree equals encoding/json's.
func FuzzValue(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		want, stdErr := stdTree(data)
		valid := stdErr == nil
		s := New(data)
		skipped := s.Skip()
		require.Equal(t, valid, skipped && s.AtEnd(), "Skip %q", data)
		require.Equal(t, skipped, s.Err() == nil, "Skip %q", data)
		require.Equal(t, valid, Valid([]byte(data)), "Valid %q", data)
		s = New(data)
		v, ok := s.Value()
		require.Equal(t, valid, ok && s.AtEnd(), "Value %q", data)
		s = New(data)
		got, ok := tree(s)
		require.Equal(t, valid, ok && s.AtEnd(), "tree %q", data)
		require.Zero(t, s.Depth()*boolInt(ok))
		if !valid {
			return
		}
		require.Equal(t, want, got, "%q", data)
		switch v.Kind() {
		case Object, Array:
			require.Equal(t, strings.Trim(data, " \t\r\n"), v.Text())
		}
	})
}

// FuzzStr: Str reads a JSON string exactly as encoding/json; RawStr
// accepts the same strings and keeps their text, which Unquote decodes as
// encoding/json.
func FuzzStr(f *testing.F) {
	for _, s := range []string{`"abc"`, `"Bùi Bảo Trang, Phường 12"`, `"a\"b\\c\u00e9\ud83d\ude00"`, "\"12345678\x01\"", "\"\xff\xfe\"", `"abcdefgh`,
		`"\ud800\u0041"`, `"\ud800\`, `"x\/y"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, lit string) {
		if !strings.HasPrefix(lit, `"`) {
			lit = `"` + lit
		}
		checkStr(t, lit)
	})
}

// FuzzUnquote: Unquote decodes any text as encoding/json decodes it between
// quotes, and refuses the texts encoding/json refuses.
func FuzzUnquote(f *testing.F) {
	for _, s := range []string{`a\u0026b`, `\ud83d\ude00`, `\ud800`, `\udc00\ud800x`, `\ud800\u0041`, `\ud800\`, `é\n` + "\xff\xc3", `\"\\\/\b\f\r\t`, `a"b`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		var want string
		err := json.Unmarshal([]byte(`"`+text+`"`), &want)
		got, ok := Unquote(text)
		require.Equal(t, err == nil, ok, "%q: %v", text, err)
		if ok {
			require.Equal(t, want, got, "%q", text)
		}
	})
}

// FuzzNumber: Number reads exactly the numbers encoding/json reads, with
// the same literal.
func FuzzNumber(f *testing.F) {
	for _, s := range []string{"0", "-0", "12", "-1.5e+3", "1E-7", "01", "1.", ".5", "-", "+1", "1e", "1e+", "0x1", "1e700", " 7 ", "123456789012345678901234567890"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, lit string) {
		want, err := stdTree(lit)
		n, isNum := want.(json.Number)
		s := New(lit)
		got, ok := s.Number()
		ok = ok && s.AtEnd()
		require.Equal(t, err == nil && isNum, ok, "%q", lit)
		if ok {
			require.Equal(t, string(n), got)
		}
	})
}

// lowerFields and mixedFields are structs whose fields encoding/json
// matches without regard to case, as Keys made with fold match.
type lowerFields struct {
	ID      json.RawMessage `json:"id"`
	OrderSN json.RawMessage `json:"order_sn"`
	K       json.RawMessage `json:"k"`
	S       json.RawMessage `json:"s"`
	Long    json.RawMessage `json:"a_rather_long_key_name_beyond_the_pattern"`
}

type mixedFields struct {
	Name json.RawMessage `json:"Name"`
	Low  json.RawMessage `json:"id"`
	Up   json.RawMessage `json:"ID"`
	A    json.RawMessage `json:"Àb"`
}

var (
	lowerKeys = NewKeys([]string{"id", "order_sn", "k", "s", "a_rather_long_key_name_beyond_the_pattern"}, true)
	mixedKeys = NewKeys([]string{"Name", "id", "ID", "Àb"}, true)
	exactKeys = NewKeys([]string{"id", "order_sn", "k", "s", "a_rather_long_key_name_beyond_the_pattern", "Name", "ID", "Àb"}, false)
)

// readKeys reads the object in data with keys (and g), keeping the raw
// text of the last value of each key.
func readKeys(data string, keys *Keys, g *Guesses) ([]string, bool) {
	s := New(data)
	raw := make([]string, keys.Len())
	it := s.Object(keys, g)
	for it.Next() {
		s.Lookahead()
		start := s.Pos()
		if !s.Skip() {
			return nil, false
		}
		if n := it.Index(); n >= 0 {
			raw[n] = data[start:s.Pos()]
		}
	}
	return raw, !s.Failed() && s.AtEnd()
}

// readFields reads the object in data with Fields: the first half of the
// keys into slots, the raw text of the others by the callback. It returns
// the text of each key's value as readKeys does (a slot's value is read
// again from that text).
func readFields(data string, keys *Keys, g *Guesses) ([]string, []kt, bool) {
	s := New(data)
	vals := make([]Value, keys.Len()/2)
	raw := make([]string, keys.Len())
	members := 0
	n, ok := Fields(s, keys, g, vals, func(n int, key string) bool {
		members++
		s.Lookahead()
		start := s.Pos()
		if !s.Skip() {
			return false
		}
		if n >= 0 {
			if keys.Match(key) != n {
				panic("Fields: key " + key + " is not the key of its number")
			}
			raw[n] = data[start:s.Pos()]
		}
		return true
	})
	if n < members {
		panic("Fields counted fewer members than it handed out")
	}
	got := make([]kt, len(vals))
	for i, v := range vals {
		got[i] = kindText(v)
	}
	return raw, got, ok && s.AtEnd()
}

// slotsOf is what Fields should have read into the slots of the keys whose
// raw values are raw.
func slotsOf(raw []string, n int) []kt {
	got := make([]kt, n)
	for i := range got {
		if raw[i] != "" {
			v, _ := New(raw[i]).Value()
			got[i] = kindText(v)
		}
	}
	return got
}

// FuzzObjectKeys: reading an object with Keys finds, for each key, the
// value encoding/json finds: into a struct for keys that fold (its field
// matching), into a map for exact keys; by the walker and by Fields.
// Guesses trained on earlier objects (the same object, a typical one)
// change nothing.
func FuzzObjectKeys(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Add(`{"id":1,"order_sn":"a","k":2,"s":3,"a_rather_long_key_name_beyond_the_pattern":4,"Name":5,"ID":6,"Àb":7}`)
	f.Add(`{"Id":1,"ORDER_SN":"a","K":2,"S":3,"A_RATHER_LONG_KEY_NAME_BEYOND_THE_PATTERN":4,"name":5,"id":6,"àB":7,"ìd":8}`)
	typical := `{"id":1,"order_sn":"a","k":2,"s":3,"a_rather_long_key_name_beyond_the_pattern":4,"Name":5,"ID":6,"Àb":7}`
	var gl, gm, ge Guesses // trained across inputs, as a decoder's are
	f.Fuzz(func(t *testing.T, data string) {
		if !json.Valid([]byte(data)) || !strings.HasPrefix(strings.TrimLeft(data, " \t\r\n"), "{") {
			for _, k := range []*Keys{lowerKeys, mixedKeys, exactKeys} {
				_, ok := readKeys(data, k, nil)
				require.False(t, ok, "%q", data)
				_, _, ok = readFields(data, k, nil)
				require.False(t, ok, "Fields %q", data)
			}
			return
		}
		var lw lowerFields
		require.NoError(t, json.Unmarshal([]byte(data), &lw))
		var mw mixedFields
		require.NoError(t, json.Unmarshal([]byte(data), &mw))
		var ew map[string]json.RawMessage
		require.NoError(t, json.Unmarshal([]byte(data), &ew))
		wants := [][]string{
			{string(lw.ID), string(lw.OrderSN), string(lw.K), string(lw.S), string(lw.Long)},
			{string(mw.Name), string(mw.Low), string(mw.Up), string(mw.A)},
			nil,
		}
		for i := range exactKeys.Len() {
			wants[2] = append(wants[2], string(ew[exactKeys.Name(i)]))
		}
		for i, k := range []*Keys{lowerKeys, mixedKeys, exactKeys} {
			g := []*Guesses{&gl, &gm, &ge}[i]
			for _, in := range []string{data, typical, data, data} {
				got, ok := readKeys(in, k, g)
				require.True(t, ok, "%q", in)
				raw, slots, ok := readFields(in, k, g)
				require.True(t, ok, "Fields %q", in)
				if in == data {
					require.Equal(t, wants[i], got, "keys %v, %q", k.names, data)
					half := k.Len() / 2
					require.Equal(t, wants[i][half:], raw[half:], "Fields, keys %v, %q", k.names, data)
					require.Equal(t, slotsOf(wants[i], half), slots, "Fields, keys %v, %q", k.names, data)
				}
			}
		}
	})
}

// FuzzDepth: nesting around any text is read to exactly encoding/json's
// limit, with no more recursion than that.
func FuzzDepth(f *testing.F) {
	f.Add(uint16(MaxDepth), "1", false)
	f.Add(uint16(MaxDepth-1), `{"a":[]}`, true)
	f.Add(uint16(MaxDepth), `[]`, true)
	f.Fuzz(func(t *testing.T, n uint16, inner string, obj bool) {
		depth := int(n) % (MaxDepth + 20)
		open, close := "[", "]"
		if obj {
			open, close = `{"k":`, "}"
		}
		data := strings.Repeat(open, depth) + inner + strings.Repeat(close, depth)
		valid := json.Valid([]byte(data))
		s := New(data)
		require.Equal(t, valid, s.Skip() && s.AtEnd(), "%d levels around %q", depth, inner)
		s = New(data)
		_, ok := tree(s)
		require.Equal(t, valid, ok && s.AtEnd(), "%d levels around %q", depth, inner)
	})
}
