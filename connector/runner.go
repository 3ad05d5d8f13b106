package connector

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"golang.org/x/sync/errgroup"
)

// Mode selects how a run starts.
type Mode string

const (
	// Incremental starts every stream from its stored checkpoint; a stream
	// without a checkpoint does a full load. This is the default.
	Incremental Mode = "incremental"
	// Full ignores stored checkpoints and loads everything from the start
	// (Runner.Since or the stream's own start). The checkpoints it commits
	// replace the stored ones, so an interrupted full load is resumed by the
	// next incremental run.
	Full Mode = "full"
)

// Status is the outcome of one pipeline run.
type Status string

// Pipeline statuses.
const (
	StatusOK          Status = "ok"
	StatusFailed      Status = "failed"
	StatusInterrupted Status = "interrupted"
	// StatusSkipped: another worker held the lease of a stream (see Leaser
	// and Runner.LeaseWait), so this run did not sync it: nothing of that
	// stream was read or written. It is not a failure (the other worker is
	// syncing) but it is not "ok" either: Result.Err wraps ErrLeaseHeld.
	StatusSkipped Status = "skipped"
	// StatusFresh: every stream of the pipeline this run looked at had
	// succeeded less than Runner.FreshWithin before (by this or another
	// worker), so none was run: nothing was read or written. It is the
	// once-per-cycle rule of several workers, not a failure.
	StatusFresh Status = "fresh"
	// StatusOtherShard: the pipeline belongs to another worker's shard
	// (Runner.Shard) and this worker did not help with it (Runner.Help).
	StatusOtherShard Status = "other-shard"
)

// Pipeline is a source, its transformer and the sink they load into.
type Pipeline struct {
	// Name is unique among pipelines sharing a checkpoint store
	// ("shopee/123456"); checkpoints are keyed by (Name, stream name).
	Name string
	// Platform and Account are reported in the Result.
	Platform, Account string
	Source            Source
	Transformer       Transformer
	Sink              Sink
}

// Result is the outcome of one pipeline run.
type Result struct {
	Pipeline string
	Platform string
	Account  string
	Status   Status
	// Records is the number of raw records read.
	Records int64
	// Rows is the number of rows written per table ("staging.shopee_orders").
	Rows map[string]int64
	// Changed is the number of rows inserted or updated per table (rows
	// sent whose compared columns did not change are not counted), for the
	// tables of sinks that count them (see Batch.Changed); nil otherwise.
	Changed map[string]int64
	// Rejected is the number of records quarantined.
	Rejected int64
	// Stale is the number of rows per table the sink skipped because the
	// warehouse holds a newer version of them (Table.Version; see
	// Batch.Stale); nil when there were none.
	Stale map[string]int64
	// Duplicates is the number of rows per table dropped from a batch
	// because another row of the batch had the same primary key (the
	// newest version, or the last row, is kept; see Table.Version); nil
	// when there were none. The first of a run is logged, per table.
	Duplicates map[string]int64
	// APICalls is the number of HTTP requests sent per endpoint path.
	APICalls map[string]int64
	// APICallOutcomes is the number of HTTP requests sent per endpoint path
	// and outcome (OutcomeOK, ...), when the source is an APIOutcomeSource.
	APICallOutcomes map[string]map[string]int64
	// Streams is the status of each stream this run looked at: ok, failed,
	// interrupted, skipped (its lease was held) or fresh.
	Streams map[string]Status
	// TookOver lists the streams whose lease this run took over from a
	// worker that stopped (their abandoned runs are closed as ABANDONED).
	TookOver []string
	// Stats holds source-specific counters.
	Stats    map[string]any
	Duration time.Duration
	// Err is nil when Status is StatusOK.
	Err error
}

// EventKind tells what an Event reports.
type EventKind int

// Event kinds.
const (
	// PageFetched: a stream handed over a page (Records = its records).
	PageFetched EventKind = iota + 1
	// BatchWritten: a batch was committed (Records, Rows, Stale,
	// Duplicates).
	BatchWritten
	// CheckpointCommitted: a checkpoint was committed (Checkpoint).
	CheckpointCommitted
	// RecordRejected: a record was quarantined (Key, Reason).
	RecordRejected
	// PipelineFinished: a pipeline ended (Result).
	PipelineFinished
)

// Event is a progress notification for an Observer.
type Event struct {
	Kind       EventKind
	Pipeline   string
	Stream     string
	Records    int
	Rows       int
	Key        string
	Reason     string
	Checkpoint Checkpoint
	Result     *Result

	// Stale and Duplicates are the rows of a BatchWritten batch skipped as
	// older than the stored version and dropped as duplicate keys.
	Stale, Duplicates int
}

// Observer receives progress events. It is called synchronously from the
// pipelines' goroutines, possibly concurrently, so it must be safe for
// concurrent use and fast.
type Observer func(Event)

// Runner runs pipelines. The zero value is usable: incremental mode, batches of
// 1000 rows, the sink as checkpoint store.
type Runner struct {
	// Mode is Incremental (default) or Full.
	Mode Mode
	// Since is the start of full loads; zero lets each stream decide.
	Since time.Time
	// BatchSize is the number of rows after which buffered rows are written
	// (default 1000) in incremental runs; full loads use FullLoadBatchSize.
	BatchSize int
	// CheckpointInterval: 0 (default) writes the buffered rows and commits
	// at every checkpoint a stream emits; a positive value commits a pending
	// checkpoint at most that often (fewer, larger transactions; a crash then
	// redoes at most that much work). Full loads use
	// FullLoadCheckpointInterval instead.
	CheckpointInterval time.Duration
	// FullLoadBatchSize is BatchSize during a stream's full load (Mode
	// Full, or no stored checkpoint): 0 means BatchSize when that is set,
	// else DefaultFullLoadBatchSize.
	FullLoadBatchSize int
	// FullLoadBatchBytes ends a full-load batch early when the records it
	// holds reach this many bytes of source data (0: the default,
	// DefaultFullLoadBatchBytes; negative: no byte bound), so that wide
	// records (a TikTok order is about 6 kB) do not make two batches of
	// FullLoadBatchSize rows hold hundreds of MiB.
	FullLoadBatchBytes int
	// FullLoadCheckpointInterval coalesces checkpoints during a stream's
	// full load: a checkpoint the stream emits does not end the batch;
	// the newest one rides with the next batch written, which is written
	// when it holds FullLoadBatchSize rows, or at the first checkpoint
	// after this interval has passed since the last write (0: the default,
	// DefaultFullLoadCheckpointInterval; negative: every checkpoint is
	// committed at once, as in incremental runs). A crash, kill or failure
	// then makes the next run re-read at most the pages whose rows had not
	// filled a batch yet: fewer than FullLoadBatchSize rows, read in less
	// than this interval (beyond the batch being written and the pages
	// buffered, which are lost in any mode). Nothing read is lost: a
	// checkpoint is only ever committed with, or after, every row before
	// it. Incremental runs of a stream that has a checkpoint are not
	// affected.
	FullLoadCheckpointInterval time.Duration
	// PageBuffer is the number of pages buffered between a stream and its
	// writer (default 4). Memory per stream read is bounded by about
	// PageBuffer pages plus two batches of BatchSize rows (FullLoadBatchSize
	// in a full load; one being written while the next is transformed); a
	// ParallelSource's streams
	// read at once each have their own.
	PageBuffer int
	// Parallel is the number of pipelines run at once (default
	// DefaultParallel). It bounds the worker's memory (about PageBuffer
	// pages and two batches per stream read at once) and its share of the
	// warehouse's connections; a negative value runs every pipeline at
	// once.
	Parallel int
	// StreamParallel caps the streams of one pipeline read at once when its
	// source is a ParallelSource: 0 (default) lets the source decide, 1
	// reads them one after the other. Sources that are not ParallelSources
	// are always read one stream after the other.
	StreamParallel int
	// Checkpoints overrides the checkpoint store; by default the sink is
	// used when it implements CheckpointStore (and then the checkpoint is
	// committed in the same transaction as the data). Without a store, every
	// run is a full load. A checkpoint kept in another store than a Leaser
	// sink is saved after the sink's fenced commit and is not fenced: a
	// worker paused between the two, whose lease was taken over, can still
	// save it (moving it backwards); with several workers on one warehouse,
	// keep the checkpoints in the sink.
	Checkpoints CheckpointStore
	// LeaseWait is how long to wait for a stream's lease when the sink is a
	// Leaser and another worker holds it (default 0: skip the pipeline at
	// once with StatusSkipped).
	LeaseWait time.Duration
	// FreshWithin: a stream that succeeded less than this before (recorded
	// on its lease by whichever worker ran it, on the database's clock) is
	// not run again: StatusFresh in Streams (and for the pipeline when all
	// its streams are fresh), a FRESH row in the run history for a
	// pipeline of this worker's shard. An incremental run counts any
	// success, a full run only a full one, so a second worker never repeats
	// a full reload of the same cycle. Set it to the schedule's period
	// minus a margin; 0 (default) runs every stream (force). Needs a
	// Leaser sink; the check is made holding the lease, so two workers
	// racing for a stream run it once.
	FreshWithin time.Duration
	// Shard is this worker's share of the pipelines (default: all of
	// them). Pipelines of other shards get StatusOtherShard unless Help.
	Shard Shard
	// Help: after the pipelines of its shard, the worker goes over the
	// other shards' pipelines, from the end of each shard's list, running
	// the streams that are neither fresh nor leased by another worker.
	// With FreshWithin, that balances the cycle's work over the workers
	// and finishes the share of a worker that stopped.
	Help bool
	// HelpParallel caps the other shards' pipelines a helper runs at once
	// (default: Parallel divided by the shard count, rounded up). A helper
	// takes the pipelines their owners have not started, from the end of
	// their lists: taking many at once under an API budget would spread
	// its share of the budget thin over them, so that they finish after
	// their owners would have (with 8 workers of one app at 100 calls/s,
	// the cycle took 1.38 × calls ÷ limit with 16 at once, see "Scale-out"
	// in docs/operations.md), and it would take more of a slower worker's
	// share than needed to end the cycle with it.
	HelpParallel int
	// Watch: pipelines skipped because another worker held a stream's
	// lease are tried again, each time that lease is free, until every
	// stream is done (fresh) or taken over from a holder that stopped
	// renewing it (expired lease, or a process of this host that is gone).
	// The run then ends only when the cycle's work is done, by this worker
	// or another. WatchEvery is how often a held lease is looked at
	// (default 500 ms).
	Watch      bool
	WatchEvery time.Duration
	// OwnerGrace: while the pipelines of its shard run, a sharded worker
	// holds a presence lease on their sink (with FreshWithin, on a Leaser
	// and LeaseInspector sink), given back with a success when they have
	// all ended. A helper takes pipelines of another shard only when that
	// shard's owner is not keeping up: it finished its shard (what is
	// left, it left), its presence lease expired or was given back without
	// finishing (gone: killed, stopped; at once for a dead process of the
	// same host), it has not shown up OwnerGrace after the helper's run
	// started, it made no progress for OwnerGrace (pipelines found done,
	// see SuccessLister), or at its observed pace the rest of its shard
	// would take longer than OwnerGrace. Otherwise the helper waits (with
	// Watch) or, once it watched the owner keep pace for OwnerGrace,
	// leaves it its pipelines (StatusOtherShard). Workers that start a
	// little apart then each run their own shard instead of the earlier
	// ones taking the later ones' pipelines. Default DefaultOwnerGrace; a
	// negative value helps as soon as the worker's own shard has ended.
	OwnerGrace time.Duration
	// StopGrace bounds how long writes go on after ctx is cancelled (to
	// store what was read and commit its checkpoint) before they are
	// cancelled too (default DefaultStopGrace), so a stuck write cannot
	// keep a stopped run alive.
	StopGrace time.Duration
	// Observer, if set, receives progress events.
	Observer Observer
	// Logger receives progress logs (default slog.Default()).
	Logger *slog.Logger
	// Now is the clock for rejection times and checkpoint intervals
	// (default time.Now).
	Now func() time.Time

	// helping: this runner runs another shard's pipelines (see helper).
	helping bool
	// done: of the pipelines a helper may help with, those known done.
	done *doneSet
}

// Full-load defaults (see Runner.FullLoadBatchSize and
// Runner.FullLoadCheckpointInterval).
const (
	// DefaultFullLoadBatchSize is the rows per batch of a full load: large
	// enough that the per-transaction costs (commit, statement round
	// trips, child-set deletes) are small against the rows, small enough
	// that two batches of a stream stay a few MiB.
	DefaultFullLoadBatchSize = 5000
	// DefaultFullLoadBatchBytes is the source bytes per batch of a full
	// load at most (see Runner.FullLoadBatchBytes).
	DefaultFullLoadBatchBytes = 2 << 20
	// DefaultFullLoadCheckpointInterval bounds how much reading a crash
	// during a full load can make the next run redo.
	DefaultFullLoadCheckpointInterval = 10 * time.Second
)

// writePlan is how a stream's run batches rows and commits checkpoints.
type writePlan struct {
	batchSize int
	// batchBytes bounds a batch's source bytes (0: no bound).
	batchBytes int
	// interval: 0 commits at every checkpoint; positive commits a pending
	// checkpoint once that long has passed since the last write.
	interval time.Duration
}

// plan returns the write plan of a stream's run: a full load (no
// checkpoint to start from) batches more rows and coalesces checkpoints.
func (r *Runner) plan(full bool) writePlan {
	p := writePlan{batchSize: r.BatchSize, interval: max(r.CheckpointInterval, 0)}
	if p.batchSize <= 0 {
		p.batchSize = 1000
	}
	if !full {
		return p
	}
	switch {
	case r.FullLoadBatchSize > 0:
		p.batchSize = r.FullLoadBatchSize
	case r.BatchSize <= 0:
		p.batchSize = DefaultFullLoadBatchSize
	}
	switch {
	case r.FullLoadBatchBytes > 0:
		p.batchBytes = r.FullLoadBatchBytes
	case r.FullLoadBatchBytes == 0:
		p.batchBytes = DefaultFullLoadBatchBytes
	}
	switch {
	case r.FullLoadCheckpointInterval < 0:
		p.interval = 0
	case r.FullLoadCheckpointInterval > 0:
		p.interval = r.FullLoadCheckpointInterval
	default:
		p.interval = DefaultFullLoadCheckpointInterval
	}
	return p
}

// Run runs the pipelines concurrently and returns one Result per pipeline, in
// the same order. A failing pipeline never stops the others. Cancelling ctx
// stops reading; what was read is written, the last checkpoint committed, and
// the pipelines report StatusInterrupted.
//
// With a Shard, the pipelines of this worker's shard run first; the others
// get StatusOtherShard, or with Help are run after them (see Help). With
// Watch, pipelines skipped for a held lease are run again until done (see
// Watch).
func (r *Runner) Run(ctx context.Context, pipelines ...Pipeline) []Result {
	results := make([]Result, len(pipelines))
	start := time.Now()
	order, help, shardOf := r.shardOrder(pipelines)
	// One helper for the other shards' pipelines, which knows those found
	// done (doneSet).
	hr := r.helper()
	var helped []Pipeline
	for i, p := range pipelines {
		if help[i] {
			helped = append(helped, p)
		}
	}
	var gates map[int]*ownerGate
	if len(helped) > 0 {
		hr.done = r.newDoneSet(helped)
		gates = hr.ownerGates(pipelines, shardOf, start)
	}
	// This worker's presence, for the helpers of other workers (see
	// OwnerGrace): held while its own shard runs.
	presence := r.takePresence(ctx, pipelines, shardOf)
	// Helping starts once this shard's pipelines have all ended: the other
	// shards' pipelines not started by then are those of workers behind
	// this one (started later, slower, or gone). Workers that keep pace
	// leave each other nothing to take; helping earlier would only move
	// work between them, and under an API budget spread each one's share
	// thinner over more pipelines.
	helpSlots := make(chan struct{}, r.helpParallel())
	ownDone := make(chan struct{})
	var own sync.WaitGroup
	for _, i := range order {
		if !help[i] {
			own.Add(1)
		}
	}
	go func() {
		own.Wait()
		if presence != nil {
			var err error
			if ctx.Err() == nil {
				err = presence.ReleaseSucceeded(r.mode())
			} else {
				err = presence.Release()
			}
			if err != nil {
				r.logger().Warn("shard presence not given back: it expires", "shard", r.Shard.String(), "error", err)
			}
		}
		close(ownDone)
	}()
	// slots bounds the pipelines in flight (Parallel); nil: no bound.
	var slots chan struct{}
	if n := r.parallel(); n > 0 {
		slots = make(chan struct{}, n)
	}
	acquire := func() bool {
		if slots == nil {
			return true
		}
		select {
		case slots <- struct{}{}:
			return true
		case <-ctx.Done():
			return false
		}
	}
	release := func() {
		if slots != nil {
			<-slots
		}
	}
	var wg sync.WaitGroup
	// This shard's pipelines, in order.
	for _, i := range order {
		if help[i] {
			continue
		}
		// Started even once ctx is done: the run reports it interrupted.
		if slots != nil {
			slots <- struct{}{}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer release()
			defer own.Done()
			results[i] = r.RunPipeline(ctx, pipelines[i])
		}()
	}
	// The other shards' pipelines: one dispatcher per shard, in the shard's
	// help order, so that waiting for a live owner (gates) holds no slot
	// and does not keep the helper from a shard whose owner is gone.
	var byShard [][]int
	last := -1
	for _, i := range order {
		if !help[i] {
			continue
		}
		if len(byShard) == 0 || shardOf[i] != last {
			byShard = append(byShard, nil)
			last = shardOf[i]
		}
		byShard[len(byShard)-1] = append(byShard[len(byShard)-1], i)
	}
	for _, idx := range byShard {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case <-ownDone:
			case <-ctx.Done():
			}
			gt := gates[shardOf[idx[0]]]
			for _, i := range idx {
				// Leave a live owner that keeps pace its own pipelines.
				if ctx.Err() != nil || (gt != nil && !gt.wait(ctx)) {
					results[i] = r.notRun(pipelines[i])
					continue
				}
				select {
				case helpSlots <- struct{}{}:
				case <-ctx.Done():
					results[i] = r.notRun(pipelines[i])
					continue
				}
				if !acquire() {
					<-helpSlots
					results[i] = r.notRun(pipelines[i])
					continue
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer func() { <-helpSlots }()
					defer release()
					results[i] = hr.RunPipeline(ctx, pipelines[i])
				}()
			}
		}()
	}
	wg.Wait()
	// The presence is given back before Run returns, also when nothing
	// waited for it (no help, or ctx done): a caller may close the sink,
	// exit or start the next cycle at once.
	<-ownDone
	for i := range results {
		if results[i].Pipeline == "" {
			results[i] = r.notRun(pipelines[i])
		}
	}
	if !r.Watch {
		return results
	}
	// Watch: the pipelines another worker held, until done or taken over.
	var g errgroup.Group
	if n := r.parallel(); n > 0 {
		g.SetLimit(n)
	}
	for i := range results {
		if results[i].Status != StatusSkipped || ctx.Err() != nil {
			continue
		}
		g.Go(func() error {
			rr := r
			if help[i] {
				rr = hr
			}
			results[i] = rr.watch(ctx, pipelines[i], results[i])
			return nil
		})
	}
	_ = g.Wait()
	return results
}

// DefaultParallel is how many pipelines a Runner runs at once by default.
const DefaultParallel = 16

// helpParallel is how many other shards' pipelines a helper runs at once
// (see HelpParallel).
func (r *Runner) helpParallel() int {
	if r.HelpParallel > 0 {
		return r.HelpParallel
	}
	n := r.parallel()
	if n == 0 {
		n = DefaultParallel
	}
	return max(1, (n+r.Shard.Count-1)/max(r.Shard.Count, 1))
}

func (r *Runner) parallel() int {
	switch {
	case r.Parallel < 0:
		return 0
	case r.Parallel == 0:
		return DefaultParallel
	}
	return r.Parallel
}

// notRun is the Result of a pipeline of another shard that this run did
// not help with.
func (r *Runner) notRun(p Pipeline) Result {
	return Result{Pipeline: p.Name, Platform: p.Platform, Account: p.Account, Status: StatusOtherShard, Rows: map[string]int64{}}
}

// shardOrder returns the order to run the pipelines in and which are
// another shard's (help): this shard's first, in their order; then, with
// Help, the next shard's from its end, the one after it, and so on, so that
// helpers meet the owner of a shard last.
func (r *Runner) shardOrder(ps []Pipeline) (order []int, help []bool, shardOf []int) {
	help = make([]bool, len(ps))
	if !r.Shard.Sharded() {
		for i := range ps {
			order = append(order, i)
		}
		return order, help, make([]int, len(ps))
	}
	n := r.Shard.Count
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
	}
	byShard := make([][]int, n)
	shardOf = Assign(names, n)
	for i, sh := range shardOf {
		byShard[sh] = append(byShard[sh], i)
	}
	order = append(order, byShard[r.Shard.Index]...)
	if !r.Help {
		return order, help, shardOf
	}
	for k := 1; k < n; k++ {
		own := byShard[(r.Shard.Index+k)%n]
		for j := len(own) - 1; j >= 0; j-- {
			order = append(order, own[j])
			help[own[j]] = true
		}
	}
	return order, help, shardOf
}

// helper returns the runner for pipelines of other shards: it first looks
// at a stream's lease (LeaseInspector) and skips it when fresh or held,
// without taking it, and records no FRESH run.
func (r *Runner) helper() *Runner {
	h := *r
	h.helping = true
	return &h
}

// watch runs a pipeline that was skipped for a held lease again each time
// the held streams' leases are free, until it is not skipped.
func (r *Runner) watch(ctx context.Context, p Pipeline, res Result) Result {
	li, ok := p.Sink.(LeaseInspector)
	if !ok {
		return res
	}
	every := r.WatchEvery
	if every <= 0 {
		every = 500 * time.Millisecond
	}
	for res.Status == StatusSkipped && ctx.Err() == nil {
		var held []string
		for st, status := range res.Streams {
			if status == StatusSkipped {
				held = append(held, st)
			}
		}
		for _, st := range held {
			for ctx.Err() == nil {
				state, err := li.InspectLease(ctx, p.Name, st)
				if err != nil || !state.Held || state.FreshWithin(r.FreshWithin, r.mode()) {
					break // free (released or expired), fresh, or unknown: try the pipeline
				}
				select {
				case <-ctx.Done():
				case <-time.After(every):
				}
			}
		}
		if ctx.Err() != nil {
			break
		}
		res = r.RunPipeline(ctx, p)
	}
	return res
}

// RunPipeline runs one pipeline: every stream of its source, one after the
// other, or several at once when the source is a ParallelSource (see
// Runner.StreamParallel). A stream that fails ends the pipeline with
// StatusFailed: streams not yet started are not started, those already
// running finish (their data and checkpoints are good), and Result.Err
// joins the errors of every failed stream.
func (r *Runner) RunPipeline(ctx context.Context, p Pipeline) Result {
	start := time.Now()
	res := Result{Pipeline: p.Name, Platform: p.Platform, Account: p.Account, Status: StatusOK, Rows: map[string]int64{}}
	var before map[string]int64
	ss, hasStats := p.Source.(StatsSource)
	oc, hasOutcomes := p.Source.(APIOutcomeSource)
	var outcomesBefore map[string]map[string]int64
	// Everything below runs code of the pipeline's source, transformer and
	// sink: a panic in it fails this pipeline only (see safely).
	err := r.safely(p.Name, "", "pipeline", func() error {
		if hasStats {
			before = ss.APICalls()
		}
		if hasOutcomes {
			outcomesBefore = oc.APICallOutcomes()
		}
		return r.runPipeline(ctx, p, &res)
	})
	if cerr := r.safely(p.Name, "", "source counters", func() error {
		if hasOutcomes {
			res.APICallOutcomes = diffOutcomes(oc.APICallOutcomes(), outcomesBefore)
		}
		if hasStats {
			res.APICalls = map[string]int64{}
			for k, v := range ss.APICalls() {
				if d := v - before[k]; d > 0 {
					res.APICalls[k] = d
				}
			}
			res.Stats = ss.Stats()
		}
		return nil
	}); err == nil {
		err = cerr
	}
	res.Duration = time.Since(start)
	if err == nil && allFresh(res.Streams) {
		res.Status = StatusFresh
	}
	if err != nil {
		res.Err = err
		res.Status = StatusFailed
		var live *failedBeforeStop
		failedFirst := errors.As(err, &live)
		if ctx.Err() != nil && !failedFirst {
			res.Status = StatusInterrupted
		} else if !failedFirst && onlyLeaseHeld(err) {
			res.Status = StatusSkipped
		}
	}
	r.logger().Info("pipeline finished", "pipeline", p.Name, "status", res.Status,
		"records", res.Records, "rejected", res.Rejected, "stale", sum(res.Stale), "duplicates", sum(res.Duplicates),
		"duration", res.Duration.Round(time.Millisecond), "error", errString(res.Err))
	_ = r.safely(p.Name, "", "observer", func() error {
		r.observe(Event{Kind: PipelineFinished, Pipeline: p.Name, Result: &res})
		return nil
	})
	return res
}

// PanicError is a panic inside a pipeline (its source, stream, transformer,
// sink or observer) turned into the pipeline's failure: the runner recovers
// it in every goroutine it starts, logs the stack, and the other pipelines
// run on.
type PanicError struct {
	// Where names the part that panicked ("stream reader", "transformer",
	// "sink write", ...).
	Where string
	// Value is what was passed to panic.
	Value any
	// Stack is the panicking goroutine's stack (also logged).
	Stack []byte
}

// Error names the part and the panic value (not the stack).
func (e *PanicError) Error() string { return fmt.Sprintf("%s panicked: %v", e.Where, e.Value) }

// Guard runs f and turns a panic into a *PanicError (with the stack) naming
// where. The runner guards every goroutine it starts; a source guards the
// goroutines it starts itself (page fetchers, detail workers) with Guard,
// so that a panic on bytes from the network fails the stream instead of
// ending the process.
func Guard(where string, f func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Where: where, Value: v, Stack: debug.Stack()}
		}
	}()
	return f()
}

// safely runs f, turning a panic into a *PanicError logged with its stack.
func (r *Runner) safely(pipeline, stream, where string, f func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = r.panicked(pipeline, stream, where, v)
		}
	}()
	return f()
}

// panicked builds the error of a recovered panic and logs it with the stack.
func (r *Runner) panicked(pipeline, stream, where string, v any) error {
	pe := &PanicError{Where: where, Value: v, Stack: debug.Stack()}
	r.logger().Error("pipeline panicked", "pipeline", pipeline, "stream", stream, "where", where,
		"panic", fmt.Sprint(v), "stack", string(pe.Stack))
	return pe
}

// failedBeforeStop wraps the error of a stream that failed while the run's
// context was still live: the pipeline failed, even if the run was stopped
// later (while the streams read beside it went on).
type failedBeforeStop struct{ err error }

func (e *failedBeforeStop) Error() string { return e.err.Error() }
func (e *failedBeforeStop) Unwrap() error { return e.err }

// onlyLeaseHeld reports whether err is ErrLeaseHeld alone: with streams
// read at once, a stream skipped for its lease must not hide a sibling's
// real failure joined to it.
func onlyLeaseHeld(err error) bool {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			if !onlyLeaseHeld(e) {
				return false
			}
		}
		return len(j.Unwrap()) > 0
	}
	return errors.Is(err, ErrLeaseHeld)
}

// allFresh reports whether streams has entries and every one is fresh.
func allFresh(streams map[string]Status) bool {
	for _, s := range streams {
		if s != StatusFresh {
			return false
		}
	}
	return len(streams) > 0
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func (r *Runner) runPipeline(ctx context.Context, p Pipeline, res *Result) error {
	if p.Name == "" || p.Source == nil || p.Transformer == nil || p.Sink == nil {
		return fmt.Errorf("pipeline %q: name, source, transformer and sink are required", p.Name)
	}
	if r.helping {
		// Another shard's pipeline: nothing to do (and nothing to prepare)
		// when its streams are fresh or another worker holds one.
		if done, err := r.lookFirst(ctx, p, res); done || err != nil {
			return err
		}
	}
	tables := p.Transformer.Tables()
	for _, t := range tables {
		if err := t.Validate(); err != nil {
			return fmt.Errorf("pipeline %s: %w", p.Name, err)
		}
	}
	if err := p.Sink.Prepare(ctx, tables); err != nil {
		return fmt.Errorf("pipeline %s: prepare sink: %w", p.Name, err)
	}
	if vt, ok := p.Transformer.(ViewTransformer); ok {
		if vs, ok := p.Sink.(ViewSink); ok {
			if parts := vt.Views(); len(parts) > 0 {
				if err := vs.PrepareViews(ctx, parts); err != nil {
					return fmt.Errorf("pipeline %s: prepare views: %w", p.Name, err)
				}
			}
		}
	}
	streams := p.Source.Streams()
	if n := r.streamParallelism(p.Source, len(streams)); n > 1 {
		return r.runStreamsParallel(ctx, p, streams, tables, n, res)
	}
	for _, st := range streams {
		// One run id per stream run: it is etl_batch_id of the rows and
		// batch_id of the run's etl_control.batch_runs row.
		if err := r.runStream(ctx, p, st, tables, newRunID(), res); err != nil {
			return fmt.Errorf("pipeline %s, stream %s: %w", p.Name, st.Name(), err)
		}
	}
	return ctx.Err()
}

// lookFirst looks at the leases of a helped pipeline's streams: done when
// every one is fresh; ErrLeaseHeld when another worker holds one before a
// stream that is not fresh (the pipeline is then watched, see Watch).
func (r *Runner) lookFirst(ctx context.Context, p Pipeline, res *Result) (bool, error) {
	li, ok := p.Sink.(LeaseInspector)
	if !ok {
		return false, nil
	}
	if r.done != nil && r.done.isDone(ctx, p) {
		for _, st := range p.Source.Streams() {
			res.setStream(st.Name(), StatusFresh)
		}
		return true, nil
	}
	for _, st := range p.Source.Streams() {
		state, err := li.InspectLease(ctx, p.Name, st.Name())
		switch {
		case err != nil:
			return false, nil // the run decides
		case state.FreshWithin(r.FreshWithin, r.mode()):
			res.setStream(st.Name(), StatusFresh)
		case state.Held:
			res.setStream(st.Name(), StatusSkipped)
			return true, fmt.Errorf("pipeline %s, stream %s: lease: %w", p.Name, st.Name(), ErrLeaseHeld)
		default:
			return false, nil
		}
	}
	return true, nil
}

// streamParallelism is how many of the n streams of src are read at once.
func (r *Runner) streamParallelism(src Source, n int) int {
	ps, ok := src.(ParallelSource)
	if !ok || n < 2 {
		return 1
	}
	k := ps.StreamParallelism()
	if r.StreamParallel > 0 && r.StreamParallel < k {
		k = r.StreamParallel
	}
	return min(k, n)
}

// runStreamsParallel runs up to n streams at once, each with its own
// Result merged into res when it ends. After a failure, or once ctx is
// done, no further stream is started.
func (r *Runner) runStreamsParallel(ctx context.Context, p Pipeline, streams []Stream, tables []*Table, n int, res *Result) error {
	var (
		mu     sync.Mutex
		wg     sync.WaitGroup
		failed atomic.Bool
	)
	errs := make([]error, len(streams))
	sem := make(chan struct{}, n)
	for i, st := range streams {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if failed.Load() || ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			own := Result{Rows: map[string]int64{}}
			err := r.safely(p.Name, st.Name(), "stream", func() error {
				return r.runStream(ctx, p, st, tables, newRunID(), &own)
			})
			if err != nil {
				errs[i] = fmt.Errorf("pipeline %s, stream %s: %w", p.Name, st.Name(), err)
				failed.Store(true)
			}
			mu.Lock()
			mergeResult(res, &own)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return ctx.Err()
}

// mergeResult adds the counts of one stream's run to the pipeline's.
func mergeResult(dst, src *Result) {
	for st, status := range src.Streams {
		dst.setStream(st, status)
	}
	dst.TookOver = append(dst.TookOver, src.TookOver...)
	dst.Records += src.Records
	dst.Rejected += src.Rejected
	for t, n := range src.Rows {
		dst.Rows[t] += n
	}
	addCounts(&dst.Changed, src.Changed)
	addCounts(&dst.Stale, src.Stale)
	addCounts(&dst.Duplicates, src.Duplicates)
}

// setStream records the status of one stream of the run.
func (res *Result) setStream(stream string, s Status) {
	if res.Streams == nil {
		res.Streams = map[string]Status{}
	}
	res.Streams[stream] = s
}

// addCounts adds the counts of src to *dst, making it when needed.
func addCounts(dst *map[string]int64, src map[string]int64) {
	for t, n := range src {
		if *dst == nil {
			*dst = map[string]int64{}
		}
		(*dst)[t] += n
	}
}

func (r *Runner) store(p Pipeline) (CheckpointStore, bool) {
	if r.Checkpoints != nil {
		if s, ok := p.Sink.(CheckpointStore); ok && any(s) == any(r.Checkpoints) {
			return s, true
		}
		return r.Checkpoints, false
	}
	if s, ok := p.Sink.(CheckpointStore); ok {
		return s, true
	}
	return nil, false
}

func (r *Runner) runStream(ctx context.Context, p Pipeline, st Stream, tables []*Table, runID string, res *Result) (err error) {
	var fence *Fence
	leased := false
	defer func() {
		switch {
		case errors.Is(err, errFresh):
			res.setStream(st.Name(), StatusFresh)
			err = nil
		case err == nil:
			res.setStream(st.Name(), StatusOK)
		case errors.Is(err, ErrLeaseHeld) && !errors.As(err, new(*failedBeforeStop)):
			res.setStream(st.Name(), StatusSkipped)
		case ctx.Err() != nil && !errors.As(err, new(*failedBeforeStop)):
			res.setStream(st.Name(), StatusInterrupted)
		default:
			res.setStream(st.Name(), StatusFailed)
		}
	}()
	if l, ok := p.Sink.(Leaser); ok {
		if r.helping {
			// Another shard's stream: look before taking anything.
			if li, ok := p.Sink.(LeaseInspector); ok {
				state, ierr := li.InspectLease(ctx, p.Name, st.Name())
				switch {
				case ierr != nil:
					// Unknown: the lease below decides.
				case state.FreshWithin(r.FreshWithin, r.mode()):
					return errFresh
				case state.Held:
					return fmt.Errorf("lease: %s/%s: %w", p.Name, st.Name(), ErrLeaseHeld)
				}
			}
		}
		lease, lerr := l.Lease(ctx, p.Name, st.Name(), r.LeaseWait)
		if errors.Is(lerr, ErrLeaseHeld) && !r.helping && !r.Watch {
			r.logger().Warn("stream skipped: another worker is syncing it", "pipeline", p.Name, "stream", st.Name(), "waited", r.LeaseWait)
		}
		if lerr != nil {
			lerr = fmt.Errorf("lease: %w", lerr)
			if ctx.Err() == nil && !errors.Is(lerr, ErrLeaseHeld) {
				lerr = &failedBeforeStop{lerr}
			}
			return lerr
		}
		fence = &lease.Fence
		leased = true
		defer func() {
			var rerr error
			if err == nil {
				rerr = lease.ReleaseSucceeded(r.mode())
			} else {
				rerr = lease.Release()
			}
			if rerr != nil {
				r.logger().Warn("lease release failed", "pipeline", p.Name, "stream", st.Name(), "error", rerr)
			}
		}()
		if lease.FreshWithin(r.FreshWithin, r.mode()) {
			if !r.helping {
				r.recordFresh(ctx, p, st.Name(), runID, lease)
			}
			return errFresh
		}
		if lease.TookOver != nil {
			res.TookOver = append(res.TookOver, st.Name())
			r.logger().Warn("stream taken over: its worker stopped renewing its lease; its run is closed as ABANDONED",
				"pipeline", p.Name, "stream", st.Name(), "from", lease.TookOver.String(), "run", runID)
		}
	}
	run := r.startRun(ctx, p, st.Name(), runID, leased, res)
	defer func() {
		if err != nil && ctx.Err() == nil {
			err = &failedBeforeStop{err}
		}
		run.finish(ctx, err)
	}()
	// A panic of this goroutine's calls (checkpoint store, observer, ...)
	// is this stream's failure, recorded as such by run.finish above.
	defer func() {
		if v := recover(); v != nil {
			err = r.panicked(p.Name, st.Name(), "stream", v)
		}
	}()
	store, inSink := r.store(p)
	opts := ReadOptions{Since: r.Since}
	if r.Mode != Full && store != nil {
		cp, err := store.LoadCheckpoint(ctx, p.Name, st.Name())
		if err != nil {
			return fmt.Errorf("load checkpoint: %w", err)
		}
		opts.Checkpoint = cp
	}
	r.logger().Info("stream started", "pipeline", p.Name, "stream", st.Name(), "mode", r.mode(), "resume", opts.Checkpoint != nil)

	buf := r.PageBuffer
	if buf <= 0 {
		buf = 4
	}
	pages := make(chan Page, buf)
	readCtx, cancelRead := context.WithCancel(ctx)
	defer cancelRead()
	var readErr error
	go func() {
		defer close(pages)
		readErr = r.safely(p.Name, st.Name(), "stream reader", func() error {
			return st.Read(readCtx, opts, func(ctx context.Context, pg Page) error {
				select {
				case pages <- pg:
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			})
		})
	}()

	plan := r.plan(opts.Checkpoint == nil)
	w := newBatcher(r, p, st.Name(), tables, runID, store, inSink, res, plan.batchSize)
	run.w = w
	w.fence = fence
	// Writes are not cancelled with ctx at once: what was read is stored and
	// the checkpoint committed, so an interrupted run resumes exactly there;
	// Runner.StopGrace later they are. They run in the writer stage (see
	// writer.go), overlapping the transformation of the next batch.
	wctx, cancelWrites := r.writeContext(ctx)
	defer cancelWrites()
	w.startWriter(wctx)
	writerStopped := false
	defer func() {
		if !writerStopped { // a panic left the loop below
			_ = w.stopWriter()
		}
	}()
	var writeErr, transformErr error
	for pg := range pages {
		if writeErr != nil || transformErr != nil {
			continue // drain so the reader can finish
		}
		r.observe(Event{Kind: PageFetched, Pipeline: p.Name, Stream: st.Name(), Records: len(pg.Records)})
		for i := range pg.Records {
			rec := pg.Records[i]
			rec.Stream = st.Name()
			if w.seen(rec.Key) {
				if writeErr = w.flush(wctx); writeErr != nil {
					break
				}
			}
			var clash bool
			if clash, transformErr = w.transform(p.Transformer, rec); transformErr != nil {
				break
			}
			if clash {
				// The record holds another version of a versioned row of
				// the batch: it goes to the next batch, where the sink's
				// version rule decides for it and its child rows.
				if writeErr = w.flush(wctx); writeErr != nil {
					break
				}
				w.accept(rec)
			}
			if w.nrows >= w.batchSize || (plan.batchBytes > 0 && w.bytes >= plan.batchBytes) {
				if writeErr = w.flush(wctx); writeErr != nil {
					break
				}
			}
		}
		if writeErr == nil && transformErr == nil && pg.Checkpoint != nil {
			w.pending = pg.Checkpoint
			if plan.interval <= 0 || r.now().Sub(w.lastFlush) >= plan.interval {
				writeErr = w.flush(wctx)
			}
		}
		if writeErr != nil || transformErr != nil {
			cancelRead()
		}
	}
	if writeErr == nil {
		// After a transformer panic too: the records before it and the
		// checkpoint of the last whole page are good.
		writeErr = w.flush(wctx)
	}
	writerStopped = true
	if err := w.stopWriter(); writeErr == nil {
		writeErr = err
	}
	if writeErr != nil {
		return fmt.Errorf("write: %w", writeErr)
	}
	if transformErr != nil {
		return fmt.Errorf("transform: %w", transformErr)
	}
	if readErr != nil {
		return fmt.Errorf("read: %w", readErr)
	}
	return nil
}

// errFresh ends a stream run that was skipped as fresh (StatusFresh); it
// never leaves runStream.
var errFresh = errors.New("fresh")

// recordFresh records a stream skipped as fresh in the run history: a FRESH
// row naming when it last succeeded.
func (r *Runner) recordFresh(ctx context.Context, p Pipeline, stream, runID string, l *Lease) {
	rec, ok := p.Sink.(RunRecorder)
	if !ok {
		return
	}
	now := time.Now()
	run := Run{ID: runID, Pipeline: p.Name, Platform: p.Platform, Account: p.Account, Stream: stream, Start: now, State: RunRunning, Leased: true}
	ctx = context.WithoutCancel(ctx)
	if err := rec.StartRun(ctx, run); err != nil {
		r.logger().Warn("run history: fresh stream not recorded", "pipeline", p.Name, "stream", stream, "error", err)
		return
	}
	run.End, run.State = now, RunFresh
	run.Error = fmt.Sprintf("not run: it succeeded %s ago (%s run), less than the fresh interval %s",
		l.Acquired.Sub(l.LastSuccess).Round(time.Millisecond), l.LastMode, r.FreshWithin)
	if err := rec.FinishRun(ctx, run); err != nil {
		r.logger().Warn("run history: fresh stream not recorded", "pipeline", p.Name, "stream", stream, "error", err)
	}
}

func (r *Runner) mode() Mode {
	if r.Mode == "" {
		return Incremental
	}
	return r.Mode
}

func (r *Runner) observe(e Event) {
	if r.Observer != nil {
		r.Observer(e)
	}
}

func (r *Runner) logger() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return slog.Default()
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// batcher buffers the rows of one stream per table and writes them.
type batcher struct {
	r         *Runner
	p         Pipeline
	stream    string
	runID     string
	store     CheckpointStore
	inSink    bool
	res       *Result
	batchSize int

	tables  []*Table
	pos     map[*Table]int
	rows    [][][]any
	nrows   int
	records int
	bytes   int   // source bytes of the batch's records
	loaded  int64 // records stored by this batcher's flushes
	keys    map[string]struct{}
	rejects []Rejection
	pending Checkpoint

	// The version groups (Table.VersionGroup) of the batch's rows of
	// versioned tables: table position + key; groupIdx holds the group's
	// column positions per table (nil: not versioned).
	groups       map[string]struct{}
	groupIdx     [][]int
	stagedGroups []string
	groupBuf     []byte

	staged    []staged
	jsonSeen  jsonSeen // the JSON texts of the record's rows found valid
	lastFlush time.Time
	fence     *Fence
	dupLogged map[*Table]bool // tables whose duplicate keys were logged this run

	// Per accepted record of the buffered batch: the record and where its
	// rows start in each table (recStarts[n*len(tables)+i]), so that a batch
	// the warehouse refuses can be split by records.
	recs      []Record
	recStarts []int

	wr *writer
}

type staged struct {
	t   int
	row []any
}

func newBatcher(r *Runner, p Pipeline, stream string, tables []*Table, runID string, store CheckpointStore, inSink bool, res *Result, bs int) *batcher {
	b := &batcher{r: r, p: p, stream: stream, runID: runID, store: store, inSink: inSink, res: res, batchSize: bs,
		tables: tables, pos: make(map[*Table]int, len(tables)), rows: make([][][]any, len(tables)),
		keys: map[string]struct{}{}, groups: map[string]struct{}{}, groupIdx: make([][]int, len(tables)), lastFlush: r.now()}
	for i, t := range tables {
		b.pos[t] = i
		if g := t.VersionGroup(); g != nil {
			b.groupIdx[i] = t.indexes(g)
		}
	}
	return b
}

// Add implements Output: rows are staged until the record is accepted.
func (b *batcher) Add(t *Table, row []any) {
	i, ok := b.pos[t]
	if !ok {
		i = -1
	}
	b.staged = append(b.staged, staged{t: i, row: row})
}

// seen reports whether a record with this key is already buffered; the
// caller then flushes first, so one batch never holds two versions of a
// record (their child sets would mix).
func (b *batcher) seen(key string) bool {
	if key == "" {
		return false
	}
	_, ok := b.keys[key]
	return ok
}

// transform transforms rec into the buffered batch, or quarantines it when
// the transformer rejects it. It returns an error only when the transformer
// panicked: a panic is a bug of the transformer, not a property of the
// record, so the stream fails (loudly, the checkpoint stays before the
// record) instead of quarantining record after record. It returns clash,
// adding nothing, when a row of a versioned table (Table.Version) falls in
// a group that a row of the batch already holds: the caller flushes and
// then calls accept, so that one batch never holds two versions of a row
// either (the older one's child rows would mix with the newer one's).
func (b *batcher) transform(tr Transformer, rec Record) (clash bool, err error) {
	b.staged = b.staged[:0]
	b.res.Records++
	if utf8.Valid(rec.Data) {
		err = b.safeTransform(tr, rec)
		if pe := (*PanicError)(nil); errors.As(err, &pe) {
			return false, fmt.Errorf("record %s: %w", rec.Key, err)
		}
	} else {
		// JSON is UTF-8 (RFC 8259); a decoder would silently replace the bad
		// bytes, so the record is quarantined as it came.
		err = errors.New("payload is not valid UTF-8")
	}
	if err == nil {
		b.jsonSeen.reset()
		for _, s := range b.staged {
			if s.t < 0 {
				err = fmt.Errorf("transformer wrote to a table it did not declare")
				break
			}
			if err = validateRow(b.tables[s.t], s.row, &b.jsonSeen); err != nil {
				break
			}
		}
	}
	if err != nil {
		reason := err.Error()
		b.rejects = append(b.rejects, Rejection{Key: rec.Key, Reason: reason, Payload: rec.Data, At: b.r.now().UTC()})
		b.r.observe(Event{Kind: RecordRejected, Pipeline: b.p.Name, Stream: b.stream, Key: rec.Key, Reason: reason})
		b.r.logger().Warn("record rejected", "pipeline", b.p.Name, "stream", b.stream, "key", rec.Key, "reason", reason)
		return false, nil
	}
	if b.clashes() {
		return true, nil
	}
	b.accept(rec)
	return false, nil
}

// clashes computes the version groups of the staged rows and reports
// whether one of them is already in the batch.
func (b *batcher) clashes() bool {
	b.stagedGroups = b.stagedGroups[:0]
	clash := false
	for _, s := range b.staged {
		gi := b.groupIdx[s.t]
		if gi == nil {
			continue
		}
		b.groupBuf = appendKey(binary.AppendUvarint(b.groupBuf[:0], uint64(s.t)), s.row, gi)
		if _, ok := b.groups[string(b.groupBuf)]; ok {
			clash = true
		}
		b.stagedGroups = append(b.stagedGroups, string(b.groupBuf))
	}
	return clash
}

// accept adds the staged rows of rec (transformed and valid) to the batch.
func (b *batcher) accept(rec Record) {
	for _, g := range b.stagedGroups {
		b.groups[g] = struct{}{}
	}
	for i := range b.rows {
		b.recStarts = append(b.recStarts, len(b.rows[i]))
	}
	b.recs = append(b.recs, Record{Key: rec.Key, Data: rec.Data})
	for _, s := range b.staged {
		b.rows[s.t] = append(b.rows[s.t], s.row)
	}
	b.nrows += len(b.staged)
	b.records++
	b.bytes += len(rec.Data)
	if rec.Key != "" {
		b.keys[rec.Key] = struct{}{}
	}
}

// safeTransform calls the transformer, recovering a panic (without the
// closure safely would allocate per record).
func (b *batcher) safeTransform(tr Transformer, rec Record) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = b.r.panicked(b.p.Name, b.stream, "transformer", v)
		}
	}()
	return tr.Transform(rec, b)
}

// flush hands the buffered batch to the writer stage and starts a new one.
// It returns the error of an earlier batch's write, if one failed.
func (b *batcher) flush(ctx context.Context) error {
	if err := b.wr.failed(); err != nil {
		return err
	}
	if b.nrows == 0 && len(b.rejects) == 0 && b.pending == nil {
		return nil
	}
	u := &unit{rows: b.rows, recs: b.recs, starts: b.recStarts, records: b.records, nrows: b.nrows, pending: b.pending}
	u.batch = &Batch{Pipeline: b.p.Name, Stream: b.stream, RunID: b.runID, Rejected: b.rejects, Fence: b.fence}
	for i, t := range b.tables {
		rows, dropped, example := dedupeByKey(t, b.rows[i])
		if dropped > 0 {
			b.duplicates(u, t, dropped, example)
		}
		u.batch.Tables = append(u.batch.Tables, TableRows{Table: t, Rows: rows})
	}
	if b.inSink {
		u.batch.Checkpoint = b.pending
	}
	// The unit owns the buffers now; the next batch gets new ones.
	b.rows = make([][][]any, len(b.tables))
	for i := range b.rows {
		b.rows[i] = make([][]any, 0, len(u.rows[i]))
	}
	b.recs = make([]Record, 0, len(u.recs))
	b.recStarts = make([]int, 0, len(u.starts))
	clear(b.keys)
	clear(b.groups)
	b.nrows, b.records, b.bytes, b.rejects, b.pending = 0, 0, 0, nil, nil
	b.lastFlush = b.r.now()
	return b.wr.submit(u)
}

// duplicates counts the rows of t that dedupeByKey dropped from u and logs
// the first time a run drops some, with one example key.
func (b *batcher) duplicates(u *unit, t *Table, dropped int, example string) {
	if u.dups == nil {
		u.dups = map[string]int64{}
	}
	u.dups[t.FullName()] += int64(dropped)
	if b.dupLogged[t] {
		return
	}
	if b.dupLogged == nil {
		b.dupLogged = map[*Table]bool{}
	}
	b.dupLogged[t] = true
	b.r.logger().Warn("rows with the same key in one batch: the newest version is kept, the others are dropped (counted in the run's duplicates; logged once per run and table)",
		"pipeline", b.p.Name, "stream", b.stream, "table", t.FullName(), "key", example, "dropped", dropped)
}

// newRunID returns a random UUIDv4 string.
func newRunID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
