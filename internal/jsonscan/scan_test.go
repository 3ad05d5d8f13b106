package jsonscan

import (
	"encoding/json"
	"errors"
	"math/bits"
	"math/rand"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// firstStopByte is the index of the first byte of b that ends a string's
// plain run (strStop, written plainly), or 8.
func firstStopByte(b [8]byte) int {
	for i, c := range b {
		if c == '"' || c == '\\' || c < ' ' {
			return i
		}
	}
	return 8
}

// firstStop is the same from stopMask.
func firstStop(w uint64) int {
	if m := stopMask(w); m != 0 {
		return bits.TrailingZeros64(m) / 8
	}
	return 8
}

// TestStopMask checks the eight-bytes-at-a-time search of the string scan
// against the byte-by-byte rule: every byte value at every position of a
// word of plain bytes, and random words.
func TestStopMask(t *testing.T) {
	word := func(b [8]byte) uint64 {
		return word(string(b[:]))
	}
	plain := [8]byte{'a', 0x7f, ' ', 0x80, 0xff, '!', '#', '['}
	for pos := 0; pos < 8; pos++ {
		for c := 0; c < 256; c++ {
			b := plain
			b[pos] = byte(c)
			if got, want := firstStop(word(b)), firstStopByte(b); got != want {
				t.Fatalf("first stop byte of % x: %d, want %d", b, got, want)
			}
		}
	}
	r := rand.New(rand.NewSource(1))
	for n := 0; n < 200000; n++ {
		var b [8]byte
		for i := range b {
			b[i] = byte(r.Intn(256))
			if r.Intn(4) != 0 { // mostly plain text, some of it non-ASCII
				b[i] = byte(0x20 + r.Intn(0xe0))
			}
		}
		if got, want := firstStop(word(b)), firstStopByte(b); got != want {
			t.Fatalf("first stop byte of % x: %d, want %d", b, got, want)
		}
	}
}

// TestPlainRun checks plainRun (the run of strEnd and Unquote) against the
// byte-by-byte rule, with the ASCII mark, at every length around the word
// size.
func TestPlainRun(t *testing.T) {
	for n := 0; n < 20; n++ {
		for pos := 0; pos <= n; pos++ {
			for _, c := range []byte{'"', '\\', 0, 0x1f, 'x', 0x80, 0xff} {
				b := []byte(strings.Repeat("y", n))
				if pos < n {
					b[pos] = c
				}
				want := 0
				for want < len(b) && !strStop[b[want]] {
					want++
				}
				got, high := plainRun(string(b), 0)
				require.Equal(t, want, got, "%q", b)
				require.Equal(t, strings.ContainsFunc(string(b[:want]), func(r rune) bool { return r >= utf8.RuneSelf }), high&msb != 0, "%q", b)
			}
		}
	}
}

// scanStr reads the JSON string lit with Str, and with RawStr and Unquote.
func scanStr(lit string) (v string, ok bool, raw string, rawOK bool) {
	s := New(lit)
	v, ok = s.Str()
	ok = ok && s.AtEnd()
	s = New(lit)
	text, esc, rawOK := s.RawStr()
	rawOK = rawOK && s.AtEnd()
	if rawOK {
		raw = text
		if esc {
			raw, _ = Unquote(text)
		}
	}
	return v, ok, raw, rawOK
}

// checkStr compares Str, RawStr and Unquote with encoding/json on lit.
func checkStr(t *testing.T, lit string) {
	t.Helper()
	var want string
	wantErr := json.Unmarshal([]byte(lit), &want)
	got, ok, raw, rawOK := scanStr(lit)
	if ok != (wantErr == nil) || (ok && got != want) {
		t.Fatalf("Str %q = %q, %v; encoding/json: %q, %v", lit, got, ok, want, wantErr)
	}
	if rawOK != ok {
		t.Fatalf("RawStr %q: %v, Str: %v", lit, rawOK, ok)
	}
	if !ok {
		return
	}
	// RawStr keeps the text as sent when it has no escapes, invalid UTF-8
	// included; with escapes Unquote decodes it as encoding/json does.
	if text := lit[1 : len(strings.TrimRight(lit, " \t\r\n"))-1]; !strings.Contains(text, `\`) {
		require.Equal(t, text, raw, "RawStr %q", lit)
		u, uok := Unquote(text)
		require.True(t, uok)
		require.Equal(t, want, u, "Unquote %q", text)
	} else {
		require.Equal(t, want, raw, "RawStr + Unquote %q", lit)
	}
}

// TestStrLikeEncodingJSON compares the scanner's strings with
// encoding/json's on strings of every length around the word size, with
// escapes, control characters, non-ASCII and invalid UTF-8 at every
// position.
func TestStrLikeEncodingJSON(t *testing.T) {
	specials := []string{`\"`, `\\`, `\/`, `\b`, `\n`, `\u00e9`, `\u00E9`, `\ud83d\ude00`, `\ud800`, `\udc00`, `\ud800\u0041`, `\ud800\ud800`,
		`\ud800\`, `\u12`, `\x`, "\x01", "\x1f", "\x7f", "é", "\xff", "\xe1\xba", "\xed\xa0\x80", "\x00", `"`, `\`}
	for n := 0; n < 20; n++ {
		base := strings.Repeat("x", n)
		checkStr(t, `"`+base+`"`)
		checkStr(t, `"`+base) // unterminated
		for pos := 0; pos <= n; pos++ {
			for _, sp := range specials {
				checkStr(t, `"`+base[:pos]+sp+base[pos:]+`"`)
			}
		}
	}
}

// TestUnquoteRejects: Unquote refuses text that is not a string's.
func TestUnquoteRejects(t *testing.T) {
	for _, text := range []string{`a"b`, `a\`, `\q`, `\u12`, `\u12g4`, "a\x01", `"`} {
		_, ok := Unquote(text)
		require.False(t, ok, "%q", text)
	}
	for text, want := range map[string]string{``: ``, `abc`: `abc`, `a\nb`: "a\nb", "\xff": "\ufffd", `\ud800`: "\ufffd"} {
		got, ok := Unquote(text)
		require.True(t, ok, "%q", text)
		require.Equal(t, want, got, "%q", text)
	}
}

// TestSmallInt compares SmallInt with strconv.ParseInt on integers of
// every length up to 18 digits, with signs, and on text that is not one.
func TestSmallInt(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	cases := []string{"", "-", "+", "0", "-0", "+5", "00000000", "99999999", "123456789", "999999999999999999", "12345678x",
		"1234567x", "x2345678", "1234 5678", "12345678901234567", "+12345678", "-123456789012345678", "12345\xfa78", "1234567:", "/2345678",
		"1234567890123456789", "-1234567890123456789"}
	for n := 1; n <= 18; n++ {
		for k := 0; k < 200; k++ {
			b := make([]byte, n)
			for i := range b {
				b[i] = byte('0' + r.Intn(10))
			}
			if k%10 == 0 { // one byte that is not a digit
				b[r.Intn(n)] = byte(r.Intn(256))
			}
			cases = append(cases, string(b), "-"+string(b))
		}
	}
	for _, s := range cases {
		got, ok := SmallInt(s)
		digits := strings.TrimLeft(s, "+-")
		want, err := strconv.ParseInt(s, 10, 64)
		wantOK := err == nil && len(digits) <= 18 && len(s)-len(digits) <= 1
		if ok != wantOK || (ok && got != want) {
			t.Fatalf("SmallInt(%q) = %d, %v; strconv: %d, %v", s, got, ok, want, err)
		}
	}
}

// TestSmallIntEveryByte puts every byte value at every position of
// integers of 1 to 18 digits and compares with strconv.ParseInt.
func TestSmallIntEveryByte(t *testing.T) {
	for n := 1; n <= 18; n++ {
		for pos := 0; pos < n; pos++ {
			for c := 0; c < 256; c++ {
				b := []byte("987654321098765432"[:n])
				b[pos] = byte(c)
				s := string(b)
				got, ok := SmallInt(s)
				want, err := strconv.ParseInt(s, 10, 64)
				wantOK := err == nil && s[0] != '+' && s[0] != '-'
				if pos == 0 && (c == '+' || c == '-') {
					wantOK = err == nil // a sign, then n-1 digits
				}
				if ok != wantOK || (ok && got != want) {
					t.Fatalf("SmallInt(%q) = %d, %v; strconv: %d, %v", s, got, ok, want, err)
				}
			}
		}
	}
}

// TestDigits checks the eight-bytes-at-a-time digit run against the
// byte-by-byte rule: every byte value at every position.
func TestDigits(t *testing.T) {
	for n := 0; n < 20; n++ {
		for pos := 0; pos <= n; pos++ {
			for c := 0; c < 256; c++ {
				b := []byte(strings.Repeat("7", n))
				if pos < n {
					b[pos] = byte(c)
				}
				want := 0
				for want < len(b) && b[want] >= '0' && b[want] <= '9' {
					want++
				}
				if got := digits(string(b), 0); got != want {
					t.Fatalf("digits(%q) = %d, want %d", b, got, want)
				}
			}
		}
	}
}

// TestValidUTF8 compares validUTF8 with utf8.ValidString on sequences
// around the inline cases and on random bytes.
func TestValidUTF8(t *testing.T) {
	cases := []string{"", "a", "Bùi Bảo Trang", "\xc2\x80", "\xdf\xbf", "\xc1\xbf", "\xc2", "\xc2A", "\xe0\x80\x80", "\xe0\xa0\x80",
		"\xed\xa0\x80", "\xed\x9f\xbf", "\xe1\x80\x80", "\xec\xbf\xbf", "\xe1\x80", "\xe1\x80A", "\xe1A\x80", "\xef\xbf\xbf",
		"\xf0\x9f\x8e\x89", "\xf4\x90\x80\x80", "\xff", "\x80"}
	r := rand.New(rand.NewSource(3))
	for n := 0; n < 20000; n++ {
		b := make([]byte, r.Intn(8))
		for i := range b {
			b[i] = byte(r.Intn(256))
			if r.Intn(2) == 0 {
				b[i] = byte(0x80 + r.Intn(0x40)) // continuation bytes
			}
		}
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		if got, want := validUTF8(s), utf8.ValidString(s); got != want {
			t.Fatalf("validUTF8(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestValueIntegerFastPath compares Value's own reading of integers with
// Number's on numbers of every shape followed by every kind of byte: the
// same text, the same position after it, the same failure.
func TestValueIntegerFastPath(t *testing.T) {
	r := rand.New(rand.NewSource(8))
	nums := []string{"0", "7", "10", "01", "00", "0.5", "0e1", "0E+2", "5.", "5e", "5e+", "5.e3", "12345678", "123456789012",
		"1.25", "9e9", "-0", "-12", "0x1", "1_000", "1.234567890123", "1e123456789"}
	for i := 0; i < 300; i++ {
		nums = append(nums, strconv.FormatUint(r.Uint64()>>uint(r.Intn(64)), 10))
	}
	for _, n := range nums {
		for c := 0; c < 256; c++ {
			for _, in := range []string{n, n + string(rune(c)), n + string([]byte{byte(c)}) + "1,"} {
				fast := New(in)
				v, ok := fast.Value()
				ref := New(in)
				want, wantOK := ref.Number()
				if ok != wantOK || (ok && (v.Text() != want || v.Kind() != Number || fast.Pos() != ref.Pos())) {
					t.Fatalf("Value(%q) = %q %v at %d; Number: %q %v at %d", in, v.Text(), ok, fast.Pos(), want, wantOK, ref.Pos())
				}
			}
		}
	}
}

// kt is a Value as its kind and text, for comparisons (a Value holds a
// pointer).
type kt struct {
	K Kind
	T string
}

func kindText(v Value) kt { return kt{v.Kind(), v.Text()} }

// TestValueKinds: each kind of value, with whitespace around it.
func TestValueKinds(t *testing.T) {
	for in, want := range map[string]kt{
		` "a\tb" `:       {String, "a\tb"},
		"\t-1.5e+3 ":     {Number, "-1.5e+3"},
		`true`:           {K: True},
		` false`:         {K: False},
		"\nnull\r":       {K: Null},
		` {"a": [1, 2]}`: {Object, `{"a": [1, 2]}`},
		` [ ] `:          {Array, `[ ]`},
	} {
		s := New(in)
		v, ok := s.Value()
		require.True(t, ok, "%q: %v", in, s.Err())
		require.Equal(t, want, kindText(v), "%q", in)
		require.True(t, s.AtEnd(), "%q", in)
	}
	for _, in := range []string{``, ` `, `tru`, `nul`, `falsy`, `-`, `+1`, `.5`, `1.`, `1e`, `"abc`, `{`, `[1,]`, `{"a":}`, `}`, `x`, "\x00"} {
		s := New(in)
		_, ok := s.Value()
		if ok {
			ok = s.AtEnd()
		}
		require.False(t, ok, "%q", in)
	}
	require.Equal(t, "string", String.String())
	require.Equal(t, kt{}, kindText(Value{}))
	require.Equal(t, None, Value{}.Kind())
	require.Equal(t, kt{String, "x"}, kindText(MakeValue(String, "x")))
	require.Equal(t, "Kind(99)", Kind(99).String())
}

// TestSyntaxError: a failure names its offset, is kept, and the first one
// wins.
func TestSyntaxError(t *testing.T) {
	s := New(`{"a":1,"b":tru}`)
	require.False(t, s.Skip())
	var se *SyntaxError
	require.True(t, errors.As(s.Err(), &se))
	require.Equal(t, 11, se.Offset)
	require.Equal(t, "invalid JSON at offset 11: bad literal", se.Error())
	s.fail("later")
	require.Equal(t, "bad literal", s.Err().(*SyntaxError).Msg)
	s.Reset(`1`)
	require.NoError(t, s.Err())

	for in, msg := range map[string]string{
		`{"a" 1}`: "expected : after a key", `{"a":1 "b":2}`: "expected , or } after an object member", `{1:2}`: "expected a key",
		`[1 2]`: "expected , or ] after an array element", `"a` + "\x01" + `"`: "bad string", `"abc`: "bad string",
		`-x`: "bad number", `x`: "expected a value",
	} {
		s := New(in)
		require.False(t, s.Skip() && s.AtEnd(), "%q", in)
		require.Equal(t, msg, s.Err().(*SyntaxError).Msg, "%q", in)
	}
}

// TestDepthLimit: MaxDepth levels of objects and arrays are read, one more
// is refused, as encoding/json does, by every way of reading a value.
func TestDepthLimit(t *testing.T) {
	nest := func(n int, obj bool) string {
		if obj {
			return strings.Repeat(`{"k":`, n-1) + "{}" + strings.Repeat("}", n-1)
		}
		return strings.Repeat("[", n) + strings.Repeat("]", n)
	}
	for _, obj := range []bool{false, true} {
		for _, n := range []int{MaxDepth - 1, MaxDepth, MaxDepth + 1, 3 * MaxDepth} {
			in := nest(n, obj)
			want := json.Valid([]byte(in))
			require.Equal(t, n <= MaxDepth, want)
			s := New(in)
			require.Equal(t, want, s.Skip() && s.AtEnd(), "Skip, %d levels", n)
			s = New(in)
			_, ok := s.Value()
			require.Equal(t, want, ok, "Value, %d levels", n)
			// The walkers count their own level: one less inside.
			s = New(`[` + in + `]`)
			ok = s.Elements(func(int) bool { return s.Skip() })
			require.Equal(t, n < MaxDepth, ok, "Elements, %d+1 levels", n)
			s = New(`{"a":` + in + `}`)
			it := s.Object(nil, nil)
			for it.Next() {
				s.Skip()
			}
			require.Equal(t, n < MaxDepth, s.Err() == nil, "Object, %d+1 levels", n)
			require.Equal(t, 0, s.Depth()*boolInt(s.Err() == nil))
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestIterators: the walkers on empty and filled values, a value left
// unread, and a read after the end.
func TestIterators(t *testing.T) {
	s := New(` [ 1 , "x" , [ ] , { } ] `)
	var got []kt
	a := s.Array()
	for a.Next() {
		require.Equal(t, len(got), a.Index())
		v, ok := s.Value()
		require.True(t, ok)
		got = append(got, kindText(v))
	}
	require.NoError(t, s.Err())
	require.Equal(t, []kt{{Number, "1"}, {String, "x"}, {Array, "[ ]"}, {Object, "{ }"}}, got)
	require.False(t, a.Next())
	require.True(t, s.AtEnd())

	s = New(`{ "a" : 1 , "b\u0021" : { "c" : [ ] } }`)
	var keys []string
	require.True(t, s.Members(func(key string) bool {
		keys = append(keys, key)
		return s.Skip()
	}))
	require.Equal(t, []string{"a", "b!"}, keys)

	// A member whose value the caller does not read: the next call fails
	// where the value starts.
	s = New(`{"a":1,"b":2}`)
	it := s.Object(nil, nil)
	require.True(t, it.Next())
	require.False(t, it.Next())
	require.Error(t, s.Err())

	// A callback that stops the walk fails it.
	s = New(`[1,2]`)
	require.False(t, s.Elements(func(int) bool { return false }))
	require.Equal(t, "array element not read", s.Err().(*SyntaxError).Msg)
	s = New(`{"a":1}`)
	require.False(t, s.Members(func(string) bool { return false }))

	// Not an object or array.
	for _, in := range []string{`[]`, `1`, ``} {
		s = New(in)
		it := s.Object(nil, nil)
		require.False(t, it.Next(), "%q", in)
		require.Error(t, s.Err(), "%q", in)
	}
	s = New(`{}`)
	a = s.Array()
	require.False(t, a.Next())
	require.Error(t, s.Err())
}

// TestNewBytes: a scanner over bytes reads them in place.
func TestNewBytes(t *testing.T) {
	b := []byte(`{"k":"v"}`)
	s := NewBytes(b)
	require.True(t, s.Members(func(key string) bool {
		require.Equal(t, "k", key)
		v, ok := s.Str()
		require.Equal(t, "v", v)
		return ok
	}))
	require.True(t, NewBytes(nil).AtEnd())
}
