package tiktok_test

import (
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/facolos/etl/tiktok/tiktoktest"
	"github.com/stretchr/testify/require"
)

func TestFinanceSmoke(t *testing.T) {
	sim := newSim(t, tiktoktest.Options{Orders: 150, Now: time.Now().Truncate(time.Second), Days: 60})
	sink := openSink(t, "", sqlite.Config{})
	src := sourceFor(t, sim, nil, connector.HTTPConfig{}, withFinance)
	res := run(t, &connector.Runner{}, src, sink)
	require.NoError(t, res.Err)
	t.Logf("rows %v calls %v rejected %d stats %v", res.Rows, res.APICalls, res.Rejected, src.Stats())
	sts := sim.Statements()
	t.Logf("%d statements, %d withdrawals", len(sts), len(sim.Withdrawals()))
}
