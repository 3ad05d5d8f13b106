package shopee

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/jsonscan"
)

// The converters turn one decoded JSON value (see decode.go) into the Go
// value of a column type. They accept every plausible form (numbers as JSON
// numbers or strings, booleans as true/1/"yes", ...); absent and null give
// nil (NULL). Each value is parsed once, from its JSON text: integers with
// strconv.ParseInt, money with connector.ParseDec (exact, never float64).

func convert(t connector.Type, v val, bx *connector.Boxer) (any, error) {
	// The forms the API sends, first.
	switch t {
	case connector.String:
		if v.kind() == kString {
			return bx.String(v.raw()), nil
		}
	case connector.Int:
		if v.kind() == kNumber {
			if n, ok := jsonscan.SmallInt(v.raw()); ok {
				return bx.Int(n), nil
			}
		}
	case connector.Timestamp:
		if v.kind() == kNumber {
			if n, ok := jsonscan.SmallInt(v.raw()); ok {
				if n == 0 {
					return nil, nil
				}
				tm, err := connector.EpochTime(n)
				if err != nil {
					return nil, err
				}
				return bx.Time(tm), nil
			}
		}
	case connector.Bool:
		switch v.kind() {
		case kTrue:
			return true, nil
		case kFalse:
			return false, nil
		}
	}
	return convertAny(t, v, bx)
}

// fastOp says how fillFast converts a column read from its object.
type fastOp uint8

const (
	opGeneral fastOp = iota // not in fillFast: fill's general loop
	opString
	opInt
	opTime
	opBool
	opDec
)

func fastOpOf(r role, t connector.Type) fastOp {
	if r != roleValue {
		return opGeneral // nested columns (geolocation.latitude) check their object first
	}
	switch t {
	case connector.String:
		return opString
	case connector.Int:
		return opInt
	case connector.Timestamp:
		return opTime
	case connector.Bool:
		return opBool
	case connector.Decimal:
		return opDec
	}
	return opGeneral
}

// maxEpochSeconds bounds the epochs fillFast converts itself: below it,
// connector.EpochTime reads seconds (it reads milliseconds from 1e11 on)
// and the time is inside its window.
var maxEpochSeconds = min(connector.MaxTime.Unix(), 100_000_000_000)

// fillFast converts the value columns of b, in column order, from the
// object's values vals into row while they come in the forms the API sends
// (text as a string or number, integers and epochs as JSON integers, JSON
// booleans, canonical decimals, null or absent), giving exactly what
// convert gives for them. It returns the index in b.vals of the first
// column it leaves (len(b.vals) when none): fill converts that one and the
// rest with the general rules, which also make the errors.
func (b *binding) fillFast(row []any, vals []val, bx *connector.Boxer) int {
	cols := b.vals // a local: the stores below cannot change it
	for k := range cols {
		c := &cols[k]
		v := &vals[c.slot]
		var x any
		var ok bool
		if v.kind() > kNull { // absent and null are NULL in every type
			switch c.op {
			case opString:
				if v.kind() != kString && v.kind() != kNumber {
					return k
				}
				x = bx.String(v.raw())
			case opInt:
				if v.kind() != kNumber {
					return k
				}
				var n int64
				if len(v.raw()) == 1 && v.raw()[0]-'0' <= 9 { // the many zeros and quantities
					n = int64(v.raw()[0] - '0')
				} else if n, ok = jsonscan.SmallInt(v.raw()); !ok {
					return k
				}
				x = bx.Int(n)
			case opTime:
				if v.kind() != kNumber {
					return k
				}
				var n int64
				if len(v.raw()) == 1 && v.raw()[0]-'0' <= 9 { // mostly 0: not set
					n = int64(v.raw()[0] - '0')
				} else if n, ok = jsonscan.SmallInt(v.raw()); !ok {
					return k
				}
				switch {
				case n > 0 && n < maxEpochSeconds:
					// What connector.EpochTime gives, without its checks:
					// seconds after 1970 and before MaxTime.
					x = bx.Time(time.Unix(n, 0).UTC())
				case n != 0: // 0 is "not set": NULL
					tm, err := connector.EpochTime(n)
					if err != nil {
						return k
					}
					x = bx.Time(tm)
				}
			case opBool:
				switch v.kind() {
				case kTrue:
					x = true
				case kFalse:
					x = false
				default:
					return k
				}
			case opDec:
				if v.kind() != kNumber {
					return k
				}
				d, err := connector.ParseDec(v.raw())
				if err != nil {
					return k
				}
				x = bx.Dec(d)
			default:
				return k
			}
		} else if c.op == opGeneral {
			return k
		}
		row[c.i] = x
	}
	return len(cols)
}

// convertAny converts any form of a value.
func convertAny(t connector.Type, v val, bx *connector.Boxer) (any, error) {
	switch t {
	case connector.Int:
		n, ok, err := v.int()
		if !ok || err != nil {
			return nil, err
		}
		return bx.Int(n), nil
	case connector.Decimal:
		d, ok, err := v.dec()
		if !ok || err != nil {
			return nil, err
		}
		return bx.Dec(d), nil
	case connector.Bool:
		b, ok, err := v.bool()
		if !ok || err != nil {
			return nil, err
		}
		return b, nil // true and false are boxed without allocating
	case connector.Timestamp:
		tm, ok, err := v.time()
		if !ok || err != nil {
			return nil, err
		}
		return bx.Time(tm), nil
	case connector.JSON:
		j, ok, err := v.json()
		if !ok || err != nil {
			return nil, err
		}
		return bx.JSON(j), nil
	}
	s, ok, err := v.string()
	if !ok || err != nil {
		return nil, err
	}
	return bx.String(s), nil
}

// string converts to text: a string as sent, a number as its literal,
// true/false, and an object or list as its compact JSON. ok is false for
// absent and null (NULL).
func (v val) string() (s string, ok bool, err error) {
	switch v.kind() {
	case kAbsent, kNull:
		return "", false, nil
	case kString, kNumber:
		return v.raw(), true, nil
	case kTrue:
		return "true", true, nil
	case kFalse:
		return "false", true, nil
	}
	tree, err := decodeTree([]byte(v.raw()))
	if err != nil {
		return "", false, err
	}
	x, err := toString(tree)
	if x == nil || err != nil {
		return "", false, err
	}
	return x.(string), true, nil
}

// text returns the text of a scalar for numeric parsing; ok is false for
// null and empty text.
func (v val) text() (s string, ok bool, err error) {
	switch v.kind() {
	case kAbsent, kNull:
		return "", false, nil
	case kString:
		s = strings.TrimSpace(v.raw())
		return s, s != "", nil
	case kNumber:
		return v.raw(), true, nil
	}
	return "", false, fmt.Errorf("%s is not a number", v.describe())
}

// int reads an integer; ok is false for null and empty text.
func (v val) int() (n int64, ok bool, err error) {
	s, ok, err := v.text()
	if !ok || err != nil {
		return 0, false, err
	}
	n, err = parseInt(s)
	if err != nil {
		return 0, false, err
	}
	return n, true, nil
}

// parseInt reads an integer; a whole number in another notation ("12.0",
// "1e3") is accepted.
func parseInt(s string) (int64, error) {
	if i, ok := jsonscan.SmallInt(s); ok {
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

// dec reads an exact decimal; ok is false for null and empty text.
func (v val) dec() (d connector.Dec, ok bool, err error) {
	s, ok, err := v.text()
	if !ok || err != nil {
		return d, false, err
	}
	d, err = connector.ParseDec(s)
	if err != nil {
		return d, false, fmt.Errorf("%s is not a decimal number", quote(s))
	}
	return d, true, nil
}

// bool reads a boolean with connector.ParseBool: true/false, 1/0 and a few
// words; any other value ("nope", 2) rejects the record, never true.
func (v val) bool() (b, ok bool, err error) {
	var x any
	switch v.kind() {
	case kAbsent, kNull:
		return false, false, nil
	case kTrue:
		return true, true, nil
	case kFalse:
		return false, true, nil
	case kNumber:
		x = json.Number(v.raw())
	case kString:
		x = v.raw()
	default:
		return false, false, fmt.Errorf("%s is not a boolean", v.describe())
	}
	return connector.ParseBool(x)
}

// time reads an epoch with connector.EpochTime (seconds below 1e11,
// milliseconds from 1e11 on, inside 1970-2100); 0 means "not set" and gives
// NULL (ok false).
func (v val) time() (t time.Time, ok bool, err error) {
	s, ok, err := v.text()
	if !ok || err != nil {
		return t, false, err
	}
	n, err := parseInt(s)
	switch {
	case err != nil:
		return t, false, err
	case n == 0:
		return t, false, nil
	}
	t, err = connector.EpochTime(n)
	if err != nil {
		return t, false, err
	}
	return t, true, nil
}

// key reads a record key with connector.KeyText: text only (a number, an
// object, a list or a boolean is the wrong JSON type).
func (v val) key(bx *connector.Boxer) (string, error) {
	var x any
	switch v.kind() {
	case kAbsent, kNull:
		return "", errors.New("missing")
	case kString:
		x = bx.String(v.raw())
	case kNumber:
		x = json.Number(v.raw())
	case kTrue, kFalse:
		x = v.kind() == kTrue
	default:
		tree, err := decodeTree([]byte(v.raw()))
		if err != nil {
			return "", err
		}
		x = tree
	}
	return connector.KeyText(x, false)
}

// json reads any value as its compact JSON; ok is false for null.
func (v val) json() (j connector.RawJSON, ok bool, err error) {
	var x any
	switch v.kind() {
	case kAbsent, kNull:
		return "", false, nil
	case kString:
		x = v.raw()
	case kNumber:
		x = json.Number(v.raw())
	case kTrue, kFalse:
		x = v.kind() == kTrue
	default:
		tree, err := decodeTree([]byte(v.raw()))
		if err != nil {
			return "", false, err
		}
		x = tree
	}
	data, err := json.Marshal(x)
	if err != nil {
		return "", false, err
	}
	return connector.RawJSON(data), true, nil
}

func (v val) describe() string {
	switch v.kind() {
	case kObject:
		return "an object"
	case kArray:
		return "a list"
	case kTrue, kFalse:
		return "a boolean"
	}
	return v.raw()
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
