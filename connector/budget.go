package connector

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Budget is the request budget of one platform app, shared by every client
// (every shop) of that app: a token bucket whose rate adapts to the platform
// by additive increase and multiplicative decrease (AIMD). A throttled
// answer (HTTP 429 or a platform's throttling code) halves the rate (once
// per two calls' time at the new rate, at most once a second); successful
// answers then grow the rate back by a twentieth of the configured rate per
// second, up to the configured rate (slowly, so that a platform limit below
// the configured rate costs a 429 every few hundred calls, not every few).
// The budget throttles by rate only: an answer's Retry-After pauses the
// Client that got it, never the app's other shops. It is safe for
// concurrent use.
type Budget struct {
	max   rate.Limit
	floor rate.Limit
	lim   *rate.Limiter

	mu       sync.Mutex
	cur      rate.Limit
	lastCut  time.Time
	lastGrow time.Time

	throttled atomic.Int64
}

// NewBudget returns a budget of perSecond requests per second with the given
// burst (at least 1). perSecond <= 0 means unlimited: Wait never waits, but
// throttles are still counted.
func NewBudget(perSecond float64, burst int) *Budget {
	if burst < 1 {
		burst = 1
	}
	b := &Budget{max: rate.Inf, cur: rate.Inf}
	if perSecond > 0 {
		b.max = rate.Limit(perSecond)
		b.cur = b.max
		b.floor = b.max / 64
	}
	b.lim = rate.NewLimiter(b.cur, burst)
	return b
}

var (
	budgetsMu   sync.Mutex
	budgets     = map[string]*Budget{}
	budgetShare = 1
)

// ShareBudgets makes every budget SharedBudget creates from now on take
// 1/workers of the rate it is given: with the accounts of an app split over
// that many worker processes (Shard), together they stay within the app's
// limit. Budgets already created keep their rate.
func ShareBudgets(workers int) {
	budgetsMu.Lock()
	defer budgetsMu.Unlock()
	budgetShare = max(workers, 1)
}

// SharedBudget returns the process-wide budget registered under key (by
// convention "platform/app id", e.g. "shopee/2001887"), creating it with
// perSecond and burst on first use; later calls with the same key share it
// whatever rate they pass, so the first account of an app that sets a rate
// sets the app's rate.
func SharedBudget(key string, perSecond float64, burst int) *Budget {
	budgetsMu.Lock()
	defer budgetsMu.Unlock()
	if b, ok := budgets[key]; ok {
		return b
	}
	if budgetShare > 1 && perSecond > 0 {
		perSecond /= float64(budgetShare)
	}
	b := NewBudget(perSecond, burst)
	budgets[key] = b
	return b
}

// Wait blocks until a request may be sent within the current rate.
func (b *Budget) Wait(ctx context.Context) error {
	return b.lim.Wait(ctx)
}

// Throttle records a throttled answer: the rate is halved (not again within
// two calls' time at the new rate, never below 1/64 of the configured
// rate).
func (b *Budget) Throttle() {
	b.throttled.Add(1)
	now := time.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	// One cut per round trip at the new rate: the answers to calls already
	// sent at the old rate must not cut it again.
	if b.max == rate.Inf || now.Sub(b.lastCut) < min(time.Second, time.Duration(2*float64(time.Second)/float64(b.cur))) {
		return
	}
	b.lastCut, b.lastGrow = now, now
	b.cur = max(b.cur/2, b.floor)
	b.lim.SetLimit(b.cur)
}

// Success records a successful answer: the rate grows by a twentieth of the
// configured rate per second since the last change, up to it.
func (b *Budget) Success() {
	if b.max == rate.Inf {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cur >= b.max {
		return
	}
	now := time.Now()
	b.cur = min(b.cur+b.max/20*rate.Limit(now.Sub(b.lastGrow).Seconds()), b.max)
	b.lastGrow = now
	b.lim.SetLimit(b.cur)
}

// Rate returns the current rate in requests per second (+Inf when
// unlimited).
func (b *Budget) Rate() float64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return float64(b.cur)
}

// Throttled returns how many throttled answers the budget has seen.
func (b *Budget) Throttled() int64 { return b.throttled.Load() }
