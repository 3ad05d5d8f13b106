package postgres

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
	exprs := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		exprs[i] = q(c.Name)
		if c.Type == connector.Decimal || c.Type == connector.JSON || c.Type == connector.UUID {
			exprs[i] += "::text"
		}
	}
	target := s.qualified(t.Schema, t.Name)
	rows, err := s.pool.Query(ctx, fmt.Sprintf("SELECT %s FROM %s ORDER BY %s", strings.Join(exprs, ", "), target, strings.Join(quoteAll(t.PrimaryKey), ", ")))
	if err != nil {
		return nil, fmt.Errorf("postgres: read %s: %w", target, err)
	}
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return nil, fmt.Errorf("postgres: read %s: %w", target, err)
		}
		row := make([]any, len(vals))
		for i, c := range t.Columns {
			v := vals[i]
			if v == nil {
				continue
			}
			switch c.Type {
			case connector.Decimal:
				if row[i], err = connector.ParseDec(v.(string)); err != nil {
					return nil, fmt.Errorf("postgres: read %s.%s: %w", target, c.Name, err)
				}
			case connector.JSON:
				row[i] = connector.RawJSON(v.(string))
			case connector.Timestamp:
				tm := v.(time.Time)
				if s.cfg.TimeBasis == connector.TimeVietnam {
					tm = time.Date(tm.Year(), tm.Month(), tm.Day(), tm.Hour(), tm.Minute(), tm.Second(), tm.Nanosecond(), connector.Vietnam)
				}
				row[i] = tm.UTC()
			default:
				row[i] = v
			}
		}
		out = append(out, row)
	}
	return out, rows.Err()
}
