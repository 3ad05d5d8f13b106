package connector_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/stretchr/testify/require"
)

// Rows of one batch with the same key are dropped but one, counted in
// Result.Duplicates and logged once per run and table, with an example key.
func TestRunnerCountsAndLogsDuplicateKeys(t *testing.T) {
	src := newShop(6, 10)
	for _, id := range []string{"ORD00001", "ORD00004"} {
		src.change(id, func(o *order) { o.Items = []string{"SKU-x", "SKU-x", "SKU-y"} }) // one item twice
	}
	var log syncBuffer
	var events []connector.Event
	var mu sync.Mutex
	r := &connector.Runner{BatchSize: 5, Logger: slog.New(slog.NewTextHandler(&log, nil)), Observer: func(e connector.Event) {
		if e.Kind == connector.BatchWritten {
			mu.Lock()
			events = append(events, e)
			mu.Unlock()
		}
	}}
	sink := openSink(t)
	res := r.Run(context.Background(), pipeline("dups", src, sink))[0]
	require.NoError(t, res.Err)
	require.Equal(t, map[string]int64{"staging.test_items": 2}, res.Duplicates)
	require.Nil(t, res.Stale)
	seen := 0
	for _, e := range events {
		seen += e.Duplicates
	}
	require.Equal(t, 2, seen, "the observer sees the duplicates of every batch")
	require.Equal(t, 1, strings.Count(log.String(), "same key in one batch"), log.String())
	require.Contains(t, log.String(), "table=staging.test_items")
	require.Contains(t, log.String(), "key=ORD00001/SKU-x")
	require.Contains(t, log.String(), "duplicates=2", "the pipeline's summary line counts them")
	var n int
	require.NoError(t, sink.DB().QueryRow(`SELECT count(*) FROM test_items WHERE order_id IN ('ORD00001', 'ORD00004')`).Scan(&n))
	require.Equal(t, 4, n, "one row per key is stored")
}
