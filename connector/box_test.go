package connector_test

import (
	"fmt"
	"reflect"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
)

// TestBoxerValuesAreOrdinary checks that a boxed value behaves exactly as
// any(v): assertions, switches, ==, reflect, fmt, map keys, and that the
// values survive garbage collections while later values are boxed.
func TestBoxerValuesAreOrdinary(t *testing.T) {
	var b connector.Boxer
	type pair struct{ boxed, plain any }
	var pairs []pair
	at := time.Date(2025, 3, 4, 5, 6, 7, 8, time.UTC)
	for i := 0; i < 3000; i++ {
		s := "Nguyễn Văn " + strconv.Itoa(i)
		d, err := connector.ParseDec(strconv.Itoa(i) + ".25")
		if err != nil {
			t.Fatal(err)
		}
		n := int64(i*1_000_003 - 7)
		ts := at.Add(time.Duration(i) * time.Second)
		j := connector.RawJSON(`{"i":` + strconv.Itoa(i) + `}`)
		pairs = append(pairs,
			pair{b.String(s), s}, pair{b.Int(n), n}, pair{b.Int(int64(i % 256)), int64(i % 256)},
			pair{b.Dec(d), d}, pair{b.Time(ts), ts}, pair{b.JSON(j), j}, pair{b.String(""), ""})
		if i%500 == 0 {
			runtime.GC()
		}
	}
	runtime.GC()
	seen := map[any]int{}
	for k, p := range pairs {
		if p.boxed != p.plain {
			t.Fatalf("pair %d: %#v != %#v", k, p.boxed, p.plain)
		}
		if reflect.TypeOf(p.boxed) != reflect.TypeOf(p.plain) || !reflect.DeepEqual(p.boxed, p.plain) {
			t.Fatalf("pair %d: reflect sees %T %#v, want %T %#v", k, p.boxed, p.boxed, p.plain, p.plain)
		}
		if fmt.Sprint(p.boxed) != fmt.Sprint(p.plain) {
			t.Fatalf("pair %d: fmt %q != %q", k, fmt.Sprint(p.boxed), fmt.Sprint(p.plain))
		}
		switch v := p.boxed.(type) {
		case string, int64, connector.Dec, time.Time, connector.RawJSON:
		default:
			t.Fatalf("pair %d: unexpected type %T", k, v)
		}
		seen[p.boxed]++
	}
	for k, p := range pairs {
		if seen[p.plain] == 0 {
			t.Fatalf("pair %d: the plain value is not found among the boxed map keys", k)
		}
	}
	if s, ok := pairs[0].boxed.(string); !ok || s != "Nguyễn Văn 0" {
		t.Fatalf("assertion gives %q %v", s, ok)
	}
}

// TestBoxerAllocates checks that boxing costs one allocation per slab, not
// one per value.
func TestBoxerAllocates(t *testing.T) {
	s := "Hà Nội"
	allocs := testing.AllocsPerRun(20, func() {
		var b connector.Boxer
		for i := 0; i < 1000; i++ {
			_ = b.String(s)
			_ = b.Int(int64(1000 + i))
		}
	})
	// 1000 values per type in slabs of 16, 32, ..., 512: 7 slabs each.
	if allocs > 14 {
		t.Fatalf("%v allocations for 2000 boxed values, want ≤ 14", allocs)
	}
}

func BenchmarkBoxer(b *testing.B) {
	// 100 distinct values per row, as a transformer boxes them.
	vals := make([]string, 100)
	for k := range vals {
		vals[k] = "Thành phố Hồ Chí Minh " + strconv.Itoa(k)
	}
	b.Run("any", func(b *testing.B) {
		b.ReportAllocs()
		row := make([]any, 100)
		for i := 0; i < b.N; i++ {
			for k, v := range vals {
				row[k] = v
			}
		}
	})
	b.Run("Boxer", func(b *testing.B) {
		b.ReportAllocs()
		row := make([]any, 100)
		for i := 0; i < b.N; i++ {
			var bx connector.Boxer
			for k, v := range vals {
				row[k] = bx.String(v)
			}
		}
	})
}

func ExampleBoxer() {
	var b connector.Boxer
	row := []any{b.String("Trần Thị Hoa"), b.Int(1_250_000), b.JSON(`{"a":1}`)}
	name, _ := row[0].(string)
	fmt.Println(name, row[1], row[2])
	// Output: Trần Thị Hoa 1250000 {"a":1}
}
