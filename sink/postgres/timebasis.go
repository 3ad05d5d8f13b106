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
func (s *Sink) matches(ctx context.Context, db batcher, t *connector.Table) (bool, error) {
	cat, err := s.readCatalog(ctx, db, []*connector.Table{t})
	if err != nil {
		return false, err
	}
	return s.matchesIn(cat, t)
}

// catalog is what matches needs of the catalog for some tables.
type catalog struct {
	cols    map[string]map[string]catalogCol // by quoted target, column
	keys    map[string][]string              // primary key columns in order, by quoted target
	indexes map[string]bool                  // "schema.index" that exist
}

type catalogCol struct{ tz, plain, uuid bool }

// batcher is a pool or a transaction.
type batcher interface {
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// readCatalog reads the columns, primary keys and indexes of the tables in
// one round trip on db.
func (s *Sink) readCatalog(ctx context.Context, db batcher, tables []*connector.Table) (*catalog, error) {
	var targets, schemas, indexes []string
	for _, t := range tables {
		targets = append(targets, s.qualified(t.Schema, t.Name))
		schemas = append(schemas, s.Schema(t.Schema))
		indexes = append(indexes, indexNames(t)...)
	}
	s.catalogReads.Add(1)
	cat := &catalog{cols: map[string]map[string]catalogCol{}, keys: map[string][]string{}, indexes: map[string]bool{}}
	b := &pgx.Batch{}
	b.Queue(`SELECT x.name, a.attname, a.atttypid = 'timestamptz'::regtype, a.atttypid = 'timestamp'::regtype, a.atttypid = 'uuid'::regtype
		FROM unnest($1::text[]) AS x(name) JOIN pg_attribute a ON a.attrelid = to_regclass(x.name)
		WHERE a.attnum > 0 AND NOT a.attisdropped`, targets).Query(func(rows pgx.Rows) error {
		var target, name string
		var c catalogCol
		_, err := pgx.ForEachRow(rows, []any{&target, &name, &c.tz, &c.plain, &c.uuid}, func() error {
			if cat.cols[target] == nil {
				cat.cols[target] = map[string]catalogCol{}
			}
			cat.cols[target][name] = c
			return nil
		})
		return err
	})
	b.Queue(primaryKeysSQL, targets).Query(func(rows pgx.Rows) error {
		var target, name string
		_, err := pgx.ForEachRow(rows, []any{&target, &name}, func() error {
			cat.keys[target] = append(cat.keys[target], name)
			return nil
		})
		return err
	})
	b.Queue(`SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = ANY($1) AND c.relkind = 'i' AND c.relname = ANY($2)`, schemas, indexes).Query(func(rows pgx.Rows) error {
		var name string
		_, err := pgx.ForEachRow(rows, []any{&name}, func() error { cat.indexes[name] = true; return nil })
		return err
	})
	if err := db.SendBatch(ctx, b).Close(); err != nil {
		return nil, err
	}
	return cat, nil
}

// indexNames are the names of the indexes Prepare makes for t.
func indexNames(t *connector.Table) []string {
	var out []string
	if len(t.ParentKey) > 0 && !t.ParentKeyLeadsKey() {
		out = append(out, "ix_"+t.Name+"_parent")
	}
	for _, ix := range t.Indexes {
		out = append(out, ix.Name)
	}
	return out
}

// matchesIn is matches on a catalog read before.
func (s *Sink) matchesIn(cat *catalog, t *connector.Table) (bool, error) {
	target := s.qualified(t.Schema, t.Name)
	have := cat.cols[target]
	if len(have) == 0 {
		return false, nil
	}
	if err := connector.CheckKey(t, target, cat.keys[target], false); err != nil {
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
	for _, ix := range indexNames(t) {
		if !cat.indexes[s.Schema(t.Schema)+"."+ix] {
			return false, nil
		}
	}
	return true, nil
}

func basisOf(tz bool) connector.TimeBasis {
	if tz {
		return connector.TimeUTC
	}
	return connector.TimeVietnam
}

// primaryKeysSQL lists the primary-key columns of the tables $1 (quoted
// names), each in key order.
const primaryKeysSQL = `SELECT x.name, a.attname FROM unnest($1::text[]) AS x(name)
	JOIN pg_index i ON i.indrelid = to_regclass(x.name) AND i.indisprimary
	CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
	JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
	ORDER BY x.name, k.ord`
