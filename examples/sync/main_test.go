package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

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
