package shopee

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/shopee/shopeetest"
)

// The benchmarks of the one-pass transformer, each on one goroutine (one
// core) over 2,000 simulated orders (about 3.6 kB of JSON each):
//
//	go test ./shopee -run '^$' -bench 'Orders' -benchmem
//
// BenchmarkOrdersBytesToValidatedRows is the goal's measure: JSON bytes of
// one order to rows that passed connector.ValidateRow. The Tree variants
// run the transformer this one replaced, on the same orders.

func benchRecords(b *testing.B) []connector.Record {
	b.Helper()
	sim := shopeetest.NewServer(shopeetest.Options{Orders: 2000, Seed: 7, Now: time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)})
	defer sim.Close()
	var recs []connector.Record
	size := 0
	for _, o := range sim.Orders() {
		data, err := json.Marshal(o)
		if err != nil {
			b.Fatal(err)
		}
		size += len(data)
		recs = append(recs, connector.Record{Key: o.OrderSN, Data: data, RequestID: "req-1"})
	}
	b.SetBytes(int64(size / len(recs)))
	return recs
}

// validating checks every row as the runner does and counts them.
type validating struct {
	rows int
	err  error
}

func (v *validating) Add(t *connector.Table, row []any) {
	v.rows++
	if err := connector.ValidateRow(t, row); err != nil && v.err == nil {
		v.err = err
	}
}

type counting struct{ rows int }

func (c *counting) Add(*connector.Table, []any) { c.rows++ }

// cpuStart is the process CPU time when the timer was last reset.
var cpuStart time.Duration

func start(b *testing.B) {
	b.ReportAllocs()
	b.ResetTimer()
	cpuStart = cpuTime()
}

// report adds orders per second of wall-clock time and, where it can be
// measured, per second of the process's CPU time (the rate on one core,
// whatever else runs on the machine; the garbage collector's work counts).
func report(b *testing.B, rows int) {
	if cpu := cpuTime() - cpuStart; cpuStart > 0 && cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu.Seconds(), "orders/cpu-s")
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "orders/s")
	b.ReportMetric(float64(rows)/float64(b.N), "rows/order")
}

// BenchmarkOrdersBytesToValidatedRows: decode + transform + validation.
func BenchmarkOrdersBytesToValidatedRows(b *testing.B) {
	benchValidated(b, Transformer{}.Transform)
}

// BenchmarkOrdersTreeBytesToValidatedRows: the same with the tree
// transformer.
func BenchmarkOrdersTreeBytesToValidatedRows(b *testing.B) {
	benchValidated(b, oldTransform)
}

func benchValidated(b *testing.B, transform func(connector.Record, connector.Output) error) {
	recs := benchRecords(b)
	out := &validating{}
	start(b)
	for i := 0; i < b.N; i++ {
		if err := transform(recs[i%len(recs)], out); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if out.err != nil {
		b.Fatal(out.err)
	}
	report(b, out.rows)
}

// BenchmarkOrdersBytesToRows: decode + transform (Transformer.Transform).
func BenchmarkOrdersBytesToRows(b *testing.B) {
	recs := benchRecords(b)
	out := &counting{}
	start(b)
	for i := 0; i < b.N; i++ {
		if err := (Transformer{}).Transform(recs[i%len(recs)], out); err != nil {
			b.Fatal(err)
		}
	}
	report(b, out.rows)
}

// BenchmarkOrdersDecode: the scan alone, into the reused decoded order.
func BenchmarkOrdersDecode(b *testing.B) {
	recs := benchRecords(b)
	d := new(decodedOrder)
	start(b)
	for i := 0; i < b.N; i++ {
		if !d.decode(recs[i%len(recs)].Data) {
			b.Fatal("decode failed")
		}
	}
	report(b, 0)
}

// BenchmarkOrdersTransformDecoded: the transform step alone, from decoded
// orders to rows.
func BenchmarkOrdersTransformDecoded(b *testing.B) {
	recs := benchRecords(b)
	ds := make([]*decodedOrder, len(recs))
	for i, r := range recs {
		ds[i] = new(decodedOrder)
		if !ds[i].decode(r.Data) {
			b.Fatal("decode failed")
		}
	}
	out := &counting{}
	var bx connector.Boxer // one, as Transform's pooled decoder has
	start(b)
	for i := 0; i < b.N; i++ {
		k := i % len(recs)
		if err := ds[k].transform(recs[k], out, &bx, 0); err != nil {
			b.Fatal(err)
		}
	}
	report(b, out.rows)
}

// BenchmarkOrdersTreeDecode: the tree transformer's decode alone.
func BenchmarkOrdersTreeDecode(b *testing.B) {
	recs := benchRecords(b)
	start(b)
	for i := 0; i < b.N; i++ {
		if _, err := oldDecodeTree(recs[i%len(recs)].Data); err != nil {
			b.Fatal(err)
		}
	}
	report(b, 0)
}

// BenchmarkOrdersTreeTransformDecoded: the tree transformer's transform
// step alone.
func BenchmarkOrdersTreeTransformDecoded(b *testing.B) {
	recs := benchRecords(b)
	trees := make([]oldObject, len(recs))
	for i, r := range recs {
		t, err := oldDecodeTree(r.Data)
		if err != nil {
			b.Fatal(err)
		}
		trees[i] = t.(oldObject)
	}
	out := &counting{}
	start(b)
	for i := 0; i < b.N; i++ {
		o := trees[i%len(recs)]
		if err := oldTransformOrder(o, oldRowCtx{sn: o["order_sn"].(string), requestID: "req-1"}, out); err != nil {
			b.Fatal(err)
		}
	}
	report(b, out.rows)
}
