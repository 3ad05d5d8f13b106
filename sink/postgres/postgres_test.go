package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink/postgres"
	"github.com/facolos/etl/sink/sinktest"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

func dsn(t testing.TB) string {
	d := os.Getenv("ETL_TEST_POSTGRES_DSN")
	if d == "" {
		t.Skip("set ETL_TEST_POSTGRES_DSN (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run the PostgreSQL integration tests")
	}
	return d
}

// isolated returns a schema map private to this test and drops the schemas
// when the test ends.
func isolated(t testing.TB) map[string]string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	p := "etl_t_" + hex.EncodeToString(b[:])
	m := map[string]string{"staging": p + "_staging", "etl_control": p + "_control"}
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), dsn(t))
		if err != nil {
			t.Errorf("cleanup: %v", err)
			return
		}
		defer conn.Close(context.Background())
		for _, s := range m {
			if _, err := conn.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+connector.QuoteIdent(s)+" CASCADE"); err != nil {
				t.Errorf("cleanup: %v", err)
			}
		}
	})
	return m
}

func open(t testing.TB, cfg postgres.Config) *postgres.Sink {
	t.Helper()
	cfg.DSN = dsn(t)
	if cfg.Schemas == nil {
		cfg.Schemas = isolated(t)
	}
	s, err := postgres.Open(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	dsn(t)
	for _, c := range []struct {
		name     string
		strategy postgres.Strategy
		basis    connector.TimeBasis
	}{
		{"on-conflict", postgres.OnConflict, connector.TimeUTC},
		{"merge", postgres.Merge, connector.TimeUTC},
		{"vietnam-time", postgres.OnConflict, connector.TimeVietnam},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			sinktest.Run(t, func(t *testing.T, cfg sinktest.Config) sinktest.Sink {
				var schemas map[string]string
				if cfg.SameAs != nil {
					other := cfg.SameAs.(expiring).Sink
					schemas = map[string]string{"staging": other.Schema("staging"), "etl_control": other.Schema("etl_control")}
				}
				return expiring{open(t, postgres.Config{Strategy: c.strategy, TimeBasis: c.basis, BeforeCommit: cfg.BeforeCommit,
					Schemas: schemas, Now: cfg.Now, LeaseTTL: cfg.LeaseTTL})}
			})
		})
	}
}

// Two sinks on the same warehouse are two workers: a stream leased by one
// is refused to the other.
func TestLeaseAcrossWorkers(t *testing.T) {
	schemas := isolated(t)
	a := open(t, postgres.Config{Schemas: schemas})
	b := open(t, postgres.Config{Schemas: schemas})
	ctx := context.Background()
	la, err := a.Lease(ctx, "shopee/1", "orders", 0)
	require.NoError(t, err)
	_, err = b.Lease(ctx, "shopee/1", "orders", 0)
	require.ErrorIs(t, err, connector.ErrLeaseHeld)
	require.NoError(t, la.Release())
	lb, err := b.Lease(ctx, "shopee/1", "orders", 0)
	require.NoError(t, err)
	require.NoError(t, lb.Release())
}

func TestVietnamTimeBasis(t *testing.T) {
	s := open(t, postgres.Config{TimeBasis: connector.TimeVietnam})
	ctx := context.Background()
	tb := &connector.Table{Schema: "staging", Name: "tz", PrimaryKey: []string{"id"}, Columns: []connector.Column{
		{Name: "id", Type: connector.Int}, {Name: "at", Type: connector.Timestamp, Nullable: true}}}
	require.NoError(t, s.Prepare(ctx, []*connector.Table{tb}))
	at := mustTime("2025-01-31T20:30:00Z")
	require.NoError(t, s.Write(ctx, &connector.Batch{Pipeline: "p", Stream: "s", Tables: []connector.TableRows{{Table: tb, Rows: [][]any{{int64(1), at}}}}}))
	var wall string
	require.NoError(t, s.Pool().QueryRow(ctx, "SELECT at::text FROM "+connector.QuoteIdent(s.Schema("staging"))+".tz").Scan(&wall))
	require.Equal(t, "2025-02-01 03:30:00", wall, "stored as Vietnam wall clock")
	rows, err := s.ReadTable(ctx, tb)
	require.NoError(t, err)
	require.True(t, at.Equal(rows[0][1].(time.Time)), "read back as the same instant")
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// An index declared after its table was created is created by the next
// Prepare, though every column is already there.
func TestPrepareCreatesAnIndexDeclaredLater(t *testing.T) {
	s := open(t, postgres.Config{})
	ctx := context.Background()
	tb := func() *connector.Table {
		return &connector.Table{Schema: "staging", Name: "later", PrimaryKey: []string{"id"}, Columns: []connector.Column{
			{Name: "id", Type: connector.Int}, {Name: "qty", Type: connector.Int, Nullable: true}}}
	}
	require.NoError(t, s.Prepare(ctx, []*connector.Table{tb()}))
	later := tb()
	later.Indexes = []connector.Index{{Name: "IX_later_qty", Columns: []string{"qty"}}}
	require.NoError(t, s.Prepare(ctx, []*connector.Table{later}))
	var on string
	require.NoError(t, s.DB().QueryRowContext(ctx, `SELECT tablename FROM pg_indexes WHERE schemaname = $1 AND indexname = 'IX_later_qty'`, s.Schema("staging")).Scan(&on))
	require.Equal(t, "later", on)
}
