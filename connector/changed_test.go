package connector_test

import (
	"context"
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/stretchr/testify/require"
)

// uncountedSink is a sink that does not count rows changed (Batch.Changed
// stays nil), as a custom sink written before the field existed.
type uncountedSink struct{ connector.Sink }

func (s uncountedSink) Write(ctx context.Context, b *connector.Batch) error {
	err := s.Sink.Write(ctx, b)
	b.Changed = nil
	return err
}

// Result.Changed sums Batch.Changed; a sink that does not count leaves it
// nil (not zero, which would claim nothing changed).
func TestRunnerSumsRowsChanged(t *testing.T) {
	ctx := context.Background()
	r := &connector.Runner{BatchSize: 7, Logger: quiet()}
	src := newShop(30, 10)
	res := r.Run(ctx, pipeline("counted", src, openSink(t)))[0]
	require.NoError(t, res.Err)
	require.Equal(t, res.Rows, res.Changed, "a first load changes every row it sends")

	res = r.Run(ctx, pipeline("uncounted", src, uncountedSink{openSink(t)}))[0]
	require.NoError(t, res.Err)
	require.NotEmpty(t, res.Rows)
	require.Nil(t, res.Changed)
}
