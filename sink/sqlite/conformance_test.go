package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

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
					path = cfg.SameAs.(*sqlite.Sink).Path()
				}
				s, err := sqlite.Open(context.Background(), sqlite.Config{Path: path, TimeBasis: basis, BeforeCommit: cfg.BeforeCommit, Now: cfg.Now, LeaseTTL: cfg.LeaseTTL})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				return s
			})
		})
	}
}
