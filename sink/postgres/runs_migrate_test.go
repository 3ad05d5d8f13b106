package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/testsinks"
	"github.com/facolos/etl/sink/postgres"
	"github.com/stretchr/testify/require"
)

// A batch_runs of an older version (its status CHECK without ABANDONED and
// FRESH, no taken_over_by) gets the new CHECK and column on first use; a
// leased run then closes the stream's RUNNING row as ABANDONED naming
// itself, and a FRESH run is recorded.
func TestOldRunHistoryIsMigrated(t *testing.T) {
	s := testsinks.Postgres(t, "runsmig", postgres.Config{})
	ctx := context.Background()
	br := connector.QuoteIdent(s.Schema("etl_control")) + ".batch_runs"
	_, err := s.Pool().Exec(ctx, `CREATE TABLE `+br+` (batch_id UUID NOT NULL PRIMARY KEY, data_source VARCHAR(50) NOT NULL, table_name VARCHAR(100) NOT NULL,
		start_time TIMESTAMPTZ DEFAULT now(), end_time TIMESTAMPTZ, status VARCHAR(20) CHECK (status IN ('RUNNING', 'SUCCESS', 'FAILED', 'CANCELLED')),
		records_extracted BIGINT DEFAULT 0, records_loaded BIGINT DEFAULT 0, error_message TEXT, created_by VARCHAR(50) DEFAULT 'facolos_etl_system',
		pipeline TEXT, account TEXT, records_rejected BIGINT DEFAULT 0)`)
	require.NoError(t, err)
	const dead, taker = "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"
	_, err = s.Pool().Exec(ctx, `INSERT INTO `+br+` (batch_id, data_source, table_name, status, pipeline, account) VALUES ($1, 'shopee', 'orders', 'RUNNING', 'shopee/1', '1')`, dead)
	require.NoError(t, err)
	run := connector.Run{ID: taker, Pipeline: "shopee/1", Platform: "shopee", Account: "1", Stream: "orders", Start: time.Now(), State: connector.RunRunning, Leased: true}
	require.NoError(t, s.StartRun(ctx, run))
	var status, by string
	require.NoError(t, s.Pool().QueryRow(ctx, `SELECT status, taken_over_by::text FROM `+br+` WHERE batch_id = $1`, dead).Scan(&status, &by))
	require.Equal(t, "ABANDONED", status)
	require.Equal(t, taker, by)
	require.NoError(t, s.FinishRun(ctx, connector.Run{ID: dead, Pipeline: "shopee/1", Stream: "orders", End: time.Now(), State: connector.RunFailed, Error: "lease lost"}))
	require.NoError(t, s.Pool().QueryRow(ctx, `SELECT status FROM `+br+` WHERE batch_id = $1`, dead).Scan(&status))
	require.Equal(t, "ABANDONED", status, "a late end does not reopen an abandoned run")
	run.End, run.State = time.Now(), connector.RunFresh
	require.NoError(t, s.FinishRun(ctx, run))
	require.NoError(t, s.Pool().QueryRow(ctx, `SELECT status FROM `+br+` WHERE batch_id = $1`, taker).Scan(&status))
	require.Equal(t, "FRESH", status)
}
