// Package jsonscan is the JSON scanner the platform decoders share: one
// validating pass over a JSON text held in a string, reading values where
// they are, without a tree and without reflection.
//
// A Scanner reads one value at a time at its position: Value returns any
// value with its kind and text (an object or array is validated and
// returned as its raw text), Str and RawStr read strings, Number reads a
// number literal, Skip validates and passes a value of any kind. Objects
// and arrays are walked member by member (Object, Members) or element by
// element (Array, Elements); the caller reads each value. Object matches
// keys against a fixed set (Keys) and guesses each key from the order of
// the object read before it (Guesses): objects of one API arrive with their
// keys in one order, so a key is usually recognised by four masked word
// compares instead of a scan and a lookup. Fields is the same walk for a
// decoder that keeps values in slots: the values of the keys it numbers
// below the number of slots go straight into them, the other members come
// to a callback.
//
// Nothing is copied: a string without escapes (and, for Str and Value,
// with valid UTF-8) and every number, object and array text is a substring
// of the input. Only strings with escapes are unquoted into new strings.
//
// The scanner accepts exactly what encoding/json accepts for the constructs
// it reads: the same grammar, the same nesting limit (MaxDepth), and the
// same decoded strings (escapes decoded; invalid UTF-8 and unpaired
// surrogates become U+FFFD). RawStr is the one exception by design: it
// returns a string's text as sent, escapes and invalid UTF-8 included, for
// decoders that keep such text for the column checks to reject. What
// follows a value is the caller's to check (AtEnd). The fuzz targets of
// this package hold it to encoding/json.
//
// A Scanner never panics on any input. A read that fails returns false;
// the Scanner keeps its first failure (Err, a *SyntaxError with the offset
// where reading stopped), and its position is then of no further use: the
// walkers stop, and so should their callers.
package jsonscan
