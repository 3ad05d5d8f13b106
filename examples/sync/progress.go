package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// progress tracks every pipeline of a round: records, rows, rate and, for
// streams whose checkpoints carry a time range (window_from, end), the
// position in it and an ETA. On a terminal it draws a live line per
// pipeline (mpb); elsewhere it logs a line per pipeline at an interval.
type progress struct {
	mu     sync.Mutex
	state  map[string]*pipeProgress
	order  []string
	logger *slog.Logger
	bars   *mpb.Progress
	now    func() time.Time
}

type pipeProgress struct {
	name          string
	start         time.Time
	records, rows int64
	rangeFrom     int64 // first window start seen
	from, end     int64 // latest window start and range end
	done          bool
	status        string
	bar           *mpb.Bar
}

func newProgress(logger *slog.Logger) *progress {
	return &progress{state: map[string]*pipeProgress{}, logger: logger, now: time.Now}
}

// terminal switches to live bars written to w.
func (p *progress) terminal(ctx context.Context, w io.Writer) {
	p.bars = mpb.NewWithContext(ctx, mpb.WithOutput(w), mpb.WithRefreshRate(500*time.Millisecond), mpb.WithAutoRefresh())
}

// start registers the round's pipelines.
func (p *progress) start(pipelines []connector.Pipeline) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.state = map[string]*pipeProgress{}
	p.order = p.order[:0]
	for _, pl := range pipelines {
		st := &pipeProgress{name: pl.Name, start: p.now()}
		p.state[pl.Name] = st
		p.order = append(p.order, pl.Name)
		if p.bars != nil {
			st.bar = p.bars.AddBar(0,
				mpb.PrependDecorators(decor.Name(pl.Name, decor.WCSyncSpaceR)),
				mpb.AppendDecorators(decor.Any(func(decor.Statistics) string { return p.line(st) }, decor.WCSyncSpace)),
				mpb.BarFillerClearOnComplete())
		}
	}
}

// observe is the runner's Observer. It moves the bar after releasing p.mu:
// the bar's decorator (line) takes p.mu from the bar's own goroutine, and a
// bar call waits for that goroutine, so holding p.mu across a bar call can
// deadlock.
func (p *progress) observe(e connector.Event) {
	bar, total, cur, done := p.observeLocked(e)
	if bar != nil {
		bar.SetTotal(total, false)
		bar.SetCurrent(cur)
		if done {
			bar.SetTotal(total, true)
		}
	}
}

// observeLocked updates the pipeline's state under p.mu and returns what
// its bar should show (bar nil: no bar).
func (p *progress) observeLocked(e connector.Event) (bar *mpb.Bar, total, cur int64, done bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	st := p.state[e.Pipeline]
	if st == nil {
		return nil, 0, 0, false
	}
	switch e.Kind {
	case connector.BatchWritten:
		st.records += int64(e.Records)
		st.rows += int64(e.Rows)
	case connector.CheckpointCommitted:
		var cp struct {
			From int64 `json:"window_from"`
			End  int64 `json:"end"`
		}
		if json.Unmarshal(e.Checkpoint, &cp) == nil && cp.From > 0 && cp.End > cp.From {
			if st.rangeFrom == 0 || cp.End != st.end {
				st.rangeFrom = cp.From
			}
			st.from, st.end = cp.From, cp.End
		} else if st.end > 0 {
			st.from = st.end // the range is done: incremental now
		}
	case connector.PipelineFinished:
		st.done = true
		st.status = string(e.Result.Status)
	}
	if st.bar == nil {
		return nil, 0, 0, false
	}
	total = 1000
	if f, ok := st.fraction(); ok {
		cur = int64(f * 1000)
	}
	return st.bar, total, cur, st.done
}

// fraction is the position in the loaded time range.
func (st *pipeProgress) fraction() (float64, bool) {
	if st.end <= st.rangeFrom || st.rangeFrom == 0 {
		return 0, false
	}
	return min(1, max(0, float64(st.from-st.rangeFrom)/float64(st.end-st.rangeFrom))), true
}

// line renders a pipeline's progress (the caller holds no lock).
func (p *progress) line(st *pipeProgress) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lineLocked(st)
}

func (p *progress) lineLocked(st *pipeProgress) string {
	el := p.now().Sub(st.start)
	rate := 0.0
	if el > 0 {
		rate = float64(st.records) / el.Seconds()
	}
	s := fmt.Sprintf("%d records  %d rows  %.0f rec/s", st.records, st.rows, rate)
	if f, ok := st.fraction(); ok && !st.done {
		s += fmt.Sprintf("  %3.0f%% of %s..%s", 100*f, time.Unix(st.rangeFrom, 0).UTC().Format(time.DateOnly), time.Unix(st.end, 0).UTC().Format(time.DateOnly))
		if f > 0 {
			s += "  ETA " + (time.Duration(float64(el) * (1 - f) / f)).Round(time.Second).String()
		}
	}
	if st.done {
		s += "  " + st.status
	}
	return s
}

// logEvery logs every pipeline's progress every d until ctx ends.
func (p *progress) logEvery(ctx context.Context, d time.Duration) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			p.logNow()
		}
	}
}

func (p *progress) logNow() {
	p.mu.Lock()
	defer p.mu.Unlock()
	names := append([]string(nil), p.order...)
	sort.Strings(names)
	for _, n := range names {
		st := p.state[n]
		if st.done {
			continue
		}
		el := p.now().Sub(st.start)
		attrs := []any{"pipeline", n, "records", st.records, "rows", st.rows, "rate_per_s", int64(float64(st.records) / max(el.Seconds(), 0.001))}
		if f, ok := st.fraction(); ok {
			attrs = append(attrs, "position", fmt.Sprintf("%.0f%%", 100*f))
			if f > 0 {
				attrs = append(attrs, "eta", time.Duration(float64(el)*(1-f)/f).Round(time.Second).String())
			}
		}
		p.logger.Info("progress", attrs...)
	}
}

// wait lets the bars draw their last state.
func (p *progress) wait() {
	if p.bars != nil {
		p.bars.Wait()
		p.bars = nil
	}
}
