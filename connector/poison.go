package connector

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/facolos/etl/internal/jsonscan"
)

// Hostile values. The rules below make "what passes the runner's
// validation is accepted by every sink" hold; they are applied by ValidateRow
// (so by the runner to every row) and by the helpers transformers use to read
// API values:
//
//   - Text (String columns, record keys) is valid UTF-8 without NUL (U+0000):
//     PostgreSQL cannot store NUL in text, and invalid UTF-8 has no meaning in
//     any of the three databases. Such a value rejects its record with a reason
//     naming the column; it is never silently cleaned.
//   - JSON columns hold valid JSON in valid UTF-8 with neither a \u0000 escape
//     nor an unpaired surrogate escape (\ud800): PostgreSQL's JSONB refuses both.
//   - Timestamps lie in [MinTime, MaxTime) = [1970-01-01, 2100-01-01) UTC.
//   - Epoch numbers are read by EpochTime: below 1e11 they are seconds, from
//     1e11 on milliseconds (see EpochTime for why the rule cannot misread a
//     real date).
//   - Booleans are read by ParseBool: true/false, 1/0 and a few words; any
//     other value ("nope") is an error, never true.
//   - Integers are read by ParseInt: exact int64 or an error (no rounding,
//     no wrap-around, no float).
//   - Keys are read by KeyText: a JSON string (or, where allowed, an integer
//     number); an object, list, boolean, fraction or null is an error.
//
// Anything else a database refuses for one row is isolated by the runner: a
// batch whose write fails with a DataError is split until the offending
// record is found, which is quarantined with the database's message while its
// batch-mates and the checkpoint commit.

// MinTime and MaxTime bound the Timestamp values ValidateRow accepts:
// [1970-01-01T00:00:00Z, 2100-01-01T00:00:00Z).
var (
	MinTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	MaxTime = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
)

// epochMillisFrom is where EpochTime switches from seconds to milliseconds.
const epochMillisFrom = 100_000_000_000 // 1e11

// EpochTime converts a Unix epoch number from an API into a UTC time. The
// unit is decided by magnitude, never by accident: n < 1e11 is seconds (1e11
// seconds is the year 5138, so every real date in seconds is below it) and n
// >= 1e11 is milliseconds (1e11 ms is 1973-03-03, so every real date since
// then in milliseconds is above it). The result must lie in [MinTime,
// MaxTime); negative numbers and anything outside the window are errors.
// Zero is an error too: callers that use 0 for "not set" check it first.
func EpochTime(n int64) (time.Time, error) {
	var t time.Time
	switch {
	case n <= 0:
		return time.Time{}, fmt.Errorf("epoch %d is not a time after 1970", n)
	case n < epochMillisFrom:
		t = time.Unix(n, 0).UTC()
	default:
		t = time.UnixMilli(n).UTC()
	}
	if err := CheckTime(t); err != nil {
		return time.Time{}, fmt.Errorf("epoch %d: %w", n, err)
	}
	return t, nil
}

// CheckTime returns an error when t is outside [MinTime, MaxTime).
func CheckTime(t time.Time) error {
	if t.Before(MinTime) || !t.Before(MaxTime) {
		return fmt.Errorf("time %s is outside the accepted window [1970-01-01, 2100-01-01)", t.UTC().Format(time.RFC3339))
	}
	return nil
}

// ParseBool reads a boolean from a decoded JSON value (bool, string,
// json.Number, float64 or nil). Accepted: true/false; the numbers 1/0; the
// texts "true"/"false", "1"/"0", "yes"/"no", "y"/"n", "on"/"off" in any case
// and with surrounding spaces. nil and "" are (false, false, nil): no value.
// Anything else is an error: "nope" is not true.
func ParseBool(v any) (b, ok bool, err error) {
	switch x := v.(type) {
	case nil:
		return false, false, nil
	case bool:
		return x, true, nil
	case json.Number:
		return parseBoolText(string(x), v)
	case float64:
		switch x {
		case 1:
			return true, true, nil
		case 0:
			return false, true, nil
		}
	case string:
		return parseBoolText(x, v)
	}
	return false, false, fmt.Errorf("%s is not a boolean", Describe(v))
}

func parseBoolText(s string, v any) (bool, bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1", "yes", "y", "on":
		return true, true, nil
	case "false", "0", "no", "n", "off":
		return false, true, nil
	case "":
		return false, false, nil
	}
	return false, false, fmt.Errorf("%s is not a boolean", Describe(v))
}

// ParseInt reads an exact int64 from a decoded JSON value (json.Number,
// string, float64 or nil). Integral numbers written with a fraction or an
// exponent ("12.0", "1e3") are accepted when exact; fractions, numbers beyond
// the int64 range and non-numbers are errors. nil and "" give ok == false.
func ParseInt(v any) (n int64, ok bool, err error) {
	var s string
	switch x := v.(type) {
	case nil:
		return 0, false, nil
	case json.Number:
		s = string(x)
	case string:
		s = strings.TrimSpace(x)
		if s == "" {
			return 0, false, nil
		}
	case float64:
		if x != float64(int64(x)) || x >= 1<<63 || x < -(1<<63) {
			return 0, false, fmt.Errorf("%v is not an integer in the 64-bit range", x)
		}
		return int64(x), true, nil
	default:
		return 0, false, fmt.Errorf("%s is not an integer", Describe(v))
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, true, nil
	}
	d, err := ParseDec(s)
	if err != nil || d.Scale() > 0 {
		return 0, false, fmt.Errorf("%s is not an integer", Describe(v))
	}
	i, err := strconv.ParseInt(d.String(), 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("%s is beyond the 64-bit integer range", Describe(v))
	}
	return i, true, nil
}

// KeyText reads a record or row key from a decoded JSON value. A JSON string
// is the key (it must be non-empty valid UTF-8 without NUL); an integer
// json.Number is accepted only when numbers is true; anything else (object,
// list, boolean, fraction, null) is an error naming the type.
func KeyText(v any, numbers bool) (string, error) {
	switch x := v.(type) {
	case string:
		if err := CheckText(x); err != nil {
			return "", err
		}
		if strings.TrimSpace(x) == "" {
			return "", errors.New("empty key")
		}
		return x, nil
	case json.Number:
		if !numbers {
			return "", fmt.Errorf("key %s is a number, not a string", x)
		}
		if _, err := strconv.ParseInt(string(x), 10, 64); err != nil {
			return "", fmt.Errorf("key %s is not an integer", x)
		}
		return string(x), nil
	case nil:
		return "", errors.New("key is missing (null)")
	}
	return "", fmt.Errorf("key is %s, not a string", Describe(v))
}

// Describe names the JSON type of a decoded value for error messages
// ("an object", "a list", "a boolean") or quotes a short scalar.
func Describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case bool:
		return "a boolean"
	case string:
		if len(x) > 40 {
			x = x[:40] + "..."
		}
		return strconv.Quote(x)
	case json.Number:
		return string(x)
	}
	return fmt.Sprintf("%v", v)
}

// CheckText returns an error when s is not storable text: invalid UTF-8 or
// a NUL character.
func CheckText(s string) error {
	if plainText(s) {
		return nil
	}
	if !utf8.ValidString(s) {
		return errors.New("value is not valid UTF-8")
	}
	if strings.IndexByte(s, 0) >= 0 {
		return errors.New("value contains a NUL character (U+0000), which PostgreSQL cannot store")
	}
	return nil
}

// plainText reports whether s is valid UTF-8 without NUL. ASCII text (most
// values) is checked a word of eight bytes at a time, the last word
// overlapping the one before; other text goes through plainFrom. CheckText
// calls it first and only looks for the reason when it reports false.
func plainText(s string) bool {
	n := len(s)
	if n < 8 {
		for i := 0; i < n; i++ {
			if s[i]-1 >= 0x7F { // NUL or not ASCII
				return plainFrom(s)
			}
		}
		return true
	}
	for i := 0; i+8 <= n; i += 8 {
		if notPlainASCII(le64(s[i : i+8])) {
			return plainFrom(s[i:]) // s[:i] is ASCII: s[i] starts a character
		}
	}
	if notPlainASCII(le64(s[n-8:])) {
		return plainFrom(s[n-8:])
	}
	return true
}

// le64 reads the first eight bytes of b, little-endian.
func le64(b string) uint64 {
	_ = b[7]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// notPlainASCII reports whether a byte of w is 0 or >= 0x80: such a byte
// sets its top bit in w|(w-lsb), and a borrow only starts at a 0 byte.
func notPlainASCII(w uint64) bool {
	const lsb, msb = 0x0101010101010101, 0x8080808080808080
	return (w|(w-lsb))&msb != 0
}

// plainFrom is plainText from the start of a character on: ASCII runs
// eight bytes at a time, two- and three-byte sequences (Vietnamese letters)
// inline, the rest by the standard library.
func plainFrom(s string) bool {
	for len(s) >= 8 && !notPlainASCII(le64(s)) {
		s = s[8:]
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == 0:
			return false
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

// CheckJSONText returns an error when j is not JSON every sink stores: it
// must be valid JSON in valid UTF-8 without a \u0000 escape or an unpaired
// UTF-16 surrogate escape.
func CheckJSONText(j string) error {
	if !utf8.ValidString(j) {
		return errors.New("value is not valid UTF-8")
	}
	if sc := jsonscan.New(j); !sc.Skip() || !sc.AtEnd() { // json.Valid, faster (jsonscan.Valid)
		return errors.New("value is not valid JSON")
	}
	if !strings.Contains(j, `\u`) && !strings.Contains(j, `\U`) {
		return nil
	}
	// Walk the escapes: a backslash escapes the next character, so `\\u0000`
	// is a backslash followed by text, not a NUL.
	pendingHigh := false
	for i := 0; i < len(j); i++ {
		if j[i] != '\\' {
			if pendingHigh {
				return errors.New(`value has an unpaired UTF-16 surrogate escape, which PostgreSQL's JSONB refuses`)
			}
			continue
		}
		i++
		if j[i] != 'u' {
			if pendingHigh {
				return errors.New(`value has an unpaired UTF-16 surrogate escape, which PostgreSQL's JSONB refuses`)
			}
			continue
		}
		r, _ := strconv.ParseUint(j[i+1:i+5], 16, 32)
		i += 4
		switch {
		case r == 0:
			return errors.New(`value has a \u0000 escape, which PostgreSQL's JSONB refuses`)
		case r >= 0xD800 && r < 0xDC00:
			if pendingHigh {
				return errors.New(`value has an unpaired UTF-16 surrogate escape, which PostgreSQL's JSONB refuses`)
			}
			pendingHigh = true
		case r >= 0xDC00 && r < 0xE000:
			if !pendingHigh {
				return errors.New(`value has an unpaired UTF-16 surrogate escape, which PostgreSQL's JSONB refuses`)
			}
			pendingHigh = false
		default:
			if pendingHigh {
				return errors.New(`value has an unpaired UTF-16 surrogate escape, which PostgreSQL's JSONB refuses`)
			}
		}
	}
	if pendingHigh {
		return errors.New(`value has an unpaired UTF-16 surrogate escape, which PostgreSQL's JSONB refuses`)
	}
	return nil
}

// DataError marks a write error caused by the values of a batch (a value
// out of range, a byte sequence or constraint the database refuses), as
// opposed to the connection, a lock, a lease or a cancellation. Sinks wrap
// such errors with MarkData; the runner then splits the batch to find and
// quarantine the record that causes it. The message is the wrapped error's.
type DataError struct{ Err error }

// Error returns the message of the wrapped error.
func (e *DataError) Error() string { return e.Err.Error() }

// Unwrap returns the wrapped error.
func (e *DataError) Unwrap() error { return e.Err }

// MarkData wraps err in a DataError (nil stays nil).
func MarkData(err error) error {
	if err == nil {
		return nil
	}
	return &DataError{Err: err}
}

// IsDataError reports whether err (or an error it wraps) is a DataError.
func IsDataError(err error) bool {
	var d *DataError
	return errors.As(err, &d)
}

// Quarantine payload encodings, the value of the payload_encoding column of
// etl_control.rejected_records.
const (
	// PayloadText (stored as NULL): payload is the record's bytes as text.
	PayloadText = ""
	// PayloadBase64: payload is the standard base64 of the record's bytes,
	// used when they are not valid UTF-8 or contain NUL.
	PayloadBase64 = "base64"
)

// QuarantineRow is a Rejection as the sinks store it: text every database
// accepts. Key and Reason are cleaned with CleanText; Payload is the record
// as text, or its base64 when Encoding is PayloadBase64, so any bytes are
// kept losslessly.
type QuarantineRow struct {
	Key, Reason, Payload, Encoding string
	// HasPayload is false when the rejection carried no payload (NULL).
	HasPayload bool
}

// EncodeRejection turns r into the columns of a quarantine row.
func EncodeRejection(r Rejection) QuarantineRow {
	q := QuarantineRow{Key: CleanText(r.Key), Reason: CleanText(r.Reason), HasPayload: r.Payload != nil}
	if CheckText(string(r.Payload)) == nil {
		q.Payload = string(r.Payload)
	} else {
		q.Payload, q.Encoding = base64.StdEncoding.EncodeToString(r.Payload), PayloadBase64
	}
	return q
}

// DecodePayload returns the record bytes of a stored quarantine payload.
func DecodePayload(payload, encoding string) ([]byte, error) {
	switch encoding {
	case PayloadText:
		return []byte(payload), nil
	case PayloadBase64:
		return base64.StdEncoding.DecodeString(payload)
	}
	return nil, fmt.Errorf("unknown quarantine payload encoding %q", encoding)
}

// CleanText makes s storable text for quarantine keys and reasons: invalid
// UTF-8 bytes become U+FFFD and NUL becomes the two characters `\0`.
func CleanText(s string) string {
	if CheckText(s) == nil {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", `\0`)
}
