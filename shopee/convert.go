package shopee

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/facolos/etl/connector"
)

// The converters turn one decoded JSON value (see decode.go) into the Go
// value of a column type. They accept every plausible form (numbers as JSON
// numbers or strings, booleans as true/1/"yes", ...); absent and null give
// nil (NULL). Each value is parsed once, from its JSON text: integers with
// strconv.ParseInt, money with connector.ParseDec (exact, never float64).

func convert(t connector.Type, v val) (any, error) {
	switch t {
	case connector.Int:
		return v.int()
	case connector.Decimal:
		return v.dec()
	case connector.Bool:
		return v.bool()
	case connector.Timestamp:
		return v.time()
	case connector.JSON:
		return v.json()
	}
	return v.string()
}

// string converts to text: a string as sent, a number as its literal,
// true/false, and an object or list as its compact JSON.
func (v val) string() (any, error) {
	switch v.k {
	case kAbsent, kNull:
		return nil, nil
	case kString, kNumber:
		return v.s, nil
	case kTrue:
		return "true", nil
	case kFalse:
		return "false", nil
	}
	tree, err := decodeTree([]byte(v.s))
	if err != nil {
		return nil, err
	}
	return toString(tree)
}

// text returns the text of a scalar for numeric parsing; ok is false for
// null and empty text.
func (v val) text() (s string, ok bool, err error) {
	switch v.k {
	case kAbsent, kNull:
		return "", false, nil
	case kString:
		s = strings.TrimSpace(v.s)
		return s, s != "", nil
	case kNumber:
		return v.s, true, nil
	}
	return "", false, fmt.Errorf("%s is not a number", v.describe())
}

func (v val) int() (any, error) {
	s, ok, err := v.text()
	if !ok || err != nil {
		return nil, err
	}
	i, err := parseInt(s)
	if err != nil {
		return nil, err
	}
	return i, nil
}

// parseInt reads an integer; a whole number in another notation ("12.0",
// "1e3") is accepted.
func parseInt(s string) (int64, error) {
	if i, ok := smallInt(s); ok {
		return i, nil
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<62 {
		return 0, fmt.Errorf("%s is not an integer", quote(s))
	}
	return int64(f), nil
}

// smallInt reads a decimal integer of at most 18 digits (what
// strconv.ParseInt would read, without its generality).
func smallInt(s string) (int64, bool) {
	neg := false
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		neg, s = s[0] == '-', s[1:]
	}
	if len(s) == 0 || len(s) > 18 {
		return 0, false
	}
	var n int64
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

func (v val) dec() (any, error) {
	s, ok, err := v.text()
	if !ok || err != nil {
		return nil, err
	}
	d, err := connector.ParseDec(s)
	if err != nil {
		return nil, fmt.Errorf("%s is not a decimal number", quote(s))
	}
	return d, nil
}

// bool reads a boolean with connector.ParseBool: true/false, 1/0 and a few
// words; any other value ("nope", 2) rejects the record, never true.
func (v val) bool() (any, error) {
	var x any
	switch v.k {
	case kAbsent, kNull:
		return nil, nil
	case kTrue:
		return true, nil
	case kFalse:
		return false, nil
	case kNumber:
		x = json.Number(v.s)
	case kString:
		x = v.s
	default:
		return nil, fmt.Errorf("%s is not a boolean", v.describe())
	}
	b, ok, err := connector.ParseBool(x)
	if !ok || err != nil {
		return nil, err
	}
	return b, nil
}

// time reads an epoch with connector.EpochTime (seconds below 1e11,
// milliseconds from 1e11 on, inside 1970-2100); 0 means "not set" and gives
// NULL.
func (v val) time() (any, error) {
	s, ok, err := v.text()
	if !ok || err != nil {
		return nil, err
	}
	n, err := parseInt(s)
	switch {
	case err != nil:
		return nil, err
	case n == 0:
		return nil, nil
	}
	t, err := connector.EpochTime(n)
	if err != nil {
		return nil, err
	}
	return t, nil
}

// key reads a record key with connector.KeyText: text only (a number, an
// object, a list or a boolean is the wrong JSON type).
func (v val) key() (string, error) {
	var x any
	switch v.k {
	case kAbsent, kNull:
		return "", errors.New("missing")
	case kString:
		x = v.s
	case kNumber:
		x = json.Number(v.s)
	case kTrue, kFalse:
		x = v.k == kTrue
	default:
		tree, err := decodeTree([]byte(v.s))
		if err != nil {
			return "", err
		}
		x = tree
	}
	return connector.KeyText(x, false)
}

func (v val) json() (any, error) {
	var x any
	switch v.k {
	case kAbsent, kNull:
		return nil, nil
	case kString:
		x = v.s
	case kNumber:
		x = json.Number(v.s)
	case kTrue, kFalse:
		x = v.k == kTrue
	default:
		tree, err := decodeTree([]byte(v.s))
		if err != nil {
			return nil, err
		}
		x = tree
	}
	data, err := json.Marshal(x)
	if err != nil {
		return nil, err
	}
	return connector.RawJSON(data), nil
}

func (v val) describe() string {
	switch v.k {
	case kObject:
		return "an object"
	case kArray:
		return "a list"
	case kTrue, kFalse:
		return "a boolean"
	}
	return v.s
}

func quote(s string) string {
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return strconv.Quote(s)
}

// decodeTree parses JSON into a generic tree (map[string]any, []any,
// string, json.Number, bool, nil). Only the rare values that are stored as
// their JSON text (an object in a text column) go through it.
func decodeTree(data []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// toString converts a node of a decoded tree (or a value decoded into any)
// to text, as val.string does.
func toString(v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		return x, nil
	case json.Number:
		return string(x), nil
	case bool:
		return strconv.FormatBool(x), nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return string(data), nil
}
