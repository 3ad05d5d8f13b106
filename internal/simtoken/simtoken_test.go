package simtoken_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/facolos/etl/internal/simtoken"
	"github.com/stretchr/testify/require"
)

func TestBook(t *testing.T) {
	now := time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	name := func(kind string) func(int) string { return func(n int) string { return fmt.Sprint(kind, n) } }
	for _, rotate := range []bool{true, false} {
		b := simtoken.New(time.Hour, 24*time.Hour, name("a"), name("r"), now)
		exp, ok := b.Access("a0")
		require.True(t, ok)
		require.Equal(t, now.Add(time.Hour), exp)
		_, ok = b.Access("a1")
		require.False(t, ok, "never issued")

		// A refresh keeps the authorisation's deadline.
		later := now.Add(2 * time.Hour)
		at, rt, aexp, deadline, ok := b.Refresh("r0", later, rotate)
		require.True(t, ok)
		require.Equal(t, []any{"a1", "r1", later.Add(time.Hour), now.Add(24 * time.Hour)}, []any{at, rt, aexp, deadline})
		_, _, _, _, ok = b.Refresh("r0", later, rotate)
		require.Equal(t, !rotate, ok, "the old refresh token after a refresh")
		_, _, _, _, ok = b.Refresh("r1", now.Add(24*time.Hour), rotate)
		require.False(t, ok, "past the deadline")
		require.Equal(t, 1+map[bool]int{true: 0, false: 1}[rotate], b.Refreshes())

		b.ExpireAccess(later)
		exp, _ = b.Access("a1")
		require.False(t, later.Before(exp))
		b.ExpireRefresh(later)
		_, _, _, _, ok = b.Refresh("r1", later, rotate)
		require.False(t, ok)
	}
}

func TestCodesAreSingleUse(t *testing.T) {
	now := time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	b := simtoken.New(time.Hour, time.Hour, func(n int) string { return fmt.Sprint("a", n) }, func(n int) string { return fmt.Sprint("r", n) }, now)
	b.AddCode("c1", now.Add(30*time.Minute))
	b.AddCode("c2", now.Add(30*time.Minute))
	require.False(t, b.UseCode("c0", now), "unknown")
	require.False(t, b.UseCode("c2", now.Add(30*time.Minute)), "expired")
	require.True(t, b.UseCode("c1", now))
	require.False(t, b.UseCode("c1", now), "spent")
}
