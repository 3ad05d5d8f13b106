package tiktok

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"unsafe"
)

// The order decoder: one validating pass over the order's JSON text per
// object, with no copy of any value. The text is made a string once (the
// raw_order_json column) and every value is a substring of it: a scalar's
// text in a val, a nested object or list in a json.RawMessage that aliases
// the string (read only, never written). Only strings with escapes are
// unquoted (by the standard library). Keys match as encoding/json matches
// them: exactly, else without regard to case; the last of duplicate keys
// wins; unknown keys are validated and skipped.

// maxDepth bounds the nesting of a value, as encoding/json does.
const maxDepth = 10000

// field is where a key of an API object is stored.
type field struct {
	off uintptr
	raw bool // a json.RawMessage, else a val
}

// fields maps the keys of one API object to its struct's fields.
type fields struct {
	byKey map[string]field
	keys  []string
}

func fieldsOf(v any) *fields {
	t := reflect.TypeOf(v)
	fs := &fields{byKey: map[string]field{}}
	rawType := reflect.TypeOf(json.RawMessage(nil))
	valType := reflect.TypeOf(val{})
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := strings.Split(f.Tag.Get("json"), ",")[0]
		if tag == "" {
			continue
		}
		switch f.Type {
		case rawType:
			fs.byKey[tag] = field{off: f.Offset, raw: true}
		case valType:
			fs.byKey[tag] = field{off: f.Offset}
		default:
			panic("tiktok: field " + f.Name + " is neither a val nor a json.RawMessage")
		}
		fs.keys = append(fs.keys, tag)
	}
	return fs
}

var (
	orderFields     = fieldsOf(apiOrder{})
	paymentFields   = fieldsOf(apiPayment{})
	recipientFields = fieldsOf(apiRecipient{})
	itemFields      = fieldsOf(apiItem{})
	packageFields   = fieldsOf(apiPackage{})
)

func (fs *fields) lookup(key string) (field, bool) {
	if f, ok := fs.byKey[key]; ok {
		return f, true
	}
	// The keys are lower-case ASCII: an ASCII key matches one without
	// regard to case only as its lower case; others are folded in full.
	var buf [64]byte
	upper, ascii := false, len(key) <= len(buf)
	for i := 0; i < len(key) && ascii; i++ {
		c := key[i]
		switch {
		case c >= 0x80:
			ascii = false
		case c >= 'A' && c <= 'Z':
			upper = true
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	if ascii {
		if !upper {
			return field{}, false
		}
		f, ok := fs.byKey[string(buf[:len(key)])]
		return f, ok
	}
	for _, k := range fs.keys {
		if strings.EqualFold(k, key) {
			return fs.byKey[k], true
		}
	}
	return field{}, false
}

// decodeOrder decodes the order text s (null is an empty order).
func decodeOrder(s string, o *apiOrder) error {
	data := unsafe.Slice(unsafe.StringData(s), len(s))
	d := decoder{data: data}
	d.ws()
	if d.literal("null") {
		d.ws()
		if d.i != len(data) {
			return d.errf("data after the order")
		}
		return nil
	}
	if d.i >= len(data) || data[d.i] != '{' {
		return errors.New("not an object")
	}
	if err := d.object(orderFields, unsafe.Pointer(o)); err != nil {
		return err
	}
	d.ws()
	if d.i != len(data) {
		return d.errf("data after the order")
	}
	return nil
}

// decodeObject decodes an object of the order (already validated as part
// of it) into dst; null or absent leaves dst as it is.
func decodeObject(raw json.RawMessage, dst any) error {
	if isNull(raw) {
		return nil
	}
	if raw[0] != '{' {
		return errors.New("not an object")
	}
	var fs *fields
	var p unsafe.Pointer
	switch v := dst.(type) {
	case *apiPayment:
		fs, p = paymentFields, unsafe.Pointer(v)
	case *apiRecipient:
		fs, p = recipientFields, unsafe.Pointer(v)
	case *apiItem:
		fs, p = itemFields, unsafe.Pointer(v)
	case *apiPackage:
		fs, p = packageFields, unsafe.Pointer(v)
	default:
		panic(fmt.Sprintf("tiktok: decodeObject into %T", dst))
	}
	d := decoder{data: raw, valid: true}
	return d.object(fs, p)
}

// decodeList splits a list of the order into its elements.
func decodeList(raw json.RawMessage, dst *[]json.RawMessage) error {
	if isNull(raw) {
		return nil
	}
	if raw[0] != '[' {
		return errors.New("not a list")
	}
	d := decoder{data: raw, valid: true}
	d.i++
	d.ws()
	if d.peek() == ']' {
		return nil
	}
	for {
		d.ws()
		start := d.i
		if err := d.skip(1); err != nil {
			return err
		}
		*dst = append(*dst, raw[start:d.i:d.i])
		d.ws()
		switch d.peek() {
		case ',':
			d.i++
		case ']':
			return nil
		default:
			return d.errf("expected , or ] in a list")
		}
	}
}

type decoder struct {
	data []byte
	i    int
	// valid is set for text already validated as part of its order:
	// strings are then passed by a search for their closing quote.
	valid bool
}

func (d *decoder) errf(format string, args ...any) error {
	return fmt.Errorf("invalid JSON at offset %d: %s", d.i, fmt.Sprintf(format, args...))
}

func (d *decoder) peek() byte {
	if d.i < len(d.data) {
		return d.data[d.i]
	}
	return 0
}

func (d *decoder) ws() {
	for d.i < len(d.data) {
		switch d.data[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *decoder) literal(lit string) bool {
	if len(d.data)-d.i >= len(lit) && string(d.data[d.i:d.i+len(lit)]) == lit {
		d.i += len(lit)
		return true
	}
	return false
}

// object decodes the object at d.i into the struct at p.
func (d *decoder) object(fs *fields, p unsafe.Pointer) error {
	d.i++ // {
	d.ws()
	if d.peek() == '}' {
		d.i++
		return nil
	}
	for {
		d.ws()
		if d.peek() != '"' {
			return d.errf("expected a key")
		}
		ks := d.i
		esc, err := d.str()
		if err != nil {
			return err
		}
		key := text(d.data[ks+1 : d.i-1])
		if esc {
			var k string
			if err := json.Unmarshal(d.data[ks:d.i], &k); err != nil {
				return err
			}
			key = k
		}
		d.ws()
		if d.peek() != ':' {
			return d.errf("expected : after key")
		}
		d.i++
		d.ws()
		start := d.i
		if err := d.skip(1); err != nil {
			return err
		}
		if f, ok := fs.lookup(key); ok {
			v := d.data[start:d.i:d.i]
			if f.raw {
				*(*json.RawMessage)(unsafe.Add(p, f.off)) = v
			} else if err := setVal((*val)(unsafe.Add(p, f.off)), v); err != nil {
				return err
			}
		}
		d.ws()
		switch d.peek() {
		case ',':
			d.i++
		case '}':
			d.i++
			return nil
		default:
			return d.errf("expected , or } in an object")
		}
	}
}

// setVal sets v from one valid JSON value whose bytes never change.
func setVal(v *val, data []byte) error {
	switch data[0] {
	case 'n':
		*v = val{}
	case '"':
		for _, c := range data {
			if c == '\\' {
				var s string
				if err := json.Unmarshal(data, &s); err != nil {
					return err
				}
				v.s, v.k = s, kString
				return nil
			}
		}
		v.s, v.k = text(data[1:len(data)-1]), kString
	case 't':
		v.s, v.k = "true", kBool
	case 'f':
		v.s, v.k = "false", kBool
	case '{':
		v.s, v.k = "", kOther
	case '[':
		v.s, v.k = "[", kOther
	default:
		v.s, v.k = text(data), kNumber
	}
	return nil
}

// skip validates and passes the value at d.i.
func (d *decoder) skip(depth int) error {
	if depth > maxDepth {
		return d.errf("nested too deeply")
	}
	switch c := d.peek(); {
	case c == '"':
		_, err := d.str()
		return err
	case c == '{':
		d.i++
		d.ws()
		if d.peek() == '}' {
			d.i++
			return nil
		}
		for {
			d.ws()
			if d.peek() != '"' {
				return d.errf("expected a key")
			}
			if _, err := d.str(); err != nil {
				return err
			}
			d.ws()
			if d.peek() != ':' {
				return d.errf("expected : after key")
			}
			d.i++
			d.ws()
			if err := d.skip(depth + 1); err != nil {
				return err
			}
			d.ws()
			switch d.peek() {
			case ',':
				d.i++
			case '}':
				d.i++
				return nil
			default:
				return d.errf("expected , or } in an object")
			}
		}
	case c == '[':
		d.i++
		d.ws()
		if d.peek() == ']' {
			d.i++
			return nil
		}
		for {
			d.ws()
			if err := d.skip(depth + 1); err != nil {
				return err
			}
			d.ws()
			switch d.peek() {
			case ',':
				d.i++
			case ']':
				d.i++
				return nil
			default:
				return d.errf("expected , or ] in a list")
			}
		}
	case c == 't':
		if d.literal("true") {
			return nil
		}
	case c == 'f':
		if d.literal("false") {
			return nil
		}
	case c == 'n':
		if d.literal("null") {
			return nil
		}
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number()
	}
	return d.errf("unexpected %q", d.peek())
}

// str passes the string at d.i; esc is whether it has escapes.
func (d *decoder) str() (esc bool, err error) {
	d.i++ // "
	if d.valid {
		return d.validStr(), nil
	}
	for d.i < len(d.data) {
		// the plain run up to a quote, an escape or a control character
		i, data := d.i, d.data
		for i+8 <= len(data) && !special(binary.LittleEndian.Uint64(data[i:])) {
			i += 8
		}
		for i < len(data) && data[i] >= 0x20 && data[i] != '"' && data[i] != '\\' {
			i++
		}
		d.i = i
		if i == len(data) {
			break
		}
		c := data[i]
		switch {
		case c == '"':
			d.i++
			return esc, nil
		case c == '\\':
			esc = true
			d.i++
			switch d.peek() {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				d.i++
			case 'u':
				d.i++
				for k := 0; k < 4; k++ {
					if !isHex(d.peek()) {
						return esc, d.errf("bad \\u escape")
					}
					d.i++
				}
			default:
				return esc, d.errf("bad escape")
			}
		case c < 0x20:
			return esc, d.errf("control character in a string")
		default:
			d.i++
		}
	}
	return esc, d.errf("unterminated string")
}

// validStr passes the rest of a valid string from d.i; it reports
// whether the string has escapes.
func (d *decoder) validStr() (esc bool) {
	start := d.i
	for {
		j := bytes.IndexByte(d.data[d.i:], '"')
		if j < 0 {
			d.i = len(d.data) // not reached: the text is valid
			return esc
		}
		end := d.i + j
		n := 0
		for k := end - 1; k >= start && d.data[k] == '\\'; k-- {
			n++
		}
		d.i = end + 1
		if n%2 == 0 {
			return esc || bytes.IndexByte(d.data[start:end], '\\') >= 0
		}
		esc = true
	}
}

// special is whether any of the 8 bytes in x is a quote, a backslash or a
// control character (below 0x20).
func special(x uint64) bool {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	hasZero := func(v uint64) uint64 { return (v - lo) & ^v & hi }
	return (x-lo*0x20)&^x&hi|hasZero(x^(lo*'"'))|hasZero(x^(lo*'\\')) != 0
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func (d *decoder) digits() int {
	n := 0
	for d.i < len(d.data) && d.data[d.i] >= '0' && d.data[d.i] <= '9' {
		d.i++
		n++
	}
	return n
}

// number passes the number at d.i (JSON's grammar).
func (d *decoder) number() error {
	if d.peek() == '-' {
		d.i++
	}
	switch c := d.peek(); {
	case c == '0':
		d.i++
	case c >= '1' && c <= '9':
		d.digits()
	default:
		return d.errf("bad number")
	}
	if d.peek() == '.' {
		d.i++
		if d.digits() == 0 {
			return d.errf("bad number")
		}
	}
	if c := d.peek(); c == 'e' || c == 'E' {
		d.i++
		if c := d.peek(); c == '+' || c == '-' {
			d.i++
		}
		if d.digits() == 0 {
			return d.errf("bad number")
		}
	}
	return nil
}
