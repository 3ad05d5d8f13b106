package tiktok

import (
	"encoding/json"
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/tiktok/tiktoktest"
)

type countOut struct{ n int }

func (c *countOut) Add(*connector.Table, []any) { c.n++ }

// BenchmarkTransformDecoded measures the transform step alone: the order's
// top level is decoded once before the loop (its nested objects, kept raw
// for the JSON columns, are decoded inside, as in a load).
func BenchmarkTransformDecoded(b *testing.B) {
	sim := tiktoktest.NewServer(tiktoktest.Options{Orders: 2000, Seed: 7})
	defer sim.Close()
	type dec struct {
		o   apiOrder
		raw []byte
	}
	var orders []dec
	for _, o := range sim.Orders() {
		data, _ := json.Marshal(o)
		var d dec
		if err := json.Unmarshal(data, &d.o); err != nil {
			b.Fatal(err)
		}
		d.raw = data
		orders = append(orders, d)
	}
	out := &countOut{}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d := orders[i%len(orders)]
		o := d.o
		if err := transform(&o, string(d.raw), "", out); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "orders/s")
}
