package lazada_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/lazada"
	"github.com/facolos/etl/lazada/lazadatest"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/stretchr/testify/require"
)

// failingSink stores the first n batches, then fails every write (a
// warehouse that went away mid-load).
type failingSink struct {
	*sqlite.Sink
	n int
}

var errGone = errors.New("warehouse gone")

func (f *failingSink) Write(ctx context.Context, b *connector.Batch) error {
	if f.n <= 0 {
		return errGone
	}
	f.n--
	return f.Sink.Write(ctx, b)
}

// A load that stops after a few stored pages resumes from its checkpoint:
// the checkpoint never passed an unstored page, so the resumed run
// completes the tables without reading the range from its start.
func TestResumeFromCheckpoint(t *testing.T) {
	sim := newSim(t, lazadatest.Options{Orders: 600})
	sink := openSink(t, "", sqlite.Config{})
	// Every checkpoint committed, as incremental runs do (a full load
	// coalesces them: its 600 orders would be one batch).
	r := &connector.Runner{Logger: quiet, FullLoadCheckpointInterval: -1}
	pipe := func(s connector.Sink) connector.Pipeline {
		return connector.Pipeline{Name: "lazada/seller", Platform: "lazada", Account: "seller",
			Source: sourceFor(t, config(sim, nil, connector.HTTPConfig{})), Transformer: lazada.Transformer{}, Sink: s}
	}
	res := r.Run(context.Background(), pipe(&failingSink{Sink: sink, n: 2}))[0]
	require.ErrorIs(t, res.Err, errGone)
	cp, err := sink.LoadCheckpoint(context.Background(), "lazada/seller", "orders")
	require.NoError(t, err)
	require.NotNil(t, cp, "the stored pages carried a checkpoint")
	var c lazada.Checkpoint
	require.NoError(t, json.Unmarshal(cp, &c))
	require.Equal(t, "full", c.Phase)
	require.Greater(t, c.From, simNow.AddDate(0, 0, -200).Unix(), "the checkpoint moved")
	before := len(sim.Lists())
	res = r.Run(context.Background(), pipe(sink))[0]
	require.NoError(t, res.Err)
	for _, l := range sim.Lists()[before:] {
		require.GreaterOrEqual(t, l.From, c.From, "resumed from the checkpoint, not started over")
	}
	requireSame(t, expected(sim.SellerID(), sim.Orders()), actual(t, sink))
}

// ApiCallLimit bans the API for a second: the client waits it out and the
// load completes.
func TestApiCallLimitWaitedOut(t *testing.T) {
	sim := newSim(t, lazadatest.Options{Orders: 150, RateLimit: 2})
	src := sourceFor(t, config(sim, nil, connector.HTTPConfig{}))
	sink := openSink(t, "", sqlite.Config{})
	res := run(t, src, sink)
	require.NoError(t, res.Err)
	require.Positive(t, sim.Rejections()["ApiCallLimit"])
	require.Positive(t, src.Stats()["throttled"])
	requireSame(t, expected(sim.SellerID(), sim.Orders()), actual(t, sink))
}

// The country picks the API host; an unknown country is refused.
func TestCountryHosts(t *testing.T) {
	for country, host := range map[string]string{"": "https://api.lazada.vn/rest", "VN": "https://api.lazada.vn/rest",
		"th": "https://api.lazada.co.th/rest", "my": "https://api.lazada.com.my/rest"} {
		c, err := lazada.NewClient(lazada.Config{AppKey: "k", AppSecret: "s", Country: country})
		require.NoError(t, err)
		require.Equal(t, host, c.BaseURL(), country)
	}
	_, err := lazada.NewClient(lazada.Config{AppKey: "k", AppSecret: "s", Country: "fr"})
	require.ErrorContains(t, err, `country "fr"`)
	_, _, err = lazada.ConfigFromEnv(func(k string) string {
		return map[string]string{"LAZADA_APP_KEY": "k", "LAZADA_APP_SECRET": "s", "LAZADA_ACCESS_TOKEN": "a", "LAZADA_SELLER_ID": "1",
			"LAZADA_COUNTRY": "fr"}[k]
	})
	require.ErrorContains(t, err, "LAZADA_COUNTRY")
}

// A page out of created_at order is an error: a checkpoint taken from it
// could pass orders not read yet.
func TestUnsortedPageRefused(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"code":"0","request_id":"r","data":{"count":2,"countTotal":2,"orders":[`+
			`{"order_id":2,"created_at":"2025-05-02 10:00:00 +0700","updated_at":"2025-05-02 10:00:00 +0700"},`+
			`{"order_id":1,"created_at":"2025-05-01 10:00:00 +0700","updated_at":"2025-05-01 10:00:00 +0700"}]}}`)
	}))
	defer srv.Close()
	src := sourceFor(t, lazada.Config{BaseURL: srv.URL, AuthURL: srv.URL, AppKey: "k", AppSecret: "s", AccessToken: "a", SellerID: "1",
		StartDate: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), Concurrency: 1, Logger: quiet, HTTP: connector.HTTPConfig{Logger: quiet}})
	res := run(t, src, openSink(t, "", sqlite.Config{}))
	require.ErrorIs(t, res.Err, lazada.ErrBadResponse)
	require.ErrorContains(t, res.Err, "out of created_at order")
}
