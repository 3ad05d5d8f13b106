package connector

// Merge returns c with every field that over sets (non-zero) taken from
// over: a platform driver's defaults overridden by what its caller shares
// (platform.Deps.HTTP). RateLimit and Burst travel together.
func (c HTTPConfig) Merge(over HTTPConfig) HTTPConfig {
	if over.Timeout > 0 {
		c.Timeout = over.Timeout
	}
	if over.Attempts > 0 {
		c.Attempts = over.Attempts
	}
	if over.MinBackoff > 0 {
		c.MinBackoff = over.MinBackoff
	}
	if over.MaxBackoff > 0 {
		c.MaxBackoff = over.MaxBackoff
	}
	if over.MaxRetryAfter > 0 {
		c.MaxRetryAfter = over.MaxRetryAfter
	}
	if over.RetryAfterLimit > 0 {
		c.RetryAfterLimit = over.RetryAfterLimit
	}
	if over.Sleep != nil {
		c.Sleep = over.Sleep
	}
	if over.RateLimit > 0 {
		c.RateLimit, c.Burst = over.RateLimit, over.Burst
	}
	if over.MaxResponseBytes > 0 {
		c.MaxResponseBytes = over.MaxResponseBytes
	}
	if over.Budget != nil {
		c.Budget = over.Budget
	}
	if over.Logger != nil {
		c.Logger = over.Logger
	}
	if over.Transport != nil {
		c.Transport = over.Transport
	}
	return c
}
