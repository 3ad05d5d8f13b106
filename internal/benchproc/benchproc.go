// Package benchproc holds what the benchmark mains under examples/ share:
// running the simulator in a child process (so the loader's heap is
// measured alone) and sampling the loader's peak heap.
package benchproc

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"sync/atomic"
	"time"
)

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

// PeakHeap samples runtime.MemStats.HeapAlloc every 5 ms after a GC until
// the returned function is called; that function returns the peak in bytes.
func PeakHeap() (stop func() uint64) {
	runtime.GC()
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var ms runtime.MemStats
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak.Load() {
				peak.Store(ms.HeapAlloc)
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
		return peak.Load()
	}
}
