package connector

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// Shard is one worker's share of the pipelines when several workers share
// the accounts (Runner.Shard): worker Index of Count (0 ≤ Index < Count).
// The zero value (and Count 1) is the whole: every pipeline.
//
// Pipelines are assigned to shards by rendezvous hashing (highest random
// weight) of the pipeline's name: each pipeline goes to the shard whose
// hash of (name, shard) is highest. The assignment depends on the name and
// the shard count only, never on the other pipelines, so adding or removing
// an account moves that account alone, and going from n to n+1 shards moves
// only the pipelines the new shard wins (about 1/(n+1) of them), every one
// of them to the new shard.
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

// Owns reports whether the pipeline name falls in this shard.
func (s Shard) Owns(name string) bool {
	if !s.Sharded() {
		return true
	}
	return ShardOf(name, s.Count) == s.Index
}

// ShardOf returns the shard (0 ≤ shard < n) of a pipeline name among n
// shards by rendezvous hashing (see Shard).
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
