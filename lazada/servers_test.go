package lazada_test

import (
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/testsinks"
	"github.com/facolos/etl/lazada"
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
// simulator's data column by column; a second run is incremental (one
// updated_at read, nothing new); after the simulator's clock moves (orders
// changed, item lines vanished upstream, new orders) an incremental run
// updates the changed orders, deletes their vanished items and adds the
// new ones, and the tables equal the simulator's again.
func endToEnd(t *testing.T, sink serverSink) {
	sim := newSim(t, lazadatest.Options{Orders: 250})
	src := sourceFor(t, config(sim, nil, connector.HTTPConfig{}))
	require.NoError(t, run(t, src, sink).Err)
	requireSame(t, expected(sim.SellerID(), sim.Orders()), actual(t, sink))
	before := actual(t, sink)[lazada.ItemsTable]

	full := len(sim.Lists())
	require.NoError(t, run(t, src, sink).Err)
	lists := sim.Lists()
	require.Len(t, lists, full+1, "one incremental read")
	require.Equal(t, "updated_at", lists[full].Field)

	advance(t, sim)
	res := run(t, src, sink)
	require.NoError(t, res.Err)
	for _, l := range sim.Lists()[full+1:] {
		require.Equal(t, "updated_at", l.Field, "incremental")
	}
	got := actual(t, sink)
	requireSame(t, expected(sim.SellerID(), sim.Orders()), got)
	deleted := 0
	for k := range before {
		if _, ok := got[lazada.ItemsTable][k]; !ok {
			deleted++
		}
	}
	require.Positive(t, deleted, "vanished items deleted from the table")
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
