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
	if n >= 0 && n < 256 {
		return n // the runtime boxes small integers without allocating
	}
	return put(&b.ints, n, int64Type)
}

// Dec boxes d.
func (b *Boxer) Dec(d Dec) any { return put(&b.decs, d, decType) }

// Time boxes t.
func (b *Boxer) Time(t time.Time) any { return put(&b.times, t, timeType) }

// JSON boxes j.
func (b *Boxer) JSON(j RawJSON) any { return put(&b.jsons, j, jsonType) }

// slab hands out the unused tail of its current block.
type slab[T any] struct {
	free []T
	next int // size of the next block
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
	if len(s.free) == 0 {
		n := s.next
		if n < firstSlab {
			n = firstSlab
		}
		s.free = make([]T, n)
		s.next = min(2*n, maxSlab)
	}
	p := &s.free[0]
	*p = v
	s.free = s.free[1:]
	return *(*any)(unsafe.Pointer(&eface{typ: typ, data: unsafe.Pointer(p)}))
}
