// Package testenv holds the switches the module's tests share: whether the
// long cases run, and whether the race detector is on.
//
// The default `go test ./...` runs every behaviour on shops sized to prove
// it and stays quick. Soak-style cases (many seeds, many shops, tens of
// thousands of orders, repeated kill -9 trials) run only when ETL_TEST_LONG
// is set to a true value (the soak run: ETL_TEST_LONG=1 go test ./...).
package testenv

import (
	"os"
	"strconv"
	"testing"
)

// LongEnv is the environment variable that turns on the long cases.
const LongEnv = "ETL_TEST_LONG"

// Long reports whether the long cases run (ETL_TEST_LONG=1, true, yes).
func Long() bool {
	v := os.Getenv(LongEnv)
	if v == "" {
		return false
	}
	if b, err := strconv.ParseBool(v); err == nil {
		return b
	}
	return v == "yes"
}

// SkipUnlessLong skips t unless the long cases run, saying how to run it.
func SkipUnlessLong(t testing.TB) {
	t.Helper()
	if !Long() {
		t.Skipf("long case: set %s=1 to run it", LongEnv)
	}
}

// Pick returns long when the long cases run and short otherwise: a shop
// size, a number of seeds or trials.
func Pick[T any](short, long T) T {
	if Long() {
		return long
	}
	return short
}
