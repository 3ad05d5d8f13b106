package mssql

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/facolos/etl/connector"
)

// runsReady remembers the sinks whose run-history tables exist.
var runsReady sync.Map // *Sink -> struct{}

// runsSQL creates etl_control.batch_runs (the old system's ten columns plus
// pipeline, account and records_rejected) and etl_control.data_sources (the
// old eight columns; one row per pipeline) when they are missing, and adds
// the new columns to an old batch_runs.
func runsSQL(ctl string) []string {
	br, ds := names{ctl, "batch_runs"}, names{ctl, "data_sources"}
	stmts := []string{
		createSchemaSQL(ctl),
		fmt.Sprintf(`IF OBJECT_ID(%s, N'U') IS NULL
CREATE TABLE %s (
	[batch_id] UNIQUEIDENTIFIER NOT NULL DEFAULT NEWID(),
	[data_source] NVARCHAR(50) NOT NULL,
	[table_name] NVARCHAR(100) NOT NULL,
	[start_time] DATETIMEOFFSET(7) NULL DEFAULT SYSDATETIMEOFFSET(),
	[end_time] DATETIMEOFFSET(7) NULL,
	[status] NVARCHAR(20) NULL CONSTRAINT [CK_batch_runs_status] CHECK ([status] IN `+runStatesSQL+`),
	[records_extracted] INT NULL DEFAULT 0,
	[records_loaded] INT NULL DEFAULT 0,
	[error_message] NVARCHAR(MAX) NULL,
	[created_by] NVARCHAR(50) NULL DEFAULT N'facolos_etl_system',
	[pipeline] NVARCHAR(200) NULL,
	[account] NVARCHAR(200) NULL,
	[records_rejected] INT NULL DEFAULT 0,
	[taken_over_by] UNIQUEIDENTIFIER NULL,
	CONSTRAINT [PK_batch_runs] PRIMARY KEY CLUSTERED ([batch_id])
)`, qs(ctl+".batch_runs"), br.target()),
		fmt.Sprintf(`IF OBJECT_ID(%s, N'U') IS NULL
CREATE TABLE %s (
	[source_id] NVARCHAR(200) NOT NULL,
	[source_name] NVARCHAR(200) NOT NULL,
	[source_type] NVARCHAR(50) NOT NULL,
	[is_active] BIT NULL DEFAULT 1,
	[last_extract_time] DATETIMEOFFSET(7) NULL,
	[extract_frequency_hours] INT NULL DEFAULT 6,
	[created_at] DATETIMEOFFSET(7) NULL DEFAULT SYSDATETIMEOFFSET(),
	[updated_at] DATETIMEOFFSET(7) NULL DEFAULT SYSDATETIMEOFFSET(),
	CONSTRAINT [PK_data_sources] PRIMARY KEY CLUSTERED ([source_id])
)`, qs(ctl+".data_sources"), ds.target()),
	}
	// A batch_runs created by the old setup script lacks the new columns.
	for _, c := range [][2]string{{"pipeline", "NVARCHAR(200) NULL"}, {"account", "NVARCHAR(200) NULL"}, {"records_rejected", "INT NULL"}, {"taken_over_by", "UNIQUEIDENTIFIER NULL"}} {
		stmts = append(stmts, fmt.Sprintf("IF COL_LENGTH(%s, %s) IS NULL\nALTER TABLE %s ADD %s %s", qs(ctl+".batch_runs"), qs(c[0]), br.target(), qi(c[0]), c[1]))
	}
	// A batch_runs of an older version: its status CHECK (a name the
	// server chose) does not allow ABANDONED and FRESH; it is replaced.
	stmts = append(stmts, fmt.Sprintf(`DECLARE @ck SYSNAME;
SELECT TOP 1 @ck = [name] FROM sys.check_constraints
WHERE [parent_object_id] = OBJECT_ID(%s) AND [definition] LIKE N'%%RUNNING%%' AND [definition] NOT LIKE N'%%ABANDONED%%';
IF @ck IS NOT NULL
BEGIN
	DECLARE @drop NVARCHAR(MAX) = N'ALTER TABLE %s DROP CONSTRAINT ' + QUOTENAME(@ck);
	EXEC (@drop);
	ALTER TABLE %s ADD CONSTRAINT [CK_batch_runs_status] CHECK ([status] IN %s);
END`, qs(ctl+".batch_runs"), strings.ReplaceAll(br.target(), "'", "''"), br.target(), runStatesSQL))
	return stmts
}

// runStatesSQL are the values batch_runs.status may take.
const runStatesSQL = `(N'RUNNING', N'SUCCESS', N'FAILED', N'CANCELLED', N'ABANDONED', N'FRESH')`

// startRunSQL closes the stream's RUNNING rows as ABANDONED when the run
// holds the stream's lease (@p8 = 1; @p9 the message), inserts the RUNNING
// row (@p1 batch_id, @p2 data_source, @p3 table_name, @p4 start_time, @p5
// pipeline, @p6 account) and registers the account (@p5 source_id, @p7
// source_name, @p2 source_type) without MERGE.
func startRunSQL(ctl string) string {
	br, ds := names{ctl, "batch_runs"}.target(), names{ctl, "data_sources"}.target()
	return fmt.Sprintf(`IF @p8 = 1
	UPDATE %s SET [status] = N'ABANDONED', [end_time] = @p4, [taken_over_by] = @p1, [error_message] = COALESCE([error_message], @p9)
	WHERE [pipeline] = @p5 AND [table_name] = @p3 AND [status] = N'RUNNING';
INSERT INTO %s ([batch_id], [data_source], [table_name], [start_time], [status], [pipeline], [account], [records_extracted], [records_loaded], [records_rejected])
VALUES (@p1, @p2, @p3, @p4, N'RUNNING', @p5, @p6, 0, 0, 0);
UPDATE %s WITH (UPDLOCK, HOLDLOCK) SET [is_active] = 1, [updated_at] = @p4 WHERE [source_id] = @p5;
IF @@ROWCOUNT = 0
	INSERT INTO %s ([source_id], [source_name], [source_type], [is_active], [created_at], [updated_at]) VALUES (@p5, @p7, @p2, 1, @p4, @p4);`, br, br, ds, ds)
}

// finishRunSQL records the outcome (@p1 end_time, @p2 status, @p3
// extracted, @p4 loaded, @p5 rejected, @p6 error, @p7 batch_id) and, on
// SUCCESS, the account's last_extract_time (@p8 source_id) and, for a run
// that holds the stream's lease (@p10 its mode, NULL otherwise), the
// success on the lease row of (@p8 pipeline, @p9 stream), on the server's
// clock as lease times are. FinishRun runs it in one transaction.
func finishRunSQL(ctl string) string {
	br, ds := names{ctl, "batch_runs"}.target(), names{ctl, "data_sources"}.target()
	return fmt.Sprintf(`UPDATE %s SET [end_time] = @p1, [status] = @p2, [records_extracted] = @p3, [records_loaded] = @p4, [records_rejected] = @p5, [error_message] = @p6 WHERE [batch_id] = @p7 AND [status] <> N'ABANDONED';
IF @p2 = N'SUCCESS'
	UPDATE %s SET [last_extract_time] = @p1, [updated_at] = @p1 WHERE [source_id] = @p8;
IF @p2 = N'SUCCESS' AND @p10 IS NOT NULL
	UPDATE %s SET [succeeded_at] = SYSDATETIMEOFFSET(), [succeeded_mode] = @p10 WHERE [pipeline] = @p8 AND [stream] = @p9;`, br, ds, leases(ctl))
}

func (s *Sink) ensureRuns(ctx context.Context) error {
	if _, ok := runsReady.Load(s); ok {
		return nil
	}
	if err := s.ddl(ctx, runsSQL(s.Schema("etl_control"))); err != nil {
		return fmt.Errorf("mssql: create run history: %w", err)
	}
	runsReady.Store(s, struct{}{})
	return nil
}

// StartRun implements connector.RunRecorder: it commits a RUNNING row in
// etl_control.batch_runs and registers the account in
// etl_control.data_sources.
func (s *Sink) StartRun(ctx context.Context, run connector.Run) error {
	if err := s.ensureRuns(ctx); err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, startRunSQL(s.Schema("etl_control")), run.ID, run.Platform, run.Stream, run.Start.UTC().Truncate(time.Microsecond),
		run.Pipeline, run.Account, run.Platform+" "+run.Account, run.Leased, connector.AbandonedMessage(run.ID)); err != nil {
		return fmt.Errorf("mssql: record run start of %s/%s: %w", run.Pipeline, run.Stream, err)
	}
	return nil
}

// FinishRun implements connector.RunRecorder. A leased run's success is
// marked on the stream's lease row in the same transaction, so a worker
// killed before it gives the lease back leaves the stream fresh, not run
// again in the cycle.
func (s *Sink) FinishRun(ctx context.Context, run connector.Run) error {
	// A run without error stores NULL, as a typed NULL (Babelfish rejects
	// the untyped one a Go nil would be); so does the mode of a run that
	// holds no lease.
	msg := sql.NullString{String: run.Error, Valid: run.Error != ""}
	var mode sql.NullString
	if run.Leased && run.Mode != "" {
		mode = sql.NullString{String: string(run.Mode), Valid: true}
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("mssql: record run end of %s/%s: %w", run.Pipeline, run.Stream, err)
	}
	if _, err := tx.ExecContext(ctx, finishRunSQL(s.Schema("etl_control")), run.End.UTC().Truncate(time.Microsecond), string(run.State),
		run.Extracted, run.Loaded, run.Rejected, msg, run.ID, run.Pipeline, run.Stream, mode); err != nil {
		_ = tx.Rollback()
		return fmt.Errorf("mssql: record run end of %s/%s: %w", run.Pipeline, run.Stream, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("mssql: record run end of %s/%s: %w", run.Pipeline, run.Stream, err)
	}
	return nil
}
