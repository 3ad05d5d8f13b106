package misa_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/simfault"
	"github.com/facolos/etl/misa"
	"github.com/facolos/etl/misa/misatest"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/stretchr/testify/require"
)

// A full pass with pages in flight at once (answers arriving out of order):
// the same contents, and per entity the pages there are plus at most the
// end-of-pass check of page 0 and one page per request kept in flight past
// the end.
func TestConcurrentFullPass(t *testing.T) {
	sim := newSim(t, misatest.Options{Customers: 450, SaleOrders: 140, Contacts: 30, Products: 1, Stock: 1,
		Faults: simfault.Options{Jitter: 3 * time.Millisecond}})
	sink := openSink(t, sqlite.Config{})
	cfg := config(sim, nil, connector.HTTPConfig{})
	cfg.Concurrency = 4
	src, err := misa.NewSource(cfg)
	require.NoError(t, err)
	res := run(t, runner(connector.Full), pipeline(src, sink))
	requireSame(t, expected(sim), actual(t, sink))
	for path, n := range map[string]int{misa.PathCustomers: 450, misa.PathSaleOrders: 140} {
		pages := int64(n/100 + 2) // the last one empty
		calls := res.APICalls[misatest.BasePath+path]
		require.GreaterOrEqual(t, calls, pages+1, "%s: every page and the check of page 0", path)
		require.LessOrEqual(t, calls, pages+1+int64(cfg.Concurrency-1), path)
	}
	require.Equal(t, int64(2), res.APICalls[misatest.BasePath+misa.PathContacts], "a one-page list: its page and the empty page")
	require.Zero(t, src.Stats()["passes_repeated"])
	raw, err := sink.LoadCheckpoint(context.Background(), pipeName, misa.StreamCustomers)
	require.NoError(t, err)
	var cp misa.Checkpoint
	require.NoError(t, json.Unmarshal(raw, &cp))
	require.Nil(t, cp.Pass)
	require.NotEmpty(t, cp.Watermark)
}

// Records modified while a concurrent pass reads move to the head of the
// newest-first list and push the others down: a page answered after a later
// page may then miss the record pushed across their boundary. The check of
// page 0 at the end sees the new head and reads the list again one page at a
// time, so the full load alone stores every record as it is now.
func TestConcurrentPassListShiftsReadAgain(t *testing.T) {
	var sim *misatest.Server
	var shifted atomic.Bool
	sim = newSim(t, misatest.Options{Customers: 450, SaleOrders: 1, Contacts: 1, Products: 1, Stock: 1,
		Faults: simfault.Options{Jitter: 3 * time.Millisecond},
		OnList: func(entity string, page int) {
			if entity == misatest.Customers && page == 3 && shifted.CompareAndSwap(false, true) {
				sim.Modify(entity, 9)
			}
		}})
	sink := openSink(t, sqlite.Config{})
	cfg := config(sim, nil, connector.HTTPConfig{})
	cfg.Concurrency = 4
	src, err := misa.NewSource(cfg)
	require.NoError(t, err)
	run(t, runner(connector.Full), pipeline(src, sink))
	require.True(t, shifted.Load())
	require.Equal(t, int64(1), src.Stats()["passes_repeated"])
	requireSame(t, expected(sim), actual(t, sink))
}

// Concurrency on, 10 % of the calls failing the way networks fail, and
// crashes at random commits: the resumed runs end with the contents of an
// uninterrupted load, and every committed checkpoint of the customers
// stream covers only stored records (a pass at page p: the p*100 newest; a
// watermark: every record modified at or before it).
func TestConcurrentFaultsCrashesCheckpointNeverAhead(t *testing.T) {
	sim := newSim(t, misatest.Options{Customers: 350, SaleOrders: 120, Contacts: 1, Products: 1, Stock: 1,
		Faults: simfault.Options{Rate: 0.1, RetryAfter: time.Millisecond, Jitter: 2 * time.Millisecond}})
	type cust struct {
		id  string
		mod time.Time
	}
	var custs []cust
	for _, r := range sim.Records(misatest.Customers) {
		mod := time.Time(r["modified_date"].(misatest.Date)).Truncate(time.Millisecond) // as sent
		custs = append(custs, cust{fmt.Sprint(r["id"]), mod})
	}
	sort.Slice(custs, func(i, j int) bool { return custs[i].mod.After(custs[j].mod) })
	rnd := rand.New(rand.NewPCG(5, 6))
	// The first commit crashes, then random ones: at least one crash
	// however the commits fall.
	var crash, first atomic.Bool
	crash.Store(true)
	first.Store(true)
	errCrash := errors.New("simulated crash before commit")
	sink := openSink(t, sqlite.Config{BeforeCommit: func(context.Context, *connector.Batch) error {
		if crash.Load() && (first.CompareAndSwap(true, false) || rnd.IntN(8) == 0) {
			return errCrash
		}
		return nil
	}})
	cfg := config(sim, nil, connector.HTTPConfig{Timeout: 2 * time.Second, Attempts: 10, MaxRetryAfter: 10 * time.Millisecond})
	cfg.Concurrency = 4
	src, err := misa.NewSource(cfg)
	require.NoError(t, err)
	checked := 0
	r := &connector.Runner{Mode: connector.Full, BatchSize: 100, Logger: quiet, Observer: func(e connector.Event) {
		if e.Kind != connector.BatchWritten || e.Stream != misa.StreamCustomers {
			return
		}
		raw, err := sink.LoadCheckpoint(context.Background(), pipeName, misa.StreamCustomers)
		if err != nil || raw == nil {
			return
		}
		var cp misa.Checkpoint
		if json.Unmarshal(raw, &cp) != nil {
			return
		}
		stored := map[string]bool{}
		rows, err := sink.DB().Query(`SELECT id FROM "misa_customers"`)
		if err != nil {
			return
		}
		for rows.Next() {
			var id int64
			if rows.Scan(&id) == nil {
				stored[fmt.Sprint(id)] = true
			}
		}
		rows.Close()
		for i, c := range custs {
			covered := false
			switch {
			case cp.Pass != nil:
				covered = i < cp.Pass.Page*misa.PageSize
			case cp.Watermark != "":
				wm, _ := time.Parse(time.RFC3339Nano, cp.Watermark)
				covered = !c.mod.After(wm)
			}
			if covered && !stored[c.id] {
				t.Errorf("checkpoint %s covers customer %s, which is not stored", raw, c.id)
				return
			}
		}
		checked++
	}}
	crashes := 0
	for {
		require.Less(t, crashes, 100, "no progress")
		res := r.Run(context.Background(), pipeline(src, sink))[0]
		if res.Err == nil {
			break
		}
		require.ErrorIs(t, res.Err, errCrash)
		crashes++
		r.Mode = connector.Incremental // resume from the checkpoint
	}
	t.Logf("%d crashes, %d checkpoints checked", crashes, checked)
	require.Positive(t, crashes)
	require.Positive(t, checked)
	// The fault sequence is seeded: whichever request it falls on, the 4th
	// request of the run is answered with a fault.
	faults := 0
	for _, n := range sim.Faults() {
		faults += n
	}
	require.Positive(t, faults, "faults injected: %v", sim.Faults())
	requireSame(t, expected(sim), actual(t, sink))
}
