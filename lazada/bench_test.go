package lazada_test

import (
	"context"
	"encoding/json"
	"runtime"
	"runtime/metrics"
	"strconv"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/simfault"
	"github.com/facolos/etl/internal/testenv"
	"github.com/facolos/etl/lazada"
	"github.com/facolos/etl/lazada/lazadatest"
)

// nullSink stores nothing: the benchmarks measure the source.
type nullSink struct{}

func (nullSink) Prepare(context.Context, []*connector.Table) error { return nil }
func (nullSink) Write(context.Context, *connector.Batch) error     { return nil }
func (nullSink) Close() error                                      { return nil }

// BenchmarkFullLoadCalls loads a shop of 2,000 orders over 120 days (and
// of 2,000 in one day, beyond a lowered offset cap) and reports the calls
// sent against the minimum: ceil(N/100) list pages plus ceil(N/50) item
// calls.
func BenchmarkFullLoadCalls(b *testing.B) {
	for _, c := range []struct {
		name      string
		days, cap int
	}{{"120days", 120, 0}, {"oneDayCap300", 1, 300}} {
		b.Run(c.name, func(b *testing.B) {
			const n = 2000
			sim := newSim(b, lazadatest.Options{Orders: n, Days: c.days, OffsetCap: c.cap})
			var calls int64
			for b.Loop() {
				cfg := config(sim, nil, connector.HTTPConfig{})
				cfg.OffsetCap = c.cap
				res := run(b, sourceFor(b, cfg), nullSink{})
				if res.Err != nil {
					b.Fatal(res.Err)
				}
				calls = 0
				for _, v := range res.APICalls {
					calls += v
				}
			}
			minimum := float64((n+99)/100 + (n+49)/50)
			b.ReportMetric(float64(calls), "calls")
			b.ReportMetric(float64(calls)/minimum, "calls/minimum")
		})
	}
}

// BenchmarkTransform is the transformer's speed on one core, in orders
// (with their items) per second.
func BenchmarkTransform(b *testing.B) {
	sim := newSim(b, lazadatest.Options{Orders: 200})
	recs := records(b, sim)
	var out discard
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if err := (lazada.Transformer{}).Transform(recs[i%len(recs)], &out); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "orders/s")
}

// records reads the simulator's orders with their items as the stream
// builds them.
func records(b *testing.B, sim *lazadatest.Server) []connector.Record {
	c, err := lazada.NewClient(config(sim, nil, connector.HTTPConfig{}))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var recs []connector.Record
	for offset := 0; ; offset += 100 {
		page, err := c.ListOrders(ctx, lazada.ListRequest{Field: "created_at", From: simNow.AddDate(0, 0, -200).Unix(), To: time.Now().Unix(), Offset: offset})
		if err != nil {
			b.Fatal(err)
		}
		for _, raw := range page.Orders {
			var h struct {
				ID json.Number `json:"order_id"`
			}
			_ = json.Unmarshal(raw, &h)
			id, _ := strconv.ParseInt(h.ID.String(), 10, 64)
			items, _, err := c.GetOrderItems(ctx, []int64{id})
			if err != nil {
				b.Fatal(err)
			}
			data, _ := json.Marshal(map[string]any{"seller_id": sim.SellerID(), "order": raw, "items": items[0].Items})
			recs = append(recs, connector.Record{Key: h.ID.String(), Data: data})
		}
		if len(page.Orders) < 100 {
			return recs
		}
	}
}

// BenchmarkLatencyBound loads 5,000 orders (10,000 and 50,000 with
// ETL_TEST_LONG=1) from a simulator answering in 300 ms ± 100 ms with the
// app's budget at 20 calls/s, and reports the calls and the load's time
// against the minimum (ceil(N/100) list pages + ceil(N/50) item calls, and
// that many calls ÷ 20/s), and the peak live heap of the load: the largest
// live heap any collection during the load found (runtime/metrics
// /gc/heap/live:bytes, read every 20 ms: no collection is forced, which
// would slow the load), above the live heap before it. The simulator runs
// in the same process: its data is left out this way, its answers in
// flight are not.
func BenchmarkLatencyBound(b *testing.B) {
	for _, n := range testenv.Pick([]int{5000}, []int{10000, 50000}) {
		b.Run(strconv.Itoa(n), func(b *testing.B) { latencyBound(b, n) })
	}
}

func latencyBound(b *testing.B, n int) {
	const perSecond = 20
	sim := newSim(b, lazadatest.Options{Orders: n, Faults: simfault.Options{Latency: 200 * time.Millisecond, Jitter: 200 * time.Millisecond}})
	minimum := float64((n+99)/100 + (n+49)/50)
	var secs, calls float64
	var peak uint64
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	liveHeap := func() uint64 {
		metrics.Read(live)
		return live[0].Value.Uint64()
	}
	for b.Loop() {
		cfg := config(sim, nil, connector.HTTPConfig{Budget: connector.NewBudget(perSecond, 1)})
		runtime.GC()
		before := liveHeap()
		stop := make(chan struct{})
		sampled := make(chan uint64)
		go func() {
			var top uint64
			tick := time.NewTicker(20 * time.Millisecond)
			defer tick.Stop()
			for {
				top = max(top, liveHeap())
				select {
				case <-stop:
					sampled <- top
					return
				case <-tick.C:
				}
			}
		}()
		start := time.Now()
		res := run(b, sourceFor(b, cfg), nullSink{})
		secs = time.Since(start).Seconds()
		close(stop)
		if top := <-sampled; top > before {
			peak = top - before
		}
		if res.Err != nil {
			b.Fatal(res.Err)
		}
		calls = 0
		for _, v := range res.APICalls {
			calls += float64(v)
		}
	}
	b.ReportMetric(calls/minimum, "calls/minimum")
	b.ReportMetric(secs/(minimum/perSecond), "time/budget-bound")
	b.ReportMetric(float64(peak)/(1<<20), "peak-live-MB")
}
