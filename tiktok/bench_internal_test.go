package tiktok

import (
	"encoding/json"
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/tiktok/tiktoktest"
)

type countOut struct{ n int }

func (c *countOut) Add(*connector.Table, []any) { c.n++ }

// BenchmarkTransformDecoded measures the transform step alone: every order
// is decoded once before the loop by decodeOrder (which decodes the nested
// objects too, in the same pass); the loop converts, boxes and emits the
// rows.
func BenchmarkTransformDecoded(b *testing.B) {
	sim := tiktoktest.NewServer(tiktoktest.Options{Orders: 2000, Seed: 7})
	defer sim.Close()
	type dec struct {
		o   apiOrder
		raw string
	}
	var orders []dec
	for _, o := range sim.Orders() {
		data, _ := json.Marshal(o)
		d := dec{raw: string(data)}
		if err := decodeOrder(d.raw, &d.o); err != nil {
			b.Fatal(err)
		}
		orders = append(orders, d)
	}
	out := &countOut{}
	var c cells // as Transform's pooled scratch: one boxer for many orders
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d := &orders[i%len(orders)]
		if err := transform(&d.o, &c, d.raw, "", nil, out); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "orders/s")
}
