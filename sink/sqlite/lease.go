package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/lease"
)

// writeLock serialises writes on the dedicated connection; unlike a mutex,
// waiting for it ends with the context.
type writeLock chan struct{}

func (l writeLock) lock(ctx context.Context) error {
	select {
	case l <- struct{}{}:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

func (l writeLock) unlock() { <-l }

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
			PRIMARY KEY (pipeline, stream))`

// createControlMore brings control tables of older versions up to date and
// checks the warehouse's time basis.
func (s *Sink) createControlMore(ctx context.Context) error {
	have, err := s.columns(ctx, leasesTable)
	if err != nil {
		return fmt.Errorf("sqlite: create control tables: %w", err)
	}
	for _, c := range [][2]string{{"epoch", "INTEGER NOT NULL DEFAULT 0"}, {"host", "TEXT"}, {"pid", "INTEGER"}, {"written_at", "TIMESTAMP_TEXT"}} {
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
	return lease.Acquire(ctx, leaseStore{s}, "sqlite", pipeline, stream, wait, lease.Options{TTL: s.leaseTTL(), Now: s.cfg.Now})
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

type leaseStore struct{ s *Sink }

// exec runs a lease statement on the writer connection, queued with the
// writes: SQLite has one writer, and a statement on another connection
// could starve behind a stream of writes (SQLITE_BUSY) and miss its
// heartbeat or its release.
func (l leaseStore) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := l.s.wmu.lock(ctx); err != nil {
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
	var host sql.NullString
	var pid sql.NullInt64
	err := l.s.db.QueryRowContext(ctx, `SELECT holder, epoch, expires_at, host, pid FROM `+q(leasesTable)+` WHERE pipeline = ? AND stream = ?`,
		pipeline, stream).Scan(&r.Holder, &r.Epoch, &exp, &host, &pid)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, err
	}
	if r.ExpiresAt, err = parseTime(exp, connector.TimeUTC); err != nil {
		return r, false, fmt.Errorf("lease expiry %q: %w", exp, err)
	}
	r.Host, r.PID = host.String, int(pid.Int64)
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

func (l leaseStore) Release(ctx context.Context, pipeline, stream string, f connector.Fence, expired time.Time) error {
	_, err := l.Renew(ctx, pipeline, stream, f, expired)
	return err
}

// Path returns the database file's path.
func (s *Sink) Path() string { return s.cfg.Path }
