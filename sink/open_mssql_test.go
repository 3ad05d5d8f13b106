package sink_test

import (
	"context"
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink"
	"github.com/stretchr/testify/require"
)

// sink.Open reads strategy= of a sqlserver:// URL (the rest of the
// strategy's plumbing is tested in sink/mssql with the recording driver).
func TestOpenSQLServerStrategy(t *testing.T) {
	ctx := context.Background()
	_, err := sink.Open(ctx, "sqlserver://etl:s3cret@127.0.0.1:1?database=w&strategy=upsert", connector.TimeUTC)
	require.ErrorContains(t, err, `strategy="upsert"`)
	require.NotContains(t, err.Error(), "s3cret")

	// A valid strategy gets as far as connecting (nothing listens on port 1).
	_, err = sink.Open(ctx, "sqlserver://etl:s3cret@127.0.0.1:1?database=w&strategy=update-insert&dial+timeout=2", connector.TimeUTC)
	require.Error(t, err)
	require.NotContains(t, err.Error(), "strategy")
	require.NotContains(t, err.Error(), "s3cret")
}
