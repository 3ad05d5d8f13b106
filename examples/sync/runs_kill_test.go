package main

import (
	"context"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestHelperProcess is the sync job in a child process (see startJob).
func TestHelperProcess(t *testing.T) {
	if os.Getenv("SYNC_HELPER_SINK") == "" {
		t.Skip("helper process")
	}
	o := defaults()
	o.sink, o.platforms, o.demo, o.demoOrders, o.demoRate = os.Getenv("SYNC_HELPER_SINK"), "shopee", true, 2000, 5
	o.demoNow = "2025-11-01T00:00:00Z"
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, o, env{}.get, os.Stdout, os.Stderr))
}

// startJob runs a slow demo sync (5 calls/s) in a child process and waits
// until its run is recorded as RUNNING.
func startJob(t *testing.T) (*exec.Cmd, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "killed.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), "SYNC_HELPER_SINK=sqlite:"+path)
	logs, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	require.NoError(t, err)
	cmd.Stderr = logs
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(path); err == nil {
			db := openDB(t, path)
			var n int
			if db.QueryRow(`SELECT count(*) FROM etl_control_batch_runs WHERE status = 'RUNNING' AND records_extracted = 0`).Scan(&n) == nil && n == 1 {
				db.Close()
				return cmd, path
			}
			db.Close()
		}
		if time.Now().After(deadline) {
			out, _ := os.ReadFile(logs.Name())
			t.Fatalf("the job never recorded its run: %s", out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A killed job leaves its run RUNNING (visible as crashed); an interrupted
// one records CANCELLED and exits 130.
func TestKilledAndInterruptedRuns(t *testing.T) {
	t.Parallel()
	t.Run("killed", func(t *testing.T) {
		cmd, path := startJob(t)
		require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
		_ = cmd.Wait()
		var status string
		var end any
		require.NoError(t, openDB(t, path).QueryRow(`SELECT status, end_time FROM etl_control_batch_runs`).Scan(&status, &end))
		require.Equal(t, "RUNNING", status)
		require.Nil(t, end)
	})
	t.Run("interrupted", func(t *testing.T) {
		cmd, path := startJob(t)
		require.NoError(t, cmd.Process.Signal(os.Interrupt))
		err := cmd.Wait()
		var ee *exec.ExitError
		require.ErrorAs(t, err, &ee)
		require.Equal(t, exitInterrupted, ee.ExitCode())
		var status string
		var end any
		require.NoError(t, openDB(t, path).QueryRow(`SELECT status, end_time FROM etl_control_batch_runs`).Scan(&status, &end))
		require.Equal(t, "CANCELLED", status)
		require.NotNil(t, end)
	})
}
