package sqlite

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
	name := TableName(t.Schema, t.Name)
	cols := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = q(c.Name)
	}
	rows, err := s.db.QueryContext(ctx, fmt.Sprintf("SELECT %s FROM %s ORDER BY %s", strings.Join(cols, ", "), q(name), strings.Join(quoteAll(t.PrimaryKey), ", ")))
	if err != nil {
		return nil, fmt.Errorf("sqlite: read %s: %w", name, err)
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
			return nil, fmt.Errorf("sqlite: read %s: %w", name, err)
		}
		row := make([]any, len(cols))
		for i, c := range t.Columns {
			if row[i], err = s.fromDB(c, raw[i]); err != nil {
				return nil, fmt.Errorf("sqlite: read %s.%s: %w", name, c.Name, err)
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
	str := func() string {
		switch x := v.(type) {
		case string:
			return x
		case []byte:
			return string(x)
		}
		return fmt.Sprint(v)
	}
	switch c.Type {
	case connector.Int:
		if i, ok := v.(int64); ok {
			return i, nil
		}
		return nil, fmt.Errorf("not an integer: %v", v)
	case connector.Bool:
		if i, ok := v.(int64); ok {
			return i != 0, nil
		}
		return nil, fmt.Errorf("not a boolean: %v", v)
	case connector.Decimal:
		return connector.ParseDec(str())
	case connector.Timestamp:
		return parseTime(str(), s.cfg.TimeBasis)
	case connector.JSON:
		return connector.RawJSON(str()), nil
	}
	return str(), nil
}

func parseTime(v string, basis connector.TimeBasis) (time.Time, error) {
	if strings.HasSuffix(v, "Z") {
		t, err := time.Parse("2006-01-02T15:04:05.999999999Z", v)
		return t.UTC(), err
	}
	loc := time.UTC
	if basis == connector.TimeVietnam {
		loc = connector.Vietnam
	}
	t, err := time.ParseInLocation("2006-01-02 15:04:05.999999999", v, loc)
	return t.UTC(), err
}
