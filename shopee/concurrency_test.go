package shopee_test

import (
	"context"
	"encoding/json"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/shopee"
	"github.com/facolos/etl/shopee/shopeetest"
	"github.com/stretchr/testify/require"
)

// Detail batches are fetched several at once and complete out of order
// (jittered latency), yet records are emitted in list order, every
// checkpoint covers exactly what was emitted before it, and the number of
// detail calls stays the minimum.
func TestConcurrentDetailsInOrder(t *testing.T) {
	ctx := context.Background()
	sim := newSim(t, shopeetest.Options{Orders: 900, Days: 40, Latency: 5 * time.Millisecond, Jitter: 40 * time.Millisecond})
	var inFlight, peak atomic.Int64
	count := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.URL.Path == shopee.PathOrderDetail {
			n := inFlight.Add(1)
			defer inFlight.Add(-1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
		}
		return http.DefaultTransport.RoundTrip(r)
	})
	src := sourceFor(t, sim, nil, connector.HTTPConfig{Transport: count})
	orders := sim.Orders()
	created := map[string]int64{}
	for _, o := range orders {
		created[o.OrderSN] = o.CreateTime
	}
	var keys []string
	err := src.Streams()[0].Read(ctx, connector.ReadOptions{}, func(_ context.Context, p connector.Page) error {
		for _, r := range p.Records {
			keys = append(keys, r.Key)
		}
		if p.Checkpoint == nil {
			return nil
		}
		var cp shopee.Checkpoint
		require.NoError(t, json.Unmarshal(p.Checkpoint, &cp))
		if cp.Phase == "incremental" {
			require.Len(t, keys, len(orders), "the final checkpoint comes with the last order")
			return nil
		}
		// Everything created before the window of the checkpoint is emitted.
		before := 0
		for _, o := range orders {
			if o.CreateTime < cp.From {
				before++
			}
		}
		require.GreaterOrEqual(t, len(keys), before)
		for _, k := range keys[:before] {
			require.Less(t, created[k], cp.From+1)
		}
		return nil
	})
	require.NoError(t, err)
	require.Len(t, keys, len(orders))
	for i, o := range orders {
		require.Equal(t, o.OrderSN, keys[i], "record %d in list order", i)
	}
	require.Greater(t, peak.Load(), int64(1), "detail calls overlapped")
	require.Equal(t, (len(orders)+49)/50, sim.Calls(shopee.PathOrderDetail), "the minimum of detail calls")
}
