package connector_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/stretchr/testify/require"
)

const secret = "SUPERSECRETTOKEN123"

func fastClient() *connector.Client {
	c := connector.NewClient(connector.HTTPConfig{MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, Timeout: 2 * time.Second})
	c.AddSecret(secret)
	return c
}

func get(t *testing.T, c *connector.Client, url string) (*connector.Response, error) {
	req, err := http.NewRequest(http.MethodGet, url+"/api/v2/order/get_order_list?access_token="+secret+"&sign=abcdef0123", nil)
	require.NoError(t, err)
	return c.Do(context.Background(), req)
}

func TestClientRetriesThrottlingAndServerErrors(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) {
		case 1:
			w.Header().Set("Retry-After", "0.05")
			w.WriteHeader(http.StatusTooManyRequests)
		case 2:
			w.WriteHeader(http.StatusBadGateway)
		default:
			w.Write([]byte(`{"ok":true}`))
		}
	}))
	defer srv.Close()
	c := fastClient()
	start := time.Now()
	resp, err := get(t, c, srv.URL)
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, 3, resp.Attempts)
	require.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond, "Retry-After honoured")
	require.Equal(t, int64(3), c.APICalls()["/api/v2/order/get_order_list"])
	require.Equal(t, int64(2), c.Retries())
}

func TestClientNoRetryOnAuthErrors(t *testing.T) {
	for _, status := range []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusBadRequest} {
		var n atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			w.WriteHeader(status)
			w.Write([]byte(`{"error":"error_auth"}`))
		}))
		resp, err := get(t, fastClient(), srv.URL)
		srv.Close()
		require.NoError(t, err)
		require.Equal(t, status, resp.StatusCode)
		require.Equal(t, int64(1), n.Load(), "status %d is not retried", status)
	}
}

func TestClientRetriesTruncatedBody(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Write([]byte(`{"response":{"order_li`))
			return
		}
		w.Write([]byte(`{"response":{}}`))
	}))
	defer srv.Close()
	resp, err := get(t, fastClient(), srv.URL)
	require.NoError(t, err)
	require.Equal(t, `{"response":{}}`, string(resp.Body))
	require.Equal(t, 2, resp.Attempts)
}

// An empty 2xx body (a proxy or a server that gave up answering 200 with
// nothing) is no answer: it is retried like a truncated one, and when every
// attempt gets one the caller sees it, to reject it, never a "no data".
func TestClientRetriesEmptyBody(t *testing.T) {
	for _, status := range []int{http.StatusOK, http.StatusNoContent} {
		var n atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) == 1 {
				w.WriteHeader(status)
				return
			}
			w.Write([]byte(`{"response":{}}`))
		}))
		resp, err := get(t, fastClient(), srv.URL)
		srv.Close()
		require.NoError(t, err)
		require.Equal(t, `{"response":{}}`, string(resp.Body), "status %d", status)
		require.Equal(t, 2, resp.Attempts, "status %d", status)
	}

	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Add(1) }))
	defer srv.Close()
	resp, err := get(t, fastClient(), srv.URL)
	require.NoError(t, err)
	require.Empty(t, resp.Body)
	require.Equal(t, 3, resp.Attempts, "every attempt is spent on an empty answer")
	require.Equal(t, int64(3), n.Load())
}

func TestClientTimeoutsAndSecretsNotInErrors(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-block
	}))
	defer srv.Close()
	defer close(block)
	c := connector.NewClient(connector.HTTPConfig{Timeout: 50 * time.Millisecond, MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond})
	_, err := get(t, c, srv.URL)
	require.Error(t, err)
	var te *connector.TransportError
	require.True(t, errors.As(err, &te))
	require.True(t, te.Timeout)
	require.Equal(t, 3, te.Attempts)
	require.NotContains(t, err.Error(), secret)
	require.NotContains(t, err.Error(), "abcdef0123")

	// Connection refused: the URL (with its secrets) is not in the error.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	l.Close()
	_, err = get(t, fastClient(), "http://"+addr)
	require.Error(t, err)
	require.NotContains(t, err.Error(), secret)
	require.NotContains(t, err.Error(), "abcdef0123")
	require.Contains(t, err.Error(), "/api/v2/order/get_order_list")
}

func TestClientContextCancel(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	c := connector.NewClient(connector.HTTPConfig{MinBackoff: time.Second, MaxBackoff: time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/x", nil)
	_, err := c.Do(ctx, req)
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestRedact(t *testing.T) {
	s := connector.Redact(`GET /x?access_token=abc&sign=def&shop_id=1 {"refresh_token":"ghi"} Authorization: Bearer eyJ.x.y sqlserver://sa:pw0rd@db:1433?database=x`)
	require.NotContains(t, s, "pw0rd")
	require.Contains(t, s, "sqlserver://sa:[REDACTED]@db:1433")
	require.NotContains(t, s, "abc")
	require.NotContains(t, s, "def")
	require.NotContains(t, s, "ghi")
	require.NotContains(t, s, "eyJ")
	require.Contains(t, s, "shop_id=1")
}

func TestClientRateLimit(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{}`)) }))
	defer srv.Close()
	c := connector.NewClient(connector.HTTPConfig{RateLimit: 50, Burst: 1})
	start := time.Now()
	for i := 0; i < 11; i++ {
		_, err := get(t, c, srv.URL)
		require.NoError(t, err)
	}
	// 11 requests at 50/s with a burst of 1 need at least 10 intervals of 20 ms.
	require.GreaterOrEqual(t, time.Since(start), 190*time.Millisecond, "the limiter spaces the requests")
}

// Requests in flight at once reuse their connections: rounds of 12
// concurrent requests open about 12 connections in all, not new ones every
// round (the standard transport keeps only 2 idle per host).
func TestClientKeepsConnectionsOfConcurrentRequests(t *testing.T) {
	var opened atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(2 * time.Millisecond)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			opened.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c := fastClient()
	const inFlight, rounds = 12, 20
	for range rounds {
		errs := make(chan error, inFlight)
		for range inFlight {
			go func() {
				resp, err := get(t, c, srv.URL)
				if err == nil && resp.StatusCode != http.StatusOK {
					err = errors.New(string(resp.Body))
				}
				errs <- err
			}()
		}
		for range inFlight {
			require.NoError(t, <-errs)
		}
	}
	require.LessOrEqual(t, opened.Load(), int64(2*inFlight), "connections opened for %d requests", inFlight*rounds)
}
