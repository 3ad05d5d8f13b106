package shopee

import (
	"encoding/json"
	"math/bits"
	"math/rand"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
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

// scanString reads the JSON string lit with the scanner.
func scanString(lit string) (string, bool) {
	s := &scanner{d: lit}
	if s.ws() != '"' {
		return "", false
	}
	v, ok := s.str()
	if ok {
		s.ws()
	}
	return v, ok && s.i == len(lit)
}

// TestScanStringLikeEncodingJSON compares the scanner's strings with
// encoding/json's on strings of every length around the word size, with
// escapes, control characters, non-ASCII and invalid UTF-8 at every
// position.
func TestScanStringLikeEncodingJSON(t *testing.T) {
	specials := []string{`\"`, `\\`, `\n`, `\u00e9`, `\ud83d\ude00`, `\ud800`, "\x01", "\x1f", "é", "\xff", "\xe1\xba", "\x00", `"`, `\`}
	for n := 0; n < 20; n++ {
		base := strings.Repeat("x", n)
		checkScanString(t, `"`+base+`"`)
		checkScanString(t, `"`+base) // unterminated
		for pos := 0; pos <= n; pos++ {
			for _, sp := range specials {
				checkScanString(t, `"`+base[:pos]+sp+base[pos:]+`"`)
			}
		}
	}
}

func checkScanString(t *testing.T, lit string) {
	t.Helper()
	var want string
	wantErr := json.Unmarshal([]byte(lit), &want)
	got, ok := scanString(lit)
	if ok != (wantErr == nil) || (ok && got != want) {
		t.Fatalf("scan %q = %q, %v; encoding/json: %q, %v", lit, got, ok, want, wantErr)
	}
}

// FuzzScanString: the scanner reads a JSON string exactly as encoding/json.
//
//	go test ./shopee -run '^$' -fuzz FuzzScanString -fuzztime 30s
func FuzzScanString(f *testing.F) {
	for _, s := range []string{`"abc"`, `"Bùi Bảo Trang, Phường 12"`, `"a\"b\\c\u00e9\ud83d\ude00"`, "\"12345678\x01\"", "\"\xff\xfe\"", `"abcdefgh`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, lit string) {
		if !strings.HasPrefix(lit, `"`) {
			lit = `"` + lit
		}
		checkScanString(t, lit)
	})
}

// TestSmallInt compares smallInt with strconv.ParseInt on integers of
// every length up to 18 digits, with signs, and on text that is not one.
func TestSmallInt(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	cases := []string{"", "-", "+", "0", "-0", "+5", "00000000", "99999999", "123456789", "999999999999999999", "12345678x",
		"1234567x", "x2345678", "1234 5678", "12345678901234567", "+12345678", "-123456789012345678", "12345\xfa78", "1234567:", "/2345678"}
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
		got, ok := smallInt(s)
		digits := strings.TrimLeft(s, "+-")
		want, err := strconv.ParseInt(s, 10, 64)
		wantOK := err == nil && len(digits) <= 18 && len(s)-len(digits) <= 1
		if ok != wantOK || (ok && got != want) {
			t.Fatalf("smallInt(%q) = %d, %v; strconv: %d, %v", s, got, ok, want, err)
		}
	}
}

// TestSmallIntEveryByte puts every byte value at every position of
// integers of 1 to 18 digits (the two overlapping words of 8-16 digits
// must together check every byte) and compares with strconv.ParseInt.
func TestSmallIntEveryByte(t *testing.T) {
	for n := 1; n <= 18; n++ {
		for pos := 0; pos < n; pos++ {
			for c := 0; c < 256; c++ {
				b := []byte("987654321098765432"[:n])
				b[pos] = byte(c)
				s := string(b)
				got, ok := smallInt(s)
				want, err := strconv.ParseInt(s, 10, 64)
				wantOK := err == nil && s[0] != '+' && s[0] != '-'
				if pos == 0 && (c == '+' || c == '-') {
					wantOK = err == nil // a sign, then n-1 digits
				}
				if ok != wantOK || (ok && got != want) {
					t.Fatalf("smallInt(%q) = %d, %v; strconv: %d, %v", s, got, ok, want, err)
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

// TestValueIntegerFastPath compares value's own reading of integers with
// number's on numbers of every shape followed by every kind of byte: the
// same text, the same position after it, the same failure.
func TestValueIntegerFastPath(t *testing.T) {
	r := rand.New(rand.NewSource(8))
	nums := []string{"0", "7", "10", "01", "00", "0.5", "0e1", "0E+2", "5.", "5e", "5e+", "5.e3", "12345678", "123456789012",
		"1.25", "9e9", "-0", "-12", "0x1", "1_000"}
	for i := 0; i < 300; i++ {
		nums = append(nums, strconv.FormatUint(r.Uint64()>>uint(r.Intn(64)), 10))
	}
	for _, n := range nums {
		for c := 0; c < 256; c++ {
			for _, in := range []string{n, n + string(rune(c)), n + string([]byte{byte(c)}) + "1,"} {
				fast := &scanner{d: in}
				v, ok := fast.value()
				ref := &scanner{d: in}
				want, wantOK := ref.number()
				if ok != wantOK || (ok && (v.raw() != want || v.k != kNumber || fast.i != ref.i)) {
					t.Fatalf("value(%q) = %q %v at %d; number: %q %v at %d", in, v.raw(), ok, fast.i, want, wantOK, ref.i)
				}
			}
		}
	}
}
