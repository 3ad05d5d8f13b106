package connector

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Owners' presence
//
// A sharded worker holds, while the pipelines of its own shard run, a
// presence lease: the lease of the pseudo-stream "i/n" of the pipeline
// "etl-shard/<hash of the pipelines' names>" on the sink of its shard. It
// gives it back, recording a success, once they have all ended. A helper
// (Runner.Help) reads it (LeaseInspector) before taking pipelines of that
// shard: an owner that holds it is alive (its heartbeat renews it; a killed
// worker's lease expires, or is free at once when its process on the same
// host is gone), one whose lease was given back with a success this cycle
// has finished its shard. So a helper leaves a live owner's pipelines to it
// and still finishes the shard of an owner that is gone, missing or far
// behind (see Runner.OwnerGrace).

// DefaultOwnerGrace is Runner.OwnerGrace's default.
const DefaultOwnerGrace = 5 * time.Second

// presenceKey returns the (pipeline, stream) of the presence lease of
// shard s of the pipelines named: the same for every worker given the same
// pipelines, in any order.
func presenceKey(names []string, s Shard) (pipeline, stream string) {
	u := slices.Clone(names)
	slices.Sort(u)
	u = slices.Compact(u)
	h := sha256.New()
	for _, n := range u {
		h.Write([]byte(n))
		h.Write([]byte{0})
	}
	return "etl-shard/" + hex.EncodeToString(h.Sum(nil)[:8]), fmt.Sprintf("%d/%d", s.Index, s.Count)
}

// presenceSink returns the sink the presence lease of a shard lives on:
// that of its pipeline with the smallest name whose sink is a Leaser and a
// LeaseInspector (nil when none).
func presenceSink(ps []Pipeline) Sink {
	var best *Pipeline
	for i := range ps {
		p := &ps[i]
		if _, ok := p.Sink.(Leaser); !ok {
			continue
		}
		if _, ok := p.Sink.(LeaseInspector); !ok {
			continue
		}
		if best == nil || p.Name < best.Name {
			best = p
		}
	}
	if best == nil {
		return nil
	}
	return best.Sink
}

// ownerGate decides when a helper may take pipelines of one other shard.
type ownerGate struct {
	r        *Runner
	li       LeaseInspector
	pipeline string
	stream   string
	ps       []Pipeline // the shard's pipelines
	start    time.Time  // the helper's Run started
	grace    time.Duration
	every    time.Duration

	mu        sync.Mutex
	checked   time.Time // last evaluation
	waitStart time.Time // first look at the owner
	next      time.Time // the next look (interval after the last)
	open      bool      // help allowed (cached until the next evaluation)
	no        bool      // the owner is left its pipelines (cached likewise)
	seen      bool      // the owner's presence was seen held
	waited    bool      // the helper waited for the owner (logged once)
	t0        time.Time // first observation of a live owner
	d0        int       // done pipelines then
	lastD     int
	lastAt    time.Time // when the done count last grew
}

// Decisions of an ownerGate.
const (
	gateWait = iota
	gateHelp
	gateNo
)

// wait blocks until the helper may take a pipeline of the gate's shard
// (true) or, without Runner.Watch, until it is clear that it should not
// (false: the owner is alive and keeping pace).
func (g *ownerGate) wait(ctx context.Context) bool {
	for ctx.Err() == nil {
		switch g.decide(ctx) {
		case gateHelp:
			return true
		case gateNo:
			return false
		}
		select {
		case <-ctx.Done():
		case <-time.After(g.nextLook()):
		}
	}
	return false
}

// decide evaluates the owner's state at most once per interval.
func (g *ownerGate) decide(ctx context.Context) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := time.Now()
	if !g.checked.IsZero() && now.Before(g.next) {
		// The last look's answer: giving up is decided at a look only,
		// since an owner that stalled since then is helped at the next.
		switch {
		case g.open:
			return gateHelp
		case g.no:
			return gateNo
		}
		return gateWait
	}
	g.checked, g.next = now, now.Add(g.interval(now))
	g.open = g.evaluate(ctx, now)
	if g.open {
		g.no = false
		// The helper goes over the shard's pipelines now: those its owner
		// finished are found done in one new read of their last successes,
		// not by a lease read per stream.
		if g.r.done != nil {
			g.r.done.stale()
		}
		return gateHelp
	}
	if !g.waited {
		g.waited = true
		g.r.logger().Debug("helping: waiting for the shard's owner", "shard", g.stream, "owner seen", g.seen)
	}
	d := g.undecided(now)
	g.no = d == gateNo
	return d
}

// interval is the time between two looks at the owner: a quarter of the
// time waited so far, from minGateInterval up to every, so that the end of
// an owner's short shard (an idle cycle) is seen soon after it comes and a
// long wait costs one look per every.
func (g *ownerGate) interval(now time.Time) time.Duration {
	if g.waitStart.IsZero() {
		g.waitStart = now
	}
	return min(max(now.Sub(g.waitStart)/4, minGateInterval), g.every)
}

// nextLook is the time until the next look at the owner.
func (g *ownerGate) nextLook() time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	return max(time.Until(g.next), 0)
}

// minGateInterval is the shortest time between two looks at an owner.
const minGateInterval = 100 * time.Millisecond

// undecided: wait, or without Watch give up once a live owner was watched
// for the grace period (it keeps pace).
func (g *ownerGate) undecided(now time.Time) int {
	if !g.r.Watch && g.seen && !g.t0.IsZero() && now.Sub(g.t0) >= g.grace {
		return gateNo
	}
	return gateWait
}

// evaluate reports whether the helper may help now: the shard is done (the
// runs find it fresh), its owner finished (what is left, it left), is
// gone, has not shown up within the grace period since the helper's run
// started, made no progress for the grace period, or at its pace would
// need more than the grace period for what is left.
func (g *ownerGate) evaluate(ctx context.Context, now time.Time) bool {
	done := -1
	if g.r.done != nil {
		done = 0
		for _, p := range g.ps {
			if g.r.done.isDone(ctx, p) {
				done++
			}
		}
		if done == len(g.ps) {
			return true
		}
	}
	st, err := g.li.InspectLease(ctx, g.pipeline, g.stream)
	if err != nil {
		g.r.logger().Warn("helping: owner's presence unknown, helping", "shard", g.stream, "error", err)
		return true
	}
	if !st.Held {
		if st.FreshWithin(g.r.FreshWithin, g.r.mode()) {
			return true // finished its shard
		}
		if g.seen {
			g.r.logger().Info("helping: the shard's owner is gone", "shard", g.stream)
			return true
		}
		if now.Sub(g.start) >= g.grace {
			g.r.logger().Info("helping: the shard's owner has not shown up", "shard", g.stream, "grace", g.grace)
			return true
		}
		return false
	}
	g.seen = true
	if done < 0 {
		return false // progress unknown: the owner runs its shard
	}
	if g.t0.IsZero() {
		g.t0, g.d0, g.lastD, g.lastAt = now, done, done, now
	}
	if done > g.lastD {
		g.lastD, g.lastAt = done, now
	}
	if now.Sub(g.lastAt) >= g.grace {
		g.r.logger().Info("helping: the shard's owner made no progress", "shard", g.stream, "for", now.Sub(g.lastAt).Round(time.Millisecond))
		return true
	}
	if el := now.Sub(g.t0); el >= 2*g.every && done > g.d0 {
		left := time.Duration(float64(len(g.ps)-done) * float64(el) / float64(done-g.d0))
		if left > g.grace {
			g.r.logger().Info("helping: the shard's owner is far behind", "shard", g.stream, "left", len(g.ps)-done, "at its pace", left.Round(time.Millisecond))
			return true
		}
	}
	return false
}

// ownerGates returns a gate per other shard (by shard index), nil when
// helpers need none: OwnerGrace negative, no FreshWithin (a finished owner
// could not be told apart), or sinks that cannot hold a presence lease.
func (r *Runner) ownerGates(ps []Pipeline, shardOf []int, start time.Time) map[int]*ownerGate {
	if r.OwnerGrace < 0 || r.FreshWithin <= 0 || !r.Shard.Sharded() {
		return nil
	}
	grace := r.OwnerGrace
	if grace == 0 {
		grace = DefaultOwnerGrace
	}
	every := r.WatchEvery
	if every <= 0 {
		every = 500 * time.Millisecond
	}
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
	}
	byShard := map[int][]Pipeline{}
	for i, sh := range shardOf {
		if sh != r.Shard.Index {
			byShard[sh] = append(byShard[sh], ps[i])
		}
	}
	gates := map[int]*ownerGate{}
	for sh, sps := range byShard {
		sink := presenceSink(sps)
		if sink == nil {
			continue
		}
		pl, st := presenceKey(names, Shard{Index: sh, Count: r.Shard.Count})
		gates[sh] = &ownerGate{r: r, li: sink.(LeaseInspector), pipeline: pl, stream: st, ps: sps, start: start, grace: grace, every: every}
	}
	return gates
}

// takePresence takes this worker's presence lease (nil when it cannot: no
// sink for it, or another worker of the same shard holds it).
func (r *Runner) takePresence(ctx context.Context, ps []Pipeline, shardOf []int) *Lease {
	if r.FreshWithin <= 0 || !r.Shard.Sharded() {
		return nil
	}
	names := make([]string, len(ps))
	var own []Pipeline
	for i, p := range ps {
		names[i] = p.Name
		if shardOf[i] == r.Shard.Index {
			own = append(own, p)
		}
	}
	sink := presenceSink(own)
	if sink == nil {
		return nil
	}
	pl, st := presenceKey(names, r.Shard)
	l, err := sink.(Leaser).Lease(ctx, pl, st, 0)
	if err != nil {
		r.logger().Warn("shard presence not taken: helpers will treat this shard as unattended after the grace period", "shard", st, "error", err)
		return nil
	}
	return l
}
