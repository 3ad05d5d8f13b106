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

	once    sync.Once
	release func() error
	err     error
}

// NewLease returns a held lease; release gives it back (it is called at most
// once). For Leaser implementations.
func NewLease(f Fence, release func() error) *Lease {
	return &Lease{Fence: f, release: release}
}

// Release gives the lease back (stopping its heartbeat). It is safe to call
// more than once; later calls return the first call's error.
func (l *Lease) Release() error {
	l.once.Do(func() {
		if l.release != nil {
			l.err = l.release()
		}
	})
	return l.err
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
