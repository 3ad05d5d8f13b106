// Package sink opens any of the library's warehouses from a URL:
// sqlite:PATH, postgres://… (or postgresql://…) and sqlserver://….
//
// A sqlserver:// URL may choose the upsert strategy of the SQL Server sink
// with strategy=merge (the default) or strategy=update-insert (for engines
// without MERGE, such as Babelfish for PostgreSQL; the sink also switches by
// itself when the server rejects MERGE); see mssql.ParseURL.
package sink

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink/mssql"
	"github.com/facolos/etl/sink/postgres"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/facolos/etl/tokenstore"
)

// Warehouse is an opened sink and what a token store on it needs.
type Warehouse struct {
	// Sink is a *sqlite.Sink, *postgres.Sink or *mssql.Sink; all three are
	// also connector.CheckpointStore and connector.Leaser.
	Sink connector.Sink
	// DB is a database/sql handle on the same database.
	DB *sql.DB
	// Tokens is the token-store dialect of the database.
	Tokens tokenstore.Dialect
}

// TokenStore returns a token store in the warehouse's
// etl_control.api_token_storage table.
func (w *Warehouse) TokenStore(ctx context.Context) (*tokenstore.SQLStore, error) {
	return tokenstore.NewSQLStore(ctx, w.DB, w.Tokens)
}

// Close closes the sink.
func (w *Warehouse) Close() error { return w.Sink.Close() }

// Open opens the warehouse named by url, storing timestamps with basis.
// Errors never show the password of the URL, whatever characters it holds;
// a password written raw with '@', '/', '?', '#' or a space is
// percent-encoded before the driver parses the URL (it ends at the last '@').
func Open(ctx context.Context, url string, basis connector.TimeBasis) (*Warehouse, error) {
	switch {
	case strings.HasPrefix(url, "sqlite:"):
		s, err := sqlite.Open(ctx, sqlite.Config{Path: strings.TrimPrefix(url, "sqlite:"), TimeBasis: basis})
		if err != nil {
			return nil, err
		}
		return &Warehouse{s, s.DB(), tokenstore.SQLite}, nil
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		dsn, schemas, err := PostgresSchemas(url)
		if err != nil {
			return nil, err
		}
		s, err := postgres.Open(ctx, postgres.Config{DSN: dsn, Schemas: schemas, TimeBasis: basis})
		if err != nil {
			return nil, redactErr(err, url)
		}
		return &Warehouse{s, s.DB(), tokenstore.PostgresDialect(ControlSchema(schemas))}, nil
	case strings.HasPrefix(url, "sqlserver://"):
		cfg, err := mssql.ParseURL(connector.EncodeDSNPassword(url)) // strategy=merge|update-insert
		if err != nil {
			return nil, redactErr(err, url)
		}
		cfg.TimeBasis = basis
		s, err := mssql.Open(ctx, cfg)
		if err != nil {
			return nil, redactErr(err, url)
		}
		return &Warehouse{s, s.DB(), tokenstore.SQLServer}, nil
	}
	return nil, fmt.Errorf("sink: unsupported URL %q (use sqlite:PATH, postgres://… or sqlserver://…)", connector.RedactDSN(url, url))
}

// The URL settings of a postgres:// warehouse that name its schemas.
const (
	SchemaStagingSetting = "schema_staging"
	SchemaControlSetting = "schema_control"
)

// PostgresSchemas takes the schema settings off a postgres:// URL:
// schema_staging=NAME maps the logical schema "staging" and
// schema_control=NAME maps "etl_control" (postgres.Config.Schemas). It
// returns the URL without them, for the driver (which would send unknown
// settings to the server as run-time parameters), and the map (nil when
// the URL names no schema). Any other schema_* setting, an empty name or a
// name longer than PostgreSQL's 63 bytes is an error. Names are quoted
// wherever they are used, so any other character is allowed.
func PostgresSchemas(dsn string) (string, map[string]string, error) {
	if !strings.Contains(dsn, "schema_") {
		return dsn, nil, nil
	}
	u, err := url.Parse(connector.EncodeDSNPassword(dsn))
	if err != nil {
		return "", nil, fmt.Errorf("sink: postgres URL %q: %s", connector.RedactDSN(dsn, dsn), connector.RedactDSN(err.Error(), dsn))
	}
	q := u.Query()
	var schemas map[string]string
	for k, v := range q {
		if !strings.HasPrefix(k, "schema_") {
			continue
		}
		logical := map[string]string{SchemaStagingSetting: "staging", SchemaControlSetting: "etl_control"}[k]
		switch {
		case logical == "":
			return "", nil, fmt.Errorf("sink: postgres URL setting %s: unknown (use %s or %s)", k, SchemaStagingSetting, SchemaControlSetting)
		case len(v) != 1 || v[0] == "":
			return "", nil, fmt.Errorf("sink: postgres URL setting %s: give one schema name", k)
		case len(v[0]) > 63:
			return "", nil, fmt.Errorf("sink: postgres URL setting %s: %q is longer than 63 bytes", k, v[0])
		}
		if schemas == nil {
			schemas = map[string]string{}
		}
		schemas[logical] = v[0]
		q.Del(k)
	}
	if schemas == nil {
		return dsn, nil, nil
	}
	u.RawQuery = q.Encode()
	return u.String(), schemas, nil
}

// ControlSchema is the physical etl_control schema of a schema map (see
// PostgresSchemas): where the token table lives.
func ControlSchema(schemas map[string]string) string {
	if s := schemas["etl_control"]; s != "" {
		return s
	}
	return "etl_control"
}

// redacted is an error whose message has the DSN's password removed; it
// still unwraps to the driver's error.
type redacted struct {
	msg string
	err error
}

func (e *redacted) Error() string { return e.msg }
func (e *redacted) Unwrap() error { return e.err }

// redactErr removes the password of dsn from err's message.
func redactErr(err error, dsn string) error {
	if err == nil {
		return nil
	}
	return &redacted{msg: connector.RedactDSN(err.Error(), dsn), err: err}
}
