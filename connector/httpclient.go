package connector

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/facolos/etl/internal/jsonscan"
	"github.com/hashicorp/go-retryablehttp"
	"golang.org/x/time/rate"
)

// HTTPConfig configures a Client. The zero value gives the defaults.
type HTTPConfig struct {
	// Timeout of one attempt (default 30 s).
	Timeout time.Duration
	// Attempts is the total number of tries of a request (default 3).
	Attempts int
	// MinBackoff and MaxBackoff bound the exponential, jittered wait between
	// attempts (defaults 500 ms and 30 s).
	MinBackoff, MaxBackoff time.Duration
	// MaxRetryAfter caps the wait a server's Retry-After gets (default
	// DefaultRetryAfterLimit); a lower cap retries sooner than asked.
	MaxRetryAfter time.Duration
	// RetryAfterLimit: an answer whose Retry-After asks for a longer wait
	// fails the call at once with an error matching ErrRetryAfterTooLong
	// (default: the larger of MaxRetryAfter and DefaultRetryAfterLimit).
	RetryAfterLimit time.Duration
	// Sleep waits out a pause a server asked this client for (Retry-After)
	// before its next request; it returns ctx's error if ctx ends first
	// (default: a timer). Tests inject one to observe and release the wait.
	Sleep func(ctx context.Context, d time.Duration) error
	// RateLimit is the sustained request rate per second (0 = unlimited) and
	// Burst the burst size (default 1).
	RateLimit rate.Limit
	Burst     int
	// Budget, when set, replaces RateLimit and Burst: a budget shared with
	// the other clients of the same platform app (see SharedBudget), paced
	// by AIMD on throttled answers.
	Budget *Budget
	// MaxResponseBytes caps a response body (default 64 MiB).
	MaxResponseBytes int64
	// AcceptInvalidJSON turns off the check that a 2xx body is valid JSON
	// (an empty or truncated body is retried like a 5xx otherwise).
	AcceptInvalidJSON bool
	// Logger receives debug logs of calls and retries, with secrets redacted
	// (default slog.Default()).
	Logger *slog.Logger
	// Transport is the underlying round tripper (default a clean transport).
	Transport http.RoundTripper
}

// DefaultRetryAfterLimit is the longest Retry-After a Client waits unless
// configured otherwise: the longest window a platform's rate limit is
// counted over (a minute). A longer wait is a penalty that a sync run
// every 15 minutes cannot sit out attempt after attempt: the call fails at
// once (ErrRetryAfterTooLong) and the next run tries again.
const DefaultRetryAfterLimit = time.Minute

// ErrRetryAfterTooLong is matched (errors.Is) by the error of a call whose
// answer asked to be retried after longer than HTTPConfig.RetryAfterLimit.
var ErrRetryAfterTooLong = errors.New("the server asked to retry later than the Retry-After limit")

// Client is the HTTP client every platform package uses: retries with
// exponential backoff and jitter (go-retryablehttp) on 429, 5xx, timeouts and
// truncated bodies, honouring Retry-After; never on other 4xx (auth errors
// included); a rate limiter (x/time/rate); a cap on response size; a count of
// calls per endpoint; and redaction of secrets from logs and errors. It is
// safe for concurrent use.
//
// A Retry-After pauses this client (every request of the account it serves)
// for that long, never the other clients of its Budget: the shared budget
// only slows down (see Budget). A Retry-After beyond RetryAfterLimit is not
// waited: the call fails at once with ErrRetryAfterTooLong.
type Client struct {
	cfg    HTTPConfig
	rc     *retryablehttp.Client
	budget *Budget
	log    *slog.Logger

	pauseMu    sync.Mutex
	pauseUntil time.Time // a server asked this client to wait until then

	mu        sync.Mutex
	calls     map[string]int64
	outcomes  map[string]map[string]int64 // by endpoint, by outcome (outcomes.go)
	secrets   []string
	retries   atomic.Int64
	throttled atomic.Int64
}

// Response is a fully read HTTP response.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
	// Attempts is the number of requests sent for this call.
	Attempts int
}

// NewClient returns a Client for cfg.
func NewClient(cfg HTTPConfig) *Client {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = 3
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = 500 * time.Millisecond
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 30 * time.Second
	}
	if cfg.MaxRetryAfter <= 0 {
		cfg.MaxRetryAfter = DefaultRetryAfterLimit
	}
	if cfg.RetryAfterLimit <= 0 {
		cfg.RetryAfterLimit = max(cfg.MaxRetryAfter, DefaultRetryAfterLimit)
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	if cfg.MaxResponseBytes <= 0 {
		cfg.MaxResponseBytes = 64 << 20
	}
	if cfg.Burst <= 0 {
		cfg.Burst = 1
	}
	c := &Client{cfg: cfg, calls: map[string]int64{}, log: cfg.Logger}
	if c.log == nil {
		c.log = slog.Default()
	}
	c.budget = cfg.Budget
	if c.budget == nil {
		c.budget = NewBudget(float64(cfg.RateLimit), cfg.Burst)
	}
	base := cfg.Transport
	if base == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		// Sources keep several requests in flight to one host (TikTok
		// windows, Shopee detail calls, MISA pages and streams): keep
		// their connections for the next request instead of the default
		// 2 per host, which closes the rest and opens (and TLS-handshakes)
		// new ones all through a load.
		tr.MaxIdleConnsPerHost = IdleConnsPerHost
		base = tr
	}
	rc := retryablehttp.NewClient()
	// The attempt's timeout starts when the budget lets the request go (see
	// countingTransport), so waiting for the budget never times an attempt
	// out.
	rc.HTTPClient = &http.Client{Transport: &countingTransport{c: c, base: base}}
	rc.Logger = nil // retryablehttp logs URLs, which carry secrets
	rc.RetryMax = cfg.Attempts - 1
	rc.RetryWaitMin = cfg.MinBackoff
	rc.RetryWaitMax = cfg.MaxBackoff
	rc.CheckRetry = c.checkRetry
	rc.Backoff = c.backoff
	rc.ErrorHandler = retryablehttp.PassthroughErrorHandler
	rc.PrepareRetry = prepareRetry
	c.rc = rc
	return c
}

// AddSecret registers a literal secret value (a token, a key) that must never
// appear in logs or errors; Redact replaces it.
func (c *Client) AddSecret(s string) {
	if len(s) < 4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, have := range c.secrets {
		if have == s {
			return
		}
	}
	c.secrets = append(c.secrets, s)
}

// Redact removes registered secrets and well-known secret parameters from s.
func (c *Client) Redact(s string) string {
	c.mu.Lock()
	secrets := c.secrets
	c.mu.Unlock()
	for _, sec := range secrets {
		s = strings.ReplaceAll(s, sec, "[REDACTED]")
	}
	return Redact(s)
}

var (
	secretParam = regexp.MustCompile(`(?i)\b(access_token|refresh_token|sign|app_secret|partner_key|client_secret|code|x-tts-access-token|authorization)=([^&\s"']+)`)
	secretJSON  = regexp.MustCompile(`(?i)"(access_token|refresh_token|sign|app_secret|partner_key|client_secret|password)"\s*:\s*"[^"]*"`)
	bearer      = regexp.MustCompile(`(?i)\bbearer\s+[A-Za-z0-9._~+/=-]+`)
)

// Redact removes well-known secret parameters (access_token=, sign=, ...,
// "refresh_token":"...", Bearer tokens, passwords in URLs) from s.
func Redact(s string) string {
	s = redactPasswords(s) // see redact.go
	s = secretParam.ReplaceAllString(s, "$1=[REDACTED]")
	s = secretJSON.ReplaceAllString(s, `"$1":"[REDACTED]"`)
	return bearer.ReplaceAllString(s, "Bearer [REDACTED]")
}

// APICalls returns the number of requests sent per endpoint path (or the
// name WithEndpoint gave them), retries included.
func (c *Client) APICalls() map[string]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int64, len(c.calls))
	for k, v := range c.calls {
		out[k] = v
	}
	return out
}

// Retries returns how many requests were sent again after a retryable
// failure since the client was created.
func (c *Client) Retries() int64 { return c.retries.Load() }

// Throttled returns how many answers of this client were throttled (HTTP
// 429, or a throttling code the platform package reported with Throttle).
func (c *Client) Throttled() int64 { return c.throttled.Load() }

// Throttle tells the client that the platform throttled a call with a code
// in a successful HTTP answer (HTTP 429 is detected by the client itself):
// the shared budget's pace drops and, when retryAfter is positive, this
// client pauses that long (at most MaxRetryAfter); the other clients of the
// budget go on at the lower pace.
func (c *Client) Throttle(retryAfter time.Duration) {
	c.throttled.Add(1)
	c.budget.Throttle()
	c.pause(min(retryAfter, c.cfg.MaxRetryAfter))
}

// pause makes this client's next requests wait d (from now), unless a longer
// pause is already set.
func (c *Client) pause(d time.Duration) {
	if d <= 0 {
		return
	}
	until := time.Now().Add(d)
	c.pauseMu.Lock()
	if until.After(c.pauseUntil) {
		c.pauseUntil = until
	}
	c.pauseMu.Unlock()
}

// waitPause waits out the pause a server asked this client for, through
// HTTPConfig.Sleep; a pause extended meanwhile is waited too.
func (c *Client) waitPause(ctx context.Context) error {
	for {
		c.pauseMu.Lock()
		until := c.pauseUntil
		c.pauseMu.Unlock()
		d := time.Until(until)
		if d <= 0 {
			return nil
		}
		if err := c.cfg.Sleep(ctx, d); err != nil {
			return err
		}
		c.pauseMu.Lock()
		extended := c.pauseUntil.After(until)
		if !extended {
			c.pauseUntil = time.Time{} // waited out
		}
		c.pauseMu.Unlock()
		if !extended {
			return nil
		}
	}
}

// Attempts is how many requests one call may send (HTTPConfig.Attempts,
// default 3). A platform client that retries answers refused with a
// retryable code inside an HTTP success (an error envelope, which this
// client's retries do not see) gives a call as many.
func (c *Client) Attempts() int { return c.cfg.Attempts }

// MinBackoff is the first wait before a retry (HTTPConfig.MinBackoff,
// default 500 ms).
func (c *Client) MinBackoff() time.Duration { return c.cfg.MinBackoff }

// Sleep waits d, or until ctx ends (then it returns ctx's error). It is
// the default HTTPConfig.Sleep.
func Sleep(ctx context.Context, d time.Duration) error { return sleep(ctx, d) }

// sleep is the default HTTPConfig.Sleep.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// retryAfterError is the failure of an answer whose Retry-After exceeds the
// limit. It matches ErrRetryAfterTooLong.
type retryAfterError struct {
	status      int
	wait, limit time.Duration
}

func (e *retryAfterError) Error() string {
	return fmt.Sprintf("HTTP %d with Retry-After %s, beyond the %s limit: not waited, the call fails (the next run tries again)",
		e.status, e.wait.Round(time.Second), e.limit)
}

func (e *retryAfterError) Is(target error) bool { return target == ErrRetryAfterTooLong }

// Budget returns the request budget the client draws from.
func (c *Client) Budget() *Budget { return c.budget }

// TransportError is returned when no HTTP response could be obtained
// (connection refused, timeouts on every attempt, an oversized body, an
// answer asking to retry later than HTTPConfig.RetryAfterLimit). Its
// message never contains the URL or secrets.
type TransportError struct {
	Endpoint string
	Attempts int
	// Timeout is true when the last attempt timed out.
	Timeout bool
	msg     string
	cause   error // context errors only
}

// Error describes the failure without URL or secrets.
func (e *TransportError) Error() string {
	return fmt.Sprintf("%s: %s (after %d attempts)", e.Endpoint, e.msg, e.Attempts)
}

// Unwrap exposes context.Canceled / context.DeadlineExceeded when they caused
// the failure, and ErrRetryAfterTooLong.
func (e *TransportError) Unwrap() error { return e.cause }

type attemptsKey struct{}

type prepareKey struct{}

type endpointKey struct{}

// WithEndpoint returns a context that makes Do count and name the requests
// sent with it as endpoint instead of their URL path: an API whose path
// carries an id (/statements/{statement_id}/...) is counted as one
// endpoint, not one per id.
func WithEndpoint(ctx context.Context, endpoint string) context.Context {
	return context.WithValue(ctx, endpointKey{}, endpoint)
}

// endpointOf is the name a request is counted under: WithEndpoint's in
// ctx, or its path.
func endpointOf(ctx context.Context, path string) string {
	if e, ok := ctx.Value(endpointKey{}).(string); ok && e != "" {
		return e
	}
	return path
}

// PrepareFunc prepares a request again before it is retried, for example
// with a fresh timestamp and signature. It may replace req.URL and headers
// (assign a new *url.URL rather than modifying the old one, which the
// previous attempt may still read); the body is resent as it was.
type PrepareFunc func(req *http.Request) error

// WithPrepare returns a context that makes Do call fn on the request before
// every retry of it (not before the first attempt).
func WithPrepare(ctx context.Context, fn PrepareFunc) context.Context {
	return context.WithValue(ctx, prepareKey{}, fn)
}

func prepareRetry(req *http.Request) error {
	if fn, ok := req.Context().Value(prepareKey{}).(PrepareFunc); ok && fn != nil {
		return fn(req)
	}
	return nil
}

// Do sends req with retries and returns the final response, whatever its
// status. The error is non-nil only when no response could be obtained; it
// is then a *TransportError.
func (c *Client) Do(ctx context.Context, req *http.Request) (*Response, error) {
	endpoint := endpointOf(ctx, req.URL.Path)
	var attempts atomic.Int64
	ctx = context.WithValue(ctx, attemptsKey{}, &attempts)
	co := &callOutcomes{}
	ctx = context.WithValue(ctx, outcomesKey{}, co)
	rreq, err := retryablehttp.FromRequest(req.WithContext(ctx))
	if err != nil {
		return nil, &TransportError{Endpoint: endpoint, msg: c.Redact(err.Error())}
	}
	start := time.Now()
	resp, err := c.rc.Do(rreq)
	n := int(attempts.Load())
	if n > 1 {
		c.retries.Add(int64(n - 1))
	}
	if err != nil {
		c.finishOutcomes(endpoint, co, true)
		if resp != nil && resp.Body != nil {
			resp.Body.Close()
		}
		te := &TransportError{Endpoint: endpoint, Attempts: n, msg: c.Redact(innerError(err))}
		var ne interface{ Timeout() bool }
		if errors.As(err, &ne) && ne.Timeout() {
			te.Timeout = true
		}
		if ctx.Err() != nil {
			te.cause = ctx.Err()
		} else if errors.Is(err, ErrRetryAfterTooLong) {
			te.cause = err
			c.log.Warn("api call not retried: the server asked to wait too long", "endpoint", endpoint, "error", te.msg)
		}
		c.log.Debug("api call failed", "endpoint", endpoint, "attempts", n, "error", te.msg)
		return nil, te
	}
	defer resp.Body.Close()
	body, err := c.readBody(resp)
	c.finishOutcomes(endpoint, co, err != nil)
	if err != nil {
		return nil, &TransportError{Endpoint: endpoint, Attempts: n, msg: c.Redact(err.Error())}
	}
	c.log.Debug("api call", "endpoint", endpoint, "status", resp.StatusCode, "attempts", n, "duration", time.Since(start).Round(time.Millisecond))
	return &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: body, Attempts: n}, nil
}

// innerError drops the URL that *url.Error puts in front of the cause.
func innerError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Op + ": " + ue.Err.Error()
	}
	return err.Error()
}

var errTooLarge = errors.New("response body exceeds the size limit")

func (c *Client) readBody(resp *http.Response) ([]byte, error) {
	if b, ok := resp.Body.(*bufferedBody); ok {
		return b.data, nil
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxResponseBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if int64(len(data)) > c.cfg.MaxResponseBytes {
		return nil, errTooLarge
	}
	return data, nil
}

type bufferedBody struct {
	*bytes.Reader
	data []byte
}

func (bufferedBody) Close() error { return nil }

// checkRetry decides whether an attempt is retried: transport errors and
// timeouts, 429, 5xx (not 501) and 2xx bodies that are empty, truncated or
// not JSON.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (retry bool, _ error) {
	defer func() { classifyAttempt(ctx, resp, err, retry) }()
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		retry, perr := retryablehttp.DefaultRetryPolicy(ctx, resp, err)
		if retry {
			c.log.Debug("api call retried", "error", c.Redact(innerError(err)))
		}
		return retry, perr
	}
	// Buffer the body (bounded) so a truncated one can be retried and the
	// caller gets it without a second read.
	data, rerr := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxResponseBytes+1))
	resp.Body.Close()
	if int64(len(data)) > c.cfg.MaxResponseBytes {
		return false, errTooLarge
	}
	resp.Body = &bufferedBody{Reader: bytes.NewReader(data), data: data}
	endpoint := endpointOf(resp.Request.Context(), resp.Request.URL.Path)
	throttled := resp.StatusCode == http.StatusTooManyRequests
	if throttled {
		c.throttled.Add(1)
		c.budget.Throttle()
	} else if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		c.budget.Success()
	}
	if throttled || resp.StatusCode >= 500 {
		// The server's wait applies to this client only (a shop's penalty
		// never stalls the app's other shops); one beyond the limit fails
		// the call now rather than attempt after attempt.
		if ra, ok := retryAfter(resp.Header.Get("Retry-After")); ok {
			if ra > c.cfg.RetryAfterLimit {
				return false, &retryAfterError{status: resp.StatusCode, wait: ra, limit: c.cfg.RetryAfterLimit}
			}
			c.pause(min(ra, c.cfg.MaxRetryAfter))
		}
	}
	switch {
	case rerr != nil:
		c.log.Debug("api call retried", "endpoint", endpoint, "reason", "body read failed")
		return true, nil
	case resp.StatusCode == http.StatusTooManyRequests || (resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented):
		c.log.Debug("api call retried", "endpoint", endpoint, "status", resp.StatusCode)
		return true, nil
	case resp.StatusCode >= 200 && resp.StatusCode < 300 && !c.cfg.AcceptInvalidJSON && !jsonscan.Valid(data):
		// An empty body is not JSON either: a proxy or a server that gave
		// up answers 200 with nothing, and that is no answer.
		c.log.Debug("api call retried", "endpoint", endpoint, "reason", "invalid JSON body", "bytes", len(data))
		return true, nil
	}
	return false, nil
}

// backoff is 0 when the server sent Retry-After (checkRetry paused the
// client: the retry waits in the transport, with every other request of
// the client), otherwise min*2^attempt with full jitter, capped at max.
func (c *Client) backoff(min, max time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if _, ok := retryAfter(resp.Header.Get("Retry-After")); ok {
			return 0
		}
	}
	d := min << uint(attempt)
	if d <= 0 || d > max {
		d = max
	}
	return d/2 + rand.N(d/2+1)
}

func retryAfter(v string) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		return time.Duration(s * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}

// IdleConnsPerHost is how many idle connections per host the default
// transport keeps: more than the requests any source keeps in flight.
const IdleConnsPerHost = 64

// countingTransport applies the rate limit and counts every attempt.
type countingTransport struct {
	c    *Client
	base http.RoundTripper
}

func (t *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.c.waitPause(req.Context()); err != nil {
		return nil, err
	}
	if err := t.c.budget.Wait(req.Context()); err != nil {
		return nil, err
	}
	t.c.mu.Lock()
	t.c.calls[endpointOf(req.Context(), req.URL.Path)]++
	t.c.mu.Unlock()
	if n, ok := req.Context().Value(attemptsKey{}).(*atomic.Int64); ok {
		n.Add(1)
	}
	attemptSent(req.Context())
	// The timeout of one attempt covers sending it and reading its body.
	ctx, cancel := context.WithTimeout(req.Context(), t.c.cfg.Timeout)
	resp, err := t.base.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// cancelOnClose ends an attempt's timeout when its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}
