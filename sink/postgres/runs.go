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
			status VARCHAR(20) CONSTRAINT batch_runs_status_check CHECK (status IN ` + runStates + `),
			records_extracted BIGINT DEFAULT 0,
			records_loaded BIGINT DEFAULT 0,
			error_message TEXT,
			created_by VARCHAR(50) DEFAULT 'facolos_etl_system',
			pipeline TEXT,
			account TEXT,
			records_rejected BIGINT DEFAULT 0,
			taken_over_by UUID)`,
		`ALTER TABLE ` + s.control("batch_runs") + ` ADD COLUMN IF NOT EXISTS taken_over_by UUID`,
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
	// The first runs of a worker start together: one checks, the others
	// wait for it.
	s.runsMu.Lock()
	defer s.runsMu.Unlock()
	if _, ok := runsReady.Load(s); ok {
		return nil
	}
	// Tables of this version cost a catalog read and no lock: the DDL
	// below (its ALTER TABLE takes an exclusive lock on batch_runs even
	// when the column exists) would queue every other worker's run
	// history behind it each time a worker starts.
	if ok, err := s.runsExist(ctx); err == nil && ok {
		runsReady.Store(s, struct{}{})
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
		return s.migrateRunStates(ctx, tx)
	})
	if err != nil {
		return fmt.Errorf("postgres: create run history: %w", err)
	}
	runsReady.Store(s, struct{}{})
	return nil
}

// runsExist reports whether the run-history tables exist in this version's
// shape (the taken_over_by column, the index, the current status check).
func (s *Sink) runsExist(ctx context.Context) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL AND to_regclass($3) IS NOT NULL
		AND EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = 'taken_over_by' AND NOT attisdropped)
		AND EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = to_regclass($1) AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%FRESH%')
		AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = to_regclass($1) AND contype = 'c'
			AND pg_get_constraintdef(oid) LIKE '%RUNNING%' AND pg_get_constraintdef(oid) NOT LIKE '%ABANDONED%')`,
		s.control("batch_runs"), s.control("data_sources"), q(s.Schema("etl_control"))+"."+q("ix_batch_runs_pipeline")).Scan(&ok)
	return ok, err
}

// runStates are the values batch_runs.status may take.
const runStates = `('RUNNING', 'SUCCESS', 'FAILED', 'CANCELLED', 'ABANDONED', 'FRESH')`

// migrateRunStates replaces the status CHECK of a batch_runs of an older
// version (without ABANDONED and FRESH).
func (s *Sink) migrateRunStates(ctx context.Context, tx pgx.Tx) error {
	rows, err := tx.Query(ctx, `SELECT conname FROM pg_constraint WHERE conrelid = to_regclass($1) AND contype = 'c'
		AND pg_get_constraintdef(oid) LIKE '%RUNNING%' AND pg_get_constraintdef(oid) NOT LIKE '%ABANDONED%'`, s.control("batch_runs"))
	if err != nil {
		return err
	}
	old, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(old) == 0 {
		return err
	}
	for _, name := range old {
		if _, err := tx.Exec(ctx, `ALTER TABLE `+s.control("batch_runs")+` DROP CONSTRAINT `+q(name)); err != nil {
			return err
		}
	}
	_, err = tx.Exec(ctx, `ALTER TABLE `+s.control("batch_runs")+` ADD CONSTRAINT batch_runs_status_check CHECK (status IN `+runStates+`)`)
	return err
}

// StartRun implements connector.RunRecorder: it commits a RUNNING row in
// etl_control.batch_runs and registers the account in
// etl_control.data_sources.
func (s *Sink) StartRun(ctx context.Context, run connector.Run) error {
	if err := s.ensureRuns(ctx); err != nil {
		return err
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if run.Leased {
			// This run holds the stream's lease: a run of the stream still
			// RUNNING was abandoned by its worker.
			if _, err := tx.Exec(ctx, `UPDATE `+s.control("batch_runs")+` SET status = 'ABANDONED', end_time = $1, taken_over_by = $2,
				error_message = COALESCE(error_message, $3) WHERE pipeline = $4 AND table_name = $5 AND status = 'RUNNING'`,
				run.Start, run.ID, connector.AbandonedMessage(run.ID), run.Pipeline, run.Stream); err != nil {
				return err
			}
		}
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
			records_rejected = $5, error_message = $6 WHERE batch_id = $7 AND status <> 'ABANDONED'`, run.End, string(run.State), run.Extracted, run.Loaded, run.Rejected, msg, run.ID); err != nil {
			return err
		}
		if run.State != connector.RunSuccess {
			return nil
		}
		if run.Leased && run.Mode != "" {
			// The stream's success on its lease row, with the run's: a
			// worker killed before it gives the lease back (which marks
			// it too) leaves the stream fresh, not run again.
			if _, err := tx.Exec(ctx, `UPDATE `+s.control("leases")+` SET succeeded_at = clock_timestamp(), succeeded_mode = $3 WHERE pipeline = $1 AND stream = $2`,
				run.Pipeline, run.Stream, string(run.Mode)); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `UPDATE `+s.control("data_sources")+` SET last_extract_time = $1, updated_at = $1 WHERE source_id = $2`, run.End, run.Pipeline)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: record run end of %s/%s: %w", run.Pipeline, run.Stream, err)
	}
	return nil
}
