package connector

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// Dec is an exact decimal number, the value type of Decimal columns. It holds
// the canonical decimal text: an optional "-", the integer digits without
// leading zeros, and, when the fraction is not zero, "." and the fraction
// digits without trailing zeros ("0", "-12.5", "1000000000000000.01"). Money
// parsed from JSON goes through Dec, never through float64.
type Dec struct{ s string }

// ParseDec parses a decimal from text: plain ("-12.50", "+3", ".5") or with an
// exponent ("1.5e6"). Empty text, NaN and infinities are errors.
func ParseDec(s string) (Dec, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return Dec{}, fmt.Errorf("decimal: empty value")
	}
	neg := false
	body := in
	switch body[0] {
	case '-':
		neg, body = true, body[1:]
	case '+':
		body = body[1:]
	}
	intPart, frac, hasDot := strings.Cut(body, ".")
	if strings.ContainsAny(body, "eE") || !allDigits(intPart) || !allDigits(frac) || (intPart == "" && frac == "") || (hasDot && intPart == "" && frac == "") {
		return parseDecSlow(in)
	}
	intPart = strings.TrimLeft(intPart, "0")
	frac = strings.TrimRight(frac, "0")
	if intPart == "" {
		intPart = "0"
	}
	out := intPart
	if frac != "" {
		out += "." + frac
	}
	if neg && out != "0" {
		out = "-" + out
	}
	return Dec{s: out}, nil
}

// maxExponent bounds the exponent of decimal text: a hostile "1e999999999"
// would otherwise make big.Rat compute a number of a billion digits.
const maxExponent = 400

func parseDecSlow(in string) (Dec, error) {
	if i := strings.IndexAny(in, "eE"); i >= 0 {
		if e, err := strconv.Atoi(in[i+1:]); err != nil || e > maxExponent || e < -maxExponent {
			return Dec{}, fmt.Errorf("decimal: %q has an exponent out of range", in)
		}
	}
	r, ok := new(big.Rat).SetString(in)
	if !ok {
		return Dec{}, fmt.Errorf("decimal: %q is not a number", in)
	}
	// A decimal literal with an exponent has a power-of-ten denominator;
	// find the scale that represents it exactly.
	for scale := 0; scale <= 64; scale++ {
		txt := r.FloatString(scale)
		back, _ := new(big.Rat).SetString(txt)
		if back.Cmp(r) == 0 {
			return ParseDec(txt)
		}
	}
	return Dec{}, fmt.Errorf("decimal: %q has too many fraction digits", in)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// MustDec is ParseDec for constants; it panics on bad input.
func MustDec(s string) Dec {
	d, err := ParseDec(s)
	if err != nil {
		panic(err)
	}
	return d
}

// DecFromInt returns the decimal of an integer.
func DecFromInt(i int64) Dec { return Dec{s: fmt.Sprint(i)} }

// String returns the canonical text ("0" for the zero value).
func (d Dec) String() string {
	if d.s == "" {
		return "0"
	}
	return d.s
}

// IsZero reports whether d is zero.
func (d Dec) IsZero() bool { return d.s == "" || d.s == "0" }

// Scale returns the number of digits after the point.
func (d Dec) Scale() int {
	if _, f, ok := strings.Cut(d.s, "."); ok {
		return len(f)
	}
	return 0
}

// IntDigits returns the number of digits before the point (0 for |d| < 1).
func (d Dec) IntDigits() int {
	i, _, _ := strings.Cut(strings.TrimPrefix(d.String(), "-"), ".")
	if i == "0" {
		return 0
	}
	return len(i)
}

// Fits returns an error when d does not fit DECIMAL(precision, scale) without
// rounding.
func (d Dec) Fits(precision, scale int) error {
	if d.Scale() > scale {
		return fmt.Errorf("decimal %s has %d fraction digits, the column keeps %d", d, d.Scale(), scale)
	}
	if d.IntDigits() > precision-scale {
		return fmt.Errorf("decimal %s does not fit DECIMAL(%d,%d)", d, precision, scale)
	}
	return nil
}

// Fixed returns d with exactly scale fraction digits (padding with zeros);
// scale must be at least d.Scale().
func (d Dec) Fixed(scale int) string {
	s := d.String()
	cur := d.Scale()
	if scale <= cur {
		return s
	}
	if cur == 0 {
		s += "."
	}
	return s + strings.Repeat("0", scale-cur)
}

// Rat returns d as a big.Rat.
func (d Dec) Rat() *big.Rat {
	r, _ := new(big.Rat).SetString(d.String())
	return r
}

// MarshalText implements encoding.TextMarshaler.
func (d Dec) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Dec) UnmarshalText(b []byte) error {
	v, err := ParseDec(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
