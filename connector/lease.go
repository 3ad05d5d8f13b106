package connector

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Leases and fencing
//
// A lease is a row per (pipeline, stream) in the warehouse's control schema:
// holder id, epoch, expiry, host and pid. A worker takes it in a short
// transaction (no connection is held for the lease's life), renews it with a
// heartbeat while the stream runs and gives it back at the end. Another
// worker takes it over only after it expired (or when its holder is a process
// of the same host that no longer exists); a takeover increments the epoch.
// Expiries are measured with the database server's clock (an embedded
// database's is this host's), never with the workers' own clocks, so hosts
// whose clocks disagree still agree on who holds a lease.
//
// The lease alone cannot stop a worker that was paused (GC, SIGSTOP, a
// network partition) past the expiry and then resumes: it still believes it
// holds the lease. So every write is fenced: the runner puts the Fence it got
// from Lease on every Batch, and the sink checks, in the write's own
// transaction, that the lease row still carries that holder and epoch; if
// not, Write writes nothing (no rows, no rejections, no checkpoint) and
// returns ErrLeaseLost. The check locks the lease row until commit, so a
// takeover is ordered either before the write (which then fails) or after
// its commit.

// Fence identifies one holding of a lease: who took it and at which epoch.
type Fence struct {
	// Holder is a random id of the holding (unique per Lease call).
	Holder string
	// Epoch counts the holdings of the (pipeline, stream): 1 for the first,
	// one more at every takeover.
	Epoch int64
}

// String returns "holder@epoch".
func (f Fence) String() string { return fmt.Sprintf("%s@%d", f.Holder, f.Epoch) }

// Lease is a held lease of a (pipeline, stream).
type Lease struct {
	// Fence is what the runner puts on every Batch of the stream.
	Fence Fence
	// Acquired is when the lease was taken, on the clock that decides
	// expiries (the database server's): LastSuccess compares with it.
	Acquired time.Time
	// LastSuccess is when a holding of this lease last ended with the
	// stream's success (ReleaseSucceeded), and LastMode the mode of that
	// run; zero when none did or the sink does not record it. The runner
	// skips a stream that succeeded within Runner.FreshWithin (StatusFresh).
	LastSuccess time.Time
	LastMode    Mode
	// TookOver is the holding this lease replaced when that one had expired
	// without being released (its worker stopped or was cut off), nil
	// otherwise: that worker's run of the stream is abandoned.
	TookOver *Fence

	once    sync.Once
	release func(success *Success) error
	err     error
}

// Success is what a lease released after the stream's success records: the
// time (on the lease's clock, filled by the sink) and the mode of the run.
type Success struct {
	Mode Mode
}

// LeaseInfo is what a Leaser knows of a lease it took (see Lease).
type LeaseInfo struct {
	Fence       Fence
	Acquired    time.Time
	LastSuccess time.Time
	LastMode    Mode
	TookOver    *Fence
}

// NewLease returns a held lease; release gives it back (it is called at most
// once). For Leaser implementations that do not record successes.
func NewLease(f Fence, release func() error) *Lease {
	return &Lease{Fence: f, release: func(*Success) error { return release() }}
}

// NewLeaseWith returns a held lease described by info; release gives it
// back, recording the stream's success when success is not nil (it is
// called at most once). For Leaser implementations.
func NewLeaseWith(info LeaseInfo, release func(success *Success) error) *Lease {
	return &Lease{Fence: info.Fence, Acquired: info.Acquired, LastSuccess: info.LastSuccess, LastMode: info.LastMode, TookOver: info.TookOver, release: release}
}

// Release gives the lease back (stopping its heartbeat). It is safe to call
// more than once; later calls return the first call's error.
func (l *Lease) Release() error { return l.finish(nil) }

// ReleaseSucceeded gives the lease back and records, in the same statement,
// that the stream's run of mode succeeded: the next holder sees it as
// LastSuccess. Only the holder can record it (the statement is fenced).
func (l *Lease) ReleaseSucceeded(mode Mode) error { return l.finish(&Success{Mode: mode}) }

func (l *Lease) finish(s *Success) error {
	l.once.Do(func() {
		if l.release != nil {
			l.err = l.release(s)
		}
	})
	return l.err
}

// FreshWithin reports whether the lease's stream succeeded less than d
// before the lease was taken, by a run that counts for mode: any success
// for an incremental run, a full one for a full run.
func (l *Lease) FreshWithin(d time.Duration, mode Mode) bool {
	return fresh(l.Acquired, l.LastSuccess, l.LastMode, d, mode)
}

func fresh(now, last time.Time, lastMode Mode, d time.Duration, mode Mode) bool {
	if d <= 0 || last.IsZero() || now.IsZero() || now.Sub(last) >= d {
		return false
	}
	return mode != Full || lastMode == Full
}

// LeaseState is what a LeaseInspector tells of a stream's lease without
// taking it.
type LeaseState struct {
	// Now is the time on the lease's clock (the database server's).
	Now time.Time
	// Held: a holding is live (not released, not expired).
	Held bool
	// LastSuccess and LastMode are as in Lease.
	LastSuccess time.Time
	LastMode    Mode
}

// FreshWithin is Lease.FreshWithin for a state read without the lease.
func (s LeaseState) FreshWithin(d time.Duration, mode Mode) bool {
	return fresh(s.Now, s.LastSuccess, s.LastMode, d, mode)
}

// LeaseInspector is implemented by Leaser sinks that can read a stream's
// lease row without taking it (one short read). The runner uses it to skip
// a stream that is fresh (cheaper than taking and giving back its lease)
// and, when helping other shards, to watch a held stream until it is done
// or its holder is gone.
type LeaseInspector interface {
	InspectLease(ctx context.Context, pipeline, stream string) (LeaseState, error)
}

// ErrLeaseLost means the worker no longer holds the lease it wrote under:
// it expired and another worker took it over (a higher epoch). Nothing of
// the batch was written.
var ErrLeaseLost = errors.New("lease lost: another worker took the stream over")

// DefaultLeaseTTL is how long a lease lives without renewal unless a sink
// is configured otherwise; the holder renews it every third of that.
const DefaultLeaseTTL = 30 * time.Second

// DefaultStopGrace is how long writes may go on after the run's context was
// cancelled (to store what was read and commit its checkpoint) before they
// are cancelled too (see Runner.StopGrace).
const DefaultStopGrace = 30 * time.Second

// writeContext returns the context writes run under: not cancelled with ctx
// (what was read is stored and its checkpoint committed, so an interrupted
// run resumes exactly there), but cancelled StopGrace after ctx is, so that
// a stuck write (a lock wait, a pool wait, a hung server) cannot keep a
// stopped run alive forever.
func (r *Runner) writeContext(ctx context.Context) (context.Context, context.CancelFunc) {
	grace := r.StopGrace
	if grace <= 0 {
		grace = DefaultStopGrace
	}
	wctx, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	var mu sync.Mutex
	var timer *time.Timer
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		timer = time.AfterFunc(grace, func() {
			cancel(fmt.Errorf("run stopped (%w) and writes did not finish within %s", context.Cause(ctx), grace))
		})
	})
	return wctx, func() {
		stop()
		mu.Lock()
		if timer != nil {
			timer.Stop()
		}
		mu.Unlock()
		cancel(context.Canceled)
	}
}

// StreamSuccess is the last success of one stream, as its lease row holds
// it (see Lease.LastSuccess).
type StreamSuccess struct {
	Pipeline, Stream string
	At               time.Time
	Mode             Mode
}

// SuccessLister is implemented by Leaser sinks that can read the last
// successes of many pipelines' streams in one query. A helping runner
// (Runner.Help) reads those of the other shards' pipelines with it, now and
// then, and skips the pipelines found done without a lease read each: at
// the end of a cycle, when most of them are, that was most of a helper's
// statements. now is the lease clock's time of the read.
type SuccessLister interface {
	LastSuccesses(ctx context.Context, pipelines []string) (now time.Time, last []StreamSuccess, err error)
}
