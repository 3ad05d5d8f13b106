package lazada

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/facolos/etl/connector"
)

// The platform's sources disagree on JSON types (contract §4.5): real
// answers send ids and most amounts as numbers, flags as booleans and times
// as "2006-01-02 15:04:05 -0700"; the documentation quotes every value as a
// string and shows ISO times or epoch milliseconds. Every reader below
// accepts each of those forms; null and "" are "no value".
//
// The decoder is encoding/json, not internal/jsonscan: the API budget
// brings at most a few hundred orders a second, a few percent of one core
// for encoding/json (docs/lazada.md, "Decoder").

// scalar returns the text of a JSON string, number or boolean (strings
// unquoted), ok false for null or absent; an object or array is an error.
func scalar(raw json.RawMessage) (s string, ok bool, err error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", false, nil
	}
	switch raw[0] {
	case '"':
		// raw comes from a decoded document, so it is one valid string
		// token: without escapes (and with valid UTF-8, which
		// encoding/json would repair) its text is the value.
		if len(raw) >= 2 && raw[len(raw)-1] == '"' {
			if inner := raw[1 : len(raw)-1]; bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
				return string(inner), true, nil
			}
		}
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", false, err
		}
		return s, true, nil
	case '{', '[':
		return "", false, errors.New("an object or array where a value is expected")
	}
	return string(raw), true, nil
}

// asString reads text (numbers and booleans as their JSON text).
func asString(raw json.RawMessage) (any, error) {
	s, ok, err := scalar(raw)
	if err != nil || !ok {
		return nil, err
	}
	return s, nil
}

// asInt reads an integer sent as a number or a string of digits.
func asInt(raw json.RawMessage) (any, error) {
	s, ok, err := scalar(raw)
	if err != nil || !ok || s == "" {
		return nil, err
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("%q is not an integer", s)
	}
	return n, nil
}

// asDec reads an exact decimal sent as a number or a string (thousands
// commas are dropped, never parsed as a decimal point).
func asDec(raw json.RawMessage) (any, error) {
	s, ok, err := scalar(raw)
	if err != nil || !ok || s == "" {
		return nil, err
	}
	d, err := connector.ParseDec(strings.ReplaceAll(s, ",", ""))
	if err != nil {
		return nil, fmt.Errorf("%q is not a decimal: %w", s, err)
	}
	return d, nil
}

// asBool reads a boolean sent as true/false, "true"/"false", 1/0 or "1"/"0".
func asBool(raw json.RawMessage) (any, error) {
	s, ok, err := scalar(raw)
	if err != nil || !ok || s == "" {
		return nil, err
	}
	switch strings.ToLower(s) {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return nil, fmt.Errorf("%q is not a boolean", s)
}

// Time layouts of answers: the real wire's, ISO 8601 with an offset.
const wireTime = "2006-01-02 15:04:05 -0700"

// parseTime reads an instant in the wire form, RFC 3339, or epoch
// milliseconds (a number or a string of digits).
func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(wireTime, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil && ms > 0 {
		return time.UnixMilli(ms), nil
	}
	return time.Time{}, fmt.Errorf("%q is not a time (%q, RFC 3339 or epoch milliseconds)", s, wireTime)
}

// asTime reads an instant (stored in UTC).
func asTime(raw json.RawMessage) (any, error) {
	s, ok, err := scalar(raw)
	if err != nil || !ok || s == "" {
		return nil, err
	}
	t, err := parseTime(s)
	if err != nil {
		return nil, err
	}
	return t.UTC(), nil
}

// asJSON keeps any JSON value (an object, an array) as compact JSON text.
func asJSON(raw json.RawMessage) (any, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return nil, err
	}
	return connector.RawJSON(b.String()), nil
}

// asJSONString reads a string that holds JSON (extra_attributes): the
// decoded JSON; a JSON value sent as such is accepted too.
func asJSONString(raw json.RawMessage) (any, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] != '"' {
		return asJSON(raw)
	}
	s, ok, err := scalar(raw)
	if err != nil || !ok || strings.TrimSpace(s) == "" {
		return nil, err
	}
	if !json.Valid([]byte(s)) {
		return nil, fmt.Errorf("the string is not JSON: %.40q", s)
	}
	return asJSON(json.RawMessage(s))
}

// code reads an envelope's code, a string or a number.
func code(raw json.RawMessage) string {
	s, _, _ := scalar(raw)
	return s
}
