package tiktok_test

import (
	"net/http"
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/facolos/etl/tiktok"
	"github.com/facolos/etl/tiktok/tiktoktest"
	"github.com/stretchr/testify/require"
)

// panicOn is a transport that panics on one endpoint (a hostile or broken
// transport a library user plugs in) and passes every other call through.
type panicOn string

func (p panicOn) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path == string(p) {
		panic("transport: " + r.URL.Path)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// A panic in a search worker (a goroutine the source starts itself) fails
// the pipeline with a PanicError instead of ending the process.
func TestPanicInSearchWorkerFailsThePipeline(t *testing.T) {
	sim := newSim(t, tiktoktest.Options{Orders: 60})
	src := sourceFor(t, sim, nil, connector.HTTPConfig{Transport: panicOn(tiktok.PathSearch)})
	res := run(t, &connector.Runner{Mode: connector.Full}, src, openSink(t, "", sqlite.Config{}))
	var pe *connector.PanicError
	require.ErrorAs(t, res.Err, &pe)
	require.Equal(t, "tiktok search worker", pe.Where)
	require.Equal(t, connector.StatusFailed, res.Status)
}
