package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/stretchr/testify/require"
)

type report struct {
	Mode      string `json:"mode"`
	Pipelines []struct {
		Platform string           `json:"platform"`
		Status   string           `json:"status"`
		Records  int64            `json:"records"`
		Rows     map[string]int64 `json:"rows"`
		APICalls map[string]int64 `json:"api_calls"`
		Stats    map[string]any   `json:"stats"`
	} `json:"pipelines"`
}

func runOnce(t *testing.T, o options) report {
	t.Helper()
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), o, slog.New(slog.NewTextHandler(io.Discard, nil)), &out))
	var r report
	require.NoError(t, json.Unmarshal(out.Bytes(), &r), out.String())
	return r
}

func TestDemoSync(t *testing.T) {
	t.Setenv("SHOPEE_PARTNER_ID", "")
	t.Setenv("SHOPEE_PARTNER_KEY", "")
	db := filepath.Join(t.TempDir(), "demo.db")
	o := options{mode: "incremental", sink: "sqlite:" + db, platforms: "all", demoOrders: 150, demoSeed: 3,
		demoNow: "2025-11-01T00:00:00Z", report: "json", demoFaults: 0.05}
	r := runOnce(t, o)
	require.Equal(t, "incremental", r.Mode)
	require.Len(t, r.Pipelines, 1)
	p := r.Pipelines[0]
	require.Equal(t, "ok", p.Status)
	require.EqualValues(t, 150, p.Records)
	require.EqualValues(t, 150, p.Rows["staging.shopee_orders"])
	require.Contains(t, p.Stats, "earliest_date_probes")

	// A second run resumes from the checkpoint: nothing new to read.
	r = runOnce(t, o)
	require.Equal(t, "ok", r.Pipelines[0].Status)
	require.Less(t, r.Pipelines[0].Records, int64(10))

	// A full run reloads everything.
	o.mode = "full"
	r = runOnce(t, o)
	require.EqualValues(t, 150, r.Pipelines[0].Records)
}

func TestBadFlags(t *testing.T) {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	require.ErrorContains(t, run(ctx, options{mode: "sometimes", sink: "sqlite:x.db", platforms: "all"}, quiet, io.Discard), "-mode")
	require.ErrorContains(t, run(ctx, options{mode: "full", sink: "sqlite:" + filepath.Join(t.TempDir(), "x.db"), platforms: "lazada"}, quiet, io.Discard), "lazada")
	err := run(ctx, options{mode: "full", sink: "mysql://user:secretpw@host/db", platforms: "all"}, quiet, io.Discard)
	require.ErrorContains(t, err, "unsupported")
	require.NotContains(t, err.Error(), "secretpw")
}

func TestDemoSyncIntoPostgres(t *testing.T) {
	dsn := os.Getenv("ETL_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("set ETL_TEST_POSTGRES_DSN to run the sync job against PostgreSQL")
	}
	t.Setenv("SHOPEE_PARTNER_ID", "")
	t.Setenv("SHOPEE_PARTNER_KEY", "")
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer conn.Close(ctx)
	// The job writes to the staging and etl_control schemas of the database:
	// use a database of its own.
	var b [4]byte
	_, _ = rand.Read(b[:])
	db := "etl_t_sync_" + hex.EncodeToString(b[:])
	_, err = conn.Exec(ctx, "CREATE DATABASE "+db)
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+db+" WITH (FORCE)") })
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	u.Path = "/" + db
	o := options{mode: "incremental", sink: u.String(), platforms: "shopee", demoOrders: 120, demoSeed: 5,
		demoNow: "2025-11-01T00:00:00Z", report: "json"}
	r := runOnce(t, o)
	require.Equal(t, "ok", r.Pipelines[0].Status)
	require.EqualValues(t, 120, r.Pipelines[0].Rows["staging.shopee_orders"])
	var n int
	pc, err := pgx.Connect(ctx, u.String())
	require.NoError(t, err)
	defer pc.Close(ctx)
	require.NoError(t, pc.QueryRow(ctx, "SELECT count(*) FROM staging.shopee_orders").Scan(&n))
	require.Equal(t, 120, n)
}

func TestSince(t *testing.T) {
	t.Setenv("SHOPEE_PARTNER_ID", "")
	t.Setenv("SHOPEE_PARTNER_KEY", "")
	o := options{mode: "full", sink: "sqlite:" + filepath.Join(t.TempDir(), "since.db"), platforms: "shopee", demoOrders: 200, demoSeed: 2,
		demoNow: "2025-11-01T00:00:00Z", report: "json", since: "2025-10-01"}
	r := runOnce(t, o)
	p := r.Pipelines[0]
	require.Equal(t, "ok", p.Status)
	require.Less(t, p.Records, int64(200), "only orders created since the date")
	require.Positive(t, p.Records)
	require.EqualValues(t, 0, p.Stats["earliest_date_probes"], "no discovery when a start is given")
}
