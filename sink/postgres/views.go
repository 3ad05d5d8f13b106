package postgres

import (
	"context"
	"fmt"
	"strconv"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/sqlview"
)

func (s *Sink) viewDialect() sqlview.Dialect {
	parts := s.control("view_parts")
	ts := ColumnType(connector.Column{Type: connector.Timestamp}, s.cfg.TimeBasis)
	return sqlview.Dialect{
		ViewDialect: connector.ViewDialect{
			Table: s.qualified,
			True:  "TRUE", False: "FALSE", Text: "TEXT", Timestamp: ts,
			Quote: q,
			Type:  func(c connector.Column) string { return ColumnType(c, s.cfg.TimeBasis) },
		},
		Parts: parts,
		CreateParts: `CREATE TABLE IF NOT EXISTS ` + parts + ` (
			view_name TEXT NOT NULL,
			part TEXT NOT NULL,
			columns_json TEXT NOT NULL,
			select_sql TEXT NOT NULL,
			updated_at TIMESTAMPTZ NOT NULL,
			PRIMARY KEY (view_name, part))`,
		Lock:   `SELECT pg_advisory_xact_lock(` + strconv.FormatInt(ddlLock, 10) + `)`,
		Exists: `SELECT to_regclass($1) IS NOT NULL`,
		Param:  func(i int) string { return "$" + strconv.Itoa(i) },
		Now:    "now()",
		// The view casts every column to its type, so its column types
		// never change and CREATE OR REPLACE keeps views users built on it.
		Recreate: func(view, body string) []string { return []string{"CREATE OR REPLACE VIEW " + view + " AS\n" + body} },
	}
}

// PrepareViews stores the view parts and recreates the views they name (see
// connector.ViewSink). The parts are kept in etl_control.view_parts.
// The same parts are prepared once per sink (as tables are, see prepared).
func (s *Sink) PrepareViews(ctx context.Context, parts []connector.ViewPart) error {
	key := fmt.Sprintf("views %v", parts)
	unlock := s.prepared.lock(key)
	defer unlock()
	if s.prepared.done(key, "ok") {
		return nil
	}
	if err := sqlview.Prepare(ctx, s.DB(), s.viewDialect(), parts); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	s.prepared.remember(key, "ok")
	return nil
}
