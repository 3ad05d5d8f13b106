package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// etl_api_calls_total counts the requests by endpoint and outcome, and they
// add up to the report's api_calls; with faults injected, some requests are
// retried or throttled.
func TestMetricsAPICallOutcomes(t *testing.T) {
	t.Parallel()
	o := opts(t)
	o.demoOrders, o.demoSeed, o.demoFaults = 30, 7, 0.2
	o.metrics = "127.0.0.1:0"
	o.healthyWithin = time.Hour
	var body string
	o.afterRound = func(addr string) { body = get(t, "http://"+addr+"/metrics", nil) }
	p := runOnce(t, o, env{}).Pipelines[0]
	require.Equal(t, "ok", p.Status, p.Error)
	require.NotEmpty(t, p.APICalls)
	var notOK int64
	for ep, calls := range p.APICalls {
		var sum int64
		for outcome, n := range p.Outcomes[ep] {
			sum += n
			if outcome != "ok" {
				notOK += n
			}
			require.Contains(t, body, fmt.Sprintf(`etl_api_calls_total{account=%q,endpoint=%q,outcome=%q,platform="shopee"} %d`, p.Account, ep, outcome, n))
		}
		require.Equal(t, calls, sum, "the outcomes of %s add up to its calls", ep)
	}
	require.Positive(t, notOK, "faults were injected: some calls were retried or throttled")
	require.Contains(t, body, `outcome="ok"`)
	require.NotContains(t, body, `outcome="unknown"`)
}
