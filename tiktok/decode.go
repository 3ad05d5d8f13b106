package tiktok

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// The order decoder: one validating pass over the order's JSON text, with
// no copy of any value and nothing read twice. The text is made a string
// once (the raw_order_json column) and every value is a substring of it: a
// scalar's text in a val, a nested object or list in a json.RawMessage that
// aliases the string (read only, never written). The nested objects the
// table reads (payment, recipient_address, the first package and every
// line item) are decoded into their structs in the same pass, while their
// raw text is recorded for the JSON columns. Only strings with escapes are
// unquoted, into a string of their own, as encoding/json unquotes them
// (FuzzUnquote). Keys match as encoding/json matches them: exactly, else
// without regard to case; the last of duplicate keys wins (a repeated
// nested object replaces the earlier one whole); unknown keys are
// validated and skipped. FuzzDecodeOrder holds the decoder to
// encoding/json, and FuzzTransformMatchesReference holds the transformer
// to a reference built on encoding/json.

// maxDepth bounds the nesting of a value, as encoding/json does.
const maxDepth = 10000

// fieldKind is how the decoder stores the value of a key.
type fieldKind uint8

const (
	fVal       fieldKind = iota // a scalar, into a val
	fRaw                        // any value, kept raw in a json.RawMessage
	fPayment                    // apiOrder.Payment, decoded into apiOrder.payment
	fRecipient                  // apiOrder.RecipientAddress, decoded into apiOrder.recipient
	fPackages                   // apiOrder.Packages, its first element decoded into apiOrder.pkg
	fItems                      // apiOrder.LineItems, each element decoded into apiOrder.items
)

// field is where a key of an API object is stored.
type field struct {
	off  uintptr
	kind fieldKind
	n    uint8 // the key's number in its table, from 1
}

// fields maps the keys of one API object to its struct's fields: an open
// addressing table on a cheap hash of the key (its length and three of its
// bytes), checked by comparing the key.
type fields struct {
	slots []slot
	mask  uint32
	keys  []string
	byN   []field // by number - 1
	table int     // the fields' row in a keyOrder
}

type slot struct {
	key string // "" for a free slot
	f   field
}

// nestedKinds are the order's keys that the decoder descends into.
var nestedKinds = map[string]fieldKind{
	"payment": fPayment, "recipient_address": fRecipient, "packages": fPackages, "line_items": fItems,
}

func fieldsOf(table int, v any, nested map[string]fieldKind) *fields {
	t := reflect.TypeOf(v)
	fs := &fields{table: table}
	rawType := reflect.TypeOf(json.RawMessage(nil))
	valType := reflect.TypeOf(val{})
	var all []slot
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := strings.Split(f.Tag.Get("json"), ",")[0]
		if tag == "" {
			continue
		}
		if tag != strings.ToLower(tag) || strings.ContainsFunc(tag, func(r rune) bool { return r >= 0x80 }) {
			panic("tiktok: key " + tag + " is not lower-case ASCII")
		}
		switch f.Type {
		case rawType:
			k := fRaw
			if nk, ok := nested[tag]; ok {
				k = nk
			}
			all = append(all, slot{tag, field{off: f.Offset, kind: k, n: uint8(len(all) + 1)}})
		case valType:
			all = append(all, slot{tag, field{off: f.Offset, kind: fVal, n: uint8(len(all) + 1)}})
		default:
			panic("tiktok: field " + f.Name + " is neither a val nor a json.RawMessage")
		}
		fs.keys = append(fs.keys, tag)
		fs.byN = append(fs.byN, all[len(all)-1].f)
	}
	if len(all) > maxKeys {
		panic("tiktok: too many keys in " + t.Name())
	}
	n := 16
	for n < 4*len(all) {
		n *= 2
	}
	fs.slots, fs.mask = make([]slot, n), uint32(n-1)
	for _, s := range all {
		i := hashKey(s.key) & fs.mask
		for fs.slots[i].key != "" {
			i = (i + 1) & fs.mask
		}
		fs.slots[i] = s
	}
	return fs
}

var (
	orderFields     = fieldsOf(0, apiOrder{}, nestedKinds)
	paymentFields   = fieldsOf(1, apiPayment{}, nil)
	recipientFields = fieldsOf(2, apiRecipient{}, nil)
	itemFields      = fieldsOf(3, apiItem{}, nil)
	packageFields   = fieldsOf(4, apiPackage{}, nil)
)

// maxKeys bounds the keys of one fields table.
const maxKeys = 63

// keyOrder is the order of keys the decoder saw last, used to guess the
// next key: for each fields table and each known key (by number; 0 is the
// start of an object), the number of the known key that followed it. An
// API sends its keys in the same order every time, so the guess is
// usually right and the key is then matched by one comparison, without
// scanning it as a string and looking it up. A wrong guess only costs
// that comparison.
type keyOrder [5][maxKeys + 1]uint8

func hashKey(k string) uint32 {
	n := len(k)
	if n == 0 {
		return 0
	}
	return (uint32(n)*0x9e3779b1 ^ uint32(k[0])*0x85ebca6b ^ uint32(k[n-1])*0xc2b2ae35 ^ uint32(k[n/2])*0x27d4eb2f) >> 7
}

// find is the exact lookup.
func (fs *fields) find(key string) (field, bool) {
	for i := hashKey(key) & fs.mask; ; i = (i + 1) & fs.mask {
		s := &fs.slots[i]
		if s.key == key {
			return s.f, key != ""
		}
		if s.key == "" {
			return field{}, false
		}
	}
}

func (fs *fields) lookup(key string) (field, bool) {
	if f, ok := fs.find(key); ok {
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
		return fs.find(text(buf[:len(key)])) // find keeps nothing of its key
	}
	for _, k := range fs.keys {
		if strings.EqualFold(k, key) {
			return fs.find(k)
		}
	}
	return field{}, false
}

// decodeOrder decodes the order text s into o (null is an empty order).
// o is reset first; its item list keeps its capacity.
func decodeOrder(s string, o *apiOrder) error {
	*o = apiOrder{items: o.items[:0], keys: o.keys}
	data := unsafe.Slice(unsafe.StringData(s), len(s))
	d := decoder{data: data, keys: &o.keys}
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
	if err := d.object(orderFields, unsafe.Pointer(o), 0); err != nil {
		return err
	}
	d.ws()
	if d.i != len(data) {
		return d.errf("data after the order")
	}
	return nil
}

type decoder struct {
	data []byte
	i    int
	keys *keyOrder
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

// object decodes the object at d.i, at nesting depth depth, into the
// struct at p.
func (d *decoder) object(fs *fields, p unsafe.Pointer, depth int) error {
	if depth > maxDepth {
		return d.errf("nested too deeply")
	}
	d.i++ // {
	d.ws()
	if d.peek() == '}' {
		d.i++
		return nil
	}
	next := &d.keys[fs.table]
	prev := uint8(0) // the number of the last known key
	for {
		d.ws()
		if d.peek() != '"' {
			return d.errf("expected a key")
		}
		var f field
		ok := false
		if g := next[prev]; g != 0 {
			// The guess: its text and the closing quote.
			k := fs.keys[g-1]
			end := d.i + 1 + len(k)
			if end < len(d.data) && d.data[end] == '"' && string(d.data[d.i+1:end]) == k {
				d.i = end + 1
				f, ok = fs.byN[g-1], true
			}
		}
		if !ok {
			ks := d.i
			esc, err := d.str()
			if err != nil {
				return err
			}
			key := text(d.data[ks+1 : d.i-1])
			if esc {
				key = unquote(d.data[ks:d.i])
			}
			if f, ok = fs.lookup(key); ok {
				next[prev] = f.n
			}
		}
		if ok {
			prev = f.n
		}
		d.ws()
		if d.peek() != ':' {
			return d.errf("expected : after key")
		}
		d.i++
		d.ws()
		var err error
		if !ok {
			err = d.skip(depth + 1)
		} else if f.kind == fVal {
			err = d.scalar((*val)(unsafe.Add(p, f.off)), depth+1)
		} else {
			err = d.nested(f, p, depth+1)
		}
		if err != nil {
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
}

// scalar decodes the value at d.i into v (an object or a list is
// validated and recorded as kOther).
func (d *decoder) scalar(v *val, depth int) error {
	start := d.i
	switch c := d.peek(); {
	case c == '"':
		esc, err := d.str()
		if err != nil {
			return err
		}
		if esc {
			v.s, v.k = unquote(d.data[start:d.i]), kString
			return nil
		}
		v.s, v.k = text(d.data[start+1:d.i-1]), kString
		return nil
	case c == '-' || (c >= '0' && c <= '9'):
		if err := d.number(); err != nil {
			return err
		}
		v.s, v.k = text(d.data[start:d.i]), kNumber
		return nil
	case c == 't' && d.literal("true"):
		v.s, v.k = "true", kBool
		return nil
	case c == 'f' && d.literal("false"):
		v.s, v.k = "false", kBool
		return nil
	case c == 'n' && d.literal("null"):
		*v = val{}
		return nil
	case c == '{':
		v.s, v.k = "", kOther
	case c == '[':
		v.s, v.k = "[", kOther
	}
	return d.skip(depth)
}

// nested decodes the value of one of the order's nested keys (a raw
// field, payment, recipient_address, packages or line_items) at d.i; the
// order is at p. A value of the wrong kind is kept raw: the transformer
// reports it, naming the field.
func (d *decoder) nested(f field, p unsafe.Pointer, depth int) error {
	start := d.i
	var err error
	c := d.peek()
	switch f.kind {
	case fPayment:
		o := (*apiOrder)(p)
		o.payment = apiPayment{}
		if c == '{' {
			err = d.object(paymentFields, unsafe.Pointer(&o.payment), depth)
		} else {
			err = d.skip(depth)
		}
	case fRecipient:
		o := (*apiOrder)(p)
		o.recipient = apiRecipient{}
		if c == '{' {
			err = d.object(recipientFields, unsafe.Pointer(&o.recipient), depth)
		} else {
			err = d.skip(depth)
		}
	case fPackages:
		o := (*apiOrder)(p)
		o.pkg, o.pkgRaw = apiPackage{}, nil
		if c == '[' {
			err = d.packages(o, depth)
		} else {
			err = d.skip(depth)
		}
	case fItems:
		o := (*apiOrder)(p)
		o.items = o.items[:0]
		if c == '[' {
			err = d.lineItems(o, depth)
		} else {
			err = d.skip(depth)
		}
	default:
		err = d.skip(depth)
	}
	if err != nil {
		return err
	}
	*(*json.RawMessage)(unsafe.Add(p, f.off)) = d.data[start:d.i:d.i]
	return nil
}

// list passes the list at d.i, at depth depth, calling elem for each
// element (at d.i, after white space).
func (d *decoder) list(depth int, elem func(i int) error) error {
	if depth > maxDepth {
		return d.errf("nested too deeply")
	}
	d.i++ // [
	d.ws()
	if d.peek() == ']' {
		d.i++
		return nil
	}
	for n := 0; ; n++ {
		d.ws()
		if err := elem(n); err != nil {
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
}

// packages decodes the packages list at d.i: its first element into
// o.pkg (when an object) and o.pkgRaw; the others are validated.
func (d *decoder) packages(o *apiOrder, depth int) error {
	return d.list(depth, func(n int) error {
		if n > 0 {
			return d.skip(depth + 1)
		}
		start := d.i
		var err error
		if d.peek() == '{' {
			err = d.object(packageFields, unsafe.Pointer(&o.pkg), depth+1)
		} else {
			err = d.skip(depth + 1)
		}
		o.pkgRaw = d.data[start:d.i:d.i]
		return err
	})
}

// lineItems decodes the line_items list at d.i: every element into
// o.items, with its raw text (an element that is not an object is only
// validated and kept raw).
func (d *decoder) lineItems(o *apiOrder, depth int) error {
	return d.list(depth, func(int) error {
		n := len(o.items)
		if n < cap(o.items) {
			o.items = o.items[:n+1]
			o.items[n] = lineItem{}
		} else {
			o.items = append(o.items, lineItem{})
		}
		li := &o.items[n]
		start := d.i
		var err error
		if d.peek() == '{' {
			err = d.object(itemFields, unsafe.Pointer(&li.apiItem), depth+1)
		} else {
			err = d.skip(depth + 1)
		}
		li.raw = d.data[start:d.i:d.i]
		return err
	})
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

// unquote is the text of the valid JSON string q (quotes included) that
// has escapes, as encoding/json reads it: escapes decoded, a surrogate
// that is not half of a pair and every byte of invalid UTF-8 replaced by
// U+FFFD. One allocation.
func unquote(q []byte) string {
	s := q[1 : len(q)-1]
	b := make([]byte, 0, len(s)+utf8.UTFMax)
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\':
			e := s[i+1]
			i += 2
			switch e {
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r := hex4(s[i:])
				i += 4
				if utf16.IsSurrogate(r) {
					r2 := rune(-1)
					if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
						r2 = hex4(s[i+2:])
					}
					if pair := utf16.DecodeRune(r, r2); pair != utf8.RuneError {
						r = pair
						i += 6
					} else {
						r = utf8.RuneError
					}
				}
				b = utf8.AppendRune(b, r)
			default: // " \ /
				b = append(b, e)
			}
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, n := utf8.DecodeRune(s[i:])
			if r == utf8.RuneError && n == 1 {
				b = utf8.AppendRune(b, r)
			} else {
				b = append(b, s[i:i+n]...)
			}
			i += n
		}
	}
	return text(b) // b is not written again
}

// hex4 is the value of the 4 hex digits that start s (validated), -1 when
// s is shorter or they are not hex digits.
func hex4(s []byte) rune {
	if len(s) < 4 {
		return -1
	}
	var r rune
	for _, c := range s[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
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
