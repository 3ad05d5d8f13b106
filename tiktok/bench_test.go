package tiktok_test

import (
	"encoding/json"
	"strconv"
	"testing"

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
// runner: wall time per load and search calls against the minimum
// (ceil(N/100)). The simulator shares this process, so the heap is
// measured by examples/bench (-platform tiktok), which runs it in a child process.
func BenchmarkFullLoad(b *testing.B) {
	for _, n := range []int{10_000, 50_000} {
		b.Run(strconv.Itoa(n/1000)+"k", func(b *testing.B) {
			sim := newSim(b, tiktoktest.Options{Orders: n, Days: 150, NoFinance: true})
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				sink := openSink(b, "", sqlite.Config{})
				src := sourceFor(b, sim, nil, connector.HTTPConfig{})
				b.StartTimer()
				res := run(b, &connector.Runner{}, src, sink)
				if res.Err != nil || res.Records != int64(n) {
					b.Fatalf("load: %v (%d records)", res.Err, res.Records)
				}
				b.ReportMetric(float64(res.APICalls[tiktok.PathSearch]), "search-calls")
				b.ReportMetric(float64((n+99)/100), "min-calls")
				b.ReportMetric(float64(n)/res.Duration.Seconds(), "orders/s")
			}
		})
	}
}
