package sinktest

import (
	"context"
	"encoding/json"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
)

// testFencing: worker A holds the lease and writes; A pauses past the
// lease's expiry (its clock and heartbeat stand still, modelled by worker
// B's clock running ahead); B takes the lease over (the next epoch) and
// writes; A resumes and writes under its old fence. Nothing A writes then
// lands — rows, child rows, rejections, checkpoint — and the checkpoint
// never moves backwards.
func testFencing(t *testing.T, newSink NewSink) {
	ctx := context.Background()
	const ttl = time.Minute // the heartbeat (every ttl/3) never ticks in this test
	a := newSink(t, Config{LeaseTTL: ttl, Now: time.Now})
	la, ok := any(a).(connector.Leaser)
	if !ok {
		t.Skip("the sink is not a connector.Leaser")
	}
	var ahead atomic.Int64 // B's clock runs this far ahead
	b := newSink(t, Config{SameAs: a, LeaseTTL: ttl, Now: func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }})
	lb := any(b).(connector.Leaser)
	o, l := orders(), lines()
	prepare(t, a, o, l)
	prepare(t, b, o, l)

	leaseA, err := la.Lease(ctx, "p", "s", 0)
	if err != nil {
		t.Fatalf("A takes the lease: %v", err)
	}
	if leaseA.Fence.Epoch < 1 || leaseA.Fence.Holder == "" {
		t.Fatalf("A's fence %+v: want a holder and an epoch >= 1", leaseA.Fence)
	}
	wa := batch("a1", connector.TableRows{Table: o, Rows: [][]any{order("A", 1)}}, connector.TableRows{Table: l, Rows: [][]any{line("A", 1, "a")}})
	wa.Checkpoint = connector.Checkpoint(`{"n":1}`)
	wa.Fence = &leaseA.Fence
	write(t, a, wa)

	if _, err := lb.Lease(ctx, "p", "s", 0); !errors.Is(err, connector.ErrLeaseHeld) {
		t.Fatalf("B while A's lease is valid: err = %v, want ErrLeaseHeld", err)
	}
	ahead.Store(int64(2 * ttl)) // A is paused past its expiry
	leaseB, err := lb.Lease(ctx, "p", "s", 0)
	if err != nil {
		t.Fatalf("B takes the expired lease over: %v", err)
	}
	if leaseB.Fence.Epoch != leaseA.Fence.Epoch+1 {
		t.Fatalf("takeover epoch %d, want %d", leaseB.Fence.Epoch, leaseA.Fence.Epoch+1)
	}
	wb := batch("b1", connector.TableRows{Table: o, Rows: [][]any{order("B", 2)}})
	wb.Checkpoint = connector.Checkpoint(`{"n":2}`)
	wb.Fence = &leaseB.Fence
	write(t, b, wb)
	ordersBefore, linesBefore := read(t, a, o), read(t, a, l)

	// A resumes and writes what it had read before the pause.
	stale := batch("a2",
		connector.TableRows{Table: o, Rows: [][]any{order("A", 9), order("C", 3)}},
		connector.TableRows{Table: l, Rows: [][]any{line("C", 1, "c")}})
	stale.Rejected = []connector.Rejection{{Key: "Z", Reason: "bad", Payload: json.RawMessage(`{}`), At: t0}}
	stale.Checkpoint = connector.Checkpoint(`{"n":1.5}`)
	stale.Fence = &leaseA.Fence
	for i := range stale.Tables {
		stale.Tables[i].Rows = clone(stale.Tables[i].Rows)
	}
	if err := a.Write(ctx, stale); !errors.Is(err, connector.ErrLeaseLost) {
		t.Fatalf("A writes after the takeover: err = %v, want ErrLeaseLost", err)
	}
	equal(t, ordersBefore, read(t, a, o), "no row of the fenced writer lands")
	equal(t, linesBefore, read(t, a, l), "no child row of the fenced writer lands")
	if cp, err := a.LoadCheckpoint(ctx, "p", "s"); err != nil || !jsonEqual(cp, `{"n":2}`) {
		t.Fatalf("checkpoint after the fenced write = %s, %v; want B's {\"n\":2}", cp, err)
	}
	// A gives its lost lease back: that must not free B's.
	if err := leaseA.Release(); err != nil {
		t.Fatalf("A releases its lost lease: %v", err)
	}
	ahead.Store(0)
	if _, err := la.Lease(ctx, "p", "s", 0); !errors.Is(err, connector.ErrLeaseHeld) {
		t.Fatalf("after A's release B still holds the lease: err = %v, want ErrLeaseHeld", err)
	}
	// B goes on writing under its fence, and unfenced writes still work.
	wb = batch("b2", connector.TableRows{Table: o, Rows: [][]any{order("D", 4)}})
	wb.Checkpoint = connector.Checkpoint(`{"n":3}`)
	wb.Fence = &leaseB.Fence
	write(t, b, wb)
	write(t, b, batch("b3", connector.TableRows{Table: o, Rows: [][]any{order("E", 5)}}))
	if n := len(read(t, b, o)); n != 4 {
		t.Fatalf("orders A, B, D, E: got %d rows", n)
	}
	if err := leaseB.Release(); err != nil {
		t.Fatal(err)
	}
	next, err := la.Lease(ctx, "p", "s", 0)
	if err != nil {
		t.Fatalf("lease after B's release: %v", err)
	}
	if next.Fence.Epoch != leaseB.Fence.Epoch+1 {
		t.Fatalf("epoch after release %d, want %d (epochs never repeat)", next.Fence.Epoch, leaseB.Fence.Epoch+1)
	}
	if err := next.Release(); err != nil {
		t.Fatal(err)
	}
}
