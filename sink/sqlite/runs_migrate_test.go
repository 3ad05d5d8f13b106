package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/stretchr/testify/require"
)

// A batch_runs of an older version (its CHECK without ABANDONED and FRESH,
// no taken_over_by) is rebuilt on first use with its rows; a leased run
// then closes the stream's RUNNING row as ABANDONED naming itself, and a
// FRESH run is recorded.
func TestOldRunHistoryIsMigrated(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	_, err = db.Exec(`CREATE TABLE etl_control_batch_runs (
		batch_id TEXT NOT NULL PRIMARY KEY, data_source TEXT NOT NULL, table_name TEXT NOT NULL, start_time TIMESTAMP_TEXT, end_time TIMESTAMP_TEXT,
		status TEXT CHECK (status IN ('RUNNING', 'SUCCESS', 'FAILED', 'CANCELLED')), records_extracted INTEGER DEFAULT 0, records_loaded INTEGER DEFAULT 0,
		error_message TEXT, created_by TEXT DEFAULT 'facolos_etl_system', pipeline TEXT, account TEXT, records_rejected INTEGER DEFAULT 0)`)
	require.NoError(t, err)
	_, err = db.Exec(`INSERT INTO etl_control_batch_runs (batch_id, data_source, table_name, start_time, status, pipeline, account, records_extracted)
		VALUES ('dead', 'shopee', 'orders', '2025-11-01T00:00:00.000000Z', 'RUNNING', 'shopee/1', '1', 7), ('old', 'shopee', 'orders', '2025-10-31T00:00:00.000000Z', 'SUCCESS', 'shopee/1', '1', 5)`)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	s, err := sqlite.Open(context.Background(), sqlite.Config{Path: path})
	require.NoError(t, err)
	defer s.Close()
	ctx := context.Background()
	run := connector.Run{ID: "taker", Pipeline: "shopee/1", Platform: "shopee", Account: "1", Stream: "orders", Start: time.Now(), State: connector.RunRunning, Leased: true}
	require.NoError(t, s.StartRun(ctx, run))
	var status, taker, msg string
	var extracted int
	require.NoError(t, s.DB().QueryRow(`SELECT status, taken_over_by, error_message, records_extracted FROM etl_control_batch_runs WHERE batch_id = 'dead'`).Scan(&status, &taker, &msg, &extracted))
	require.Equal(t, "ABANDONED", status)
	require.Equal(t, "taker", taker)
	require.Contains(t, msg, "took the stream over")
	require.Equal(t, 7, extracted, "the old row's values survive the rebuild")
	require.NoError(t, s.DB().QueryRow(`SELECT status FROM etl_control_batch_runs WHERE batch_id = 'old'`).Scan(&status))
	require.Equal(t, "SUCCESS", status)
	// A late end of the abandoned run does not reopen it.
	require.NoError(t, s.FinishRun(ctx, connector.Run{ID: "dead", Pipeline: "shopee/1", Stream: "orders", End: time.Now(), State: connector.RunFailed, Error: "lease lost"}))
	require.NoError(t, s.DB().QueryRow(`SELECT status FROM etl_control_batch_runs WHERE batch_id = 'dead'`).Scan(&status))
	require.Equal(t, "ABANDONED", status)
	run.End, run.State = time.Now(), connector.RunFresh
	require.NoError(t, s.FinishRun(ctx, run))
	require.NoError(t, s.DB().QueryRow(`SELECT status FROM etl_control_batch_runs WHERE batch_id = 'taker'`).Scan(&status))
	require.Equal(t, "FRESH", status)
}
