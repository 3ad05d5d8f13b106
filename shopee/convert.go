package shopee

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/facolos/etl/connector"
)

// The converters turn one raw JSON value into the Go value of a column type.
// They accept every plausible form (numbers as JSON numbers or strings,
// booleans as true/1/"yes", ...); absent and null give nil (NULL).

func isNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}

func unquote(raw json.RawMessage) (string, bool, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", true, err
		}
		return s, true, nil
	}
	return string(raw), false, nil
}

func toString(raw json.RawMessage) (any, error) {
	if isNull(raw) {
		return nil, nil
	}
	s, quoted, err := unquote(raw)
	if err != nil {
		return nil, err
	}
	if !quoted && (strings.HasPrefix(s, "{") || strings.HasPrefix(s, "[")) {
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return nil, err
		}
		return buf.String(), nil
	}
	return s, nil
}

func toInt(raw json.RawMessage) (any, error) {
	if isNull(raw) {
		return nil, nil
	}
	s, _, err := unquote(raw)
	if err != nil {
		return nil, err
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<62 {
		return nil, fmt.Errorf("%s is not an integer", trimmed(s))
	}
	return int64(f), nil
}

func toDec(raw json.RawMessage) (any, error) {
	if isNull(raw) {
		return nil, nil
	}
	s, _, err := unquote(raw)
	if err != nil {
		return nil, err
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	d, err := connector.ParseDec(s)
	if err != nil {
		return nil, fmt.Errorf("%s is not a decimal number", trimmed(s))
	}
	return d, nil
}

func toBool(raw json.RawMessage) (any, error) {
	if isNull(raw) {
		return nil, nil
	}
	s, quoted, err := unquote(raw)
	if err != nil {
		return nil, err
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1", "yes", "on", "y":
		return true, nil
	case "false", "0", "no", "off", "n":
		return false, nil
	case "":
		return nil, nil
	}
	if !quoted {
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f != 0, nil
		}
		return nil, fmt.Errorf("%s is not a boolean", trimmed(s))
	}
	return true, nil // any other non-empty text: truthy, as the platform's SDKs read it
}

// toTime reads Unix seconds (milliseconds when the value is beyond year
// 2286); 0 means "not set" and gives NULL.
func toTime(raw json.RawMessage) (any, error) {
	v, err := toInt(raw)
	if err != nil || v == nil {
		return v, err
	}
	n := v.(int64)
	switch {
	case n == 0:
		return nil, nil
	case n < 0:
		return nil, fmt.Errorf("%d is not a Unix time", n)
	case n > 1e10:
		return time.UnixMilli(n).UTC(), nil
	}
	return time.Unix(n, 0).UTC(), nil
}

func toJSON(raw json.RawMessage) (any, error) {
	if isNull(raw) {
		return nil, nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, err
	}
	return connector.RawJSON(buf.String()), nil
}

func trimmed(s string) string {
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return strconv.Quote(s)
}

func convert(t connector.Type, raw json.RawMessage) (any, error) {
	switch t {
	case connector.Int:
		return toInt(raw)
	case connector.Decimal:
		return toDec(raw)
	case connector.Bool:
		return toBool(raw)
	case connector.Timestamp:
		return toTime(raw)
	case connector.JSON:
		return toJSON(raw)
	}
	return toString(raw)
}

// object is one decoded JSON object level.
type object map[string]json.RawMessage

func decodeObject(raw json.RawMessage) (object, error) {
	if isNull(raw) {
		return nil, nil
	}
	var o object
	if err := json.Unmarshal(raw, &o); err != nil {
		return nil, err
	}
	return o, nil
}

// lookup follows path through nested objects; absent gives nil.
func (o object) lookup(path []string) (json.RawMessage, error) {
	cur := o
	for i, k := range path {
		raw, ok := cur[k]
		if !ok {
			return nil, nil
		}
		if i == len(path)-1 {
			return raw, nil
		}
		next, err := decodeObject(raw)
		if err != nil {
			return nil, fmt.Errorf("%s is not an object", k)
		}
		if next == nil {
			return nil, nil
		}
		cur = next
	}
	return nil, nil
}

// decodeArray decodes a JSON array; a single non-array value is treated as a
// one-element array (product_location_id comes both ways).
func decodeArray(raw json.RawMessage) ([]json.RawMessage, error) {
	if isNull(raw) {
		return nil, nil
	}
	t := bytes.TrimSpace(raw)
	if t[0] != '[' {
		return []json.RawMessage{t}, nil
	}
	var out []json.RawMessage
	if err := json.Unmarshal(t, &out); err != nil {
		return nil, err
	}
	return out, nil
}
