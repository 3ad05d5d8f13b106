package jsonscan

import "math/bits"

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

// SmallInt reads a decimal integer of at most 18 digits with an optional
// sign (+ or -), the integers strconv.ParseInt(s, 10, 64) reads that
// cannot overflow, eight digits at a time where it can; ok is false for
// any other text. A byte is a digit when its high nibble is 3 both as it
// is and plus 6 (a carry between bytes needs a byte >= 0xFA, which already
// fails the first test).
func SmallInt(s string) (n int64, ok bool) {
	neg := false
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		neg, s = s[0] == '-', s[1:]
	}
	if len(s) == 0 || len(s) > 18 {
		return 0, false
	}
	if len(s) >= 8 { // the first eight digits at once
		w := word(s)
		if w&(0xF0*lsb) != '0'*lsb || (w+6*lsb)&(0xF0*lsb) != '0'*lsb {
			return 0, false // not eight digits
		}
		n = int64(eightDigits(w - '0'*lsb))
		s = s[8:]
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// eightDigits is the number of eight decimal digits (values 0-9, the
// first in the lowest byte): pairs, then quadruples, then the eight.
func eightDigits(d uint64) uint64 {
	d = (d*10 + d>>8) & 0x00FF00FF00FF00FF
	d = (d*100 + d>>16) & 0x0000FFFF0000FFFF
	return (d*10000 + d>>32) & 0xFFFFFFFF
}
