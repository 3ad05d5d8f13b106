package shopee_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/shopee"
	"github.com/facolos/etl/shopee/shopeetest"
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

// A panic in a detail worker (a goroutine the source starts itself) fails
// the pipeline with a PanicError instead of ending the process.
func TestPanicInDetailWorkerFailsThePipeline(t *testing.T) {
	sim := newSim(t, shopeetest.Options{Orders: 120})
	src := sourceFor(t, sim, nil, connector.HTTPConfig{Transport: panicOn(shopee.PathOrderDetail)})
	res := runner(connector.Full).Run(context.Background(), connector.Pipeline{Name: "shopee/panic", Source: src, Transformer: shopee.Transformer{}, Sink: openSink(t)})[0]
	var pe *connector.PanicError
	require.ErrorAs(t, res.Err, &pe)
	require.Equal(t, "shopee detail worker", pe.Where)
	require.Equal(t, connector.StatusFailed, res.Status)
}
