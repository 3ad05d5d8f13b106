package shopee

import (
	"errors"
	"math"
	"math/bits"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// One pass over the bytes: an order's JSON is scanned once, by hand, into a
// decoded order (decodedOrder, decode_order.go) that holds, per kind of
// object, the JSON value of every key a column reads. Nothing is converted
// during the scan: a value keeps its JSON kind and its text (the unescaped
// string or the number literal), and the transformer converts it once, by
// column type, with the rules of convert.go (money is parsed as an exact
// decimal, never through float64). Strings and keys without escapes are
// substrings of the order's text, so the scan copies nothing but the order
// itself (once).
//
// The scanner accepts exactly the JSON that encoding/json accepts (the
// transformer before it decoded with json.Decoder): the same grammar, the
// same nesting limit, the same repair of invalid UTF-8 and lone surrogates in
// strings, bytes after the top-level value ignored, and for a key that
// appears twice the last value wins.

// kind is the JSON kind of a decoded value.
type kind uint8

const (
	kAbsent kind = iota // the key is not in the object
	kNull
	kString
	kNumber
	kTrue
	kFalse
	kObject // s is the raw JSON text of the object
	kArray  // s is the raw JSON text of the array
)

// val is one JSON value: its kind and text (the unescaped string, the
// number literal, or the raw JSON of an object or array). The text is kept
// as a pointer and a 32-bit length (decode takes no input of 4 GiB or
// more): 16 bytes instead of a string header and a kind's 24, so the
// decoded values of an order take a third less memory.
type val struct {
	p *byte  // the text's first byte (unsafe.StringData)
	n uint32 // the text's length
	k kind
}

// mkval makes the value of kind k with text s (len(s) < 4 GiB).
func mkval(k kind, s string) val {
	return val{p: unsafe.StringData(s), n: uint32(len(s)), k: k}
}

// raw returns the text of v.
func (v val) raw() string { return unsafe.String(v.p, int(v.n)) }

// maxInput is the largest order decode reads (val's 32-bit lengths).
const maxInput = math.MaxUint32

// maxDepth is encoding/json's nesting limit.
const maxDepth = 10000

var errJSON = errors.New("invalid JSON")

// scanner reads JSON from d, starting at i.
type scanner struct {
	d     string
	i     int
	depth int
	err   error
}

func (s *scanner) fail() bool {
	if s.err == nil {
		s.err = errJSON
	}
	return false
}

// ws skips whitespace and returns the next byte (0 at the end).
func (s *scanner) ws() byte {
	if s.i < len(s.d) && s.d[s.i] > ' ' { // no whitespace: the usual case
		return s.d[s.i]
	}
	return s.wsSlow()
}

func (s *scanner) wsSlow() byte {
	for s.i < len(s.d) {
		switch c := s.d[s.i]; c {
		case ' ', '\n', '\r', '\t':
			s.i++
		default:
			return c
		}
	}
	return 0
}

// enter and leave track the nesting depth.
func (s *scanner) enter() bool {
	s.depth++
	if s.depth > maxDepth {
		return s.fail()
	}
	return true
}

func (s *scanner) leave() { s.depth-- }

// value reads any value. Objects and arrays are validated and returned as
// raw text.
func (s *scanner) value() (val, bool) {
	switch s.ws() {
	case '"':
		str, ok := s.str()
		return mkval(kString, str), ok
	case '{', '[':
		start := s.i
		if !s.skip() {
			return val{}, false
		}
		k := kObject
		if s.d[start] == '[' {
			k = kArray
		}
		return mkval(k, s.d[start:s.i]), true
	case 't':
		return val{k: kTrue}, s.lit("true")
	case 'f':
		return val{k: kFalse}, s.lit("false")
	case 'n':
		return val{k: kNull}, s.lit("null")
	case '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		// An integer without fraction or exponent, the usual number,
		// read here; number reads the rest (and the same integers).
		d, i := s.d, s.i
		j := i + 1
		if d[i] != '0' {
			j = digits(d, j)
		}
		if j >= len(d) || d[j] != '.' && d[j] != 'e' && d[j] != 'E' {
			s.i = j
			return mkval(kNumber, d[i:j]), true
		}
	}
	n, ok := s.number()
	return mkval(kNumber, n), ok
}

func (s *scanner) lit(w string) bool {
	if len(s.d)-s.i < len(w) || s.d[s.i:s.i+len(w)] != w {
		return s.fail()
	}
	s.i += len(w)
	return true
}

// number reads a number literal (JSON grammar).
func (s *scanner) number() (string, bool) {
	d, i := s.d, s.i
	start := i
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i >= len(d):
		return "", s.fail()
	case d[i] == '0':
		i++
	case d[i] >= '1' && d[i] <= '9':
		i = digits(d, i+1)
	default:
		return "", s.fail()
	}
	if i < len(d) && d[i] == '.' {
		i++
		j := i
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
		if i == j {
			return "", s.fail()
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		j := i
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
		if i == j {
			return "", s.fail()
		}
	}
	s.i = i
	return d[start:i], true
}

// validUTF8 is utf8.ValidString with the two- and three-byte sequences of
// Vietnamese text checked inline.
func validUTF8(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c < utf8.RuneSelf:
			i++
		case c >= 0xC2 && c <= 0xDF && i+1 < len(s) && s[i+1]&0xC0 == 0x80:
			i += 2
		case c >= 0xE1 && c <= 0xEC && i+2 < len(s) && s[i+1]&0xC0 == 0x80 && s[i+2]&0xC0 == 0x80:
			i += 3
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				return false
			}
			i += size
		}
	}
	return true
}

// digits returns the index of the first byte from i on that is not a
// decimal digit (or len(d)), eight bytes at a time.
func digits(d string, i int) int {
	for i+8 <= len(d) {
		x := word(d[i:i+8]) ^ ('0' * lsb) // digits become 0-9
		// The top bit of each byte that is not a digit: (x&0x7f)+0x76
		// reaches 0x80 from 10 on and never carries; |x adds x >= 0x80.
		if m := ((x&(0x7f*lsb) + 0x76*lsb) | x) & msb; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
		i += 8
	}
	for i < len(d) && d[i] >= '0' && d[i] <= '9' {
		i++
	}
	return i
}

// str reads a string (s.d[s.i] is the opening quote) and returns its value:
// a substring of the input when it has no escapes and is valid UTF-8. The
// plain run is scanned eight bytes at a time; only a string that is not
// ASCII has its UTF-8 checked.
func (s *scanner) str() (string, bool) {
	d := s.d
	start := s.i + 1
	i := start
	var high uint64 // the bits of all bytes: some top bit set when not ASCII
	for {
		if i+8 > len(d) { // the last bytes of the input, one at a time
			for i < len(d) && !strStop[d[i]] {
				high |= uint64(d[i])
				i++
			}
			break
		}
		w := word(d[i : i+8])
		if m := stopMask(w); m != 0 {
			n := bits.TrailingZeros64(m) / 8 // the first stop byte
			high |= w & (1<<(8*n) - 1)
			i += n
			break
		}
		high |= w
		i += 8
	}
	if i >= len(d) {
		return "", s.fail()
	}
	if d[i] == '"' && (high&msb == 0 || validUTF8(d[start:i])) {
		s.i = i + 1
		return d[start:i], true
	}
	return s.strSlow(start, start)
}

const (
	lsb = 0x0101010101010101 // the low bit of each byte of a word
	msb = 0x8080808080808080 // the top bit of each byte
)

// word reads the first eight bytes of b, little-endian (one load where the
// machine allows it).
func word(b string) uint64 {
	_ = b[7]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// stopMask sets the top bit of the first byte of w (eight bytes of a
// string, little-endian) that is one of strStop: a quote, a backslash or
// below 0x20; 0 when there is none. (x-lsb)&^x&msb marks the zero bytes of
// x, (w-0x20*lsb)&^w&msb the bytes of w below 0x20; a borrow can mark a
// byte above a marked one, never below, so the lowest mark is exact.
func stopMask(w uint64) uint64 {
	q := w ^ ('"' * lsb)
	b := w ^ ('\\' * lsb)
	return ((q-lsb)&^q | (b-lsb)&^b | (w-' '*lsb)&^w) & msb
}

// strStop marks the bytes that end the plain run of a string: the quote, a
// backslash and control characters (which JSON does not allow unescaped).
var strStop = func() (t [256]bool) {
	for c := 0; c < ' '; c++ {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

// strSlow unescapes a string from i on (d[start:i] is plain), as
// encoding/json does: invalid UTF-8 and unpaired surrogates become U+FFFD.
func (s *scanner) strSlow(start, i int) (string, bool) {
	d := s.d
	b := make([]byte, 0, i-start+16)
	b = append(b, d[start:i]...)
	for i < len(d) {
		c := d[i]
		switch {
		case c == '"':
			s.i = i + 1
			return string(b), true
		case c == '\\':
			if i+1 >= len(d) {
				return "", s.fail()
			}
			i++
			switch d[i] {
			case '"', '\\', '/':
				b = append(b, d[i])
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r := hex4(d[i+1:])
				if r < 0 {
					return "", s.fail()
				}
				i += 4
				if utf16.IsSurrogate(r) {
					r2 := rune(-1)
					if i+2 < len(d) && d[i+1] == '\\' && d[i+2] == 'u' {
						r2 = hex4(d[i+3:])
					}
					if dec := utf16.DecodeRune(r, r2); dec != unicode.ReplacementChar {
						b = utf8.AppendRune(b, dec)
						i += 7
						continue
					}
					r = unicode.ReplacementChar
				}
				b = utf8.AppendRune(b, r)
			default:
				return "", s.fail()
			}
			i++
		case c < ' ':
			return "", s.fail()
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, size := utf8.DecodeRuneInString(d[i:])
			b = utf8.AppendRune(b, r)
			i += size
		}
	}
	return "", s.fail()
}

// hex4 reads four hex digits, or returns -1.
func hex4(s string) rune {
	if len(s) < 4 {
		return -1
	}
	var r rune
	for _, c := range []byte(s[:4]) {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// skip reads and validates one value of any kind.
func (s *scanner) skip() bool {
	switch s.ws() {
	case '{':
		return s.skipObject()
	case '[':
		return s.skipArray()
	}
	_, ok := s.value()
	return ok
}

func (s *scanner) skipObject() bool {
	if !s.enter() {
		return false
	}
	s.i++ // '{'
	if s.ws() == '}' {
		s.i++
		s.leave()
		return true
	}
	for {
		if s.ws() != '"' {
			return s.fail()
		}
		if _, ok := s.str(); !ok {
			return false
		}
		if !s.colon() || !s.skip() {
			return false
		}
		switch s.ws() {
		case ',':
			s.i++
		case '}':
			s.i++
			s.leave()
			return true
		default:
			return s.fail()
		}
	}
}

func (s *scanner) skipArray() bool {
	if !s.enter() {
		return false
	}
	s.i++ // '['
	if s.ws() == ']' {
		s.i++
		s.leave()
		return true
	}
	for {
		if !s.skip() {
			return false
		}
		switch s.ws() {
		case ',':
			s.i++
		case ']':
			s.i++
			s.leave()
			return true
		default:
			return s.fail()
		}
	}
}

func (s *scanner) colon() bool {
	if s.ws() != ':' {
		return s.fail()
	}
	s.i++
	return true
}

// members reads the object at s.i, calling member for each key with s.i
// at the value; member must read the value. The key is a substring of the
// input unless it has escapes.
func (s *scanner) members(member func(key string) bool) bool {
	if s.ws() != '{' {
		return s.fail()
	}
	if !s.enter() {
		return false
	}
	s.i++
	if s.ws() == '}' {
		s.i++
		s.leave()
		return true
	}
	for {
		if s.ws() != '"' {
			return s.fail()
		}
		key, ok := s.str()
		if !ok || !s.colon() || !member(key) {
			return s.fail()
		}
		switch s.ws() {
		case ',':
			s.i++
		case '}':
			s.i++
			s.leave()
			return true
		default:
			return s.fail()
		}
	}
}

// elements reads an array at s.i, calling elem with s.i at each element;
// elem must read it.
func (s *scanner) elements(elem func(i int) bool) bool {
	if !s.enter() {
		return false
	}
	s.i++ // '['
	if s.ws() == ']' {
		s.i++
		s.leave()
		return true
	}
	for n := 0; ; n++ {
		if !elem(n) {
			return s.fail()
		}
		switch s.ws() {
		case ',':
			s.i++
		case ']':
			s.i++
			s.leave()
			return true
		default:
			return s.fail()
		}
	}
}
