package misa

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// A small scanner over JSON text: it walks the members of an object or the
// elements of an array and hands out the raw bytes of each value without
// copying or decoding them, so a record is read once and each value is
// converted straight into its column's Go type. It does not validate the
// values it skips (the HTTP client and the transformer run json.Valid), but
// it checks every index against the input: bytes that are not JSON (a body
// cut short, a mutated one) give errMalformed, never a panic.

var (
	errNotObject = errors.New("not a JSON object")
	errMalformed = errors.New("malformed JSON")
)

// skipSpace returns the index of the first non-space byte at or after i.
func skipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// valueEnd returns the index just after the JSON value starting at b[i], or
// -1 when there is no complete value there (end of input, a string or
// container not closed, a separator where a value belongs).
func valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				if i = stringEnd(b, i); i < 0 {
					return -1
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return -1
	}
	start := i
	for i < len(b) {
		switch b[i] {
		case ',', '}', ']', ':', ' ', '\t', '\n', '\r':
			if i == start {
				return -1
			}
			return i
		}
		i++
	}
	return i
}

// stringEnd returns the index just after the string starting at b[i] ('"'),
// or -1 when it is not closed.
func stringEnd(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return -1
}

// eachMember calls fn with the raw key (quotes included) and raw value of
// every member of the object in data. It returns errNotObject when data is
// not an object and errMalformed when the object is not well formed.
func eachMember(data []byte, fn func(key, val []byte) error) error {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return errNotObject
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return trailing(data, i+1)
	}
	for {
		if i >= len(data) || data[i] != '"' {
			return errMalformed
		}
		ke := stringEnd(data, i)
		if ke < 0 {
			return errMalformed
		}
		key := data[i:ke]
		i = skipSpace(data, ke)
		if i >= len(data) || data[i] != ':' {
			return errMalformed
		}
		i = skipSpace(data, i+1)
		ve := valueEnd(data, i)
		if ve < 0 {
			return errMalformed
		}
		if err := fn(key, data[i:ve]); err != nil {
			return err
		}
		i = skipSpace(data, ve)
		if i >= len(data) {
			return errMalformed
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case '}':
			return trailing(data, i+1)
		default:
			return errMalformed
		}
	}
}

// eachElement calls fn with the raw bytes of every element of the array in
// data. null is an empty array; another value is an error, and so is an
// array that is not well formed (errMalformed).
func eachElement(data []byte, fn func(val []byte) error) error {
	i := skipSpace(data, 0)
	if i < len(data) && data[i] == 'n' {
		return nil
	}
	if i >= len(data) || data[i] != '[' {
		return fmt.Errorf("%s is not a list", describeRaw(data))
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == ']' {
		return trailing(data, i+1)
	}
	for {
		ve := valueEnd(data, i)
		if ve < 0 {
			return errMalformed
		}
		if err := fn(data[i:ve]); err != nil {
			return err
		}
		i = skipSpace(data, ve)
		if i >= len(data) {
			return errMalformed
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case ']':
			return trailing(data, i+1)
		default:
			return errMalformed
		}
	}
}

// trailing checks that only space follows a value that ends at i.
func trailing(data []byte, i int) error {
	if skipSpace(data, i) != len(data) {
		return errMalformed
	}
	return nil
}

// keyString returns the text of a raw key.
func keyString(raw []byte) string {
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner)
	}
	// Escapes, or bytes that are not UTF-8 (encoding/json turns each into
	// U+FFFD): decode as encoding/json does, so a key means the same here.
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(inner)
}

// rawString returns the text of a raw JSON string value; ok is false when
// raw is not a string.
func rawString(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' {
		return "", false
	}
	for _, c := range raw[1 : len(raw)-1] {
		if c == '\\' {
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return "", false
			}
			return s, true
		}
	}
	return string(raw[1 : len(raw)-1]), true
}

func describeRaw(raw []byte) string {
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "a list"
	case 't', 'f':
		return "a boolean"
	}
	s := string(raw)
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return s
}
