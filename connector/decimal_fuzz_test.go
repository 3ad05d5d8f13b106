package connector_test

import (
	"math/big"
	"regexp"
	"strings"
	"testing"

	"github.com/facolos/etl/connector"
)

var (
	// canonical is the text of a Dec.
	canonical = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?$`)
	// plain is decimal text without an exponent, which ParseDec must accept.
	plain = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$`)
	// grammar is everything ParseDec may accept.
	grammar = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$`)
)

// FuzzParseDec checks ParseDec on any text: it never panics, accepts all
// plain decimal text and nothing outside the decimal grammar, gives the
// canonical text of exactly the number written (compared with math/big),
// and what it gives survives String, Fixed and ParseDec unchanged. The seed
// corpus is testdata/fuzz/FuzzParseDec plus the values below.
func FuzzParseDec(f *testing.F) {
	for _, s := range []string{"0", "-0.00", "00123.4500", "+7", ".5", "5.", "1.5e3", "2E-2", "-12.5", "", "-", ".", "abc",
		"1.2.3", "NaN", "Inf", "1e", "1e+", "1/2", "0x10", "0b1", "1_000", " 42 ", "1e-64", "1e-65", "1e1000", "1e1001",
		"9999999999999999.9999", "-0e5", "0.000e-99999999", "1e9999999", "123456789012345678901234567890.123456789"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := connector.ParseDec(s)
		in := strings.TrimSpace(s)
		if err != nil {
			if plain.MatchString(in) {
				t.Fatalf("ParseDec(%q) rejected plain decimal text: %v", s, err)
			}
			return
		}
		if !grammar.MatchString(in) {
			t.Fatalf("ParseDec(%q) = %s, but the text is not a decimal number", s, d)
		}
		txt := d.String()
		if !canonical.MatchString(txt) || txt == "-0" {
			t.Fatalf("ParseDec(%q) = %q, not canonical", s, txt)
		}
		// Exactly the number written (math/big is slow on huge exponents).
		if i := strings.IndexAny(in, "eE"); i < 0 || len(in)-i <= 6 {
			want, ok := new(big.Rat).SetString(in)
			if !ok {
				t.Fatalf("math/big rejects %q, ParseDec gave %s", in, txt)
			}
			if want.Cmp(d.Rat()) != 0 {
				t.Fatalf("ParseDec(%q) = %s, want %s", s, txt, want.FloatString(d.Scale()+2))
			}
		}
		again, err := connector.ParseDec(txt)
		if err != nil || again != d {
			t.Fatalf("ParseDec(%q) = %q, but ParseDec of that = %q, %v", s, txt, again, err)
		}
		fixed := d.Fixed(d.Scale() + 2)
		if back, err := connector.ParseDec(fixed); err != nil || back.String() != txt {
			t.Fatalf("Fixed of %q = %q does not parse back: %q, %v", txt, fixed, back, err)
		}
		if err := d.Fits(max(d.IntDigits()+d.Scale(), 1), d.Scale()); err != nil {
			t.Fatalf("%s does not fit its own digits: %v", txt, err)
		}
		if d.Scale() > 0 && d.Fits(d.IntDigits()+d.Scale(), d.Scale()-1) == nil {
			t.Fatalf("%s fits one fraction digit less", txt)
		}
	})
}
