package sqlite_test

import (
	"context"
	"os"
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

// A path with "#" and "?" opens that very file.
func TestPathWithURICharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a#b?c=d%20")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "w.db")
	s, err := sqlite.Open(context.Background(), sqlite.Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the database is not at its path: %v", err)
	}
}
