package misa_test

import (
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/misa/misatest"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/stretchr/testify/require"
)

// A login whose token's exp claim has already passed (misatest PastExpiry)
// is used until MISA rejects it: one login for a full load and the
// incremental run after it, not one per call.
func TestLoginTokenWithPastExpiry(t *testing.T) {
	sim := newSim(t, misatest.Options{Customers: 120, SaleOrders: 40, Contacts: 20, Products: 20, PastExpiry: true})
	sink := openSink(t, sqlite.Config{})
	src := sourceFor(t, sim, nil, connector.HTTPConfig{})
	res := run(t, runner(connector.Full), pipeline(src, sink))
	requireSame(t, expected(sim), actual(t, sink))
	var calls int64
	for _, n := range res.APICalls {
		calls += n
	}
	require.Greater(t, calls, int64(8), "enough calls to tell one login from one per call")
	require.Equal(t, 1, sim.Logins(), "one login for %d calls", calls)
	sim.Advance(time.Hour)
	run(t, runner(connector.Incremental), pipeline(src, sink))
	require.Equal(t, 1, sim.Logins(), "the token is used until MISA rejects it")
	require.Equal(t, 1, src.Client().Logins())
}
