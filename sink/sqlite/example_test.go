package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink/sqlite"
)

func ExampleOpen() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	s, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(dir, "facolos.db")})
	if err != nil {
		panic(err)
	}
	defer s.Close()

	t := &connector.Table{Schema: "staging", Name: "customers", PrimaryKey: []string{"id"}, Columns: []connector.Column{
		{Name: "id", Type: connector.Int},
		{Name: "name", Type: connector.String, Nullable: true},
		{Name: "balance", Type: connector.Decimal, Precision: 18, Scale: 2, Nullable: true},
	}}
	_ = s.Prepare(ctx, []*connector.Table{t})
	_ = s.Write(ctx, &connector.Batch{Pipeline: "crm", Stream: "customers", Tables: []connector.TableRows{{Table: t, Rows: [][]any{
		{int64(1), "Nguyễn Thị Lan", connector.MustDec("1500000")},
	}}}, Checkpoint: connector.Checkpoint(`{"page":1}`)})

	var name, balance string
	_ = s.DB().QueryRow(`SELECT name, balance FROM customers WHERE id = 1`).Scan(&name, &balance)
	cp, _ := s.LoadCheckpoint(ctx, "crm", "customers")
	fmt.Println(name, balance, string(cp))
	// Output: Nguyễn Thị Lan 1500000 {"page":1}
}
