package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// The alert rules and the Grafana dashboard beside the Compose file query
// only metrics the job exports (scraped after a run), so a renamed metric
// cannot leave them silently empty.
func TestMonitoringFilesUseExportedMetrics(t *testing.T) {
	o := opts(t)
	o.demoOrders, o.since, o.mode, o.metrics = 20, "2025-10-01", "full", "127.0.0.1:0"
	var body string
	o.afterRound = func(addr string) { body = get(t, "http://"+addr+"/metrics", nil) }
	runJob(t, o, env{})
	exported := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^# TYPE (\S+) `).FindAllStringSubmatch(body, -1) {
		exported[m[1]] = true
	}
	require.True(t, exported["etl_last_success_timestamp_seconds"])

	var exprs []string
	data, err := os.ReadFile(filepath.Join("..", "prometheus-alerts.yml"))
	require.NoError(t, err)
	var rules struct {
		Groups []struct {
			Rules []struct {
				Alert string `yaml:"alert"`
				Expr  string `yaml:"expr"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	require.NoError(t, yaml.Unmarshal(data, &rules))
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			require.NotEmpty(t, r.Alert)
			exprs = append(exprs, r.Expr)
		}
	}
	data, err = os.ReadFile(filepath.Join("..", "grafana-dashboard.json"))
	require.NoError(t, err)
	var dash struct {
		Panels []struct {
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	require.NoError(t, json.Unmarshal(data, &dash))
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			exprs = append(exprs, tg.Expr)
		}
	}
	require.GreaterOrEqual(t, len(exprs), 10)
	for _, e := range exprs {
		for _, name := range regexp.MustCompile(`\betl_[a-z_]+`).FindAllString(e, -1) {
			family := strings.TrimSuffix(name, "_bucket")
			require.True(t, exported[family], "%q queries %s, which the job does not export", e, name)
		}
	}
}
