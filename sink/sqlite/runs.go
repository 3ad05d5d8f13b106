package sqlite

import (
	"context"
	"fmt"

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
	`CREATE TABLE IF NOT EXISTS ` + q(batchRunsTable) + ` (
		batch_id TEXT NOT NULL PRIMARY KEY,
		data_source TEXT NOT NULL,
		table_name TEXT NOT NULL,
		start_time TIMESTAMP_TEXT,
		end_time TIMESTAMP_TEXT,
		status TEXT CHECK (status IN ('RUNNING', 'SUCCESS', 'FAILED', 'CANCELLED')),
		records_extracted INTEGER DEFAULT 0,
		records_loaded INTEGER DEFAULT 0,
		error_message TEXT,
		created_by TEXT DEFAULT 'facolos_etl_system',
		pipeline TEXT,
		account TEXT,
		records_rejected INTEGER DEFAULT 0)`,
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

// StartRun implements connector.RunRecorder: it commits a RUNNING row in
// etl_control_batch_runs and registers the account in
// etl_control_data_sources.
func (s *Sink) StartRun(ctx context.Context, run connector.Run) error {
	if err := s.wmu.lock(ctx); err != nil {
		return err
	}
	defer s.wmu.unlock()
	for _, st := range runsDDL {
		if _, err := s.wconn.ExecContext(ctx, st); err != nil {
			return fmt.Errorf("sqlite: create run history: %w", err)
		}
	}
	start := formatTime(run.Start, s.cfg.TimeBasis)
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

// FinishRun implements connector.RunRecorder.
func (s *Sink) FinishRun(ctx context.Context, run connector.Run) error {
	if err := s.wmu.lock(ctx); err != nil {
		return err
	}
	defer s.wmu.unlock()
	end := formatTime(run.End, s.cfg.TimeBasis)
	var msg any
	if run.Error != "" {
		msg = run.Error
	}
	if _, err := s.wconn.ExecContext(ctx, `UPDATE `+q(batchRunsTable)+` SET end_time = ?, status = ?, records_extracted = ?, records_loaded = ?,
		records_rejected = ?, error_message = ? WHERE batch_id = ?`, end, string(run.State), run.Extracted, run.Loaded, run.Rejected, msg, run.ID); err != nil {
		return fmt.Errorf("sqlite: record run end of %s/%s: %w", run.Pipeline, run.Stream, err)
	}
	if run.State == connector.RunSuccess {
		if _, err := s.wconn.ExecContext(ctx, `UPDATE `+q(dataSourcesTable)+` SET last_extract_time = ?, updated_at = ? WHERE source_id = ?`,
			end, end, run.Pipeline); err != nil {
			return fmt.Errorf("sqlite: update source %s: %w", run.Pipeline, err)
		}
	}
	return nil
}
