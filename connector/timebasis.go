package connector

import (
	"errors"
	"fmt"
	"time"
)

// Location returns the zone of the basis: time.UTC, or Vietnam for
// TimeVietnam.
func (b TimeBasis) Location() *time.Location {
	if b == TimeVietnam {
		return Vietnam
	}
	return time.UTC
}

// ParseDate reads a date-only input (YYYY-MM-DD: examples/sync -since,
// SHOPEE_START_DATE, TIKTOK_START_DATE, the same settings in an accounts
// file) as midnight of that day in the warehouse's time basis: UTC midnight
// for TimeUTC, Vietnam (UTC+7) midnight for TimeVietnam, so that the day
// starts where the warehouse's own timestamps say it does. Every date-only
// input goes through it.
func ParseDate(s string, basis TimeBasis) (time.Time, error) {
	t, err := time.ParseInLocation(time.DateOnly, s, basis.Location())
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
	}
	return t, nil
}

// String returns "utc" or "vietnam", the names the control schema records.
func (b TimeBasis) String() string {
	switch b {
	case TimeUTC:
		return "utc"
	case TimeVietnam:
		return "vietnam"
	}
	return fmt.Sprintf("TimeBasis(%d)", int(b))
}

// ErrTimeBasis means a warehouse holds timestamps of another time basis
// than the sink was opened with: its control schema recorded the other
// basis on first use, or an existing table's timestamp columns are of the
// other kind. Writing would shift values by seven hours, so the sink
// refuses.
var ErrTimeBasis = errors.New("the warehouse uses another time basis")

// TimeBasisError returns an error wrapping ErrTimeBasis that says what was
// found where and how to fix it.
func TimeBasisError(where string, found, configured TimeBasis) error {
	return fmt.Errorf("%s: %w: it stores timestamps as %s, this run would store %s; open it with time basis %s (examples/sync: -time-basis %s) or use another warehouse",
		where, ErrTimeBasis, basisWords(found), basisWords(configured), found, found)
}

func basisWords(b TimeBasis) string {
	if b == TimeVietnam {
		return "Vietnam wall-clock time (vietnam)"
	}
	return "UTC instants (utc)"
}
