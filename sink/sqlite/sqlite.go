// Package sqlite is the embedded default sink: one SQLite file (WAL mode,
// pure Go driver modernc.org/sqlite, no cgo) that holds the staging tables,
// the checkpoints and the quarantine of rejected records.
//
// SQLite has no schemas, so qualified names are flattened: tables of the
// "staging" schema keep their bare name ("staging.shopee_orders" is table
// shopee_orders), tables of any other schema get the schema as a prefix
// ("etl_control.checkpoints" is table etl_control_checkpoints). TableName
// applies the rule.
//
// Column types: String TEXT, Int INTEGER, Bool BOOLEAN (0/1), Decimal
// DECIMAL_BLOB(p,s) (see numeric.go: whole numbers are stored as INTEGER,
// other numbers of up to 15 significant digits as REAL, which holds them
// exactly, so money compares, sorts and sums as numbers; a longer number
// stays exact as TEXT), Timestamp TIMESTAMP_TEXT (ISO 8601 text:
// "2025-10-27T03:04:05.000000Z" in UTC by default, or "2025-10-27
// 10:04:05.000000" Vietnam wall clock with connector.TimeVietnam; both sort
// and work with SQLite's date functions), JSON JSON_TEXT, UUID TEXT
// (canonical lower-case text).
package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/facolos/etl/connector"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Config configures a Sink.
type Config struct {
	// Path of the database file (created if missing).
	Path string
	// TimeBasis of Timestamp columns (default connector.TimeUTC).
	TimeBasis connector.TimeBasis
	// BusyTimeout is how long a writer waits for a lock held by another
	// process (default 30 s).
	BusyTimeout time.Duration
	// Now is the clock for Auto columns (default time.Now).
	Now func() time.Time
	// BeforeCommit, if set, runs inside the write transaction after every
	// statement of a batch and before COMMIT; an error rolls the whole
	// batch back. For invariant checks and fault-injection tests.
	BeforeCommit func(ctx context.Context, b *connector.Batch) error
	// LeaseTTL is how long a lease lives without renewal (default 30 s);
	// a holder renews it every third of that.
	LeaseTTL time.Duration
	// PageSize is the page size in bytes of a database file this Open
	// creates: a power of two from 512 to 65536 (default DefaultPageSize).
	// A file that exists keeps its own (SQLite changes it only by VACUUM).
	PageSize int
}

// DefaultPageSize is the page size of new database files. SQLite writes
// the WAL and copies it into the file one page per system call; at
// SQLite's own default of 4 KiB a TikTok order line (about 11,600 bytes:
// it carries its order's JSON) spans four pages, and those system calls
// were a third of a TikTok full load's CPU. 64 KiB pages cut the load's CPU
// per row by about a fifth (docs/performance.md) for a file a few per cent
// larger; narrow rows (Shopee) cost the same.
const DefaultPageSize = 65536

// maxVars is SQLite's default SQLITE_MAX_VARIABLE_NUMBER (32766 since 3.32).
const maxVars = 32766

// maxRowsPerStatement bounds the rows of one multi-row statement.
const maxRowsPerStatement = 1000

// Sink writes into one SQLite file. It implements connector.Sink and
// connector.CheckpointStore. It is safe for concurrent use; writes are
// serialised on one connection (SQLite has a single writer anyway).
type Sink struct {
	cfg Config
	db  *sql.DB // readers and DDL

	// Writes go through one dedicated connection, one at a time; the
	// prepared upsert statements live on it.
	wmu   *writeLock
	wconn *sql.Conn
	// runsReady: the run history exists (runs.go); guarded by wmu.
	runsReady bool

	ddlMu  sync.Mutex // serialises Prepare: check-then-ALTER must not interleave
	mu     sync.Mutex
	tables map[string]*tableInfo // by FullName
	stmts  map[stmtKey]*sql.Stmt

	basisRecorded atomic.Bool
	basisChecked  sync.Map // table name -> true
}

type stmtKey struct {
	table  string
	rows   int
	filter string // the stale-group filter of the statement, "" for none (version.go)
	temp   string // the temp table of the table an insertTuples statement fills, "" for the upsert
}

type tableInfo struct {
	t      *connector.Table
	name   string // flattened, unquoted
	cols   string // the quoted column list
	upsert string // statement prefix up to VALUES
	onConf string // ON CONFLICT clause
	tuple  string // "(?,?,...)"
	chunk  int    // rows per statement
}

// Open opens (creating if needed) the database file and its control tables.
func Open(ctx context.Context, cfg Config) (*Sink, error) {
	if cfg.Path == "" {
		return nil, errors.New("sqlite: Config.Path is required")
	}
	if cfg.BusyTimeout <= 0 {
		cfg.BusyTimeout = 30 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.PageSize == 0 {
		cfg.PageSize = DefaultPageSize
	}
	if cfg.PageSize < 512 || cfg.PageSize > 65536 || cfg.PageSize&(cfg.PageSize-1) != 0 {
		return nil, fmt.Errorf("sqlite: Config.PageSize %d is not a power of two from 512 to 65536", cfg.PageSize)
	}
	// Workers that start together may all find the file new: one creates
	// it, the others get SQLITE_BUSY without the busy handler being asked
	// (see below) and find it made when they try again.
	if err := retryBusy(ctx, func() error { return createFile(ctx, cfg) }); err != nil {
		return nil, err
	}
	// busy_timeout comes first: switching a new file to WAL takes the
	// file's exclusive lock, which another process opening it at the same
	// moment may hold; the wait needs the busy handler already set.
	dsn := fmt.Sprintf("file:%s?_pragma=busy_timeout(%[2]d)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=temp_store(MEMORY)&_txlock=immediate",
		uriPath(cfg.Path), cfg.BusyTimeout.Milliseconds())
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", cfg.Path, err)
	}
	s := &Sink{cfg: cfg, db: db, wmu: &writeLock{}, tables: map[string]*tableInfo{}, stmts: map[stmtKey]*sql.Stmt{}}
	// Two processes creating the control tables of a new file at once can
	// get SQLITE_BUSY without the busy handler being asked (a schema read
	// that must become a write): the creation is tried again.
	if err = retryBusy(ctx, func() error { return s.createControl(ctx) }); err != nil {
		db.Close()
		return nil, err
	}
	if s.wconn, err = db.Conn(ctx); err == nil {
		_, err = s.wconn.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = -%d", writeCacheKiB))
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", cfg.Path, err)
	}
	return s, nil
}

// retryBusy runs f again, up to 10 times with a growing pause, while it
// fails with SQLITE_BUSY.
func retryBusy(ctx context.Context, f func() error) error {
	for attempt := 1; ; attempt++ {
		err := f()
		if err == nil || attempt == 10 || !strings.Contains(err.Error(), "SQLITE_BUSY") {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(attempt) * 20 * time.Millisecond):
		}
	}
}

// createFile gives a database file that has no pages yet the page size of
// cfg and turns it to WAL. The driver runs the DSN's pragmas in alphabetical
// order, journal_mode before page_size, and the switch to WAL writes the
// first page, which fixes the page size: so this is done on a connection of
// its own first. On a file that has pages both are no-ops.
func createFile(ctx context.Context, cfg Config) error {
	if fi, err := os.Stat(cfg.Path); err == nil && fi.Size() > 0 {
		return nil
	}
	db, err := sql.Open("sqlite", fmt.Sprintf("file:%s?_pragma=busy_timeout(%d)&_pragma=page_size(%d)",
		uriPath(cfg.Path), cfg.BusyTimeout.Milliseconds(), cfg.PageSize))
	if err != nil {
		return fmt.Errorf("sqlite: open %s: %w", cfg.Path, err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "PRAGMA journal_mode = WAL"); err != nil {
		return fmt.Errorf("sqlite: create %s: %w", cfg.Path, err)
	}
	if err := db.Close(); err != nil {
		return fmt.Errorf("sqlite: create %s: %w", cfg.Path, err)
	}
	return nil
}

// writeCacheKiB is the page cache of the write connection, in KiB. SQLite's
// default (2 MiB) is smaller than one full-load batch of wide rows (a batch
// of TikTok order lines is about 12 MiB of pages): the pages of the open
// transaction then spill to the WAL before the commit and the b-tree pages
// they touch are read back and written again, which cost a quarter of a
// TikTok load's CPU. The cache is filled only as pages are used.
const writeCacheKiB = 64 << 10

// DB returns the underlying database handle (for queries and for a
// tokenstore.SQLStore sharing the file).
func (s *Sink) DB() *sql.DB { return s.db }

// Close closes the database.
func (s *Sink) Close() error {
	s.mu.Lock()
	for _, st := range s.stmts {
		st.Close()
	}
	s.stmts = map[stmtKey]*sql.Stmt{}
	s.mu.Unlock()
	_ = s.wmu.lock(context.Background())
	s.wconn.Close()
	s.wmu.unlock()
	return s.db.Close()
}

// TableName returns the SQLite table name of a schema-qualified table.
func TableName(schema, name string) string {
	if schema == "" || schema == "staging" {
		return name
	}
	return schema + "_" + name
}

func q(name string) string { return connector.QuoteIdent(name) }

const (
	checkpointsTable = "etl_control_checkpoints"
	rejectedTable    = "etl_control_rejected_records"
	leasesTable      = "etl_control_leases"
)

func (s *Sink) createControl(ctx context.Context) error {
	stmts := []string{
		`CREATE TABLE IF NOT EXISTS ` + q(checkpointsTable) + ` (
			pipeline TEXT NOT NULL,
			stream TEXT NOT NULL,
			checkpoint JSON_TEXT NOT NULL,
			updated_at TIMESTAMP_TEXT NOT NULL,
			PRIMARY KEY (pipeline, stream))`,
		`CREATE TABLE IF NOT EXISTS ` + q(rejectedTable) + ` (
			id INTEGER PRIMARY KEY AUTOINCREMENT,
			pipeline TEXT NOT NULL,
			stream TEXT NOT NULL,
			record_key TEXT,
			reason TEXT NOT NULL,
			payload TEXT,
			run_id TEXT,
			rejected_at TIMESTAMP_TEXT NOT NULL,
			payload_encoding TEXT)`,
		`CREATE INDEX IF NOT EXISTS ` + q("ix_"+rejectedTable+"_key") + ` ON ` + q(rejectedTable) + ` (pipeline, stream, record_key)`,
		createLeasesSQL,
	}
	for _, st := range stmts {
		if _, err := s.db.ExecContext(ctx, st); err != nil {
			return fmt.Errorf("sqlite: create control tables: %w", err)
		}
	}
	if err := s.upgradeRejected(ctx); err != nil {
		return fmt.Errorf("sqlite: create control tables: %w", err)
	}
	return s.createControlMore(ctx)
}

// ColumnType is the declared SQLite type of a column (the names carry the
// type affinity the sink relies on: see decimalType).
func ColumnType(c connector.Column) string { return sqlType(c) }

func sqlType(c connector.Column) string {
	switch c.Type {
	case connector.Int:
		return "INTEGER"
	case connector.Decimal:
		return decimalType(c)
	case connector.Bool:
		return "BOOLEAN"
	case connector.Timestamp:
		return "TIMESTAMP_TEXT"
	case connector.JSON:
		return "JSON_TEXT"
	default:
		return "TEXT"
	}
}

// Prepare creates missing tables and adds missing columns. Existing data is
// never dropped or rewritten.
func (s *Sink) Prepare(ctx context.Context, tables []*connector.Table) error {
	for _, t := range tables {
		if err := t.Validate(); err != nil {
			return fmt.Errorf("sqlite: %w", err)
		}
		// Tables that already match cost no lock and no DDL.
		match, err := s.matches(ctx, t)
		if err == nil {
			if match {
				err = s.install(ctx, t, TableName(t.Schema, t.Name))
			} else {
				s.ddlMu.Lock()
				err = s.prepareTable(ctx, t)
				s.ddlMu.Unlock()
			}
		}
		if err != nil {
			return fmt.Errorf("sqlite: prepare %s: %w", t.FullName(), err)
		}
	}
	return s.recordBasis(ctx)
}

func (s *Sink) prepareTable(ctx context.Context, t *connector.Table) error {
	name := TableName(t.Schema, t.Name)
	var cols []string
	for _, c := range t.Columns {
		def := q(c.Name) + " " + sqlType(c)
		if !c.Nullable {
			def += " NOT NULL" // on a table created now; added columns stay nullable
		}
		cols = append(cols, def)
	}
	keys := quoteAll(t.PrimaryKey)
	ddl := fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s (\n\t%s,\n\tPRIMARY KEY (%s))", q(name), strings.Join(cols, ",\n\t"), strings.Join(keys, ", "))
	if _, err := s.db.ExecContext(ctx, ddl); err != nil {
		return err
	}
	have, err := s.columns(ctx, name)
	if err != nil {
		return err
	}
	for _, c := range t.Columns {
		if _, ok := have[strings.ToLower(c.Name)]; ok {
			continue
		}
		// Added columns are nullable: old rows have no value for them.
		alter := fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", q(name), q(c.Name), sqlType(c))
		if _, err := s.db.ExecContext(ctx, alter); err != nil {
			return fmt.Errorf("add column %s: %w", c.Name, err)
		}
	}
	if len(t.ParentKey) > 0 && !t.ParentKeyLeadsKey() {
		ix := fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s ON %s (%s)", q("ix_"+name+"_parent"), q(name), strings.Join(quoteAll(t.ParentKey), ", "))
		if _, err := s.db.ExecContext(ctx, ix); err != nil {
			return err
		}
	}
	for _, ix := range t.Indexes {
		if _, err := s.db.ExecContext(ctx, ix.CreateSQL(q(name), q, true)); err != nil {
			return fmt.Errorf("index %s: %w", ix.Name, err)
		}
	}
	return s.install(ctx, t, name)
}

// install makes the statements of t's definition the current ones.
func (s *Sink) install(ctx context.Context, t *connector.Table, name string) error {
	info := buildInfo(t, name)
	s.mu.Lock()
	old, ok := s.tables[t.FullName()]
	same := ok && old.upsert == info.upsert && old.onConf == info.onConf
	s.mu.Unlock()
	if same {
		return nil
	}
	// A new definition: swap it in between writes and drop the statements
	// of the old one.
	if err := s.wmu.lock(ctx); err != nil {
		return err
	}
	defer s.wmu.unlock()
	// The write connection's temp tables of the old definition (keys,
	// version groups) have the old key's shape: they go too.
	for _, prefix := range tempPrefixes {
		if _, err := s.wconn.ExecContext(ctx, "DROP TABLE IF EXISTS temp."+q(prefix+name)); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tables[t.FullName()] = info
	for k, st := range s.stmts {
		if k.table == name {
			st.Close()
			delete(s.stmts, k)
		}
	}
	return nil
}

// tempPrefixes name the write connection's temp tables of a table (see
// replaceChildren and markStale), created when first needed.
var tempPrefixes = []string{"_etl_pk_parents_", "_etl_pk_keys_", "_etl_ver_", "_etl_stale_"}

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = q(n)
	}
	return out
}

func (s *Sink) columns(ctx context.Context, table string) (map[string]bool, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT name FROM pragma_table_info(?)", table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	have := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		have[strings.ToLower(n)] = true
	}
	return have, rows.Err()
}

// buildInfo builds the upsert statement parts: a row whose compared columns
// are unchanged is not touched (its updated-at and run id stay).
func buildInfo(t *connector.Table, name string) *tableInfo {
	var cols, sets, diffs []string
	for _, c := range t.Columns {
		cols = append(cols, q(c.Name))
		if t.IsKey(c.Name) {
			continue
		}
		if c.Auto != connector.AutoCreatedAt {
			sets = append(sets, fmt.Sprintf("%s = excluded.%s", q(c.Name), q(c.Name)))
		}
		if c.Compared() {
			diffs = append(diffs, fmt.Sprintf("%s.%s IS NOT excluded.%s", q(name), q(c.Name), q(c.Name)))
		}
	}
	onConf := " ON CONFLICT (" + strings.Join(quoteAll(t.PrimaryKey), ", ") + ") DO "
	if len(diffs) == 0 {
		onConf += "NOTHING"
	} else {
		onConf += "UPDATE SET " + strings.Join(sets, ", ") + " WHERE " + versionGuard(t, name) + "(" + strings.Join(diffs, " OR ") + ")"
	}
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?,", len(t.Columns)), ",") + ")"
	chunk := min(maxVars/len(t.Columns), maxRowsPerStatement)
	colList := strings.Join(cols, ", ")
	return &tableInfo{t: t, name: name, cols: colList, upsert: fmt.Sprintf("INSERT INTO %s (%s) VALUES ", q(name), colList),
		onConf: onConf, tuple: tuple, chunk: chunk}
}

// statement is the upsert of rows rows. With a filter (a predicate on the
// columns of the incoming rows, named after the table's), the rows go
// through a named VALUES list and only those the filter passes are written.
func (ti *tableInfo) statement(rows int, filter string) string {
	var b strings.Builder
	b.Grow(len(ti.upsert) + rows*(len(ti.tuple)+1) + len(ti.onConf) + len(filter))
	if filter == "" {
		b.WriteString(ti.upsert)
	} else {
		fmt.Fprintf(&b, "WITH %s (%s) AS (VALUES ", incoming, ti.cols)
	}
	for i := 0; i < rows; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(ti.tuple)
	}
	if filter != "" {
		fmt.Fprintf(&b, ") INSERT INTO %s (%s) SELECT %s FROM %s WHERE %s", q(ti.name), ti.cols, ti.cols, incoming, filter)
	}
	b.WriteString(ti.onConf)
	return b.String()
}

func (s *Sink) stmt(ctx context.Context, ti *tableInfo, rows int, filter string) (*sql.Stmt, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := stmtKey{table: ti.name, rows: rows, filter: filter}
	if st, ok := s.stmts[k]; ok {
		return st, nil
	}
	st, err := s.wconn.PrepareContext(ctx, ti.statement(rows, filter))
	if err != nil {
		return nil, err
	}
	s.stmts[k] = st
	return st, nil
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

// Write stores the batch in one transaction (see connector.Sink).
func (s *Sink) Write(ctx context.Context, b *connector.Batch) error {
	if b.Checkpoint != nil && !json.Valid(b.Checkpoint) {
		return fmt.Errorf("sqlite: write %s/%s: checkpoint is not valid JSON", b.Pipeline, b.Stream)
	}
	if err := s.wmu.lock(ctx); err != nil {
		return fmt.Errorf("sqlite: write %s/%s: waiting for the writer: %w", b.Pipeline, b.Stream, err)
	}
	defer s.wmu.unlock()
	// The transaction is driven by hand on the dedicated connection, so that
	// the statements prepared on it are reused as they are (database/sql
	// would re-prepare a Conn's statement inside a *sql.Tx).
	if _, err := s.wconn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	if err := s.write(ctx, b); err != nil {
		b.Changed, b.Stale = nil, nil
		err = classify(err)
		if _, rerr := s.wconn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil {
			err = errors.Join(err, fmt.Errorf("rollback: %w", rerr))
		}
		return err
	}
	if _, err := s.wconn.ExecContext(ctx, "COMMIT"); err != nil {
		b.Changed, b.Stale = nil, nil
		_, _ = s.wconn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		return fmt.Errorf("sqlite: commit %s/%s: %w", b.Pipeline, b.Stream, err)
	}
	return nil
}

func (s *Sink) write(ctx context.Context, b *connector.Batch) error {
	tx := s.wconn
	if err := s.fence(ctx, tx, b); err != nil {
		return err
	}
	now := s.cfg.Now()
	changed := make(map[string]int64, len(b.Tables))
	// The stale groups of versioned tables are found before any upsert
	// changes a stored version (version.go).
	staleSets, stale, err := s.markStale(ctx, tx, b)
	if err != nil {
		return fmt.Errorf("sqlite: write %s/%s: %w", b.Pipeline, b.Stream, err)
	}
	for _, tr := range b.Tables {
		if len(tr.Rows) == 0 {
			continue
		}
		n, err := s.upsert(ctx, tr, b.RunID, now, staleFilter(b, tr.Table, staleSets))
		if err != nil {
			return fmt.Errorf("sqlite: write %s/%s: %w", b.Pipeline, b.Stream, err)
		}
		changed[tr.Table.FullName()] = n
	}
	for _, tr := range b.Tables {
		if tr.Table.Parent == "" {
			continue
		}
		if err := s.replaceChildren(ctx, tx, b, tr, staleSets); err != nil {
			return fmt.Errorf("sqlite: write %s/%s: replace children of %s: %w", b.Pipeline, b.Stream, tr.Table.FullName(), err)
		}
	}
	for _, r := range b.Rejected {
		qr := connector.EncodeRejection(r)
		_, err := tx.ExecContext(ctx, `INSERT INTO `+q(rejectedTable)+` (pipeline, stream, record_key, reason, payload, run_id, rejected_at, payload_encoding) VALUES (?,?,?,?,?,?,?,?)`,
			b.Pipeline, b.Stream, qr.Key, qr.Reason, nullable(qr.Payload, qr.HasPayload), b.RunID, formatTime(r.At, connector.TimeUTC), nullable(qr.Encoding, qr.Encoding != ""))
		if err != nil {
			return fmt.Errorf("sqlite: write %s/%s: quarantine %q: %w", b.Pipeline, b.Stream, r.Key, err)
		}
	}
	if b.Checkpoint != nil {
		if err := saveCheckpoint(ctx, tx, b.Pipeline, b.Stream, b.Checkpoint, now); err != nil {
			return fmt.Errorf("sqlite: write %s/%s: %w", b.Pipeline, b.Stream, err)
		}
	}
	if s.cfg.BeforeCommit != nil {
		if err := s.cfg.BeforeCommit(ctx, b); err != nil {
			return fmt.Errorf("sqlite: write %s/%s: %w", b.Pipeline, b.Stream, err)
		}
	}
	b.Changed, b.Stale = changed, stale // Write clears them again when the commit fails
	return nil
}

// upsert writes the rows of tr and returns how many it inserted or updated
// (SQLite's changes(): an ON CONFLICT DO UPDATE ... WHERE that does not
// match, or DO NOTHING, counts nothing).
func (s *Sink) upsert(ctx context.Context, tr connector.TableRows, runID string, now time.Time, filter string) (int64, error) {
	ti, err := s.info(tr.Table)
	if err != nil {
		return 0, err
	}
	var changed int64
	t := tr.Table
	connector.FillAuto(t, tr.Rows, runID, now)
	args := make([]any, 0, min(len(tr.Rows), ti.chunk)*len(t.Columns))
	start := 0
	for _, n := range ti.chunks(len(tr.Rows)) {
		st, err := s.stmt(ctx, ti, n, filter)
		if err != nil {
			return 0, fmt.Errorf("prepare upsert %s: %w", ti.name, err)
		}
		args = args[:0]
		for _, row := range tr.Rows[start : start+n] {
			for c, v := range row {
				args = append(args, s.value(&t.Columns[c], v))
			}
		}
		res, err := st.ExecContext(ctx, args...)
		if err != nil {
			return 0, fmt.Errorf("upsert %s: %w", ti.name, err)
		}
		if a, err := res.RowsAffected(); err == nil {
			changed += a
		}
		start += n
	}
	return changed, nil
}

// chunks splits n rows into multi-row statements of a few fixed sizes, so
// that a handful of prepared statements per table serve every batch size.
func (ti *tableInfo) chunks(n int) []int { return chunkSizes(n, ti.chunk) }

// chunkSizes splits n rows into statements of at most chunk rows and of
// the sizes of stmtSizes below that.
func chunkSizes(n, chunk int) []int {
	var out []int
	for n > 0 {
		size := chunk
		for _, s := range stmtSizes {
			if size <= n {
				break
			}
			size = min(s, chunk)
		}
		out = append(out, size)
		n -= size
	}
	return out
}

// stmtSizes are the row counts of the prepared multi-row statements, largest
// first (after the table's own chunk size).
var stmtSizes = []int{256, 64, 16, 4, 1}

// value converts a row value to what the driver stores.
func (s *Sink) value(c *connector.Column, v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case bool:
		if x {
			return int64(1)
		}
		return int64(0)
	case connector.Dec:
		return decimalValue(x, c.Scale)
	case time.Time:
		return formatTime(x, s.cfg.TimeBasis)
	case connector.RawJSON:
		return string(x)
	}
	return v
}

func formatTime(t time.Time, basis connector.TimeBasis) string {
	if basis == connector.TimeVietnam {
		return t.In(connector.Vietnam).Format("2006-01-02 15:04:05.000000")
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000Z")
}

// replaceChildren deletes the rows of child table tr whose parent is in the
// batch and that are not among the batch's rows for that parent.
func (s *Sink) replaceChildren(ctx context.Context, tx execer, b *connector.Batch, tr connector.TableRows, staleSets map[string]string) error {
	var parent *connector.TableRows
	for i := range b.Tables {
		if b.Tables[i].Table.FullName() == tr.Table.Parent {
			parent = &b.Tables[i]
		}
	}
	if parent == nil || len(parent.Rows) == 0 {
		return nil
	}
	ti, err := s.info(tr.Table)
	if err != nil {
		return err
	}
	t := tr.Table
	// The temp tables are keyed and typed like the target, so the delete's
	// NOT EXISTS is an index lookup per child row: linear in the number of
	// children (unkeyed, an order with 20,000 items took 26 s).
	pTmp := q("_etl_pk_parents_" + ti.name)
	kTmp := q("_etl_pk_keys_" + ti.name)
	pCols := quoteAll(t.ParentKey)
	kCols := quoteAll(t.PrimaryKey)
	setup := []string{
		tempKeyTable(pTmp, t, t.ParentKey),
		tempKeyTable(kTmp, t, t.PrimaryKey),
		"DELETE FROM temp." + pTmp,
		"DELETE FROM temp." + kTmp,
	}
	for _, st := range setup {
		if _, err := tx.ExecContext(ctx, st); err != nil {
			return err
		}
	}
	// The parent's leading key columns match ParentKey (all of them for a
	// separate parent table; the prefix when a table is its own parent).
	pk := parent.Table.KeyIndexes()[:len(t.ParentKey)]
	if err := s.insertTuples(ctx, ti, "temp."+pTmp, len(pk), len(parent.Rows), func(i int, dst []any) []any {
		for _, k := range pk {
			dst = append(dst, s.value(&parent.Table.Columns[k], parent.Rows[i][k]))
		}
		return dst
	}); err != nil {
		return err
	}
	ck := t.KeyIndexes()
	if err := s.insertTuples(ctx, ti, "temp."+kTmp, len(ck), len(tr.Rows), func(i int, dst []any) []any {
		for _, k := range ck {
			dst = append(dst, s.value(&t.Columns[k], tr.Rows[i][k]))
		}
		return dst
	}); err != nil {
		return err
	}
	// The child sets of stale parents stay as they are.
	if set, ok := staleSets[parent.Table.FullName()]; ok {
		// The stale set holds the parent's version group, the leading
		// columns of its key.
		g := min(len(pCols), len(parent.Table.VersionGroup()))
		del := fmt.Sprintf("DELETE FROM temp.%s WHERE (%s) IN (SELECT * FROM temp.%s)", pTmp, strings.Join(pCols[:g], ", "), set)
		if _, err := tx.ExecContext(ctx, del); err != nil {
			return err
		}
	}
	var match []string
	for _, c := range kCols {
		match = append(match, fmt.Sprintf("k.%s = %s.%s", c, q(ti.name), c))
	}
	del := fmt.Sprintf("DELETE FROM main.%s WHERE (%s) IN (SELECT * FROM temp.%s) AND NOT EXISTS (SELECT 1 FROM temp.%s k WHERE %s)",
		q(ti.name), strings.Join(pCols, ", "), pTmp, kTmp, strings.Join(match, " AND "))
	_, err = tx.ExecContext(ctx, del)
	return err
}

// insertTuples inserts n tuples of width w into tmp, a temp table of ti
// (quoted and qualified), in multi-row statements of a few fixed sizes
// prepared once on the write connection (preparing a statement of a
// thousand tuples for every batch cost as much as running it).
func (s *Sink) insertTuples(ctx context.Context, ti *tableInfo, tmp string, w, n int, row func(i int, dst []any) []any) error {
	chunk := min(maxVars/w, maxRowsPerStatement)
	args := make([]any, 0, min(n, chunk)*w)
	start := 0
	for _, size := range chunkSizes(n, chunk) {
		st, err := s.tupleStmt(ctx, ti, tmp, w, size)
		if err != nil {
			return err
		}
		args = args[:0]
		for i := start; i < start+size; i++ {
			args = row(i, args)
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return err
		}
		start += size
	}
	return nil
}

// tupleStmt returns the prepared INSERT OR IGNORE of rows tuples of width
// w into tmp, a temp table of ti.
func (s *Sink) tupleStmt(ctx context.Context, ti *tableInfo, tmp string, w, rows int) (*sql.Stmt, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := stmtKey{table: ti.name, rows: rows, temp: tmp}
	if st, ok := s.stmts[k]; ok {
		return st, nil
	}
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?,", w), ",") + ")"
	st, err := s.wconn.PrepareContext(ctx, "INSERT OR IGNORE INTO "+tmp+" VALUES "+strings.TrimSuffix(strings.Repeat(tuple+",", rows), ","))
	if err != nil {
		return nil, err
	}
	s.stmts[k] = st
	return st, nil
}

// tempKeyTable creates (if missing) a temp table of the named columns of t,
// with their types and a primary key on all of them.
func tempKeyTable(name string, t *connector.Table, cols []string) string {
	defs := make([]string, len(cols))
	for i, c := range cols {
		defs[i] = q(c) + " " + sqlType(t.Columns[t.ColumnIndex(c)])
	}
	return fmt.Sprintf("CREATE TEMP TABLE IF NOT EXISTS %s (%s, PRIMARY KEY (%s)) WITHOUT ROWID", name, strings.Join(defs, ", "), strings.Join(quoteAll(cols), ", "))
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func saveCheckpoint(ctx context.Context, db execer, pipeline, stream string, cp connector.Checkpoint, now time.Time) error {
	_, err := db.ExecContext(ctx, `INSERT INTO `+q(checkpointsTable)+` (pipeline, stream, checkpoint, updated_at) VALUES (?,?,?,?)
		ON CONFLICT (pipeline, stream) DO UPDATE SET checkpoint = excluded.checkpoint, updated_at = excluded.updated_at`,
		pipeline, stream, string(cp), formatTime(now, connector.TimeUTC))
	if err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	return nil
}

// LoadCheckpoint implements connector.CheckpointStore.
func (s *Sink) LoadCheckpoint(ctx context.Context, pipeline, stream string) (connector.Checkpoint, error) {
	var cp string
	err := s.db.QueryRowContext(ctx, `SELECT checkpoint FROM `+q(checkpointsTable)+` WHERE pipeline = ? AND stream = ?`, pipeline, stream).Scan(&cp)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: load checkpoint %s/%s: %w", pipeline, stream, err)
	}
	return connector.Checkpoint(cp), nil
}

// SaveCheckpoint implements connector.CheckpointStore.
func (s *Sink) SaveCheckpoint(ctx context.Context, pipeline, stream string, cp connector.Checkpoint) error {
	if !json.Valid(cp) {
		return fmt.Errorf("sqlite: save checkpoint %s/%s: not valid JSON", pipeline, stream)
	}
	if err := saveCheckpoint(ctx, s.db, pipeline, stream, cp, s.cfg.Now()); err != nil {
		return fmt.Errorf("sqlite: %s/%s: %w", pipeline, stream, err)
	}
	return nil
}
