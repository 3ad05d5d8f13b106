package tokenstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Dialect adapts SQLStore to a database. Use SQLite, Postgres or SQLServer.
type Dialect struct {
	// Name of the dialect, for errors.
	Name string
	// Table is the quoted, qualified table name.
	Table string
	// Create holds idempotent DDL statements.
	Create []string
	// Placeholder returns the i-th (1-based) parameter marker.
	Placeholder func(i int) string
	// Time converts a time to a parameter value (a zero time is passed by
	// the store as a typed NULL, sql.NullTime{}, never as an untyped nil:
	// go-mssqldb sends nil as TDS type 0x1F, which Babelfish rejects).
	Time func(time.Time) any
	// Migrate holds statements run after Create that bring a table of an
	// earlier version up to date; an error saying the column already exists
	// is ignored (for databases without ADD COLUMN IF NOT EXISTS).
	Migrate []string
}

// SQLite stores tokens in table etl_control_api_token_storage (SQLite has no
// schemas; see package sink/sqlite for the naming rule), times as UTC
// RFC 3339 text.
var SQLite = Dialect{
	Name:  "sqlite",
	Table: `"etl_control_api_token_storage"`,
	Create: []string{`CREATE TABLE IF NOT EXISTS "etl_control_api_token_storage" (
		platform TEXT NOT NULL,
		account TEXT NOT NULL DEFAULT '',
		access_token TEXT NOT NULL,
		refresh_token TEXT,
		expires_at TIMESTAMP_TEXT,
		refresh_expires_at TIMESTAMP_TEXT,
		shop_cipher TEXT,
		version INTEGER NOT NULL DEFAULT 0,
		locked_until TIMESTAMP_TEXT,
		last_updated TIMESTAMP_TEXT,
		reauthorize TEXT,
		PRIMARY KEY (platform, account))`},
	Migrate:     []string{`ALTER TABLE "etl_control_api_token_storage" ADD COLUMN reauthorize TEXT`},
	Placeholder: func(int) string { return "?" },
	Time:        func(t time.Time) any { return t.UTC().Format(time.RFC3339Nano) },
}

// PostgresDialect stores tokens in SCHEMA.api_token_storage with TIMESTAMPTZ
// times; Postgres is its etl_control form.
func PostgresDialect(schema string) Dialect {
	table := quote(schema) + ".api_token_storage"
	return Dialect{
		Name:  "postgres",
		Table: table,
		Create: []string{
			"CREATE SCHEMA IF NOT EXISTS " + quote(schema),
			`CREATE TABLE IF NOT EXISTS ` + table + ` (
		platform VARCHAR(50) NOT NULL,
		account VARCHAR(100) NOT NULL DEFAULT '',
		access_token TEXT NOT NULL,
		refresh_token TEXT,
		expires_at TIMESTAMPTZ,
		refresh_expires_at TIMESTAMPTZ,
		shop_cipher VARCHAR(255),
		version BIGINT NOT NULL DEFAULT 0,
		locked_until TIMESTAMPTZ,
		last_updated TIMESTAMPTZ DEFAULT now(),
		reauthorize TEXT,
		PRIMARY KEY (platform, account))`,
		},
		Migrate:     []string{`ALTER TABLE ` + table + ` ADD COLUMN IF NOT EXISTS reauthorize TEXT`},
		Placeholder: func(i int) string { return fmt.Sprintf("$%d", i) },
		Time:        func(t time.Time) any { return t.UTC() },
	}
}

// Postgres is PostgresDialect("etl_control").
var Postgres = PostgresDialect("etl_control")

func quote(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// SQLStore is a Store in the table etl_control.api_token_storage of
// tables.md, extended with account (the key is (platform, account), so
// several shops of one platform fit), refresh_expires_at, version (the
// compare-and-swap counter) and locked_until (the cross-process refresh
// claim). All times are UTC. Safe for concurrent use by several processes.
type SQLStore struct {
	db *sql.DB
	d  Dialect
}

// NewSQLStore creates the table if missing and returns the store.
func NewSQLStore(ctx context.Context, db *sql.DB, d Dialect) (*SQLStore, error) {
	for _, st := range d.Create {
		if _, err := db.ExecContext(ctx, st); err != nil {
			return nil, fmt.Errorf("tokenstore: %s: create table: %w", d.Name, err)
		}
	}
	for _, st := range d.Migrate {
		if _, err := db.ExecContext(ctx, st); err != nil && !strings.Contains(strings.ToLower(err.Error()), "duplicate column") {
			return nil, fmt.Errorf("tokenstore: %s: migrate table: %w", d.Name, err)
		}
	}
	return &SQLStore{db: db, d: d}, nil
}

func (s *SQLStore) ph(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s.d.Placeholder(i + 1)
	}
	return out
}

// tm is the parameter of a time: a zero time is a typed NULL.
func (s *SQLStore) tm(t time.Time) any {
	if t.IsZero() {
		return sql.NullTime{}
	}
	return s.d.Time(t)
}

// Load implements Store.
func (s *SQLStore) Load(ctx context.Context, platform, account string) (Token, error) {
	p := s.ph(2)
	row := s.db.QueryRowContext(ctx, fmt.Sprintf(`SELECT access_token, refresh_token, expires_at, refresh_expires_at, version, locked_until, last_updated,
		reauthorize FROM %s WHERE platform = %s AND account = %s`, s.d.Table, p[0], p[1]), platform, account)
	t := Token{Platform: platform, Account: account}
	var refresh, reauth sql.NullString
	var exp, rexp, locked, updated timeValue
	err := row.Scan(&t.AccessToken, &refresh, &exp, &rexp, &t.Version, &locked, &updated, &reauth)
	if errors.Is(err, sql.ErrNoRows) {
		return Token{}, ErrNotFound
	}
	if err != nil {
		return Token{}, fmt.Errorf("tokenstore: %s: load %s/%s: %w", s.d.Name, platform, account, err)
	}
	t.RefreshToken = refresh.String
	t.Reauthorize = reauth.String
	t.AccessExpiresAt, t.RefreshExpiresAt, t.LockedUntil, t.UpdatedAt = exp.t, rexp.t, locked.t, updated.t
	return t, nil
}

// Save implements Store.
func (s *SQLStore) Save(ctx context.Context, tok Token) error {
	now := time.Now().UTC()
	if tok.Version == 0 {
		p := s.ph(11)
		q := fmt.Sprintf(`INSERT INTO %s (platform, account, access_token, refresh_token, expires_at, refresh_expires_at, version, locked_until, last_updated, reauthorize)
			SELECT %s, %s, %s, %s, %s, %s, 1, %s, %s, %s WHERE NOT EXISTS (SELECT 1 FROM %s WHERE platform = %s AND account = %s)`,
			s.d.Table, p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], s.d.Table, p[9], p[10])
		res, err := s.db.ExecContext(ctx, q, tok.Platform, tok.Account, tok.AccessToken, tok.RefreshToken,
			s.tm(tok.AccessExpiresAt), s.tm(tok.RefreshExpiresAt), s.tm(tok.LockedUntil), s.tm(now), tok.Reauthorize, tok.Platform, tok.Account)
		if err != nil {
			// A concurrent insert of the same key loses on the primary key.
			if _, lerr := s.Load(ctx, tok.Platform, tok.Account); lerr == nil {
				return ErrConflict
			}
			return fmt.Errorf("tokenstore: %s: insert %s/%s: %w", s.d.Name, tok.Platform, tok.Account, err)
		}
		return affected(res, s.d.Name, tok)
	}
	p := s.ph(10)
	q := fmt.Sprintf(`UPDATE %s SET access_token = %s, refresh_token = %s, expires_at = %s, refresh_expires_at = %s,
		locked_until = %s, last_updated = %s, reauthorize = %s, version = version + 1
		WHERE platform = %s AND account = %s AND version = %s`,
		s.d.Table, p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9])
	res, err := s.db.ExecContext(ctx, q, tok.AccessToken, tok.RefreshToken, s.tm(tok.AccessExpiresAt), s.tm(tok.RefreshExpiresAt),
		s.tm(tok.LockedUntil), s.tm(now), tok.Reauthorize, tok.Platform, tok.Account, tok.Version)
	if err != nil {
		return fmt.Errorf("tokenstore: %s: update %s/%s: %w", s.d.Name, tok.Platform, tok.Account, err)
	}
	return affected(res, s.d.Name, tok)
}

func affected(res sql.Result, dialect string, tok Token) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("tokenstore: %s: save %s/%s: %w", dialect, tok.Platform, tok.Account, err)
	}
	if n == 0 {
		return ErrConflict
	}
	return nil
}

// timeValue scans a time stored natively or as text.
type timeValue struct{ t time.Time }

func (v *timeValue) Scan(src any) error {
	switch x := src.(type) {
	case nil:
		v.t = time.Time{}
	case time.Time:
		v.t = x.UTC()
	case string:
		return v.parse(x)
	case []byte:
		return v.parse(string(x))
	default:
		return fmt.Errorf("tokenstore: cannot scan %T as a time", src)
	}
	return nil
}

func (v *timeValue) parse(s string) error {
	s = strings.TrimSpace(s)
	if s == "" {
		v.t = time.Time{}
		return nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			v.t = t.UTC()
			return nil
		}
	}
	return fmt.Errorf("tokenstore: cannot parse time %q", s)
}
