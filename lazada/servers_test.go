package lazada_test

import (
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/testsinks"
	"github.com/facolos/etl/lazada/lazadatest"
	"github.com/facolos/etl/sink/mssql"
	"github.com/facolos/etl/sink/postgres"
	"github.com/stretchr/testify/require"
)

// serverSink is a server database's sink that reads its tables back.
type serverSink interface {
	connector.Sink
	tableReader
}

// endToEnd loads the simulator's seller into sink: a full load equals the
// simulator's data column by column, and after the simulator's clock
// moves an incremental run updates the changed orders and deletes their
// vanished items.
func endToEnd(t *testing.T, sink serverSink) {
	sim := newSim(t, lazadatest.Options{Orders: 250})
	src := sourceFor(t, config(sim, nil, connector.HTTPConfig{}))
	require.NoError(t, run(t, src, sink).Err)
	requireSame(t, expected(sim.SellerID(), sim.Orders()), actual(t, sink))
	require.NotEmpty(t, sim.Advance(48*time.Hour))
	require.NoError(t, run(t, src, sink).Err)
	requireSame(t, expected(sim.SellerID(), sim.Orders()), actual(t, sink))
}

// End to end into PostgreSQL (ETL_TEST_POSTGRES_DSN), in private schemas.
func TestPostgresEndToEnd(t *testing.T) {
	endToEnd(t, testsinks.Postgres(t, "etl_lzd", postgres.Config{}))
}

// End to end into SQL Server (ETL_TEST_MSSQL_DSN), in private schemas,
// under both time bases: instants read back the same either way.
func TestSQLServerEndToEnd(t *testing.T) {
	for _, basis := range []connector.TimeBasis{connector.TimeUTC, connector.TimeVietnam} {
		t.Run(basis.String(), func(t *testing.T) {
			endToEnd(t, testsinks.SQLServer(t, "etl_lzd", mssql.Config{TimeBasis: basis, Logger: quiet}))
		})
	}
}
