package jsonscan

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Keys is a fixed set of object keys, numbered from 0 in the order NewKeys
// was given them: the keys a decoder reads from one kind of object. It is
// read-only once made and safe to share.
type Keys struct {
	names []string
	pats  []keyPat // by number
	// An open addressing table on a cheap hash of the key (its length and
	// three of its bytes), which tells the few dozen keys of an API object
	// apart well and costs less than a map lookup.
	mask    uint32
	slotKey []string // "" for a free slot
	slotNum []int32
	// fold: keys also match without regard to case.
	fold     bool
	allLower bool           // every key is ASCII without upper-case letters
	folded   map[string]int // foldName(key) → number
}

// NewKeys returns the set of names, numbered by their index. With fold, a
// key that matches none exactly matches the one it equals under Unicode
// case folding, as encoding/json matches struct fields; otherwise keys
// match exactly. It panics on an empty or repeated name, or more than
// 32,767 names.
func NewKeys(names []string, fold bool) *Keys {
	if len(names) > 1<<15-1 {
		panic("jsonscan: too many keys")
	}
	size := 8
	for size < 4*len(names) {
		size *= 2
	}
	k := &Keys{
		names: append([]string(nil), names...), pats: make([]keyPat, len(names)),
		mask: uint32(size - 1), slotKey: make([]string, size), slotNum: make([]int32, size),
		fold: fold, allLower: true,
	}
	if fold {
		k.folded = make(map[string]int, len(names))
	}
	for n, name := range names {
		if name == "" {
			panic("jsonscan: empty key")
		}
		if k.Find(name) >= 0 {
			panic("jsonscan: repeated key " + name)
		}
		i := khash(name) & k.mask
		for k.slotKey[i] != "" {
			i = (i + 1) & k.mask
		}
		k.slotKey[i], k.slotNum[i] = name, int32(n)
		k.pats[n] = newKeyPat(name)
		for _, c := range []byte(name) {
			if c >= utf8.RuneSelf || c >= 'A' && c <= 'Z' {
				k.allLower = false
			}
		}
		if fold {
			if _, dup := k.folded[foldName(name)]; !dup { // the first of keys equal under folding wins
				k.folded[foldName(name)] = n
			}
		}
	}
	return k
}

// Len returns the number of keys.
func (k *Keys) Len() int { return len(k.names) }

// Name returns the key numbered n.
func (k *Keys) Name(n int) string { return k.names[n] }

// Find returns the number of key (exactly), or -1.
func (k *Keys) Find(key string) int {
	if key == "" {
		return -1
	}
	for i := khash(key) & k.mask; ; i = (i + 1) & k.mask {
		switch k.slotKey[i] {
		case key:
			return int(k.slotNum[i])
		case "":
			return -1
		}
	}
}

// Match returns the number of key as the set matches keys: exactly, and
// without regard to case when it was made with fold. -1 when none
// matches.
func (k *Keys) Match(key string) int {
	if n := k.Find(key); n >= 0 || !k.fold {
		return n
	}
	if k.allLower {
		// An ASCII key matches a lower-case ASCII key under folding only
		// as its lower case; others are folded in full.
		var buf [64]byte
		upper, ascii := false, len(key) <= len(buf)
		for i := 0; i < len(key) && ascii; i++ {
			c := key[i]
			switch {
			case c >= utf8.RuneSelf:
				ascii = false
			case c >= 'A' && c <= 'Z':
				upper = true
				c += 'a' - 'A'
			}
			buf[i] = c
		}
		if ascii {
			if !upper {
				return -1
			}
			return k.Find(string(buf[:len(key)]))
		}
	}
	if n, ok := k.folded[foldName(key)]; ok {
		return n
	}
	return -1
}

// foldName maps names equal under Unicode case folding (strings.EqualFold)
// to one string: each rune becomes the smallest of its fold orbit.
func foldName(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		for {
			r2 := unicode.SimpleFold(r)
			if r2 <= r {
				r = r2
				break
			}
			r = r2
		}
		b.WriteRune(r)
	}
	return b.String()
}

func khash(k string) uint32 {
	n := uint32(len(k))
	if n == 0 {
		return 0
	}
	return n*0x9E3779B1 ^ uint32(k[0])*0x85EBCA6B ^ uint32(k[n-1])*0xC2B2AE35 ^ uint32(k[n/2])*0x27D4EB2F
}

// keyPat is the text of a key after its opening quote in compact JSON:
// the key, its closing quote and the colon (`order_sn":`), as four words
// with masks when it is at most maxPat bytes. Input that starts with these
// bytes holds exactly this key (a key with a quote, a backslash, a control
// character or invalid UTF-8 has no pattern), so a guessed key is
// recognised with four masked word compares instead of a scan and a
// lookup.
type keyPat struct {
	w, m [4]uint64
	n    int // length in bytes; 0: no pattern
}

const maxPat = 32

func newKeyPat(key string) keyPat {
	if !utf8.ValidString(key) {
		return keyPat{}
	}
	for _, c := range []byte(key) {
		if strStop[c] {
			return keyPat{}
		}
	}
	p := key + `":`
	kp := keyPat{n: len(p)}
	if len(p) > maxPat { // compared as a string
		return kp
	}
	var b, m [maxPat]byte
	copy(b[:], p)
	for j := 0; j < len(p); j++ { // every byte (range over a string would step by runes)
		m[j] = 0xFF
	}
	for j := range kp.w {
		kp.w[j] = word(string(b[8*j:]))
		kp.m[j] = word(string(m[8*j:]))
	}
	return kp
}

// match returns the index after the pattern of key when d holds it from i
// on, else -1 (also when a short pattern has fewer than maxPat bytes left:
// the caller then scans the key).
func (p *keyPat) match(key, d string, i int) int {
	switch {
	case p.n == 0 || i < 0:
		return -1
	case p.n <= maxPat:
		if len(d)-i < maxPat {
			return -1
		}
		b := d[i : i+maxPat]
		if (word(b[0:8])^p.w[0])&p.m[0]|(word(b[8:16])^p.w[1])&p.m[1]|
			(word(b[16:24])^p.w[2])&p.m[2]|(word(b[24:32])^p.w[3])&p.m[3] != 0 {
			return -1
		}
	default:
		if len(d)-i < p.n || d[i:i+len(key)] != key || d[i+len(key)] != '"' || d[i+len(key)+1] != ':' {
			return -1
		}
	}
	return i + p.n
}

// Guesses remembers, for one Keys, which key followed which in the objects
// read before: Object guesses each key from it, and a right guess costs
// one compare of the input with the key's text. A wrong guess costs that
// compare and nothing else. The zero Guesses is ready to use; it starts
// over when used with other Keys. It is not safe for concurrent use.
type Guesses struct {
	keys *Keys
	next []int16 // by key number, and len(keys) for the start of an object: the key after it, or -1
}

func (g *Guesses) of(k *Keys) []int16 {
	if g.keys != k {
		g.next = g.next[:0]
		for range len(k.names) + 1 {
			g.next = append(g.next, -1)
		}
		g.keys = k
	}
	return g.next
}

// ObjectIter walks the members of an object (Scanner.Object).
type ObjectIter struct {
	s    *Scanner
	keys *Keys
	next []int16 // the Guesses, or nil
	prev int     // the number of the last key of keys read (len(keys) at the start)
	n    int     // members so far; -1 after the end or a failure
	idx  int     // the current key's number, or -1
	// key is the current key when it was scanned (not guessed): a
	// guessed key is the Keys' name, and is not stored (a store of a
	// string costs more than the rest of a right guess).
	key     string
	scanned bool
}

// Object starts reading the object at the position: Next moves to each
// member in turn, past its key and colon; the caller reads (or Skips) the
// value before the next call. Keys, when not nil, numbers the keys
// (Index); g, when not nil, guesses them from the objects read before.
// When Next returns false the object has been read, or the Scanner failed
// (Err).
func (s *Scanner) Object(keys *Keys, g *Guesses) ObjectIter {
	it := ObjectIter{s: s, keys: keys, n: -1, idx: -1}
	if s.Lookahead() != '{' {
		s.fail("expected an object")
		return it
	}
	if !s.enter() {
		return it
	}
	s.pos++
	it.n = 0
	if keys != nil {
		it.prev = len(keys.names)
		if g != nil {
			it.next = g.of(keys)
		}
	}
	return it
}

// Next moves to the next member and reports whether there is one; false
// at the end of the object (read through its closing brace) or on a
// failure.
func (it *ObjectIter) Next() bool {
	s := it.s
	if it.n < 0 {
		return false
	}
	c := s.Lookahead()
	if it.n > 0 {
		switch c {
		case ',':
			s.pos++
			c = s.Lookahead()
		case '}':
			s.pos++
			s.leave()
			it.n = -1
			return false
		default:
			it.n = -1
			return s.fail("expected , or } after an object member")
		}
	} else if c == '}' {
		s.pos++
		s.leave()
		it.n = -1
		return false
	}
	if c != '"' {
		it.n = -1
		return s.fail("expected a key")
	}
	it.n++
	k := it.keys
	if it.next != nil {
		// The guess, compared in words with the input (the key, its
		// closing quote and a colon right after): the usual case needs
		// neither a scan of the key nor a lookup. (keyPat.match, written
		// out for short keys: the call cost more than the compare.)
		if p := it.next[it.prev]; p >= 0 {
			e := &k.pats[p]
			d := s.data
			i := s.pos + 1
			end := -1
			if uint(e.n-1) < maxPat && len(d)-i >= maxPat { // 0 < e.n <= maxPat
				b := d[i : i+maxPat]
				if (word(b[0:8])^e.w[0])&e.m[0]|(word(b[8:16])^e.w[1])&e.m[1]|
					(word(b[16:24])^e.w[2])&e.m[2]|(word(b[24:32])^e.w[3])&e.m[3] == 0 {
					end = i + e.n
				}
			} else if e.n > maxPat {
				end = e.match(k.names[p], d, i)
			}
			if end >= 0 {
				s.pos = end
				it.idx, it.prev, it.scanned = int(p), int(p), false
				return true
			}
		}
	}
	key, ok := s.str()
	if !ok || !s.colon() {
		it.n = -1
		return false
	}
	it.key, it.idx, it.scanned = key, -1, true
	if k != nil {
		if n := k.Match(key); n >= 0 {
			if it.next != nil {
				it.next[it.prev] = int16(n)
			}
			it.idx, it.prev = n, n
		}
	}
	return true
}

// Index returns the number of the current member's key in the Keys, or -1
// for a key not among them (or when there are none).
func (it *ObjectIter) Index() int { return it.idx }

// Key returns the current member's key: its decoded text, or for a key
// recognised by its guess the Keys' name (the same text).
func (it *ObjectIter) Key() string {
	if !it.scanned {
		return it.keys.names[it.idx]
	}
	return it.key
}

// Slot is the constraint of the values Fields stores: Value, or a type
// defined on it (type val jsonscan.Value) with methods of its own.
type Slot interface {
	~struct {
		p *byte
		n uint32
		k Kind
	}
}

// Fields reads the object at the position with keys, the fast way to fill
// slots: the value of each key numbered below len(vals) is read as Value
// reads it into vals[n] (the last of duplicate keys wins; the slots of
// absent keys keep what they held). For any other member, other is called
// with the key's number (-1 for a key not in keys) and the key, with the
// position at the value, which it must read or Skip, returning false to
// stop (Fields then fails); a nil other skips them. g, when not nil,
// guesses the keys from the objects read before, as Object does. Fields
// returns the number of members read and whether the object was read.
func Fields[V Slot](s *Scanner, keys *Keys, g *Guesses, vals []V, other func(n int, key string) bool) (members int, ok bool) {
	if s.Lookahead() != '{' {
		return 0, s.fail("expected an object")
	}
	if !s.enter() {
		return 0, false
	}
	s.pos++
	if s.Lookahead() == '}' {
		s.pos++
		s.leave()
		return 0, true
	}
	var next []int16
	if g != nil {
		next = g.of(keys)
	}
	prev := len(keys.names)
	for {
		if s.Lookahead() != '"' {
			return members, s.fail("expected a key")
		}
		members++
		var n int
		var key string // "" for a guessed key (a key of keys is never "")
		if next != nil {
			// The guess, as in ObjectIter.Next.
			if p := next[prev]; p >= 0 {
				e := &keys.pats[p]
				d := s.data
				i := s.pos + 1
				end := -1
				if uint(e.n-1) < maxPat && len(d)-i >= maxPat { // 0 < e.n <= maxPat
					b := d[i : i+maxPat]
					if (word(b[0:8])^e.w[0])&e.m[0]|(word(b[8:16])^e.w[1])&e.m[1]|
						(word(b[16:24])^e.w[2])&e.m[2]|(word(b[24:32])^e.w[3])&e.m[3] == 0 {
						end = i + e.n
					}
				} else if e.n > maxPat {
					end = e.match(keys.names[p], d, i)
				}
				if end >= 0 {
					s.pos = end
					n, prev = int(p), int(p)
					goto value
				}
			}
		}
		{
			var ok bool
			if key, ok = s.str(); !ok || !s.colon() {
				return members, false
			}
			if n = keys.Match(key); n >= 0 {
				if next != nil {
					next[prev] = int16(n)
				}
				prev = n
			}
		}
	value:
		if uint(n) < uint(len(vals)) {
			v, ok := s.Value()
			if !ok {
				return members, false
			}
			vals[n] = V(v)
		} else if other == nil {
			if !s.Skip() {
				return members, false
			}
		} else {
			if n >= 0 && key == "" {
				key = keys.names[n]
			}
			if !other(n, key) {
				return members, s.fail("object member not read")
			}
		}
		switch s.Lookahead() {
		case ',':
			s.pos++
		case '}':
			s.pos++
			s.leave()
			return members, true
		default:
			return members, s.fail("expected , or } after an object member")
		}
	}
}
