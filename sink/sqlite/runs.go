package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/facolos/etl/connector"
)

const (
	batchRunsTable   = "etl_control_batch_runs"
	dataSourcesTable = "etl_control_data_sources"
)

// runsDDL creates the run history (the old system's batch_runs, plus the
// pipeline, account and rejected count) and the account registry (the old
// data_sources, one row per pipeline).
var runsDDL = []string{
	createBatchRuns(batchRunsTable),
	`CREATE INDEX IF NOT EXISTS ` + q("ix_"+batchRunsTable+"_pipeline") + ` ON ` + q(batchRunsTable) + ` (pipeline, start_time)`,
	`CREATE TABLE IF NOT EXISTS ` + q(dataSourcesTable) + ` (
		source_id TEXT NOT NULL PRIMARY KEY,
		source_name TEXT NOT NULL,
		source_type TEXT NOT NULL,
		is_active BOOLEAN DEFAULT 1,
		last_extract_time TIMESTAMP_TEXT,
		extract_frequency_hours INTEGER,
		created_at TIMESTAMP_TEXT,
		updated_at TIMESTAMP_TEXT)`,
}

// batchRunsColumns are the columns of a batch_runs of an older version,
// copied when it is rebuilt (migrateRuns).
const batchRunsColumns = `batch_id, data_source, table_name, start_time, end_time, status, records_extracted, records_loaded,
	error_message, created_by, pipeline, account, records_rejected`

// createBatchRuns is the run history's DDL under the name table.
func createBatchRuns(table string) string {
	return `CREATE TABLE IF NOT EXISTS ` + q(table) + ` (
		batch_id TEXT NOT NULL PRIMARY KEY,
		data_source TEXT NOT NULL,
		table_name TEXT NOT NULL,
		start_time TIMESTAMP_TEXT,
		end_time TIMESTAMP_TEXT,
		status TEXT CHECK (status IN ('RUNNING', 'SUCCESS', 'FAILED', 'CANCELLED', 'ABANDONED', 'FRESH')),
		records_extracted INTEGER DEFAULT 0,
		records_loaded INTEGER DEFAULT 0,
		error_message TEXT,
		created_by TEXT DEFAULT 'facolos_etl_system',
		pipeline TEXT,
		account TEXT,
		records_rejected INTEGER DEFAULT 0,
		taken_over_by TEXT)`
}

// ensureRuns creates the run history once per sink, and rebuilds a
// batch_runs of an older version, whose CHECK does not allow ABANDONED and
// FRESH (SQLite cannot alter a CHECK): in one transaction, a new table,
// the rows copied, the old one dropped and the new one renamed. The caller
// holds the write lock.
func (s *Sink) ensureRuns(ctx context.Context) error {
	if s.runsReady {
		return nil
	}
	var ddl string
	err := s.wconn.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`, batchRunsTable).Scan(&ddl)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlite: create run history: %w", err)
	}
	if ddl != "" && !strings.Contains(ddl, "'ABANDONED'") {
		if err := s.migrateRuns(ctx); err != nil {
			return fmt.Errorf("sqlite: migrate run history: %w", err)
		}
	}
	for _, st := range runsDDL {
		if _, err := s.wconn.ExecContext(ctx, st); err != nil {
			return fmt.Errorf("sqlite: create run history: %w", err)
		}
	}
	s.runsReady = true
	return nil
}

func (s *Sink) migrateRuns(ctx context.Context) (err error) {
	if _, err := s.wconn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_, _ = s.wconn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()
	tmp := batchRunsTable + "_v2"
	for _, st := range []string{
		`DROP TABLE IF EXISTS ` + q(tmp),
		createBatchRuns(tmp),
		`INSERT INTO ` + q(tmp) + ` (` + batchRunsColumns + `) SELECT ` + batchRunsColumns + ` FROM ` + q(batchRunsTable),
		`DROP TABLE ` + q(batchRunsTable),
		`ALTER TABLE ` + q(tmp) + ` RENAME TO ` + q(batchRunsTable),
		"COMMIT",
	} {
		if _, err := s.wconn.ExecContext(ctx, st); err != nil {
			return err
		}
	}
	return nil
}

// StartRun implements connector.RunRecorder: it commits a RUNNING row in
// etl_control_batch_runs and registers the account in
// etl_control_data_sources.
func (s *Sink) StartRun(ctx context.Context, run connector.Run) error {
	if err := s.wmu.lock(ctx); err != nil {
		return err
	}
	defer s.wmu.unlock()
	if err := s.ensureRuns(ctx); err != nil {
		return err
	}
	start := formatTime(run.Start, s.cfg.TimeBasis)
	if run.Leased {
		// This run holds the stream's lease: a run of the stream still
		// RUNNING was abandoned by its worker.
		if _, err := s.wconn.ExecContext(ctx, `UPDATE `+q(batchRunsTable)+` SET status = ?, end_time = ?, taken_over_by = ?,
			error_message = COALESCE(error_message, ?) WHERE pipeline = ? AND table_name = ? AND status = ?`,
			string(connector.RunAbandoned), start, run.ID, connector.AbandonedMessage(run.ID), run.Pipeline, run.Stream, string(connector.RunRunning)); err != nil {
			return fmt.Errorf("sqlite: close abandoned runs of %s/%s: %w", run.Pipeline, run.Stream, err)
		}
	}
	if _, err := s.wconn.ExecContext(ctx, `INSERT INTO `+q(batchRunsTable)+` (batch_id, data_source, table_name, start_time, status, pipeline, account)
		VALUES (?,?,?,?,?,?,?)`, run.ID, run.Platform, run.Stream, start, string(connector.RunRunning), run.Pipeline, run.Account); err != nil {
		return fmt.Errorf("sqlite: record run start of %s/%s: %w", run.Pipeline, run.Stream, err)
	}
	if _, err := s.wconn.ExecContext(ctx, `INSERT INTO `+q(dataSourcesTable)+` (source_id, source_name, source_type, is_active, created_at, updated_at)
		VALUES (?,?,?,1,?,?) ON CONFLICT (source_id) DO UPDATE SET is_active = 1, updated_at = excluded.updated_at`,
		run.Pipeline, run.Platform+" "+run.Account, run.Platform, start, start); err != nil {
		return fmt.Errorf("sqlite: register source %s: %w", run.Pipeline, err)
	}
	return nil
}

// FinishRun implements connector.RunRecorder. A leased run's success is
// marked on the stream's lease row in the same transaction (succeeded_at on
// the lease clock, this host's), so a worker killed before it gives the
// lease back leaves the stream fresh, not run again in the cycle.
func (s *Sink) FinishRun(ctx context.Context, run connector.Run) (err error) {
	if err := s.wmu.lock(ctx); err != nil {
		return err
	}
	defer s.wmu.unlock()
	end := formatTime(run.End, s.cfg.TimeBasis)
	var msg any
	if run.Error != "" {
		msg = run.Error
	}
	if _, err := s.wconn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return fmt.Errorf("sqlite: record run end of %s/%s: %w", run.Pipeline, run.Stream, err)
	}
	defer func() {
		if err != nil {
			_, _ = s.wconn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()
	if _, err := s.wconn.ExecContext(ctx, `UPDATE `+q(batchRunsTable)+` SET end_time = ?, status = ?, records_extracted = ?, records_loaded = ?,
		records_rejected = ?, error_message = ? WHERE batch_id = ? AND status <> ?`, end, string(run.State), run.Extracted, run.Loaded, run.Rejected, msg, run.ID,
		string(connector.RunAbandoned)); err != nil {
		return fmt.Errorf("sqlite: record run end of %s/%s: %w", run.Pipeline, run.Stream, err)
	}
	if run.State == connector.RunSuccess {
		if run.Leased && run.Mode != "" {
			if _, err := s.wconn.ExecContext(ctx, `UPDATE `+q(leasesTable)+` SET succeeded_at = ?, succeeded_mode = ? WHERE pipeline = ? AND stream = ?`,
				ts(time.Now()), string(run.Mode), run.Pipeline, run.Stream); err != nil {
				return fmt.Errorf("sqlite: mark success of %s/%s on its lease: %w", run.Pipeline, run.Stream, err)
			}
		}
		if _, err := s.wconn.ExecContext(ctx, `UPDATE `+q(dataSourcesTable)+` SET last_extract_time = ?, updated_at = ? WHERE source_id = ?`,
			end, end, run.Pipeline); err != nil {
			return fmt.Errorf("sqlite: update source %s: %w", run.Pipeline, err)
		}
	}
	if _, err := s.wconn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("sqlite: record run end of %s/%s: %w", run.Pipeline, run.Stream, err)
	}
	return nil
}
