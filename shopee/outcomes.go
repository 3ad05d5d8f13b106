package shopee

// APICallOutcomes returns the number of HTTP requests sent per endpoint path
// and outcome (connector.OutcomeOK, ...), retries included.
func (c *Client) APICallOutcomes() map[string]map[string]int64 { return c.http.APICallOutcomes() }

// APICallOutcomes implements connector.APIOutcomeSource.
func (s *Source) APICallOutcomes() map[string]map[string]int64 { return s.c.APICallOutcomes() }
