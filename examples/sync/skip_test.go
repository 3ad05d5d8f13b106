package main

import (
	"context"
	"strings"
	"testing"

	"github.com/facolos/etl/sink/sqlite"
	"github.com/stretchr/testify/require"
)

// A run whose stream is held by another worker is skipped, and the exit code
// tells it apart from a run that synced (0) and one that failed (1).
func TestSkippedRunExitCode(t *testing.T) {
	t.Parallel()
	o := opts(t)
	o.demoOrders = 60
	code, reps, logs := runJob(t, o, env{})
	require.Equal(t, exitOK, code, logs)
	pipeline := reps[0].Pipelines[0].Pipeline
	require.NotEmpty(t, pipeline)

	// Another worker holds the stream's lease.
	ctx := context.Background()
	other, err := sqlite.Open(ctx, sqlite.Config{Path: strings.TrimPrefix(o.sink, "sqlite:")})
	require.NoError(t, err)
	defer other.Close()
	l, err := other.Lease(ctx, pipeline, "orders", 0)
	require.NoError(t, err)

	code, reps, logs = runJob(t, o, env{})
	require.Equal(t, exitSkipped, code, logs)
	require.Equal(t, "skipped", reps[0].Pipelines[0].Status)

	require.NoError(t, l.Release())
	code, _, logs = runJob(t, o, env{})
	require.Equal(t, exitOK, code, logs)
}
