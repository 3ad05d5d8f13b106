package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/testenv"
	"github.com/facolos/etl/platform"
	etlsink "github.com/facolos/etl/sink"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// binDir holds the sync binary the kill tests share (built once).
var binDir string

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	os.Exit(code)
}

var built struct {
	once sync.Once
	bin  string
	out  []byte
	err  error
}

// buildSync compiles this command once into a temporary binary that every
// kill test runs.
func buildSync(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		binDir, built.err = os.MkdirTemp("", "etl-sync-bin-")
		if built.err != nil {
			return
		}
		built.bin = filepath.Join(binDir, "sync")
		built.out, built.err = exec.Command("go", "build", "-o", built.bin, ".").CombinedOutput()
	})
	require.NoError(t, built.err, string(built.out))
	return built.bin
}

// killOrders and killRuns size a kill trial: every platform's demo with this
// many orders, killed this many times (more with ETL_TEST_LONG=1).
var killOrders, killRuns = testenv.Pick("400", "1500"), testenv.Pick(3, 6)

// demoArgs are the flags of a deterministic demo run into sinkURL, with 2%
// of the calls failing the way networks fail (the simulators' data is the
// same with and without faults).
func demoArgs(sinkURL string, faults bool) []string {
	rate := "0"
	if faults {
		rate = "0.02"
	}
	return []string{"-demo", "-sink", sinkURL, "-demo-orders", killOrders, "-demo-seed", "11",
		"-demo-now", "2025-11-01T00:00:00Z", "-demo-faults", rate}
}

func childEnv(dir string) []string {
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}
	return env
}

// runChild runs the binary to completion.
func runChild(t *testing.T, bin, dir string, args []string) {
	t.Helper()
	out, err := childOutput(bin, dir, args)
	require.NoError(t, err, "sync %v:\n%s", args, out)
}

// childOutput runs the binary to completion and returns its output.
func childOutput(bin, dir string, args []string) ([]byte, error) {
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = childEnv(dir)
	return cmd.CombinedOutput()
}

// killChild starts the binary and SIGKILLs it after d; it reports whether
// the kill landed before the run finished by itself.
func killChild(t *testing.T, bin, dir string, args []string, d time.Duration) bool {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = childEnv(dir)
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		require.NoError(t, err, "the run ended by itself with an error")
		return false
	case <-time.After(d):
		_ = cmd.Process.Signal(syscall.SIGKILL)
		<-done
		return true
	}
}

type tableReader interface {
	ReadTable(ctx context.Context, t *connector.Table) ([][]any, error)
}

// contents reads every staging table of every registered platform's
// transformer, keeping the compared columns (bookkeeping columns such as
// load times differ between two runs by nature).
func contents(t *testing.T, sinkURL string) map[string][]string {
	t.Helper()
	ctx := context.Background()
	wh, err := etlsink.Open(ctx, sinkURL, connector.TimeUTC)
	require.NoError(t, err)
	defer wh.Close()
	rd, ok := wh.Sink.(tableReader)
	require.True(t, ok, "sink %T cannot read tables", wh.Sink)
	out := map[string][]string{}
	for _, name := range platform.Names() {
		d, _ := platform.Lookup(name)
		demo, err := d.Demo(platform.DemoOptions{Records: 1})
		require.NoError(t, err)
		_, tr, err := d.Open(ctx, demo.Account, platform.Deps{})
		demo.Close()
		require.NoError(t, err)
		for _, tb := range tr.Tables() {
			rows, err := rd.ReadTable(ctx, tb)
			if err != nil {
				continue // a platform the runs did not include has no tables
			}
			var lines []string
			for _, r := range rows {
				line := ""
				for i, c := range tb.Columns {
					if c.Compared() {
						line += fmt.Sprintf("%v|", r[i])
					}
				}
				lines = append(lines, line)
			}
			out[tb.Schema+"."+tb.Name] = lines
		}
	}
	return out
}

// killTrial runs an uninterrupted reference load into refURL, then a load
// into gotURL that is killed (SIGKILL) at random points before it is allowed
// to finish, and requires both warehouses to hold the same data.
func killTrial(t *testing.T, refURL, gotURL string, seed uint64) {
	if len(platform.Names()) == 0 {
		t.Skip("no platform registered in the sync job")
	}
	bin := buildSync(t)
	dir := t.TempDir()
	start := time.Now()
	runChild(t, bin, dir, demoArgs(refURL, false)) // the reference: no fault
	full := time.Since(start)
	ref := contents(t, refURL)
	require.NotEmpty(t, ref)

	rnd := mrand.New(mrand.NewPCG(seed, 9))
	kills := 0
	for i := 0; i < killRuns; i++ {
		d := time.Duration(rnd.Int64N(int64(full))) + 20*time.Millisecond
		if killChild(t, bin, dir, demoArgs(gotURL, true), d) {
			kills++
		}
	}
	t.Logf("seed %d: %d kills within a %s run", seed, kills, full.Round(time.Millisecond))
	// The run after the kills goes to the end. Under faults on a busy
	// machine a call can fail every try: the run then fails, and the next
	// resumes it, as a scheduler's next round does.
	for tries := 1; ; tries++ {
		out, err := childOutput(bin, dir, demoArgs(gotURL, true))
		if err == nil {
			break
		}
		require.Less(t, tries, 3, "sync after the kills failed %d times; last:\n%s", tries, out)
		t.Logf("sync after the kills failed (%v); running it again", err)
	}
	got := contents(t, gotURL)
	require.Equal(t, len(ref), len(got), "tables")
	for name, rows := range ref {
		require.Equal(t, len(rows), len(got[name]), "rows of %s", name)
		require.Equal(t, rows, got[name], "contents of %s", name)
	}
}

// TestKill9SQLite kills the real sync binary at random points and requires
// the resumed warehouse to equal an uninterrupted one.
func TestKill9SQLite(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds and runs the sync binary")
	}
	dir := t.TempDir()
	killTrial(t, "sqlite:"+filepath.Join(dir, "ref.db"), "sqlite:"+filepath.Join(dir, "killed.db"), uint64(time.Now().UnixNano()))
}

// TestKill9Postgres is the same on PostgreSQL (ETL_TEST_POSTGRES_DSN).
func TestKill9Postgres(t *testing.T) {
	t.Parallel()
	dsn := os.Getenv("ETL_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("set ETL_TEST_POSTGRES_DSN to run the kill -9 test against PostgreSQL")
	}
	if testing.Short() {
		t.Skip("builds and runs the sync binary")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer conn.Close(ctx)
	mk := func() string {
		var b [4]byte
		_, _ = rand.Read(b[:])
		db := "etl_t_kill_" + hex.EncodeToString(b[:])
		_, err := conn.Exec(ctx, "CREATE DATABASE "+db)
		require.NoError(t, err)
		t.Cleanup(func() { _, _ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+db+" WITH (FORCE)") })
		u, err := url.Parse(dsn)
		require.NoError(t, err)
		u.Path = "/" + db
		return u.String()
	}
	killTrial(t, mk(), mk(), uint64(time.Now().UnixNano()))
}
