// Package connector holds the contracts and the engine of the library: the
// Source / Stream / Transformer / Sink / CheckpointStore interfaces, table
// schemas, the Runner that moves records from sources to sinks with
// checkpoints, and the shared HTTP client the platform packages use.
//
// Data flows like this:
//
//	Stream.Read --Pages (records + checkpoint)--> bounded channel
//	    --> Transformer.Transform (one record -> rows of several tables)
//	    --> per-table batches --> writer stage: Sink.Write (rows + child-set
//	        replacement + checkpoint, one transaction), overlapping the
//	        transformation of the next batch
//
// A platform package provides a Source and a Transformer; a sink package
// provides a Sink (that usually is also the CheckpointStore). The Runner
// composes them into pipelines and runs several at once.
package connector

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// Checkpoint is an opaque, JSON-encoded cursor of one stream, for example
// {"phase":"incremental","watermark":1700000000,"window_from":...,"cursor":"..."}.
// Only the stream that produced it interprets it. nil means "no checkpoint":
// the stream starts a full load.
type Checkpoint json.RawMessage

// Record is one raw object read from an API: an order, a customer, a stock row.
type Record struct {
	// Stream is the name of the stream that produced the record (set by the
	// runner).
	Stream string
	// Key identifies the record in errors and in quarantine (an order_sn).
	Key string
	// Data is the raw JSON payload as the API sent it.
	Data json.RawMessage
	// RequestID is the API request id of the response that carried it, if any.
	RequestID string
}

// Page is what a stream hands downstream at a time: the records of one API
// page (or one detail batch) and, optionally, the checkpoint that is valid
// once these records and all earlier ones are stored.
type Page struct {
	Records []Record
	// Checkpoint, when not nil, covers every record emitted up to and
	// including this page.
	Checkpoint Checkpoint
}

// EmitFunc hands a page downstream. It blocks while the pipeline's buffer is
// full (this is the back-pressure that bounds memory) and returns an error
// when the pipeline is stopping (context cancelled or the sink failed); the
// stream must then return promptly.
type EmitFunc func(ctx context.Context, p Page) error

// ReadOptions tell a stream where to start.
type ReadOptions struct {
	// Checkpoint is the last committed checkpoint; nil starts a full load.
	Checkpoint Checkpoint
	// Since, when not zero, is the start of a full load (instead of the
	// stream's own default or discovery).
	Since time.Time
}

// Stream reads one kind of record (orders, customers) of one account.
type Stream interface {
	// Name is unique within its source ("orders", "customers").
	Name() string
	// Read reads records from opts and hands them to emit page by page,
	// interleaved with checkpoints, until the source has nothing newer; it
	// returns nil then. The runner calls Read once per run from a single
	// goroutine. A returned error fails the pipeline after what was emitted
	// before it has been stored (so the last checkpoint survives); return
	// ctx.Err() (possibly wrapped) when the context is cancelled.
	Read(ctx context.Context, opts ReadOptions, emit EmitFunc) error
}

// Source is one platform account: one TikTok shop, one Shopee shop, one MISA
// tenant.
type Source interface {
	// Streams lists the streams the runner reads, in order.
	Streams() []Stream
}

// ParallelSource is a Source whose streams the runner may read at the same
// time. A source implements it only when its streams are independent (none
// needs what another stores), its state is safe for concurrent use, and its
// package's Transformer is too, since the runner then transforms each
// stream's records in that stream's goroutine. Each stream still has its own
// checkpoint, batches and lease, written in order.
type ParallelSource interface {
	Source
	// StreamParallelism is how many of its streams may be read at once
	// (1 or less: one after the other).
	StreamParallelism() int
}

// StatsSource is implemented by sources that report what they did. The runner
// reads it before and after a run and reports the difference of APICalls and
// the final Stats in the Result.
type StatsSource interface {
	// APICalls returns the number of HTTP requests sent per endpoint path
	// since the source was created (retries included).
	APICalls() map[string]int64
	// Stats returns source-specific counters (e.g. "earliest_date_probes").
	Stats() map[string]any
}

// Output receives the rows a Transformer produces for one record.
type Output interface {
	// Add appends one row for table t. t must be one of the transformer's
	// Tables (the same pointer); row is positional, aligned with t.Columns,
	// and must not be modified after the call.
	Add(t *Table, row []any)
}

// Transformer turns one raw record into rows of one or more tables (an order
// fans out to its parent row and its child rows).
type Transformer interface {
	// Tables lists every table the transformer writes, parents before
	// children. The runner calls it once before the run and prepares the
	// sink with it.
	Tables() []*Table
	// Transform converts rec. It is called from one goroutine per pipeline,
	// or per stream when the source is a ParallelSource (the transformer is
	// then used from several goroutines at once).
	// A returned error rejects the record: its rows are discarded, the record
	// is quarantined with the error as the reason, and the run goes on. Name
	// the offending field in the error.
	Transform(rec Record, out Output) error
}

// TableRows is the rows of one table in a Batch.
type TableRows struct {
	Table *Table
	Rows  [][]any
}

// Rejection is a record a transformer rejected, bound for quarantine.
type Rejection struct {
	Key     string
	Reason  string
	Payload json.RawMessage
	At      time.Time
}

// Batch is one unit of writing: rows of several tables, the rejections and
// the checkpoint that become durable together.
type Batch struct {
	Pipeline string
	Stream   string
	// RunID identifies the run (it fills AutoRunID columns).
	RunID string
	// Tables holds the rows per table, parents before children. A table
	// with Parent set has its child set replaced for every parent key that
	// appears in the parent's rows of this batch. The rows of one table have
	// distinct primary keys (the runner ensures it; set-based upserts
	// cannot touch a row twice).
	Tables []TableRows
	// Rejected records go to etl_control.rejected_records.
	Rejected []Rejection
	// Checkpoint, when not nil, is stored in the same transaction by sinks
	// that implement CheckpointStore.
	Checkpoint Checkpoint
	// Fence, when not nil, is the lease the writer holds on (Pipeline,
	// Stream) (the runner sets it from Leaser.Lease). A Leaser sink checks
	// it in the write's own transaction and, when the lease row no longer
	// carries this holder and epoch, writes nothing and returns
	// ErrLeaseLost (possibly wrapped).
	Fence *Fence
	// Changed is optional and filled by the sink: after a successful Write,
	// a sink that can count cheaply sets it to the number of rows its
	// upserts inserted or updated per table (Table.FullName()), leaving out
	// rows whose compared columns did not change. nil means the sink does
	// not count; the runner sums it into Result.Changed.
	Changed map[string]int64
	// Stale is filled by the sink after a successful Write: the rows of
	// each versioned table (Table.Version) that were not written because
	// the stored version is newer (see version.go), by Table.FullName().
	// The rows of a child table that follow a stale parent are not
	// counted. nil or absent: none. The runner sums it into Result.Stale.
	Stale map[string]int64
}

// Sink writes batches into a database.
type Sink interface {
	// Prepare creates what is missing for tables: schemas, tables, missing
	// columns (added as nullable), and the sink's control tables. It never
	// drops or rewrites data. The runner calls it once per pipeline before
	// writing; concurrent calls for different pipelines must be safe.
	Prepare(ctx context.Context, tables []*Table) error
	// Write stores b in one transaction: upserts every table's rows by
	// primary key (a row whose compared columns did not change is left
	// untouched), replaces the child sets, stores the rejections and, when
	// the sink is also a CheckpointStore, the checkpoint. Either all of it
	// is stored or none of it, and an error means none. An error caused by
	// the values of the batch (a constraint, a value the database refuses)
	// is wrapped with MarkData, so that the runner splits the batch and
	// quarantines only the offending record; other errors are not. Write
	// may be called concurrently for different pipelines, never
	// concurrently for the same (pipeline, stream).
	Write(ctx context.Context, b *Batch) error
	// Close releases the sink's connections.
	Close() error
}

// CheckpointStore persists the checkpoint of a (pipeline, stream).
type CheckpointStore interface {
	// LoadCheckpoint returns the stored checkpoint, or nil and no error when
	// there is none.
	LoadCheckpoint(ctx context.Context, pipeline, stream string) (Checkpoint, error)
	// SaveCheckpoint stores cp, replacing the previous one.
	SaveCheckpoint(ctx context.Context, pipeline, stream string, cp Checkpoint) error
}

// Leaser is implemented by sinks that can hold a lease on a (pipeline,
// stream), so that two workers sharing a warehouse never run the same stream
// at once, and that fence their writes with it (see Fence). The runner takes
// the lease before reading a stream, puts its Fence on every Batch of the
// stream and releases it afterwards.
type Leaser interface {
	// Lease acquires the lease, waiting at most wait (0: do not wait). It
	// returns ErrLeaseHeld (possibly wrapped) when another worker holds it
	// and has not let it expire. Taking it holds no connection: the lease
	// is a row renewed by a heartbeat until Release; a worker that dies
	// leaves it to expire (or to be taken over at once by a restart on the
	// same host when the holder's process is gone). A lease that expired is
	// taken over with the next epoch, and writes fenced with an older epoch
	// fail with ErrLeaseLost.
	Lease(ctx context.Context, pipeline, stream string, wait time.Duration) (*Lease, error)
}

// ErrLeaseHeld means another worker holds the lease of a stream.
var ErrLeaseHeld = errors.New("lease held by another worker")
