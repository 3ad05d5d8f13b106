package shopee

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/facolos/etl/connector"
)

// An order is decoded once into a tree of map[string]any, []any, string,
// json.Number, bool and nil; the converters below turn one node into the Go
// value of a column type. They accept every plausible form (numbers as JSON
// numbers or strings, booleans as true/1/"yes", ...); absent and null give
// nil (NULL).

// object is one JSON object of the tree.
type object = map[string]any

// decodeTree parses JSON into the tree, keeping numbers as json.Number.
func decodeTree(data []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

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

// text returns the text of a scalar for numeric parsing; ok is false for
// null and empty text.
func text(v any) (s string, ok bool, err error) {
	switch x := v.(type) {
	case nil:
		return "", false, nil
	case string:
		s = strings.TrimSpace(x)
		return s, s != "", nil
	case json.Number:
		return string(x), true, nil
	}
	return "", false, fmt.Errorf("%s is not a number", describe(v))
}

func toInt(v any) (any, error) {
	s, ok, err := text(v)
	if !ok || err != nil {
		return nil, err
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<62 {
		return nil, fmt.Errorf("%s is not an integer", quote(s))
	}
	return int64(f), nil
}

func toDec(v any) (any, error) {
	s, ok, err := text(v)
	if !ok || err != nil {
		return nil, err
	}
	d, err := connector.ParseDec(s)
	if err != nil {
		return nil, fmt.Errorf("%s is not a decimal number", quote(s))
	}
	return d, nil
}

// toBool reads a boolean with connector.ParseBool: true/false, 1/0 and a
// few words; any other value ("nope") rejects the record, never true.
func toBool(v any) (any, error) {
	b, ok, err := connector.ParseBool(v)
	if !ok || err != nil {
		return nil, err
	}
	return b, nil
}

// toTime reads an epoch with connector.EpochTime (seconds below 1e11,
// milliseconds from 1e11 on, 1970-2100); 0 means "not set" and gives NULL.
func toTime(v any) (any, error) {
	i, err := toInt(v)
	if err != nil || i == nil {
		return i, err
	}
	if i.(int64) == 0 {
		return nil, nil
	}
	t, err := connector.EpochTime(i.(int64))
	if err != nil {
		return nil, err
	}
	return t, nil
}

func toJSON(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return connector.RawJSON(data), nil
}

func describe(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("%v", v)
}

func quote(s string) string {
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return strconv.Quote(s)
}

func convert(t connector.Type, v any) (any, error) {
	switch t {
	case connector.Int:
		return toInt(v)
	case connector.Decimal:
		return toDec(v)
	case connector.Bool:
		return toBool(v)
	case connector.Timestamp:
		return toTime(v)
	case connector.JSON:
		return toJSON(v)
	}
	return toString(v)
}

// lookup follows path through nested objects; absent gives nil.
func lookup(o object, path []string) (any, error) {
	var cur any = o
	for _, k := range path {
		if cur == nil {
			return nil, nil
		}
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s is not inside an object", k)
		}
		cur = m[k]
	}
	return cur, nil
}

// list returns a JSON array; a single non-array value is a one-element list
// (product_location_id comes both ways); null is empty.
func list(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		return x
	}
	return []any{v}
}
