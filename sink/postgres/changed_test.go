package postgres_test

import (
	"testing"

	"github.com/facolos/etl/sink/postgres"
	"github.com/facolos/etl/sink/sinktest"
)

func TestRowsChanged(t *testing.T) {
	for _, st := range []postgres.Strategy{postgres.OnConflict, postgres.Merge} {
		t.Run(string(st), func(t *testing.T) {
			sinktest.RowsChanged(t, open(t, postgres.Config{Strategy: st}), "staging")
		})
	}
}
