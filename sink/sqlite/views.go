package sqlite

import (
	"context"
	"fmt"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/sqlview"
)

const viewPartsTable = "etl_control_view_parts"

func (s *Sink) viewDialect() sqlview.Dialect {
	return sqlview.Dialect{
		ViewDialect: connector.ViewDialect{
			Table: func(schema, name string) string { return q(TableName(schema, name)) },
			True:  "1", False: "0", Text: "TEXT", Timestamp: "TEXT",
			Quote: q,
			// SQLite has no column types to agree on: the view passes the
			// stored values through.
			Type: func(connector.Column) string { return "" },
		},
		Parts: q(viewPartsTable),
		CreateParts: `CREATE TABLE IF NOT EXISTS ` + q(viewPartsTable) + ` (
			view_name TEXT NOT NULL,
			part TEXT NOT NULL,
			columns_json TEXT NOT NULL,
			select_sql TEXT NOT NULL,
			updated_at TIMESTAMP_TEXT NOT NULL,
			PRIMARY KEY (view_name, part))`,
		Param: func(int) string { return "?" },
		Now:   `strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
		Recreate: func(view, body string) []string {
			return []string{"DROP VIEW IF EXISTS " + view, "CREATE VIEW " + view + " AS\n" + body}
		},
	}
}

// PrepareViews stores the view parts and recreates the views they name (see
// connector.ViewSink). The parts are kept in table etl_control_view_parts.
func (s *Sink) PrepareViews(ctx context.Context, parts []connector.ViewPart) error {
	s.ddlMu.Lock()
	defer s.ddlMu.Unlock()
	if err := sqlview.Prepare(ctx, s.db, s.viewDialect(), parts); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	return nil
}
