package connector

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"sync"
	"time"
)

// The writer stage. The pipeline goroutine transforms and validates records
// into batches; one writer goroutine per stream writes them, in order, while
// the next batch is being built. The hand-off is unbuffered, so at most two
// batches exist at a time (one being written, one being built), and memory
// stays bounded by about two batches plus the page buffer.
//
// A batch whose write fails with a DataError (the warehouse refused a value)
// is split by records until the offending records are found: each half is
// written on its own (every record's rows of all tables stay together, so
// child sets stay whole), a half that fails again is split again, and a
// single record that fails is quarantined with the database's message. The
// rejections and the checkpoint are then committed in a last transaction.
// Any other error (connection, lock, lease, cancellation) stops the stream
// as before: nothing later is written and the checkpoint stays at the last
// committed batch.

// unit is one batch handed to the writer, with what splitting it needs.
type unit struct {
	batch   *Batch
	rows    [][][]any // per table, in record order, before de-duplication
	recs    []Record  // accepted records (Key, Data), in order
	starts  []int     // starts[n*len(rows)+i]: first row of record n in rows[i]
	records int
	nrows   int
	pending Checkpoint
}

// start returns the first row of record n in table i (n may be len(recs)).
func (u *unit) start(n, i int) int {
	if n == len(u.recs) {
		return len(u.rows[i])
	}
	return u.starts[n*len(u.rows)+i]
}

// sub returns the batch of records [lo, hi): their rows only, no
// rejections, no checkpoint.
func (u *unit) sub(lo, hi int) *Batch {
	// A copy of the batch, so every other field (a lease fence, ...) goes
	// with each part.
	b := u.like()
	b.Tables, b.Rejected, b.Checkpoint, b.Changed = nil, nil, nil, nil
	for i, tr := range u.batch.Tables {
		rows := u.rows[i][u.start(lo, i):u.start(hi, i)]
		b.Tables = append(b.Tables, TableRows{Table: tr.Table, Rows: dedupeByKey(tr.Table, rows)})
	}
	return b
}

// like returns a shallow copy of the unit's batch.
func (u *unit) like() *Batch {
	b := *u.batch
	return &b
}

type writer struct {
	b    *batcher
	in   chan *unit
	done chan struct{}

	mu  sync.Mutex
	err error
}

func (b *batcher) startWriter(ctx context.Context) {
	w := &writer{b: b, in: make(chan *unit), done: make(chan struct{})}
	b.wr = w
	go w.loop(ctx)
}

// stopWriter waits for the batches handed over so far and returns the first
// write error.
func (b *batcher) stopWriter() error {
	close(b.wr.in)
	<-b.wr.done
	return b.wr.failed()
}

func (w *writer) failed() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// submit hands u to the writer, waiting while it writes the previous batch.
func (w *writer) submit(u *unit) error {
	w.in <- u
	return w.failed()
}

func (w *writer) loop(ctx context.Context) {
	defer close(w.done)
	for u := range w.in {
		if w.failed() != nil {
			continue // after a failure nothing later is written
		}
		if err := w.b.r.safely(w.b.p.Name, w.b.stream, "sink write", func() error { return w.commit(ctx, u) }); err != nil {
			w.mu.Lock()
			w.err = err
			w.mu.Unlock()
		}
	}
}

// commit writes u, isolating poison records when the warehouse refuses it.
func (w *writer) commit(ctx context.Context, u *unit) error {
	b := w.b
	rows := map[*Table]int{}
	changed := map[string]int64{}
	written := u.batch
	u.batch.Changed = nil
	err := b.p.Sink.Write(ctx, u.batch)
	if err == nil {
		countRows(rows, changed, u.batch)
	} else {
		if !IsDataError(err) || len(u.recs) == 0 {
			return err
		}
		b.r.logger().Warn("batch refused by the warehouse; isolating the record", "pipeline", b.p.Name, "stream", b.stream,
			"records", len(u.recs), "error", err)
		poison, err := w.isolate(ctx, u, err, rows, changed)
		if err != nil {
			return err
		}
		written = u.like()
		written.Tables = nil
		written.Rejected = append(append([]Rejection(nil), u.batch.Rejected...), poison...)
		if err := b.p.Sink.Write(ctx, written); err != nil {
			return fmt.Errorf("quarantine %d records refused by the warehouse: %w", len(poison), err)
		}
	}
	if u.pending != nil && b.store != nil && !b.inSink {
		if err := b.store.SaveCheckpoint(ctx, b.p.Name, b.stream, u.pending); err != nil {
			return fmt.Errorf("save checkpoint: %w", err)
		}
	}
	for t, n := range rows {
		b.res.Rows[t.FullName()] += int64(n)
	}
	for t, n := range changed {
		if b.res.Changed == nil {
			b.res.Changed = map[string]int64{}
		}
		b.res.Changed[t] += n
	}
	b.res.Rejected += int64(len(written.Rejected))
	b.loaded += int64(u.records - (len(written.Rejected) - len(u.batch.Rejected))) // run history (runs.go)
	b.r.observe(Event{Kind: BatchWritten, Pipeline: b.p.Name, Stream: b.stream, Records: u.records - (len(written.Rejected) - len(u.batch.Rejected)), Rows: u.nrows})
	if u.pending != nil && b.store != nil {
		b.r.observe(Event{Kind: CheckpointCommitted, Pipeline: b.p.Name, Stream: b.stream, Checkpoint: u.pending})
	}
	return nil
}

// countRows adds the rows sent of a committed batch, and the rows changed
// when the sink counted them (Batch.Changed), per table.
func countRows(rows map[*Table]int, changed map[string]int64, b *Batch) {
	for _, tr := range b.Tables {
		if len(tr.Rows) > 0 {
			rows[tr.Table] += len(tr.Rows)
			if b.Changed != nil {
				changed[tr.Table.FullName()] += b.Changed[tr.Table.FullName()]
			}
		}
	}
}

// isolate writes the records of u in halves, recursively, and returns the
// rejections of the single records the warehouse refuses (with its
// message). A failure that is not a DataError ends it with that error.
func (w *writer) isolate(ctx context.Context, u *unit, cause error, rows map[*Table]int, changed map[string]int64) ([]Rejection, error) {
	b := w.b
	var poison []Rejection
	var split func(lo, hi int, cause error) error
	split = func(lo, hi int, cause error) error {
		if hi-lo == 1 {
			rec := u.recs[lo]
			reason := "refused by the warehouse: " + cause.Error()
			poison = append(poison, Rejection{Key: rec.Key, Reason: reason, Payload: rec.Data, At: b.r.now().UTC()})
			b.r.observe(Event{Kind: RecordRejected, Pipeline: b.p.Name, Stream: b.stream, Key: rec.Key, Reason: reason})
			b.r.logger().Warn("record rejected", "pipeline", b.p.Name, "stream", b.stream, "key", rec.Key, "reason", reason)
			return nil
		}
		mid := lo + (hi-lo)/2
		for _, r := range [2][2]int{{lo, mid}, {mid, hi}} {
			sub := u.sub(r[0], r[1])
			err := b.p.Sink.Write(ctx, sub)
			if err == nil {
				countRows(rows, changed, sub)
				continue
			}
			if !IsDataError(err) {
				return err
			}
			if err := split(r[0], r[1], err); err != nil {
				return err
			}
		}
		return nil
	}
	if err := split(0, len(u.recs), cause); err != nil {
		return nil, err
	}
	return poison, nil
}

// dedupeByKey keeps the last row of every primary key (records without a
// key can still repeat a row).
func dedupeByKey(t *Table, rows [][]any) [][]any {
	if len(rows) < 2 {
		return rows
	}
	ki := t.KeyIndexes()
	seen := make(map[string]int, len(rows))
	var buf []byte
	dup := false
	for i, r := range rows {
		buf = appendKey(buf[:0], r, ki)
		if _, ok := seen[string(buf)]; ok {
			dup = true
		}
		seen[string(buf)] = i
	}
	if !dup {
		return rows
	}
	out := make([][]any, 0, len(seen))
	for i, r := range rows {
		buf = appendKey(buf[:0], r, ki)
		if seen[string(buf)] == i {
			out = append(out, r)
		}
	}
	return out
}

// appendKey appends an encoding of the key columns of row that is
// injective: every value is a type tag followed by a fixed-size number or a
// length-prefixed text, so no value can imitate a separator. Times are
// compared as instants (the same instant in two zones is one key), as the
// databases compare them.
func appendKey(buf []byte, row []any, ki []int) []byte {
	for _, k := range ki {
		switch v := row[k].(type) {
		case nil:
			buf = append(buf, 'n')
		case string:
			buf = append(buf, 's')
			buf = binary.AppendUvarint(buf, uint64(len(v)))
			buf = append(buf, v...)
		case int64:
			buf = append(buf, 'i')
			buf = binary.BigEndian.AppendUint64(buf, uint64(v))
		case bool:
			if v {
				buf = append(buf, 't')
			} else {
				buf = append(buf, 'f')
			}
		case time.Time:
			buf = append(buf, 'T')
			buf = binary.BigEndian.AppendUint64(buf, uint64(v.Unix()))
			buf = binary.BigEndian.AppendUint32(buf, uint32(v.Nanosecond()))
		case Dec:
			s := v.String()
			buf = append(buf, 'd')
			buf = binary.AppendUvarint(buf, uint64(len(s)))
			buf = append(buf, s...)
		case float64:
			buf = append(buf, 'F')
			buf = binary.BigEndian.AppendUint64(buf, math.Float64bits(v))
		default:
			s := fmt.Sprintf("%T:%v", v, v)
			buf = append(buf, '?')
			buf = binary.AppendUvarint(buf, uint64(len(s)))
			buf = append(buf, s...)
		}
	}
	return buf
}
