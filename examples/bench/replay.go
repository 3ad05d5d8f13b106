package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/benchproc"
	"github.com/facolos/etl/sink"
	"golang.org/x/sync/errgroup"
)

// The same-rows ceiling: the sink's own speed on the rows of this very
// load. The wide-table ceiling (sinktest.UpsertCeiling) writes 20-column
// rows of about 250 bytes; a TikTok order-line row has 118 columns and
// carries the order's JSON (about 12 kB stored), a MISA sale-order line 2 kB,
// so "rows per second" of the load and of that ceiling measure different
// amounts of work. The same-rows ceiling takes the records of the read pass,
// turns them into the load's batches with the runner (same batch size and
// byte bound, untimed), and times the sink writing exactly those batches
// into an empty twin of the warehouse (a second SQLite file beside it, or
// separate schemas on the same PostgreSQL database), stream by stream in
// parallel as the load writes them. No reading, no transforming, no
// pipeline: what is left of a load beyond reading once this is subtracted
// is the loader's own plumbing.

// recorded is what the read pass kept of each stream: its pages, in order.
type recorded struct {
	mu    sync.Mutex
	pages map[string][]connector.Page
}

func (r *recorded) add(stream string, p connector.Page) {
	recs := make([]connector.Record, len(p.Records))
	copy(recs, p.Records)
	r.mu.Lock()
	r.pages[stream] = append(r.pages[stream], connector.Page{Records: recs, Checkpoint: p.Checkpoint})
	r.mu.Unlock()
}

// replaySource hands the recorded pages out again, with the original
// source's stream names and parallelism.
type replaySource struct {
	streams []connector.Stream
	par     int
}

func (s *replaySource) Streams() []connector.Stream { return s.streams }
func (s *replaySource) StreamParallelism() int      { return s.par }

type replayStream struct {
	name  string
	pages []connector.Page
}

func (s *replayStream) Name() string { return s.name }
func (s *replayStream) Read(ctx context.Context, _ connector.ReadOptions, emit connector.EmitFunc) error {
	for _, p := range s.pages {
		if err := emit(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

// captureSink keeps the batches the runner hands it, per stream, in order;
// it is its own checkpoint store (storing nothing), so the batches carry
// their checkpoints as they do in a load into a real sink.
type captureSink struct {
	mu      sync.Mutex
	batches map[string][]*connector.Batch
}

func (c *captureSink) Prepare(context.Context, []*connector.Table) error { return nil }
func (c *captureSink) Close() error                                      { return nil }
func (c *captureSink) Write(_ context.Context, b *connector.Batch) error {
	c.mu.Lock()
	c.batches[b.Stream] = append(c.batches[b.Stream], b)
	c.mu.Unlock()
	return nil
}
func (c *captureSink) LoadCheckpoint(context.Context, string, string) (connector.Checkpoint, error) {
	return nil, nil
}
func (c *captureSink) SaveCheckpoint(context.Context, string, string, connector.Checkpoint) error {
	return nil
}

// sameRows is the outcome of the same-rows ceiling.
type sameRows struct {
	rows    int64
	batches int
	wall    time.Duration
	cpu     time.Duration
	// server is the CPU time of the PostgreSQL backends (serverOK: it
	// could be measured).
	server   time.Duration
	serverOK bool
}

func (s sameRows) rate() float64 { return float64(s.rows) / s.wall.Seconds() }

// sameRowsCeiling builds the load's batches from rec and times writing them
// into a twin of the warehouse at whURL.
func sameRowsCeiling(ctx context.Context, whURL string, src connector.Source, tr connector.Transformer, rec *recorded, runner connector.Runner) (sameRows, error) {
	twin, drop, err := twinURL(whURL)
	if err != nil {
		return sameRows{}, err
	}
	par := 1
	if ps, ok := src.(connector.ParallelSource); ok {
		par = max(ps.StreamParallelism(), 1)
		if runner.StreamParallel > 0 {
			par = min(par, runner.StreamParallel)
		}
	}
	rs := &replaySource{par: par}
	for _, st := range src.Streams() {
		rs.streams = append(rs.streams, &replayStream{name: st.Name(), pages: rec.pages[st.Name()]})
	}
	capt := &captureSink{batches: map[string][]*connector.Batch{}}
	runner.Observer = nil
	res := runner.Run(ctx, connector.Pipeline{Name: "bench_same_rows", Source: rs, Transformer: tr, Sink: capt})[0]
	if res.Err != nil {
		return sameRows{}, fmt.Errorf("same-rows ceiling: building the batches: %w", res.Err)
	}

	wh, err := sink.Open(ctx, twin, connector.TimeUTC)
	if err != nil {
		return sameRows{}, fmt.Errorf("same-rows ceiling: %w", err)
	}
	defer func() {
		wh.Close()
		drop()
	}()
	if err := wh.Sink.Prepare(ctx, tr.Tables()); err != nil {
		return sameRows{}, fmt.Errorf("same-rows ceiling: %w", err)
	}
	var out sameRows
	for _, bs := range capt.batches {
		out.batches += len(bs)
		for _, b := range bs {
			for _, t := range b.Tables {
				out.rows += int64(len(t.Rows))
			}
		}
	}
	var g errgroup.Group
	g.SetLimit(par)
	srv0 := serverCPU(ctx, wh.DB)
	cpu0 := benchproc.CPUTime()
	start := time.Now()
	for _, st := range rs.streams {
		bs := capt.batches[st.Name()]
		g.Go(func() error {
			for _, b := range bs {
				if err := wh.Sink.Write(ctx, b); err != nil {
					return fmt.Errorf("same-rows ceiling: %w", err)
				}
			}
			return nil
		})
	}
	err = g.Wait()
	out.wall, out.cpu = time.Since(start), benchproc.CPUTime()-cpu0
	out.server, out.serverOK = serverCPUSince(ctx, wh.DB, srv0)
	return out, err
}

// twinURL returns the URL of an empty twin of the warehouse at u and a
// function that removes it: a new SQLite file in the same directory, or
// schemas of their own on the same PostgreSQL database.
func twinURL(u string) (string, func(), error) {
	switch {
	case strings.HasPrefix(u, "sqlite:"):
		dir, err := os.MkdirTemp(filepath.Dir(strings.TrimPrefix(u, "sqlite:")), "same-rows")
		if err != nil {
			return "", nil, fmt.Errorf("same-rows ceiling: %w", err)
		}
		return "sqlite:" + filepath.Join(dir, "twin.db"), func() { os.RemoveAll(dir) }, nil
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		dsn, schemas, err := sink.PostgresSchemas(u)
		if err != nil {
			return "", nil, err
		}
		staging, control := "bench_same_rows", "bench_same_rows_control"
		if s := schemas["staging"]; s != "" {
			staging = s + "_same_rows"
		}
		if s := schemas["etl_control"]; s != "" {
			control = s + "_same_rows"
		}
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		twin := dsn + sep + sink.SchemaStagingSetting + "=" + url.QueryEscape(staging) + "&" + sink.SchemaControlSetting + "=" + url.QueryEscape(control)
		drop := func() {
			wh, err := sink.Open(context.Background(), u, connector.TimeUTC)
			if err != nil {
				return
			}
			defer wh.Close()
			for _, s := range []string{staging, control} {
				_, _ = wh.DB.Exec("DROP SCHEMA IF EXISTS " + connector.QuoteIdent(s) + " CASCADE")
			}
		}
		drop() // a twin an interrupted run left behind
		return twin, drop, nil
	}
	return "", nil, fmt.Errorf("same-rows ceiling: not available for %s (sqlite: and postgres:// only)", connector.Redact(u))
}
