package sink_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/shopee"
	"github.com/facolos/etl/shopee/shopeetest"
	"github.com/facolos/etl/sink/postgres"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// shops starts n simulated Shopee shops with a few orders each and returns
// one pipeline per shop into s.
func shops(t testing.TB, n, orders int, s connector.Sink) []connector.Pipeline {
	now := time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	var ps []connector.Pipeline
	for i := 0; i < n; i++ {
		sim := shopeetest.NewServer(shopeetest.Options{ShopID: int64(100000 + i), Seed: int64(i+1) * 7919, Orders: orders, Days: 30, Now: now})
		t.Cleanup(sim.Close)
		src, err := shopee.NewSource(shopee.Config{Host: sim.URL, PartnerID: sim.PartnerID(), PartnerKey: sim.PartnerKey(), ShopID: sim.ShopID(),
			AccessToken: sim.InitialAccess(), RefreshToken: sim.InitialRefresh(), Now: sim.Now, Logger: quiet})
		require.NoError(t, err)
		ps = append(ps, connector.Pipeline{Name: fmt.Sprintf("shopee/%d", sim.ShopID()), Platform: "shopee", Account: fmt.Sprint(sim.ShopID()),
			Source: src, Transformer: shopee.Transformer{}, Sink: s})
	}
	return ps
}

// runAll runs every pipeline in one Runner.Run with default settings and
// requires every one to end ok; a deadlock ends in the deadline instead.
func runAll(t testing.TB, ps []connector.Pipeline) []connector.Result {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	res := (&connector.Runner{Logger: quiet, StopGrace: 5 * time.Second}).Run(ctx, ps...)
	for _, r := range res {
		require.Equal(t, connector.StatusOK, r.Status, "%s: %v", r.Pipeline, r.Err)
	}
	return res
}

type counter interface {
	count(t testing.TB, table string) int
}

// manyShops: 200 shops in one run on one sink, default settings (every
// pipeline at once, the sink's default pool): all of them load, then an
// incremental cycle finds nothing new, and nothing is lost or doubled.
func manyShops(t *testing.T, s connector.Sink, c counter) {
	n, orders := scaleShops, 5 // 60 shops (200 with ETL_TEST_LONG=1, 20 under the race detector)
	ps := shops(t, n, orders, s)
	var stored int64
	for _, r := range runAll(t, ps) {
		stored += r.Rows["staging.shopee_orders"]
	}
	require.EqualValues(t, n*orders, stored)
	require.Equal(t, n*orders, c.count(t, "shopee_orders"))
	runAll(t, ps) // an incremental cycle with nothing new (it may re-read the lookback's overlap)
	require.Equal(t, n*orders, c.count(t, "shopee_orders"))
	// One checkpoint per stream of every shop (orders and the finance streams).
	require.Equal(t, n*len(ps[0].Source.Streams()), c.count(t, "checkpoints"))
}

type sqliteCount struct{ s *sqlite.Sink }

func (c sqliteCount) count(t testing.TB, table string) int {
	if table == "checkpoints" {
		table = sqlite.TableName("etl_control", table)
	}
	var n int
	require.NoError(t, c.s.DB().QueryRow(`SELECT count(*) FROM `+connector.QuoteIdent(table)).Scan(&n))
	return n
}

type pgCount struct{ s *postgres.Sink }

func (c pgCount) count(t testing.TB, table string) int {
	schema := "staging"
	if table == "checkpoints" {
		schema = "etl_control"
	}
	var n int
	require.NoError(t, c.s.Pool().QueryRow(context.Background(), `SELECT count(*) FROM `+connector.QuoteIdent(c.s.Schema(schema))+"."+connector.QuoteIdent(table)).Scan(&n))
	return n
}

func openSQLite(t testing.TB) *sqlite.Sink {
	s, err := sqlite.Open(context.Background(), sqlite.Config{Path: filepath.Join(t.TempDir(), "shops.db")})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func openPostgres(t testing.TB) *postgres.Sink {
	dsn := os.Getenv("ETL_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("set ETL_TEST_POSTGRES_DSN to run the PostgreSQL scale test")
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	p := "etl_scale_" + hex.EncodeToString(b[:])
	schemas := map[string]string{"staging": p + "_staging", "etl_control": p + "_control"}
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), dsn)
		if err != nil {
			t.Errorf("cleanup: %v", err)
			return
		}
		defer conn.Close(context.Background())
		for _, s := range schemas {
			_, _ = conn.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+connector.QuoteIdent(s)+" CASCADE")
		}
	})
	// Default settings: the pool is the sink's default (8 connections).
	s, err := postgres.Open(context.Background(), postgres.Config{DSN: dsn, Schemas: schemas})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func TestManyShopsOneRunSQLite(t *testing.T) {
	if testing.Short() {
		t.Skip("200 simulated shops")
	}
	s := openSQLite(t)
	manyShops(t, s, sqliteCount{s})
}

func TestManyShopsOneRunPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("200 simulated shops")
	}
	s := openPostgres(t)
	manyShops(t, s, pgCount{s})
}

// BenchmarkIdleCycle200Shops: one incremental Runner.Run over 200 shops that
// have nothing new (after their full load); ms/stream is the run's time
// divided by the 200 streams.
func BenchmarkIdleCycle200Shops(b *testing.B) {
	for _, sk := range []struct {
		name string
		open func(testing.TB) connector.Sink
	}{
		{"sqlite", func(t testing.TB) connector.Sink { return openSQLite(t) }},
		{"postgres", func(t testing.TB) connector.Sink { return openPostgres(t) }},
	} {
		b.Run(sk.name, func(b *testing.B) {
			const n = 200
			ps := shops(b, n, 5, sk.open(b))
			runAll(b, ps)
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				runAll(b, ps)
			}
			b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N*n), "ms/stream")
		})
	}
}
