package connector_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"
)

// Waiting for the budget is not part of an attempt's timeout: requests
// queued behind a slow budget are sent when their turn comes, not failed.
func TestBudgetWaitDoesNotTimeOutAttempts(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	defer srv.Close()
	c := connector.NewClient(connector.HTTPConfig{Timeout: 150 * time.Millisecond, Attempts: 1,
		Budget: connector.NewBudget(10, 1)})
	var g errgroup.Group
	for i := 0; i < 8; i++ { // the last waits about 700 ms for the budget
		g.Go(func() error {
			req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL+"/x", nil)
			if err != nil {
				return err
			}
			resp, err := c.Do(context.Background(), req)
			if err != nil {
				return err
			}
			require.JSONEq(t, `{"ok":true}`, string(resp.Body))
			return nil
		})
	}
	require.NoError(t, g.Wait())
	require.EqualValues(t, 8, c.APICalls()["/x"])
}

// A server slower than the timeout still times the attempt out.
func TestAttemptTimeoutStillApplies(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	}))
	defer srv.Close()
	c := connector.NewClient(connector.HTTPConfig{Timeout: 100 * time.Millisecond, Attempts: 1})
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/slow", nil)
	require.NoError(t, err)
	_, err = c.Do(context.Background(), req)
	require.Error(t, err)
}
