package connector_test

import (
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/stretchr/testify/require"
)

// A date-only input is midnight of the warehouse's time basis.
func TestParseDate(t *testing.T) {
	utc, err := connector.ParseDate("2026-11-01", connector.TimeUTC)
	require.NoError(t, err)
	require.Equal(t, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), utc.UTC())
	vn, err := connector.ParseDate("2026-11-01", connector.TimeVietnam)
	require.NoError(t, err)
	require.Equal(t, time.Date(2026, 10, 31, 17, 0, 0, 0, time.UTC), vn.UTC(), "Vietnam midnight is 17:00 UTC the day before")
	for _, bad := range []string{"", "2026-13-01", "2026-11-01T00:00:00Z", "01/11/2026", "2026-11-1"} {
		_, err := connector.ParseDate(bad, connector.TimeUTC)
		require.ErrorContains(t, err, "is not a date (YYYY-MM-DD)", bad)
	}
}
