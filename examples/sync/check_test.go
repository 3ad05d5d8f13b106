package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/facolos/etl/lazada/lazadatest"
	"github.com/facolos/etl/tiktok/tiktoktest"
	"github.com/stretchr/testify/require"
)

// Check makes fakeplat a Checker: a revoked token is refused.
func (s fakeSource) Check(context.Context) (string, error) {
	if s.token == "revoked" {
		return "", errors.New("fakeplat: authorization failed")
	}
	return "token " + s.token + " accepted", nil
}

// runCheck runs the job with -check and returns its exit code, its stdout
// (the table) and its logs.
func runCheck(t *testing.T, o options, e env) (int, string, string) {
	t.Helper()
	o.check = true
	var out, logs bytes.Buffer
	code := run(context.Background(), o, e.get, &out, &logs)
	return code, out.String(), logs.String()
}

// row returns the table row of a pipeline.
func row(t *testing.T, table, pipeline string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(pipeline) + `\s.*$`).FindString(table)
	require.NotEmpty(t, m, "no row for %s in\n%s", pipeline, table)
	return m
}

// The dry run reaches every account with one call, marks the unreachable
// ones, checks the warehouse, reads nothing into it, and says per stream
// whether a run would load fully or go on incrementally.
func TestCheckAccounts(t *testing.T) {
	path, e := writeAccounts(t)
	o := opts(t)
	o.demo, o.platforms, o.accounts, o.report = false, "all", path, ""
	code, table, logs := runCheck(t, o, e)
	require.Equal(t, exitFailed, code, logs)
	require.Contains(t, table, "writable   yes")
	require.Contains(t, table, "time basis utc")
	require.Regexp(t, `shopee/shop-1\s+yes\s+order list answered\s+all 3 streams: full load \(no checkpoint yet\)`, row(t, table, "shopee/shop-1"))
	require.Regexp(t, `\s+NO\s+`, row(t, table, "shopee/shop-3"))
	require.Regexp(t, `\s+yes\s+token tok-a accepted`, row(t, table, "fakeplat/acct-1"))
	require.Regexp(t, `\s+NO\s+fakeplat: authorization failed`, row(t, table, "fakeplat/acct-2"))
	require.NotContains(t, table+logs, "wrong-partner-key")
	db := openDB(t, strings.TrimPrefix(o.sink, "sqlite:"))
	var n int
	require.Error(t, db.QueryRow(`SELECT count(*) FROM shopee_orders`).Scan(&n), "nothing was loaded")

	// After a sync, an account that loaded goes on incrementally; with
	// every account reachable, exit 0.
	o.platforms, o.accounts = "fakeplat", filepath.Join(t.TempDir(), "one.yaml")
	require.NoError(t, os.WriteFile(o.accounts, []byte("fakeplat:\n  - FAKE_ACCOUNT: a\n    FAKE_TOKEN: tok\n  - FAKE_ACCOUNT: b\n    FAKE_TOKEN: tok\n"), 0o600))
	code, table, logs = runCheck(t, o, e)
	require.Equal(t, exitOK, code, logs)
	require.Contains(t, table, "All set")
	require.Contains(t, row(t, table, "fakeplat/a"), "items: full load")
	o.platforms, o.accounts = "fakeplat", filepath.Join(t.TempDir(), "a.yaml")
	require.NoError(t, os.WriteFile(o.accounts, []byte("fakeplat:\n  - FAKE_ACCOUNT: a\n    FAKE_TOKEN: tok\n"), 0o600))
	o.report = "json"
	runOnce(t, o, e)
	o.report = ""
	require.NoError(t, os.WriteFile(o.accounts, []byte("fakeplat:\n  - FAKE_ACCOUNT: a\n    FAKE_TOKEN: tok\n  - FAKE_ACCOUNT: b\n    FAKE_TOKEN: tok\n"), 0o600))
	code, table, logs = runCheck(t, o, e)
	require.Equal(t, exitOK, code, logs)
	require.Contains(t, row(t, table, "fakeplat/a"), "items: incremental")
	require.Contains(t, row(t, table, "fakeplat/b"), "items: full load")

	// A warehouse recorded with the other time basis is refused.
	o.timeBasis = "vietnam"
	code, _, logs = runCheck(t, o, e)
	require.Equal(t, exitFailed, code, logs)
	require.Contains(t, logs, "time basis")
	o.timeBasis = "utc"

	// A configuration error is exit 2, as without -check.
	o.mode = "sometimes"
	code, _, _ = runCheck(t, o, e)
	require.Equal(t, exitConfig, code)
}

// The dry run against the simulators of every built-in platform: the
// TikTok shop's name and id, MISA's client credentials, Shopee's order
// list.
func TestCheckDemoPlatforms(t *testing.T) {
	o := opts(t)
	o.platforms, o.report, o.demoOrders = "shopee,tiktok,misa,lazada", "", 20
	code, table, logs := runCheck(t, o, env{})
	require.Equal(t, exitOK, code, "%s\n%s", table, logs)
	require.Contains(t, row(t, table, "shopee/123456"), "order list answered")
	require.Contains(t, row(t, table, "tiktok/demo"), fmt.Sprintf("shop %q", tiktoktest.ShopName))
	require.Contains(t, row(t, table, "misa/TESTAPP"), "client credentials accepted")
	require.Contains(t, row(t, table, "misa/TESTAPP"), "all 6 streams: full load")
	require.Contains(t, row(t, table, "lazada/"+lazadatest.DefaultSellerID), "seller "+lazadatest.DefaultSellerID+": order list answered")
	entries, err := os.ReadDir(filepath.Dir(strings.TrimPrefix(o.sink, "sqlite:")))
	require.NoError(t, err)
	require.NotEmpty(t, entries, "the warehouse was opened")
}
