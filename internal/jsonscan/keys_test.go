package jsonscan

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// matchPlain is keyPat.match written plainly: the key, its closing quote
// and a colon at i, with at least maxPat bytes left for a short pattern.
func matchPlain(key, d string, i int) int {
	p := key + `":`
	if len(d)-i < len(p) || len(p) <= maxPat && len(d)-i < maxPat || !strings.HasPrefix(d[i:], p) {
		return -1
	}
	return i + len(p)
}

// TestKeyPatMatch checks the word compare of guessed keys against the plain
// rule for keys of every length up to beyond the pattern size: the key
// itself, every one-byte change at every position of its pattern, the key
// cut short or extended, whitespace before the colon, and too little input
// left.
func TestKeyPatMatch(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	pad := strings.Repeat("x", 40)
	var keys []string
	for n := 1; n <= maxPat+4; n++ {
		keys = append(keys, strings.Repeat("k", n-1)+string(rune('a'+n%26)))
	}
	keys = append(keys, "order_sn", "é_key")
	for _, key := range keys {
		p := newKeyPat(key)
		require.Equal(t, len(key)+2, p.n, key)
		check := func(d string, i int) {
			t.Helper()
			require.Equal(t, matchPlain(key, d, i), p.match(key, d, i), "key %q input %q at %d", key, d, i)
		}
		for _, tail := range []string{pad, "1,", "", `"x":1}` + pad} {
			check(`{"`+key+`":`+tail, 2)
			check(`{"`+key+`" :`+tail, 2)
			check(`{"`+key+`x":`+tail, 2)
			check(`{"`+key[:len(key)-1]+`":`+tail, 2)
			check(`{"`+key+`\u0000":`+tail, 2)
		}
		in := []byte(key + `":` + pad)
		for pos := 0; pos < len(key)+2; pos++ {
			for _, c := range []byte{'"', '\\', ':', ' ', 0, 0x80, 0xff, in[pos] ^ 0x20, in[pos] + 1, byte(r.Intn(256))} {
				b := append([]byte(nil), in...)
				b[pos] = c
				check(string(b), 0)
			}
		}
		for n := 0; n <= len(in); n++ { // too little input left
			check(string(in[:n]), 0)
		}
	}
	// A key that could end early in the input has no pattern.
	for _, key := range []string{`a"b`, `a\b`, "a\x01", "a\xff"} {
		p := newKeyPat(key)
		require.Zero(t, p.n, "%q", key)
		require.Equal(t, -1, p.match(key, key+`":`+pad, 0))
	}
}

// member is what a walk of an object saw of one member.
type member struct {
	Index int
	Key   string
	Value kt
}

func walk(t *testing.T, in string, keys *Keys, g *Guesses) ([]member, error) {
	t.Helper()
	s := New(in)
	var got []member
	it := s.Object(keys, g)
	for it.Next() {
		v, ok := s.Value()
		if !ok {
			break
		}
		got = append(got, member{it.Index(), it.Key(), kindText(v)})
	}
	return got, s.Err()
}

// TestGuessesNearMisses trains the guesses on an object, then reads the
// same object with one key changed into a near miss of its guess: renamed
// by one byte, cut, extended, escaped, with whitespace around the colon,
// or at the end of the input. Every read must see what a read without
// guesses sees.
func TestGuessesNearMisses(t *testing.T) {
	names := []string{"order_sn", "a", "item_list", "x_rather_long_key_name_beyond_the_pattern", "buyer_user_id", "é_key", "Z"}
	for _, fold := range []bool{false, true} {
		keys := NewKeys(names, fold)
		var b strings.Builder
		b.WriteString("{")
		for i, k := range names {
			fmt.Fprintf(&b, `"%s":%d,"unknown_%d":"u",`, k, i, i)
		}
		base := strings.TrimSuffix(b.String(), ",") + "}"
		var g Guesses
		for _, k := range names {
			last := k[len(k)-1]
			for _, repl := range []string{
				`"` + k[:len(k)-1] + string(last^0x20) + `":`,
				`"` + k[:len(k)-1] + `":`,
				`"` + k + `_x":`,
				`"` + k[:len(k)-1] + fmt.Sprintf(`\u%04x`, last) + `":`,
				`"` + k + `" :`,
				`"` + k + "\":\n ",
			} {
				in := strings.Replace(base, `"`+k+`":`, repl, 1)
				for _, d := range []string{base, in, base, in[:len(in)/2], base} { // trained, the miss, trained again, cut
					want, wantErr := walk(t, d, keys, nil)
					got, err := walk(t, d, keys, &g)
					require.Equal(t, want, got, "key %q as %q in %q", k, repl, d)
					require.Equal(t, wantErr, err)
				}
			}
		}
		// The guesses were right for the base object.
		got, err := walk(t, base, keys, &g)
		require.NoError(t, err)
		require.Len(t, got, 2*len(names))
	}
}

// TestKeysMatch: exact and folded matching, and the keys NewKeys refuses.
func TestKeysMatch(t *testing.T) {
	exact := NewKeys([]string{"id", "order_sn"}, false)
	require.Equal(t, 2, exact.Len())
	require.Equal(t, "order_sn", exact.Name(1))
	require.Equal(t, 1, exact.Match("order_sn"))
	require.Equal(t, -1, exact.Match("ORDER_SN"))
	require.Equal(t, -1, exact.Match(""))

	lower := NewKeys([]string{"id", "sku", "k"}, true)
	for key, want := range map[string]int{"id": 0, "ID": 0, "iD": 0, "SKU": 1, "ſku": 1, "\u212a": 2, "K": 2, "kk": -1, "x": -1, "": -1,
		strings.Repeat("A", 70): -1} {
		require.Equal(t, want, lower.Match(key), "%q", key)
	}
	mixed := NewKeys([]string{"Name", "id", "ID", "Àb"}, true)
	for key, want := range map[string]int{"name": 0, "NAME": 0, "id": 1, "ID": 2, "Id": 1, "àB": 3, "ÀB": 3, "ab": -1} {
		require.Equal(t, want, mixed.Match(key), "%q", key)
	}
	require.Panics(t, func() { NewKeys([]string{""}, false) })
	require.Panics(t, func() { NewKeys([]string{"a", "a"}, false) })
	require.True(t, utf8.ValidString(foldName("\xffa")))
}

// TestGuessesStartOver: Guesses used with other keys forget the first.
func TestGuessesStartOver(t *testing.T) {
	a, b := NewKeys([]string{"x", "y"}, false), NewKeys([]string{"y", "x", "z"}, false)
	var g Guesses
	for range 3 {
		for _, k := range []*Keys{a, b} {
			got, err := walk(t, `{"x":1,"y":2,"z":3,"x":4}`, k, &g)
			require.NoError(t, err)
			want, _ := walk(t, `{"x":1,"y":2,"z":3,"x":4}`, k, nil)
			require.Equal(t, want, got)
			require.Len(t, g.next, k.Len()+1)
		}
	}
}

// TestFields: slots filled, the others handed out or skipped, duplicates,
// absent keys, and the failures.
func TestFields(t *testing.T) {
	keys := NewKeys([]string{"a", "b", "c"}, false)
	vals := []Value{MakeValue(String, "kept"), {}}
	var others []string
	s := New(` { "b" : 1 , "x" : [ 2 ] , "c" : { } , "b" : "2" } `)
	n, ok := Fields(s, keys, nil, vals, func(n int, key string) bool {
		others = append(others, fmt.Sprintf("%d %s", n, key))
		return s.Skip()
	})
	require.True(t, ok, "%v", s.Err())
	require.Equal(t, 4, n)
	require.True(t, s.AtEnd())
	require.Equal(t, []kt{{String, "kept"}, {String, "2"}}, []kt{kindText(vals[0]), kindText(vals[1])})
	require.Equal(t, []string{"-1 x", "2 c"}, others)

	s = New(`{"c":1,"x":{"y":[]}}`)
	n, ok = Fields(s, keys, nil, vals, nil)
	require.True(t, ok)
	require.Equal(t, 2, n)
	n, ok = Fields(New(`{}`), keys, nil, vals, nil)
	require.True(t, ok)
	require.Zero(t, n)

	for in, msg := range map[string]string{
		`[]`: "expected an object", `{"a":}`: "expected a value", `{"c":1}`: "object member not read", `{"a":1,}`: "expected a key",
		`{"a":1 "b":2}`: "expected , or } after an object member", `{"a" 1}`: "expected : after a key",
	} {
		s := New(in)
		_, ok := Fields(s, keys, nil, vals, func(int, string) bool { return false })
		require.False(t, ok, "%q", in)
		require.Equal(t, msg, s.Err().(*SyntaxError).Msg, "%q", in)
	}
	// The object at the nesting limit is read, one level deeper is not.
	for _, arrays := range []int{MaxDepth - 1, MaxDepth} {
		s = New(strings.Repeat("[", arrays) + `{"a":1}` + strings.Repeat("]", arrays))
		var in func(level int) bool
		in = func(level int) bool {
			if level == arrays {
				_, ok := Fields(s, keys, nil, vals, nil)
				return ok
			}
			return s.Elements(func(int) bool { return in(level + 1) })
		}
		require.Equal(t, arrays < MaxDepth, in(0), "%d arrays", arrays)
	}
}
