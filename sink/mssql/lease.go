package mssql

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
	mssql "github.com/microsoft/go-mssqldb"
)

// Leases are rows of etl_control.leases, taken, renewed, fenced and given
// back with plain INSERT … WHERE NOT EXISTS / UPDATE … WHERE holder AND
// epoch statements, each its own short transaction: no sp_getapplock, no
// lock hints, no session held for the lease's life, so the same statements
// work on SQL Server 2022 and on Babelfish (where a failed sp_getapplock
// returns -999 and the fifth one in a session crashes the server). The
// fence's UPDATE takes the row's exclusive lock until the write commits on
// both engines.

// leaseControlSQL creates the lease and settings tables in schema ctl.
func leaseControlSQL(ctl string) []string {
	ls := names{ctl, "leases"}
	st := names{ctl, "settings"}
	return []string{
		fmt.Sprintf(`IF OBJECT_ID(%s, N'U') IS NULL
CREATE TABLE %s (
	[pipeline] NVARCHAR(200) NOT NULL,
	[stream] NVARCHAR(200) NOT NULL,
	[holder] NVARCHAR(64) NOT NULL,
	[epoch] BIGINT NOT NULL,
	[expires_at] DATETIMEOFFSET(7) NOT NULL,
	[host] NVARCHAR(255) NULL,
	[pid] BIGINT NULL,
	[written_at] DATETIMEOFFSET(7) NULL,
	[succeeded_at] DATETIMEOFFSET(7) NULL,
	[succeeded_mode] NVARCHAR(20) NULL,
	CONSTRAINT [PK_leases] PRIMARY KEY CLUSTERED ([pipeline], [stream])
)`, qs(ctl+".leases"), ls.target()),
		fmt.Sprintf("IF COL_LENGTH(%s, N'succeeded_at') IS NULL\nALTER TABLE %s ADD [succeeded_at] DATETIMEOFFSET(7) NULL", qs(ctl+".leases"), ls.target()),
		fmt.Sprintf("IF COL_LENGTH(%s, N'succeeded_mode') IS NULL\nALTER TABLE %s ADD [succeeded_mode] NVARCHAR(20) NULL", qs(ctl+".leases"), ls.target()),
		fmt.Sprintf(`IF OBJECT_ID(%s, N'U') IS NULL
CREATE TABLE %s (
	[name] NVARCHAR(100) NOT NULL,
	[value] NVARCHAR(400) NOT NULL,
	[updated_at] DATETIMEOFFSET(7) NOT NULL,
	CONSTRAINT [PK_settings] PRIMARY KEY CLUSTERED ([name])
)`, qs(ctl+".settings"), st.target()),
		fmt.Sprintf(`INSERT INTO %s ([name], [value], [updated_at])
SELECT N'ddl_lock', N'', SYSDATETIMEOFFSET()
WHERE NOT EXISTS (SELECT 1 FROM %s WHERE [name] = N'ddl_lock')`, st.target(), st.target()),
	}
}

// ddlLockSQL is the DDL lock: the first statement of every DDL transaction
// updates the settings row 'ddl_lock', whose exclusive row lock, held until
// commit, orders concurrent DDL on SQL Server and on Babelfish alike (no
// sp_getapplock). Before the control tables exist there is nothing to lock
// (the first Open); ddl retries the race that can follow.
func ddlLockSQL(ctl string) string {
	st := names{ctl, "settings"}
	return fmt.Sprintf(`IF OBJECT_ID(%s, N'U') IS NOT NULL
UPDATE %s SET [updated_at] = SYSDATETIMEOFFSET() WHERE [name] = N'ddl_lock'`, qs(ctl+".settings"), st.target())
}

// ddlRace reports the errors of two processes creating the same object at
// once: already exists (2714, 1913, 2759), duplicate key (2627, 2601),
// duplicate column (2705).
func ddlRace(err error) bool {
	var me mssql.Error
	if !errors.As(err, &me) {
		return false
	}
	switch me.Number {
	case 2714, 1913, 2759, 2627, 2601, 2705:
		return true
	}
	return false
}

func leases(ctl string) string { return names{ctl, "leases"}.target() }

// leaseInsertSQL inserts a lease row when (@p1 pipeline, @p2 stream) has
// none: @p3 holder, @p4 epoch, @p5 expires_at, @p6 host, @p7 pid.
func leaseInsertSQL(ctl string) string {
	return fmt.Sprintf(`INSERT INTO %s ([pipeline], [stream], [holder], [epoch], [expires_at], [host], [pid])
SELECT @p1, @p2, @p3, @p4, @p5, @p6, @p7
WHERE NOT EXISTS (SELECT 1 FROM %s WHERE [pipeline] = @p1 AND [stream] = @p2)`, leases(ctl), leases(ctl))
}

// leaseGetSQL reads the lease row of (@p1 pipeline, @p2 stream).
func leaseGetSQL(ctl string) string {
	return fmt.Sprintf(`SELECT [holder], [epoch], [expires_at], [host], [pid], [succeeded_at], [succeeded_mode] FROM %s WHERE [pipeline] = @p1 AND [stream] = @p2`, leases(ctl))
}

// leaseSwapSQL takes the lease over from (@p3 holder, @p4 epoch) if the row
// still carries them: @p5 holder, @p6 epoch, @p7 expires_at, @p8 host, @p9
// pid.
func leaseSwapSQL(ctl string) string {
	return fmt.Sprintf(`UPDATE %s SET [holder] = @p5, [epoch] = @p6, [expires_at] = @p7, [host] = @p8, [pid] = @p9
WHERE [pipeline] = @p1 AND [stream] = @p2 AND [holder] = @p3 AND [epoch] = @p4`, leases(ctl))
}

// leaseRenewSQL sets the expiry (@p5) of the holding (@p3 holder, @p4
// epoch); releasing sets it to 1970.
func leaseRenewSQL(ctl string) string {
	return fmt.Sprintf(`UPDATE %s SET [expires_at] = @p5
WHERE [pipeline] = @p1 AND [stream] = @p2 AND [holder] = @p3 AND [epoch] = @p4`, leases(ctl))
}

// leaseReleaseSQL gives the holding (@p3 holder, @p4 epoch) back: the
// expiry @p5 (1970) and, when not NULL, the success time @p6 and mode @p7.
func leaseReleaseSQL(ctl string) string {
	return fmt.Sprintf(`UPDATE %s SET [expires_at] = @p5, [succeeded_at] = COALESCE(@p6, [succeeded_at]), [succeeded_mode] = COALESCE(@p7, [succeeded_mode])
WHERE [pipeline] = @p1 AND [stream] = @p2 AND [holder] = @p3 AND [epoch] = @p4`, leases(ctl))
}

// leaseNowSQL reads the server's clock, which decides lease expiries.
const leaseNowSQL = `SELECT SYSDATETIMEOFFSET()`

// leaseFenceSQL is the first statement of a fenced write: it touches the
// lease row only while it carries the writer's holding (@p3, @p4), and holds
// its exclusive lock until commit.
func leaseFenceSQL(ctl string) string {
	return fmt.Sprintf(`UPDATE %s SET [written_at] = SYSDATETIMEOFFSET()
WHERE [pipeline] = @p1 AND [stream] = @p2 AND [holder] = @p3 AND [epoch] = @p4`, leases(ctl))
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
// (every third of Config.LeaseTTL) with short statements: no connection is
// held for the lease's life. Expiries are measured with the server's clock
// (not Config.Now). See connector.Fence for the fencing of writes.
func (s *Sink) Lease(ctx context.Context, pipeline, stream string, wait time.Duration) (*connector.Lease, error) {
	return lease.Acquire(ctx, leaseStore{s: s, ctl: s.Schema("etl_control")}, "mssql", pipeline, stream, wait, s.leaseOptions())
}

// leaseOptions: the heartbeat's renewals and the releases go through one
// connection the sink reserves from its pool on first use (see
// reservedConn), never queued behind batch writes waiting for a connection.
func (s *Sink) leaseOptions() lease.Options {
	return lease.Options{TTL: s.leaseTTL(), Now: s.cfg.Now, Logger: s.cfg.Logger,
		Heartbeat: leaseStore{s: s, ctl: s.Schema("etl_control"), hb: &s.heartbeat}}
}

// The sink is a connector.LeaseInspector.
var _ connector.LeaseInspector = (*Sink)(nil)

// InspectLease implements connector.LeaseInspector.
func (s *Sink) InspectLease(ctx context.Context, pipeline, stream string) (connector.LeaseState, error) {
	return lease.Inspect(ctx, leaseStore{s: s, ctl: s.Schema("etl_control")}, "mssql", pipeline, stream, s.leaseOptions())
}

// reservedConn is one connection of the pool kept for the leases'
// heartbeats and releases: they run one at a time on it, never waiting for
// a connection behind batch writes. A connection that fails is given back
// (closed) and another one reserved at the next use.
type reservedConn struct {
	mu   sync.Mutex
	conn *sql.Conn
}

// do runs f on the reserved connection, reserving one when needed.
func (r *reservedConn) do(ctx context.Context, db *sql.DB, f func(c *sql.Conn) error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.conn == nil {
		c, err := db.Conn(ctx)
		if err != nil {
			return err
		}
		r.conn = c
	}
	err := f(r.conn)
	if err != nil && ctx.Err() == nil {
		// The connection may be broken: reserve a fresh one next time.
		_ = r.conn.Close()
		r.conn = nil
	}
	return err
}

func (r *reservedConn) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.conn != nil {
		_ = r.conn.Close()
		r.conn = nil
	}
}

// fence checks, first in the write transaction, that the batch's writer
// still holds its lease.
func (s *Sink) fence(ctx context.Context, tx *sql.Tx, b *connector.Batch) error {
	if b.Fence == nil {
		return nil
	}
	res, err := tx.ExecContext(ctx, leaseFenceSQL(s.Schema("etl_control")), b.Pipeline, b.Stream, b.Fence.Holder, b.Fence.Epoch)
	if err != nil {
		return fmt.Errorf("check lease: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("as holder %s: %w", b.Fence, connector.ErrLeaseLost)
	}
	return nil
}

type leaseStore struct {
	s   *Sink
	ctl string
	// hb, when set, runs the statements on the reserved heartbeat
	// connection instead of the pool.
	hb *reservedConn
}

func (l leaseStore) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if l.hb == nil {
		return l.s.db.ExecContext(ctx, query, args...)
	}
	var res sql.Result
	err := l.hb.do(ctx, l.s.db, func(c *sql.Conn) (err error) {
		res, err = c.ExecContext(ctx, query, args...)
		return err
	})
	return res, err
}

// Now implements lease.Clock: the server's clock decides lease expiries,
// so workers on hosts whose clocks disagree still agree on who holds a
// lease.
func (l leaseStore) Now(ctx context.Context) (time.Time, error) {
	var t time.Time
	if l.hb == nil {
		err := l.s.db.QueryRowContext(ctx, leaseNowSQL).Scan(&t)
		return t, err
	}
	err := l.hb.do(ctx, l.s.db, func(c *sql.Conn) error { return c.QueryRowContext(ctx, leaseNowSQL).Scan(&t) })
	return t, err
}

func rowsAffected(res sql.Result, err error) (bool, error) {
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// duplicateKey reports a primary-key violation (a concurrent insert won).
func duplicateKey(err error) bool {
	var me mssql.Error
	return errors.As(err, &me) && (me.Number == 2627 || me.Number == 2601)
}

func (l leaseStore) Insert(ctx context.Context, pipeline, stream string, r lease.Row) (bool, error) {
	ok, err := rowsAffected(l.exec(ctx, leaseInsertSQL(l.ctl), pipeline, stream, r.Holder, r.Epoch, r.ExpiresAt, r.Host, int64(r.PID)))
	if duplicateKey(err) {
		return false, nil
	}
	return ok, err
}

func (l leaseStore) Get(ctx context.Context, pipeline, stream string) (lease.Row, bool, error) {
	var r lease.Row
	var host, mode sql.NullString
	var pid sql.NullInt64
	var succ sql.NullTime
	err := l.s.db.QueryRowContext(ctx, leaseGetSQL(l.ctl), pipeline, stream).Scan(&r.Holder, &r.Epoch, &r.ExpiresAt, &host, &pid, &succ, &mode)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, err
	}
	r.Host, r.PID, r.Succeeded, r.SucceededMode = host.String, int(pid.Int64), succ.Time, mode.String
	return r, true, nil
}

func (l leaseStore) Swap(ctx context.Context, pipeline, stream string, old connector.Fence, r lease.Row) (bool, error) {
	return rowsAffected(l.exec(ctx, leaseSwapSQL(l.ctl), pipeline, stream, old.Holder, old.Epoch, r.Holder, r.Epoch, r.ExpiresAt, r.Host, int64(r.PID)))
}

func (l leaseStore) Renew(ctx context.Context, pipeline, stream string, f connector.Fence, expires time.Time) (bool, error) {
	return rowsAffected(l.exec(ctx, leaseRenewSQL(l.ctl), pipeline, stream, f.Holder, f.Epoch, expires))
}

func (l leaseStore) Release(ctx context.Context, pipeline, stream string, f connector.Fence, expired time.Time, success *lease.Success) error {
	// Typed NULLs (Babelfish rejects untyped ones).
	var at sql.NullTime
	var mode sql.NullString
	if success != nil {
		at = sql.NullTime{Time: success.At, Valid: true}
		mode = sql.NullString{String: success.Mode, Valid: true}
	}
	_, err := l.exec(ctx, leaseReleaseSQL(l.ctl), pipeline, stream, f.Holder, f.Epoch, expired, at, mode)
	return err
}

// basisGetSQL reads the recorded time basis.
func basisGetSQL(ctl string) string {
	return fmt.Sprintf(`SELECT [value] FROM %s WHERE [name] = N'time_basis'`, names{ctl, "settings"}.target())
}

// basisInsertSQL records the time basis (@p1) unless one is recorded.
func basisInsertSQL(ctl string) string {
	t := names{ctl, "settings"}.target()
	return fmt.Sprintf(`INSERT INTO %s ([name], [value], [updated_at])
SELECT N'time_basis', @p1, SYSDATETIMEOFFSET()
WHERE NOT EXISTS (SELECT 1 FROM %s WHERE [name] = N'time_basis')`, t, t)
}

// columnsSQL lists the columns of table @p1 ("schema.table") with their
// type names.
const columnsSQL = `SELECT c.[name], t.[name]
FROM sys.columns c JOIN sys.types t ON t.user_type_id = c.user_type_id
WHERE c.[object_id] = OBJECT_ID(@p1)`

// primaryKeySQL lists the primary-key columns of table @p1
// ("schema.table") in key order (Babelfish lists its primary key under
// another name, but as the primary key).
const primaryKeySQL = `SELECT c.[name]
FROM sys.indexes i
JOIN sys.index_columns ic ON ic.[object_id] = i.[object_id] AND ic.[index_id] = i.[index_id]
JOIN sys.columns c ON c.[object_id] = ic.[object_id] AND c.[column_id] = ic.[column_id]
WHERE i.[object_id] = OBJECT_ID(@p1) AND i.[is_primary_key] = 1 AND ic.[key_ordinal] > 0
ORDER BY ic.[key_ordinal]`

// checkKey refuses the existing table n when its primary key is not t's
// (see connector.CheckKey).
func (s *Sink) checkKey(ctx context.Context, t *connector.Table, n names) error {
	rows, err := s.db.QueryContext(ctx, primaryKeySQL, n.schema+"."+n.table)
	if err != nil {
		return err
	}
	defer rows.Close()
	var have []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return err
		}
		have = append(have, c)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return connector.CheckKey(t, n.target(), have, true)
}

// checkBasis refuses a warehouse whose recorded time basis differs from the
// configured one.
func (s *Sink) checkBasis(ctx context.Context) error {
	ctl := s.Schema("etl_control")
	var v string
	err := s.db.QueryRowContext(ctx, basisGetSQL(ctl)).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("mssql: read the time basis: %w", err)
	}
	if v != s.cfg.TimeBasis.String() {
		found := connector.TimeUTC
		if v == connector.TimeVietnam.String() {
			found = connector.TimeVietnam
		}
		return connector.TimeBasisError(fmt.Sprintf("mssql: schema %s (recorded in %s)", ctl, names{ctl, "settings"}.target()), found, s.cfg.TimeBasis)
	}
	return nil
}

// recordBasis records the configured time basis on first use (the first
// Prepare).
func (s *Sink) recordBasis(ctx context.Context) error {
	if s.basisRecorded.Load() {
		return nil
	}
	if _, err := s.db.ExecContext(ctx, basisInsertSQL(s.Schema("etl_control")), s.cfg.TimeBasis.String()); err != nil && !duplicateKey(err) {
		return fmt.Errorf("mssql: record the time basis: %w", err)
	}
	if err := s.checkBasis(ctx); err != nil {
		return err
	}
	s.basisRecorded.Store(true)
	return nil
}

// matches reports whether t exists with every column, so that Prepare
// needs no table DDL and no lock (ensureIndexes then checks its indexes);
// it reads the catalog only. An existing table whose primary key is not
// t's (connector.ErrKeyChanged) or whose timestamp columns are of the other
// time basis (DATETIMEOFFSET for UTC, DATETIME2 for Vietnam wall clock) is
// refused, before any DDL.
func (s *Sink) matches(ctx context.Context, t *connector.Table, n names) (bool, error) {
	rows, err := s.db.QueryContext(ctx, columnsSQL, n.schema+"."+n.table)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	have := map[string]string{}
	for rows.Next() {
		var col, typ string
		if err := rows.Scan(&col, &typ); err != nil {
			return false, err
		}
		have[strings.ToLower(col)] = strings.ToLower(typ)
	}
	if err := rows.Err(); err != nil {
		return false, err
	}
	s.noteTextUUIDs(t, have)
	if len(have) == 0 {
		return false, nil
	}
	if err := s.checkKey(ctx, t, n); err != nil {
		return false, err
	}
	complete := true
	for _, c := range t.Columns {
		typ, ok := have[strings.ToLower(c.Name)]
		if !ok {
			complete = false
			continue
		}
		if c.Type != connector.Timestamp {
			continue
		}
		found := connector.TimeBasis(-1)
		switch typ {
		case "datetimeoffset":
			found = connector.TimeUTC
		case "datetime2", "datetime":
			found = connector.TimeVietnam
		}
		if found >= 0 && found != s.cfg.TimeBasis {
			return false, connector.TimeBasisError(fmt.Sprintf("column %s.%s is %s", n.target(), qi(c.Name), strings.ToUpper(typ)), found, s.cfg.TimeBasis)
		}
	}
	return complete, nil
}

// The sink is a connector.SuccessLister.
var _ connector.SuccessLister = (*Sink)(nil)

// successChunk is how many pipelines one LastSuccesses statement names
// (SQL Server takes at most 2,100 parameters).
const successChunk = 500

// lastSuccessesSQL reads the server's clock and the last successes of the
// streams of n pipelines (@p1 … @pn): one row with the clock alone when
// none succeeded.
func lastSuccessesSQL(ctl string, n int) string {
	ps := make([]string, n)
	for i := range ps {
		ps[i] = fmt.Sprintf("@p%d", i+1)
	}
	return fmt.Sprintf(`SELECT SYSDATETIMEOFFSET(), [l].[pipeline], [l].[stream], [l].[succeeded_at], [l].[succeeded_mode]
FROM (SELECT 1 AS [one]) AS [o]
LEFT JOIN %s AS [l] ON [l].[succeeded_at] IS NOT NULL AND [l].[pipeline] IN (%s)`, leases(ctl), strings.Join(ps, ", "))
}

// LastSuccesses implements connector.SuccessLister: the last successes of
// the pipelines' streams (one statement per 500 pipelines) and the server's
// clock.
func (s *Sink) LastSuccesses(ctx context.Context, pipelines []string) (time.Time, []connector.StreamSuccess, error) {
	var now time.Time
	var out []connector.StreamSuccess
	if len(pipelines) == 0 {
		t, err := leaseStore{s: s, ctl: s.Schema("etl_control")}.Now(ctx)
		if err != nil {
			return now, nil, fmt.Errorf("mssql: last successes: %w", err)
		}
		return t, nil, nil
	}
	for start := 0; start < len(pipelines); start += successChunk {
		chunk := pipelines[start:min(start+successChunk, len(pipelines))]
		args := make([]any, len(chunk))
		for i, p := range chunk {
			args[i] = p
		}
		rows, err := s.db.QueryContext(ctx, lastSuccessesSQL(s.Schema("etl_control"), len(chunk)), args...)
		if err != nil {
			return now, nil, fmt.Errorf("mssql: last successes: %w", err)
		}
		seenClock := false
		for rows.Next() {
			var at, clock sql.NullTime
			var p, st, mode sql.NullString
			if err := rows.Scan(&clock, &p, &st, &at, &mode); err != nil {
				rows.Close()
				return now, nil, fmt.Errorf("mssql: last successes: %w", err)
			}
			if !clock.Valid {
				rows.Close()
				return now, nil, fmt.Errorf("mssql: last successes: the server's clock read as NULL")
			}
			if start == 0 && !seenClock {
				now = clock.Time
			}
			seenClock = true
			if !p.Valid && !st.Valid && !at.Valid {
				continue // no success among the chunk's pipelines
			}
			if !p.Valid || !st.Valid || !at.Valid {
				rows.Close()
				return now, nil, fmt.Errorf("mssql: last successes: a row without pipeline, stream or time")
			}
			out = append(out, connector.StreamSuccess{Pipeline: p.String, Stream: st.String, At: at.Time, Mode: connector.Mode(mode.String)})
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return now, nil, fmt.Errorf("mssql: last successes: %w", err)
		}
		if !seenClock {
			return now, nil, fmt.Errorf("mssql: last successes: no row (want at least the server's clock)")
		}
	}
	return now, out, nil
}
