package lease

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
)

// memStore is a Store in memory.
type memStore struct {
	mu   sync.Mutex
	rows map[string]Row
}

func newMem() *memStore { return &memStore{rows: map[string]Row{}} }

func (m *memStore) Insert(_ context.Context, p, s string, r Row) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.rows[p+"/"+s]; ok {
		return false, nil
	}
	m.rows[p+"/"+s] = r
	return true, nil
}

func (m *memStore) Get(_ context.Context, p, s string) (Row, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.rows[p+"/"+s]
	return r, ok, nil
}

func (m *memStore) Swap(_ context.Context, p, s string, old connector.Fence, r Row) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	cur, ok := m.rows[p+"/"+s]
	if !ok || cur.Fence() != old {
		return false, nil
	}
	r.Succeeded, r.SucceededMode = cur.Succeeded, cur.SucceededMode // as the sinks' UPDATE
	m.rows[p+"/"+s] = r
	return true, nil
}

func (m *memStore) Renew(_ context.Context, p, s string, f connector.Fence, exp time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	cur, ok := m.rows[p+"/"+s]
	if !ok || cur.Fence() != f {
		return false, nil
	}
	cur.ExpiresAt = exp
	m.rows[p+"/"+s] = cur
	return true, nil
}

func (m *memStore) Release(ctx context.Context, p, s string, f connector.Fence, exp time.Time, success *Success) error {
	ok, err := m.Renew(ctx, p, s, f, exp)
	if ok && success != nil {
		m.mu.Lock()
		cur := m.rows[p+"/"+s]
		cur.Succeeded, cur.SucceededMode = success.At, success.Mode
		m.rows[p+"/"+s] = cur
		m.mu.Unlock()
	}
	return err
}

func TestTakeover(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	o := &Options{Host: "h", PID: 10, Alive: func(pid int) bool { return pid == 11 }}
	live.Store("held", true)
	defer live.Delete("held")
	for _, c := range []struct {
		row  Row
		want bool
	}{
		{Row{ExpiresAt: now.Add(-time.Second), Host: "h", PID: 11}, true},                 // expired
		{Row{ExpiresAt: now, Host: "x", PID: 1}, true},                                    // expires now
		{Row{ExpiresAt: Released, Host: "h", PID: 11}, true},                              // released
		{Row{ExpiresAt: now.Add(time.Minute), Host: "h", PID: 11}, false},                 // alive on this host
		{Row{ExpiresAt: now.Add(time.Minute), Host: "h", PID: 12}, true},                  // dead on this host
		{Row{ExpiresAt: now.Add(time.Minute), Host: "other", PID: 12}, false},             // another host
		{Row{ExpiresAt: now.Add(time.Minute), Host: "h", PID: 10, Holder: "held"}, false}, // this process holds it
		{Row{ExpiresAt: now.Add(time.Minute), Host: "h", PID: 10, Holder: "gone"}, true},  // this process let it go
		{Row{ExpiresAt: now.Add(time.Minute), Host: "", PID: 0}, false},                   // unknown holder
	} {
		if got, why := takeover(c.row, now, o); got != c.want {
			t.Errorf("%+v: takeover = %v (%s), want %v", c.row, got, why, c.want)
		}
	}
}

func TestAcquireWaitsAndHonoursTheContext(t *testing.T) {
	st := newMem()
	o := Options{TTL: time.Hour}
	a, err := Acquire(context.Background(), st, "mem", "p", "s", 0, o)
	if err != nil {
		t.Fatal(err)
	}
	// The waiter's look at the held lease is the event: it waits after it.
	seen := &seenStore{memStore: st, held: make(chan struct{}, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-seen.held; cancel() }()
	if _, err := Acquire(ctx, seen, "mem", "p", "s", time.Hour, o); !errors.Is(err, context.Canceled) {
		t.Fatalf("a wait ends with the context: %v", err)
	}
	select { // a look of the cancelled wait not yet taken
	case <-seen.held:
	default:
	}
	go func() { <-seen.held; _ = a.Release() }()
	b, err := Acquire(context.Background(), seen, "mem", "p", "s", time.Hour, o)
	if err != nil {
		t.Fatalf("a waiter gets the lease once released: %v", err)
	}
	if b.Fence.Epoch != 2 {
		t.Fatalf("epoch %d, want 2", b.Fence.Epoch)
	}
	_ = b.Release()
}

// seenStore signals on held each time Acquire finds the lease held by
// another (a Get that returns a live row), without blocking.
type seenStore struct {
	*memStore
	held chan struct{}
}

func (s *seenStore) Get(ctx context.Context, p, st string) (Row, bool, error) {
	r, ok, err := s.memStore.Get(ctx, p, st)
	if ok && r.ExpiresAt.After(time.Now()) {
		select {
		case s.held <- struct{}{}:
		default:
		}
	}
	return r, ok, err
}

// Acquire and hold a lease; another worker finds it held.
func Example() {
	st := newMem() // a sink's lease table
	ctx := context.Background()
	l, _ := Acquire(ctx, st, "mem", "shopee/1", "orders", 0, Options{})
	_, err := Acquire(ctx, st, "mem", "shopee/1", "orders", 0, Options{})
	fmt.Println(l.Fence.Epoch, errors.Is(err, connector.ErrLeaseHeld))
	_ = l.Release()
	l2, _ := Acquire(ctx, st, "mem", "shopee/1", "orders", 0, Options{})
	fmt.Println(l2.Fence.Epoch)
	_ = l2.Release()
	// Output:
	// 1 true
	// 2
}

// A holding of this process whose release failed does not block the next
// run of the same process for the TTL.
func TestFailedReleaseOfThisProcess(t *testing.T) {
	st := &failingRelease{memStore: newMem()}
	o := Options{TTL: time.Hour}
	a, err := Acquire(context.Background(), st, "mem", "p", "s", 0, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Release(); err == nil {
		t.Fatal("the release was meant to fail")
	}
	b, err := Acquire(context.Background(), st, "mem", "p", "s", 0, o)
	if err != nil {
		t.Fatalf("the next holding of this process: %v", err)
	}
	if b.Fence.Epoch != 2 {
		t.Fatalf("epoch %d", b.Fence.Epoch)
	}
	// Another process (another pid) still waits for the expiry.
	other := o
	other.PID = os.Getpid() + 1
	other.Alive = func(int) bool { return true }
	if _, err := Acquire(context.Background(), st, "mem", "p", "s", 0, other); !errors.Is(err, connector.ErrLeaseHeld) {
		t.Fatalf("another process: %v", err)
	}
}

type failingRelease struct{ *memStore }

func (f *failingRelease) Release(context.Context, string, string, connector.Fence, time.Time, *Success) error {
	return errors.New("database is locked")
}
