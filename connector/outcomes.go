package connector

import (
	"context"
	"net/http"
	"sync"
)

// Outcomes of the requests a Client sends (APICallOutcomes). Every request
// sent has exactly one, so per endpoint they add up to APICalls.
const (
	// OutcomeOK: the answer ended the call successfully (2xx or 3xx).
	OutcomeOK = "ok"
	// OutcomeRetried: the attempt failed in a way that is retried (transport
	// error, timeout, 5xx, a truncated or non-JSON body) and another attempt
	// followed.
	OutcomeRetried = "retried"
	// OutcomeThrottled: the platform answered HTTP 429 (retried while
	// attempts remain). Throttling codes inside a 2xx answer count as ok
	// here and in Client.Throttled.
	OutcomeThrottled = "throttled"
	// OutcomeFailed: the attempt ended the call with a failure: an answer
	// that is not retried (4xx other than 429, 501), or the last retryable
	// failure when the attempts ran out or the context ended.
	OutcomeFailed = "failed"
)

type outcomesKey struct{}

// callOutcomes collects the outcome of every attempt of one call to Do.
type callOutcomes struct {
	mu       sync.Mutex
	sent     bool     // an attempt was sent and not yet classified
	outcomes []string // per attempt, the last one provisional until Do ends
}

// attemptSent is called by the transport when an attempt goes out.
func attemptSent(ctx context.Context) {
	if co, ok := ctx.Value(outcomesKey{}).(*callOutcomes); ok {
		co.mu.Lock()
		co.sent = true
		co.mu.Unlock()
	}
}

// classifyAttempt records the outcome of the attempt just answered (or
// failed); retry is whether it is a retryable failure. An attempt that was
// never sent (the budget's wait was cancelled) is not classified.
func classifyAttempt(ctx context.Context, resp *http.Response, err error, retry bool) {
	co, ok := ctx.Value(outcomesKey{}).(*callOutcomes)
	if !ok {
		return
	}
	co.mu.Lock()
	defer co.mu.Unlock()
	if !co.sent {
		return
	}
	co.sent = false
	o := OutcomeOK
	switch {
	case err == nil && resp != nil && resp.StatusCode == http.StatusTooManyRequests:
		o = OutcomeThrottled
	case retry || err != nil:
		o = OutcomeRetried
	case resp != nil && resp.StatusCode >= 400:
		o = OutcomeFailed
	}
	co.outcomes = append(co.outcomes, o)
}

// finish counts the call's outcomes under endpoint: a retryable failure
// that no attempt followed failed the call; failed forces the last attempt
// to failed (its body could not be read).
func (c *Client) finishOutcomes(endpoint string, co *callOutcomes, failed bool) {
	co.mu.Lock()
	out := co.outcomes
	co.mu.Unlock()
	if n := len(out); n > 0 && (out[n-1] == OutcomeRetried || (failed && out[n-1] == OutcomeOK)) {
		out[n-1] = OutcomeFailed
	}
	if len(out) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.outcomes == nil {
		c.outcomes = map[string]map[string]int64{}
	}
	m := c.outcomes[endpoint]
	if m == nil {
		m = map[string]int64{}
		c.outcomes[endpoint] = m
	}
	for _, o := range out {
		m[o]++
	}
}

// APICallOutcomes returns, per endpoint path, the number of requests sent
// by outcome (OutcomeOK, OutcomeRetried, OutcomeThrottled, OutcomeFailed)
// since the client was created. The counts of an endpoint add up to its
// APICalls once its calls have returned.
func (c *Client) APICallOutcomes() map[string]map[string]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]map[string]int64, len(c.outcomes))
	for ep, m := range c.outcomes {
		cp := make(map[string]int64, len(m))
		for k, v := range m {
			cp[k] = v
		}
		out[ep] = cp
	}
	return out
}

// APIOutcomeSource is implemented by sources that count their requests by
// outcome (usually by delegating to Client.APICallOutcomes). The runner
// reports the difference over a run in Result.APICallOutcomes.
type APIOutcomeSource interface {
	APICallOutcomes() map[string]map[string]int64
}

// diffOutcomes returns after - before, leaving out zero counts.
func diffOutcomes(after, before map[string]map[string]int64) map[string]map[string]int64 {
	out := map[string]map[string]int64{}
	for ep, m := range after {
		for o, v := range m {
			if d := v - before[ep][o]; d > 0 {
				if out[ep] == nil {
					out[ep] = map[string]int64{}
				}
				out[ep][o] = d
			}
		}
	}
	return out
}
