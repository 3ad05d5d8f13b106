// Package mssql is the SQL Server sink (github.com/microsoft/go-mssqldb, DSN
// sqlserver://…). Per batch, in one transaction on one connection: every
// table's rows are bulk-copied (mssql.CopyIn) into a session temp table, then
// upserted into the target with one MERGE … WITH (HOLDLOCK) (or, with the
// update-insert strategy, UPDATE … WITH (UPDLOCK, HOLDLOCK) then INSERT …
// WHERE NOT EXISTS), touching only rows whose compared columns changed;
// child sets are replaced; rejected records and the checkpoint are written.
// No statement carries more than 8 parameters, far from SQL Server's 2,100.
//
// Types: String NVARCHAR(n) (NVARCHAR(MAX) when unbounded, NVARCHAR(450) for
// an unbounded key), Int BIGINT, Decimal DECIMAL(p,s), Bool BIT, Timestamp
// DATETIMEOFFSET(7) in UTC (or DATETIME2(7) holding Vietnam wall-clock time
// with connector.TimeVietnam), JSON NVARCHAR(MAX), UUID UNIQUEIDENTIFIER (an
// older NVARCHAR column stays NVARCHAR; see uuid.go).
//
// Babelfish compatibility where it costs nothing: temp-table decimals are
// DECIMAL(38,s), isolation comes from lock hints (no SET TRANSACTION
// ISOLATION LEVEL), a failed batch is rolled back and retried whole instead
// of continuing a transaction after a statement error, no parameter is ever
// an untyped NULL (Babelfish rejects TDS type 0x1F), and when the server
// rejects MERGE (Babelfish's error 33557097) the sink switches to the
// update-insert strategy by itself, logs it, and retries the batch.
package mssql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/facolos/etl/connector"
	mssql "github.com/microsoft/go-mssqldb"
)

// Config configures a Sink.
type Config struct {
	// DSN is a sqlserver:// URL.
	DSN string
	// Schemas maps logical schemas ("staging", "etl_control") to physical
	// ones; a schema not in the map keeps its name.
	Schemas map[string]string
	// TimeBasis of Timestamp columns (default connector.TimeUTC).
	TimeBasis connector.TimeBasis
	// Strategy of the upsert (default MergeStrategy). With MergeStrategy,
	// a server that rejects MERGE makes the sink switch to UpdateInsert.
	Strategy Strategy
	// LeaseTTL is how long a lease lives without renewal (default
	// connector.DefaultLeaseTTL); a holder renews it every third of that.
	LeaseTTL time.Duration
	// Retries is how often a batch that failed with a transient error
	// (deadlock, lock timeout, lost connection) is retried whole (default 2).
	Retries int
	// Now is the clock for Auto columns (default time.Now).
	Now func() time.Time
	// Logger receives the sink's notices, such as the switch to
	// update-insert (default slog.Default()).
	Logger *slog.Logger
	// BeforeCommit, if set, runs inside the write transaction after every
	// statement of a batch and before COMMIT; an error rolls the whole
	// batch back. For invariant checks and fault-injection tests.
	BeforeCommit func(ctx context.Context, b *connector.Batch) error
}

// Sink writes into SQL Server. It implements connector.Sink,
// connector.CheckpointStore and connector.Leaser, and is safe for concurrent
// use.
type Sink struct {
	cfg Config
	db  *sql.DB
	// heartbeat is the connection the leases' renewals use (lease.go).
	heartbeat reservedConn

	mu       sync.Mutex
	tables   map[string]*tableInfo
	strategy Strategy // in effect: cfg.Strategy until the server rejects MERGE
	stats    sync.Map // quoted target → *tableStats (stats.go)

	// textUUIDs holds the UUID columns of existing tables that store them as
	// text (uuid.go), by table full name; guarded by mu.
	textUUIDs map[string]map[string]bool

	basisRecorded atomic.Bool

	// versionKnown and isBabelfish cache the server's @@VERSION (bulkload.go);
	// guarded by mu. splitLogged: a split bulk load was logged at WARN.
	versionKnown, isBabelfish bool
	splitLogged               atomic.Bool
}

type tableInfo struct {
	t            *connector.Table
	stage        *connector.Table // t as the temp table holds it (uuid.go)
	n            names
	temp         string
	createTemp   string
	merge        string // the upsert of each strategy
	updateInsert string
}

func (ti *tableInfo) upsert(st Strategy) string {
	if st == UpdateInsert {
		return ti.updateInsert
	}
	return ti.merge
}

// Open connects and creates the control schema and tables.
func Open(ctx context.Context, cfg Config) (*Sink, error) {
	db, err := sql.Open("sqlserver", connector.EncodeDSNPassword(cfg.DSN))
	if err != nil {
		return nil, fmt.Errorf("mssql: open: %s", connector.RedactDSN(err.Error(), cfg.DSN))
	}
	s, err := OpenDB(ctx, db, cfg)
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// OpenDB is Open on a database handle the caller made (cfg.DSN is ignored);
// Close closes db.
func OpenDB(ctx context.Context, db *sql.DB, cfg Config) (*Sink, error) {
	if cfg.Strategy == "" {
		cfg.Strategy = MergeStrategy
	}
	if cfg.Strategy != MergeStrategy && cfg.Strategy != UpdateInsert {
		return nil, fmt.Errorf("mssql: unknown strategy %q", cfg.Strategy)
	}
	if cfg.Retries == 0 {
		cfg.Retries = 2
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if err := db.PingContext(ctx); err != nil {
		return nil, fmt.Errorf("mssql: connect: %w", err)
	}
	s := &Sink{cfg: cfg, db: db, tables: map[string]*tableInfo{}, strategy: cfg.Strategy}
	if err := s.ddl(ctx, append(controlSQL(s.Schema("etl_control")), leaseControlSQL(s.Schema("etl_control"))...)); err != nil {
		return nil, fmt.Errorf("mssql: create control tables: %w", err)
	}
	if err := s.checkBasis(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// DB returns the database handle (for tokenstore.SQLStore).
func (s *Sink) DB() *sql.DB { return s.db }

// Close closes the database.
func (s *Sink) Close() error {
	s.heartbeat.close()
	return s.db.Close()
}

// Schema returns the physical schema of a logical one.
func (s *Sink) Schema(logical string) string {
	if p, ok := s.cfg.Schemas[logical]; ok {
		return p
	}
	return logical
}

// ddl runs statements in one transaction under the DDL lock (see
// ddlLockSQL), so concurrent Prepare calls (from any process) do not race on
// CREATE; a race that still happens (the very first Open, before the lock
// row exists) is retried.
func (s *Sink) ddl(ctx context.Context, stmts []string) error {
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		if err = s.ddlOnce(ctx, stmts); !ddlRace(err) {
			return err
		}
	}
	return err
}

func (s *Sink) ddlOnce(ctx context.Context, stmts []string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, ddlLockSQL(s.Schema("etl_control"))); err != nil {
		return err
	}
	for _, st := range stmts {
		if _, err := tx.ExecContext(ctx, st); err != nil {
			return fmt.Errorf("%w (statement: %.80s)", err, st)
		}
	}
	return tx.Commit()
}

// Prepare creates missing schemas and tables and adds missing columns. It
// never drops or rewrites data.
func (s *Sink) Prepare(ctx context.Context, tables []*connector.Table) error {
	for _, t := range tables {
		if err := t.Validate(); err != nil {
			return fmt.Errorf("mssql: %w", err)
		}
		n := names{s.Schema(t.Schema), t.Name}
		// Tables that already match cost no lock and no DDL.
		match, err := s.matches(ctx, t, n)
		if err != nil {
			return fmt.Errorf("mssql: prepare %s: %w", t.FullName(), err)
		}
		if !match {
			stmts := prepareSQL(t, n, s.cfg.TimeBasis)
			for _, ix := range t.Indexes {
				stmts = append(stmts, indexSQL(ix, n))
			}
			if err := s.ddl(ctx, stmts); err != nil {
				return fmt.Errorf("mssql: prepare %s: %w", t.FullName(), err)
			}
		} else if err := s.ensureIndexes(ctx, t, n); err != nil {
			return fmt.Errorf("mssql: prepare %s: %w", t.FullName(), err)
		}
		stage := s.stagingTable(t)
		ti := &tableInfo{t: t, stage: stage, n: n, temp: tempName(stage, n, s.cfg.TimeBasis)}
		ti.createTemp = createTempSQL(stage, ti.temp, s.cfg.TimeBasis)
		ti.merge, ti.updateInsert = mergeSQL(t, n, ti.temp), updateInsertSQL(t, n, ti.temp)
		s.mu.Lock()
		s.tables[t.FullName()] = ti
		s.mu.Unlock()
	}
	return s.recordBasis(ctx)
}

func (s *Sink) info(t *connector.Table) (*tableInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ti, ok := s.tables[t.FullName()]
	if !ok {
		return nil, fmt.Errorf("table %s was not prepared", t.FullName())
	}
	return ti, nil
}

// transient reports errors worth retrying the whole batch for.
func transient(err error) bool {
	if errors.Is(err, driver.ErrBadConn) {
		return true
	}
	var me mssql.Error
	if errors.As(err, &me) {
		switch me.Number {
		case 1205, 1222, 40001, 40197, 40501, 40613, 49918, 49919, 49920:
			return true
		}
	}
	return false
}

// Write stores the batch in one transaction (see connector.Sink). A batch
// that fails with a transient error is rolled back and retried whole; one
// whose bulk load Babelfish refused at a packet boundary is retried at once
// with each table's rows in two bulk loads (bulkload.go).
func (s *Sink) Write(ctx context.Context, b *connector.Batch) error {
	if b.Checkpoint != nil && !json.Valid(b.Checkpoint) {
		return fmt.Errorf("mssql: write %s/%s: checkpoint is not valid JSON", b.Pipeline, b.Stream)
	}
	var err error
	b.Changed, b.Stale = nil, nil
	split := false
	for attempt := 0; attempt <= s.cfg.Retries; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return fmt.Errorf("mssql: write %s/%s: %w", b.Pipeline, b.Stream, ctx.Err())
			case <-time.After(time.Duration(attempt*attempt) * 200 * time.Millisecond):
			}
		}
		strategy := s.Strategy()
		err = s.writeOnce(ctx, b, strategy, split)
		// The batch was rolled back; these are retried at once (not
		// counted as retries: nothing transient), each at most once.
		for err != nil {
			if strategy == MergeStrategy && errors.Is(err, errMergeRejected) {
				s.rejectMerge(b, err)
				strategy = UpdateInsert
			} else if !split && s.bulkLoadBoundary(ctx, err) {
				s.splitBulkLoads(b, err)
				split = true
			} else {
				break
			}
			err = s.writeOnce(ctx, b, strategy, split)
		}
		if err == nil || !transient(err) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("mssql: write %s/%s: %w", b.Pipeline, b.Stream, classify(err))
	}
	s.refreshStats(ctx, b)
	return nil
}

func (s *Sink) writeOnce(ctx context.Context, b *connector.Batch, strategy Strategy, split bool) error {
	// One connection for the whole batch: temp tables live in its session.
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := s.fence(ctx, tx, b); err != nil {
		return err
	}
	now := s.cfg.Now()
	hasRows := map[string]bool{}
	for _, tr := range b.Tables {
		hasRows[tr.Table.FullName()] = len(tr.Rows) > 0
	}
	// The rows each upsert changed: the driver sums the DONE counts of the
	// statement's batch (the MERGE's rows, or the UPDATE's plus the
	// INSERT's); a server that does not count (NOCOUNT) leaves it unknown.
	changed, counted := map[string]int64{}, true
	stale, staleSets := map[string]int64{}, map[string]string{} // version.go
	staged := map[string]*tableInfo{}
	var order []*tableInfo
	for _, tr := range b.Tables {
		// A child table is staged even without rows when its parent has
		// rows: its child sets become empty.
		if len(tr.Rows) == 0 && !(tr.Table.Parent != "" && hasRows[tr.Table.Parent]) {
			continue
		}
		ti, err := s.info(tr.Table)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, ti.createTemp); err != nil {
			return fmt.Errorf("create %s: %w", ti.temp, err)
		}
		staged[tr.Table.FullName()] = ti
		order = append(order, ti)
		if len(tr.Rows) == 0 {
			continue
		}
		connector.FillAuto(tr.Table, tr.Rows, b.RunID, now)
		if err := s.bulkCopy(ctx, tx, ti, tr.Rows, split); err != nil {
			return fmt.Errorf("bulk copy %s: %w", tr.Table.FullName(), afterBulkLoad{err})
		}
		if err := s.skipStale(ctx, tx, ti, staged, staleSets, stale); err != nil {
			return afterBulkLoad{err} // the statement right after the bulk copy
		}
		res, err := tx.ExecContext(ctx, ti.upsert(strategy))
		if err != nil {
			err = afterBulkLoad{err}
			if strategy == MergeStrategy && mergeUnsupported(err) {
				return fmt.Errorf("upsert %s: %w: %w", tr.Table.FullName(), errMergeRejected, err)
			}
			return fmt.Errorf("upsert %s: %w", tr.Table.FullName(), err)
		}
		if n, err := res.RowsAffected(); err == nil {
			changed[tr.Table.FullName()] = n
		} else {
			counted = false
		}
	}
	for _, tr := range b.Tables {
		child, parent := staged[tr.Table.FullName()], staged[tr.Table.Parent]
		if tr.Table.Parent == "" || child == nil || parent == nil {
			continue
		}
		if _, err := tx.ExecContext(ctx, childDeleteSQL(tr.Table, parent.t, child.n, child.temp, parent.temp)); err != nil {
			return fmt.Errorf("replace children of %s: %w", tr.Table.FullName(), err)
		}
	}
	ctl := s.Schema("etl_control")
	for _, r := range b.Rejected {
		qr := connector.EncodeRejection(r)
		if _, err := tx.ExecContext(ctx, insertRejectedSQL(ctl), b.Pipeline, b.Stream, qr.Key, qr.Reason, nullable(qr.Payload, qr.HasPayload), b.RunID, r.At.UTC(), nullable(qr.Encoding, qr.Encoding != "")); err != nil {
			return fmt.Errorf("quarantine %q: %w", r.Key, err)
		}
	}
	if b.Checkpoint != nil {
		if _, err := tx.ExecContext(ctx, saveCheckpointSQL(ctl), b.Pipeline, b.Stream, string(b.Checkpoint)); err != nil {
			return fmt.Errorf("save checkpoint: %w", err)
		}
	}
	if s.cfg.BeforeCommit != nil {
		if err := s.cfg.BeforeCommit(ctx, b); err != nil {
			return err
		}
	}
	for _, ti := range order {
		if _, err := tx.ExecContext(ctx, dropTempSQL(ti.temp)); err != nil {
			return fmt.Errorf("drop %s: %w", ti.temp, err)
		}
		if set := staleSets[ti.t.FullName()]; set != "" {
			if _, err := tx.ExecContext(ctx, dropTempSQL(set)); err != nil {
				return fmt.Errorf("drop %s: %w", set, err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if counted {
		b.Changed = changed
	}
	if len(stale) > 0 {
		b.Stale = stale
	}
	return nil
}

// bulkCopy streams rows into the temp table with the TDS bulk-load protocol;
// with split, as two bulk loads of half the rows each.
func (s *Sink) bulkCopy(ctx context.Context, tx *sql.Tx, ti *tableInfo, rows [][]any, split bool) error {
	if split && len(rows) > 1 {
		if err := s.bulkCopy(ctx, tx, ti, rows[:len(rows)/2], false); err != nil {
			return err
		}
		rows = rows[len(rows)/2:]
	}
	cols := make([]string, len(ti.t.Columns))
	for i, c := range ti.t.Columns {
		cols[i] = c.Name
	}
	stmt, err := tx.PrepareContext(ctx, mssql.CopyIn(ti.temp, mssql.BulkOptions{Tablock: true}, cols...))
	if err != nil {
		return err
	}
	defer stmt.Close()
	args := make([]any, len(cols))
	for _, row := range rows {
		for i, v := range row {
			args[i] = s.value(&ti.stage.Columns[i], v)
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	_, err = stmt.ExecContext(ctx) // flush
	return err
}

// value converts a row value for bulk copy.
func (s *Sink) value(c *connector.Column, v any) any {
	if c.Type == connector.UUID {
		return uuidValue(v)
	}
	switch x := v.(type) {
	case connector.Dec:
		return x.Fixed(c.Scale)
	case time.Time:
		if s.cfg.TimeBasis == connector.TimeVietnam {
			w := x.In(connector.Vietnam)
			return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), time.UTC)
		}
		return x.UTC()
	case connector.RawJSON:
		return string(x)
	}
	return v
}

// LoadCheckpoint implements connector.CheckpointStore.
func (s *Sink) LoadCheckpoint(ctx context.Context, pipeline, stream string) (connector.Checkpoint, error) {
	var cp string
	err := s.db.QueryRowContext(ctx, fmt.Sprintf("SELECT [checkpoint] FROM %s WHERE [pipeline] = @p1 AND [stream] = @p2",
		names{s.Schema("etl_control"), "checkpoints"}.target()), pipeline, stream).Scan(&cp)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("mssql: load checkpoint %s/%s: %w", pipeline, stream, err)
	}
	return connector.Checkpoint(cp), nil
}

// SaveCheckpoint implements connector.CheckpointStore.
func (s *Sink) SaveCheckpoint(ctx context.Context, pipeline, stream string, cp connector.Checkpoint) error {
	if !json.Valid(cp) {
		return fmt.Errorf("mssql: save checkpoint %s/%s: not valid JSON", pipeline, stream)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("mssql: save checkpoint %s/%s: %w", pipeline, stream, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, saveCheckpointSQL(s.Schema("etl_control")), pipeline, stream, string(cp)); err != nil {
		return fmt.Errorf("mssql: save checkpoint %s/%s: %w", pipeline, stream, err)
	}
	return tx.Commit()
}
