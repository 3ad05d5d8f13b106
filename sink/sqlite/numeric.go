package sqlite

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/facolos/etl/connector"
)

// decimalType is the declared type of a Decimal column. "BLOB" in the name
// gives the column no type affinity, so every value keeps the storage class
// it is written with (decimalValue): SQLite's NUMERIC affinity would turn
// "99999999999999.9999" into the integer 100000000000000.
func decimalType(c connector.Column) string {
	return fmt.Sprintf("DECIMAL_BLOB(%d,%d)", c.Precision, c.Scale)
}

// maxExactDigits is the number of significant decimal digits a float64
// always holds exactly (its text form round-trips).
const maxExactDigits = 15

// decimalValue stores a decimal as a number whenever that is exact, so that
// SQL compares, sorts and sums it as a number (total_amount > 1000000,
// max(total_amount), sum(total_amount)): an int64 when it is whole, a
// float64 when its decimal text has at most 15 significant digits (the
// float64 nearest to it prints back as the same digits), and otherwise the
// exact text with scale fraction digits (beyond any real amount of money;
// such a value compares as text).
func decimalValue(d connector.Dec, scale int) any {
	s := d.String()
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i
	}
	if significantDigits(s) <= maxExactDigits {
		if f, err := strconv.ParseFloat(s, 64); err == nil && strconv.FormatFloat(f, 'f', -1, 64) == s {
			return f
		}
	}
	return d.Fixed(scale)
}

// significantDigits counts the digits of a canonical decimal text without
// leading zeros.
func significantDigits(s string) int {
	n, started := 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			continue
		}
		if c != '0' {
			started = true
		}
		if started {
			n++
		}
	}
	return n
}

// readDecimal converts a stored decimal (INTEGER, REAL or TEXT) back to a
// connector.Dec, exactly.
func readDecimal(v any, str func() string) (any, error) {
	switch x := v.(type) {
	case int64:
		return connector.ParseDec(strconv.FormatInt(x, 10))
	case float64:
		// The shortest text that round-trips is the decimal that was
		// stored (at most 15 significant digits).
		return connector.ParseDec(strconv.FormatFloat(x, 'f', -1, 64))
	}
	return connector.ParseDec(str())
}

// uriPath escapes the characters that end or change the path part of the
// "file:" URI the driver is opened with: without it a path containing "#"
// or "?" (a test named "TestX/20#01") silently opens a different file.
func uriPath(p string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(p)
}
