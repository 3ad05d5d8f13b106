package sqlite

import (
	"context"
	"runtime"
	"testing"
)

// A renewal waits for the write in progress only: queued behind writes, it
// gets the writer connection before all of them.
func TestUrgentLockGoesAheadOfQueuedWrites(t *testing.T) {
	var l writeLock
	ctx := context.Background()
	if err := l.lock(ctx); err != nil { // the write in progress
		t.Fatal(err)
	}
	order := make(chan string, 4)
	queued := func(n int) bool {
		l.mu.Lock()
		defer l.mu.Unlock()
		return len(l.normal)+len(l.urgent) == n
	}
	for _, name := range []string{"write 1", "write 2"} {
		go func() {
			_ = l.lock(ctx)
			order <- name
			l.unlock()
		}()
	}
	for !queued(2) {
		runtime.Gosched()
	}
	go func() {
		_ = l.lockUrgent(ctx)
		order <- "renewal"
		l.unlock()
	}()
	for !queued(3) {
		runtime.Gosched()
	}
	l.unlock()
	if got := <-order; got != "renewal" {
		t.Fatalf("first after the write in progress: %s, want the renewal", got)
	}
	<-order
	<-order
	// A waiter whose context ends leaves the queue and the lock works on.
	if err := l.lock(ctx); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- l.lock(cctx) }()
	for !queued(1) {
		runtime.Gosched()
	}
	cancel()
	if err := <-done; err == nil {
		t.Fatal("a cancelled wait took the lock")
	}
	l.unlock()
	if err := l.lock(ctx); err != nil {
		t.Fatal(err)
	}
	l.unlock()
}
