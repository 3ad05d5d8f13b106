package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/stretchr/testify/require"
)

func TestCustomPipeline(t *testing.T) {
	sink := "sqlite:" + filepath.Join(t.TempDir(), "stock.db")
	res, err := run(context.Background(), sink, "")
	require.NoError(t, err)
	require.Equal(t, connector.StatusOK, res.Status)
	require.EqualValues(t, 7, res.Records)
	require.EqualValues(t, 6, res.Rows["staging.warehouse_stock"])
	require.EqualValues(t, 1, res.Rejected, "the line with a bad quantity is quarantined")

	res, err = run(context.Background(), sink, "")
	require.NoError(t, err)
	require.Zero(t, res.Records, "the second run resumes after the last line")
}
