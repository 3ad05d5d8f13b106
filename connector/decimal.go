package connector

import (
	"fmt"
	"math/big"
	"strings"
)

// Dec is an exact decimal number, the value type of Decimal columns. It holds
// the canonical decimal text: an optional "-", the integer digits without
// leading zeros, and, when the fraction is not zero, "." and the fraction
// digits without trailing zeros ("0", "-12.5", "1000000000000000.01"). Money
// parsed from JSON goes through Dec, never through float64.
type Dec struct{ s string }

// ParseDec parses a decimal from text: plain ("-12.50", "+3", ".5", "5.") or
// with an exponent ("1.5e6"). Empty text, NaN, infinities, fractions
// ("1/2") and other notations ("0x10") are errors, and so is an exponent
// form whose value needs more than 64 fraction digits or 1000 integer digits.
func ParseDec(s string) (Dec, error) {
	if isCanonical(s) {
		return Dec{s: s}, nil // the usual case: nothing to trim, cut or copy
	}
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
	mant, exp, hasExp := body, "", false
	if i := strings.IndexAny(body, "eE"); i >= 0 {
		mant, exp, hasExp = body[:i], body[i+1:], true
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	if !allDigits(intPart) || !allDigits(frac) || (intPart == "" && frac == "") {
		return Dec{}, fmt.Errorf("decimal: %q is not a number", in)
	}
	if hasExp {
		return parseDecExp(in, neg, intPart, frac, exp)
	}
	if in[0] != '+' && len(intPart) > 0 && (intPart == "0" || intPart[0] != '0') &&
		(len(frac) == 0 || frac[len(frac)-1] != '0') && len(mant) == len(intPart)+len(frac)+min(len(frac), 1) &&
		!(neg && intPart == "0" && frac == "") {
		return Dec{s: in}, nil // already canonical: no copy
	}
	return canonicalDec(neg, intPart, frac), nil
}

// isCanonical reports whether s is already the canonical text of a Dec:
// -?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?, and not "-0".
func isCanonical(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i >= len(s):
		return false
	case s[i] == '0':
		i++
		if i == len(s) {
			return s != "-0"
		}
	case s[i] >= '1' && s[i] <= '9':
		for i++; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		}
		if i == len(s) {
			return true
		}
	default:
		return false
	}
	if s[i] != '.' || s[len(s)-1] == '0' || i+1 == len(s) {
		return false
	}
	for i++; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// canonicalDec builds the canonical text of -?intPart.frac.
func canonicalDec(neg bool, intPart, frac string) Dec {
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
	return Dec{s: out}
}

// parseDecExp moves the point of intPart.frac by the exponent exp.
func parseDecExp(in string, neg bool, intPart, frac, exp string) (Dec, error) {
	digits := exp
	if digits != "" && (digits[0] == '+' || digits[0] == '-') {
		digits = digits[1:]
	}
	if digits == "" || !allDigits(digits) {
		return Dec{}, fmt.Errorf("decimal: %q is not a number", in)
	}
	all := strings.TrimLeft(intPart+frac, "0")
	if all == "" {
		return Dec{s: "0"}, nil // zero, whatever the exponent
	}
	digits = strings.TrimLeft(digits, "0")
	if len(digits) > 6 {
		return Dec{}, fmt.Errorf("decimal: %q is out of range", in)
	}
	e := 0
	for _, c := range []byte(digits) {
		e = e*10 + int(c-'0')
	}
	if exp[0] == '-' {
		e = -e
	}
	// The value is 0.all × 10^point.
	point := e + len(all) - len(frac)
	var d Dec
	switch {
	case point > 1000:
		return Dec{}, fmt.Errorf("decimal: %q is out of range", in)
	case point < -64:
		return Dec{}, fmt.Errorf("decimal: %q has too many fraction digits", in)
	case point <= 0:
		d = canonicalDec(neg, "", strings.Repeat("0", -point)+all)
	case point >= len(all):
		d = canonicalDec(neg, all+strings.Repeat("0", point-len(all)), "")
	default:
		d = canonicalDec(neg, all[:point], all[point:])
	}
	if d.Scale() > 64 {
		return Dec{}, fmt.Errorf("decimal: %q has too many fraction digits", in)
	}
	return d, nil
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
