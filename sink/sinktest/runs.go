package sinktest

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
)

// RunHistory checks a connector.RunRecorder sink through the runner: one
// row per stream run in batch_runs (the qualified table name as the
// database spells it) with SUCCESS, FAILED and CANCELLED runs and their
// counts, and data_sources listing every pipeline with last_extract_time
// set by its last successful run. db queries the sink's database; param
// renders the n-th query parameter ("?", "$1").
func RunHistory(t *testing.T, s connector.Sink, db *sql.DB, batchRuns, dataSources string, param func(n int) string) {
	t.Helper()
	ctx := context.Background()
	if _, ok := s.(connector.RunRecorder); !ok {
		t.Fatalf("%T is not a connector.RunRecorder", s)
	}
	r := &connector.Runner{Mode: connector.Full}
	tr := runTransformer{}
	ok := connector.Pipeline{Name: "runs/ok", Platform: "runs", Account: "ok", Source: runSource{n: 30}, Transformer: tr, Sink: s}
	bad := connector.Pipeline{Name: "runs/bad", Platform: "runs", Account: "bad", Source: runSource{n: 10, fail: true}, Transformer: tr, Sink: s}
	res := r.Run(ctx, ok, bad)
	if res[0].Status != connector.StatusOK || res[1].Status != connector.StatusFailed {
		t.Fatalf("statuses %s, %s (%v, %v)", res[0].Status, res[1].Status, res[0].Err, res[1].Err)
	}
	cctx, cancel := context.WithCancel(ctx)
	stop := connector.Pipeline{Name: "runs/stop", Platform: "runs", Account: "stop", Source: runSource{n: 5, block: true, cancel: cancel}, Transformer: tr, Sink: s}
	if got := r.Run(cctx, stop)[0].Status; got != connector.StatusInterrupted {
		t.Fatalf("interrupted run: status %s", got)
	}

	type row struct {
		status              string
		extracted, loaded   int64
		msg                 sql.NullString
		started, ended      bool
		platform, tableName string
	}
	get := func(pipeline string) row {
		t.Helper()
		var x row
		var start, end any
		err := db.QueryRowContext(ctx, fmt.Sprintf(`SELECT status, records_extracted, records_loaded, error_message, start_time, end_time, data_source, table_name
			FROM %s WHERE pipeline = %s`, batchRuns, param(1)), pipeline).Scan(&x.status, &x.extracted, &x.loaded, &x.msg, &start, &end, &x.platform, &x.tableName)
		if err != nil {
			t.Fatalf("batch_runs row of %s: %v", pipeline, err)
		}
		x.started, x.ended = start != nil, end != nil
		return x
	}
	if x := get("runs/ok"); x.status != "SUCCESS" || x.extracted != 30 || x.loaded != 30 || x.msg.Valid || !x.started || !x.ended || x.platform != "runs" || x.tableName != "items" {
		t.Errorf("ok run: %+v", x)
	}
	if x := get("runs/bad"); x.status != "FAILED" || x.extracted != 10 || x.loaded != 10 || !x.msg.Valid || !x.ended {
		t.Errorf("failed run: %+v", x)
	}
	if x := get("runs/stop"); x.status != "CANCELLED" || x.extracted != 5 || x.loaded != 5 || !x.ended {
		t.Errorf("interrupted run: %+v", x)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM `+dataSources).Scan(&n); err != nil || n != 3 {
		t.Errorf("data_sources: %d rows (%v), want 3", n, err)
	}
	var last any
	if err := db.QueryRowContext(ctx, fmt.Sprintf(`SELECT last_extract_time FROM %s WHERE source_id = %s`, dataSources, param(1)), "runs/ok").Scan(&last); err != nil || last == nil {
		t.Errorf("last_extract_time of a successful pipeline: %v (%v)", last, err)
	}
	if err := db.QueryRowContext(ctx, fmt.Sprintf(`SELECT last_extract_time FROM %s WHERE source_id = %s`, dataSources, param(1)), "runs/bad").Scan(&last); err != nil || last != nil {
		t.Errorf("last_extract_time of a pipeline that never succeeded: %v (%v)", last, err)
	}
	// A second successful run adds a row.
	r.Run(ctx, ok)
	if err := db.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*) FROM %s WHERE pipeline = %s AND status = 'SUCCESS'`, batchRuns, param(1)), "runs/ok").Scan(&n); err != nil || n != 2 {
		t.Errorf("two runs of runs/ok: %d rows (%v)", n, err)
	}
}

var runsTable = &connector.Table{Schema: "staging", Name: "run_history_items", PrimaryKey: []string{"id"},
	Columns: []connector.Column{{Name: "id", Type: connector.String, Length: 40}, {Name: "n", Type: connector.Int, Nullable: true}}}

type runTransformer struct{}

func (runTransformer) Tables() []*connector.Table { return []*connector.Table{runsTable} }
func (runTransformer) Transform(rec connector.Record, out connector.Output) error {
	var v struct{ N int64 }
	if err := json.Unmarshal(rec.Data, &v); err != nil {
		return err
	}
	out.Add(runsTable, []any{rec.Key, v.N})
	return nil
}

// runSource emits n records in pages of 5 with checkpoints; then it fails,
// or blocks until cancelled (after calling cancel), or ends.
type runSource struct {
	n      int
	fail   bool
	block  bool
	cancel func()
}

func (s runSource) Streams() []connector.Stream { return []connector.Stream{s} }
func (s runSource) Name() string                { return "items" }
func (s runSource) Read(ctx context.Context, _ connector.ReadOptions, emit connector.EmitFunc) error {
	for i := 0; i < s.n; i += 5 {
		var pg connector.Page
		for j := i; j < i+5 && j < s.n; j++ {
			pg.Records = append(pg.Records, connector.Record{Key: fmt.Sprintf("k%03d", j), Data: json.RawMessage(fmt.Sprintf(`{"N":%d}`, j))})
		}
		pg.Checkpoint = connector.Checkpoint(fmt.Sprintf(`{"i":%d}`, i))
		if err := emit(ctx, pg); err != nil {
			return err
		}
	}
	switch {
	case s.fail:
		return errors.New("the platform failed")
	case s.block:
		// Let the writer store what was emitted, then stop the run.
		time.Sleep(50 * time.Millisecond)
		s.cancel()
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}
