package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/facolos/etl/sink/sinktest"
	"github.com/facolos/etl/sink/sqlite"
)

func TestRunHistory(t *testing.T) {
	s, err := sqlite.Open(context.Background(), sqlite.Config{Path: filepath.Join(t.TempDir(), "runs.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sinktest.RunHistory(t, s, s.DB(), "etl_control_batch_runs", "etl_control_data_sources", func(int) string { return "?" })
}
