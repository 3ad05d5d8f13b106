package connector

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Shard is one worker's share of the pipelines when several workers share
// the accounts (Runner.Shard): worker Index of Count (0 ≤ Index < Count).
// The zero value (and Count 1) is the whole: every pipeline.
//
// A Runner shares the pipelines given to Run out to the shards with Assign:
// rendezvous hashing (highest random weight) of the pipelines' names with
// bounded loads, so that the shards' sizes differ by one at most, and
// adding or removing an account moves that account and a few others (see
// Assign). Every worker must be given the same accounts to agree on the
// shards; where they differ for a while (an accounts file being rolled
// out), helping (Runner.Help) and the leases cover the difference.
type Shard struct {
	Index, Count int
}

// ParseShard parses "i/n" (0 ≤ i < n), as given to the sync job's -shard.
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return Shard{}, fmt.Errorf("shard %q: want INDEX/COUNT, e.g. 0/4", s)
	}
	i, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	if err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return Shard{}, fmt.Errorf("shard %q: want INDEX/COUNT with 0 ≤ INDEX < COUNT, e.g. 0/4", s)
	}
	return Shard{Index: i, Count: n}, nil
}

// String returns "i/n" ("0/1" for the whole).
func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, max(s.Count, 1)) }

// Sharded reports whether s is a part (Count > 1) rather than the whole.
func (s Shard) Sharded() bool { return s.Count > 1 }

// Owned reports which of the names are this shard's when the pipelines
// named are shared out by Assign (as a Runner does with the pipelines given
// to Run). The whole owns every name.
func (s Shard) Owned(names []string) []bool {
	out := make([]bool, len(names))
	if !s.Sharded() {
		for i := range out {
			out[i] = true
		}
		return out
	}
	for i, sh := range Assign(names, s.Count) {
		out[i] = sh == s.Index
	}
	return out
}

// ShardOf returns the shard (0 ≤ shard < n) of a pipeline name among n
// shards by rendezvous hashing alone: the shard whose hash of (name, shard)
// is highest. It depends on the name and n only, so adding a name moves no
// other, but the shards' sizes vary by about √(m/n) around m/n; Assign
// bounds them.
func ShardOf(name string, n int) int {
	best, top := 0, uint64(0)
	buf := make([]byte, 0, len(name)+8)
	for i := 0; i < n; i++ {
		buf = binary.BigEndian.AppendUint32(append(buf[:0], name...), uint32(i))
		sum := sha256.Sum256(buf)
		if w := binary.BigEndian.Uint64(sum[:8]); i == 0 || w > top {
			best, top = i, w
		}
	}
	return best
}

// Shard environment variables (see ShardFromEnv).
const (
	// EnvShard is "i/n", set by hand or by an orchestrator that templates
	// it (an Airflow mapped task: ETL_SHARD="{{ ti.map_index }}/n").
	EnvShard = "ETL_SHARD"
	// EnvShardCount is the number of shards of a Kubernetes Indexed Job,
	// whose JOB_COMPLETION_INDEX gives the index (set it to the Job's
	// completions).
	EnvShardCount = "ETL_SHARD_COUNT"
	// EnvJobCompletionIndex is set by Kubernetes in every pod of an
	// Indexed Job.
	EnvJobCompletionIndex = "JOB_COMPLETION_INDEX"
)

// ShardFromEnv returns the shard the environment gives: ETL_SHARD ("i/n"),
// else JOB_COMPLETION_INDEX (a Kubernetes Indexed Job's pod) with
// ETL_SHARD_COUNT. ok is false when none is set. JOB_COMPLETION_INDEX
// without ETL_SHARD_COUNT is an error: the index alone does not say how
// many shards there are.
func ShardFromEnv(getenv func(string) string) (s Shard, ok bool, err error) {
	if v := getenv(EnvShard); v != "" {
		s, err = ParseShard(v)
		if err != nil {
			return Shard{}, false, fmt.Errorf("%s: %w", EnvShard, err)
		}
		return s, true, nil
	}
	idx := getenv(EnvJobCompletionIndex)
	if idx == "" {
		return Shard{}, false, nil
	}
	n := getenv(EnvShardCount)
	if n == "" {
		return Shard{}, false, fmt.Errorf("%s=%s is set (a Kubernetes Indexed Job) but %s is not: set it to the Job's completions", EnvJobCompletionIndex, idx, EnvShardCount)
	}
	s, err = ParseShard(idx + "/" + n)
	if err != nil {
		return Shard{}, false, fmt.Errorf("%s/%s: %w", EnvJobCompletionIndex, EnvShardCount, err)
	}
	return s, true, nil
}

// Assign returns the shard (0 ≤ shard < n) of each name among n shards,
// balanced: shards 0..r-1 get ⌈m/n⌉ names and the others ⌊m/n⌋ (m distinct
// names, r = m mod n), so that the shards' sizes differ by one at most.
//
// It is rendezvous hashing with bounded loads: every (name, shard) pair
// has the weight ShardOf ranks by, and the pairs are taken from the
// heaviest down, a name going to the shard of its pair when it has none
// yet and that shard is not full. The result depends on the set of names
// and n only (not on their order): every worker given the same accounts
// computes the same shards. Without the bound a name goes to its heaviest
// shard (ShardOf), and a shard's size strays by about √(m/n) from m/n
// (with 200 names over 8 shards, 18 to 28 instead of 25). With it, adding
// or removing a name moves that name and the few that a full shard turns
// away in a chain (see TestAssignIsBalancedAndStable for the counts), and
// going from n to n+1 shards moves about m/(n+1) names as rendezvous
// hashing does, a few of them between old shards.
func Assign(names []string, n int) []int {
	out := make([]int, len(names))
	if n <= 1 {
		return out
	}
	uniq := make([]string, 0, len(names))
	idx := make(map[string]int, len(names))
	for _, name := range names {
		if _, ok := idx[name]; !ok {
			idx[name] = len(uniq)
			uniq = append(uniq, name)
		}
	}
	m := len(uniq)
	type pair struct {
		w     uint64
		name  int32
		shard int32
	}
	pairs := make([]pair, 0, m*n)
	buf := make([]byte, 0, 64)
	for i, name := range uniq {
		for s := 0; s < n; s++ {
			buf = binary.BigEndian.AppendUint32(append(buf[:0], name...), uint32(s))
			sum := sha256.Sum256(buf)
			pairs = append(pairs, pair{binary.BigEndian.Uint64(sum[:8]), int32(i), int32(s)})
		}
	}
	slices.SortFunc(pairs, func(a, b pair) int {
		switch {
		case a.w != b.w:
			return cmp.Compare(b.w, a.w)
		case a.name != b.name:
			return strings.Compare(uniq[a.name], uniq[b.name])
		}
		return cmp.Compare(a.shard, b.shard)
	})
	capacity := make([]int, n)
	for s := range capacity {
		capacity[s] = m / n
		if s < m%n {
			capacity[s]++
		}
	}
	shard := make([]int, m)
	for i := range shard {
		shard[i] = -1
	}
	left := m
	for _, p := range pairs {
		if shard[p.name] >= 0 || capacity[p.shard] == 0 {
			continue
		}
		shard[p.name] = int(p.shard)
		capacity[p.shard]--
		if left--; left == 0 {
			break
		}
	}
	for i, name := range names {
		out[i] = shard[idx[name]]
	}
	return out
}
