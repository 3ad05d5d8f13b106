package lazada_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/lazada"
	"github.com/facolos/etl/lazada/lazadatest"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/stretchr/testify/require"
)

// panicOn is a transport that panics on the paths ending in one suffix (a
// hostile or broken transport a library user plugs in) and passes every
// other call through.
type panicOn string

func (p panicOn) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, string(p)) {
		panic("transport: " + r.URL.Path)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// A panic in a worker the source starts itself (list pages, item calls)
// fails the pipeline with a PanicError instead of ending the process, and
// no checkpoint passes the orders whose items were being read.
func TestPanicInWorkersFailsThePipeline(t *testing.T) {
	for path, where := range map[string]string{lazada.PathOrderItems: "lazada item worker", lazada.PathOrders: "lazada"} {
		t.Run(strings.TrimPrefix(path, "/"), func(t *testing.T) {
			sim := newSim(t, lazadatest.Options{Orders: 300})
			src := sourceFor(t, config(sim, nil, connector.HTTPConfig{Transport: panicOn(path)}))
			sink := openSink(t, "", sqlite.Config{})
			res := run(t, src, sink)
			var pe *connector.PanicError
			require.ErrorAs(t, res.Err, &pe)
			require.Contains(t, pe.Where, where)
			require.Equal(t, connector.StatusFailed, res.Status)
			got := actual(t, sink)
			require.Contains(t, got, lazada.ItemsTable)
			require.Empty(t, got[lazada.ItemsTable], "no items stored")
		})
	}
}
