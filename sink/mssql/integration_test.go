package mssql_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink/mssql"
	"github.com/facolos/etl/sink/sinktest"
	"github.com/facolos/etl/tokenstore"
	"github.com/stretchr/testify/require"
)

// The integration tests run against a real SQL Server (or Babelfish) when
// ETL_TEST_MSSQL_DSN is set, e.g.
// sqlserver://sa:Passw0rd!@127.0.0.1:1433?database=master
// (examples/docker-compose.yml starts one).

func dsn(t testing.TB) string {
	d := os.Getenv("ETL_TEST_MSSQL_DSN")
	if d == "" {
		t.Skip("set ETL_TEST_MSSQL_DSN (e.g. sqlserver://sa:PASSWORD@127.0.0.1:1433?database=master) to run the SQL Server integration tests")
	}
	return d
}

// isolated returns schemas private to the test and drops them afterwards.
func isolated(t testing.TB) map[string]string {
	var b [5]byte
	_, _ = rand.Read(b[:])
	p := "etl_t_" + hex.EncodeToString(b[:])
	m := map[string]string{"staging": p + "_staging", "etl_control": p + "_control"}
	t.Cleanup(func() {
		// Bounded: a cleanup that waits on a lock left by a failed test
		// fails after a minute instead of hanging the run.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		db, err := sql.Open("sqlserver", dsn(t))
		if err != nil {
			t.Errorf("cleanup: %v", err)
			return
		}
		defer db.Close()
		for _, s := range m {
			rows, err := db.QueryContext(ctx, `SELECT name FROM sys.tables WHERE schema_id = SCHEMA_ID(@p1)`, s)
			if err != nil {
				t.Errorf("cleanup: %v", err)
				continue
			}
			var tables []string
			for rows.Next() {
				var n string
				_ = rows.Scan(&n)
				tables = append(tables, n)
			}
			rows.Close()
			for _, n := range tables {
				if _, err := db.ExecContext(ctx, fmt.Sprintf("DROP TABLE [%s].[%s]", s, n)); err != nil {
					t.Errorf("cleanup: %v", err)
				}
			}
			if _, err := db.ExecContext(ctx, fmt.Sprintf("IF SCHEMA_ID(N'%s') IS NOT NULL DROP SCHEMA [%s]", s, s)); err != nil {
				t.Errorf("cleanup: %v", err)
			}
			var left int
			if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sys.schemas WHERE name = @p1`, s).Scan(&left); err != nil || left != 0 {
				t.Errorf("cleanup: schema %s not dropped (%d left, %v)", s, left, err)
			}
		}
	})
	return m
}

func open(t testing.TB, cfg mssql.Config) *mssql.Sink {
	t.Helper()
	cfg.DSN = dsn(t)
	if cfg.Schemas == nil {
		cfg.Schemas = isolated(t)
	}
	s, err := mssql.Open(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	dsn(t)
	for _, c := range []struct {
		name     string
		strategy mssql.Strategy
		basis    connector.TimeBasis
	}{
		{"merge", mssql.MergeStrategy, connector.TimeUTC},
		{"update-insert", mssql.UpdateInsert, connector.TimeUTC},
		{"vietnam-time", defaultStrategy(t), connector.TimeVietnam},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.name == "merge" {
				skipOnBabelfish(t, noMergeOnBabelfish)
			}
			sinktest.Run(t, func(t *testing.T, cfg sinktest.Config) sinktest.Sink {
				var schemas map[string]string
				if cfg.SameAs != nil {
					other := cfg.SameAs.(expiring).Sink
					schemas = map[string]string{"staging": other.Schema("staging"), "etl_control": other.Schema("etl_control")}
				}
				return expiring{open(t, mssql.Config{Strategy: c.strategy, TimeBasis: c.basis, BeforeCommit: cfg.BeforeCommit,
					Schemas: schemas, Now: cfg.Now, LeaseTTL: cfg.LeaseTTL})}
			})
		})
	}
}

// expiring is a sink under the conformance suite: leases expire on the
// server's clock, so the suite expires them there (sinktest.LeaseExpirer).
type expiring struct{ *mssql.Sink }

func (e expiring) ExpireLease(ctx context.Context, pipeline, stream string) error {
	_, err := e.DB().ExecContext(ctx, fmt.Sprintf(`UPDATE [%s].[leases] SET [expires_at] = DATEADD(second, -1, SYSDATETIMEOFFSET())
WHERE [pipeline] = @p1 AND [stream] = @p2`, e.Schema("etl_control")), pipeline, stream)
	return err
}

// Both strategies build identical tables from the same batches.
func TestStrategiesAgree(t *testing.T) {
	skipOnBabelfish(t, noMergeOnBabelfish)
	ctx := context.Background()
	var contents []string
	for _, strategy := range []mssql.Strategy{mssql.MergeStrategy, mssql.UpdateInsert} {
		s := open(t, mssql.Config{Strategy: strategy})
		tb := sinktest.WideTable()
		require.NoError(t, s.Prepare(ctx, []*connector.Table{tb}))
		for v, rows := range [][][]any{sinktest.WideRows(300, 0, 0), sinktest.WideRows(300, 150, 1)} {
			require.NoError(t, s.Write(ctx, &connector.Batch{Pipeline: "p", Stream: "s", RunID: fmt.Sprint(v), Tables: []connector.TableRows{{Table: tb, Rows: rows}}}))
		}
		rows, err := s.ReadTable(ctx, tb)
		require.NoError(t, err)
		contents = append(contents, fmt.Sprint(rows))
	}
	require.Equal(t, contents[0], contents[1])
}

func TestLeaseAcrossWorkers(t *testing.T) {
	schemas := isolated(t)
	a, b := open(t, mssql.Config{Schemas: schemas}), open(t, mssql.Config{Schemas: schemas})
	ctx := context.Background()
	la, err := a.Lease(ctx, "shopee/1", "orders", 0)
	require.NoError(t, err)
	// A worker that keeps finding the lease held never hurts the server
	// (sp_getapplock crashed Babelfish at the fifth failure in a session).
	for i := 0; i < 10; i++ {
		_, err = b.Lease(ctx, "shopee/1", "orders", 0)
		require.ErrorIs(t, err, connector.ErrLeaseHeld)
	}
	require.NoError(t, la.Release())
	lb, err := b.Lease(ctx, "shopee/1", "orders", 0)
	require.NoError(t, err)
	require.Equal(t, la.Fence.Epoch+1, lb.Fence.Epoch)
	require.NoError(t, lb.Release())
}

func TestTokenStore(t *testing.T) {
	schemas := isolated(t)
	s := open(t, mssql.Config{Schemas: schemas})
	ctx := context.Background()
	store, err := tokenstore.NewSQLStore(ctx, s.DB(), tokenstore.SQLServerDialect(schemas["etl_control"]))
	require.NoError(t, err)
	tok := tokenstore.Token{Platform: "shopee", Account: "1", AccessToken: "a", RefreshToken: "r"}
	require.NoError(t, store.Save(ctx, tok))
	require.ErrorIs(t, store.Save(ctx, tok), tokenstore.ErrConflict)
	got, err := store.Load(ctx, "shopee", "1")
	require.NoError(t, err)
	require.Equal(t, "r", got.RefreshToken)
	require.EqualValues(t, 1, got.Version)
}
