package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The report shows the rows changed beside the rows sent: a first full load
// changes every row it sends, a second full load of the same data sends them
// all again and changes none.
func TestReportRowsChanged(t *testing.T) {
	t.Parallel()
	o := opts(t)
	o.mode, o.demoOrders, o.demoSeed = "full", 30, 5
	first := runOnce(t, o, env{}).Pipelines[0]
	require.Equal(t, "ok", first.Status, first.Error)
	require.EqualValues(t, 30, first.Rows["staging.shopee_orders"])
	require.NotEmpty(t, first.Changed)
	require.Equal(t, first.Rows, first.Changed, "a first load changes every row it sends")

	again := runOnce(t, o, env{}).Pipelines[0]
	require.Equal(t, "ok", again.Status, again.Error)
	require.Equal(t, first.Rows, again.Rows, "the re-run sends every row again")
	for table, n := range again.Changed {
		require.Zerof(t, n, "rows changed in %s by a re-run of unchanged data", table)
	}
	require.Len(t, again.Changed, len(again.Rows))
}
