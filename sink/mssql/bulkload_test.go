package mssql

import (
	"bytes"
	"context"
	"database/sql/driver"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/facolos/etl/connector"
	mssqldb "github.com/microsoft/go-mssqldb"
	"github.com/stretchr/testify/require"
)

// Babelfish's refusal of a bulk load whose closing token straddles a TDS
// packet boundary (spec/babelfish.md).
var bulkLoadRefused = mssqldb.Error{Number: 33557097, Message: "The incoming tabular data stream (TDS) Bulk Load Request (BulkLoadBCP) protocol stream is incorrect. unexpected token encountered processing the request."}

const (
	babelfishVersion = "Babelfish for PostgreSQL with SQL Server Compatibility - 12.0.2000.8\nPostgreSQL 16.4"
	sqlServerVersion = "Microsoft SQL Server 2022 (RTM) - 16.0.1000.6 (X64)"
)

// bulkServer is a recorder whose server reports version and fails what
// failBulk and fail say.
func bulkServer(t *testing.T, version string, logs *bytes.Buffer) (*recorder, *Sink, *connector.Table, *connector.Table) {
	r := &recorder{answer: func(q string) []driver.Value {
		if q == serverVersionSQL {
			return []driver.Value{version}
		}
		return nil
	}}
	s := openRecorded(t, r, Config{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	o, l := plumbingTables()
	require.NoError(t, s.Prepare(context.Background(), []*connector.Table{o, l}))
	return r, s, o, l
}

// splitBatch has 5 orders and 4 lines.
func splitBatch(o, l *connector.Table, tag string) *connector.Batch {
	var orders, lines [][]any
	for i := range 5 {
		orders = append(orders, []any{fmt.Sprintf("%s%d", tag, i), connector.MustDec("1.5"), nil, nil})
	}
	for i := range 4 {
		lines = append(lines, []any{fmt.Sprintf("%s%d", tag, i%2), int64(i)})
	}
	return &connector.Batch{Pipeline: "p", Stream: "s", RunID: "r", Checkpoint: connector.Checkpoint(`{"w":1}`),
		Tables: []connector.TableRows{{Table: o, Rows: orders}, {Table: l, Rows: lines}}}
}

// committedAttempt returns the log of the last attempt (from its BEGIN) and
// checks that the attempts before it were rolled back, never committed.
func committedAttempt(t *testing.T, log []string, attempts int) []string {
	t.Helper()
	var begins []int
	for i, e := range log {
		if e == "BEGIN" {
			begins = append(begins, i)
		}
	}
	require.Len(t, begins, attempts, strings.Join(log, "\n"))
	last := log[begins[len(begins)-1]:]
	commit := slices.Index(last, "COMMIT")
	require.Positive(t, commit, "the last attempt is committed:\n"+strings.Join(log, "\n"))
	last = last[:commit+1]
	before := strings.Join(log[:begins[len(begins)-1]], "\n")
	require.NotContains(t, before, "COMMIT", "a failed attempt was committed:\n"+before)
	require.Equal(t, attempts-1, strings.Count(before, "ROLLBACK"), before)
	return last
}

// bulkLoads returns, per bulk load of an attempt's log, its rows.
func bulkLoads(log []string) [][]string {
	var out [][]string
	for _, e := range log {
		switch {
		case strings.HasPrefix(e, "BULK INSERTBULK"):
			out = append(out, []string{})
		case strings.HasPrefix(e, "ROW "):
			out[len(out)-1] = append(out[len(out)-1], strings.TrimPrefix(e, "ROW "))
		}
	}
	return out
}

// The refusal at a bulk load's flush: the batch is rolled back and retried
// once, each table's rows in two bulk loads in one new transaction,
// committed once, every row sent once; logged once at WARN.
func TestBulkLoadRefusalIsRetriedSplit(t *testing.T) {
	ctx := context.Background()
	var logs bytes.Buffer
	r, s, o, l := bulkServer(t, babelfishVersion, &logs)
	refusals := 0
	r.failBulk = func(stage string) error {
		if stage == "flush" && refusals < 1 {
			refusals++
			return bulkLoadRefused
		}
		return nil
	}
	for round, tag := range []string{"A", "B"} {
		start, rowsBefore := len(r.entries()), len(r.bulkRows)
		refusals = 0
		b := splitBatch(o, l, tag)
		require.NoError(t, s.Write(ctx, b))
		require.Equal(t, 1, refusals)
		last := committedAttempt(t, r.entries()[start:], 2)
		loads := bulkLoads(last)
		want := [][]string{
			{tag + "0|1.50|<nil>|", tag + "1|1.50|<nil>|"}, {tag + "2|1.50|<nil>|", tag + "3|1.50|<nil>|", tag + "4|1.50|<nil>|"},
			{tag + "0|0", tag + "1|1"}, {tag + "0|2", tag + "1|3"},
		}
		require.Len(t, loads, len(want), strings.Join(last, "\n"))
		for i := range want {
			for k := range want[i] {
				require.True(t, strings.HasPrefix(loads[i][k], want[i][k]), "load %d row %d: %s, want %s…", i, k, loads[i][k], want[i][k])
			}
			require.Len(t, loads[i], len(want[i]))
		}
		logText := strings.Join(last, "\n")
		require.Equal(t, 1, strings.Count(logText, "EXEC MERGE [staging].[o]"), logText)
		require.Equal(t, 1, strings.Count(logText, "checkpoints"), "the checkpoint is saved once:\n"+logText)
		// The rows the driver got: the refused attempt's orders (rolled
		// back), then each of the batch's 9 rows once.
		require.Len(t, r.bulkRows[rowsBefore:], 5+9)
		require.Equal(t, 1, strings.Count(logs.String(), "TDS packet boundary"), "logged once over %d batches:\n%s", round+1, logs.String())
	}
	require.Contains(t, logs.String(), "level=WARN")
	require.Contains(t, logs.String(), "33557097")
	require.Equal(t, MergeStrategy, s.Strategy(), "a refused bulk load is not a refused MERGE")
}

// On Babelfish the refusal may show only as the connection the server
// dropped, at the statement after the bulk load, or as the refusal at that
// statement: both are retried split (and neither is taken for a refusal of
// MERGE, which has the same error number).
func TestDroppedConnectionAfterBulkLoadOnBabelfish(t *testing.T) {
	for name, failure := range map[string]error{"dropped": driver.ErrBadConn, "refusal at the next statement": bulkLoadRefused} {
		t.Run(name, func(t *testing.T) {
			var logs bytes.Buffer
			r, s, o, l := bulkServer(t, babelfishVersion, &logs)
			failed := false
			r.fail = func(q string) error {
				if strings.HasPrefix(q, "MERGE [staging].[o]") && !failed {
					failed = true
					return failure
				}
				return nil
			}
			start := len(r.entries())
			require.NoError(t, s.Write(context.Background(), splitBatch(o, l, "A")))
			last := committedAttempt(t, r.entries()[start:], 2)
			require.Len(t, bulkLoads(last), 4, "two bulk loads per table:\n"+strings.Join(last, "\n"))
			require.Equal(t, MergeStrategy, s.Strategy())
			require.Equal(t, 1, strings.Count(logs.String(), "TDS packet boundary"), logs.String())
		})
	}
}

// On SQL Server the split path is never taken: a dropped connection after a
// bulk load is retried whole like any lost connection, and another bulk
// copy error is not retried.
func TestBulkLoadSplitNotTakenOnSQLServer(t *testing.T) {
	t.Run("dropped connection", func(t *testing.T) {
		var logs bytes.Buffer
		r, s, o, l := bulkServer(t, sqlServerVersion, &logs)
		failed := false
		r.fail = func(q string) error {
			if strings.HasPrefix(q, "MERGE [staging].[o]") && !failed {
				failed = true
				return driver.ErrBadConn
			}
			return nil
		}
		start := len(r.entries())
		require.NoError(t, s.Write(context.Background(), splitBatch(o, l, "A")))
		last := committedAttempt(t, r.entries()[start:], 2)
		require.Len(t, bulkLoads(last), 2, "one bulk load per table:\n"+strings.Join(last, "\n"))
		require.NotContains(t, logs.String(), "TDS packet boundary")
		require.Contains(t, strings.Join(r.entries()[start:], "\n"), "QUERY "+serverVersionSQL, "the server was asked what it is")
	})
	t.Run("another bulk copy error", func(t *testing.T) {
		var logs bytes.Buffer
		r, s, o, l := bulkServer(t, babelfishVersion, &logs)
		r.failBulk = func(stage string) error {
			if stage == "flush" {
				return mssqldb.Error{Number: 4815, Message: "Received an invalid column length from the bcp client for colid 2."}
			}
			return nil
		}
		start := len(r.entries())
		require.ErrorContains(t, s.Write(context.Background(), splitBatch(o, l, "A")), "invalid column length")
		log := strings.Join(r.entries()[start:], "\n")
		require.Equal(t, 1, strings.Count(log, "BEGIN"), log)
		require.NotContains(t, logs.String(), "TDS packet boundary")
	})
	t.Run("the refusal of MERGE", func(t *testing.T) {
		var logs bytes.Buffer
		r, s, o, l := bulkServer(t, babelfishVersion, &logs)
		r.fail = func(q string) error {
			if strings.HasPrefix(q, "MERGE") {
				return mssqldb.Error{Number: 33557097, Message: "'MERGE' is not currently supported in Babelfish"}
			}
			return nil
		}
		start := len(r.entries())
		require.NoError(t, s.Write(context.Background(), splitBatch(o, l, "A")))
		last := committedAttempt(t, r.entries()[start:], 2)
		require.Len(t, bulkLoads(last), 2, strings.Join(last, "\n"))
		require.Equal(t, UpdateInsert, s.Strategy())
		require.NotContains(t, logs.String(), "TDS packet boundary")
	})
}
