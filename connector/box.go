package connector

import (
	"time"
	"unsafe"
)

// Boxer puts values into the cells of a row (an any) without one heap
// allocation per value. Go boxes a string, an int64 above 255, a Dec, a
// time.Time or a RawJSON by copying it into a fresh heap object; a
// transformer that emits a hundred values per order spends a large part of
// its time, and of the garbage collector's, on those small objects. A
// Boxer copies the values into slabs instead (one allocation per slab, the
// slabs growing from 16 to 512 values) and returns interfaces that point
// into them. The result is an ordinary interface value: type assertions,
// type switches, ==, fmt and reflect see exactly what any(v) gives.
//
// Each value is written once, before its interface is made, and never
// again, so the interfaces are as immutable as any other. A slab stays
// alive while any row holds one of its values, which suits rows of one
// order or one batch. The zero Boxer is ready; it is not safe for
// concurrent use (use one per goroutine, or one per record).
type Boxer struct {
	strs  slab[string]
	ints  slab[int64]
	decs  slab[Dec]
	times slab[time.Time]
	jsons slab[RawJSON]
}

// String boxes s.
func (b *Boxer) String(s string) any {
	if s == "" {
		return ""
	}
	return put(&b.strs, s, stringType)
}

// Int boxes n as an int64.
func (b *Boxer) Int(n int64) any {
	if uint64(n) < uint64(len(smallInts)) {
		return smallInts[n]
	}
	return put(&b.ints, n, int64Type)
}

// smallInts are the int64 values 0-255, boxed once (the runtime boxes them
// without allocating too, but through a call).
var smallInts = func() (a [256]any) {
	for i := range a {
		a[i] = int64(i)
	}
	return a
}()

// Dec boxes d.
func (b *Boxer) Dec(d Dec) any { return put(&b.decs, d, decType) }

// Time boxes t.
func (b *Boxer) Time(t time.Time) any { return put(&b.times, t, timeType) }

// JSON boxes j.
func (b *Boxer) JSON(j RawJSON) any { return put(&b.jsons, j, jsonType) }

// slab hands out the unused tail of its current block.
type slab[T any] struct {
	block []T
	used  int // the values of block handed out
	next  int // size of the next block
}

const (
	firstSlab = 16
	maxSlab   = 512
)

// eface is the runtime's layout of an empty interface: the dynamic type and
// a pointer to the value (for types that are not pointer-shaped).
type eface struct {
	typ  unsafe.Pointer
	data unsafe.Pointer
}

// typeOf is the runtime type word of T, read from a boxed zero value.
func typeOf[T any]() unsafe.Pointer {
	var z T
	e := any(z)
	return (*eface)(unsafe.Pointer(&e)).typ
}

var (
	stringType = typeOf[string]()
	int64Type  = typeOf[int64]()
	decType    = typeOf[Dec]()
	timeType   = typeOf[time.Time]()
	jsonType   = typeOf[RawJSON]()
)

// put copies v into the slab and returns an interface of type typ (T's
// type word) pointing at the copy. Only for types that are not
// pointer-shaped (their interface holds a pointer to the value).
func put[T any](s *slab[T], v T, typ unsafe.Pointer) any {
	if s.used >= len(s.block) {
		s.grow()
	}
	p := &s.block[s.used]
	s.used++
	*p = v
	return *(*any)(unsafe.Pointer(&eface{typ: typ, data: unsafe.Pointer(p)}))
}

// grow starts a new block (the old one stays alive while any interface
// points into it).
func (s *slab[T]) grow() {
	n := max(s.next, firstSlab)
	s.block, s.used = make([]T, n), 0
	s.next = min(2*n, maxSlab)
}
