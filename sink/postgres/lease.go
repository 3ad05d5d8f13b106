package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/lease"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// moreControlSQL creates the lease and settings tables (and brings a lease
// table of an older version up to date).
func (s *Sink) moreControlSQL() []string {
	return []string{
		`CREATE TABLE IF NOT EXISTS ` + s.control("leases") + ` (
			pipeline TEXT NOT NULL,
			stream TEXT NOT NULL,
			holder TEXT NOT NULL,
			epoch BIGINT NOT NULL,
			expires_at TIMESTAMPTZ NOT NULL,
			host TEXT,
			pid INTEGER,
			written_at TIMESTAMPTZ,
			succeeded_at TIMESTAMPTZ,
			succeeded_mode TEXT,
			PRIMARY KEY (pipeline, stream))`,
		`ALTER TABLE ` + s.control("leases") + ` ADD COLUMN IF NOT EXISTS succeeded_at TIMESTAMPTZ`,
		`ALTER TABLE ` + s.control("leases") + ` ADD COLUMN IF NOT EXISTS succeeded_mode TEXT`,
		`CREATE TABLE IF NOT EXISTS ` + s.control("settings") + ` (
			name TEXT PRIMARY KEY,
			value TEXT NOT NULL,
			updated_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
	}
}

// controlExists reports whether every control table exists, so that Open
// needs no DDL and no lock.
func (s *Sink) controlExists(ctx context.Context) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL AND to_regclass($3) IS NOT NULL AND to_regclass($4) IS NOT NULL
		AND EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($3) AND attname = 'succeeded_mode' AND NOT attisdropped)`,
		s.control("checkpoints"), s.control("rejected_records"), s.control("leases"), s.control("settings")).Scan(&ok)
	return ok, err
}

// dsnSetsPoolSize reports whether the DSN names its pool size
// (pool_max_conns), which then wins over the default.
func dsnSetsPoolSize(dsn string) bool {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		return u.Query().Has("pool_max_conns")
	}
	return strings.Contains(dsn, "pool_max_conns=")
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
// etl_control.leases (holder, epoch, expiry, host, pid), taken and renewed
// (every third of Config.LeaseTTL) with short autocommit statements: no
// connection is held for the lease's life. Expiries are measured with the
// server's clock (not Config.Now). See connector.Fence for the
// fencing of writes.
func (s *Sink) Lease(ctx context.Context, pipeline, stream string, wait time.Duration) (*connector.Lease, error) {
	return lease.Acquire(ctx, leaseStore{s.pool, s}, "postgres", pipeline, stream, wait, s.leaseOptions())
}

// leaseOptions: the heartbeat's renewals and the release go through the
// sink's small lease pool (LeaseConns connections), never queued behind
// batch writes waiting for a connection of the main pool.
func (s *Sink) leaseOptions() lease.Options {
	return lease.Options{TTL: s.leaseTTL(), Now: s.cfg.Now, Heartbeat: leaseStore{s.leasePool, s}}
}

// LeaseConns is the size of the pool that lease renewals and releases use
// beside the main pool (Config.MaxConns).
const LeaseConns = 2

// The sink is a connector.LeaseInspector.
var _ connector.LeaseInspector = (*Sink)(nil)

// InspectLease implements connector.LeaseInspector.
func (s *Sink) InspectLease(ctx context.Context, pipeline, stream string) (connector.LeaseState, error) {
	return lease.Inspect(ctx, leaseStore{s.pool, s}, "postgres", pipeline, stream, s.leaseOptions())
}

// fenceAndSetup checks, first in the write transaction, that the batch's
// writer still holds its lease (when b has a Fence), and runs the
// statements of setup after it, in the same round trip. The UPDATE locks
// the lease row until commit, so a takeover waits for this write and a
// write after a takeover fails with ErrLeaseLost (the setup's effects then
// go with the rolled-back transaction).
func (s *Sink) fenceAndSetup(ctx context.Context, tx pgx.Tx, b *connector.Batch, setup *pgx.Batch) error {
	work := &pgx.Batch{}
	if b.Fence != nil {
		work.Queue(`UPDATE `+s.control("leases")+` SET written_at = now() WHERE pipeline = $1 AND stream = $2 AND holder = $3 AND epoch = $4`,
			b.Pipeline, b.Stream, b.Fence.Holder, b.Fence.Epoch)
	}
	work.QueuedQueries = append(work.QueuedQueries, setup.QueuedQueries...)
	if work.Len() == 0 {
		return nil
	}
	br := tx.SendBatch(ctx, work)
	defer br.Close()
	if b.Fence != nil {
		tag, err := br.Exec()
		if err != nil {
			return fmt.Errorf("check lease: %w", err)
		}
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("as holder %s: %w", b.Fence, connector.ErrLeaseLost)
		}
	}
	if err := br.Close(); err != nil {
		return fmt.Errorf("create temp tables: %w", err)
	}
	return nil
}

// leaseStore runs the lease statements on pool: the main pool, or the
// lease pool for the heartbeat.
type leaseStore struct {
	pool *pgxpool.Pool
	s    *Sink
}

// Now implements lease.Clock: the server's clock decides lease expiries,
// so workers on hosts whose clocks disagree still agree on who holds a
// lease.
func (l leaseStore) Now(ctx context.Context) (time.Time, error) {
	var t time.Time
	err := l.pool.QueryRow(ctx, `SELECT clock_timestamp()`).Scan(&t)
	return t, err
}

func (l leaseStore) Insert(ctx context.Context, pipeline, stream string, r lease.Row) (bool, error) {
	tag, err := l.pool.Exec(ctx, `INSERT INTO `+l.s.control("leases")+` (pipeline, stream, holder, epoch, expires_at, host, pid) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (pipeline, stream) DO NOTHING`, pipeline, stream, r.Holder, r.Epoch, r.ExpiresAt, r.Host, r.PID)
	return err == nil && tag.RowsAffected() == 1, err
}

func (l leaseStore) Get(ctx context.Context, pipeline, stream string) (lease.Row, bool, error) {
	r, found, _, err := l.get(ctx, pipeline, stream, false)
	return r, found, err
}

// GetWithNow implements lease.ClockGetter: the row and the server's clock
// in one statement.
func (l leaseStore) GetWithNow(ctx context.Context, pipeline, stream string) (lease.Row, bool, time.Time, error) {
	return l.get(ctx, pipeline, stream, true)
}

func (l leaseStore) get(ctx context.Context, pipeline, stream string, withNow bool) (lease.Row, bool, time.Time, error) {
	var r lease.Row
	var host, mode *string
	var pid *int32
	var succ *time.Time
	var now time.Time
	query := `SELECT holder, epoch, expires_at, host, pid, succeeded_at, succeeded_mode FROM ` + l.s.control("leases") + ` WHERE pipeline = $1 AND stream = $2`
	dest := []any{&r.Holder, &r.Epoch, &r.ExpiresAt, &host, &pid, &succ, &mode}
	if withNow {
		// A row even when the lease row is missing, for the clock.
		query = `SELECT clock_timestamp(), l.holder, l.epoch, l.expires_at, l.host, l.pid, l.succeeded_at, l.succeeded_mode
			FROM (SELECT 1) one LEFT JOIN ` + l.s.control("leases") + ` l ON l.pipeline = $1 AND l.stream = $2`
		var holder *string
		var epoch *int64
		var exp *time.Time
		err := l.pool.QueryRow(ctx, query, pipeline, stream).Scan(&now, &holder, &epoch, &exp, &host, &pid, &succ, &mode)
		if err != nil || holder == nil {
			return r, false, now, err
		}
		r.Holder, r.Epoch, r.ExpiresAt = *holder, *epoch, *exp
	} else {
		err := l.pool.QueryRow(ctx, query, pipeline, stream).Scan(dest...)
		if errors.Is(err, pgx.ErrNoRows) {
			return r, false, now, nil
		}
		if err != nil {
			return r, false, now, err
		}
	}
	if host != nil {
		r.Host = *host
	}
	if pid != nil {
		r.PID = int(*pid)
	}
	if succ != nil {
		r.Succeeded = *succ
	}
	if mode != nil {
		r.SucceededMode = *mode
	}
	return r, true, now, nil
}

func (l leaseStore) Swap(ctx context.Context, pipeline, stream string, old connector.Fence, r lease.Row) (bool, error) {
	tag, err := l.pool.Exec(ctx, `UPDATE `+l.s.control("leases")+` SET holder = $5, epoch = $6, expires_at = $7, host = $8, pid = $9
		WHERE pipeline = $1 AND stream = $2 AND holder = $3 AND epoch = $4`,
		pipeline, stream, old.Holder, old.Epoch, r.Holder, r.Epoch, r.ExpiresAt, r.Host, r.PID)
	return err == nil && tag.RowsAffected() == 1, err
}

func (l leaseStore) Renew(ctx context.Context, pipeline, stream string, f connector.Fence, expires time.Time) (bool, error) {
	tag, err := l.pool.Exec(ctx, `UPDATE `+l.s.control("leases")+` SET expires_at = $5 WHERE pipeline = $1 AND stream = $2 AND holder = $3 AND epoch = $4`,
		pipeline, stream, f.Holder, f.Epoch, expires)
	return err == nil && tag.RowsAffected() == 1, err
}

func (l leaseStore) Release(ctx context.Context, pipeline, stream string, f connector.Fence, expired time.Time, success *lease.Success) error {
	var at *time.Time
	var mode *string
	if success != nil {
		at, mode = &success.At, &success.Mode
	}
	_, err := l.pool.Exec(ctx, `UPDATE `+l.s.control("leases")+` SET expires_at = $5, succeeded_at = COALESCE($6, succeeded_at), succeeded_mode = COALESCE($7, succeeded_mode)
		WHERE pipeline = $1 AND stream = $2 AND holder = $3 AND epoch = $4`,
		pipeline, stream, f.Holder, f.Epoch, expired, at, mode)
	return err
}

// LastSuccesses implements connector.SuccessLister: the last successes of
// the pipelines' streams and the server's clock, in one statement.
func (s *Sink) LastSuccesses(ctx context.Context, pipelines []string) (time.Time, []connector.StreamSuccess, error) {
	var now time.Time
	var out []connector.StreamSuccess
	rows, err := s.pool.Query(ctx, `SELECT clock_timestamp(), l.pipeline, l.stream, l.succeeded_at, l.succeeded_mode
		FROM (SELECT 1) one LEFT JOIN `+s.control("leases")+` l ON l.pipeline = ANY($1) AND l.succeeded_at IS NOT NULL`, pipelines)
	if err != nil {
		return now, nil, fmt.Errorf("postgres: last successes: %w", err)
	}
	var pipeline, stream, mode *string
	var at *time.Time
	_, err = pgx.ForEachRow(rows, []any{&now, &pipeline, &stream, &at, &mode}, func() error {
		if pipeline != nil && at != nil {
			m := ""
			if mode != nil {
				m = *mode
			}
			out = append(out, connector.StreamSuccess{Pipeline: *pipeline, Stream: *stream, At: *at, Mode: connector.Mode(m)})
		}
		return nil
	})
	if err != nil {
		return now, nil, fmt.Errorf("postgres: last successes: %w", err)
	}
	return now, out, nil
}
