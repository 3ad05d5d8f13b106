package lazada_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/lazada/lazadatest"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/stretchr/testify/require"
)

// proxy forwards every request to the simulator; hook, when set, sees a
// created_at list request (by its offset) before it is forwarded and may
// rewrite its answer. It counts the list requests in flight.
type proxy struct {
	*httptest.Server
	mu            sync.Mutex
	inFlight, top int
	hook          func(offset int, answer map[string]any) bool
	before        func(offset int)
}

func newProxy(t *testing.T, sim *lazadatest.Server) *proxy {
	p := &proxy{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		list := r.URL.Path == lazadatest.Rest+lazadatest.PathOrders && q.Get("created_after") != "" && q.Get("update_after") == ""
		offset, _ := strconv.Atoi(q.Get("offset"))
		if list {
			p.mu.Lock()
			p.inFlight++
			p.top = max(p.top, p.inFlight)
			p.mu.Unlock()
			defer func() {
				p.mu.Lock()
				p.inFlight--
				p.mu.Unlock()
			}()
			if p.before != nil {
				p.before(offset)
			}
		}
		resp, err := http.Get(sim.URL + r.URL.Path[len(lazadatest.Rest):] + "?" + r.URL.RawQuery)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if list && p.hook != nil {
			var answer map[string]any
			if json.Unmarshal(body, &answer) == nil && p.hook(offset, answer) {
				body, _ = json.Marshal(answer)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(resp.StatusCode)
		_, _ = w.Write(body)
	}))
	t.Cleanup(p.Close)
	return p
}

// Once a window's first page has told its countTotal, its other pages are
// read at once: the page at offset 100 is answered only after the page at
// offset 300 was asked for. The read-ahead is bounded: with Concurrency 2,
// at most 2 × 2 pages are read or waiting for the merge, plus the first
// pages of windows read ahead.
func TestPagesOfAWindowReadAtOnce(t *testing.T) {
	sim := newSim(t, lazadatest.Options{Orders: 1000, Days: 1})
	p := newProxy(t, sim)
	third := make(chan struct{})
	var once sync.Once
	var atOnce atomic.Bool
	p.before = func(offset int) {
		switch offset {
		case 300:
			once.Do(func() { close(third) })
		case 100:
			// A fallback, not a synchronisation: read one after another,
			// the load goes on after it and the test fails below.
			select {
			case <-third:
				atOnce.Store(true)
			case <-time.After(10 * time.Second):
			}
		}
	}
	cfg := config(sim, nil, connector.HTTPConfig{})
	cfg.BaseURL, cfg.Concurrency = p.URL+lazadatest.Rest, 2
	src := sourceFor(t, cfg)
	sink := openSink(t, "", sqlite.Config{})
	require.NoError(t, run(t, src, sink).Err)
	requireSame(t, expected(sim.SellerID(), sim.Orders()), actual(t, sink))
	require.True(t, atOnce.Load(), "the pages after the first were read at once")
	require.Equal(t, 10, sim.Calls(lazadatest.PathOrders), "one window, ceil(1000/100) pages")
	require.LessOrEqual(t, p.top, 2*2+3, "list calls in flight")
}

// A window some page of which reports another countTotal than its first
// (an order appeared in it while its pages were read at once) is read
// again page by page: nothing is lost to the shift.
func TestWindowChangedWhileReadIsReadAgain(t *testing.T) {
	sim := newSim(t, lazadatest.Options{Orders: 345})
	p := newProxy(t, sim)
	var once sync.Once
	p.hook = func(offset int, answer map[string]any) bool {
		changed := false
		if offset == 200 {
			once.Do(func() {
				data := answer["data"].(map[string]any)
				data["countTotal"] = data["countTotal"].(float64) + 1
				changed = true
			})
		}
		return changed
	}
	cfg := config(sim, nil, connector.HTTPConfig{})
	cfg.BaseURL = p.URL + lazadatest.Rest
	src := sourceFor(t, cfg)
	sink := openSink(t, "", sqlite.Config{})
	require.NoError(t, run(t, src, sink).Err)
	requireSame(t, expected(sim.SellerID(), sim.Orders()), actual(t, sink))
	require.EqualValues(t, 1, src.Stats()["window_rereads"])
	require.Equal(t, 4+4, sim.Calls(lazadatest.PathOrders), "the window's 4 pages, then again")
}
