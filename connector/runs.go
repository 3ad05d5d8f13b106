package connector

import (
	"context"
	"time"
)

// RunState is the state of one run of a pipeline's stream in the run
// history (etl_control.batch_runs, the old system's values).
type RunState string

// Run states.
const (
	RunRunning   RunState = "RUNNING"
	RunSuccess   RunState = "SUCCESS"
	RunFailed    RunState = "FAILED"
	RunCancelled RunState = "CANCELLED"
	// RunAbandoned: the run's worker stopped (killed, cut off) and another
	// run took the stream's lease over; Run.TakenOverBy names that run.
	RunAbandoned RunState = "ABANDONED"
	// RunFresh: the stream was not run because it succeeded less than
	// Runner.FreshWithin before (StatusFresh); nothing was read or written.
	RunFresh RunState = "FRESH"
)

// Run is one run of one stream of a pipeline.
type Run struct {
	// ID is the run id (etl_batch_id of the rows it wrote; batch_runs.batch_id).
	ID                 string
	Pipeline, Platform string
	Account, Stream    string
	Start, End         time.Time
	State              RunState
	// Extracted is the number of records read, Loaded the number stored,
	// Rejected the number quarantined.
	Extracted, Loaded, Rejected int64
	// Error is the failure, for FAILED and CANCELLED runs.
	Error string
	// Leased: the runner holds the stream's lease for this run, so no
	// other run of the stream is live: StartRun closes the stream's rows
	// still RUNNING (runs whose worker died) as ABANDONED, with
	// taken_over_by = this run's ID.
	Leased bool
	// Mode is the run's mode: a Leaser sink that records a leased run's
	// success may mark it on the stream's lease with this mode (see
	// Lease.FreshWithin), in the same transaction, so that a worker killed
	// between that and giving its lease back leaves the stream fresh.
	Mode Mode
}

// RunRecorder is implemented by sinks that keep a run history
// (etl_control.batch_runs) and the registry of accounts
// (etl_control.data_sources). The runner calls StartRun before reading a
// stream (after taking its lease) and FinishRun when the stream ends,
// however it ends; a run whose process died stays RUNNING until the next
// run of its stream takes the lease (Run.Leased) and closes it as
// ABANDONED. A stream skipped as fresh is recorded as a FRESH run
// (StartRun, then FinishRun with State RunFresh). FinishRun leaves a row
// already ABANDONED as it is.
type RunRecorder interface {
	// StartRun commits a RUNNING row for run and registers its account.
	StartRun(ctx context.Context, run Run) error
	// FinishRun records the outcome (End, State, counts, Error) of a run
	// StartRun recorded; a SUCCESS also moves the account's
	// last_extract_time to run.End.
	FinishRun(ctx context.Context, run Run) error
}

// runTracker records one stream run in a RunRecorder sink.
type runTracker struct {
	r       *Runner
	rec     RunRecorder
	run     Run
	res     *Result
	before  Result
	w       *batcher
	started bool
}

// startRun records the start of a stream's run when the sink is a
// RunRecorder. A failure to record is logged, never fatal: the data matter
// more than their history.
func (r *Runner) startRun(ctx context.Context, p Pipeline, stream, runID string, leased bool, res *Result) *runTracker {
	t := &runTracker{r: r, res: res, before: Result{Records: res.Records, Rejected: res.Rejected}}
	rec, ok := p.Sink.(RunRecorder)
	if !ok {
		return t
	}
	t.rec = rec
	t.run = Run{ID: runID, Pipeline: p.Name, Platform: p.Platform, Account: p.Account, Stream: stream, Start: time.Now(), State: RunRunning, Leased: leased, Mode: r.mode()}
	if err := rec.StartRun(context.WithoutCancel(ctx), t.run); err != nil {
		r.logger().Warn("run history: start not recorded", "pipeline", p.Name, "stream", stream, "error", err)
		return t
	}
	t.started = true
	return t
}

// finish records the outcome of the run.
func (t *runTracker) finish(ctx context.Context, err error) {
	if !t.started {
		return
	}
	run := t.run
	run.End = time.Now()
	run.State = RunSuccess
	if err != nil {
		run.State = RunFailed
		if ctx.Err() != nil {
			run.State = RunCancelled
		}
		run.Error = err.Error()
	}
	run.Extracted = t.res.Records - t.before.Records
	run.Rejected = t.res.Rejected - t.before.Rejected
	if t.w != nil {
		run.Loaded = t.w.loaded
	}
	if rerr := t.rec.FinishRun(context.WithoutCancel(ctx), run); rerr != nil {
		t.r.logger().Warn("run history: end not recorded", "pipeline", run.Pipeline, "stream", run.Stream, "error", rerr)
	}
}

// AbandonedMessage is the error_message sinks give a run they close as
// ABANDONED when run taker took its stream's lease over.
func AbandonedMessage(taker string) string {
	return "abandoned: its worker stopped renewing the stream's lease; run " + taker + " took the stream over"
}
