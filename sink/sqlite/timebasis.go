package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/facolos/etl/connector"
)

const settingsTable = "etl_control_settings"

// checkBasis creates the settings table and refuses a warehouse whose
// recorded time basis differs from the configured one.
func (s *Sink) checkBasis(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+q(settingsTable)+` (
			name TEXT NOT NULL PRIMARY KEY,
			value TEXT NOT NULL,
			updated_at TIMESTAMP_TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("sqlite: create control tables: %w", err)
	}
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM `+q(settingsTable)+` WHERE name = 'time_basis'`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sqlite: read the time basis: %w", err)
	}
	if v != s.cfg.TimeBasis.String() {
		found := connector.TimeUTC
		if v == connector.TimeVietnam.String() {
			found = connector.TimeVietnam
		}
		return connector.TimeBasisError(fmt.Sprintf("sqlite: %s (recorded in %s)", s.cfg.Path, settingsTable), found, s.cfg.TimeBasis)
	}
	return nil
}

// recordBasis records the configured time basis on first use (the first
// Prepare); a concurrent first use with the other basis loses and is
// refused.
func (s *Sink) recordBasis(ctx context.Context) error {
	if s.basisRecorded.Load() {
		return nil
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO `+q(settingsTable)+` (name, value, updated_at) VALUES ('time_basis', ?, ?) ON CONFLICT (name) DO NOTHING`,
		s.cfg.TimeBasis.String(), formatTime(s.cfg.Now(), connector.TimeUTC)); err != nil {
		return fmt.Errorf("sqlite: record the time basis: %w", err)
	}
	if err := s.checkBasis(ctx); err != nil {
		return err
	}
	s.basisRecorded.Store(true)
	return nil
}

// matches reports whether t exists with every column and index (its
// parent index, its declared indexes, by name), so that Prepare has
// nothing to change. An existing table whose
// primary key is not t's (connector.ErrKeyChanged) or whose timestamps are
// of the other time basis is refused, before any DDL.
func (s *Sink) matches(ctx context.Context, t *connector.Table) (bool, error) {
	name := TableName(t.Schema, t.Name)
	have, err := s.columns(ctx, name)
	if err != nil || len(have) == 0 {
		return false, err
	}
	if err := s.checkKey(ctx, t, name); err != nil {
		return false, err
	}
	if err := s.checkTableBasis(ctx, t, name, have); err != nil {
		return false, err
	}
	for _, c := range t.Columns {
		if !have[strings.ToLower(c.Name)] {
			return false, nil
		}
	}
	var indexes []string
	if len(t.ParentKey) > 0 && !t.ParentKeyLeadsKey() {
		indexes = append(indexes, "ix_"+name+"_parent")
	}
	for _, ix := range t.Indexes {
		indexes = append(indexes, ix.Name)
	}
	for _, ix := range indexes {
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?`, ix).Scan(&n); err != nil {
			return false, err
		}
		if n == 0 {
			return false, nil
		}
	}
	return true, nil
}

// checkTableBasis looks at one stored value of every timestamp column of an
// existing table (once per table and sink): UTC values end in "Z", Vietnam
// wall-clock values have no zone.
func (s *Sink) checkTableBasis(ctx context.Context, t *connector.Table, name string, have map[string]bool) error {
	if _, ok := s.basisChecked.Load(name); ok {
		return nil
	}
	for _, c := range t.Columns {
		if c.Type != connector.Timestamp || !have[strings.ToLower(c.Name)] {
			continue
		}
		var v string
		err := s.db.QueryRowContext(ctx, fmt.Sprintf("SELECT %s FROM %s WHERE %s IS NOT NULL LIMIT 1", q(c.Name), q(name), q(c.Name))).Scan(&v)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return err
		}
		found := connector.TimeVietnam
		if strings.HasSuffix(v, "Z") {
			found = connector.TimeUTC
		}
		if found != s.cfg.TimeBasis {
			return connector.TimeBasisError(fmt.Sprintf("table %s, column %s holds %q", name, c.Name, v), found, s.cfg.TimeBasis)
		}
	}
	s.basisChecked.Store(name, true)
	return nil
}

// checkKey refuses the existing table name when its primary key is not t's
// (see connector.CheckKey).
func (s *Sink) checkKey(ctx context.Context, t *connector.Table, name string) error {
	rows, err := s.db.QueryContext(ctx, "SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk", name)
	if err != nil {
		return err
	}
	defer rows.Close()
	var have []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return err
		}
		have = append(have, n)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return connector.CheckKey(t, name, have, true)
}
