package lease

import (
	"context"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
)

// A release after a success records it on the row; the next holder sees it
// (LastSuccess, LastMode) and Inspect does without taking the lease. A
// holding that expired is reported as taken over.
func TestSuccessAndTakeoverAreReported(t *testing.T) {
	ctx := context.Background()
	st := newMem()
	now := time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	o := Options{TTL: time.Minute, Now: func() time.Time { return now }, Host: "h", PID: 1, Alive: func(int) bool { return true }}
	a, err := Acquire(ctx, st, "t", "p", "s", 0, o)
	if err != nil {
		t.Fatal(err)
	}
	if !a.LastSuccess.IsZero() || a.TookOver != nil {
		t.Fatalf("first holding: %+v", a)
	}
	if state, err := Inspect(ctx, st, "t", "p", "s", o); err != nil || !state.Held {
		t.Fatalf("held: %+v %v", state, err)
	}
	if err := a.ReleaseSucceeded(connector.Full); err != nil {
		t.Fatal(err)
	}
	state, err := Inspect(ctx, st, "t", "p", "s", o)
	if err != nil || state.Held || !state.LastSuccess.Equal(now) || state.LastMode != connector.Full || !state.FreshWithin(time.Second, connector.Full) {
		t.Fatalf("after a success: %+v %v", state, err)
	}
	now = now.Add(time.Second)
	b, err := Acquire(ctx, st, "t", "p", "s", 0, o)
	if err != nil {
		t.Fatal(err)
	}
	if !b.FreshWithin(2*time.Second, connector.Full) || b.FreshWithin(time.Second, connector.Full) || b.TookOver != nil {
		t.Fatalf("second holding: %+v", b)
	}
	// b's worker (as if another process) stops renewing: its lease expires
	// and a worker of another process takes it over.
	now = now.Add(2 * time.Minute)
	other := o
	other.PID = 2
	c, err := Acquire(ctx, st, "t", "p", "s", 0, other)
	if err != nil {
		t.Fatal(err)
	}
	if c.TookOver == nil || *c.TookOver != b.Fence {
		t.Fatalf("taken over from %v, want %v", c.TookOver, b.Fence)
	}
	if !c.LastSuccess.Equal(now.Add(-2*time.Minute - time.Second)) {
		t.Fatalf("last success %v", c.LastSuccess)
	}
	_ = c.Release()
	_ = b.ReleaseSucceeded(connector.Incremental) // too late: the row is c's
	if state, _ := Inspect(ctx, st, "t", "p", "s", o); !state.LastSuccess.Equal(c.LastSuccess) || state.LastMode != connector.Full {
		t.Fatalf("a release by a holder that lost the lease recorded something: %+v", state)
	}
}
