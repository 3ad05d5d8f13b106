package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/platform"
	"github.com/stretchr/testify/require"
)

var fullLoadFrom = regexp.MustCompile(`(shopee|tiktok|lazada) full load.* from=(\S+)`)

// fullLoadStarts returns the instant each platform's full load started
// from, as its log line says.
func fullLoadStarts(t *testing.T, logs string) map[string]time.Time {
	t.Helper()
	out := map[string]time.Time{}
	for _, m := range fullLoadFrom.FindAllStringSubmatch(logs, -1) {
		at, err := time.Parse(time.RFC3339, m[2])
		require.NoError(t, err, m[0])
		out[m[1]] = at
	}
	return out
}

// Every date-only input (-since, SHOPEE_START_DATE, TIKTOK_START_DATE,
// LAZADA_START_DATE, in the environment or an accounts file) is midnight of
// the warehouse's time basis, and the log prints the resolved instant.
func TestDateOnlyInputsFollowTheTimeBasis(t *testing.T) {
	day := time.Now().UTC().AddDate(0, 0, -20).Format(time.DateOnly)
	var b strings.Builder
	for _, name := range []string{"shopee", "tiktok", "lazada"} {
		d, _ := platform.Lookup(name)
		demo, err := d.Demo(platform.DemoOptions{Seed: 5, Records: 20, Now: time.Now()})
		require.NoError(t, err)
		t.Cleanup(demo.Close)
		fmt.Fprintf(&b, "%s:\n  - name: dates\n", name)
		for _, v := range d.Variables() {
			if val := demo.Account.Get(v.Name); val != "" && !strings.HasSuffix(v.Name, "_START_DATE") {
				fmt.Fprintf(&b, "    %s: %q\n", v.Name, val)
			}
		}
		fmt.Fprintf(&b, "    %s_START_DATE: %q\n", strings.ToUpper(name), day)
	}
	path := filepath.Join(t.TempDir(), "accounts.yaml")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o600))

	for _, basis := range []connector.TimeBasis{connector.TimeUTC, connector.TimeVietnam} {
		t.Run(basis.String(), func(t *testing.T) {
			want, err := time.ParseInLocation(time.DateOnly, day, basis.Location())
			require.NoError(t, err)
			for _, since := range []string{"", day} {
				o := opts(t)
				o.demo, o.platforms, o.accounts, o.mode, o.timeBasis, o.since = false, "shopee,tiktok,lazada", path, "full", basis.String(), since
				code, _, logs := runJob(t, o, env{})
				require.Equal(t, exitOK, code, logs)
				starts := fullLoadStarts(t, logs)
				require.Len(t, starts, 3, logs)
				for platform, at := range starts {
					require.True(t, at.Equal(want), "%s (since %q): full load from %s, want %s", platform, since, at, want)
				}
				if since != "" {
					require.Contains(t, logs, "instant="+want.UTC().Format(time.RFC3339), "the job logs the resolved -since")
				}
			}
		})
	}
}
