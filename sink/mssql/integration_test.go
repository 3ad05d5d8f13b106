package mssql_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink/mssql"
	"github.com/facolos/etl/sink/sinktest"
	"github.com/facolos/etl/tokenstore"
	mssqldb "github.com/microsoft/go-mssqldb"
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
		db, err := sql.Open("sqlserver", dsn(t))
		if err != nil {
			t.Errorf("cleanup: %v", err)
			return
		}
		defer db.Close()
		for _, s := range m {
			rows, err := db.Query(`SELECT name FROM sys.tables WHERE schema_id = SCHEMA_ID(@p1)`, s)
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
				if _, err := db.Exec(fmt.Sprintf("DROP TABLE [%s].[%s]", s, n)); err != nil {
					t.Errorf("cleanup: %v", err)
				}
			}
			if _, err := db.Exec(fmt.Sprintf("IF SCHEMA_ID(N'%s') IS NOT NULL DROP SCHEMA [%s]", s, s)); err != nil {
				t.Errorf("cleanup: %v", err)
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
		{"vietnam-time", mssql.MergeStrategy, connector.TimeVietnam},
	} {
		t.Run(c.name, func(t *testing.T) {
			sinktest.Run(t, func(t *testing.T, cfg sinktest.Config) sinktest.Sink {
				var schemas map[string]string
				if cfg.SameAs != nil {
					other := cfg.SameAs.(*mssql.Sink)
					schemas = map[string]string{"staging": other.Schema("staging"), "etl_control": other.Schema("etl_control")}
				}
				return open(t, mssql.Config{Strategy: c.strategy, TimeBasis: c.basis, BeforeCommit: cfg.BeforeCommit,
					Schemas: schemas, Now: cfg.Now, LeaseTTL: cfg.LeaseTTL})
			})
		})
	}
}

// Both strategies build identical tables from the same batches.
func TestStrategiesAgree(t *testing.T) {
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

const benchRows = 100_000

// BenchmarkUpsert: 100,000 rows of a 20-column table, half new and half
// changed, in batches of 1,000 and 5,000, both strategies.
func BenchmarkUpsert(b *testing.B) {
	for _, strategy := range []mssql.Strategy{mssql.MergeStrategy, mssql.UpdateInsert} {
		for _, size := range []int{1000, 5000} {
			b.Run(fmt.Sprintf("%s/batch=%d", strategy, size), func(b *testing.B) {
				ctx := context.Background()
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					s := open(b, mssql.Config{Strategy: strategy})
					tb := sinktest.WideTable()
					require.NoError(b, s.Prepare(ctx, []*connector.Table{tb}))
					old := sinktest.WideRows(benchRows/2, 0, 0)
					for start := 0; start < len(old); start += 5000 {
						require.NoError(b, s.Write(ctx, &connector.Batch{Pipeline: "b", Stream: "s", Tables: []connector.TableRows{{Table: tb, Rows: old[start : start+5000]}}}))
					}
					rows := sinktest.WideRows(benchRows, 0, 1)
					b.StartTimer()
					for start := 0; start < len(rows); start += size {
						require.NoError(b, s.Write(ctx, &connector.Batch{Pipeline: "b", Stream: "s", Tables: []connector.TableRows{{Table: tb, Rows: rows[start : start+size]}}}))
					}
				}
				b.ReportMetric(float64(b.N*benchRows)/b.Elapsed().Seconds(), "rows/s")
			})
		}
	}
}

// BenchmarkNaive: one MERGE statement per row, autocommit, 10,000 rows.
func BenchmarkNaive(b *testing.B) {
	ctx := context.Background()
	const n = 10_000
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s := open(b, mssql.Config{})
		tb := sinktest.WideTable()
		require.NoError(b, s.Prepare(ctx, []*connector.Table{tb}))
		var cols, ph, sets []string
		for k, c := range tb.Columns {
			cols = append(cols, "["+c.Name+"]")
			ph = append(ph, fmt.Sprintf("@p%d", k+1))
			if c.Name != "id" {
				sets = append(sets, fmt.Sprintf("[%s] = s.[%s]", c.Name, c.Name))
			}
		}
		target := fmt.Sprintf("[%s].[bench_wide]", s.Schema("staging"))
		q := fmt.Sprintf("MERGE %s AS t USING (SELECT %s) AS s (%s) ON t.[id] = s.[id] WHEN MATCHED THEN UPDATE SET %s WHEN NOT MATCHED THEN INSERT (%s) VALUES (%s);",
			target, strings.Join(ph, ", "), strings.Join(cols, ", "), strings.Join(sets, ", "), strings.Join(cols, ", "), strings.Join(ph, ", "))
		rows := sinktest.WideRows(n, 0, 1)
		b.StartTimer()
		for _, r := range rows {
			args := make([]any, len(r))
			for k, v := range r {
				if d, ok := v.(connector.Dec); ok {
					args[k] = d.String()
				} else {
					args[k] = v
				}
			}
			_, err := s.DB().ExecContext(ctx, q, args...)
			require.NoError(b, err)
		}
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkBulkCopy is the ceiling: plain bulk copy of 100,000 rows into an
// empty table, one transaction.
func BenchmarkBulkCopy(b *testing.B) {
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s := open(b, mssql.Config{})
		tb := sinktest.WideTable()
		require.NoError(b, s.Prepare(ctx, []*connector.Table{tb}))
		var cols []string
		for _, c := range tb.Columns {
			cols = append(cols, c.Name)
		}
		rows := sinktest.WideRows(benchRows, 0, 1)
		b.StartTimer()
		tx, err := s.DB().BeginTx(ctx, nil)
		require.NoError(b, err)
		stmt, err := tx.PrepareContext(ctx, mssqldb.CopyIn(s.Schema("staging")+".bench_wide", mssqldb.BulkOptions{Tablock: true}, cols...))
		require.NoError(b, err)
		for _, r := range rows {
			args := make([]any, len(r))
			for k, v := range r {
				if d, ok := v.(connector.Dec); ok {
					args[k] = d.String()
				} else {
					args[k] = v
				}
			}
			_, err := stmt.ExecContext(ctx, args...)
			require.NoError(b, err)
		}
		_, err = stmt.ExecContext(ctx)
		require.NoError(b, err)
		require.NoError(b, stmt.Close())
		require.NoError(b, tx.Commit())
	}
	b.ReportMetric(float64(b.N*benchRows)/b.Elapsed().Seconds(), "rows/s")
}
