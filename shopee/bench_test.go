package shopee_test

import (
	"encoding/json"
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/shopee"
	"github.com/facolos/etl/shopee/shopeetest"
)

// BenchmarkTransform measures the transformer on simulator-generated orders
// (one goroutine, so one core).
func BenchmarkTransform(b *testing.B) {
	sim := newSim(b, shopeetest.Options{Orders: 2000})
	var recs []connector.Record
	for _, o := range sim.Orders() {
		data, _ := json.Marshal(o)
		recs = append(recs, connector.Record{Key: o.OrderSN, Data: data})
	}
	rows := 0
	out := outputFunc(func(*connector.Table, []any) { rows++ })
	tr := shopee.Transformer{}
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
