package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink/sinktest"
	"github.com/facolos/etl/sink/sqlite"
)

func TestConformance(t *testing.T) {
	for name, basis := range map[string]connector.TimeBasis{"utc": connector.TimeUTC, "vietnam": connector.TimeVietnam} {
		t.Run(name, func(t *testing.T) {
			sinktest.Run(t, func(t *testing.T, cfg sinktest.Config) sinktest.Sink {
				path := filepath.Join(t.TempDir(), "c.db")
				if cfg.SameAs != nil {
					path = cfg.SameAs.(expiring).Path()
				}
				s, err := sqlite.Open(context.Background(), sqlite.Config{Path: path, TimeBasis: basis, BeforeCommit: cfg.BeforeCommit, Now: cfg.Now, LeaseTTL: cfg.LeaseTTL})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				return expiring{s}
			})
		})
	}
}

// expiring is a sink under the conformance suite: leases expire on the
// host's clock (not Config.Now), so the suite expires them in the file
// (sinktest.LeaseExpirer).
type expiring struct{ *sqlite.Sink }

func (e expiring) ExpireLease(ctx context.Context, pipeline, stream string) error {
	_, err := e.DB().ExecContext(ctx, `UPDATE etl_control_leases SET expires_at = ? WHERE pipeline = ? AND stream = ?`,
		time.Now().Add(-time.Second).UTC().Format("2006-01-02T15:04:05.000000Z"), pipeline, stream)
	return err
}
