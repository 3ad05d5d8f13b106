package connector

import "testing"

// A helper runs Parallel / shard count of the other shards' pipelines at
// once by default (rounded up, at least 1); HelpParallel sets it.
func TestHelpParallel(t *testing.T) {
	for _, c := range []struct {
		r    Runner
		want int
	}{
		{Runner{Shard: Shard{Index: 0, Count: 8}}, 2},
		{Runner{Shard: Shard{Index: 0, Count: 4}}, 4},
		{Runner{Shard: Shard{Index: 1, Count: 3}, Parallel: 4}, 2},
		{Runner{Shard: Shard{Index: 0, Count: 32}}, 1},
		{Runner{Shard: Shard{Index: 0, Count: 2}, Parallel: -1}, 8},
		{Runner{Shard: Shard{Index: 0, Count: 8}, HelpParallel: 5}, 5},
	} {
		if got := c.r.helpParallel(); got != c.want {
			t.Errorf("%+v: helpParallel() = %d, want %d", c.r, got, c.want)
		}
	}
}
