package connector_test

import (
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/stretchr/testify/require"
)

func TestHTTPConfigMerge(t *testing.T) {
	b := connector.NewBudget(5, 1)
	base := connector.HTTPConfig{Timeout: time.Second, Attempts: 3, RateLimit: 2, Burst: 1}
	got := base.Merge(connector.HTTPConfig{Attempts: 6, Budget: b})
	require.Equal(t, time.Second, got.Timeout, "unset fields keep the base")
	require.Equal(t, 6, got.Attempts)
	require.Same(t, b, got.Budget)
	require.EqualValues(t, 2, got.RateLimit)
}
