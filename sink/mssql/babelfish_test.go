package mssql_test

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink/mssql"
	"github.com/facolos/etl/sink/sinktest"
	"github.com/stretchr/testify/require"
)

// What cannot pass on Babelfish, from spec/babelfish.md (measured on
// Babelfish 4.4.0): each skip names its row of that table.
const (
	noMergeOnBabelfish = "Babelfish rejects MERGE (\"'MERGE' is not currently supported in Babelfish\", error 33557097; spec/babelfish.md), so the merge strategy cannot run there; update-insert and the automatic switch are tested instead"
)

var server struct {
	once    sync.Once
	version string
	err     error
}

// serverVersion returns SELECT @@VERSION of the TDS server of
// ETL_TEST_MSSQL_DSN (skipping when it is not set).
func serverVersion(t testing.TB) string {
	t.Helper()
	d := dsn(t)
	server.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		db, err := sql.Open("sqlserver", d)
		if err != nil {
			server.err = err
			return
		}
		defer db.Close()
		server.err = db.QueryRowContext(ctx, "SELECT @@VERSION").Scan(&server.version)
	})
	require.NoError(t, server.err, "SELECT @@VERSION")
	return server.version
}

// babelfish reports whether the TDS server is Babelfish for PostgreSQL.
func babelfish(t testing.TB) bool {
	return strings.Contains(serverVersion(t), "Babelfish")
}

// skipOnBabelfish skips t on Babelfish with the reason, never silently.
func skipOnBabelfish(t testing.TB, reason string) {
	t.Helper()
	if babelfish(t) {
		t.Skipf("skipped on Babelfish (%s): %s", firstLine(serverVersion(t)), reason)
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return strings.TrimSpace(s)
}

// defaultStrategy is the strategy a test that is not about MERGE uses:
// merge on SQL Server, update-insert on Babelfish.
func defaultStrategy(t testing.TB) mssql.Strategy {
	if babelfish(t) {
		return mssql.UpdateInsert
	}
	return mssql.MergeStrategy
}

// On Babelfish the sink, configured for merge, meets the refusal of MERGE,
// switches to update-insert by itself and stores every batch.
func TestMergeRefusedOnBabelfish(t *testing.T) {
	if !babelfish(t) {
		t.Skipf("runs on Babelfish only (this server: %s): SQL Server accepts MERGE", firstLine(serverVersion(t)))
	}
	ctx := context.Background()
	s := open(t, mssql.Config{Strategy: mssql.MergeStrategy, Logger: quiet})
	tb := sinktest.WideTable()
	require.NoError(t, s.Prepare(ctx, []*connector.Table{tb}))
	rows := sinktest.WideRows(50, 0, 0)
	require.NoError(t, s.Write(ctx, &connector.Batch{Pipeline: "p", Stream: "s", Tables: []connector.TableRows{{Table: tb, Rows: rows}}}))
	require.Equal(t, mssql.UpdateInsert, s.Strategy())
	got, err := s.ReadTable(ctx, tb)
	require.NoError(t, err)
	require.Len(t, got, 50)
}

func TestServerVersion(t *testing.T) {
	v := serverVersion(t)
	t.Logf("TDS server: %s (Babelfish: %v)", firstLine(v), babelfish(t))
}
