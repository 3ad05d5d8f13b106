package jsonscan

import (
	"math"
	"strconv"
	"unsafe"
)

// MaxDepth is the deepest nesting of objects and arrays a Scanner reads,
// encoding/json's limit: a value at the top is at depth 1, and an object or
// array at depth MaxDepth+1 is an error.
const MaxDepth = 10000

// Kind is the JSON kind of a value.
type Kind uint8

// The kinds of JSON values. None is the kind of the zero Value, for "no
// value" (a key the object does not have); a Scanner never reads it.
const (
	None Kind = iota
	Null
	String
	Number
	True
	False
	Object
	Array
)

var kindNames = [...]string{"none", "null", "string", "number", "true", "false", "object", "array"}

// String returns the kind's name ("string", "null", ...).
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Value is one JSON value as a Scanner reads it: its kind and its text.
// The text of a string is its decoded value, of a number its literal, of
// an object or array its raw JSON text; true, false and null have none.
// The zero Value is of kind None. A Value takes 16 bytes (its text is kept
// as a pointer and a 32-bit length): decoders keep many.
type Value struct {
	p *byte
	n uint32
	k Kind
}

// MaxInput is the largest input a Scanner reads (a Value's 32-bit length).
const MaxInput = math.MaxUint32

// MakeValue returns the Value of kind k with text (shorter than MaxInput).
func MakeValue(k Kind, text string) Value {
	return Value{p: unsafe.StringData(text), n: uint32(len(text)), k: k}
}

// Kind returns the value's kind.
func (v Value) Kind() Kind { return v.k }

// Text returns the value's text.
func (v Value) Text() string { return unsafe.String(v.p, int(v.n)) }

// SyntaxError is why a Scanner stopped: the input is not JSON there.
type SyntaxError struct {
	Offset int    // the byte offset where reading stopped
	Msg    string // what was expected or found
}

// Error implements error.
func (e *SyntaxError) Error() string {
	return "invalid JSON at offset " + strconv.Itoa(e.Offset) + ": " + e.Msg
}

// Scanner reads JSON values from a string, one at a time from its
// position. The zero Scanner reads an empty input; New or Reset give it one.
type Scanner struct {
	data  string
	pos   int
	depth int
	// The first failure: what and where (errMsg "" while none). Kept as
	// two fields, not an error, so failing stays cheap enough for the
	// small readers to be inlined.
	errMsg string
	errAt  int
}

// New returns a Scanner at the start of data. An input longer than
// MaxInput is not read: the Scanner has failed.
func New(data string) *Scanner {
	s := new(Scanner)
	s.Reset(data)
	return s
}

// NewBytes returns a Scanner at the start of b without copying it: b must
// not change while the Scanner, or any string it returned, is in use (the
// strings alias b).
func NewBytes(b []byte) *Scanner {
	return New(unsafe.String(unsafe.SliceData(b), len(b)))
}

// Reset makes s read data from its start, forgetting any failure. An input
// longer than MaxInput is not read: the Scanner has failed.
func (s *Scanner) Reset(data string) {
	*s = Scanner{data: data}
	if uint64(len(data)) > MaxInput {
		*s = Scanner{errMsg: "input of 4 GiB or more"}
	}
}

// Data returns the input.
func (s *Scanner) Data() string { return s.data }

// Pos returns the offset of the next byte to read.
func (s *Scanner) Pos() int { return s.pos }

// Depth returns how many objects and arrays are open at the position.
func (s *Scanner) Depth() int { return s.depth }

// Err returns the first failure (a *SyntaxError), or nil.
func (s *Scanner) Err() error {
	if s.errMsg == "" {
		return nil
	}
	return &SyntaxError{Offset: s.errAt, Msg: s.errMsg}
}

// Failed reports whether the Scanner has failed (Err is not nil).
func (s *Scanner) Failed() bool { return s.errMsg != "" }

// fail records msg (not empty) at the position, unless an earlier failure
// is recorded, and returns false.
func (s *Scanner) fail(msg string) bool {
	if s.errMsg == "" {
		s.errMsg, s.errAt = msg, s.pos
	}
	return false
}

// Lookahead skips whitespace and returns the next byte, without reading
// it; 0 at the end of the input (check Pos against len(Data()) to tell
// the end from a NUL byte).
func (s *Scanner) Lookahead() byte {
	if s.pos < len(s.data) && s.data[s.pos] > ' ' { // no whitespace: the usual case
		return s.data[s.pos]
	}
	return s.wsSlow()
}

func (s *Scanner) wsSlow() byte {
	for s.pos < len(s.data) {
		switch c := s.data[s.pos]; c {
		case ' ', '\n', '\r', '\t':
			s.pos++
		default:
			return c
		}
	}
	return 0
}

// AtEnd skips whitespace and reports whether the input ends there.
func (s *Scanner) AtEnd() bool {
	s.Lookahead()
	return s.pos == len(s.data)
}

// enter and leave track the nesting depth.
func (s *Scanner) enter() bool {
	s.depth++
	if s.depth > MaxDepth {
		return s.fail("nested too deeply")
	}
	return true
}

func (s *Scanner) leave() { s.depth-- }

// Value reads a value of any kind. Strings are decoded as encoding/json
// decodes them; an object or array is validated and returned as its raw
// text.
func (s *Scanner) Value() (Value, bool) {
	switch s.Lookahead() {
	case '"':
		str, ok := s.str()
		return MakeValue(String, str), ok
	case '{', '[':
		start := s.pos
		if !s.Skip() {
			return Value{}, false
		}
		k := Object
		if s.data[start] == '[' {
			k = Array
		}
		return MakeValue(k, s.data[start:s.pos]), true
	case 't':
		return Value{k: True}, s.lit("true")
	case 'f':
		return Value{k: False}, s.lit("false")
	case 'n':
		return Value{k: Null}, s.lit("null")
	case '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		// An integer without fraction or exponent, the usual number,
		// read here; number reads the rest (and the same integers).
		d, i := s.data, s.pos
		j := i + 1
		if d[i] != '0' {
			j = digits(d, j)
		}
		if j >= len(d) || d[j] != '.' && d[j] != 'e' && d[j] != 'E' {
			s.pos = j
			return MakeValue(Number, d[i:j]), true
		}
	}
	n, ok := s.number()
	return MakeValue(Number, n), ok
}

func (s *Scanner) lit(w string) bool {
	if len(s.data)-s.pos < len(w) || s.data[s.pos:s.pos+len(w)] != w {
		return s.fail("bad literal")
	}
	s.pos += len(w)
	return true
}

// Number reads a number and returns its literal (JSON's grammar; the
// literal may be beyond float64's range, as encoding/json's Number).
func (s *Scanner) Number() (string, bool) {
	s.Lookahead()
	return s.number()
}

func (s *Scanner) number() (string, bool) {
	d, i := s.data, s.pos
	start := i
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i >= len(d):
		return "", s.fail("expected a value")
	case d[i] == '0':
		i++
	case d[i] >= '1' && d[i] <= '9':
		i = digits(d, i+1)
	default:
		if i == start {
			return "", s.fail("expected a value")
		}
		return "", s.fail("bad number")
	}
	if i < len(d) && d[i] == '.' {
		i++
		j := i
		i = digits(d, i)
		if i == j {
			return "", s.fail("bad number")
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		j := i
		i = digits(d, i)
		if i == j {
			return "", s.fail("bad number")
		}
	}
	s.pos = i
	return d[start:i], true
}

// Str reads a string and returns its value, decoded as encoding/json
// decodes it: escapes decoded, invalid UTF-8 and unpaired surrogates
// replaced by U+FFFD. A string without escapes and with valid UTF-8 is a
// substring of the input.
func (s *Scanner) Str() (string, bool) {
	if s.Lookahead() != '"' {
		return "", s.fail("expected a string")
	}
	return s.str()
}

// RawStr reads a string (its escapes are checked) and returns its text
// between the quotes as sent, a substring of the input: escapes are not
// decoded and UTF-8 is not checked. escaped reports whether the text has
// escapes; Unquote(text) is then the string's value.
func (s *Scanner) RawStr() (text string, escaped bool, ok bool) {
	if s.Lookahead() != '"' {
		return "", false, s.fail("expected a string")
	}
	start := s.pos + 1
	end, esc := strEnd(s.data, start)
	if end < 0 {
		return "", false, s.fail("bad string")
	}
	s.pos = end + 1
	return s.data[start:end], esc, true
}

// Skip reads and validates one value of any kind.
func (s *Scanner) Skip() bool {
	switch s.Lookahead() {
	case '{':
		return s.skipObject()
	case '[':
		return s.skipArray()
	case '"':
		end, _ := strEnd(s.data, s.pos+1)
		if end < 0 {
			return s.fail("bad string")
		}
		s.pos = end + 1
		return true
	}
	_, ok := s.Value()
	return ok
}

func (s *Scanner) skipObject() bool {
	if !s.enter() {
		return false
	}
	s.pos++ // '{'
	if s.Lookahead() == '}' {
		s.pos++
		s.leave()
		return true
	}
	for {
		if s.Lookahead() != '"' {
			return s.fail("expected a key")
		}
		end, _ := strEnd(s.data, s.pos+1)
		if end < 0 {
			return s.fail("bad string")
		}
		s.pos = end + 1
		if !s.colon() || !s.Skip() {
			return false
		}
		switch s.Lookahead() {
		case ',':
			s.pos++
		case '}':
			s.pos++
			s.leave()
			return true
		default:
			return s.fail("expected , or } after an object member")
		}
	}
}

func (s *Scanner) skipArray() bool {
	if !s.enter() {
		return false
	}
	s.pos++ // '['
	if s.Lookahead() == ']' {
		s.pos++
		s.leave()
		return true
	}
	for {
		if !s.Skip() {
			return false
		}
		switch s.Lookahead() {
		case ',':
			s.pos++
		case ']':
			s.pos++
			s.leave()
			return true
		default:
			return s.fail("expected , or ] after an array element")
		}
	}
}

func (s *Scanner) colon() bool {
	if s.Lookahead() != ':' {
		return s.fail("expected : after a key")
	}
	s.pos++
	return true
}

// Members reads an object, calling member for each key (decoded as Str
// decodes it) with the position at the member's value; member must read
// the value (or Skip it) and return true, or false to stop: Members then
// fails. The key is a substring of the input unless it has escapes or
// invalid UTF-8.
func (s *Scanner) Members(member func(key string) bool) bool {
	if s.Lookahead() != '{' {
		return s.fail("expected an object")
	}
	if !s.enter() {
		return false
	}
	s.pos++
	if s.Lookahead() == '}' {
		s.pos++
		s.leave()
		return true
	}
	for {
		if s.Lookahead() != '"' {
			return s.fail("expected a key")
		}
		key, ok := s.str()
		if !ok || !s.colon() {
			return false
		}
		if !member(key) {
			return s.fail("object member not read")
		}
		switch s.Lookahead() {
		case ',':
			s.pos++
		case '}':
			s.pos++
			s.leave()
			return true
		default:
			return s.fail("expected , or } after an object member")
		}
	}
}

// Elements reads an array, calling elem with each element's index and the
// position at the element; elem must read the element (or Skip it) and
// return true, or false to stop: Elements then fails.
func (s *Scanner) Elements(elem func(i int) bool) bool {
	if s.Lookahead() != '[' {
		return s.fail("expected an array")
	}
	if !s.enter() {
		return false
	}
	s.pos++
	if s.Lookahead() == ']' {
		s.pos++
		s.leave()
		return true
	}
	for i := 0; ; i++ {
		if !elem(i) {
			return s.fail("array element not read")
		}
		switch s.Lookahead() {
		case ',':
			s.pos++
		case ']':
			s.pos++
			s.leave()
			return true
		default:
			return s.fail("expected , or ] after an array element")
		}
	}
}

// ArrayIter walks the elements of an array (Scanner.Array).
type ArrayIter struct {
	s *Scanner
	n int // elements so far; -1 after the end or a failure
}

// Array starts reading the array at the position: Next moves to each
// element in turn, which the caller reads (or Skips) before the next call.
// When Next returns false the array has been read, or the Scanner failed
// (Err).
func (s *Scanner) Array() ArrayIter {
	if s.Lookahead() != '[' {
		s.fail("expected an array")
		return ArrayIter{s: s, n: -1}
	}
	if !s.enter() {
		return ArrayIter{s: s, n: -1}
	}
	s.pos++
	return ArrayIter{s: s}
}

// Next moves to the next element and reports whether there is one; false
// at the end of the array (read through its closing bracket) or on a
// failure.
func (a *ArrayIter) Next() bool {
	s := a.s
	if a.n < 0 {
		return false
	}
	c := s.Lookahead()
	if a.n > 0 {
		switch c {
		case ',':
			s.pos++
		case ']':
			s.pos++
			s.leave()
			a.n = -1
			return false
		default:
			a.n = -1
			return s.fail("expected , or ] after an array element")
		}
	} else if c == ']' {
		s.pos++
		s.leave()
		a.n = -1
		return false
	}
	a.n++
	return true
}

// Index returns the index of the current element.
func (a *ArrayIter) Index() int { return a.n - 1 }

// Valid reports whether data is one JSON value with nothing but whitespace
// around it: what encoding/json's Valid accepts (FuzzValue holds the two
// together), for inputs under MaxInput, without copying data and in about a
// third of the time.
func Valid(data []byte) bool {
	s := NewBytes(data)
	return s.Skip() && s.AtEnd()
}
