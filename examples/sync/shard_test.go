package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/stretchr/testify/require"
)

// -shard, ETL_SHARD and a Kubernetes Indexed Job's JOB_COMPLETION_INDEX
// with ETL_SHARD_COUNT; -fresh-within defaults to 10m for a sharded worker,
// -force turns it off; bad values are configuration errors (exit 2).
func TestShardSettings(t *testing.T) {
	o := opts(t)
	p, err := settle(o, env{}.get, time.Now())
	require.NoError(t, err)
	require.False(t, p.shard.Sharded())
	require.Zero(t, p.freshWithin)

	o.shard = "1/4"
	p, err = settle(o, env{}.get, time.Now())
	require.NoError(t, err)
	require.Equal(t, connector.Shard{Index: 1, Count: 4}, p.shard)
	require.Equal(t, 10*time.Minute, p.freshWithin)

	o.shard = ""
	p, err = settle(o, env{"JOB_COMPLETION_INDEX": "2", "ETL_SHARD_COUNT": "3"}.get, time.Now())
	require.NoError(t, err)
	require.Equal(t, connector.Shard{Index: 2, Count: 3}, p.shard)
	o.force = true
	p, err = settle(o, env{"ETL_SHARD": "0/2"}.get, time.Now())
	require.NoError(t, err)
	require.Equal(t, connector.Shard{Index: 0, Count: 2}, p.shard)
	require.Zero(t, p.freshWithin)

	for _, c := range []struct {
		shard string
		env   env
		want  string
	}{
		{"4/4", env{}, "-shard"},
		{"", env{"JOB_COMPLETION_INDEX": "1"}, "ETL_SHARD_COUNT"},
		{"", env{"ETL_SHARD": "x"}, "ETL_SHARD"},
	} {
		o := opts(t)
		o.shard = c.shard
		code, _, logs := runJob(t, o, c.env)
		require.Equal(t, exitConfig, code, logs)
		require.Contains(t, logs, c.want)
	}
}

// Two sharded workers (-shard 0/2 and 1/2) run at once on one warehouse
// with six shops: each shop is loaded by exactly one of them; the other
// reports it fresh (it helped after its own share and found it done) or
// another shard's. A second cycle within -fresh-within loads nothing and
// exits 0.
func TestShardedWorkersSplitTheShops(t *testing.T) {
	var b strings.Builder
	b.WriteString("shopee:\n")
	for i := 1; i <= 6; i++ {
		fmt.Fprintf(&b, "  - name: shop-%d\n    SHOPEE_PARTNER_ID: \"2001887\"\n    SHOPEE_PARTNER_KEY: k\n    SHOPEE_SHOP_ID: \"10%d\"\n", i, i)
	}
	path := filepath.Join(t.TempDir(), "accounts.yaml")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o600))
	base := opts(t)
	base.accounts, base.demoOrders = path, 20

	cycle := func() []report {
		reps := make([]report, 2)
		var wg sync.WaitGroup
		for i := range reps {
			wg.Add(1)
			go func() {
				defer wg.Done()
				o := base
				o.shard = fmt.Sprintf("%d/2", i)
				code, r, logs := runJob(t, o, env{})
				require.Equal(t, exitOK, code, logs)
				require.Len(t, r, 1)
				reps[i] = r[0]
			}()
		}
		wg.Wait()
		return reps
	}
	// Per stream: run by exactly one worker.
	loaded := map[string]int{}
	pipelines := map[string]bool{}
	for _, rep := range cycle() {
		for _, p := range rep.Pipelines {
			require.Contains(t, []string{"ok", "fresh", "other-shard"}, p.Status, "%s: %s", p.Pipeline, p.Error)
			for st, status := range p.Streams {
				require.Contains(t, []string{"ok", "fresh"}, status, "%s/%s", p.Pipeline, st)
				if status == "ok" {
					loaded[p.Pipeline+"/"+st]++
					pipelines[p.Pipeline] = true
				}
			}
		}
	}
	require.Len(t, pipelines, 6)
	for st, n := range loaded {
		require.Equal(t, 1, n, "%s loaded by both workers", st)
	}
	for _, rep := range cycle() {
		for _, p := range rep.Pipelines {
			require.Contains(t, []string{"fresh", "other-shard"}, p.Status, "%s: %s", p.Pipeline, p.Error)
		}
	}
}
