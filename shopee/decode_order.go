package shopee

import (
	"strings"
	"unicode/utf8"

	"github.com/facolos/etl/connector"
	"sync"
)

// A shape says how the keys of one kind of JSON object (the order, an item,
// a package, ...) are read: a key a column reads goes to a slot, a key that
// holds a nested object of columns (geolocation, image_info) to a group, a
// key that holds child rows (item_list, ...) to a child code; the other keys
// are skipped and, for the kinds that report them, noted as unmapped.
type shape struct {
	keys keyTable
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
// the keys of child rows to child codes.
func newShape(t *table, note string, noteOff bool, children map[string]int) *shape {
	sh := &shape{note: note, noteOff: noteOff}
	keys := map[string]slot{}
	group := map[string]int{}
	for _, f := range t.fields {
		switch len(f.path) {
		case 0:
		case 1:
			keys[f.path[0]] = slot{slotValue, sh.nSlots}
			sh.nSlots++
		case 2:
			g, ok := group[f.path[0]]
			if !ok {
				g = len(sh.groups)
				group[f.path[0]] = g
				sh.groups = append(sh.groups, map[string]int{})
				keys[f.path[0]] = slot{slotGroup, g}
			}
			sh.groups[g][f.path[1]] = sh.nSlots
			sh.nSlots++
		default:
			panic("shopee: paths deeper than two keys are not supported: " + f.col.Name)
		}
	}
	for k, c := range children {
		keys[k] = slot{slotChild, c}
	}
	sh.keys = newKeyTable(keys)
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
	// pred predicts the next key: pred[e] is the table entry of the key
	// that followed the key of entry e in the last object of this shape
	// (pred[len]: the first key), or -1. Objects of one API come with
	// their keys in one order, so a lookup is mostly one string compare.
	pred    []int16
	predFor *keyTable
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

	// bx boxes the row values. It lives as long as the pooled order, so
	// its slabs serve many orders: a Boxer never writes a value twice, so
	// the rows of earlier orders keep their values.
	bx connector.Boxer
}

var orderPool = sync.Pool{New: func() any { return new(decodedOrder) }}

// decode scans data into d. It reports false when data does not start with
// a JSON object (or the object is not valid JSON), and for 4 GiB or more
// (vals hold 32-bit lengths; the HTTP client caps answers far below).
func (d *decodedOrder) decode(data []byte) bool {
	if uint64(len(data)) > maxInput {
		return false
	}
	d.sn = val{}
	d.addr.k, d.inv.k = kAbsent, kAbsent
	d.nItems, d.nPkgs, d.nPays = 0, 0, 0
	d.itemsBad, d.pkgsBad, d.paysBad = -1, -1, -1
	for i := range d.lists {
		d.lists[i] = d.lists[i][:0]
	}
	d.data = string(data)
	s := &scanner{d: d.data}
	if s.ws() != '{' {
		return false
	}
	return s.object(orderShape, &d.order, func(code int) bool {
		var ok bool
		switch code {
		case cOrderSN:
			d.sn, ok = s.value()
		case cAddress:
			ok = s.single(addrShape, &d.addr)
		case cInvoice:
			ok = s.single(invShape, &d.inv)
		case cItems:
			d.nItems = 0
			d.itemsBad, ok = s.objects(func() bool {
				it := grow(&d.items, &d.nItems)
				it.locs = it.locs[:0]
				return s.object(itemShape, &it.obj, func(int) bool {
					var ok bool
					it.locs, ok = s.strings(it.locs)
					return ok
				})
			})
		case cPackages:
			d.nPkgs = 0
			d.pkgsBad, ok = s.objects(func() bool {
				p := grow(&d.pkgs, &d.nPkgs)
				p.n, p.bad = 0, -1
				return s.object(pkgShape, &p.obj, func(int) bool {
					var ok bool
					p.n = 0
					p.bad, ok = s.objects(func() bool {
						return s.object(pkgItShape, grow(&p.items, &p.n), nil)
					})
					return ok
				})
			})
		case cPayments:
			d.nPays = 0
			d.paysBad, ok = s.objects(func() bool {
				return s.object(payShape, grow(&d.pays, &d.nPays), nil)
			})
		default:
			l := code - cList
			d.lists[l], ok = s.strings(d.lists[l])
		}
		return ok
	})
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
// child key.
func (s *scanner) object(sh *shape, o *obj, child func(code int) bool) bool {
	o.reset(sh)
	t := &sh.keys
	if o.predFor != t {
		o.pred = make([]int16, len(t.keys)+1)
		for i := range o.pred {
			o.pred[i] = -1
		}
		o.predFor = t
	}
	prev := len(t.keys)
	// The loop of members, written out: this is the scanner's hottest path.
	if s.ws() != '{' || !s.enter() {
		return s.fail()
	}
	s.i++
	if s.ws() == '}' {
		s.i++
		s.leave()
		return true
	}
	for {
		if s.ws() != '"' {
			return s.fail()
		}
		o.keys++
		// The predicted key, compared in words with the input (the key, its
		// closing quote and a colon right after): the usual case needs
		// neither a scan of the key nor a lookup. (keyPat.match, written
		// out: the call cost more than the compare.)
		at := -1
		var sl slot
		if prev >= 0 {
			if p := o.pred[prev]; p >= 0 {
				e := &t.pats[p]
				if i := s.i + 1; e.n > 0 && len(s.d)-i >= maxPat {
					b := s.d[i : i+maxPat]
					if (word(b[0:8])^e.w[0])&e.m[0]|(word(b[8:16])^e.w[1])&e.m[1]|
						(word(b[16:24])^e.w[2])&e.m[2]|(word(b[24:32])^e.w[3])&e.m[3] == 0 {
						at, sl, s.i = int(p), e.slot, i+e.n
					}
				}
			}
		}
		var key string
		if at < 0 {
			var ok bool
			if key, ok = s.str(); !ok || !s.colon() {
				return s.fail()
			}
			if at = t.find(key); at >= 0 {
				sl = t.slots[at]
				if prev >= 0 {
					o.pred[prev] = int16(at)
				}
			}
		}
		known := at >= 0
		prev = at // after an unknown key: no prediction
		var ok bool
		switch {
		case !known:
			if !sh.noteOff {
				o.unknown = append(o.unknown, key)
			}
			ok = s.skip()
		case sl.typ == slotValue:
			o.vals[sl.idx], ok = s.value()
		case sl.typ == slotGroup:
			ok = s.group(sh.groups[sl.idx], o, sl.idx)
		default:
			ok = child(sl.idx)
		}
		if !ok {
			return s.fail()
		}
		switch s.ws() {
		case ',':
			s.i++
		case '}':
			s.i++
			s.leave()
			return true
		default:
			return s.fail()
		}
	}
}

// group reads the nested object of group g (the last one wins, as every
// duplicate key does).
func (s *scanner) group(keys map[string]int, o *obj, g int) bool {
	for _, i := range keys {
		o.vals[i] = val{}
	}
	if s.ws() != '{' {
		v, ok := s.value()
		o.groups[g] = v.k
		return ok
	}
	o.groups[g] = kObject
	return s.members(func(key string) bool {
		if i, ok := keys[key]; ok {
			v, ok := s.value()
			o.vals[i] = v
			return ok
		}
		return s.skip()
	})
}

// single reads a 0..1 child object.
func (s *scanner) single(sh *shape, x *single) bool {
	if s.ws() == '{' {
		x.k = kObject
		return s.object(sh, &x.o, nil)
	}
	v, ok := s.value()
	x.k = v.k
	return ok
}

// objects reads a list of objects (a single object is a list of one); elem
// reads each non-null object. bad is the index of the first element that is
// not an object, or -1; the elements after it are only validated.
func (s *scanner) objects(elem func() bool) (bad int, ok bool) {
	bad = -1
	switch s.ws() {
	case '[':
		ok = s.elements(func(i int) bool {
			if bad < 0 && s.ws() == '{' {
				return elem()
			}
			v, ok := s.value()
			if bad < 0 && v.k != kNull {
				bad = i
			}
			return ok
		})
		return bad, ok
	case '{':
		return bad, elem()
	}
	v, ok := s.value()
	if v.k != kNull {
		bad = 0
	}
	return bad, ok
}

// strings reads a list of values (a single value is a list of one, null an
// empty list) into dst.
func (s *scanner) strings(dst []val) ([]val, bool) {
	dst = dst[:0]
	if s.ws() == '[' {
		ok := s.elements(func(int) bool {
			v, ok := s.value()
			dst = append(dst, v)
			return ok
		})
		return dst, ok
	}
	v, ok := s.value()
	if v.k != kNull {
		dst = append(dst, v)
	}
	return dst, ok
}

// keyTable is a read-only hash table of the keys of a shape: open
// addressing with a hash of the length and three bytes, which tells the
// few dozen keys of a shape apart well and costs less than a map lookup.
type keyTable struct {
	mask  uint32
	keys  []string
	slots []slot
	pats  []keyPat
}

// keyPat is the text of a key after its opening quote in compact JSON:
// the key, its closing quote and the colon (`order_sn":`), as four words
// with masks (the pattern is at most maxPat bytes). Input that starts with
// these bytes holds exactly this key (a shape's keys are plain ASCII
// without quotes, backslashes or control characters), so a predicted key is
// recognised with four masked word compares instead of a scan and a string
// compare.
type keyPat struct {
	w, m [4]uint64
	n    int  // length in bytes; 0: no pattern (longer than maxPat)
	slot slot // the key's slot (as in keyTable.slots)
}

const maxPat = 32

func newKeyPat(key string) keyPat {
	p := key + `":`
	if len(p) > maxPat {
		return keyPat{}
	}
	var b, m [maxPat]byte
	copy(b[:], p)
	for j := range p {
		m[j] = 0xFF
	}
	kp := keyPat{n: len(p)}
	for j := range kp.w {
		kp.w[j] = word(string(b[8*j:]))
		kp.m[j] = word(string(m[8*j:]))
	}
	return kp
}

// match returns the index after the pattern when d holds it from i on,
// else -1 (also when fewer than maxPat bytes are left: the caller then
// scans the key).
func (p *keyPat) match(d string, i int) int {
	if p.n == 0 || i < 0 || len(d)-i < maxPat {
		return -1
	}
	b := d[i : i+maxPat]
	x := (word(b[0:8])^p.w[0])&p.m[0] | (word(b[8:16])^p.w[1])&p.m[1] |
		(word(b[16:24])^p.w[2])&p.m[2] | (word(b[24:32])^p.w[3])&p.m[3]
	if x != 0 {
		return -1
	}
	return i + p.n
}

func khash(k string) uint32 {
	n := uint32(len(k))
	if n == 0 {
		return 0
	}
	return n*0x9E3779B1 ^ uint32(k[0])*0x85EBCA6B ^ uint32(k[n-1])*0xC2B2AE35 ^ uint32(k[n/2])*0x27D4EB2F
}

func newKeyTable(m map[string]slot) keyTable {
	size := 8
	for size < 4*len(m) {
		size *= 2
	}
	t := keyTable{mask: uint32(size - 1), keys: make([]string, size), slots: make([]slot, size), pats: make([]keyPat, size)}
	used := make([]bool, size)
	for k, s := range m {
		if k == "" {
			panic("shopee: empty key in a shape")
		}
		for _, c := range []byte(k) {
			if c < ' ' || c >= utf8.RuneSelf || c == '"' || c == '\\' {
				panic("shopee: a shape's key must be plain ASCII: " + k)
			}
		}
		i := khash(k) & t.mask
		for used[i] {
			i = (i + 1) & t.mask
		}
		used[i], t.keys[i], t.slots[i], t.pats[i] = true, k, s, newKeyPat(k)
		t.pats[i].slot = s
	}
	return t
}

// get returns the slot of key.
func (t *keyTable) get(key string) (slot, bool) {
	if i := t.find(key); i >= 0 {
		return t.slots[i], true
	}
	return slot{}, false
}

// find returns the entry of key, or -1.
func (t *keyTable) find(key string) int {
	if key == "" {
		return -1
	}
	for i := khash(key) & t.mask; ; i = (i + 1) & t.mask {
		switch t.keys[i] {
		case key:
			return int(i)
		case "":
			return -1
		}
	}
}

// orderKey returns the text of the order_sn of one order's JSON (as
// Transform reads it), or "" when there is none or the JSON is not an
// object. It scans the order once, converting nothing but order_sn, for the
// source to name a record: the source's per-order json.Unmarshal of
// order_sn (a reflective decode of the whole order) can call this instead.
// Unlike that json.Unmarshal into a struct, the key must match exactly
// ("ORDER_SN" is not order_sn), as the transformer reads it.
func orderKey(data []byte) string {
	if uint64(len(data)) > maxInput {
		return ""
	}
	s := &scanner{d: string(data)}
	if s.ws() != '{' {
		return ""
	}
	var sn val
	if !s.members(func(key string) bool {
		if key != "order_sn" {
			return s.skip()
		}
		var ok bool
		sn, ok = s.value()
		return ok
	}) {
		return ""
	}
	ks, _, _ := sn.string()
	return strings.Clone(ks)
}
