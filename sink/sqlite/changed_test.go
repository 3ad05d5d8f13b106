package sqlite_test

import (
	"testing"

	"github.com/facolos/etl/sink/sinktest"
	"github.com/facolos/etl/sink/sqlite"
)

func TestRowsChanged(t *testing.T) {
	sinktest.RowsChanged(t, open(t, sqlite.Config{}), "staging")
}
