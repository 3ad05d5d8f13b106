// Package simfault is the fault layer every platform simulator shares: it
// makes a simulator behave like a real service on a real network, so that
// clients are tested rather than flattered.
//
// An Injector, consulted at the start of each request, adds latency (fixed
// plus jitter) and, at a configured rate, answers with a fault shaped like
// the ones production networks produce: a connection dropped mid-body, a
// 502 or 503 with an HTML body from a proxy, a hang past the client's
// timeout, an HTTP 500 with the platform's JSON error, a 429 with or without
// Retry-After, or a 200 whose JSON body is cut short. The platform supplies
// how its own JSON errors look (Platform); everything else is generic.
//
// CheckTimestamp checks a request timestamp against the real wall clock,
// independent of any simulated data clock, as the real services do.
package simfault

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"
)

// Kind is a kind of fault.
type Kind string

// The fault kinds.
const (
	// Drop sends the status line, headers announcing a longer body and a
	// prefix of a JSON body, then closes the connection.
	Drop Kind = "drop"
	// HTML502 and HTML503 are a proxy's error pages (text/html).
	HTML502 Kind = "html_502"
	HTML503 Kind = "html_503"
	// Hang holds the request without answering for Options.HangFor (or
	// until the client gives up), then answers as the gateway in front of
	// the platform does when its own wait ends: an HTML 504.
	Hang Kind = "hang"
	// Server500 is the platform's own JSON server error (Platform.Error).
	Server500 Kind = "500"
	// Throttle429 is the platform's throttling answer with a Retry-After
	// header; Throttle429Bare the same without it.
	Throttle429     Kind = "429"
	Throttle429Bare Kind = "429_no_retry_after"
	// Truncated answers 200 with a JSON body cut in the middle and an
	// honest Content-Length (the handler's body is not sent).
	Truncated Kind = "truncated"
)

// AllKinds lists every kind, the default set of Options.Kinds.
var AllKinds = []Kind{Drop, HTML502, HTML503, Hang, Server500, Throttle429, Throttle429Bare, Truncated}

// Platform renders the platform-specific answers.
type Platform interface {
	// Error writes the platform's JSON error for an HTTP status (500 for a
	// server error, 429 for throttling). Headers such as Retry-After are
	// already set when Error is called.
	Error(w http.ResponseWriter, status int)
}

// ErrorFunc adapts a function to Platform.
type ErrorFunc func(w http.ResponseWriter, status int)

// Error calls f.
func (f ErrorFunc) Error(w http.ResponseWriter, status int) { f(w, status) }

// Options configure an Injector. The zero value injects nothing and adds no
// latency.
type Options struct {
	// Rate is the share of requests answered with a fault, in [0, 1].
	Rate float64
	// Kinds are the faults to choose from, uniformly (default AllKinds).
	Kinds []Kind
	// HangFor is how long a Hang lasts (default 35 s).
	HangFor time.Duration
	// RetryAfter is the Retry-After of a Throttle429 (default 1 s).
	RetryAfter time.Duration
	// Latency is added to every request, plus a uniform random extra of up
	// to Jitter.
	Latency, Jitter time.Duration
	// Seed makes the fault sequence deterministic.
	Seed int64
}

// Injector decides and renders faults. It is safe for concurrent use.
type Injector struct {
	opts     Options
	platform Platform

	mu     sync.Mutex
	rnd    *rand.Rand
	counts map[Kind]int
	calls  int
}

// New returns an Injector for opts, rendering platform errors with p.
func New(opts Options, p Platform) *Injector {
	if len(opts.Kinds) == 0 {
		opts.Kinds = AllKinds
	}
	if opts.HangFor <= 0 {
		opts.HangFor = 35 * time.Second
	}
	if opts.RetryAfter <= 0 {
		opts.RetryAfter = time.Second
	}
	return &Injector{opts: opts, platform: p, rnd: rand.New(rand.NewPCG(uint64(opts.Seed), 0x51f4a17)), counts: map[Kind]int{}}
}

// SetRate changes the fault rate (tests turn faults on and off).
func (in *Injector) SetRate(rate float64) {
	in.mu.Lock()
	in.opts.Rate = rate
	in.mu.Unlock()
}

// Next decides the fault of one request: "" for none. Callers that render
// faults themselves use it; most call Inject.
func (in *Injector) Next(allowed ...Kind) Kind {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.calls++
	if in.opts.Rate <= 0 || in.rnd.Float64() >= in.opts.Rate {
		return ""
	}
	kinds := in.opts.Kinds
	if len(allowed) > 0 {
		kinds = intersect(kinds, allowed)
		if len(kinds) == 0 {
			return ""
		}
	}
	k := kinds[in.rnd.IntN(len(kinds))]
	in.counts[k]++
	return k
}

func intersect(a, b []Kind) []Kind {
	var out []Kind
	for _, x := range a {
		for _, y := range b {
			if x == y {
				out = append(out, x)
			}
		}
	}
	return out
}

// Delay sleeps the configured latency (or until the request ends).
func (in *Injector) Delay(r *http.Request) {
	if in.opts.Latency <= 0 && in.opts.Jitter <= 0 {
		return
	}
	d := in.opts.Latency
	if in.opts.Jitter > 0 {
		in.mu.Lock()
		d += time.Duration(in.rnd.Int64N(int64(in.opts.Jitter) + 1))
		in.mu.Unlock()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-r.Context().Done():
	case <-t.C:
	}
}

// Inject adds the latency, then decides whether this request gets a fault
// and, if so, answers it. It reports whether the request was answered; the
// handler must then return at once. allowed restricts the kinds for this
// request (for example no Truncated on an endpoint whose answer must not be
// half-applied); none means every configured kind.
func (in *Injector) Inject(w http.ResponseWriter, r *http.Request, allowed ...Kind) bool {
	in.Delay(r)
	k := in.Next(allowed...)
	if k == "" {
		return false
	}
	in.Render(w, r, k)
	return true
}

// Render answers r with fault k.
func (in *Injector) Render(w http.ResponseWriter, r *http.Request, k Kind) {
	switch k {
	case Drop:
		DropMidBody(w, []byte(`{"code":0,"message":"","data":{"orders":[{"id":"5`), 4096)
	case HTML502:
		HTML(w, http.StatusBadGateway)
	case HTML503:
		HTML(w, http.StatusServiceUnavailable)
	case Hang:
		// Read the request to its end first: the server notices that the
		// client gave up (and ends r's context) only once it has.
		_, _ = io.Copy(io.Discard, r.Body)
		t := time.NewTimer(in.opts.HangFor)
		defer t.Stop()
		select {
		case <-r.Context().Done():
		case <-t.C:
			HTML(w, http.StatusGatewayTimeout)
		}
	case Server500:
		in.platform.Error(w, http.StatusInternalServerError)
	case Throttle429:
		w.Header().Set("Retry-After", strconv.Itoa(int((in.opts.RetryAfter+time.Second-1)/time.Second)))
		in.platform.Error(w, http.StatusTooManyRequests)
	case Throttle429Bare:
		in.platform.Error(w, http.StatusTooManyRequests)
	case Truncated:
		body := []byte(`{"code":0,"message":"Success","data":{"orders":[{"id":"57`)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	default:
		panic(fmt.Sprintf("simfault: unknown kind %q", k))
	}
}

// Counts returns how many faults of each kind were injected.
func (in *Injector) Counts() map[string]int {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := make(map[string]int, len(in.counts))
	for k, v := range in.counts {
		out[string(k)] = v
	}
	return out
}

// Total returns the number of faults injected.
func (in *Injector) Total() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	n := 0
	for _, v := range in.counts {
		n += v
	}
	return n
}

// Kinds returns the kinds injected at least once, sorted.
func (in *Injector) Kinds() []string {
	c := in.Counts()
	out := make([]string, 0, len(c))
	for k := range c {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// DropMidBody answers 200 with headers announcing a body of announced
// bytes, sends prefix, and closes the connection: the client sees an
// unexpected EOF in the middle of the body, as when a network path breaks.
func DropMidBody(w http.ResponseWriter, prefix []byte, announced int) {
	if announced <= len(prefix) {
		announced = len(prefix) + 1024
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		// HTTP/2 or a recorder: the closest is a short body.
		w.Header().Set("Content-Length", strconv.Itoa(announced))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(prefix)
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	writeDropped(buf, prefix, announced)
}

func writeDropped(buf *bufio.ReadWriter, prefix []byte, announced int) {
	fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", announced)
	_, _ = buf.Write(prefix)
	_ = buf.Flush()
}

// HTML answers status with a proxy's HTML error page.
func HTML(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<html>\r\n<head><title>%d %s</title></head>\r\n<body>\r\n<center><h1>%d %s</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
		status, http.StatusText(status), status, http.StatusText(status))
}

// Window is how far a request timestamp may be from the real wall clock.
type Window struct {
	// Past is how old a timestamp may be; Future how far ahead.
	Past, Future time.Duration
}

// CheckTimestamp reports whether ts (Unix seconds, as the client sent it)
// is within w of the real wall clock now. It is independent of any
// simulated data clock: a client signing with the real time is accepted.
func CheckTimestamp(ts int64, now time.Time, w Window) error {
	t := time.Unix(ts, 0)
	if t.Before(now.Add(-w.Past)) {
		return fmt.Errorf("timestamp %d is %s older than the server's clock (allowed %s)", ts, now.Sub(t).Truncate(time.Second), w.Past)
	}
	if t.After(now.Add(w.Future)) {
		return fmt.Errorf("timestamp %d is %s ahead of the server's clock (allowed %s)", ts, t.Sub(now).Truncate(time.Second), w.Future)
	}
	return nil
}
