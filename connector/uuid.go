package connector

import (
	"fmt"
	"strconv"
)

// CheckUUID reports whether s is a UUID in the canonical form a UUID column
// holds: 36 characters, lower-case hex digits in groups 8-4-4-4-12 separated
// by hyphens ("0f8fad5b-d9cb-469f-a165-70867728950e"). Upper-case digits,
// braces and other forms are rejected, not normalised: the transformer
// normalises, the sink stores exactly what it is given.
func CheckUUID(s string) error {
	if len(s) != 36 {
		return fmt.Errorf("%s is not a canonical UUID: %d bytes, want 36", quoteClip(s), len(s))
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return fmt.Errorf("%s is not a canonical UUID: want '-' at position %d", quoteClip(s), i+1)
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return fmt.Errorf("%s is not a canonical UUID: want a lower-case hex digit at position %d", quoteClip(s), i+1)
			}
		}
	}
	return nil
}

// quoteClip quotes s for an error message, clipped to 40 bytes so a hostile
// value cannot flood a log.
func quoteClip(s string) string {
	if len(s) > 40 {
		return strconv.Quote(s[:40]) + "..."
	}
	return strconv.Quote(s)
}
