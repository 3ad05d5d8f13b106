package tiktok_test

import (
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/facolos/etl/tiktok"
	"github.com/facolos/etl/tiktok/tiktoktest"
	"github.com/stretchr/testify/require"
)

// A refresh whose access_token_expire_in has already passed (tiktoktest
// PastExpiry) does not make the client refresh before every call: the token
// is used until the platform rejects it, one refresh for the whole load.
func TestRefreshedTokenWithPastExpiry(t *testing.T) {
	sim := newSim(t, tiktoktest.Options{Orders: 100, PastExpiry: true})
	cfg := config(sim, nil, connector.HTTPConfig{})
	cfg.PageSize = 20 // several pages
	src, err := tiktok.NewSource(cfg)
	require.NoError(t, err)
	sink := openSink(t, "", sqlite.Config{})
	sim.ExpireTokens() // the seeded token is rejected: one refresh
	res := run(t, &connector.Runner{}, src, sink)
	require.NoError(t, res.Err)
	require.EqualValues(t, 100, res.Records)
	require.GreaterOrEqual(t, sim.Calls(tiktoktest.PathSearch)+sim.Calls(tiktoktest.PathDetail), 5, "several calls after the refresh")
	require.Equal(t, 1, sim.Refreshes())
	require.Equal(t, 1, sim.Rejections()[tiktoktest.CodeTokenExpired])
	require.NoError(t, run(t, &connector.Runner{}, src, sink).Err)
	require.Equal(t, 1, sim.Refreshes(), "the next run uses the token too")
}
