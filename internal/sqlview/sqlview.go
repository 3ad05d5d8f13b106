// Package sqlview keeps the views of connector.ViewPart in a database/sql
// warehouse: it stores each part in a control table and recreates a view as
// the UNION ALL of its stored parts when a part is new or changed, so that
// workers loading different platforms into one warehouse build one view
// together. The sinks give it their dialect.
package sqlview

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/facolos/etl/connector"
)

// Dialect is how one sink spells what the store needs.
type Dialect struct {
	connector.ViewDialect
	// Parts is the quoted name of the control table of parts.
	Parts string
	// CreateParts creates the control table when it is missing (columns
	// view_name, part, columns_json, select_sql, updated_at; key
	// view_name, part).
	CreateParts string
	// Lock, when not empty, runs first in the transaction and serialises
	// concurrent PrepareViews calls of every process.
	Lock string
	// Exists, when not empty, is a query of one parameter, a quoted view
	// name, that returns whether the view exists; the transaction that
	// holds Lock then leaves parts stored unchanged and an existing view
	// alone (another process prepared them while this one waited).
	Exists string
	// Param is the placeholder of the i-th parameter (from 1).
	Param func(i int) string
	// Now is the SQL expression of the current time for updated_at.
	Now string
	// Recreate returns the statements that replace view (quoted) with
	// body.
	Recreate func(view, body string) []string
}

type column struct {
	Name      string `json:"name"`
	Type      string `json:"type"`
	Precision int    `json:"precision,omitempty"`
	Scale     int    `json:"scale,omitempty"`
	Length    int    `json:"length,omitempty"`
}

func encodeColumns(cols []connector.Column) string {
	out := make([]column, len(cols))
	for i, c := range cols {
		out[i] = column{c.Name, c.Type.String(), c.Precision, c.Scale, c.Length}
	}
	b, _ := json.Marshal(out) // plain strings and ints
	return string(b)
}

// stored is one part as the control table holds it.
type stored struct {
	columns, sql string
}

// Prepare stores parts and recreates the views they name (see
// connector.ViewSink). A view whose parts are all stored unchanged and that
// exists costs two reads and no lock.
func Prepare(ctx context.Context, db *sql.DB, d Dialect, parts []connector.ViewPart) error {
	byView := map[string][]connector.ViewPart{}
	var views []string
	for _, p := range parts {
		if p.View == "" || p.Part == "" || len(p.Columns) == 0 || p.SQL == "" {
			return fmt.Errorf("view part %q of %q: view, part, columns and SQL are required", p.Part, p.View)
		}
		if _, ok := byView[p.View]; !ok {
			views = append(views, p.View)
		}
		byView[p.View] = append(byView[p.View], p)
	}
	for _, v := range views {
		if err := prepareView(ctx, db, d, v, byView[v]); err != nil {
			return fmt.Errorf("view %s: %w", v, err)
		}
	}
	return nil
}

func viewName(d Dialect, view string) (string, error) {
	schema, name, ok := strings.Cut(view, ".")
	if !ok || schema == "" || name == "" {
		return "", fmt.Errorf("view name %q is not schema.name", view)
	}
	return d.Table(schema, name), nil
}

func prepareView(ctx context.Context, db *sql.DB, d Dialect, view string, given []connector.ViewPart) error {
	for _, p := range given[1:] {
		if encodeColumns(p.Columns) != encodeColumns(given[0].Columns) {
			return fmt.Errorf("part %q: %w", p.Part, connector.ErrViewColumns)
		}
	}
	quoted, err := viewName(d, view)
	if err != nil {
		return err
	}
	// The fast path: every part stored as given, and the view there.
	if have, err := readParts(ctx, db, d, view); err == nil && unchanged(have, given) {
		if _, err := db.ExecContext(ctx, "SELECT 1 FROM "+quoted+" WHERE 1 = 0"); err == nil {
			return nil
		}
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if d.Lock != "" {
		if _, err := tx.ExecContext(ctx, d.Lock); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, d.CreateParts); err != nil {
		return fmt.Errorf("create the parts table: %w", err)
	}
	have, err := readParts(ctx, tx, d, view)
	if err != nil {
		return err
	}
	// Another worker may have stored the same parts while this one waited
	// for the lock: recreating the view would only wait for its readers.
	if d.Exists != "" && unchanged(have, given) {
		var ok bool
		if err := tx.QueryRowContext(ctx, d.Exists, quoted).Scan(&ok); err == nil && ok {
			return tx.Commit()
		}
	}
	cols := encodeColumns(given[0].Columns)
	for name, st := range have {
		// Parts of another column list (stored by an older or newer
		// release) leave the view until their own pipelines prepare it
		// again; their tables are untouched.
		if st.columns != cols {
			if err := deletePart(ctx, tx, d, view, name); err != nil {
				return err
			}
			delete(have, name)
		}
	}
	for _, p := range given {
		if err := deletePart(ctx, tx, d, view, p.Part); err != nil {
			return err
		}
		q := d.Quote
		ins := fmt.Sprintf("INSERT INTO %s (%s, %s, %s, %s, %s) VALUES (%s, %s, %s, %s, %s)",
			d.Parts, q("view_name"), q("part"), q("columns_json"), q("select_sql"), q("updated_at"),
			d.Param(1), d.Param(2), d.Param(3), d.Param(4), d.Now)
		if _, err := tx.ExecContext(ctx, ins, view, p.Part, cols, p.SQL); err != nil {
			return fmt.Errorf("store part %q: %w", p.Part, err)
		}
		have[p.Part] = stored{cols, p.SQL}
	}
	all := make([]connector.ViewPart, 0, len(have))
	for name, st := range have {
		all = append(all, connector.ViewPart{View: view, Part: name, Columns: given[0].Columns, SQL: st.sql})
	}
	body, err := connector.UnionView(all, d.ViewDialect)
	if err != nil {
		return err
	}
	for _, st := range d.Recreate(quoted, body) {
		if _, err := tx.ExecContext(ctx, st); err != nil {
			return fmt.Errorf("create: %w", err)
		}
	}
	return tx.Commit()
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func readParts(ctx context.Context, db querier, d Dialect, view string) (map[string]stored, error) {
	rows, err := db.QueryContext(ctx, fmt.Sprintf("SELECT %s, %s, %s FROM %s WHERE %s = %s",
		d.Quote("part"), d.Quote("columns_json"), d.Quote("select_sql"), d.Parts, d.Quote("view_name"), d.Param(1)), view)
	if err != nil {
		return nil, fmt.Errorf("read parts: %w", err)
	}
	defer rows.Close()
	have := map[string]stored{}
	for rows.Next() {
		var name string
		var st stored
		if err := rows.Scan(&name, &st.columns, &st.sql); err != nil {
			return nil, fmt.Errorf("read parts: %w", err)
		}
		have[name] = st
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read parts: %w", err)
	}
	return have, nil
}

func unchanged(have map[string]stored, given []connector.ViewPart) bool {
	if len(have) == 0 {
		return false
	}
	for _, p := range given {
		st, ok := have[p.Part]
		if !ok || st.sql != p.SQL || st.columns != encodeColumns(p.Columns) {
			return false
		}
	}
	return true
}

func deletePart(ctx context.Context, tx *sql.Tx, d Dialect, view, part string) error {
	del := fmt.Sprintf("DELETE FROM %s WHERE %s = %s AND %s = %s", d.Parts, d.Quote("view_name"), d.Param(1), d.Quote("part"), d.Param(2))
	if _, err := tx.ExecContext(ctx, del, view, part); err != nil {
		return fmt.Errorf("replace part %q: %w", part, err)
	}
	return nil
}
