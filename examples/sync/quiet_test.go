package main

import (
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The demo's first run warns only about what it announced (the custom
// example's deliberately bad row), and its second run warns about nothing.
func TestDemoRunsQuietly(t *testing.T) {
	o := opts(t)
	o.platforms, o.demoOrders, o.demoNow = "all", 20, ""
	o.since = time.Now().AddDate(0, 0, -130).Format(time.DateOnly) // no search for the earliest order
	warns := regexp.MustCompile(`(?m)^.*level=(WARN|ERROR).*$`)
	code, _, logs := runJob(t, o, env{})
	require.Equal(t, exitOK, code, logs)
	require.Contains(t, logs, `demo: the custom example's sample CSV has one deliberately bad row`)
	first := warns.FindAllString(logs, -1)
	require.Len(t, first, 1, "%q", first)
	require.Regexp(t, `msg="record rejected" pipeline=stock/sample .*not-a-number`, first[0])

	code, _, logs = runJob(t, o, env{})
	require.Equal(t, exitOK, code, logs)
	require.Empty(t, warns.FindAllString(logs, -1), logs)
	require.NotContains(t, logs, "clock differs")
}
