package misa_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/simfault"
	"github.com/facolos/etl/misa"
	"github.com/facolos/etl/misa/misatest"
	"github.com/facolos/etl/sink/sqlite"
)

// cpuTime is the CPU time (user + system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

type countOutput struct{ rows int }

func (c *countOutput) Add(*connector.Table, []any) { c.rows++ }

// BenchmarkTransform measures the transformer per entity on one goroutine
// (one core), from the JSON bytes of simulator records to rows.
func BenchmarkTransform(b *testing.B) {
	sim := newSim(b, misatest.Options{Customers: 1000, SaleOrders: 1000, Contacts: 1000, Products: 500})
	for _, e := range []string{misatest.Customers, misatest.SaleOrders, misatest.Contacts, misatest.Products} {
		var recs []connector.Record
		for _, r := range sim.Records(e) {
			data, _ := json.Marshal(r)
			recs = append(recs, connector.Record{Stream: e, Key: fmt.Sprint(r["id"]), Data: data})
		}
		b.Run(e, func(b *testing.B) {
			out := &countOutput{}
			tr := misa.Transformer{}
			b.ReportAllocs()
			cpu0 := cpuTime()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := tr.Transform(recs[i%len(recs)], out); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
			// On a shared machine wall time says little: records per second
			// of this process's CPU time (GC included) is the honest figure.
			b.ReportMetric(float64(b.N)/(cpuTime()-cpu0).Seconds(), "records/cpu-s")
			b.ReportMetric(float64(out.rows)/float64(b.N), "rows/record")
		})
	}
}

// TestMain serves a simulator when MISA_BENCH_SERVE holds a record count:
// BenchmarkFullLoad runs the simulator in a child process so that the heap
// it measures is the pipeline's alone.
func TestMain(m *testing.M) {
	if v := os.Getenv("MISA_BENCH_SERVE"); v != "" {
		n, _ := strconv.Atoi(v)
		sim := misatest.NewServer(misatest.Options{Seed: 7, Now: simNow, Customers: n, SaleOrders: n, Contacts: 1, Products: 20, Stock: 1})
		fmt.Println(sim.URL)
		_, _ = io.Copy(io.Discard, os.Stdin) // until the parent closes stdin
		sim.Close()
		return
	}
	os.Exit(m.Run())
}

// childSim starts a simulator of n customers and n sale orders in a child
// process and returns its base URL.
func childSim(b *testing.B, n int) string {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "MISA_BENCH_SERVE="+strconv.Itoa(n))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { stdin.Close(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		b.Fatal(err)
	}
	return strings.TrimSpace(line)
}

// BenchmarkFullLoad loads n customers and n sale orders from the simulator
// (in a child process) into SQLite: wall time per load, API calls of the
// two entities against the minimum ceil(n/100) each (+1 when n is a
// multiple of 100: the empty page that ends the read), and the peak heap of
// this process (HeapInuse sampled every 2 ms).
func BenchmarkFullLoad(b *testing.B) {
	for _, n := range []int{20_000, 100_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			url := childSim(b, n)
			var calls, minimum, peak int64
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				sink, err := sqlite.Open(context.Background(), sqlite.Config{Path: filepath.Join(b.TempDir(), fmt.Sprintf("bench%d.db", i))})
				if err != nil {
					b.Fatal(err)
				}
				src, err := misa.NewSource(misa.Config{BaseURL: url, ClientID: "TESTAPP", ClientSecret: "test_secret", Logger: quiet,
					HTTP: connector.HTTPConfig{Logger: quiet}})
				if err != nil {
					b.Fatal(err)
				}
				runtime.GC()
				var top atomic.Int64
				stop := make(chan struct{})
				done := make(chan struct{})
				go func() {
					defer close(done)
					t := time.NewTicker(2 * time.Millisecond)
					defer t.Stop()
					for {
						select {
						case <-stop:
							return
						case <-t.C:
							var m runtime.MemStats
							runtime.ReadMemStats(&m)
							if h := int64(m.HeapInuse); h > top.Load() {
								top.Store(h)
							}
						}
					}
				}()
				b.StartTimer()
				res := runner(connector.Full).Run(context.Background(), pipeline(src, sink))[0]
				b.StopTimer()
				close(stop)
				<-done
				if res.Err != nil {
					b.Fatal(res.Err)
				}
				calls = res.APICalls[misatest.BasePath+misa.PathCustomers] + res.APICalls[misatest.BasePath+misa.PathSaleOrders]
				minimum = 2 * int64(n/100+1)
				peak = max(peak, top.Load())
				sink.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(calls), "calls")
			b.ReportMetric(float64(minimum), "min-calls")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(2*n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkLatencyBound: with 100 ms per call, a full load of 3,000
// customers and 3,000 sale orders with 1 or 4 pages in flight.
func BenchmarkLatencyBound(b *testing.B) {
	sim := newSim(b, misatest.Options{Customers: 3000, SaleOrders: 3000, Contacts: 1, Products: 20, Stock: 1,
		Faults: simfault.Options{Latency: 100 * time.Millisecond}})
	for _, conc := range []int{1, 4} {
		b.Run(fmt.Sprint("concurrency", conc), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				sink, err := sqlite.Open(context.Background(), sqlite.Config{Path: filepath.Join(b.TempDir(), fmt.Sprintf("lat%d.db", i))})
				if err != nil {
					b.Fatal(err)
				}
				cfg := config(sim, nil, connector.HTTPConfig{})
				cfg.Concurrency = conc
				src, err := misa.NewSource(cfg)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				res := runner(connector.Full).Run(context.Background(), pipeline(src, sink))[0]
				b.StopTimer()
				if res.Err != nil {
					b.Fatal(res.Err)
				}
				b.ReportMetric(float64(res.APICalls[misatest.BasePath+misa.PathCustomers]), "customer-calls")
				sink.Close()
				b.StartTimer()
			}
		})
	}
}
