package shopee

import (
	"strings"
	"sync"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/jsonscan"
)

// A shape says how the keys of one kind of JSON object (the order, an item,
// a package, ...) are read: a key a column reads goes to a slot, a key that
// holds a nested object of columns (geolocation, image_info) to a group, a
// key that holds child rows (item_list, ...) to a child code; the other keys
// are skipped and, for the kinds that report them, noted as unmapped.
type shape struct {
	keys *jsonscan.Keys
	// slots holds, by key number, where each key goes; the keys numbered
	// below nValues hold values, into the slot of their number.
	slots   []slot
	nValues int
	// nSlots is the number of value slots of an object of this shape.
	nSlots int
	// groups holds per nested object the slots of its keys.
	groups []map[string]int
	// note is the unmapped-field prefix ("item_list[].") when unknown keys
	// are reported.
	note    string
	noteOff bool
}

type slotType uint8

const (
	slotValue slotType = iota
	slotGroup
	slotChild
)

type slot struct {
	typ slotType
	idx int
}

// Child codes.
const (
	cOrderSN = iota
	cAddress
	cInvoice
	cItems
	cPackages
	cPayments
	cLocations   // item_list[].product_location_id
	cPackageItem // package_list[].item_list
	cList        // pending_terms, warnings, ...: cList + index in stringLists
)

// stringLists are the order's lists of strings, each stored one per row.
var stringLists = []struct {
	t      *table
	key    string
	column string
}{
	{tPendingTerms, "pending_terms", "term"},
	{tWarnings, "warnings", "warning"},
	{tPrescription, "prescription_images", "image_url"},
	{tProof, "buyer_proof_of_collection", "image_url"},
}

// newShape makes the shape of the objects table t reads; children maps
// the keys of child rows to child codes. The keys of values come first:
// the number of such a key is its value's slot.
func newShape(t *table, note string, noteOff bool, children map[string]int) *shape {
	sh := &shape{note: note, noteOff: noteOff}
	var names []string
	number := map[string]int{}
	add := func(key string, sl slot) int {
		n, ok := number[key]
		if !ok {
			n = len(names)
			number[key] = n
			names = append(names, key)
			sh.slots = append(sh.slots, sl)
		}
		return n
	}
	for _, f := range t.fields {
		if len(f.path) != 1 {
			continue
		}
		if _, isChild := children[f.path[0]]; !isChild && add(f.path[0], slot{slotValue, sh.nSlots}) == sh.nSlots {
			sh.nSlots++
		}
	}
	sh.nValues = sh.nSlots
	group := map[string]int{}
	for _, f := range t.fields {
		switch len(f.path) {
		case 0, 1:
		case 2:
			g, ok := group[f.path[0]]
			if !ok {
				g = len(sh.groups)
				group[f.path[0]] = g
				sh.groups = append(sh.groups, map[string]int{})
				if add(f.path[0], slot{slotGroup, g}) < sh.nValues {
					panic("shopee: key " + f.path[0] + " is both a value and an object of values")
				}
			}
			sh.groups[g][f.path[1]] = sh.nSlots
			sh.nSlots++
		default:
			panic("shopee: paths deeper than two keys are not supported: " + f.col.Name)
		}
	}
	for k, c := range children {
		sh.slots[add(k, slot{slotChild, c})] = slot{slotChild, c}
	}
	sh.keys = jsonscan.NewKeys(names, false)
	return sh
}

var (
	orderShape = newShape(tOrders, "", false, orderChildren())
	itemShape  = newShape(tItems, "item_list[].", false, map[string]int{"product_location_id": cLocations})
	pkgShape   = newShape(tPackages, "package_list[].", false, map[string]int{"item_list": cPackageItem})
	pkgItShape = newShape(tPackageItems, "package_list[].item_list[].", false, nil)
	addrShape  = newShape(tAddress, "", true, nil)
	invShape   = newShape(tInvoice, "", true, nil)
	payShape   = newShape(tPayment, "", true, nil)
)

// slotOf returns the slot of key.
func (sh *shape) slotOf(key string) (slot, bool) {
	if n := sh.keys.Find(key); n >= 0 {
		return sh.slots[n], true
	}
	return slot{}, false
}

func orderChildren() map[string]int {
	m := map[string]int{"order_sn": cOrderSN, "recipient_address": cAddress, "invoice_data": cInvoice,
		"item_list": cItems, "package_list": cPackages, "payment_info": cPayments}
	for i, l := range stringLists {
		m[l.key] = cList + i
	}
	return m
}

// obj is one decoded JSON object: the value of each slot of its shape.
type obj struct {
	vals []val
	// groups holds the kind of each nested object's value (kObject when
	// it is an object; its keys are then in vals).
	groups []kind
	// unknown lists the keys no column reads (substrings of the order).
	unknown []string
	// keys counts the members, known or not.
	keys int
	// guesses predicts each key from the last object of this shape:
	// objects of one API come with their keys in one order, so a key is
	// mostly recognised by one compare.
	guesses jsonscan.Guesses
}

func (o *obj) reset(sh *shape) {
	o.vals = clearTo(o.vals, sh.nSlots)
	o.groups = clearTo(o.groups, len(sh.groups))
	o.unknown = o.unknown[:0]
	o.keys = 0
}

func clearTo[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// single is a 0..1 child object (recipient_address, invoice_data).
type single struct {
	k kind
	o obj
}

type item struct {
	obj
	locs []val
}

type pkg struct {
	obj
	items []obj
	n     int
	bad   int
}

// decodedOrder is one order as the scanner leaves it. Lists are reused
// from order to order (len is the capacity in use, n the count).
type decodedOrder struct {
	data  string
	sn    val
	order obj
	addr  single
	inv   single

	items    []item
	nItems   int
	itemsBad int // index of the first item_list element that is not an object, or -1
	pkgs     []pkg
	nPkgs    int
	pkgsBad  int
	pays     []obj
	nPays    int
	paysBad  int
	lists    [4][]val

	scan jsonscan.Scanner

	// bx boxes the row values. It lives as long as the pooled order, so
	// its slabs serve many orders: a Boxer never writes a value twice, so
	// the rows of earlier orders keep their values.
	bx connector.Boxer
}

var orderPool = sync.Pool{New: func() any { return new(decodedOrder) }}

// decode scans data into d. It reports false when data does not start with
// a JSON object (or the object is not valid JSON), and for 4 GiB or more
// (jsonscan.MaxInput; the HTTP client caps answers far below).
func (d *decodedOrder) decode(data []byte) bool {
	d.sn = val{}
	d.addr.k, d.inv.k = kAbsent, kAbsent
	d.nItems, d.nPkgs, d.nPays = 0, 0, 0
	d.itemsBad, d.pkgsBad, d.paysBad = -1, -1, -1
	for i := range d.lists {
		d.lists[i] = d.lists[i][:0]
	}
	d.data = string(data)
	s := &d.scan
	s.Reset(d.data)
	if s.Lookahead() != '{' {
		return false
	}
	return object(s, orderShape, &d.order, func(code int) bool {
		var ok bool
		switch code {
		case cOrderSN:
			d.sn, ok = value(s)
		case cAddress:
			ok = readSingle(s, addrShape, &d.addr)
		case cInvoice:
			ok = readSingle(s, invShape, &d.inv)
		case cItems:
			d.nItems = 0
			d.itemsBad, ok = objects(s, func() bool {
				it := grow(&d.items, &d.nItems)
				it.locs = it.locs[:0]
				return object(s, itemShape, &it.obj, func(int) bool {
					var ok bool
					it.locs, ok = valueList(s, it.locs)
					return ok
				})
			})
		case cPackages:
			d.nPkgs = 0
			d.pkgsBad, ok = objects(s, func() bool {
				p := grow(&d.pkgs, &d.nPkgs)
				p.n, p.bad = 0, -1
				return object(s, pkgShape, &p.obj, func(int) bool {
					var ok bool
					p.n = 0
					p.bad, ok = objects(s, func() bool {
						return object(s, pkgItShape, grow(&p.items, &p.n), nil)
					})
					return ok
				})
			})
		case cPayments:
			d.nPays = 0
			d.paysBad, ok = objects(s, func() bool {
				return object(s, payShape, grow(&d.pays, &d.nPays), nil)
			})
		default:
			l := code - cList
			d.lists[l], ok = valueList(s, d.lists[l])
		}
		return ok
	})
}

// value reads any value (jsonscan.Scanner.Value) as a val.
func value(s *jsonscan.Scanner) (val, bool) {
	v, ok := s.Value()
	return val(v), ok
}

// grow returns the element n of *s, extending *s when needed, and
// increments n.
func grow[T any](s *[]T, n *int) *T {
	if *n == len(*s) {
		var zero T
		*s = append(*s, zero)
	}
	*n++
	return &(*s)[*n-1]
}

// object reads an object of shape sh into o; child reads the value of a
// child key. The values of the keys numbered below sh.nValues go straight
// into their slots (jsonscan.Fields); the other keys come to the callback.
func object(s *jsonscan.Scanner, sh *shape, o *obj, child func(code int) bool) bool {
	o.reset(sh)
	n, ok := jsonscan.Fields(s, sh.keys, &o.guesses, o.vals[:sh.nValues], func(n int, key string) bool {
		if n < 0 {
			if !sh.noteOff {
				o.unknown = append(o.unknown, key)
			}
			return s.Skip()
		}
		switch sl := sh.slots[n]; sl.typ {
		case slotValue:
			var ok bool
			o.vals[sl.idx], ok = value(s)
			return ok
		case slotGroup:
			return group(s, sh.groups[sl.idx], o, sl.idx)
		default:
			return child(sl.idx)
		}
	})
	o.keys = n
	return ok
}

// group reads the nested object of group g (the last one wins, as every
// duplicate key does).
func group(s *jsonscan.Scanner, keys map[string]int, o *obj, g int) bool {
	for _, i := range keys {
		o.vals[i] = val{}
	}
	if s.Lookahead() != '{' {
		v, ok := value(s)
		o.groups[g] = v.kind()
		return ok
	}
	o.groups[g] = kObject
	return s.Members(func(key string) bool {
		if i, ok := keys[key]; ok {
			v, ok := value(s)
			o.vals[i] = v
			return ok
		}
		return s.Skip()
	})
}

// readSingle reads a 0..1 child object.
func readSingle(s *jsonscan.Scanner, sh *shape, x *single) bool {
	if s.Lookahead() == '{' {
		x.k = kObject
		return object(s, sh, &x.o, nil)
	}
	v, ok := value(s)
	x.k = v.kind()
	return ok
}

// objects reads a list of objects (a single object is a list of one); elem
// reads each non-null object. bad is the index of the first element that is
// not an object, or -1; the elements after it are only validated.
func objects(s *jsonscan.Scanner, elem func() bool) (bad int, ok bool) {
	bad = -1
	switch s.Lookahead() {
	case '[':
		ok = s.Elements(func(i int) bool {
			if bad < 0 && s.Lookahead() == '{' {
				return elem()
			}
			v, ok := value(s)
			if bad < 0 && v.kind() != kNull {
				bad = i
			}
			return ok
		})
		return bad, ok
	case '{':
		return bad, elem()
	}
	v, ok := value(s)
	if v.kind() != kNull {
		bad = 0
	}
	return bad, ok
}

// valueList reads a list of values (a single value is a list of one, null
// an empty list) into dst.
func valueList(s *jsonscan.Scanner, dst []val) ([]val, bool) {
	dst = dst[:0]
	if s.Lookahead() == '[' {
		ok := s.Elements(func(int) bool {
			v, ok := value(s)
			dst = append(dst, v)
			return ok
		})
		return dst, ok
	}
	v, ok := value(s)
	if v.kind() != kNull {
		dst = append(dst, v)
	}
	return dst, ok
}

// orderKey returns the text of the order_sn of one order's JSON (as
// Transform reads it), or "" when there is none or the JSON is not an
// object. It scans the order once, converting nothing but order_sn, for the
// source to name a record: the source's per-order json.Unmarshal of
// order_sn (a reflective decode of the whole order) can call this instead.
// Unlike that json.Unmarshal into a struct, the key must match exactly
// ("ORDER_SN" is not order_sn), as the transformer reads it.
func orderKey(data []byte) string {
	s := jsonscan.New(string(data))
	if s.Lookahead() != '{' {
		return ""
	}
	var sn val
	if !s.Members(func(key string) bool {
		if key != "order_sn" {
			return s.Skip()
		}
		var ok bool
		sn, ok = value(s)
		return ok
	}) {
		return ""
	}
	ks, _, _ := sn.string()
	return strings.Clone(ks)
}
