package misa

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/facolos/etl/internal/jsonscan"
)

// Records are read with the JSON scanner the platforms share
// (internal/jsonscan): it walks the members of an object or the elements of
// an array and hands out the raw bytes of each value without copying or
// decoding them, so a record is read once and each value is converted
// straight into its column's Go type. Keys are decoded as encoding/json
// decodes them. Every value is validated on the way; bytes that are not
// JSON (a body cut short, a mutated one) give errMalformed, never a panic.

var (
	errNotObject = errors.New("not a JSON object")
	errMalformed = errors.New("malformed JSON")
)

// eachMember calls fn with the key (decoded; it aliases data) and the raw
// value of every member of the object in data. It returns errNotObject
// when data is not an object and errMalformed when it is not well formed
// (or is followed by more than whitespace).
func eachMember(data []byte, fn func(key string, val []byte) error) error {
	s := jsonscan.NewBytes(data)
	if s.Lookahead() != '{' {
		return errNotObject
	}
	var err error
	ok := s.Members(func(key string) bool {
		s.Lookahead()
		start := s.Pos()
		if !s.Skip() {
			return false
		}
		err = fn(key, data[start:s.Pos()])
		return err == nil
	})
	if err != nil {
		return err
	}
	if !ok || !s.AtEnd() {
		return errMalformed
	}
	return nil
}

// eachElement calls fn with the raw bytes of every element of the array in
// data. null is an empty array; another value is an error, and so is an
// array that is not well formed (errMalformed).
func eachElement(data []byte, fn func(val []byte) error) error {
	s := jsonscan.NewBytes(data)
	switch s.Lookahead() {
	case 'n':
		return nil
	case '[':
	default:
		return fmt.Errorf("%s is not a list", describeRaw(data))
	}
	var err error
	ok := s.Elements(func(int) bool {
		s.Lookahead()
		start := s.Pos()
		if !s.Skip() {
			return false
		}
		err = fn(data[start:s.Pos()])
		return err == nil
	})
	if err != nil {
		return err
	}
	if !ok || !s.AtEnd() {
		return errMalformed
	}
	return nil
}

// firstByte returns the first byte of raw after whitespace; ok is false
// when there is none.
func firstByte(raw []byte) (c byte, ok bool) {
	s := jsonscan.NewBytes(raw)
	if s.AtEnd() {
		return 0, false
	}
	return s.Lookahead(), true
}

// rawString returns the text of a raw JSON string value (a copy of raw's
// bytes); ok is false when raw is not a string.
func rawString(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' {
		return "", false
	}
	inner := string(raw[1 : len(raw)-1])
	if bytes.IndexByte(raw, '\\') < 0 {
		return inner, true
	}
	return jsonscan.Unquote(inner)
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
