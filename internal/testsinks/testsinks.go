// Package testsinks opens the databases of the module's tests: a SQLite
// file of the test's own, and the server databases in schemas of their
// own: PostgreSQL when ETL_TEST_POSTGRES_DSN is set, SQL Server (or
// Babelfish) when ETL_TEST_MSSQL_DSN is set. A test that asks
// for a database whose variable is not set is skipped, naming the
// variable. The schemas get a random prefix, so tests running at the same
// time (in one process or in several) never share a table, and they are
// dropped when the test ends.
package testsinks

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink/mssql"
	"github.com/facolos/etl/sink/postgres"
	"github.com/facolos/etl/sink/sqlite"
)

// The variables that turn the server databases on.
const (
	PostgresEnv  = "ETL_TEST_POSTGRES_DSN"
	SQLServerEnv = "ETL_TEST_MSSQL_DSN"
)

// SQLite opens a SQLite sink on the file path (a new file in t's
// temporary directory when path is ""; cfg.Path is set here) and closes it
// when t ends.
func SQLite(t testing.TB, path string, cfg sqlite.Config) *sqlite.Sink {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "etl.db")
	}
	cfg.Path = path
	s, err := sqlite.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open SQLite: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// schemas returns private physical names for the logical schemas staging
// and etl_control.
func schemas(prefix string) map[string]string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	p := prefix + "_" + hex.EncodeToString(b[:])
	return map[string]string{"staging": p + "_staging", "etl_control": p + "_control"}
}

// dsn returns the variable's value or skips t.
func dsn(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Skipf("set %s to run on this database", name)
	}
	return v
}

// Postgres opens a PostgreSQL sink on ETL_TEST_POSTGRES_DSN in private
// schemas named after prefix (cfg.DSN and cfg.Schemas are set here), and
// drops them when t ends. It skips t when the variable is not set.
func Postgres(t testing.TB, prefix string, cfg postgres.Config) *postgres.Sink {
	t.Helper()
	cfg.DSN, cfg.Schemas = dsn(t, PostgresEnv), schemas(prefix)
	s, err := postgres.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open PostgreSQL: %v", err)
	}
	// Cleanups run last first: the schemas are dropped, then the pool
	// closes.
	t.Cleanup(func() { s.Close() })
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for _, sc := range cfg.Schemas {
			if _, err := s.Pool().Exec(ctx, "DROP SCHEMA IF EXISTS "+connector.QuoteIdent(sc)+" CASCADE"); err != nil {
				t.Errorf("cleanup: drop schema %s: %v", sc, err)
			}
		}
	})
	return s
}

// PostgresShared opens another PostgreSQL sink on the schemas of first (a
// second worker on the same warehouse) and closes it when t ends; first's
// cleanup drops the schemas.
func PostgresShared(t testing.TB, first *postgres.Sink, cfg postgres.Config) *postgres.Sink {
	t.Helper()
	cfg.DSN = dsn(t, PostgresEnv)
	cfg.Schemas = map[string]string{"staging": first.Schema("staging"), "etl_control": first.Schema("etl_control")}
	s, err := postgres.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open PostgreSQL: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// SQLServer opens a SQL Server sink on ETL_TEST_MSSQL_DSN in private
// schemas named after prefix (cfg.DSN and cfg.Schemas are set here), and
// drops their tables and the schemas when t ends. It skips t when the
// variable is not set.
func SQLServer(t testing.TB, prefix string, cfg mssql.Config) *mssql.Sink {
	t.Helper()
	cfg.DSN, cfg.Schemas = dsn(t, SQLServerEnv), schemas(prefix)
	s, err := mssql.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open SQL Server: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	t.Cleanup(func() {
		// Bounded: a cleanup that waits on a lock a failed test left
		// fails after a minute instead of hanging the run.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for _, sc := range cfg.Schemas {
			if err := dropSQLServerSchema(ctx, s, sc); err != nil {
				t.Errorf("cleanup: drop schema %s: %v", sc, err)
			}
		}
	})
	return s
}

// dropSQLServerSchema drops the tables of schema sc, then sc (SQL Server
// has no DROP SCHEMA … CASCADE).
func dropSQLServerSchema(ctx context.Context, s *mssql.Sink, sc string) error {
	db := s.DB()
	rows, err := db.QueryContext(ctx, `SELECT name FROM sys.tables WHERE schema_id = SCHEMA_ID(@p1)`, sc)
	if err != nil {
		return err
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	q := func(name string) string { return "[" + name + "]" }
	for _, n := range tables {
		if _, err := db.ExecContext(ctx, "DROP TABLE "+q(sc)+"."+q(n)); err != nil {
			return fmt.Errorf("drop table %s: %w", n, err)
		}
	}
	_, err = db.ExecContext(ctx, "IF SCHEMA_ID(@p1) IS NOT NULL DROP SCHEMA "+q(sc), sc)
	return err
}
