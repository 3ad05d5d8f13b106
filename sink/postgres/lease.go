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
			PRIMARY KEY (pipeline, stream))`,
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
	err := s.pool.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL AND to_regclass($3) IS NOT NULL AND to_regclass($4) IS NOT NULL`,
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
	return lease.Acquire(ctx, leaseStore{s}, "postgres", pipeline, stream, wait, lease.Options{TTL: s.leaseTTL(), Now: s.cfg.Now})
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

type leaseStore struct{ s *Sink }

// Now implements lease.Clock: the server's clock decides lease expiries,
// so workers on hosts whose clocks disagree still agree on who holds a
// lease.
func (l leaseStore) Now(ctx context.Context) (time.Time, error) {
	var t time.Time
	err := l.s.pool.QueryRow(ctx, `SELECT clock_timestamp()`).Scan(&t)
	return t, err
}

func (l leaseStore) Insert(ctx context.Context, pipeline, stream string, r lease.Row) (bool, error) {
	tag, err := l.s.pool.Exec(ctx, `INSERT INTO `+l.s.control("leases")+` (pipeline, stream, holder, epoch, expires_at, host, pid) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (pipeline, stream) DO NOTHING`, pipeline, stream, r.Holder, r.Epoch, r.ExpiresAt, r.Host, r.PID)
	return err == nil && tag.RowsAffected() == 1, err
}

func (l leaseStore) Get(ctx context.Context, pipeline, stream string) (lease.Row, bool, error) {
	var r lease.Row
	var host *string
	var pid *int32
	err := l.s.pool.QueryRow(ctx, `SELECT holder, epoch, expires_at, host, pid FROM `+l.s.control("leases")+` WHERE pipeline = $1 AND stream = $2`,
		pipeline, stream).Scan(&r.Holder, &r.Epoch, &r.ExpiresAt, &host, &pid)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, err
	}
	if host != nil {
		r.Host = *host
	}
	if pid != nil {
		r.PID = int(*pid)
	}
	return r, true, nil
}

func (l leaseStore) Swap(ctx context.Context, pipeline, stream string, old connector.Fence, r lease.Row) (bool, error) {
	tag, err := l.s.pool.Exec(ctx, `UPDATE `+l.s.control("leases")+` SET holder = $5, epoch = $6, expires_at = $7, host = $8, pid = $9
		WHERE pipeline = $1 AND stream = $2 AND holder = $3 AND epoch = $4`,
		pipeline, stream, old.Holder, old.Epoch, r.Holder, r.Epoch, r.ExpiresAt, r.Host, r.PID)
	return err == nil && tag.RowsAffected() == 1, err
}

func (l leaseStore) Renew(ctx context.Context, pipeline, stream string, f connector.Fence, expires time.Time) (bool, error) {
	tag, err := l.s.pool.Exec(ctx, `UPDATE `+l.s.control("leases")+` SET expires_at = $5 WHERE pipeline = $1 AND stream = $2 AND holder = $3 AND epoch = $4`,
		pipeline, stream, f.Holder, f.Epoch, expires)
	return err == nil && tag.RowsAffected() == 1, err
}

func (l leaseStore) Release(ctx context.Context, pipeline, stream string, f connector.Fence, expired time.Time) error {
	_, err := l.Renew(ctx, pipeline, stream, f, expired)
	return err
}
