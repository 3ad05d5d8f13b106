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
		s, err := postgres.Open(ctx, postgres.Config{DSN: url, TimeBasis: basis})
		if err != nil {
			return nil, redactErr(err, url)
		}
		return &Warehouse{s, s.DB(), tokenstore.Postgres}, nil
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
