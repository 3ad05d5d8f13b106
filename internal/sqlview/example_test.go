package sqlview_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/sqlview"
	_ "modernc.org/sqlite"
)

// Two platforms' parts make one view; the second Prepare adds its part to
// the view the first one created.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "sqlview")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "w.db"))
	if err != nil {
		panic(err)
	}
	defer db.Close()
	for _, st := range []string{
		`CREATE TABLE a_orders (id TEXT, paid NUMERIC)`, `INSERT INTO a_orders VALUES ('A1', 100)`,
		`CREATE TABLE b_orders (no INTEGER, total NUMERIC)`, `INSERT INTO b_orders VALUES (7, 250)`,
	} {
		if _, err := db.Exec(st); err != nil {
			panic(err)
		}
	}
	d := sqlview.Dialect{
		ViewDialect: connector.ViewDialect{
			Table: func(_, name string) string { return connector.QuoteIdent(name) },
			True:  "1", False: "0", Text: "TEXT", Timestamp: "TEXT",
			Quote: connector.QuoteIdent,
			Type:  func(connector.Column) string { return "" },
		},
		Parts:       "view_parts",
		CreateParts: `CREATE TABLE IF NOT EXISTS view_parts (view_name TEXT, part TEXT, columns_json TEXT, select_sql TEXT, updated_at TEXT, PRIMARY KEY (view_name, part))`,
		Param:       func(int) string { return "?" },
		Now:         "datetime('now')",
		Recreate: func(v, body string) []string {
			return []string{"DROP VIEW IF EXISTS " + v, "CREATE VIEW " + v + " AS " + body}
		},
	}
	cols := []connector.Column{{Name: "platform", Type: connector.String}, {Name: "order_id", Type: connector.String}, {Name: "amount", Type: connector.Decimal, Precision: 18, Scale: 4}}
	a := connector.ViewPart{View: "staging.sales", Part: "a", Columns: cols, SQL: `SELECT 'a' AS platform, id AS order_id, paid AS amount FROM {staging.a_orders}`}
	b := connector.ViewPart{View: "staging.sales", Part: "b", Columns: cols, SQL: `SELECT 'b' AS platform, CAST(no AS {text}) AS order_id, total AS amount FROM {staging.b_orders}`}
	for _, p := range []connector.ViewPart{a, b} {
		if err := sqlview.Prepare(ctx, db, d, []connector.ViewPart{p}); err != nil {
			panic(err)
		}
	}
	rows, err := db.Query(`SELECT platform, order_id, amount FROM sales ORDER BY platform`)
	if err != nil {
		panic(err)
	}
	defer rows.Close()
	for rows.Next() {
		var p, id string
		var amount float64
		if err := rows.Scan(&p, &id, &amount); err != nil {
			panic(err)
		}
		fmt.Println(p, id, amount)
	}
	// Output:
	// a A1 100
	// b 7 250
}
