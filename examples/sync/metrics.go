package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the job's Prometheus metrics and health.
type metrics struct {
	reg       *prometheus.Registry
	runs      *prometheus.CounterVec
	records   *prometheus.CounterVec
	rows      *prometheus.CounterVec
	changed   *prometheus.CounterVec
	stale     *prometheus.CounterVec // rows skipped as older than the stored version
	dups      *prometheus.CounterVec // rows dropped as a repeated key in a batch
	rejected  *prometheus.CounterVec
	apiCalls  *prometheus.CounterVec
	retries   *prometheus.CounterVec
	throttles *prometheus.CounterVec
	refreshes *prometheus.CounterVec
	success   *prometheus.GaugeVec
	duration  *prometheus.HistogramVec

	mu        sync.Mutex
	started   time.Time
	lastOK    map[string]time.Time // by pipeline
	watermark map[string]time.Time // committed watermark by pipeline
	pipelines map[string]bool
	healthFor time.Duration
	now       func() time.Time
}

func newMetrics(healthFor time.Duration) *metrics {
	m := &metrics{reg: prometheus.NewRegistry(), started: time.Now(), lastOK: map[string]time.Time{}, watermark: map[string]time.Time{},
		pipelines: map[string]bool{}, healthFor: healthFor, now: time.Now}
	pl := []string{"platform", "account"}
	m.runs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "etl_runs_total", Help: "Pipeline runs by status (ok, failed, interrupted, skipped)."}, append(pl, "status"))
	m.records = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "etl_records_total", Help: "Records read from the platform APIs."}, pl)
	m.rows = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "etl_rows_total", Help: "Rows sent to the warehouse, by table."}, append(pl, "table"))
	m.changed = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "etl_rows_changed_total", Help: "Rows the warehouse inserted or updated (rows sent unchanged left out), by table."}, append(pl, "table"))
	m.stale = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "etl_rows_stale_total", Help: "Rows not written because the warehouse holds a newer version of them, by table."}, append(pl, "table"))
	m.dups = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "etl_rows_duplicate_total", Help: "Rows dropped from a batch because another row of it had the same key, by table."}, append(pl, "table"))
	m.rejected = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "etl_rejected_total", Help: "Records quarantined in etl_control.rejected_records."}, pl)
	m.apiCalls = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "etl_api_calls_total",
		Help: "HTTP requests sent (retries included), by endpoint and outcome (ok, retried, throttled, failed; unknown for a source that does not count outcomes)."},
		append(pl, "endpoint", "outcome"))
	m.retries = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "etl_api_retries_total", Help: "HTTP requests sent again after a retryable failure."}, pl)
	m.throttles = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "etl_api_throttled_total", Help: "API answers that throttled the job (HTTP 429 or a throttling code)."}, pl)
	m.refreshes = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "etl_token_refreshes_total", Help: "Access-token refreshes."}, pl)
	// The freshness signal to alert on: a quiet shop still succeeds.
	m.success = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "etl_last_success_timestamp_seconds",
		Help: "Unix time of the pipeline's last successful run (alert on time() minus this)."}, []string{"pipeline"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "etl_run_duration_seconds", Help: "Duration of pipeline runs.",
		Buckets: prometheus.ExponentialBuckets(1, 2, 14)}, pl)
	lag := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "etl_watermark_age_max_seconds",
		Help: "Largest etl_watermark_age_seconds over the pipelines: age of the oldest committed data watermark (large for a quiet shop; not a failure signal)."}, func() float64 {
		m.mu.Lock()
		defer m.mu.Unlock()
		worst := 0.0
		for _, w := range m.watermark {
			worst = max(worst, m.now().Sub(w).Seconds())
		}
		return worst
	})
	m.reg.MustRegister(m.runs, m.records, m.rows, m.changed, m.stale, m.dups, m.rejected, m.apiCalls, m.retries, m.throttles, m.refreshes, m.success, m.duration, lag,
		&lagCollector{m}, prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

// lagCollector exports etl_watermark_age_seconds per pipeline and stream,
// computed at scrape time: how old the newest data the pipeline committed
// is (a shop without new orders for 12 days reads 12 days right after a
// successful run). Freshness of the job itself is
// etl_last_success_timestamp_seconds.
type lagCollector struct{ m *metrics }

var lagDesc = prometheus.NewDesc("etl_watermark_age_seconds",
	"Now minus the committed watermark (the newest data time) of the pipeline's stream; large for a quiet shop, so alert on etl_last_success_timestamp_seconds.",
	[]string{"pipeline", "stream"}, nil)

func (c *lagCollector) Describe(ch chan<- *prometheus.Desc) { ch <- lagDesc }
func (c *lagCollector) Collect(ch chan<- prometheus.Metric) {
	c.m.mu.Lock()
	defer c.m.mu.Unlock()
	for key, w := range c.m.watermark {
		p, s, _ := strings.Cut(key, "\x00")
		ch <- prometheus.MustNewConstMetric(lagDesc, prometheus.GaugeValue, c.m.now().Sub(w).Seconds(), p, s)
	}
}

// observe feeds the metrics from runner events.
func (m *metrics) observe(e connector.Event) {
	switch e.Kind {
	case connector.CheckpointCommitted:
		if w, ok := watermarkOf(e.Checkpoint); ok {
			m.mu.Lock()
			m.watermark[e.Pipeline+"\x00"+e.Stream] = w
			m.mu.Unlock()
		}
	}
}

// watermarkOf reads a "watermark" (Unix seconds or RFC 3339) from a
// checkpoint, the convention of the platform packages.
func watermarkOf(cp connector.Checkpoint) (time.Time, bool) {
	var v struct {
		Watermark json.RawMessage `json:"watermark"`
	}
	if json.Unmarshal(cp, &v) != nil || len(v.Watermark) == 0 {
		return time.Time{}, false
	}
	var secs int64
	if json.Unmarshal(v.Watermark, &secs) == nil && secs > 0 {
		return time.Unix(secs, 0), true
	}
	var s string
	if json.Unmarshal(v.Watermark, &s) == nil {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// record adds one round's results (stats already per round).
func (m *metrics) record(results []connector.Result, stats []map[string]int64) {
	for i, r := range results {
		l := prometheus.Labels{"platform": r.Platform, "account": r.Account}
		m.runs.With(prometheus.Labels{"platform": r.Platform, "account": r.Account, "status": string(r.Status)}).Inc()
		m.records.With(l).Add(float64(r.Records))
		m.rejected.With(l).Add(float64(r.Rejected))
		m.duration.With(l).Observe(r.Duration.Seconds())
		for t, n := range r.Rows {
			m.rows.With(prometheus.Labels{"platform": r.Platform, "account": r.Account, "table": t}).Add(float64(n))
		}
		for t, n := range r.Changed {
			m.changed.With(prometheus.Labels{"platform": r.Platform, "account": r.Account, "table": t}).Add(float64(n))
		}
		for t, n := range r.Stale {
			m.stale.With(prometheus.Labels{"platform": r.Platform, "account": r.Account, "table": t}).Add(float64(n))
		}
		for t, n := range r.Duplicates {
			m.dups.With(prometheus.Labels{"platform": r.Platform, "account": r.Account, "table": t}).Add(float64(n))
		}
		for ep, n := range r.APICalls {
			for o, k := range r.APICallOutcomes[ep] {
				m.apiCalls.With(prometheus.Labels{"platform": r.Platform, "account": r.Account, "endpoint": ep, "outcome": o}).Add(float64(k))
				n -= k
			}
			if n > 0 {
				m.apiCalls.With(prometheus.Labels{"platform": r.Platform, "account": r.Account, "endpoint": ep, "outcome": "unknown"}).Add(float64(n))
			}
		}
		st := stats[i]
		m.retries.With(l).Add(float64(st["http_retries"]))
		m.throttles.With(l).Add(float64(st["throttled"]))
		m.refreshes.With(l).Add(float64(st["token_refreshes"]))
		m.mu.Lock()
		m.pipelines[r.Pipeline] = true
		if r.Status == connector.StatusOK {
			now := m.now()
			m.lastOK[r.Pipeline] = now
			m.success.With(prometheus.Labels{"pipeline": r.Pipeline}).Set(float64(now.Unix()))
		}
		m.mu.Unlock()
	}
}

// unhealthy lists the pipelines without a success within healthFor (counted
// from the job's start for a pipeline that never succeeded).
func (m *metrics) unhealthy() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	var out []string
	for p := range m.pipelines {
		last, ok := m.lastOK[p]
		if !ok {
			last = m.started
		}
		if now.Sub(last) > m.healthFor {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

func (m *metrics) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		if bad := m.unhealthy(); len(bad) > 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(w, "unhealthy: no success within %s: %s\n", m.healthFor, strings.Join(bad, ", "))
			return
		}
		fmt.Fprintln(w, "ok")
	})
	return mux
}

// serve starts the metrics endpoint on addr and returns its address and a
// function that stops it.
func (m *metrics) serve(addr string, logger *slog.Logger) (string, func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("-metrics: %w", err)
	}
	srv := &http.Server{Handler: m.handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("metrics server stopped", "error", err)
		}
	}()
	logger.Info("metrics listening", "addr", "http://"+ln.Addr().String()+"/metrics")
	return ln.Addr().String(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}
