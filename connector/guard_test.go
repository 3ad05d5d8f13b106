package connector_test

import (
	"errors"
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/stretchr/testify/require"
)

func TestGuard(t *testing.T) {
	err := connector.Guard("page fetcher", func() error {
		var m map[string]int
		m["x"]++ // nil map write
		return nil
	})
	var pe *connector.PanicError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, "page fetcher", pe.Where)
	require.Contains(t, pe.Error(), "page fetcher panicked: assignment to entry in nil map")
	require.NotEmpty(t, pe.Stack)

	want := errors.New("page 3: HTTP 502")
	require.Same(t, want, connector.Guard("page fetcher", func() error { return want }))
	require.NoError(t, connector.Guard("page fetcher", func() error { return nil }))
}
