package connector

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"
)

// gateSink is a sink whose presence lease and last successes the test sets.
type gateSink struct {
	mu       sync.Mutex
	held     bool
	finished time.Time // the presence's last success
	done     map[string]bool
}

func (s *gateSink) Prepare(context.Context, []*Table) error { return nil }
func (s *gateSink) Write(context.Context, *Batch) error     { return nil }
func (s *gateSink) Close() error                            { return nil }
func (s *gateSink) InspectLease(context.Context, string, string) (LeaseState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return LeaseState{Now: time.Now(), Held: s.held, LastSuccess: s.finished, LastMode: Incremental}, nil
}
func (s *gateSink) LastSuccesses(_ context.Context, pipelines []string) (time.Time, []StreamSuccess, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	var out []StreamSuccess
	for _, p := range pipelines {
		if s.done[p] {
			out = append(out, StreamSuccess{Pipeline: p, Stream: "s", At: now, Mode: Incremental})
		}
	}
	return now, out, nil
}

func (s *gateSink) setDone(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 0; i < n; i++ {
		s.done[fmt.Sprintf("p/%d", i)] = true
	}
}

type gateStream struct{}

func (gateStream) Name() string                                      { return "s" }
func (gateStream) Read(context.Context, ReadOptions, EmitFunc) error { return nil }
func (gateSource) Streams() []Stream                                 { return []Stream{gateStream{}} }

type gateSource struct{}

// newGate returns a gate over 10 pipelines of another shard whose owner's
// presence is held, with a grace of 10 s and reads every 1 s, started at t0.
func newGate(t0 time.Time) (*ownerGate, *gateSink) {
	sink := &gateSink{held: true, done: map[string]bool{}}
	var ps []Pipeline
	for i := 0; i < 10; i++ {
		ps = append(ps, Pipeline{Name: fmt.Sprintf("p/%d", i), Source: gateSource{}, Sink: sink})
	}
	r := &Runner{Shard: Shard{Index: 0, Count: 2}, Help: true, Watch: true, FreshWithin: time.Hour, WatchEvery: time.Nanosecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	r.done = r.newDoneSet(ps)
	return &ownerGate{r: r, li: sink, pipeline: "etl-shard/x", stream: "1/2", ps: ps, start: t0, grace: 10 * time.Second, every: time.Second}, sink
}

// The gate's rules on a clock the test moves: a live owner keeping pace is
// left alone; one far behind, stalled, gone, finished or missing past the
// grace period is helped.
func TestOwnerGateRules(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return t0.Add(d) }

	g, s := newGate(t0)
	if g.evaluate(ctx, at(0)) {
		t.Fatal("live owner helped at once")
	}
	s.setDone(5)
	if g.evaluate(ctx, at(2*time.Second)) {
		t.Error("keeping pace (5 left at 2.5/s: 2 s): helped")
	}
	s.setDone(9)
	if g.evaluate(ctx, at(4*time.Second)) {
		t.Error("keeping pace (1 left): helped")
	}

	g, s = newGate(t0)
	g.evaluate(ctx, at(0))
	s.setDone(1)
	if !g.evaluate(ctx, at(2*time.Second)) {
		t.Error("far behind (9 left at 0.5/s: 18 s > 10 s): not helped")
	}

	g, s = newGate(t0)
	s.setDone(2)
	g.evaluate(ctx, at(0))
	if g.evaluate(ctx, at(9*time.Second)) {
		t.Error("no progress for 9 s of a 10 s grace: helped")
	}
	if !g.evaluate(ctx, at(10*time.Second)) {
		t.Error("no progress for the grace period: not helped")
	}

	g, s = newGate(t0)
	g.evaluate(ctx, at(0))
	s.mu.Lock()
	s.held = false
	s.mu.Unlock()
	if !g.evaluate(ctx, at(time.Second)) {
		t.Error("owner gone (presence seen, then free, unfinished): not helped")
	}

	g, s = newGate(t0)
	s.held, s.finished = false, time.Now()
	if !g.evaluate(ctx, at(0)) {
		t.Error("owner finished: its leftovers not helped")
	}

	g, s = newGate(t0)
	s.held = false
	if g.evaluate(ctx, at(9*time.Second)) {
		t.Error("owner not shown up within the grace period: helped")
	}
	if !g.evaluate(ctx, at(10*time.Second)) {
		t.Error("owner missing past the grace period: not helped")
	}

	g, s = newGate(t0)
	s.setDone(10)
	if !g.evaluate(ctx, at(0)) {
		t.Error("shard done: not let through (its runs find it fresh)")
	}

	// Without Watch, a live owner watched keeping pace for the grace
	// period is left its pipelines.
	g, s = newGate(t0)
	g.r.Watch = false
	g.evaluate(ctx, at(0))
	if got := g.undecided(at(5 * time.Second)); got != gateWait {
		t.Errorf("without Watch, before the grace period: %d", got)
	}
	if got := g.undecided(at(10 * time.Second)); got != gateNo {
		t.Errorf("without Watch, after the grace period: %d", got)
	}
}

// Without Watch, a helper gives up on a live owner only on what it saw at
// its last look: between two looks (decide's cached answer) the grace
// period may run out for an owner that stalled meanwhile, and the next look
// must help it, not leave its pipelines to nobody. Here the owner is held
// and makes no progress, with a grace period of 1 ns: the first look waits
// (t0), the next call within the interval must not give up, and the look
// after it helps (no progress for the grace period).
func TestOwnerGateGivesUpOnlyAfterALook(t *testing.T) {
	ctx := context.Background()
	g, _ := newGate(time.Now())
	g.r.Watch = false
	g.grace = time.Nanosecond
	g.every = time.Hour
	if got := g.decide(ctx); got != gateWait {
		t.Fatalf("first look at a live owner: %d, want wait", got)
	}
	for t0 := g.t0; !time.Now().After(t0); {
		// the clock passes the grace period
	}
	if got := g.decide(ctx); got == gateNo {
		t.Fatal("gave up on an owner between two looks, without seeing it keep pace (it made no progress)")
	}
	g.mu.Lock()
	g.checked = time.Time{} // the interval has passed
	g.mu.Unlock()
	if got := g.decide(ctx); got != gateHelp {
		t.Errorf("owner without progress for the grace period: %d, want help", got)
	}
}
