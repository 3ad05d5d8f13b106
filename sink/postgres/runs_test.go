package postgres_test

import (
	"fmt"
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink/postgres"
	"github.com/facolos/etl/sink/sinktest"
)

func TestRunHistory(t *testing.T) {
	schemas := isolated(t)
	s := open(t, postgres.Config{DSN: dsn(t), Schemas: schemas})
	ctl := connector.QuoteIdent(schemas["etl_control"])
	sinktest.RunHistory(t, s, s.DB(), ctl+".batch_runs", ctl+".data_sources", func(n int) string { return fmt.Sprintf("$%d", n) })
}
