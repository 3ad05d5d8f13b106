package jsonbench

import (
	"bytes"
	"encoding/json"
	"syscall"
	"testing"
	"time"

	gojson "github.com/goccy/go-json"

	"github.com/facolos/etl/shopee/shopeetest"
)

func orders(b *testing.B) [][]byte {
	sim := shopeetest.NewServer(shopeetest.Options{Orders: 2000, Seed: 7, Now: time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)})
	defer sim.Close()
	var out [][]byte
	size := 0
	for _, o := range sim.Orders() {
		data, err := json.Marshal(o)
		if err != nil {
			b.Fatal(err)
		}
		size += len(data)
		out = append(out, data)
	}
	b.SetBytes(int64(size / len(out)))
	return out
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func run(b *testing.B, decode func([]byte) error) {
	data := orders(b)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		if err := decode(data[i%len(data)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/(cpuTime()-cpu0).Seconds(), "orders/cpu-s")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "orders/s")
}

// The standard library into a generic tree (what the shopee transformer
// did before).
func BenchmarkStdlibTree(b *testing.B) {
	run(b, func(data []byte) error {
		d := json.NewDecoder(bytes.NewReader(data))
		d.UseNumber()
		var v any
		return d.Decode(&v)
	})
}

func BenchmarkStdlibStructs(b *testing.B) {
	run(b, func(data []byte) error { var o Order; return json.Unmarshal(data, &o) })
}

func BenchmarkGoccyStructs(b *testing.B) {
	run(b, func(data []byte) error { var o Order; return gojson.Unmarshal(data, &o) })
}
