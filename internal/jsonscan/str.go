package jsonscan

import (
	"math/bits"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

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

// plainRun returns the index of the first byte from i on that is one of
// strStop (or len(d)), eight bytes at a time, and the bits of all the
// bytes before it (some top bit is set when one is not ASCII).
func plainRun(d string, i int) (int, uint64) {
	var high uint64
	for i+8 <= len(d) {
		w := word(d[i : i+8])
		if m := stopMask(w); m != 0 {
			n := bits.TrailingZeros64(m) / 8 // the first stop byte
			return i + n, high | w&(1<<(8*n)-1)
		}
		high |= w
		i += 8
	}
	for i < len(d) && !strStop[d[i]] {
		high |= uint64(d[i])
		i++
	}
	return i, high
}

// str reads a string (s.data[s.pos] is the opening quote) and returns its
// value: a substring of the input when it has no escapes and is valid
// UTF-8. Only a string that is not ASCII has its UTF-8 checked. (The loop
// is plainRun's, written out: strings are the scanner's hottest path.)
func (s *Scanner) str() (string, bool) {
	d := s.data
	start := s.pos + 1
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
		return "", s.fail("unterminated string")
	}
	if d[i] == '"' && (high&msb == 0 || validUTF8(d[start:i])) {
		s.pos = i + 1
		return d[start:i], true
	}
	b, end := unescape(make([]byte, 0, i-start+16), d, start)
	if end < 0 || end >= len(d) {
		return "", s.fail("bad string")
	}
	s.pos = end + 1
	return string(b), true
}

// strEnd returns the index of the closing quote of the string whose text
// starts at d[i], or -1 when the string is not valid JSON (a bad escape, a
// control character, no closing quote); esc reports escapes. UTF-8 is not
// checked: encoding/json accepts invalid UTF-8 (and replaces it).
func strEnd(d string, i int) (end int, esc bool) {
	for {
		i, _ = plainRun(d, i)
		if i >= len(d) {
			return -1, esc
		}
		switch d[i] {
		case '"':
			return i, esc
		case '\\':
			esc = true
			if i+1 >= len(d) {
				return -1, esc
			}
			switch d[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if hex4(d[i+2:]) < 0 {
					return -1, esc
				}
				i += 6
			default:
				return -1, esc
			}
		default: // a control character
			return -1, esc
		}
	}
}

// Unquote returns the value of a JSON string's text (between its quotes,
// as RawStr returns it), decoded as encoding/json decodes it: escapes
// decoded, invalid UTF-8 and unpaired surrogates replaced by U+FFFD. Text
// without escapes and with valid UTF-8 is returned as is. ok is false when
// text is not the text of a JSON string (a bad escape, a control
// character or an unescaped quote).
func Unquote(text string) (string, bool) {
	i, high := plainRun(text, 0)
	if i == len(text) && (high&msb == 0 || validUTF8(text)) {
		return text, true
	}
	b, end := unescape(make([]byte, 0, len(text)+utf8.UTFMax), text, 0)
	if end != len(text) {
		return "", false
	}
	return string(b), true
}

// unescape appends to b the value of the string text that starts at d[i],
// up to its closing quote or the end of d, as encoding/json decodes it:
// escapes decoded, invalid UTF-8 and unpaired surrogates as U+FFFD. It
// returns the index of the closing quote (len(d) when there is none), or
// -1 when the text is not valid (a bad escape or a control character).
func unescape(b []byte, d string, i int) ([]byte, int) {
	for i < len(d) {
		c := d[i]
		switch {
		case c == '"':
			return b, i
		case c == '\\':
			if i+1 >= len(d) {
				return b, -1
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
					return b, -1
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
				return b, -1
			}
			i++
		case c < ' ':
			return b, -1
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, size := utf8.DecodeRuneInString(d[i:])
			b = utf8.AppendRune(b, r)
			i += size
		}
	}
	return b, len(d)
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
