// Package reqhook gives tests an event to synchronise on instead of a
// moment in time: an http.RoundTripper that runs a function before it
// forwards a chosen request ("expire the token before search 3", "expire the
// page tokens before the first request that carries one").
//
// The function runs once, before the Nth matching request is forwarded, and
// every matching request counted after it waits for it to finish: the Nth
// request and all later ones reach the server after the change, whatever
// the machine's load and however many requests are in flight.
package reqhook

import (
	"net/http"
	"sync"
)

// Transport counts the requests Match accepts and calls Fire before it
// forwards the Nth of them. Use it as connector.HTTPConfig.Transport.
type Transport struct {
	// Match selects the requests counted (nil: every request).
	Match func(*http.Request) bool
	// N is the 1-based number of the matching request Fire runs before
	// (0 is taken as 1).
	N int
	// Fire is the change made before the Nth matching request is sent.
	Fire func()
	// Base forwards the requests (nil: a transport that, like the
	// connector's default, keeps a connection for every request in flight).
	Base http.RoundTripper

	mu    sync.Mutex
	seen  int
	fired bool
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(r *http.Request) (*http.Response, error) {
	if t.Match == nil || t.Match(r) {
		t.mu.Lock()
		t.seen++
		if !t.fired && t.seen >= max(t.N, 1) {
			t.fired = true
			if t.Fire != nil {
				t.Fire()
			}
		}
		t.mu.Unlock()
	}
	base := t.Base
	if base == nil {
		base = keepAlive
	}
	return base.RoundTrip(r)
}

// keepAlive is the default Base: the standard transport keeps only two idle
// connections per host, so every concurrent request beyond two would open
// a new one.
var keepAlive = func() http.RoundTripper {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	return tr
}()

// Fired reports whether Fire has run.
func (t *Transport) Fired() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.fired
}

// Seen returns how many matching requests were counted.
func (t *Transport) Seen() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.seen
}

// PathIs matches the requests to a URL path.
func PathIs(path string) func(*http.Request) bool {
	return func(r *http.Request) bool { return r.URL.Path == path }
}
