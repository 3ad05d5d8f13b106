package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink/postgres"
	"github.com/stretchr/testify/require"
)

// Workers on hosts whose clocks are hours apart (each sink's Now is its
// host's clock) agree on who holds a lease: the server's clock decides
// expiries. A worker whose clock runs ahead never takes a live lease over;
// one whose clock runs behind neither writes expiries in the past nor keeps
// an expired lease alive.
func TestLeaseExpiriesUseTheServerClock(t *testing.T) {
	ctx := context.Background()
	schemas := isolated(t)
	const ttl = time.Minute
	behind := open(t, postgres.Config{Schemas: schemas, LeaseTTL: ttl, Now: func() time.Time { return time.Now().Add(-2 * time.Hour) }})
	ahead := open(t, postgres.Config{Schemas: schemas, LeaseTTL: ttl, Now: func() time.Time { return time.Now().Add(2 * time.Hour) }})

	la, err := behind.Lease(ctx, "p", "s", 0)
	require.NoError(t, err)
	defer la.Release()
	var left time.Duration
	require.NoError(t, behind.Pool().QueryRow(ctx, `SELECT extract(epoch FROM expires_at - now())::float8 * 1e9 FROM `+
		connector.QuoteIdent(schemas["etl_control"])+`.leases WHERE pipeline = 'p' AND stream = 's'`).Scan(&left))
	require.Greater(t, left, ttl/2, "the expiry is written from the server's clock")
	require.LessOrEqual(t, left, ttl)
	_, err = ahead.Lease(ctx, "p", "s", 0)
	require.ErrorIs(t, err, connector.ErrLeaseHeld, "a worker whose clock runs 2 h ahead takes a live lease over")

	// The holder dies: its lease expires on the server's clock, and the
	// worker whose clock runs behind takes it over.
	_, err = behind.Pool().Exec(ctx, `UPDATE `+connector.QuoteIdent(schemas["etl_control"])+`.leases SET expires_at = now() - interval '1 second', host = 'gone'`)
	require.NoError(t, err)
	lc, err := behind.Lease(ctx, "p", "s", 0)
	require.NoError(t, err, "an expired lease is taken over by a worker whose clock runs behind")
	require.Equal(t, la.Fence.Epoch+1, lc.Fence.Epoch)
	require.NoError(t, lc.Release())
}

// expiring is a sink under the conformance suite: leases expire on the
// server's clock, so the suite expires them there (sinktest.LeaseExpirer).
type expiring struct{ *postgres.Sink }

func (e expiring) ExpireLease(ctx context.Context, pipeline, stream string) error {
	_, err := e.Pool().Exec(ctx, `UPDATE `+connector.QuoteIdent(e.Schema("etl_control"))+`.leases SET expires_at = now() - interval '1 second'
		WHERE pipeline = $1 AND stream = $2`, pipeline, stream)
	return err
}
