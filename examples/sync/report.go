package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/facolos/etl/connector"
)

// roundStats turns the sources' cumulative counters into this round's
// (prev holds the last totals per pipeline and is updated).
func roundStats(results []connector.Result, prev []map[string]int64) []map[string]int64 {
	out := make([]map[string]int64, len(results))
	for i, r := range results {
		cur := map[string]int64{}
		for k, v := range r.Stats {
			switch n := v.(type) {
			case int:
				cur[k] = int64(n)
			case int64:
				cur[k] = n
			}
		}
		d := map[string]int64{}
		for k, v := range cur {
			d[k] = v - prev[i][k]
		}
		prev[i] = cur
		out[i] = d
	}
	return out
}

type reportPipeline struct {
	Pipeline string           `json:"pipeline"`
	Platform string           `json:"platform"`
	Account  string           `json:"account"`
	Status   string           `json:"status"`
	Records  int64            `json:"records"`
	Rows     map[string]int64 `json:"rows"`
	// Changed is the rows inserted or updated per table (rows sent whose
	// compared columns did not change are left out), when the sink counts.
	Changed map[string]int64 `json:"rows_changed,omitempty"`
	// Stale is the rows per table not written because the warehouse holds
	// a newer version of them, Duplicates the rows dropped from a batch as
	// a repeated key (README, "Versioned upserts").
	Stale      map[string]int64 `json:"rows_stale,omitempty"`
	Duplicates map[string]int64 `json:"rows_duplicate,omitempty"`
	Rejected   int64            `json:"rejected"`
	APICalls   map[string]int64 `json:"api_calls"`
	// APICallOutcomes splits APICalls by outcome (ok, retried, throttled,
	// failed), per endpoint.
	APICallOutcomes map[string]map[string]int64 `json:"api_call_outcomes,omitempty"`
	// Throttled is the number of API answers that throttled the run.
	Throttled int64 `json:"throttled"`
	// Stats are this round's source counters (numbers) and the source's
	// other facts (earliest_date).
	Stats    map[string]any `json:"stats"`
	Duration int64          `json:"duration_ms"`
	Error    string         `json:"error,omitempty"`
	// Streams is the status of each stream looked at (ok, failed,
	// interrupted, skipped, fresh); TookOver the streams taken over from a
	// worker that stopped.
	Streams  map[string]connector.Status `json:"streams,omitempty"`
	TookOver []string                    `json:"took_over,omitempty"`
}

func writeReport(w io.Writer, mode connector.Mode, d time.Duration, results []connector.Result, stats []map[string]int64) error {
	rep := struct {
		Mode       string           `json:"mode"`
		DurationMS int64            `json:"duration_ms"`
		Pipelines  []reportPipeline `json:"pipelines"`
	}{Mode: string(mode), DurationMS: d.Milliseconds()}
	for i, r := range results {
		st := map[string]any{}
		for k, v := range r.Stats {
			st[k] = v
		}
		for k, v := range stats[i] {
			st[k] = v
		}
		p := reportPipeline{Pipeline: r.Pipeline, Platform: r.Platform, Account: r.Account, Status: string(r.Status), Records: r.Records, Rows: r.Rows, Changed: r.Changed,
			Stale: r.Stale, Duplicates: r.Duplicates,
			Rejected: r.Rejected, APICalls: r.APICalls, APICallOutcomes: r.APICallOutcomes, Throttled: stats[i]["throttled"], Stats: st, Duration: r.Duration.Milliseconds(),
			Streams: r.Streams, TookOver: r.TookOver}
		if r.Err != nil {
			p.Error = r.Err.Error()
		}
		rep.Pipelines = append(rep.Pipelines, p)
	}
	sort.SliceStable(rep.Pipelines, func(i, j int) bool { return rep.Pipelines[i].Pipeline < rep.Pipelines[j].Pipeline })
	return json.NewEncoder(w).Encode(rep)
}

// redact removes the given secret values and well-known secret patterns.
func redact(s string, secrets []string) string {
	for _, sec := range secrets {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, "[REDACTED]")
		}
	}
	return connector.Redact(s)
}

// syncWriter serialises writes to w (the logs and the live progress lines
// share stderr).
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// newLevelLogger is newLogger at a fixed minimum level.
func newLevelLogger(o options, w io.Writer, level slog.Level) *slog.Logger {
	h := &slog.HandlerOptions{Level: level}
	if o.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, h))
	}
	return slog.New(slog.NewTextHandler(w, h))
}
