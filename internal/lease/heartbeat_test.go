package lease

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
)

// flakyStore fails the first renewals and records a renewal that came
// after the expiry it extended.
type flakyStore struct {
	*memStore
	mu     sync.Mutex
	fails  int
	panics int // the first renewals panic instead (after the failures)
	late   bool
	ok     int
}

func (f *flakyStore) Renew(ctx context.Context, p, s string, fe connector.Fence, exp time.Time) (bool, error) {
	f.mu.Lock()
	if f.fails > 0 {
		f.fails--
		f.mu.Unlock()
		return false, errors.New("connection reset by peer")
	}
	if f.panics > 0 {
		f.panics--
		f.mu.Unlock()
		panic("driver: index out of range")
	}
	f.mu.Unlock()
	f.memStore.mu.Lock()
	cur := f.rows[p+"/"+s]
	f.memStore.mu.Unlock()
	held, err := f.memStore.Renew(ctx, p, s, fe, exp)
	f.mu.Lock()
	defer f.mu.Unlock()
	if held && exp.After(Released.Add(time.Hour)) {
		f.ok++
		if !time.Now().Before(cur.ExpiresAt) {
			f.late = true
		}
	}
	return held, err
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("still waiting for %s", what)
}

// A failed renewal is logged and tried again soon, not a whole period
// later: two failures in a row do not let the lease expire.
func TestHeartbeatFailuresAreLoggedAndRetriedSoon(t *testing.T) {
	st := &flakyStore{memStore: newMem(), fails: 2}
	var log syncBuffer
	o := Options{TTL: 1200 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(&log, nil))}
	l, err := Acquire(context.Background(), st, "mem", "p", "s", 0, o)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a renewal after the failures", func() bool { st.mu.Lock(); defer st.mu.Unlock(); return st.ok > 0 })
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if st.late {
		t.Error("the lease was renewed only after it had expired")
	}
	if out := log.String(); !strings.Contains(out, "lease renewal failed") || !strings.Contains(out, "connection reset by peer") || !strings.Contains(out, "failures=2") {
		t.Errorf("failed renewals not logged:\n%s", out)
	}
}

// A renewal that panics (a driver fed bytes it did not expect) is a failed
// renewal: logged and tried again, and the process lives on.
func TestHeartbeatSurvivesAPanickingStore(t *testing.T) {
	st := &flakyStore{memStore: newMem(), panics: 2}
	var log syncBuffer
	o := Options{TTL: 1200 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(&log, nil))}
	l, err := Acquire(context.Background(), st, "mem", "p", "s", 0, o)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a renewal after the panics", func() bool { st.mu.Lock(); defer st.mu.Unlock(); return st.ok > 0 })
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if out := log.String(); !strings.Contains(out, "lease renewal panicked: driver: index out of range") || !strings.Contains(out, "failures=2") {
		t.Errorf("panicking renewals not logged as failures:\n%s", out)
	}
}

// A heartbeat that finds its lease taken over says so.
func TestHeartbeatReportsALostLease(t *testing.T) {
	st := newMem()
	var log syncBuffer
	o := Options{TTL: 150 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(&log, nil))}
	l, err := Acquire(context.Background(), st, "mem", "p", "s", 0, o)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	st.mu.Lock()
	st.rows["p/s"] = Row{Holder: "other", Epoch: l.Fence.Epoch + 1, ExpiresAt: time.Now().Add(time.Hour)}
	st.mu.Unlock()
	waitFor(t, "the lost lease in the log", func() bool { return strings.Contains(log.String(), "lease lost") })
}
