package main

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/stretchr/testify/require"
)

// The report carries the rows skipped as stale and dropped as duplicate
// keys, per table.
func TestReportStaleAndDuplicates(t *testing.T) {
	var buf bytes.Buffer
	res := connector.Result{Pipeline: "tiktok/1", Status: connector.StatusOK,
		Stale: map[string]int64{"staging.tiktok_shop_order_detail": 3}, Duplicates: map[string]int64{"staging.misa_customers": 1}}
	require.NoError(t, writeReport(&buf, connector.Incremental, time.Second, []connector.Result{res}, []map[string]int64{{}}))
	var rep struct {
		Pipelines []struct {
			Stale      map[string]int64 `json:"rows_stale"`
			Duplicates map[string]int64 `json:"rows_duplicate"`
		} `json:"pipelines"`
	}
	require.NoError(t, json.Unmarshal(buf.Bytes(), &rep))
	require.Equal(t, res.Stale, rep.Pipelines[0].Stale)
	require.Equal(t, res.Duplicates, rep.Pipelines[0].Duplicates)
}

// The metrics count them too, per table.
func TestMetricsStaleAndDuplicates(t *testing.T) {
	m := newMetrics(time.Hour)
	res := connector.Result{Pipeline: "tiktok/1", Platform: "tiktok", Account: "1", Status: connector.StatusOK,
		Stale: map[string]int64{"staging.tiktok_shop_order_detail": 3}, Duplicates: map[string]int64{"staging.misa_customers": 1}}
	m.record([]connector.Result{res, res}, []map[string]int64{{}, {}})
	families, err := m.reg.Gather()
	require.NoError(t, err)
	got := map[string]float64{}
	for _, f := range families {
		for _, mt := range f.GetMetric() {
			if c := mt.GetCounter(); c != nil && (f.GetName() == "etl_rows_stale_total" || f.GetName() == "etl_rows_duplicate_total") {
				for _, l := range mt.GetLabel() {
					if l.GetName() == "table" {
						got[f.GetName()+" "+l.GetValue()] = c.GetValue()
					}
				}
			}
		}
	}
	require.Equal(t, map[string]float64{
		"etl_rows_stale_total staging.tiktok_shop_order_detail": 6,
		"etl_rows_duplicate_total staging.misa_customers":       2,
	}, got)
}
