// Package lease is the engine of the lease rows every sink keeps in its
// control schema (see connector.Leaser and connector.Fence): the sink
// provides the few SQL statements (Store), this package decides when a lease
// may be taken, renews it with a heartbeat and gives it back.
//
// A lease row holds the holder id, the epoch, the expiry, and the host and
// pid of the holding process. Acquire inserts the row when it is missing
// (epoch 1) or swaps it, compare-and-set on (holder, epoch), to the next
// epoch when the current holding expired or its holder was a process of the
// same host that no longer exists. Every step is one short autocommit
// statement: no connection is held between them.
package lease

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/facolos/etl/connector"
)

// Row is the content of a lease row.
type Row struct {
	Holder    string
	Epoch     int64
	ExpiresAt time.Time
	Host      string
	PID       int
	// Succeeded is when a holding last ended with the stream's success
	// (zero: never), SucceededMode the mode of that run ("full",
	// "incremental"). Insert and Swap leave them as they are; Release
	// sets them.
	Succeeded     time.Time
	SucceededMode string
}

// Success is what Release records after a successful run: when (on the
// lease's clock) and the run's mode.
type Success struct {
	At   time.Time
	Mode string
}

// Fence returns the row's holder and epoch.
func (r Row) Fence() connector.Fence { return connector.Fence{Holder: r.Holder, Epoch: r.Epoch} }

// Store is the lease table of one sink. Every method is one short
// statement (autocommit).
type Store interface {
	// Insert inserts r when (pipeline, stream) has no row yet and reports
	// whether it did (a concurrent insert that won is "false", not an
	// error).
	Insert(ctx context.Context, pipeline, stream string, r Row) (bool, error)
	// Get returns the row, or false when there is none.
	Get(ctx context.Context, pipeline, stream string) (Row, bool, error)
	// Swap replaces the row by r if it still carries old's holder and epoch
	// and reports whether it did.
	Swap(ctx context.Context, pipeline, stream string, old connector.Fence, r Row) (bool, error)
	// Renew sets the expiry of the holding f and reports whether the row
	// still carries f.
	Renew(ctx context.Context, pipeline, stream string, f connector.Fence, expires time.Time) (bool, error)
	// Release expires the holding f (if the row still carries it) and,
	// when success is not nil, records it (Row.Succeeded, SucceededMode) in
	// the same statement.
	Release(ctx context.Context, pipeline, stream string, f connector.Fence, expired time.Time, success *Success) error
}

// Clock is implemented by a Store whose database has its own clock (a
// database server): that clock, not the worker's, then decides every expiry
// (the expiry written by Acquire and the heartbeat, and whether a holding
// has expired). Workers on hosts whose clocks disagree then still agree on
// who holds a lease. A Store without a Clock (an embedded database, whose
// clock is this host's) uses Options.Now.
type Clock interface {
	// Now returns the database's current time.
	Now(ctx context.Context) (time.Time, error)
}

// ClockGetter is a Clock that reads a lease row and the database's time in
// one round trip (Inspect uses it).
type ClockGetter interface {
	GetWithNow(ctx context.Context, pipeline, stream string) (Row, bool, time.Time, error)
}

// Released is the expiry a released lease gets: long past on every clock.
var Released = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)

// Options configure Acquire.
type Options struct {
	// TTL is how long a holding lives without renewal (default
	// connector.DefaultLeaseTTL); the heartbeat renews every TTL/3.
	TTL time.Duration
	// Now is the clock of expiries when the Store is not a Clock (default
	// time.Now); a Store that is a Clock decides with the database's clock
	// and Now is not used.
	Now func() time.Time
	// Host and PID identify this process (default ThisHost, os.Getpid).
	Host string
	PID  int
	// Alive reports whether a process of this host exists (default
	// ProcessAlive).
	Alive func(pid int) bool
	// Logger receives the heartbeat's failed renewals and the loss of the
	// lease (default slog.Default()).
	Logger *slog.Logger
	// Heartbeat is the Store the heartbeat's renewals and the release go
	// through (default the Store given to Acquire): a dedicated connection
	// or small pool, so that renewals never wait behind batch writes for a
	// connection. It must be the same table.
	Heartbeat Store
}

func (o *Options) defaults() {
	if o.TTL <= 0 {
		o.TTL = connector.DefaultLeaseTTL
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Host == "" {
		o.Host = ThisHost()
	}
	if o.PID == 0 {
		o.PID = os.Getpid()
	}
	if o.Alive == nil {
		o.Alive = ProcessAlive
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// now returns the time expiries are measured in: the database's when the
// Store is a Clock, else Options.Now.
func (o *Options) now(ctx context.Context, st Store) (time.Time, error) {
	if c, ok := st.(Clock); ok {
		t, err := c.Now(ctx)
		if err != nil {
			return time.Time{}, fmt.Errorf("read the database clock: %w", err)
		}
		return t, nil
	}
	return o.Now(), nil
}

// ThisHost identifies the pid space of this process: the host name and,
// where the system tells it (Linux), the pid namespace ("db1 pid:[4026531836]").
// Pids are compared only between holders of the same ThisHost: two
// containers with the same host name (a fixed hostname in a Compose file
// or a pod spec) have separate pid namespaces, and a pid of one says
// nothing about the other (both are often pid 1).
func ThisHost() string {
	h, _ := os.Hostname()
	if ns, err := os.Readlink("/proc/self/ns/pid"); err == nil && ns != "" {
		h += " " + ns
	}
	return h
}

// NewHolder returns a random holder id.
func NewHolder() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// takeover reports whether the holding in cur may be taken over at now, and
// why.
func takeover(cur Row, now time.Time, o *Options) (bool, string) {
	if !cur.ExpiresAt.After(now) {
		if cur.ExpiresAt.Equal(Released) {
			return true, "released"
		}
		return true, "expired"
	}
	if cur.Host != "" && cur.Host == o.Host && cur.PID > 0 && cur.PID != o.PID && !o.Alive(cur.PID) {
		return true, fmt.Sprintf("its holder, process %d of this host, is gone", cur.PID)
	}
	if cur.Host == o.Host && cur.PID == o.PID && cur.Holder != "" && !holding(cur.Holder) {
		// A holding of this very process that is no longer held (its
		// release failed, e.g. on a busy database): this process knows
		// every lease it holds.
		return true, "this process no longer holds it"
	}
	return false, ""
}

// live holds the holder ids of the leases this process holds.
var live sync.Map

func holding(holder string) bool {
	_, ok := live.Load(holder)
	return ok
}

// Acquire takes the lease of (pipeline, stream), waiting at most wait, and
// renews it in the background until Release. where prefixes errors
// ("sqlite", "postgres", "mssql").
func Acquire(ctx context.Context, st Store, where, pipeline, stream string, wait time.Duration, o Options) (*connector.Lease, error) {
	o.defaults()
	holder := NewHolder()
	// Known as this process's before the row can carry it: another
	// Acquire of this process that reads the row in between must not take
	// it for a holding this process lost.
	live.Store(holder, true)
	held := false
	defer func() {
		if !held {
			live.Delete(holder)
		}
	}()
	deadline := time.Now().Add(wait)
	fail := func(err error) error { return fmt.Errorf("%s: lease %s/%s: %w", where, pipeline, stream, err) }
	for {
		now, nerr := o.now(ctx, st)
		if nerr != nil {
			return nil, fail(nerr)
		}
		mine := Row{Holder: holder, Epoch: 1, ExpiresAt: now.Add(o.TTL), Host: o.Host, PID: o.PID}
		ok, err := st.Insert(ctx, pipeline, stream, mine)
		if err != nil {
			return nil, fail(err)
		}
		var cur Row
		if !ok {
			var found bool
			if cur, found, err = st.Get(ctx, pipeline, stream); err != nil {
				return nil, fail(err)
			}
			if found {
				if can, _ := takeover(cur, now, &o); can {
					mine.Epoch = cur.Epoch + 1
					if ok, err = st.Swap(ctx, pipeline, stream, cur.Fence(), mine); err != nil {
						return nil, fail(err)
					}
				}
			}
		}
		if ok {
			info := connector.LeaseInfo{Fence: mine.Fence(), Acquired: now, LastSuccess: cur.Succeeded, LastMode: connector.Mode(cur.SucceededMode)}
			if cur.Holder != "" && !cur.ExpiresAt.Equal(Released) {
				// An expired holding taken over: its worker may have
				// released it with a success between Get and Swap (Release
				// matches holder and epoch, which the Swap kept), so the
				// row is read again; nothing can change it now.
				after, found, err := st.Get(ctx, pipeline, stream)
				if err == nil && found && after.Holder == mine.Holder {
					info.LastSuccess, info.LastMode = after.Succeeded, connector.Mode(after.SucceededMode)
				}
				if err == nil && after.Succeeded.Equal(cur.Succeeded) {
					prev := cur.Fence()
					info.TookOver = &prev
				}
			}
			held = true
			return hold(st, where, pipeline, stream, mine, info, o), nil
		}
		if !time.Now().Before(deadline) {
			return nil, fail(fmt.Errorf("%w (holder %s, process %d on %q, epoch %d, expires %s)",
				connector.ErrLeaseHeld, cur.Holder, cur.PID, cur.Host, cur.Epoch, cur.ExpiresAt.UTC().Format(time.RFC3339)))
		}
		select {
		case <-ctx.Done():
			return nil, fail(ctx.Err())
		case <-time.After(min(100*time.Millisecond, time.Until(deadline)+time.Millisecond)):
		}
	}
}

// Inspect reads the lease of (pipeline, stream) without taking it: whether
// a holding is live, and its last success.
func Inspect(ctx context.Context, st Store, where, pipeline, stream string, o Options) (connector.LeaseState, error) {
	o.defaults()
	var now time.Time
	var cur Row
	var found bool
	var err error
	if g, ok := st.(ClockGetter); ok {
		cur, found, now, err = g.GetWithNow(ctx, pipeline, stream)
	} else if now, err = o.now(ctx, st); err == nil {
		cur, found, err = st.Get(ctx, pipeline, stream)
	}
	if err != nil {
		return connector.LeaseState{}, fmt.Errorf("%s: lease %s/%s: %w", where, pipeline, stream, err)
	}
	state := connector.LeaseState{Now: now}
	if found {
		can, _ := takeover(cur, now, &o)
		state.Held = !can
		state.LastSuccess, state.LastMode = cur.Succeeded, connector.Mode(cur.SucceededMode)
	}
	return state, nil
}

// hold starts the heartbeat of a taken lease.
func hold(st Store, where, pipeline, stream string, r Row, info connector.LeaseInfo, o Options) *connector.Lease {
	if o.Heartbeat != nil {
		st = o.Heartbeat
	}
	f := r.Fence()
	live.Store(f.Holder, true)
	// hctx ends at Release, so that Release never waits for a renewal in
	// flight (a hung server).
	hctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		period := o.TTL / 3
		wait := period
		failures := 0
		for {
			select {
			case <-hctx.Done():
				return
			case <-time.After(wait):
			}
			held, err := renew(hctx, period, st, pipeline, stream, f, o)
			switch {
			case hctx.Err() != nil:
				return
			case err != nil:
				// Not renewed: the lease runs out TTL after its last
				// renewal. Said, and tried again soon rather than a whole
				// period later.
				failures++
				wait = max(period/4, time.Millisecond)
				if failures&(failures-1) == 0 { // 1, 2, 4, 8…: said, without flooding the log while a server is down
					o.Logger.Warn("lease renewal failed; retrying", "sink", where, "pipeline", pipeline, "stream", stream,
						"holder", f.String(), "failures", failures, "error", err)
				}
			case !held:
				// Taken over (the lease had expired): the fence fails the
				// next write of this holder.
				o.Logger.Error("lease lost: another worker took the stream over; this worker's writes will be refused",
					"sink", where, "pipeline", pipeline, "stream", stream, "holder", f.String())
				return
			default:
				if failures > 0 {
					o.Logger.Info("lease renewed again", "sink", where, "pipeline", pipeline, "stream", stream, "holder", f.String(), "after_failures", failures)
				}
				failures, wait = 0, period
			}
		}
	}()
	return connector.NewLeaseWith(info, func(success *connector.Success) error {
		stop()
		<-done
		// Forgotten only once the row is released (or the release failed):
		// until then another Acquire of this process must see it held.
		defer live.Delete(f.Holder)
		ctx, cancel := context.WithTimeout(context.Background(), max(o.TTL, 10*time.Second))
		defer cancel()
		var mark *Success
		if success != nil {
			now, err := o.now(ctx, st)
			if err != nil {
				return fmt.Errorf("%s: release lease %s/%s: %w", where, pipeline, stream, err)
			}
			mark = &Success{At: now, Mode: string(success.Mode)}
		}
		if err := st.Release(ctx, pipeline, stream, f, Released, mark); err != nil {
			return fmt.Errorf("%s: release lease %s/%s: %w", where, pipeline, stream, err)
		}
		return nil
	})
}

// renew extends the lease once. A panic of the store (a driver fed bytes
// it did not expect) is a failed renewal, tried again like any other: the
// heartbeat runs on its own goroutine, where a panic would end the process.
func renew(hctx context.Context, period time.Duration, st Store, pipeline, stream string, f connector.Fence, o Options) (held bool, err error) {
	ctx, cancel := context.WithTimeout(hctx, period)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			held, err = true, fmt.Errorf("lease renewal panicked: %v", r)
		}
	}()
	now, err := o.now(ctx, st)
	if err != nil {
		return true, err
	}
	return st.Renew(ctx, pipeline, stream, f, now.Add(o.TTL))
}

// Lost is the error of a write whose fence no longer matches the lease row.
func Lost(where, pipeline, stream string, f connector.Fence) error {
	return fmt.Errorf("%s: write %s/%s as holder %s: %w", where, pipeline, stream, f, connector.ErrLeaseLost)
}
