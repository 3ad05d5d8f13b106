package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/lease"
)

// writeLock serialises writes on the dedicated connection; unlike a mutex,
// waiting for it ends with the context. Urgent waiters (lease renewals and
// releases) are served before every other waiter, so a renewal waits for the
// write in progress at most, never for the queue of batch writes behind it.
type writeLock struct {
	mu     sync.Mutex
	held   bool
	urgent []chan struct{}
	normal []chan struct{}
}

func (l *writeLock) lock(ctx context.Context) error { return l.acquire(ctx, false) }

// lockUrgent is lock ahead of every waiting lock.
func (l *writeLock) lockUrgent(ctx context.Context) error { return l.acquire(ctx, true) }

func (l *writeLock) acquire(ctx context.Context, urgent bool) error {
	l.mu.Lock()
	if !l.held {
		l.held = true
		l.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	if urgent {
		l.urgent = append(l.urgent, ch)
	} else {
		l.normal = append(l.normal, ch)
	}
	l.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		l.mu.Lock()
		if removeWaiter(&l.urgent, ch) || removeWaiter(&l.normal, ch) {
			l.mu.Unlock()
			return context.Cause(ctx)
		}
		l.mu.Unlock()
		// Handed over meanwhile: pass it on.
		l.unlock()
		return context.Cause(ctx)
	}
}

func removeWaiter(q *[]chan struct{}, ch chan struct{}) bool {
	for i, c := range *q {
		if c == ch {
			*q = append((*q)[:i], (*q)[i+1:]...)
			return true
		}
	}
	return false
}

// unlock hands the lock to the first urgent waiter, else the first waiter.
func (l *writeLock) unlock() {
	l.mu.Lock()
	defer l.mu.Unlock()
	var next chan struct{}
	switch {
	case len(l.urgent) > 0:
		next, l.urgent = l.urgent[0], l.urgent[1:]
	case len(l.normal) > 0:
		next, l.normal = l.normal[0], l.normal[1:]
	default:
		l.held = false
		return
	}
	close(next)
}

// createLeasesSQL is the lease table: a row per (pipeline, stream) holding
// the current holding (holder, epoch, expiry, host, pid).
var createLeasesSQL = `CREATE TABLE IF NOT EXISTS ` + q(leasesTable) + ` (
			pipeline TEXT NOT NULL,
			stream TEXT NOT NULL,
			holder TEXT NOT NULL,
			expires_at TIMESTAMP_TEXT NOT NULL,
			epoch INTEGER NOT NULL DEFAULT 0,
			host TEXT,
			pid INTEGER,
			written_at TIMESTAMP_TEXT,
			succeeded_at TIMESTAMP_TEXT,
			succeeded_mode TEXT,
			PRIMARY KEY (pipeline, stream))`

// createControlMore brings control tables of older versions up to date and
// checks the warehouse's time basis.
func (s *Sink) createControlMore(ctx context.Context) error {
	have, err := s.columns(ctx, leasesTable)
	if err != nil {
		return fmt.Errorf("sqlite: create control tables: %w", err)
	}
	for _, c := range [][2]string{{"epoch", "INTEGER NOT NULL DEFAULT 0"}, {"host", "TEXT"}, {"pid", "INTEGER"}, {"written_at", "TIMESTAMP_TEXT"}, {"succeeded_at", "TIMESTAMP_TEXT"}, {"succeeded_mode", "TEXT"}} {
		if have[c[0]] {
			continue
		}
		if _, err := s.db.ExecContext(ctx, "ALTER TABLE "+q(leasesTable)+" ADD COLUMN "+q(c[0])+" "+c[1]); err != nil {
			return fmt.Errorf("sqlite: create control tables: %w", err)
		}
	}
	return s.checkBasis(ctx)
}

// The sink is a connector.Leaser.
var _ connector.Leaser = (*Sink)(nil)

func (s *Sink) leaseTTL() time.Duration {
	if s.cfg.LeaseTTL > 0 {
		return s.cfg.LeaseTTL
	}
	return connector.DefaultLeaseTTL
}

// Lease implements connector.Leaser with a row per (pipeline, stream) in
// etl_control_leases (holder, epoch, expiry, host, pid), renewed every third
// of Config.LeaseTTL; see connector.Fence for the fencing of writes.
func (s *Sink) Lease(ctx context.Context, pipeline, stream string, wait time.Duration) (*connector.Lease, error) {
	return lease.Acquire(ctx, leaseStore{s: s}, "sqlite", pipeline, stream, wait, s.leaseOptions())
}

// leaseOptions: the heartbeat's renewals and the release jump the queue of
// writes for the writer connection (writeLock.lockUrgent).
func (s *Sink) leaseOptions() lease.Options {
	return lease.Options{TTL: s.leaseTTL(), Heartbeat: leaseStore{s: s, urgent: true}}
}

// The sink is a connector.LeaseInspector.
var _ connector.LeaseInspector = (*Sink)(nil)

// InspectLease implements connector.LeaseInspector: one read of the lease
// row, on a reader connection.
func (s *Sink) InspectLease(ctx context.Context, pipeline, stream string) (connector.LeaseState, error) {
	return lease.Inspect(ctx, leaseStore{s: s}, "sqlite", pipeline, stream, s.leaseOptions())
}

// fence checks, inside the write transaction, that the batch's writer still
// holds its lease; the UPDATE keeps the row locked until commit (SQLite has
// one writer at a time anyway).
func (s *Sink) fence(ctx context.Context, tx execer, b *connector.Batch) error {
	if b.Fence == nil {
		return nil
	}
	res, err := tx.ExecContext(ctx, `UPDATE `+q(leasesTable)+` SET written_at = ? WHERE pipeline = ? AND stream = ? AND holder = ? AND epoch = ?`,
		formatTime(s.cfg.Now(), connector.TimeUTC), b.Pipeline, b.Stream, b.Fence.Holder, b.Fence.Epoch)
	if err != nil {
		return fmt.Errorf("sqlite: write %s/%s: check lease: %w", b.Pipeline, b.Stream, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return lease.Lost("sqlite", b.Pipeline, b.Stream, *b.Fence)
	}
	return nil
}

type leaseStore struct {
	s *Sink
	// urgent statements go ahead of the queued writes.
	urgent bool
}

// Now implements lease.Clock: SQLite's clock is this host's, so lease
// expiries are measured with time.Now, never with Config.Now (the clock of
// Auto columns, which may be fixed or shifted).
func (l leaseStore) Now(context.Context) (time.Time, error) { return time.Now(), nil }

// exec runs a lease statement on the writer connection, queued with the
// writes: SQLite has one writer, and a statement on another connection
// could starve behind a stream of writes (SQLITE_BUSY) and miss its
// heartbeat or its release.
func (l leaseStore) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	lock := l.s.wmu.lock
	if l.urgent {
		lock = l.s.wmu.lockUrgent
	}
	if err := lock(ctx); err != nil {
		return nil, err
	}
	defer l.s.wmu.unlock()
	return l.s.wconn.ExecContext(ctx, query, args...)
}

func ts(t time.Time) string { return formatTime(t, connector.TimeUTC) }

func (l leaseStore) Insert(ctx context.Context, pipeline, stream string, r lease.Row) (bool, error) {
	res, err := l.exec(ctx, `INSERT INTO `+q(leasesTable)+` (pipeline, stream, holder, epoch, expires_at, host, pid) VALUES (?,?,?,?,?,?,?)
		ON CONFLICT (pipeline, stream) DO NOTHING`, pipeline, stream, r.Holder, r.Epoch, ts(r.ExpiresAt), r.Host, r.PID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (l leaseStore) Get(ctx context.Context, pipeline, stream string) (lease.Row, bool, error) {
	var r lease.Row
	var exp string
	var host, succ, mode sql.NullString
	var pid sql.NullInt64
	err := l.s.db.QueryRowContext(ctx, `SELECT holder, epoch, expires_at, host, pid, succeeded_at, succeeded_mode FROM `+q(leasesTable)+` WHERE pipeline = ? AND stream = ?`,
		pipeline, stream).Scan(&r.Holder, &r.Epoch, &exp, &host, &pid, &succ, &mode)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, err
	}
	if r.ExpiresAt, err = parseTime(exp, connector.TimeUTC); err != nil {
		return r, false, fmt.Errorf("lease expiry %q: %w", exp, err)
	}
	r.Host, r.PID, r.SucceededMode = host.String, int(pid.Int64), mode.String
	if succ.Valid {
		if r.Succeeded, err = parseTime(succ.String, connector.TimeUTC); err != nil {
			return r, false, fmt.Errorf("lease success time %q: %w", succ.String, err)
		}
	}
	return r, true, nil
}

func (l leaseStore) Swap(ctx context.Context, pipeline, stream string, old connector.Fence, r lease.Row) (bool, error) {
	res, err := l.exec(ctx, `UPDATE `+q(leasesTable)+` SET holder = ?, epoch = ?, expires_at = ?, host = ?, pid = ?
		WHERE pipeline = ? AND stream = ? AND holder = ? AND epoch = ?`,
		r.Holder, r.Epoch, ts(r.ExpiresAt), r.Host, r.PID, pipeline, stream, old.Holder, old.Epoch)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (l leaseStore) Renew(ctx context.Context, pipeline, stream string, f connector.Fence, expires time.Time) (bool, error) {
	res, err := l.exec(ctx, `UPDATE `+q(leasesTable)+` SET expires_at = ? WHERE pipeline = ? AND stream = ? AND holder = ? AND epoch = ?`,
		ts(expires), pipeline, stream, f.Holder, f.Epoch)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (l leaseStore) Release(ctx context.Context, pipeline, stream string, f connector.Fence, expired time.Time, success *lease.Success) error {
	var at, mode any
	if success != nil {
		at, mode = ts(success.At), success.Mode
	}
	_, err := l.exec(ctx, `UPDATE `+q(leasesTable)+` SET expires_at = ?, succeeded_at = COALESCE(?, succeeded_at), succeeded_mode = COALESCE(?, succeeded_mode)
		WHERE pipeline = ? AND stream = ? AND holder = ? AND epoch = ?`, ts(expired), at, mode, pipeline, stream, f.Holder, f.Epoch)
	return err
}

// Path returns the database file's path.
func (s *Sink) Path() string { return s.cfg.Path }

// The sink is a connector.SuccessLister.
var _ connector.SuccessLister = (*Sink)(nil)

// successChunk is how many pipelines one LastSuccesses statement names.
const successChunk = 500

// LastSuccesses implements connector.SuccessLister: the last successes of
// the pipelines' streams, read on a reader connection (one statement per
// 500 pipelines), and the lease clock's time (this host's) taken before.
func (s *Sink) LastSuccesses(ctx context.Context, pipelines []string) (time.Time, []connector.StreamSuccess, error) {
	now := time.Now()
	var out []connector.StreamSuccess
	for start := 0; start < len(pipelines); start += successChunk {
		chunk := pipelines[start:min(start+successChunk, len(pipelines))]
		args := make([]any, len(chunk))
		for i, p := range chunk {
			args[i] = p
		}
		rows, err := s.db.QueryContext(ctx, `SELECT pipeline, stream, succeeded_at, succeeded_mode FROM `+q(leasesTable)+
			` WHERE succeeded_at IS NOT NULL AND pipeline IN (?`+strings.Repeat(",?", len(chunk)-1)+`)`, args...)
		if err != nil {
			return now, nil, fmt.Errorf("sqlite: last successes: %w", err)
		}
		for rows.Next() {
			var p, st, at string
			var mode sql.NullString
			if err := rows.Scan(&p, &st, &at, &mode); err != nil {
				rows.Close()
				return now, nil, fmt.Errorf("sqlite: last successes: %w", err)
			}
			t, err := parseTime(at, connector.TimeUTC)
			if err != nil {
				rows.Close()
				return now, nil, fmt.Errorf("sqlite: last success of %s/%s: time %q: %w", p, st, at, err)
			}
			out = append(out, connector.StreamSuccess{Pipeline: p, Stream: st, At: t, Mode: connector.Mode(mode.String)})
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return now, nil, fmt.Errorf("sqlite: last successes: %w", err)
		}
	}
	return now, out, nil
}
