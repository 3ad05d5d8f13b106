package postgres_test

import (
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink/postgres"
	"github.com/facolos/etl/sink/sinktest"
)

func TestMoneyAndIndexes(t *testing.T) {
	schemas := isolated(t)
	s := open(t, postgres.Config{DSN: dsn(t), Schemas: schemas})
	sinktest.MoneyAndIndexes(t, s, s.DB(), connector.QuoteIdent(schemas["staging"])+".shopee_orders",
		`SELECT indexname FROM pg_indexes WHERE indexname = $1`)
}
