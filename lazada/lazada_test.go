package lazada_test

import (
	"testing"

	"github.com/facolos/etl/connector"
	_ "github.com/facolos/etl/lazada"
	"github.com/facolos/etl/lazada/lazadatest"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/stretchr/testify/require"
)

// A full load equals the simulator's data column by column, with
// ceil(N/50) item calls when the range is one window.
func TestFullLoad(t *testing.T) {
	sim := newSim(t, lazadatest.Options{Orders: 345})
	src := sourceFor(t, config(sim, nil, connector.HTTPConfig{}))
	sink := openSink(t, "", sqlite.Config{})
	res := run(t, src, sink)
	require.NoError(t, res.Err)
	require.Zero(t, res.Rejected)
	orders := sim.Orders()
	requireSame(t, expected(sim.SellerID(), orders), actual(t, sink))
	require.Equal(t, 4, sim.Calls(lazadatest.PathOrders), "ceil(345/100) pages")
	require.Equal(t, 7, sim.Calls(lazadatest.PathOrderItems), "ceil(345/50) item calls")
}
