package mssql

import (
	"context"
	"fmt"
	"strconv"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/sqlview"
)

func (s *Sink) viewDialect() sqlview.Dialect {
	ctl := s.Schema("etl_control")
	parts := names{ctl, "view_parts"}
	ts := columnType(connector.Column{Type: connector.Timestamp}, false, false, s.cfg.TimeBasis)
	return sqlview.Dialect{
		ViewDialect: connector.ViewDialect{
			Table: func(schema, name string) string { return names{s.Schema(schema), name}.target() },
			True:  "1", False: "0", Text: "NVARCHAR(4000)", Timestamp: ts,
			Quote: qi,
			Type:  func(c connector.Column) string { return columnType(c, false, false, s.cfg.TimeBasis) },
		},
		Parts: parts.target(),
		CreateParts: fmt.Sprintf(`IF OBJECT_ID(%s, N'U') IS NULL CREATE TABLE %s (
	[view_name] NVARCHAR(200) NOT NULL,
	[part] NVARCHAR(200) NOT NULL,
	[columns_json] NVARCHAR(MAX) NOT NULL,
	[select_sql] NVARCHAR(MAX) NOT NULL,
	[updated_at] DATETIMEOFFSET(7) NOT NULL,
	PRIMARY KEY ([view_name], [part]))`, qs(ctl+".view_parts"), parts.target()),
		Lock:  ddlLockSQL(ctl),
		Param: func(i int) string { return "@p" + strconv.Itoa(i) },
		Now:   "SYSDATETIMEOFFSET()",
		// CREATE VIEW must open its batch: each statement is its own.
		Recreate: func(view, body string) []string {
			return []string{"DROP VIEW IF EXISTS " + view, "CREATE VIEW " + view + " AS\n" + body}
		},
	}
}

// PrepareViews stores the view parts and recreates the views they name (see
// connector.ViewSink). The parts are kept in etl_control.view_parts.
func (s *Sink) PrepareViews(ctx context.Context, parts []connector.ViewPart) error {
	if err := sqlview.Prepare(ctx, s.db, s.viewDialect(), parts); err != nil {
		return fmt.Errorf("mssql: %w", err)
	}
	return nil
}
