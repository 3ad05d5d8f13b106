package misa_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/misa"
	"github.com/facolos/etl/misa/misatest"
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

// A panic in a page fetcher (a goroutine the source starts itself) fails
// the pipeline with a PanicError instead of ending the process.
func TestPanicInPageFetcherFailsThePipeline(t *testing.T) {
	sim := newSim(t, misatest.Options{Customers: 30, SaleOrders: 10, Contacts: 10, Products: 10})
	src := sourceFor(t, sim, nil, connector.HTTPConfig{Transport: panicOn(misa.PathCustomers)})
	res := runner(connector.Full).Run(context.Background(), pipeline(src, openSink(t, sqlite.Config{})))[0]
	var pe *connector.PanicError
	require.ErrorAs(t, res.Err, &pe)
	require.Equal(t, "misa page fetcher", pe.Where)
	require.Equal(t, connector.StatusFailed, res.Status)
}
