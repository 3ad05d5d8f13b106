package mssql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	mssqldb "github.com/microsoft/go-mssqldb"
	"github.com/stretchr/testify/require"
)

// BulkCopyRows is the bulk-copy ceiling of the benchmarks (exported for the
// external test package): rows bulk-copied into table (quoted, qualified)
// in one transaction. Every failure path rolls back before returning, so a
// failed copy never leaves a transaction (and its table lock) open for the
// cleanup to wait on.
func BulkCopyRows(ctx context.Context, db *sql.DB, t *connector.Table, table string, rows [][]any) (err error) {
	cols := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = c.Name
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("bulk copy into %s: begin: %w", table, err)
	}
	defer func() {
		if err != nil {
			if rerr := tx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
				err = fmt.Errorf("%w (rollback: %v)", err, rerr)
			}
		}
	}()
	stmt, err := tx.PrepareContext(ctx, mssqldb.CopyIn(table, mssqldb.BulkOptions{Tablock: true}, cols...))
	if err != nil {
		return fmt.Errorf("bulk copy into %s: %w", table, err)
	}
	defer stmt.Close() // before the rollback above
	args := make([]any, len(cols))
	for n, r := range rows {
		for i, v := range r {
			args[i] = plainValue(v)
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("bulk copy into %s: row %d: %w", table, n, err)
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return fmt.Errorf("bulk copy into %s: flush: %w", table, err)
	}
	if err := stmt.Close(); err != nil {
		return fmt.Errorf("bulk copy into %s: %w", table, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("bulk copy into %s: commit: %w", table, err)
	}
	return nil
}

// plainValue is a row value as a driver parameter (decimals as text).
func plainValue(v any) any {
	if d, ok := v.(connector.Dec); ok {
		return d.String()
	}
	return v
}

// The ceiling benchmark's copy rolls back on every failure path (the old
// one left its transaction open when bulk copy failed, and the cleanup then
// waited forever on the table lock).
func TestBulkCopyCeilingRollsBackOnEveryFailure(t *testing.T) {
	tb := &connector.Table{Schema: "staging", Name: "w", PrimaryKey: []string{"id"}, Columns: []connector.Column{
		{Name: "id", Type: connector.Int}, {Name: "d", Type: connector.Decimal, Precision: 18, Scale: 4, Nullable: true}}}
	rows := [][]any{{int64(1), connector.MustDec("1.5")}, {int64(2), nil}}
	for _, stage := range []string{"", "prepare", "row", "flush", "commit", "cancel"} {
		t.Run("fail="+stage, func(t *testing.T) {
			r := &recorder{}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			r.failBulk = func(at string) error {
				if stage == "cancel" && at == "row" {
					cancel()
					return context.Canceled
				}
				if at == stage {
					return errors.New("injected " + at + " failure")
				}
				return nil
			}
			db, err := sql.Open(register(t, r, r), "")
			require.NoError(t, err)
			defer db.Close()
			err = BulkCopyRows(ctx, db, tb, "[staging].[w]", rows)
			log := strings.Join(r.entries(), "\n")
			require.Equal(t, 1, strings.Count(log, "BEGIN"), log)
			if stage == "" {
				require.NoError(t, err)
				require.True(t, strings.HasSuffix(log, "COMMIT"), log)
				require.Contains(t, log, "ROW 1|1.5\nROW 2|<nil>\nBULK FLUSH")
				return
			}
			require.Error(t, err)
			require.NotContains(t, log, "\nCOMMIT", log)
			if stage == "cancel" {
				// database/sql rolls a transaction whose context is
				// cancelled back from its own goroutine: wait for it.
				require.Eventually(t, func() bool {
					return strings.HasSuffix(strings.Join(r.entries(), "\n"), "ROLLBACK") && db.Stats().InUse == 0
				}, 10*time.Second, time.Millisecond, "the transaction is rolled back and its connection returned:\n"+log)
				return
			}
			if stage != "commit" {
				// A failed commit has already ended the transaction.
				require.True(t, strings.HasSuffix(log, "ROLLBACK"), "the transaction is rolled back:\n"+log)
			}
			require.Equal(t, 0, db.Stats().InUse, "no connection is left checked out")
		})
	}
}
