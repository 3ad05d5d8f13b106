// Package benchproc holds the process plumbing of examples/bench: running
// the simulator in a child process (so the loader's heap and CPU time are
// measured alone) and measuring the loader's peak heap and CPU time.
package benchproc

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"sync/atomic"
	"syscall"
	"time"
)

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

// PeakHeap samples the heap's objects, live ones and garbage not yet
// collected (runtime/metrics /memory/classes/heap/objects:bytes, which is
// runtime.MemStats.HeapAlloc), every 5 ms after a GC until the returned
// function is called; that function returns the peak in bytes. It reads
// runtime/metrics rather than runtime.ReadMemStats, which stops the world:
// 200 stops a second cost a measured load 4-8 % of its CPU time.
func PeakHeap() (stop func() uint64) {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	return Peak(5*time.Millisecond, func() uint64 {
		metrics.Read(s)
		return s[0].Value.Uint64()
	})
}

// PeakLiveHeap samples the live heap that the last collection found
// (runtime/metrics /gc/heap/live:bytes; no collection is forced) every
// 5 ms after a GC until the returned function is called; that function
// returns the peak in bytes. Unlike PeakHeap it does not depend on when
// the collector runs.
func PeakLiveHeap() (stop func() uint64) {
	return PeakLiveHeapProfiled(nil)
}

// PeakLiveHeapProfiled is PeakLiveHeap that, with profile set, writes into
// profile the heap profile (which describes the same collection) every
// time the live heap read is the largest yet, replacing the one before: at
// the end it says what the peak was made of.
func PeakLiveHeapProfiled(profile *bytes.Buffer) (stop func() uint64) {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var top uint64
	return Peak(5*time.Millisecond, func() uint64 {
		metrics.Read(s)
		v := s[0].Value.Uint64()
		if profile != nil && v > top {
			profile.Reset()
			_ = pprof.Lookup("heap").WriteTo(profile, 0)
		}
		top = max(top, v)
		return v
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

// CPUTime is the CPU time (user + system) this process has used.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// PeakRSS is the highest resident set size of this process so far, in
// bytes (VmHWM of /proc/self/status; 0 where there is none). Unlike the
// ru_maxrss a parent reads of its child, it never counts the parent's
// memory: a child started by fork and exec starts its count at the
// parent's size.
func PeakRSS() uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range bytes.Split(data, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			var kb uint64
			if _, err := fmt.Sscan(string(bytes.TrimSpace(bytes.TrimSuffix(bytes.TrimSpace(v), []byte("kB")))), &kb); err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}
