package tiktok_test

import (
	"encoding/json"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/facolos/etl/tiktok"
	"github.com/facolos/etl/tiktok/tiktoktest"
)

type outputFunc func(*connector.Table, []any)

func (f outputFunc) Add(t *connector.Table, r []any) { f(t, r) }

// BenchmarkTransform measures the transformer from the JSON bytes of one
// order (as the search page carries it) to rows, on one goroutine (one
// core): allocs/op is allocations per order.
func BenchmarkTransform(b *testing.B) {
	sim := newSim(b, tiktoktest.Options{Orders: 2000})
	var recs []connector.Record
	for _, o := range sim.Orders() {
		data, _ := json.Marshal(o)
		recs = append(recs, connector.Record{Key: o.ID, Data: data})
	}
	rows := 0
	out := outputFunc(func(*connector.Table, []any) { rows++ })
	tr := tiktok.Transformer{}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := tr.Transform(recs[i%len(recs)], out); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "orders/s")
	b.ReportMetric(float64(rows)/float64(b.N), "rows/order")
}

// BenchmarkFullLoad loads N simulated orders into SQLite through the
// runner: wall time per load, search calls against the minimum
// (ceil(N/100)), and the peak Go heap of the load above the heap the
// simulator itself holds.
func BenchmarkFullLoad(b *testing.B) {
	for _, n := range []int{10_000, 50_000} {
		b.Run(itoa(n), func(b *testing.B) {
			sim := newSim(b, tiktoktest.Options{Orders: n, Days: 150})
			var peak atomic.Uint64
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				sink := openSink(b, "", sqlite.Config{})
				src := sourceFor(b, sim, nil, connector.HTTPConfig{})
				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				base := ms.HeapAlloc
				stop := make(chan struct{})
				done := make(chan struct{})
				go func() {
					defer close(done)
					t := time.NewTicker(20 * time.Millisecond)
					defer t.Stop()
					for {
						select {
						case <-stop:
							return
						case <-t.C:
							var m runtime.MemStats
							runtime.ReadMemStats(&m)
							if m.HeapAlloc > base && m.HeapAlloc-base > peak.Load() {
								peak.Store(m.HeapAlloc - base)
							}
						}
					}
				}()
				b.StartTimer()
				res := run(b, &connector.Runner{}, src, sink)
				b.StopTimer()
				close(stop)
				<-done
				if res.Err != nil || res.Records != int64(n) {
					b.Fatalf("load: %v (%d records)", res.Err, res.Records)
				}
				b.ReportMetric(float64(res.APICalls[tiktok.PathSearch]), "search-calls")
				b.ReportMetric(float64((n+99)/100), "min-calls")
				b.ReportMetric(float64(n)/res.Duration.Seconds(), "orders/s")
				b.StartTimer()
			}
			b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
		})
	}
}

func itoa(n int) string {
	if n%1000 == 0 {
		return json.Number(string(rune('0'))).String()[:0] + formatK(n)
	}
	return formatK(n)
}

func formatK(n int) string {
	b, _ := json.Marshal(n / 1000)
	return string(b) + "k"
}
