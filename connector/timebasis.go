package connector

import (
	"errors"
	"fmt"
)

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
