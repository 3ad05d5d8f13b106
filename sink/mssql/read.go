package mssql

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/facolos/etl/connector"
)

// ReadTable returns every row of t ordered by primary key, with the value
// types of connector (string, int64, connector.Dec, bool, time.Time in UTC,
// connector.RawJSON, nil). It reads the whole table into memory: for tests,
// checks and small tables.
func (s *Sink) ReadTable(ctx context.Context, t *connector.Table) ([][]any, error) {
	n := names{s.Schema(t.Schema), t.Name}
	cols := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = qi(c.Name)
		if c.Type == connector.Decimal {
			cols[i] = "CONVERT(NVARCHAR(60), " + qi(c.Name) + ")"
		}
	}
	rows, err := s.db.QueryContext(ctx, fmt.Sprintf("SELECT %s FROM %s ORDER BY %s", strings.Join(cols, ", "), n.target(), strings.Join(quoteAll(t.PrimaryKey), ", ")))
	if err != nil {
		return nil, fmt.Errorf("mssql: read %s: %w", n.target(), err)
	}
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		raw := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range raw {
			ptrs[i] = &raw[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("mssql: read %s: %w", n.target(), err)
		}
		row := make([]any, len(cols))
		for i, c := range t.Columns {
			if row[i], err = s.fromDB(c, raw[i]); err != nil {
				return nil, fmt.Errorf("mssql: read %s.%s: %w", n.target(), c.Name, err)
			}
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

func (s *Sink) fromDB(c connector.Column, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	text := func() string {
		switch x := v.(type) {
		case []byte:
			return string(x)
		case string:
			return x
		}
		return fmt.Sprint(v)
	}
	switch c.Type {
	case connector.Decimal:
		return connector.ParseDec(text())
	case connector.JSON:
		return connector.RawJSON(text()), nil
	case connector.String:
		return text(), nil
	case connector.UUID:
		return uuidFromDB(v)
	case connector.Int:
		if i, ok := v.(int64); ok {
			return i, nil
		}
		return nil, fmt.Errorf("not an integer: %T", v)
	case connector.Bool:
		if b, ok := v.(bool); ok {
			return b, nil
		}
		return nil, fmt.Errorf("not a boolean: %T", v)
	case connector.Timestamp:
		tm, ok := v.(time.Time)
		if !ok {
			return nil, fmt.Errorf("not a time: %T", v)
		}
		if s.cfg.TimeBasis == connector.TimeVietnam {
			tm = time.Date(tm.Year(), tm.Month(), tm.Day(), tm.Hour(), tm.Minute(), tm.Second(), tm.Nanosecond(), connector.Vietnam)
		}
		return tm.UTC(), nil
	}
	return v, nil
}
