package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite"

	"github.com/stretchr/testify/require"
)

type report struct {
	Mode      string `json:"mode"`
	Pipelines []struct {
		Pipeline  string                      `json:"pipeline"`
		Platform  string                      `json:"platform"`
		Account   string                      `json:"account"`
		Status    string                      `json:"status"`
		Records   int64                       `json:"records"`
		Rows      map[string]int64            `json:"rows"`
		Changed   map[string]int64            `json:"rows_changed"`
		APICalls  map[string]int64            `json:"api_calls"`
		Outcomes  map[string]map[string]int64 `json:"api_call_outcomes"`
		Throttled int64                       `json:"throttled"`
		Stats     map[string]any              `json:"stats"`
		Error     string                      `json:"error"`
		Streams   map[string]string           `json:"streams"`
	} `json:"pipelines"`
}

// env is a fake environment.
type env map[string]string

func (e env) get(k string) string { return e[k] }

// opts returns the defaults with a SQLite file in a temporary directory.
func opts(t *testing.T) options {
	o := defaults()
	o.sink = "sqlite:" + filepath.Join(t.TempDir(), "etl.db")
	o.platforms = "shopee"
	o.demoNow = "2025-11-01T00:00:00Z"
	o.report = "json"
	o.demo = true
	return o
}

// runJob runs the job and returns its exit code, its reports (one per
// round) and its logs.
func runJob(t *testing.T, o options, e env) (int, []report, string) {
	t.Helper()
	var out, logs bytes.Buffer
	code := run(context.Background(), o, e.get, &out, &logs)
	var reps []report
	dec := json.NewDecoder(&out)
	for {
		var r report
		if err := dec.Decode(&r); err == io.EOF {
			break
		} else {
			require.NoError(t, err, out.String())
		}
		reps = append(reps, r)
	}
	return code, reps, logs.String()
}

func runOnce(t *testing.T, o options, e env) report {
	t.Helper()
	code, reps, logs := runJob(t, o, e)
	require.Equal(t, exitOK, code, logs)
	require.Len(t, reps, 1)
	return reps[0]
}

func TestDemoSync(t *testing.T) {
	t.Parallel()
	o := opts(t)
	o.demoOrders, o.demoSeed, o.demoFaults = 150, 3, 0.05
	r := runOnce(t, o, env{})
	require.Equal(t, "incremental", r.Mode)
	require.Len(t, r.Pipelines, 1)
	p := r.Pipelines[0]
	require.Equal(t, "ok", p.Status)
	require.Greater(t, p.Records, int64(150), "the orders, then the finance records")
	require.EqualValues(t, 150, p.Rows["staging.shopee_orders"])
	require.Positive(t, p.Rows["staging.shopee_order_income"])
	require.Positive(t, p.Rows["staging.shopee_wallet_transactions"])
	require.Contains(t, p.Stats, "earliest_date_probes")

	// A second run resumes from the checkpoint: nothing new to read.
	r = runOnce(t, o, env{})
	require.Equal(t, "ok", r.Pipelines[0].Status)
	require.Less(t, r.Pipelines[0].Records, int64(10))

	// A full run reloads everything.
	o.mode = "full"
	r = runOnce(t, o, env{})
	require.EqualValues(t, 150, r.Pipelines[0].Rows["staging.shopee_orders"])
	require.Equal(t, p.Rows["staging.shopee_order_income"], r.Pipelines[0].Rows["staging.shopee_order_income"])
}

// Stats in the report are per round, not cumulative over -every rounds.
func TestReportPerRound(t *testing.T) {
	t.Parallel()
	o := opts(t)
	o.demoOrders = 120
	o.every = 1 // nanosecond: rounds back to back
	rounds := 0
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o.metrics = "127.0.0.1:0"
	o.afterRound = func(string) {
		rounds++
		if rounds == 2 {
			cancel()
		}
	}
	var out bytes.Buffer
	require.Equal(t, exitOK, run(ctx, o, env{}.get, &out, io.Discard))
	dec := json.NewDecoder(&out)
	var first, second report
	require.NoError(t, dec.Decode(&first))
	require.NoError(t, dec.Decode(&second))
	require.Positive(t, first.Pipelines[0].Stats["earliest_date_probes"])
	require.EqualValues(t, 0, second.Pipelines[0].Stats["earliest_date_probes"], "the second round probed nothing")
	require.EqualValues(t, 0, second.Pipelines[0].Stats["token_refreshes"])
}

func TestSince(t *testing.T) {
	t.Parallel()
	o := opts(t)
	o.mode, o.demoOrders, o.demoSeed, o.since = "full", 200, 2, "2025-10-01"
	r := runOnce(t, o, env{})
	p := r.Pipelines[0]
	require.Equal(t, "ok", p.Status)
	require.Less(t, p.Records, int64(200), "only orders created since the date")
	require.Positive(t, p.Records)
	require.EqualValues(t, 0, p.Stats["earliest_date_probes"], "no discovery when a start is given")
}

func TestDemoSyncIntoPostgres(t *testing.T) {
	t.Parallel()
	dsn := os.Getenv("ETL_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("set ETL_TEST_POSTGRES_DSN to run the sync job against PostgreSQL")
	}
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
	o := opts(t)
	o.sink, o.demo, o.demoOrders, o.demoSeed = u.String(), true, 120, 5
	r := runOnce(t, o, env{})
	require.Equal(t, "ok", r.Pipelines[0].Status)
	require.EqualValues(t, 120, r.Pipelines[0].Rows["staging.shopee_orders"])
	var n int
	pc, err := pgx.Connect(ctx, u.String())
	require.NoError(t, err)
	defer pc.Close(ctx)
	require.NoError(t, pc.QueryRow(ctx, "SELECT count(*) FROM staging.shopee_orders").Scan(&n))
	require.Equal(t, 120, n)
	require.NoError(t, pc.QueryRow(ctx, "SELECT count(*) FROM etl_control.batch_runs WHERE status = 'SUCCESS'").Scan(&n))
	require.Equal(t, 3, n, "one per stream: orders, escrow, wallet_transactions")
}

func openDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

// On a terminal the job draws a live line per pipeline (records, rows,
// rate, position in the range); off a terminal it logs progress lines.
func TestProgressDisplay(t *testing.T) {
	t.Parallel()
	o := opts(t)
	o.demoOrders, o.tty, o.mode = 300, true, "full"
	code, _, logs := runJob(t, o, env{})
	require.Equal(t, exitOK, code, logs)
	require.Contains(t, logs, "shopee/123456")
	require.Contains(t, logs, "records")
	require.Contains(t, logs, "rec/s")

	o = opts(t)
	o.demoOrders, o.progressEvery, o.demoRate = 100, 20*time.Millisecond, 50
	code, _, logs = runJob(t, o, env{})
	require.Equal(t, exitOK, code, logs)
	require.Contains(t, logs, "msg=progress pipeline=shopee/123456")
	require.Contains(t, logs, "rate_per_s=")
}
