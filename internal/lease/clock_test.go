package lease

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
)

// clockStore is a memStore whose database has its own clock.
type clockStore struct {
	*memStore
	passed atomic.Int64 // how far the database's clock has moved past time.Now
}

func (c *clockStore) Now(context.Context) (time.Time, error) {
	return time.Now().Add(time.Duration(c.passed.Load())), nil
}

// Workers whose clocks are hours apart agree on who holds a lease: the
// database's clock decides. A worker whose clock runs ahead does not take a
// live lease over, and one whose clock runs behind does not keep a crashed
// holder's lease alive past its expiry.
func TestTheDatabaseClockDecidesExpiries(t *testing.T) {
	ctx := context.Background()
	const ttl = time.Minute
	st := &clockStore{memStore: newMem()}
	behind := Options{TTL: ttl, Host: "a", PID: 1, Now: func() time.Time { return time.Now().Add(-2 * time.Hour) }}
	ahead := Options{TTL: ttl, Host: "b", PID: 2, Now: func() time.Time { return time.Now().Add(2 * time.Hour) }}

	a, err := Acquire(ctx, st, "mem", "p", "s", 0, behind)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Release()
	if exp := st.rows["p/s"].ExpiresAt; exp.Before(time.Now()) || exp.After(time.Now().Add(ttl)) {
		t.Fatalf("expiry %s written from the worker's clock, not the database's", exp)
	}
	if _, err := Acquire(ctx, st, "mem", "p", "s", 0, ahead); !errors.Is(err, connector.ErrLeaseHeld) {
		t.Fatalf("a worker whose clock runs 2 h ahead took a live lease over: %v", err)
	}
	// A dies (no more heartbeats) and its lease expires on the database's
	// clock: the worker whose clock runs behind takes it over.
	st.passed.Store(int64(2 * ttl))
	c, err := Acquire(ctx, st, "mem", "p", "s", 0, Options{TTL: ttl, Host: "c", PID: 3, Now: behind.Now})
	if err != nil {
		t.Fatalf("a worker whose clock runs 2 h behind waits for an expired lease: %v", err)
	}
	if c.Fence.Epoch != a.Fence.Epoch+1 {
		t.Fatalf("epoch %d, want %d", c.Fence.Epoch, a.Fence.Epoch+1)
	}
	_ = c.Release()
}
