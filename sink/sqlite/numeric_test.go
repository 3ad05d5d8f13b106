package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/facolos/etl/sink/sinktest"
	"github.com/facolos/etl/sink/sqlite"
)

func TestMoneyAndIndexes(t *testing.T) {
	s, err := sqlite.Open(context.Background(), sqlite.Config{Path: filepath.Join(t.TempDir(), "money.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sinktest.MoneyAndIndexes(t, s, s.DB(), "shopee_orders", `SELECT name FROM sqlite_master WHERE type = 'index' AND name = ?`)
}
