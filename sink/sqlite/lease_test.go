package sqlite_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/lease"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/stretchr/testify/require"
)

// The holder's heartbeat keeps its lease alive past the TTL; once given
// back, another worker takes it at the next epoch.
func TestLeaseHeartbeat(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.db")
	const ttl = time.Second
	a := open(t, sqlite.Config{Path: path, LeaseTTL: ttl})
	b := open(t, sqlite.Config{Path: path, LeaseTTL: ttl})
	la, err := a.Lease(ctx, "p", "s", 0)
	require.NoError(t, err)
	expiry := func() time.Time {
		var at string
		require.NoError(t, a.DB().QueryRow(`SELECT expires_at FROM etl_control_leases WHERE pipeline = 'p' AND stream = 's'`).Scan(&at))
		tm, err := time.Parse(time.RFC3339Nano, at)
		require.NoError(t, err)
		return tm
	}
	// The heartbeat's renewal is the event: once the lease was renewed and
	// the expiry it was taken with has passed, it lives only by renewal.
	first := expiry()
	require.Eventually(t, func() bool { return time.Now().After(first) && expiry().After(first) }, 30*time.Second, 10*time.Millisecond)
	_, err = b.Lease(ctx, "p", "s", 0)
	require.ErrorIs(t, err, connector.ErrLeaseHeld, "renewed by the heartbeat")
	require.NoError(t, la.Release())
	lb, err := b.Lease(ctx, "p", "s", 0)
	require.NoError(t, err)
	require.Equal(t, la.Fence.Epoch+1, lb.Fence.Epoch)
	require.NoError(t, lb.Release())
}

// A holder that crashed on this host does not block a restart for the
// lease's whole TTL: its process is gone, so the lease is taken over at
// once. A live holder keeps it.
func TestLeaseOfACrashedProcessOnThisHost(t *testing.T) {
	ctx := context.Background()
	s := open(t, sqlite.Config{LeaseTTL: time.Hour})
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	require.NoError(t, cmd.Run())
	host := lease.ThisHost()
	plant := func(holder string, pid int, host string) {
		_, err := s.DB().Exec(`INSERT INTO etl_control_leases (pipeline, stream, holder, epoch, expires_at, host, pid) VALUES ('p', 's', ?, 4, ?, ?, ?)
			ON CONFLICT (pipeline, stream) DO UPDATE SET holder = excluded.holder, epoch = excluded.epoch, expires_at = excluded.expires_at, host = excluded.host, pid = excluded.pid`,
			holder, time.Now().Add(time.Hour).UTC().Format("2006-01-02T15:04:05.000000Z"), host, pid)
		require.NoError(t, err)
	}
	plant("crashed", cmd.ProcessState.Pid(), host)
	l, err := s.Lease(ctx, "p", "s", 0)
	require.NoError(t, err, "the holder's process is gone")
	require.EqualValues(t, 5, l.Fence.Epoch)
	require.NoError(t, l.Release())

	plant("alive", os.Getppid(), host)
	_, err = s.Lease(ctx, "p", "s", 0)
	require.ErrorIs(t, err, connector.ErrLeaseHeld, "a live process on this host keeps its lease")
	plant("remote", cmd.ProcessState.Pid(), host+".elsewhere")
	_, err = s.Lease(ctx, "p", "s", 0)
	require.ErrorIs(t, err, connector.ErrLeaseHeld, "a process of another host cannot be checked: wait for the expiry")
}

// A fenced write that lost its lease leaves no rejection behind either.
func TestFencedWriteStoresNoRejection(t *testing.T) {
	ctx := context.Background()
	s := open(t, sqlite.Config{})
	p := parentTable()
	require.NoError(t, s.Prepare(ctx, []*connector.Table{p}))
	l, err := s.Lease(ctx, "p", "s", 0)
	require.NoError(t, err)
	stale := l.Fence
	stale.Epoch-- // a holding that was taken over
	b := batch(connector.TableRows{Table: p, Rows: [][]any{{"X", nil, nil, nil, nil, nil, nil, nil}}})
	b.Rejected = []connector.Rejection{{Key: "Z", Reason: "bad", At: t0}}
	b.Checkpoint = connector.Checkpoint(`{"n":1}`)
	b.Fence = &stale
	err = s.Write(ctx, b)
	require.True(t, errors.Is(err, connector.ErrLeaseLost), "%v", err)
	require.Empty(t, dump(t, s.DB(), `SELECT record_key FROM etl_control_rejected_records`))
	require.Empty(t, dump(t, s.DB(), `SELECT id FROM orders`))
	require.Empty(t, dump(t, s.DB(), `SELECT checkpoint FROM etl_control_checkpoints`))
	b.Fence = &l.Fence
	require.NoError(t, s.Write(ctx, b))
	require.Len(t, dump(t, s.DB(), `SELECT record_key FROM etl_control_rejected_records`), 1)
}

// The time basis is recorded on first use; a run with the other basis, or
// existing tables holding the other kind of timestamps, is refused.
func TestTimeBasisIsRecorded(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.db")
	s := open(t, sqlite.Config{Path: path})
	p := parentTable()
	require.NoError(t, s.Prepare(ctx, []*connector.Table{p}))
	require.NoError(t, s.Write(ctx, batch(connector.TableRows{Table: p, Rows: [][]any{{"X", nil, nil, nil, nil, t0, nil, nil}}})))
	require.NoError(t, s.Close())

	_, err := sqlite.Open(ctx, sqlite.Config{Path: path, TimeBasis: connector.TimeVietnam})
	require.ErrorIs(t, err, connector.ErrTimeBasis)
	require.ErrorContains(t, err, "UTC instants (utc)")
	require.ErrorContains(t, err, "-time-basis utc")

	// A warehouse of an older version (no record) whose tables hold UTC
	// values: Prepare refuses the Vietnam basis and records nothing.
	u := open(t, sqlite.Config{Path: path})
	_, err = u.DB().Exec(`DELETE FROM etl_control_settings`)
	require.NoError(t, err)
	v := open(t, sqlite.Config{Path: path, TimeBasis: connector.TimeVietnam})
	err = v.Prepare(ctx, []*connector.Table{p})
	require.ErrorIs(t, err, connector.ErrTimeBasis)
	require.ErrorContains(t, err, "column created")
	require.Empty(t, dump(t, u.DB(), `SELECT value FROM etl_control_settings`))
	require.NoError(t, u.Prepare(ctx, []*connector.Table{p}))
	require.Equal(t, []string{"utc"}, dump(t, u.DB(), `SELECT value FROM etl_control_settings`))
}

// A warehouse of an older version (lease rows without epoch, host, pid) is
// brought up to date by Open.
func TestOldLeaseTableIsUpgraded(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	old := open(t, sqlite.Config{Path: path})
	_, err := old.DB().Exec(`DROP TABLE etl_control_leases`)
	require.NoError(t, err)
	_, err = old.DB().Exec(`CREATE TABLE etl_control_leases (pipeline TEXT NOT NULL, stream TEXT NOT NULL, holder TEXT NOT NULL,
		expires_at TIMESTAMP_TEXT NOT NULL, PRIMARY KEY (pipeline, stream))`)
	require.NoError(t, err)
	_, err = old.DB().Exec(`INSERT INTO etl_control_leases VALUES ('p', 's', 'old', '2020-01-01T00:00:00.000000Z')`)
	require.NoError(t, err)
	require.NoError(t, old.Close())
	s := open(t, sqlite.Config{Path: path})
	l, err := s.Lease(ctx, "p", "s", 0)
	require.NoError(t, err, "the expired old row is taken over")
	require.EqualValues(t, 1, l.Fence.Epoch)
	require.NoError(t, l.Release())
}

// Config.Now is the clock of Auto columns (a fixed one makes them
// reproducible); it does not decide lease expiries, or a sink with a clock
// fixed in the past would write expiries every other worker finds long
// gone and lose every lease it takes.
func TestLeaseExpiriesIgnoreConfigNow(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.db")
	fixed := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	a := open(t, sqlite.Config{Path: path, LeaseTTL: time.Minute, Now: func() time.Time { return fixed }})
	b := open(t, sqlite.Config{Path: path, LeaseTTL: time.Minute})
	la, err := a.Lease(ctx, "p", "s", 0)
	require.NoError(t, err)
	defer la.Release()
	lb, err := b.Lease(ctx, "p", "s", 0)
	if err == nil {
		_ = lb.Release()
	}
	require.ErrorIs(t, err, connector.ErrLeaseHeld, "a live lease taken by a sink with a fixed Auto-column clock")
}
