// Package benchproc holds what the benchmark mains under examples/ share:
// running the simulator in a child process (so the loader's heap is
// measured alone), loading a source into a temporary SQLite file (or
// reading it only) while measuring the loader's time and peak heap.
package benchproc

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/simfault"
	"github.com/facolos/etl/sink/sqlite"
	"golang.org/x/time/rate"
)

// Flags are the flags every bench command of a platform has.
type Flags struct {
	// Serve is set in the simulator's child process.
	Serve bool
	// Latency of every simulated call, plus up to Jitter more.
	Latency, Jitter time.Duration
	// Rate is the calls per second the client keeps to and the simulator
	// allows (0: unlimited).
	Rate float64
	// Concurrency is the source's Concurrency (0: the library's default).
	Concurrency int
	// SourceOnly reads from the API only, the records counted and
	// dropped: the API-bound part of a load.
	SourceOnly bool
}

// NewFlags defines the Flags on the default flag set; concurrency says
// what -concurrency means to the command.
func NewFlags(concurrency string) *Flags {
	f := &Flags{}
	flag.BoolVar(&f.Serve, "serve", false, "internal: run the simulator and print its address")
	flag.DurationVar(&f.Latency, "latency", 0, "simulated latency of every call")
	flag.DurationVar(&f.Jitter, "jitter", 0, "extra random latency of up to this")
	flag.Float64Var(&f.Rate, "rate", 0, "calls per second the client keeps to and the simulator allows (0: unlimited)")
	flag.IntVar(&f.Concurrency, "concurrency", 0, concurrency)
	flag.BoolVar(&f.SourceOnly, "source-only", false, "read from the API only (records counted and dropped): the API-bound part of a load")
	return f
}

// Faults are the simulator's latency and jitter.
func (f *Flags) Faults() simfault.Options {
	return simfault.Options{Latency: f.Latency, Jitter: f.Jitter}
}

// HTTP is the client's configuration: the rate with a burst of 1.
func (f *Flags) HTTP(logger *slog.Logger) connector.HTTPConfig {
	return connector.HTTPConfig{RateLimit: rate.Limit(f.Rate), Burst: 1, Logger: logger}
}

// StartChild runs this executable as the simulator's child process with
// -serve and every flag of the command line as parsed (Start).
func StartChild(endpoint any) (stop func(), err error) {
	args := []string{"-serve"}
	flag.VisitAll(func(fl *flag.Flag) {
		if fl.Name != "serve" {
			args = append(args, "-"+fl.Name+"="+fl.Value.String())
		}
	})
	return Start(endpoint, args...)
}

// Serve is the child's side: it prints endpoint as one JSON line on stdout
// and returns when the parent closes stdin.
func Serve(endpoint any) {
	_ = json.NewEncoder(os.Stdout).Encode(endpoint)
	_, _ = io.Copy(io.Discard, os.Stdin)
}

// Start runs this executable with args (which ask it to Serve), decodes the
// endpoint it prints into endpoint and returns a function that ends it.
func Start(endpoint any, args ...string) (stop func(), err error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, args...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	stop = func() { stdin.Close(); _ = cmd.Wait() }
	if err := json.NewDecoder(bufio.NewReader(stdout)).Decode(endpoint); err != nil {
		stop()
		return nil, fmt.Errorf("simulator: %w", err)
	}
	return stop, nil
}

// PeakHeap samples runtime.MemStats.HeapAlloc (live objects and garbage
// not yet collected) every 5 ms after a GC until the returned function is
// called; that function returns the peak in bytes.
func PeakHeap() (stop func() uint64) {
	var ms runtime.MemStats
	return Peak(5*time.Millisecond, func() uint64 {
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	})
}

// PeakLiveHeap samples the live heap that the last collection found
// (runtime/metrics /gc/heap/live:bytes; no collection is forced) every
// 5 ms after a GC until the returned function is called; that function
// returns the peak in bytes. Unlike PeakHeap it does not depend on when
// the collector runs.
func PeakLiveHeap() (stop func() uint64) {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	return Peak(5*time.Millisecond, func() uint64 {
		metrics.Read(s)
		return s[0].Value.Uint64()
	})
}

// Peak samples read every period after a GC until the returned function is
// called; that function returns the largest value read.
func Peak(period time.Duration, read func() uint64) (stop func() uint64) {
	runtime.GC()
	var top atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			if v := read(); v > top.Load() {
				top.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-finished
		return top.Load()
	}
}

// Measure is a load measured by Load.
type Measure struct {
	Result    connector.Result
	Wall, CPU time.Duration
	// PeakHeap and PeakLive are the peaks of PeakHeap and PeakLiveHeap.
	PeakHeap, PeakLive uint64
}

// Source is what Load reads: a source that counts its calls.
type Source interface {
	connector.Source
	connector.StatsSource
}

// Load runs a full load of src through tr into a SQLite file of a
// temporary directory (removed afterwards), or with sourceOnly reads its
// first stream and drops the records (the API-bound part of a load), and
// measures it: wall and CPU time, peak heap. A failed load is an error.
func Load(ctx context.Context, src Source, tr connector.Transformer, sourceOnly bool) (Measure, error) {
	dir, err := os.MkdirTemp("", "etl-bench")
	if err != nil {
		return Measure{}, err
	}
	defer os.RemoveAll(dir)
	sink, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(dir, "bench.db")})
	if err != nil {
		return Measure{}, err
	}
	defer sink.Close()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	peakHeap, peakLive := PeakHeap(), PeakLiveHeap()
	cpu0 := CPUTime()
	start := time.Now()
	var m Measure
	if sourceOnly {
		m.Result.Err = src.Streams()[0].Read(ctx, connector.ReadOptions{}, func(_ context.Context, p connector.Page) error {
			m.Result.Records += int64(len(p.Records))
			return nil
		})
		m.Result.APICalls, m.Result.Stats = src.APICalls(), src.Stats()
	} else {
		m.Result = (&connector.Runner{Mode: connector.Full, Logger: quiet}).Run(ctx,
			connector.Pipeline{Name: "bench", Source: src, Transformer: tr, Sink: sink})[0]
	}
	m.Wall, m.CPU = time.Since(start), CPUTime()-cpu0
	m.PeakHeap, m.PeakLive = peakHeap(), peakLive()
	return m, m.Result.Err
}

// Rows is the rows the load wrote, over all tables.
func (m Measure) Rows() int64 {
	var n int64
	for _, v := range m.Result.Rows {
		n += v
	}
	return n
}

// CPUTime is the CPU time (user + system) this process has used.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
