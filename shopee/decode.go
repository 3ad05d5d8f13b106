package shopee

import "github.com/facolos/etl/internal/jsonscan"

// One pass over the bytes: an order's JSON is scanned once, by hand, into a
// decoded order (decodedOrder, decode_order.go) that holds, per kind of
// object, the JSON value of every key a column reads. Nothing is converted
// during the scan: a value keeps its JSON kind and its text (the unescaped
// string or the number literal), and the transformer converts it once, by
// column type, with the rules of convert.go (money is parsed as an exact
// decimal, never through float64). Strings and keys without escapes are
// substrings of the order's text, so the scan copies nothing but the order
// itself (once).
//
// The scan is internal/jsonscan's, which accepts exactly the JSON that
// encoding/json accepts (the transformer before it decoded with
// json.Decoder): the same grammar, the same nesting limit, the same repair
// of invalid UTF-8 and lone surrogates in strings. Bytes after the
// top-level value are ignored, and for a key that appears twice the last
// value wins.

// kind is the JSON kind of a decoded value.
type kind = jsonscan.Kind

const (
	kAbsent = jsonscan.None // the key is not in the object
	kNull   = jsonscan.Null
	kString = jsonscan.String
	kNumber = jsonscan.Number
	kTrue   = jsonscan.True
	kFalse  = jsonscan.False
	kObject = jsonscan.Object // the text is the raw JSON of the object
	kArray  = jsonscan.Array  // the text is the raw JSON of the array
)

// val is one JSON value: its kind and text (the unescaped string, the
// number literal, or the raw JSON of an object or array), as the scanner
// reads it (jsonscan.Fields fills the slots of an object directly).
type val jsonscan.Value

// mkval makes the value of kind k with text s.
func mkval(k kind, s string) val { return val(jsonscan.MakeValue(k, s)) }

// kind returns the kind of v.
func (v val) kind() kind { return jsonscan.Value(v).Kind() }

// raw returns the text of v.
func (v val) raw() string { return jsonscan.Value(v).Text() }
