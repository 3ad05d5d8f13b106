package postgres

import (
	"context"
	"fmt"
	"sync"

	"github.com/facolos/etl/connector"
	"github.com/jackc/pgx/v5"
)

// runsReady remembers the sinks whose run-history tables exist.
var runsReady sync.Map // *Sink -> struct{}

// runsDDL creates etl_control.batch_runs (the old system's shape plus the
// pipeline, account and rejected count) and etl_control.data_sources (one
// row per pipeline).
func (s *Sink) runsDDL() []string {
	return []string{
		`CREATE TABLE IF NOT EXISTS ` + s.control("batch_runs") + ` (
			batch_id UUID NOT NULL PRIMARY KEY,
			data_source VARCHAR(50) NOT NULL,
			table_name VARCHAR(100) NOT NULL,
			start_time TIMESTAMPTZ DEFAULT now(),
			end_time TIMESTAMPTZ,
			status VARCHAR(20) CHECK (status IN ('RUNNING', 'SUCCESS', 'FAILED', 'CANCELLED')),
			records_extracted BIGINT DEFAULT 0,
			records_loaded BIGINT DEFAULT 0,
			error_message TEXT,
			created_by VARCHAR(50) DEFAULT 'facolos_etl_system',
			pipeline TEXT,
			account TEXT,
			records_rejected BIGINT DEFAULT 0)`,
		`CREATE INDEX IF NOT EXISTS ix_batch_runs_pipeline ON ` + s.control("batch_runs") + ` (pipeline, start_time)`,
		`CREATE TABLE IF NOT EXISTS ` + s.control("data_sources") + ` (
			source_id VARCHAR(200) NOT NULL PRIMARY KEY,
			source_name VARCHAR(200) NOT NULL,
			source_type VARCHAR(50) NOT NULL,
			is_active BOOLEAN DEFAULT true,
			last_extract_time TIMESTAMPTZ,
			extract_frequency_hours INT,
			created_at TIMESTAMPTZ DEFAULT now(),
			updated_at TIMESTAMPTZ DEFAULT now())`,
	}
}

func (s *Sink) ensureRuns(ctx context.Context) error {
	if _, ok := runsReady.Load(s); ok {
		return nil
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(ddlLock)); err != nil {
			return err
		}
		for _, st := range s.runsDDL() {
			if _, err := tx.Exec(ctx, st); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: create run history: %w", err)
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
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO `+s.control("batch_runs")+` (batch_id, data_source, table_name, start_time, status, pipeline, account)
			VALUES ($1,$2,$3,$4,$5,$6,$7)`, run.ID, run.Platform, run.Stream, run.Start, string(connector.RunRunning), run.Pipeline, run.Account); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO `+s.control("data_sources")+` (source_id, source_name, source_type, is_active, created_at, updated_at)
			VALUES ($1,$2,$3,true,$4,$4) ON CONFLICT (source_id) DO UPDATE SET is_active = true, updated_at = excluded.updated_at`,
			run.Pipeline, run.Platform+" "+run.Account, run.Platform, run.Start)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: record run start of %s/%s: %w", run.Pipeline, run.Stream, err)
	}
	return nil
}

// FinishRun implements connector.RunRecorder.
func (s *Sink) FinishRun(ctx context.Context, run connector.Run) error {
	var msg *string
	if run.Error != "" {
		msg = &run.Error
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE `+s.control("batch_runs")+` SET end_time = $1, status = $2, records_extracted = $3, records_loaded = $4,
			records_rejected = $5, error_message = $6 WHERE batch_id = $7`, run.End, string(run.State), run.Extracted, run.Loaded, run.Rejected, msg, run.ID); err != nil {
			return err
		}
		if run.State != connector.RunSuccess {
			return nil
		}
		_, err := tx.Exec(ctx, `UPDATE `+s.control("data_sources")+` SET last_extract_time = $1, updated_at = $1 WHERE source_id = $2`, run.End, run.Pipeline)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: record run end of %s/%s: %w", run.Pipeline, run.Stream, err)
	}
	return nil
}
