package mssql

import (
	"context"
	"database/sql"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
)

func TestGoldenRuns(t *testing.T) {
	golden(t, "runs_tables", strings.Join(runsSQL("etl_control"), ";\n"))
	golden(t, "runs_start", startRunSQL("etl_control"))
	golden(t, "runs_finish", finishRunSQL("etl_control"))
}

// The sink records a run's start (committed on its own) and end with the
// run's values as parameters.
func TestRunRecorderStatements(t *testing.T) {
	rec := &recorder{}
	s := openRecorded(t, rec, Config{})
	var _ connector.RunRecorder = s
	run := connector.Run{ID: "0b5c4f7e-1f0e-4c4b-9d7a-2d7f9a1c0e11", Pipeline: "shopee/1", Platform: "shopee", Account: "1", Stream: "orders",
		Start: time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC), State: connector.RunRunning}
	if err := s.StartRun(context.Background(), run); err != nil {
		t.Fatal(err)
	}
	run.End, run.State, run.Extracted, run.Loaded = run.Start.Add(time.Minute), connector.RunSuccess, 10, 9
	if err := s.FinishRun(context.Background(), run); err != nil {
		t.Fatal(err)
	}
	failed := run
	failed.State, failed.Error = connector.RunFailed, "boom"
	if err := s.FinishRun(context.Background(), failed); err != nil {
		t.Fatal(err)
	}
	log := strings.Join(rec.entries(), "\n")
	for _, want := range []string{"EXEC IF OBJECT_ID(N'etl_control.batch_runs', N'U') IS NULL 0",
		"EXEC IF @p8 = 1 9",
		"EXEC UPDATE [etl_control].[batch_runs] SET [end_time] = @p1, [sta 8"} {
		if !strings.Contains(log, want) {
			t.Errorf("missing %q in:\n%s", want, log)
		}
	}
	// error_message (@p6): a typed NULL for the successful run (the
	// recorder refuses an untyped one, as Babelfish does), the text for
	// the failed one.
	var msgs []any
	for _, p := range rec.bound() {
		if strings.HasPrefix(p.query, "UPDATE [etl_control].[batch_runs]") && p.ord == 6 {
			msgs = append(msgs, p.value)
		}
	}
	want := []any{sql.NullString{}, sql.NullString{String: "boom", Valid: true}}
	if !reflect.DeepEqual(msgs, want) {
		t.Errorf("error_message bound as %#v, want %#v", msgs, want)
	}
}

func TestGoldenIndexes(t *testing.T) {
	orders := shopeeTable("shopee_orders")
	var stmts []string
	for _, ix := range orders.Indexes {
		stmts = append(stmts, indexSQL(ix, names{"staging", "shopee_orders"}))
	}
	if len(stmts) == 0 {
		t.Fatal("shopee_orders declares no index")
	}
	golden(t, "indexes_orders", strings.Join(stmts, ";\n"))
}
