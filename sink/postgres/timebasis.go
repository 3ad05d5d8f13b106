package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/facolos/etl/connector"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// prepareTableRetrying runs prepareTable again when concurrent DDL of
// another process raced it: CREATE … IF NOT EXISTS can still fail with a
// duplicate when its catalog snapshot predates the other's commit (the
// advisory lock orders the transactions but does not refresh that
// snapshot); the next attempt sees the object.
func (s *Sink) prepareTableRetrying(ctx context.Context, t *connector.Table) error {
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		if err = s.prepareTable(ctx, t); !duplicateDDL(err) {
			return err
		}
	}
	return err
}

func duplicateDDL(err error) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	switch pe.Code {
	case "23505", "42710", "42P07", "42701": // unique_violation, duplicate_object, duplicate_table, duplicate_column
		return true
	}
	return false
}

// checkBasis refuses a warehouse whose recorded time basis differs from the
// configured one.
func (s *Sink) checkBasis(ctx context.Context) error {
	var v string
	err := s.pool.QueryRow(ctx, `SELECT value FROM `+s.control("settings")+` WHERE name = 'time_basis'`).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("postgres: read the time basis: %w", err)
	}
	if v != s.cfg.TimeBasis.String() {
		found := connector.TimeUTC
		if v == connector.TimeVietnam.String() {
			found = connector.TimeVietnam
		}
		return connector.TimeBasisError(fmt.Sprintf("postgres: schema %s (recorded in %s)", s.Schema("etl_control"), s.control("settings")), found, s.cfg.TimeBasis)
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
	if _, err := s.pool.Exec(ctx, `INSERT INTO `+s.control("settings")+` (name, value) VALUES ('time_basis', $1) ON CONFLICT (name) DO NOTHING`,
		s.cfg.TimeBasis.String()); err != nil {
		return fmt.Errorf("postgres: record the time basis: %w", err)
	}
	if err := s.checkBasis(ctx); err != nil {
		return err
	}
	s.basisRecorded.Store(true)
	return nil
}

// matches reports whether t exists with every column and index (its parent
// index, its declared indexes, by name), so that Prepare has nothing to
// change; it reads the catalog only.
// An existing table whose primary key is not t's (connector.ErrKeyChanged)
// or whose timestamp columns are of the other time basis is refused, before
// any DDL.
func (s *Sink) matches(ctx context.Context, t *connector.Table) (bool, error) {
	target := s.qualified(t.Schema, t.Name)
	rows, err := s.pool.Query(ctx, `SELECT a.attname, a.atttypid = 'timestamptz'::regtype, a.atttypid = 'timestamp'::regtype, a.atttypid = 'uuid'::regtype
		FROM pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped`, target)
	if err != nil {
		return false, err
	}
	type col struct{ tz, plain, uuid bool }
	have := map[string]col{}
	var name string
	var c col
	_, err = pgx.ForEachRow(rows, []any{&name, &c.tz, &c.plain, &c.uuid}, func() error { have[name] = c; return nil })
	if err != nil || len(have) == 0 {
		return false, err
	}
	if err := s.checkKey(ctx, t, target); err != nil {
		return false, err
	}
	s.noteTextUUIDs(t, func(name string) bool { h, ok := have[name]; return ok && !h.uuid })
	complete := true
	for _, tc := range t.Columns {
		h, ok := have[tc.Name]
		if !ok {
			complete = false
			continue
		}
		if tc.Type != connector.Timestamp || !h.tz && !h.plain {
			continue
		}
		if found := basisOf(h.tz); found != s.cfg.TimeBasis {
			kind := "timestamp without time zone"
			if h.tz {
				kind = "timestamptz"
			}
			return false, connector.TimeBasisError(fmt.Sprintf("column %s.%s is %s", target, q(tc.Name), kind), found, s.cfg.TimeBasis)
		}
	}
	if !complete {
		return false, nil
	}
	var indexes []string
	if len(t.ParentKey) > 0 && !t.ParentKeyLeadsKey() {
		indexes = append(indexes, "ix_"+t.Name+"_parent")
	}
	for _, ix := range t.Indexes {
		indexes = append(indexes, ix.Name)
	}
	if len(indexes) == 0 {
		return true, nil
	}
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relkind = 'i' AND c.relname = ANY($2)`, s.Schema(t.Schema), indexes).Scan(&n); err != nil {
		return false, err
	}
	return n == len(indexes), nil
}

func basisOf(tz bool) connector.TimeBasis {
	if tz {
		return connector.TimeUTC
	}
	return connector.TimeVietnam
}

// primaryKeySQL lists the primary-key columns of table $1 in key order.
const primaryKeySQL = `SELECT a.attname FROM pg_index i
	CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
	JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
	WHERE i.indrelid = to_regclass($1) AND i.indisprimary ORDER BY k.ord`

// checkKey refuses the existing table target when its primary key is not
// t's (see connector.CheckKey).
func (s *Sink) checkKey(ctx context.Context, t *connector.Table, target string) error {
	rows, err := s.pool.Query(ctx, primaryKeySQL, target)
	if err != nil {
		return err
	}
	have, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	return connector.CheckKey(t, target, have, false)
}
