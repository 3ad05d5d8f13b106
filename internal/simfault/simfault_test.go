package simfault_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/facolos/etl/internal/simfault"
	"github.com/stretchr/testify/require"
)

func jsonErr(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, `{"code":%d,"message":"fault"}`, status)
}

func serve(t *testing.T, k simfault.Kind) *http.Response {
	t.Helper()
	in := simfault.New(simfault.Options{Rate: 1, Kinds: []simfault.Kind{k}, HangFor: 2 * time.Second}, simfault.ErrorFunc(jsonErr))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if in.Inject(w, r) {
			return
		}
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	t.Cleanup(srv.Close)
	c := &http.Client{Timeout: 300 * time.Millisecond}
	resp, err := c.Get(srv.URL)
	if k == simfault.Hang {
		require.Error(t, err, "a hang must exceed the client's timeout")
		return nil
	}
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	require.Equal(t, 1, in.Counts()[string(k)])
	return resp
}

func TestKinds(t *testing.T) {
	resp := serve(t, simfault.Drop)
	_, err := io.ReadAll(resp.Body)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF, "a dropped connection ends the body early")

	resp = serve(t, simfault.HTML502)
	body, _ := io.ReadAll(resp.Body)
	require.Equal(t, 502, resp.StatusCode)
	require.Contains(t, resp.Header.Get("Content-Type"), "text/html")
	require.True(t, strings.HasPrefix(string(body), "<html>"))

	resp = serve(t, simfault.Throttle429)
	require.Equal(t, 429, resp.StatusCode)
	require.Equal(t, "1", resp.Header.Get("Retry-After"))
	resp = serve(t, simfault.Throttle429Bare)
	require.Equal(t, 429, resp.StatusCode)
	require.Empty(t, resp.Header.Get("Retry-After"))

	resp = serve(t, simfault.Truncated)
	body, err = io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.False(t, json.Valid(body))

	serve(t, simfault.Hang)
}

// A hang the client outwaits ends as the gateway in front of a platform
// ends it: a 504 page, never an empty 200.
func TestHangEndsInGatewayTimeout(t *testing.T) {
	in := simfault.New(simfault.Options{Rate: 1, Kinds: []simfault.Kind{simfault.Hang}, HangFor: 10 * time.Millisecond}, simfault.ErrorFunc(jsonErr))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !in.Inject(w, r) {
			_, _ = io.WriteString(w, `{"ok":true}`)
		}
	}))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusGatewayTimeout, resp.StatusCode)
	require.Contains(t, string(body), "504 Gateway Timeout")
}

func TestRateAndDeterminism(t *testing.T) {
	seq := func() []simfault.Kind {
		in := simfault.New(simfault.Options{Rate: 0.3, Seed: 7}, simfault.ErrorFunc(jsonErr))
		var out []simfault.Kind
		for i := 0; i < 1000; i++ {
			out = append(out, in.Next())
		}
		return out
	}
	a, b := seq(), seq()
	require.Equal(t, a, b)
	n := 0
	for _, k := range a {
		if k != "" {
			n++
		}
	}
	require.InDelta(t, 300, n, 60)
	in := simfault.New(simfault.Options{Rate: 1}, simfault.ErrorFunc(jsonErr))
	require.Equal(t, simfault.Kind(""), in.Next(simfault.Kind("none-configured")))
}

func TestCheckTimestamp(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	w := simfault.Window{Past: 5 * time.Minute, Future: 30 * time.Second}
	require.NoError(t, simfault.CheckTimestamp(now.Unix()-299, now, w))
	require.NoError(t, simfault.CheckTimestamp(now.Unix()+30, now, w))
	require.Error(t, simfault.CheckTimestamp(now.Unix()-301, now, w))
	require.Error(t, simfault.CheckTimestamp(now.Unix()+31, now, w))
}

func ExampleInjector() {
	in := simfault.New(simfault.Options{Rate: 1, Kinds: []simfault.Kind{simfault.HTML503}}, simfault.ErrorFunc(jsonErr))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if in.Inject(w, r) {
			return
		}
		_, _ = io.WriteString(w, `{}`)
	}))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("Content-Type"))
	// Output: 503 text/html; charset=utf-8
}
