package reqhook_test

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/facolos/etl/internal/reqhook"
	"github.com/stretchr/testify/require"
)

// Fire runs once, before the Nth matching request reaches the server, and
// every matching request counted after it reaches the server after it,
// with many requests in flight at once.
func TestFiresBeforeNthMatchingRequest(t *testing.T) {
	var state atomic.Int64 // 0 before Fire, 1 after
	var mu sync.Mutex
	seenBy := map[string][]int64{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seenBy[r.URL.Path] = append(seenBy[r.URL.Path], state.Load())
		mu.Unlock()
	}))
	defer srv.Close()
	var fires atomic.Int64
	hook := &reqhook.Transport{Match: reqhook.PathIs("/search"), N: 5, Fire: func() {
		fires.Add(1)
		state.Store(1)
	}}
	client := &http.Client{Transport: hook}
	get := func(path string) {
		resp, err := client.Get(srv.URL + path)
		require.NoError(t, err)
		resp.Body.Close()
	}
	for i := 0; i < 4; i++ {
		get("/search")
		get("/other")
	}
	require.False(t, hook.Fired(), "only 4 matching requests so far")
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			get("/search")
		}()
	}
	wg.Wait()
	require.True(t, hook.Fired())
	require.Equal(t, int64(1), fires.Load())
	require.Equal(t, 20, hook.Seen())
	require.Equal(t, []int64{0, 0, 0, 0}, seenBy["/search"][:4])
	for _, s := range seenBy["/search"][4:] {
		require.Equal(t, int64(1), s, "a request counted after the Nth reached the server before Fire")
	}
	require.Len(t, seenBy["/other"], 4)
}
