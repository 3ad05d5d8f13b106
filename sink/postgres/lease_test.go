package postgres_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink/postgres"
	"github.com/stretchr/testify/require"
)

// A holder that crashed on this host does not block a restart for the
// lease's whole TTL; a live one, or one of another host, keeps its lease.
func TestLeaseOfACrashedProcessOnThisHost(t *testing.T) {
	ctx := context.Background()
	s := open(t, postgres.Config{LeaseTTL: time.Hour})
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	require.NoError(t, cmd.Run())
	host, _ := os.Hostname()
	plant := func(holder string, pid int, host string) {
		_, err := s.Pool().Exec(ctx, `INSERT INTO `+connector.QuoteIdent(s.Schema("etl_control"))+`.leases (pipeline, stream, holder, epoch, expires_at, host, pid)
			VALUES ('p', 's', $1, 4, now() + interval '1 hour', $2, $3)
			ON CONFLICT (pipeline, stream) DO UPDATE SET holder = EXCLUDED.holder, epoch = EXCLUDED.epoch, expires_at = EXCLUDED.expires_at, host = EXCLUDED.host, pid = EXCLUDED.pid`,
			holder, host, pid)
		require.NoError(t, err)
	}
	plant("crashed", cmd.ProcessState.Pid(), host)
	l, err := s.Lease(ctx, "p", "s", 0)
	require.NoError(t, err, "the holder's process is gone")
	require.EqualValues(t, 5, l.Fence.Epoch)
	require.NoError(t, l.Release())
	plant("alive", os.Getppid(), host)
	_, err = s.Lease(ctx, "p", "s", 0)
	require.ErrorIs(t, err, connector.ErrLeaseHeld)
	plant("remote", cmd.ProcessState.Pid(), host+".elsewhere")
	_, err = s.Lease(ctx, "p", "s", 0)
	require.ErrorIs(t, err, connector.ErrLeaseHeld)
}

// Leases hold no connection: with a pool of one connection, many leases
// are held at once and the holders still write.
func TestLeasesHoldNoConnection(t *testing.T) {
	ctx := context.Background()
	s := open(t, postgres.Config{MaxConns: 1})
	tb := &connector.Table{Schema: "staging", Name: "one", PrimaryKey: []string{"id"}, Columns: []connector.Column{{Name: "id", Type: connector.Int}}}
	require.NoError(t, s.Prepare(ctx, []*connector.Table{tb}))
	var leases []*connector.Lease
	for _, stream := range []string{"a", "b", "c", "d"} {
		l, err := s.Lease(ctx, "p", stream, 0)
		require.NoError(t, err)
		leases = append(leases, l)
	}
	for i, l := range leases {
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := s.Write(wctx, &connector.Batch{Pipeline: "p", Stream: string(rune('a' + i)), Fence: &l.Fence,
			Tables: []connector.TableRows{{Table: tb, Rows: [][]any{{int64(i)}}}}})
		cancel()
		require.NoError(t, err)
		require.NoError(t, l.Release())
	}
}

// pool_max_conns in the URL is honoured; without it the pool has 8.
func TestPoolSizeFromTheURL(t *testing.T) {
	s := open(t, postgres.Config{DSN: ""})
	require.EqualValues(t, 8, s.Pool().Config().MaxConns)
	d := dsn(t)
	sep := "?"
	if strings.Contains(d, "?") {
		sep = "&"
	}
	s2, err := postgres.Open(context.Background(), postgres.Config{DSN: d + sep + "pool_max_conns=3", Schemas: isolated(t)})
	require.NoError(t, err)
	defer s2.Close()
	require.EqualValues(t, 3, s2.Pool().Config().MaxConns)
}

// The time basis is recorded on first use; the other basis is refused, and
// so are existing tables whose timestamp columns are of the other kind.
func TestTimeBasisIsRecorded(t *testing.T) {
	ctx := context.Background()
	schemas := isolated(t)
	s := open(t, postgres.Config{Schemas: schemas})
	tb := &connector.Table{Schema: "staging", Name: "tz", PrimaryKey: []string{"id"}, Columns: []connector.Column{
		{Name: "id", Type: connector.Int}, {Name: "at", Type: connector.Timestamp, Nullable: true}}}
	require.NoError(t, s.Prepare(ctx, []*connector.Table{tb}))
	_, err := postgres.Open(ctx, postgres.Config{DSN: dsn(t), Schemas: schemas, TimeBasis: connector.TimeVietnam})
	require.ErrorIs(t, err, connector.ErrTimeBasis)
	require.ErrorContains(t, err, "-time-basis utc")

	_, err = s.Pool().Exec(ctx, `DELETE FROM `+connector.QuoteIdent(schemas["etl_control"])+`.settings`)
	require.NoError(t, err)
	v := open(t, postgres.Config{Schemas: schemas, TimeBasis: connector.TimeVietnam})
	err = v.Prepare(ctx, []*connector.Table{tb})
	require.ErrorIs(t, err, connector.ErrTimeBasis)
	require.ErrorContains(t, err, `"at" is timestamptz`)
}

// Prepare of tables that already match takes no global lock: it goes
// through while another process holds the DDL lock.
func TestPrepareOfMatchingTablesTakesNoLock(t *testing.T) {
	ctx := context.Background()
	schemas := isolated(t)
	s := open(t, postgres.Config{Schemas: schemas})
	tb := &connector.Table{Schema: "staging", Name: "m", PrimaryKey: []string{"id"}, Columns: []connector.Column{
		{Name: "id", Type: connector.Int}, {Name: "at", Type: connector.Timestamp, Nullable: true}}}
	require.NoError(t, s.Prepare(ctx, []*connector.Table{tb}))
	conn, err := s.Pool().Acquire(ctx)
	require.NoError(t, err)
	defer conn.Release()
	_, err = conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, int64(0x6574_6c5f_6464_6c)) // the sink's DDL lock
	require.NoError(t, err)
	defer conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, int64(0x6574_6c5f_6464_6c))
	other := open(t, postgres.Config{Schemas: schemas})
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	require.NoError(t, other.Prepare(pctx, []*connector.Table{tb}), "a matching table needs no lock")
}
