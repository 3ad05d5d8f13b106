package tiktok

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"unsafe"

	"github.com/facolos/etl/internal/jsonscan"
)

// The order decoder: one validating pass over the order's JSON text
// (internal/jsonscan), with no copy of any value and nothing read twice.
// The text is made a string once (the raw_order_json column) and every
// value is a substring of it: a scalar's text in a val, a nested object or
// list in a json.RawMessage that aliases the string (read only, never
// written). The nested objects the table reads (payment,
// recipient_address, the first package and every line item) are decoded
// into their structs in the same pass, while their raw text is recorded for
// the JSON columns. Only strings with escapes are unquoted, into a string
// of their own, as encoding/json unquotes them; a string without escapes
// is kept as sent, as val.UnmarshalJSON keeps it. Keys match as
// encoding/json matches them: exactly, else without regard to case; the
// last of duplicate keys wins (a repeated nested object replaces the
// earlier one whole); unknown keys are validated and skipped.
// FuzzDecodeOrder holds the decoder to encoding/json, and
// FuzzTransformMatchesReference holds the transformer to a reference built
// on encoding/json.

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
}

// fields maps the keys of one API object to its struct's fields, by the
// keys' numbers in keys.
type fields struct {
	keys  *jsonscan.Keys
	byN   []field
	table int // the fields' guesses in a decState
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
	var names []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := strings.Split(f.Tag.Get("json"), ",")[0]
		if tag == "" {
			continue
		}
		switch f.Type {
		case rawType:
			k := fRaw
			if nk, ok := nested[tag]; ok {
				k = nk
			}
			fs.byN = append(fs.byN, field{off: f.Offset, kind: k})
		case valType:
			fs.byN = append(fs.byN, field{off: f.Offset, kind: fVal})
		default:
			panic("tiktok: field " + f.Name + " is neither a val nor a json.RawMessage")
		}
		names = append(names, tag)
	}
	fs.keys = jsonscan.NewKeys(names, true)
	return fs
}

var (
	orderFields     = fieldsOf(0, apiOrder{}, nestedKinds)
	paymentFields   = fieldsOf(1, apiPayment{}, nil)
	recipientFields = fieldsOf(2, apiRecipient{}, nil)
	itemFields      = fieldsOf(3, apiItem{}, nil)
	packageFields   = fieldsOf(4, apiPackage{}, nil)
)

// decState is what the decoder keeps from order to order: the scanner and
// the order of keys it saw last, per fields table, to guess the next key
// (an API sends its keys in the same order every time, so the guess is
// usually right and the key is then matched by one compare).
type decState struct {
	scan    jsonscan.Scanner
	guesses [5]jsonscan.Guesses
}

// decodeOrder decodes the order text s into o (null is an empty order).
// o is reset first; its item list keeps its capacity.
func decodeOrder(s string, o *apiOrder) error {
	*o = apiOrder{items: o.items[:0], dec: o.dec}
	sc := &o.dec.scan
	sc.Reset(s)
	d := decoder{s: sc, g: &o.dec.guesses}
	switch sc.Lookahead() {
	case 'n':
		if v, ok := sc.Value(); !ok || v.Kind() != jsonscan.Null {
			return sc.Err()
		}
	case '{':
		if !d.object(orderFields, unsafe.Pointer(o)) {
			return sc.Err()
		}
	default:
		return errors.New("not an object")
	}
	if !sc.AtEnd() {
		return &jsonscan.SyntaxError{Offset: sc.Pos(), Msg: "data after the order"}
	}
	return nil
}

type decoder struct {
	s *jsonscan.Scanner
	g *[5]jsonscan.Guesses
}

// rawText is the json.RawMessage of the text x (read only).
func rawText(x string) json.RawMessage { return unsafe.Slice(unsafe.StringData(x), len(x)) }

// object decodes the object at the position into the struct at p.
func (d *decoder) object(fs *fields, p unsafe.Pointer) bool {
	s := d.s
	it := s.Object(fs.keys, &d.g[fs.table])
	for it.Next() {
		var ok bool
		if n := it.Index(); n < 0 {
			ok = s.Skip()
		} else if f := fs.byN[n]; f.kind == fVal {
			ok = d.scalar((*val)(unsafe.Add(p, f.off)))
		} else {
			ok = d.nested(f, p)
		}
		if !ok {
			return false
		}
	}
	return !s.Failed()
}

// scalar decodes the value at the position into v (an object or a list is
// validated and recorded as kOther).
func (d *decoder) scalar(v *val) bool {
	s := d.s
	switch s.Lookahead() {
	case '"':
		text, esc, ok := s.RawStr()
		if esc {
			text, _ = jsonscan.Unquote(text) // RawStr checked the escapes
		}
		v.s, v.k = text, kString
		return ok
	case '{':
		v.s, v.k = "", kOther
		return s.Skip()
	case '[':
		v.s, v.k = "[", kOther
		return s.Skip()
	case 't', 'f', 'n':
		x, ok := s.Value()
		switch x.Kind() {
		case jsonscan.True:
			v.s, v.k = "true", kBool
		case jsonscan.False:
			v.s, v.k = "false", kBool
		default:
			*v = val{}
		}
		return ok
	}
	num, ok := s.Number()
	v.s, v.k = num, kNumber
	return ok
}

// nested decodes the value of a raw field of the struct at p, or of one of
// the order's nested keys (payment, recipient_address, packages,
// line_items; p is then the order), at the position. A value of the wrong kind is kept raw: the
// transformer reports it, naming the field.
func (d *decoder) nested(f field, p unsafe.Pointer) bool {
	s := d.s
	c := s.Lookahead()
	start := s.Pos()
	var ok bool
	switch f.kind {
	case fPayment: // the order's keys: p is the order
		o := (*apiOrder)(p)
		o.payment = apiPayment{}
		if c == '{' {
			ok = d.object(paymentFields, unsafe.Pointer(&o.payment))
		} else {
			ok = s.Skip()
		}
	case fRecipient:
		o := (*apiOrder)(p)
		o.recipient = apiRecipient{}
		if c == '{' {
			ok = d.object(recipientFields, unsafe.Pointer(&o.recipient))
		} else {
			ok = s.Skip()
		}
	case fPackages:
		o := (*apiOrder)(p)
		o.pkg, o.pkgRaw = apiPackage{}, nil
		if c == '[' {
			ok = d.packages(o)
		} else {
			ok = s.Skip()
		}
	case fItems:
		o := (*apiOrder)(p)
		o.items = o.items[:0]
		if c == '[' {
			ok = d.lineItems(o)
		} else {
			ok = s.Skip()
		}
	default:
		ok = s.Skip()
	}
	if ok {
		*(*json.RawMessage)(unsafe.Add(p, f.off)) = rawText(s.Data()[start:s.Pos()])
	}
	return ok
}

// packages decodes the packages list at the position: its first element
// into o.pkg (when an object) and o.pkgRaw; the others are validated.
func (d *decoder) packages(o *apiOrder) bool {
	s := d.s
	return s.Elements(func(n int) bool {
		if n > 0 {
			return s.Skip()
		}
		c := s.Lookahead()
		start := s.Pos()
		var ok bool
		if c == '{' {
			ok = d.object(packageFields, unsafe.Pointer(&o.pkg))
		} else {
			ok = s.Skip()
		}
		o.pkgRaw = rawText(s.Data()[start:s.Pos()])
		return ok
	})
}

// lineItems decodes the line_items list at the position: every element
// into o.items, with its raw text (an element that is not an object is
// only validated and kept raw).
func (d *decoder) lineItems(o *apiOrder) bool {
	s := d.s
	return s.Elements(func(int) bool {
		n := len(o.items)
		if n < cap(o.items) {
			o.items = o.items[:n+1]
			o.items[n] = lineItem{}
		} else {
			o.items = append(o.items, lineItem{})
		}
		li := &o.items[n]
		c := s.Lookahead()
		start := s.Pos()
		var ok bool
		if c == '{' {
			ok = d.object(itemFields, unsafe.Pointer(&li.apiItem))
		} else {
			ok = s.Skip()
		}
		li.raw = rawText(s.Data()[start:s.Pos()])
		return ok
	})
}
