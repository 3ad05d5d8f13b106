// Package postgres is the PostgreSQL sink (pgx v5). Per batch, in one
// transaction: every table's rows are bulk-copied (COPY) into a session
// temporary table, then upserted into the target with one set-based
// statement that touches only rows whose compared columns changed; child sets
// are replaced; rejected records and the checkpoint are written.
//
// Types: String TEXT or VARCHAR(n), Int BIGINT, Decimal NUMERIC(p,s), Bool
// BOOLEAN, Timestamp TIMESTAMPTZ (or TIMESTAMP holding Vietnam wall-clock
// time with connector.TimeVietnam), JSON JSONB, UUID UUID (a UUID column an
// older definition created as text stays text).
package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math/big"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
)

// Strategy selects the upsert statement.
type Strategy string

const (
	// OnConflict upserts with INSERT … SELECT … ON CONFLICT DO UPDATE …
	// WHERE (changed). It measured faster than MERGE here (see README), so
	// it is the default.
	OnConflict Strategy = "on-conflict"
	// Merge upserts with PostgreSQL 15's MERGE.
	Merge Strategy = "merge"
)

// Config configures a Sink.
type Config struct {
	// DSN is a postgres:// URL or a keyword/value string.
	DSN string
	// Schemas maps logical schemas ("staging", "etl_control") to the
	// physical ones; a schema not in the map keeps its name.
	Schemas map[string]string
	// TimeBasis of Timestamp columns (default connector.TimeUTC).
	TimeBasis connector.TimeBasis
	// Strategy of the upsert (default OnConflict).
	Strategy Strategy
	// MaxConns of the pool (default: pool_max_conns of the DSN, else
	// DefaultMaxConns, or its share after SharePool).
	// No lease holds a connection, so any size works with any number of
	// pipelines; it bounds how many write at once.
	MaxConns int32
	// LeaseTTL is how long a lease lives without renewal (default
	// connector.DefaultLeaseTTL); a holder renews it every third of that.
	LeaseTTL time.Duration
	// Now is the clock for Auto columns (default time.Now).
	Now func() time.Time
	// BeforeCommit, if set, runs inside the write transaction after every
	// statement of a batch and before COMMIT; an error rolls the whole
	// batch back. For invariant checks and fault-injection tests.
	BeforeCommit func(ctx context.Context, b *connector.Batch) error
}

// Sink writes into PostgreSQL. It implements connector.Sink,
// connector.CheckpointStore and connector.Leaser, and is safe for concurrent
// use.
type Sink struct {
	cfg  Config
	pool *pgxpool.Pool
	// leasePool serves the leases' heartbeats and releases (LeaseConns).
	leasePool *pgxpool.Pool

	mu     sync.Mutex
	tables map[string]*tableInfo
	sqldb  *sql.DB
	stats  sync.Map // quoted target → *tableStats (stats.go)

	// textUUIDs holds the UUID columns of existing tables that store them as
	// text (uuid.go), by table full name; guarded by mu.
	textUUIDs map[string]map[string]bool

	// prepared: the table definitions Prepare made ready (prepared.go).
	prepared prepared
	// runsMu: one run-history check or DDL at a time (runs.go).
	runsMu sync.Mutex
	// catalogReads counts the catalog reads of Prepare (readCatalog).
	catalogReads atomic.Int64

	basisRecorded atomic.Bool

	// The ANALYZEs of refreshStats run beside the writes, on bgCtx (which
	// Close cancels before it waits for them).
	bg       sync.WaitGroup
	bgCtx    context.Context
	bgCancel context.CancelFunc
}

type tableInfo struct {
	t       *connector.Table
	target  string // quoted, qualified
	temp    string // quoted temp table name (per definition)
	cols    []string
	create  string // temp table DDL
	upsert  string
	compare bool
}

// Open connects and creates the control schema and tables.
func Open(ctx context.Context, cfg Config) (*Sink, error) {
	if cfg.Strategy == "" {
		cfg.Strategy = OnConflict
	}
	if cfg.Strategy != OnConflict && cfg.Strategy != Merge {
		return nil, fmt.Errorf("postgres: unknown strategy %q", cfg.Strategy)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	pc, err := pgxpool.ParseConfig(connector.EncodeDSNPassword(cfg.DSN))
	if err != nil {
		return nil, fmt.Errorf("postgres: parse DSN: %s", connector.RedactDSN(redactPassword(err.Error(), pc), cfg.DSN))
	}
	if cfg.MaxConns > 0 {
		pc.MaxConns = cfg.MaxConns
	} else if !dsnSetsPoolSize(cfg.DSN) {
		pc.MaxConns = sharedMaxConns()
	}
	pc.AfterConnect = preferLZ4
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	lpc := pc.Copy()
	lpc.MaxConns, lpc.MinConns = LeaseConns, 0
	leasePool, err := pgxpool.NewWithConfig(ctx, lpc)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	s := &Sink{cfg: cfg, pool: pool, leasePool: leasePool, tables: map[string]*tableInfo{}}
	s.bgCtx, s.bgCancel = context.WithCancel(context.Background())
	if err := s.createControl(ctx); err != nil {
		pool.Close()
		leasePool.Close()
		return nil, err
	}
	return s, nil
}

// preferLZ4 makes a new connection compress the values it writes with lz4
// instead of pglz, when the server has lz4 (PostgreSQL 14 and later, built
// with it) and nothing (server configuration, database, role, or the DSN's
// default_toast_compression) chose the method. The values stored are the
// same; only their compressed form differs. Kilobyte rows (a TikTok order
// line carries its order's JSON, about 6 kB, in five JSONB columns) are
// compressed once in the staging temp table and kept compressed in the
// target: pglz_compress was the server's top function in a TikTok full load,
// and with lz4 the server's CPU per row fell by a sixth to a quarter
// (docs/performance.md, "Pages and compression of wide rows").
func preferLZ4(ctx context.Context, c *pgx.Conn) error {
	_, err := c.Exec(ctx, `SELECT set_config('default_toast_compression', 'lz4', false)
		FROM pg_settings
		WHERE name = 'default_toast_compression' AND source = 'default' AND 'lz4' = ANY(enumvals)`)
	if err != nil {
		return fmt.Errorf("postgres: choose the compression of new values: %w", err)
	}
	return nil
}

func redactPassword(msg string, pc *pgxpool.Config) string {
	if pc != nil && pc.ConnConfig != nil && pc.ConnConfig.Password != "" {
		msg = strings.ReplaceAll(msg, pc.ConnConfig.Password, "[REDACTED]")
	}
	return msg
}

// Pool returns the connection pool.
func (s *Sink) Pool() *pgxpool.Pool { return s.pool }

// DB returns a database/sql handle on the pool (for tokenstore.SQLStore).
func (s *Sink) DB() *sql.DB {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sqldb == nil {
		s.sqldb = stdlib.OpenDBFromPool(s.pool)
	}
	return s.sqldb
}

// Close stops the statistics refreshes under way and closes the pool.
func (s *Sink) Close() error {
	s.bgCancel()
	s.bg.Wait()
	s.mu.Lock()
	if s.sqldb != nil {
		s.sqldb.Close()
	}
	s.mu.Unlock()
	s.pool.Close()
	s.leasePool.Close()
	return nil
}

// Schema returns the physical schema of a logical one.
func (s *Sink) Schema(logical string) string {
	if p, ok := s.cfg.Schemas[logical]; ok {
		return p
	}
	return logical
}

func q(name string) string { return connector.QuoteIdent(name) }

func (s *Sink) qualified(schema, name string) string { return q(s.Schema(schema)) + "." + q(name) }

func (s *Sink) control(name string) string { return s.qualified("etl_control", name) }

// ddlLock serialises DDL of concurrent Prepare calls (from this and other
// processes) inside their transaction.
const ddlLock = 0x6574_6c5f_6464_6c // "etl_ddl"

func (s *Sink) inTx(ctx context.Context, f func(tx pgx.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if err := f(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

func (s *Sink) createControl(ctx context.Context) error {
	if ok, err := s.controlExists(ctx); err != nil || ok {
		if err != nil {
			return fmt.Errorf("postgres: create control tables: %w", err)
		}
		return s.checkBasis(ctx)
	}
	ctl := s.Schema("etl_control")
	stmts := []string{
		`CREATE SCHEMA IF NOT EXISTS ` + q(ctl),
		`CREATE TABLE IF NOT EXISTS ` + s.control("checkpoints") + ` (
			pipeline TEXT NOT NULL,
			stream TEXT NOT NULL,
			checkpoint JSONB NOT NULL,
			updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
			PRIMARY KEY (pipeline, stream))`,
		`CREATE TABLE IF NOT EXISTS ` + s.control("rejected_records") + ` (
			id BIGSERIAL PRIMARY KEY,
			pipeline TEXT NOT NULL,
			stream TEXT NOT NULL,
			record_key TEXT,
			reason TEXT NOT NULL,
			payload TEXT,
			run_id TEXT,
			rejected_at TIMESTAMPTZ NOT NULL)`,
		addPayloadEncoding(ctl, s.control("rejected_records")),
		`CREATE INDEX IF NOT EXISTS ix_rejected_records_key ON ` + s.control("rejected_records") + ` (pipeline, stream, record_key)`,
	}
	stmts = append(stmts, s.moreControlSQL()...)
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(ddlLock)); err != nil {
			return err
		}
		for _, st := range stmts {
			if _, err := tx.Exec(ctx, st); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: create control tables: %w", err)
	}
	return s.checkBasis(ctx)
}

func (s *Sink) sqlType(c connector.Column) string { return ColumnType(c, s.cfg.TimeBasis) }

// ColumnType is the PostgreSQL type of a column in a warehouse of the given
// time basis.
func ColumnType(c connector.Column, basis connector.TimeBasis) string {
	switch c.Type {
	case connector.Int:
		return "BIGINT"
	case connector.Decimal:
		return fmt.Sprintf("NUMERIC(%d,%d)", c.Precision, c.Scale)
	case connector.Bool:
		return "BOOLEAN"
	case connector.Timestamp:
		if basis == connector.TimeVietnam {
			return "TIMESTAMP"
		}
		return "TIMESTAMPTZ"
	case connector.JSON:
		return "JSONB"
	case connector.UUID:
		return "UUID"
	}
	if c.Length > 0 {
		return fmt.Sprintf("VARCHAR(%d)", c.Length)
	}
	return "TEXT"
}

// Prepare creates missing schemas and tables and adds missing columns. It
// never drops or rewrites data.
func (s *Sink) Prepare(ctx context.Context, tables []*connector.Table) error {
	for _, t := range tables {
		if err := t.Validate(); err != nil {
			return fmt.Errorf("postgres: %w", err)
		}
	}
	if err := s.prepareTables(ctx, tables); err != nil {
		return err
	}
	return s.recordBasis(ctx)
}

// prepareTables makes the tables ready, each definition once per sink (see
// prepared): the tables not prepared yet cost one catalog read together,
// and DDL only where one is missing or lacks a column or an index.
func (s *Sink) prepareTables(ctx context.Context, tables []*connector.Table) error {
	unlock := s.prepared.lock("tables")
	defer unlock()
	var todo []*connector.Table
	for _, t := range tables {
		if !s.prepared.done(t.FullName(), definition(t)) {
			todo = append(todo, t)
			continue
		}
		s.mu.Lock()
		ti := s.tables[t.FullName()]
		s.mu.Unlock()
		if ti == nil {
			s.install(t)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	cat, err := s.readCatalog(ctx, s.pool, todo)
	if err != nil {
		return fmt.Errorf("postgres: prepare %s: %w", todo[0].FullName(), err)
	}
	for _, t := range todo {
		match, err := s.matchesIn(cat, t)
		if err == nil {
			if match {
				s.install(t)
			} else {
				err = s.prepareTableRetrying(ctx, t)
			}
		}
		if err != nil {
			return fmt.Errorf("postgres: prepare %s: %w", t.FullName(), err)
		}
		s.prepared.remember(t.FullName(), definition(t))
	}
	return nil
}

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = q(n)
	}
	return out
}

func (s *Sink) prepareTable(ctx context.Context, t *connector.Table) error {
	schema := s.Schema(t.Schema)
	target := s.qualified(t.Schema, t.Name)
	var cols []string
	for _, c := range t.Columns {
		def := q(c.Name) + " " + s.sqlType(c)
		if !c.Nullable {
			def += " NOT NULL" // on a table created now; added columns stay nullable
		}
		cols = append(cols, def)
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(ddlLock)); err != nil {
			return err
		}
		// Another worker may have made the table while this one waited
		// for the lock: then no DDL (CREATE INDEX IF NOT EXISTS would take
		// a share lock on the table, waiting for its writes).
		if match, err := s.matches(ctx, tx, t); err != nil || match {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+q(schema)); err != nil {
			return err
		}
		ddl := fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s (\n\t%s,\n\tPRIMARY KEY (%s))", target, strings.Join(cols, ",\n\t"), strings.Join(quoteAll(t.PrimaryKey), ", "))
		if _, err := tx.Exec(ctx, ddl); err != nil {
			return err
		}
		// Only missing columns are altered: ALTER TABLE takes an exclusive
		// lock even when there is nothing to add.
		rows, err := tx.Query(ctx, `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2`, schema, t.Name)
		if err != nil {
			return err
		}
		have, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		present := map[string]bool{}
		for _, c := range have {
			present[c] = true
		}
		for _, c := range t.Columns {
			if present[c.Name] {
				continue
			}
			// Added columns are nullable: old rows have no value for them.
			if _, err := tx.Exec(ctx, fmt.Sprintf("ALTER TABLE %s ADD COLUMN IF NOT EXISTS %s %s", target, q(c.Name), s.sqlType(c))); err != nil {
				return fmt.Errorf("add column %s: %w", c.Name, err)
			}
		}
		if len(t.ParentKey) > 0 && !t.ParentKeyLeadsKey() {
			ix := fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s ON %s (%s)", q("ix_"+t.Name+"_parent"), target, strings.Join(quoteAll(t.ParentKey), ", "))
			if _, err := tx.Exec(ctx, ix); err != nil {
				return err
			}
		}
		for _, ix := range t.Indexes {
			if _, err := tx.Exec(ctx, ix.CreateSQL(target, q, true)); err != nil {
				return fmt.Errorf("index %s: %w", ix.Name, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.install(t)
	return nil
}

// install makes the statements of t's definition the current ones.
func (s *Sink) install(t *connector.Table) {
	ti := s.buildInfo(t)
	s.mu.Lock()
	s.tables[t.FullName()] = ti
	s.mu.Unlock()
}

// buildInfo builds the statements of a table definition. The temp table's
// name carries a hash of the definition, so a session that saw an older
// definition does not reuse its temp table.
func (s *Sink) buildInfo(t *connector.Table) *tableInfo {
	ti := &tableInfo{t: t, target: s.qualified(t.Schema, t.Name)}
	h := fnv.New32a()
	var tempCols []string
	for _, c := range t.Columns {
		ti.cols = append(ti.cols, c.Name)
		tempCols = append(tempCols, q(c.Name)+" "+s.tempType(t, c))
		fmt.Fprint(h, c.Name, s.tempType(t, c), ";")
	}
	fmt.Fprint(h, s.Schema(t.Schema))
	ti.temp = q(fmt.Sprintf("_etl_%s_%08x", t.Name, h.Sum32()))
	ti.create = fmt.Sprintf("CREATE TEMP TABLE IF NOT EXISTS %s (%s) ON COMMIT DELETE ROWS", ti.temp, strings.Join(tempCols, ", "))
	ti.upsert = upsertSQL(s.cfg.Strategy, t, ti.target, ti.temp)
	return ti
}

// upsertSQL returns the set-based upsert from the temp table into the target.
// A matched row is updated only when a compared column changed; the
// created-at column keeps its first value.
func upsertSQL(strategy Strategy, t *connector.Table, target, temp string) string {
	var cols, sets, tcmp, scmp, keys []string
	for _, c := range t.Columns {
		qc := q(c.Name)
		cols = append(cols, qc)
		if t.IsKey(c.Name) {
			keys = append(keys, fmt.Sprintf("t.%s = s.%s", qc, qc))
			continue
		}
		if c.Auto != connector.AutoCreatedAt {
			if strategy == Merge {
				sets = append(sets, fmt.Sprintf("%s = s.%s", qc, qc))
			} else {
				sets = append(sets, fmt.Sprintf("%s = EXCLUDED.%s", qc, qc))
			}
		}
		if c.Compared() {
			tcmp = append(tcmp, "t."+qc)
			if strategy == Merge {
				scmp = append(scmp, "s."+qc)
			} else {
				scmp = append(scmp, "EXCLUDED."+qc)
			}
		}
	}
	changed := fmt.Sprintf("ROW(%s) IS DISTINCT FROM ROW(%s)", strings.Join(tcmp, ", "), strings.Join(scmp, ", "))
	if t.Version != "" {
		src := "EXCLUDED."
		if strategy == Merge {
			src = "s."
		}
		changed = versionGuard(t, "t.", src) + " AND " + changed
	}
	colList := strings.Join(cols, ", ")
	if strategy == Merge {
		var vals []string
		for _, c := range cols {
			vals = append(vals, "s."+c)
		}
		stmt := fmt.Sprintf("MERGE INTO %s AS t USING %s AS s ON %s", target, temp, strings.Join(keys, " AND "))
		if len(tcmp) > 0 {
			stmt += fmt.Sprintf(" WHEN MATCHED AND %s THEN UPDATE SET %s", changed, strings.Join(sets, ", "))
		}
		return stmt + fmt.Sprintf(" WHEN NOT MATCHED THEN INSERT (%s) VALUES (%s)", colList, strings.Join(vals, ", "))
	}
	stmt := fmt.Sprintf("INSERT INTO %s AS t (%s) SELECT %s FROM %s ON CONFLICT (%s) DO ", target, colList, colList, temp, strings.Join(quoteAll(t.PrimaryKey), ", "))
	if len(tcmp) == 0 {
		return stmt + "NOTHING"
	}
	return stmt + fmt.Sprintf("UPDATE SET %s WHERE %s", strings.Join(sets, ", "), changed)
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

// value converts a row value for COPY.
func (s *Sink) value(c *connector.Column, v any) any {
	switch x := v.(type) {
	case connector.Dec:
		return numeric(x)
	case time.Time:
		if s.cfg.TimeBasis == connector.TimeVietnam {
			w := x.In(connector.Vietnam)
			return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), time.UTC)
		}
		return x
	case connector.RawJSON:
		return json.RawMessage(x)
	}
	return v
}

func numeric(d connector.Dec) pgtype.Numeric {
	digits := strings.Replace(d.String(), ".", "", 1)
	var n *big.Int
	if i, err := strconv.ParseInt(digits, 10, 64); err == nil {
		n = big.NewInt(i)
	} else {
		n, _ = new(big.Int).SetString(digits, 10)
	}
	return pgtype.Numeric{Int: n, Exp: int32(-d.Scale()), Valid: true}
}

// Write stores the batch in one transaction (see connector.Sink).
func (s *Sink) Write(ctx context.Context, b *connector.Batch) error {
	if b.Checkpoint != nil && !json.Valid(b.Checkpoint) {
		return fmt.Errorf("postgres: write %s/%s: checkpoint is not valid JSON", b.Pipeline, b.Stream)
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error { return s.write(ctx, tx, b) })
	if err != nil {
		b.Changed, b.Stale = nil, nil
		s.prepared.forget(err)
		return fmt.Errorf("postgres: write %s/%s: %w", b.Pipeline, b.Stream, classify(err))
	}
	s.refreshStats(ctx, b)
	return nil
}

func (s *Sink) write(ctx context.Context, tx pgx.Tx, b *connector.Batch) error {
	now := s.cfg.Now()
	hasRows := map[string]bool{}
	for _, tr := range b.Tables {
		hasRows[tr.Table.FullName()] = len(tr.Rows) > 0
	}
	// Tables to stage: those with rows, and child tables whose parent has
	// rows (even without rows of their own: their child sets become empty).
	type stagedTable struct {
		ti   *tableInfo
		rows [][]any
	}
	var staged []stagedTable
	byName := map[string]*tableInfo{}
	setup := &pgx.Batch{}
	for _, tr := range b.Tables {
		if len(tr.Rows) == 0 && !(tr.Table.Parent != "" && hasRows[tr.Table.Parent]) {
			continue
		}
		ti, err := s.info(tr.Table)
		if err != nil {
			return err
		}
		staged = append(staged, stagedTable{ti, tr.Rows})
		byName[tr.Table.FullName()] = ti
		setup.Queue(ti.create)
	}
	// The lease check and the temp tables go in one round trip.
	if err := s.fenceAndSetup(ctx, tx, b, setup); err != nil {
		return err
	}
	// ON COMMIT DELETE ROWS empties the temp tables at every commit, and a
	// rollback takes their rows away too: they are empty here.
	for _, st := range staged {
		if len(st.rows) == 0 {
			continue
		}
		connector.FillAuto(st.ti.t, st.rows, b.RunID, now)
		src := &rowSource{s: s, t: st.ti.t, rows: st.rows, buf: make([]any, len(st.ti.t.Columns))}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{unquote(st.ti.temp)}, st.ti.cols, src); err != nil {
			return fmt.Errorf("copy %s: %w", st.ti.t.FullName(), err)
		}
	}
	if len(b.Rejected) > 0 {
		rows := make([][]any, len(b.Rejected))
		for i, r := range b.Rejected {
			qr := connector.EncodeRejection(r)
			rows[i] = []any{b.Pipeline, b.Stream, qr.Key, qr.Reason, nullable(qr.Payload, qr.HasPayload), b.RunID, r.At, nullable(qr.Encoding, qr.Encoding != "")}
		}
		_, err := tx.CopyFrom(ctx, pgx.Identifier{s.Schema("etl_control"), "rejected_records"},
			[]string{"pipeline", "stream", "record_key", "reason", "payload", "run_id", "rejected_at", "payload_encoding"}, pgx.CopyFromRows(rows))
		if err != nil {
			return fmt.Errorf("quarantine: %w", err)
		}
	}
	// The temp tables' statistics (stats.go), stale rows out, upserts,
	// child-set replacements and the checkpoint go in one round trip.
	work := &pgx.Batch{}
	var what []string
	var filled []*tableInfo
	for _, st := range staged {
		if len(st.rows) > 0 {
			filled = append(filled, st.ti)
		}
	}
	for _, st := range tempAnalyzes(filled) {
		work.Queue(st)
		what = append(what, "analyze: "+st)
	}
	counts := map[int]func(int64){} // what a statement's row count is, by position
	changed := map[string]int64{}
	var stale map[string]int64
	for _, st := range staged {
		if st.ti.t.Version == "" || len(st.rows) == 0 {
			continue
		}
		// The stale groups leave the staged rows of the table's followers
		// and its own, before any upsert, in one statement that computes
		// them once (version.go).
		var followers []staleFollower
		for _, f := range staged {
			if g := st.ti.t.VersionGroup(); f.ti != st.ti && f.ti.t.Parent == st.ti.t.FullName() && len(f.ti.t.ParentKey) >= len(g) {
				// The group is the leading columns of the parent's key.
				followers = append(followers, staleFollower{f.ti.temp, f.ti.t.ParentKey[:len(g)]})
			}
		}
		name := st.ti.t.FullName()
		counts[len(what)] = func(n int64) {
			if n > 0 {
				if stale == nil {
					stale = map[string]int64{}
				}
				stale[name] = n
			}
		}
		work.Queue(pruneStaleSQL(st.ti.temp, st.ti.t.VersionGroup(), st.ti, followers...))
		what = append(what, "skip the stale rows of "+name+" and of its children")
	}
	// The child rows that left their parents' sets go before the upserts
	// (the result is the same: the rows deleted are not among the batch's):
	// a batch into a table this load created finds it empty then, instead
	// of holding rows the planner still takes for none (stats.go).
	for _, st := range staged {
		t := st.ti.t
		if parent := byName[t.Parent]; t.Parent != "" && parent != nil {
			work.Queue(childDeleteSQL(t, st.ti, parent))
			what = append(what, "replace children of "+t.FullName())
		}
	}
	for _, st := range staged {
		if len(st.rows) > 0 {
			name := st.ti.t.FullName()
			// The upsert's command tag counts the rows inserted or
			// updated; a row the WHERE left alone is not counted.
			counts[len(what)] = func(n int64) { changed[name] = n }
			work.Queue(st.ti.upsert)
			what = append(what, "upsert "+name)
		}
	}
	if b.Checkpoint != nil {
		work.Queue(`INSERT INTO `+s.control("checkpoints")+` (pipeline, stream, checkpoint, updated_at) VALUES ($1, $2, $3, now())
			ON CONFLICT (pipeline, stream) DO UPDATE SET checkpoint = EXCLUDED.checkpoint, updated_at = EXCLUDED.updated_at`,
			b.Pipeline, b.Stream, json.RawMessage(b.Checkpoint))
		what = append(what, "save checkpoint")
	}
	if len(what) > 0 {
		br := tx.SendBatch(ctx, work)
		for i, w := range what {
			tag, err := br.Exec()
			if err != nil {
				br.Close()
				return fmt.Errorf("%s: %w", w, err)
			}
			if count := counts[i]; count != nil {
				count(tag.RowsAffected())
			}
		}
		if err := br.Close(); err != nil {
			return err
		}
	}
	if s.cfg.BeforeCommit != nil {
		if err := s.cfg.BeforeCommit(ctx, b); err != nil {
			return err
		}
	}
	b.Changed, b.Stale = changed, stale // Write clears them again when the commit fails
	return nil
}

func unquote(quoted string) string {
	return strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(quoted, `"`), `"`), `""`, `"`)
}

// rowSource converts rows for COPY one at a time.
type rowSource struct {
	s    *Sink
	t    *connector.Table
	rows [][]any
	i    int
	buf  []any
}

func (r *rowSource) Next() bool { r.i++; return r.i <= len(r.rows) }
func (r *rowSource) Values() ([]any, error) {
	row := r.rows[r.i-1]
	for c, v := range row {
		r.buf[c] = r.s.value(&r.t.Columns[c], v)
	}
	return r.buf, nil
}
func (r *rowSource) Err() error { return nil }

// childDeleteSQL deletes the rows of a child table whose parent was written
// in the batch and which are not among the batch's child rows.
func childDeleteSQL(t *connector.Table, child, parent *tableInfo) string {
	var pk []string
	for _, k := range parent.t.PrimaryKey[:len(t.ParentKey)] { // the prefix when a table is its own parent
		pk = append(pk, "p."+q(k))
	}
	var fk []string
	for _, k := range t.ParentKey {
		fk = append(fk, "c."+q(k))
	}
	var match []string
	for _, k := range t.PrimaryKey {
		match = append(match, fmt.Sprintf("k.%s = c.%s", q(k), q(k)))
	}
	parents := fmt.Sprintf("(%s) IN (SELECT %s FROM %s AS p)", strings.Join(fk, ", "), strings.Join(pk, ", "), parent.temp)
	if len(fk) == 1 {
		// = ANY of an array the statement computes first: the planner
		// takes it for a few keys and probes the parent-key index for
		// each, whatever it guesses about the temp table (see stats.go).
		parents = fmt.Sprintf("%s = ANY (ARRAY(SELECT %s FROM %s AS p))", fk[0], pk[0], parent.temp)
	}
	return fmt.Sprintf("DELETE FROM %s AS c WHERE %s AND NOT EXISTS (SELECT 1 FROM %s AS k WHERE %s)",
		child.target, parents, child.temp, strings.Join(match, " AND "))
}

func (s *Sink) saveCheckpoint(ctx context.Context, tx pgx.Tx, pipeline, stream string, cp connector.Checkpoint) error {
	_, err := tx.Exec(ctx, `INSERT INTO `+s.control("checkpoints")+` (pipeline, stream, checkpoint, updated_at) VALUES ($1, $2, $3, now())
		ON CONFLICT (pipeline, stream) DO UPDATE SET checkpoint = EXCLUDED.checkpoint, updated_at = EXCLUDED.updated_at`,
		pipeline, stream, json.RawMessage(cp))
	if err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	return nil
}

// LoadCheckpoint implements connector.CheckpointStore.
func (s *Sink) LoadCheckpoint(ctx context.Context, pipeline, stream string) (connector.Checkpoint, error) {
	var cp string
	err := s.pool.QueryRow(ctx, `SELECT checkpoint::text FROM `+s.control("checkpoints")+` WHERE pipeline = $1 AND stream = $2`, pipeline, stream).Scan(&cp)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: load checkpoint %s/%s: %w", pipeline, stream, err)
	}
	return connector.Checkpoint(cp), nil
}

// SaveCheckpoint implements connector.CheckpointStore.
func (s *Sink) SaveCheckpoint(ctx context.Context, pipeline, stream string, cp connector.Checkpoint) error {
	if !json.Valid(cp) {
		return fmt.Errorf("postgres: save checkpoint %s/%s: not valid JSON", pipeline, stream)
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error { return s.saveCheckpoint(ctx, tx, pipeline, stream, cp) })
	if err != nil {
		return fmt.Errorf("postgres: %s/%s: %w", pipeline, stream, err)
	}
	return nil
}
