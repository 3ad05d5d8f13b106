package mssql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
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
	golden(t, "last_successes", lastSuccessesSQL("etl_control", 3))
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
		"EXEC UPDATE [etl_control].[batch_runs] SET [end_time] = @p1, [sta 10"} {
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

// A leased run's end is recorded in one transaction with its success on
// the stream's lease row (@p9 stream, @p10 mode); a run without a lease
// binds a typed NULL mode, so the statement marks no lease.
func TestFinishRunMarksTheLeaseInTheSameTransaction(t *testing.T) {
	rec := &recorder{}
	s := openRecorded(t, rec, Config{})
	ctx := context.Background()
	run := connector.Run{ID: "0b5c4f7e-1f0e-4c4b-9d7a-2d7f9a1c0e11", Pipeline: "shopee/1", Platform: "shopee", Account: "1", Stream: "orders",
		Start: time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC), State: connector.RunRunning, Leased: true, Mode: connector.Incremental}
	if err := s.StartRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	before := len(rec.entries())
	run.End, run.State = run.Start.Add(time.Minute), connector.RunSuccess
	if err := s.FinishRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	unleased := run
	unleased.Leased = false
	if err := s.FinishRun(ctx, unleased); err != nil {
		t.Fatal(err)
	}
	got := rec.entries()[before:]
	want := []string{"BEGIN", "EXEC UPDATE [etl_control].[batch_runs] SET [end_time] = @p1, [sta 10", "COMMIT",
		"BEGIN", "EXEC UPDATE [etl_control].[batch_runs] SET [end_time] = @p1, [sta 10", "COMMIT"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("statements:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var streams, modes []any
	for _, p := range rec.bound() {
		if strings.HasPrefix(p.query, "UPDATE [etl_control].[batch_runs]") && p.ord == 9 {
			streams = append(streams, p.value)
		}
		if strings.HasPrefix(p.query, "UPDATE [etl_control].[batch_runs]") && p.ord == 10 {
			modes = append(modes, p.value)
		}
	}
	if want := []any{"orders", "orders"}; !reflect.DeepEqual(streams, want) {
		t.Errorf("stream bound as %#v, want %#v", streams, want)
	}
	if want := []any{sql.NullString{String: "incremental", Valid: true}, sql.NullString{}}; !reflect.DeepEqual(modes, want) {
		t.Errorf("mode bound as %#v, want %#v", modes, want)
	}

	// A failed transaction is rolled back and reported.
	rec.fail = func(q string) error {
		if strings.HasPrefix(q, "UPDATE [etl_control].[batch_runs]") {
			return errors.New("deadlock victim")
		}
		return nil
	}
	if err := s.FinishRun(ctx, run); err == nil || !strings.Contains(err.Error(), "deadlock victim") {
		t.Fatalf("FinishRun: %v", err)
	}
	if e := rec.entries(); e[len(e)-1] != "ROLLBACK" {
		t.Errorf("last statement %q, want ROLLBACK", e[len(e)-1])
	}
}

// LastSuccesses reads the successes of the pipelines in statements of 500
// names, takes the server's clock from the first, skips the clock-only row
// of a statement without successes, and refuses an answer without the
// clock or with a success row that lacks its time.
func TestLastSuccessesStatements(t *testing.T) {
	rec := &recorder{}
	s := openRecorded(t, rec, Config{})
	var _ connector.SuccessLister = s
	clock := time.Date(2025, 11, 1, 12, 0, 0, 0, time.UTC)
	var queries [][]string
	rec.answerArgs = func(q string, args []driver.NamedValue) [][]driver.Value {
		if !strings.HasPrefix(q, "SELECT SYSDATETIMEOFFSET(), [l].[pipeline]") {
			return nil
		}
		var names []string
		for _, a := range args {
			names = append(names, a.Value.(string))
		}
		queries = append(queries, names)
		var rows [][]driver.Value
		for _, n := range names {
			if n == "p/1" || n == "p/700" {
				rows = append(rows, []driver.Value{clock, n, "orders", clock.Add(-time.Minute), "incremental"})
			}
		}
		if len(rows) == 0 {
			rows = append(rows, []driver.Value{clock, nil, nil, nil, nil})
		}
		return rows
	}
	var names []string
	for i := 0; i < 1200; i++ {
		names = append(names, fmt.Sprintf("p/%d", i))
	}
	now, last, err := s.LastSuccesses(context.Background(), names)
	if err != nil {
		t.Fatal(err)
	}
	if !now.Equal(clock) {
		t.Errorf("now %s, want %s", now, clock)
	}
	if len(queries) != 3 || len(queries[0]) != 500 || len(queries[1]) != 500 || len(queries[2]) != 200 || queries[2][199] != "p/1199" {
		t.Errorf("statements named %d pipelines each", len(queries))
	}
	want := []connector.StreamSuccess{{Pipeline: "p/1", Stream: "orders", At: clock.Add(-time.Minute), Mode: connector.Incremental},
		{Pipeline: "p/700", Stream: "orders", At: clock.Add(-time.Minute), Mode: connector.Incremental}}
	if !reflect.DeepEqual(last, want) {
		t.Errorf("successes %#v, want %#v", last, want)
	}

	for name, answer := range map[string][][]driver.Value{
		"no row":          {},
		"no time":         {{clock, "p/1", "orders", nil, "incremental"}},
		"no server clock": {{nil, "p/1", "orders", clock, "incremental"}},
	} {
		rec.answerArgs = func(q string, _ []driver.NamedValue) [][]driver.Value {
			if strings.HasPrefix(q, "SELECT SYSDATETIMEOFFSET(), [l].[pipeline]") {
				return append([][]driver.Value{}, answer...)
			}
			return nil
		}
		if _, _, err := s.LastSuccesses(context.Background(), []string{"p/1"}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
