package mssql

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/facolos/etl/connector"
)

// The rows changed of a batch are the rows affected the driver reports for
// each table's upsert statement (go-mssqldb sums the DONE counts of the
// statement's batch: the MERGE's, or the UPDATE's plus the INSERT's), and
// nothing when the commit fails.
func TestRowsChangedFromRowsAffected(t *testing.T) {
	for _, st := range []Strategy{MergeStrategy, UpdateInsert} {
		t.Run(string(st), func(t *testing.T) {
			r := &recorder{}
			s := openRecorded(t, r, Config{Strategy: st})
			o, l := plumbingTables()
			if err := s.Prepare(context.Background(), []*connector.Table{o, l}); err != nil {
				t.Fatal(err)
			}
			oUpsert, lUpsert := s.tables["staging.o"].upsert(st), s.tables["staging.l"].upsert(st)
			r.affected = func(q string) int64 {
				switch q {
				case oUpsert:
					return 1 // one of the two orders changed
				case lUpsert:
					return 3
				}
				return 9 // deletes, temp tables, checkpoint: not counted
			}
			batch := func() *connector.Batch {
				return &connector.Batch{Pipeline: "p", Stream: "s", RunID: "run1", Tables: []connector.TableRows{
					{Table: o, Rows: [][]any{{"A", nil, nil, nil}, {"B", nil, nil, nil}}},
					{Table: l, Rows: [][]any{{"A", int64(1)}, {"A", int64(2)}, {"B", int64(1)}, {"B", int64(2)}}},
				}, Checkpoint: connector.Checkpoint(`{"w":1}`)}
			}
			b := batch()
			if err := s.Write(context.Background(), b); err != nil {
				t.Fatal(err)
			}
			if b.Changed["staging.o"] != 1 || b.Changed["staging.l"] != 3 || len(b.Changed) != 2 {
				t.Fatalf("changed %v, want staging.o 1 and staging.l 3", b.Changed)
			}

			// A failed commit reports nothing changed (and counts nothing).
			r.failBulk = func(stage string) error {
				if stage == "commit" {
					return errors.New("connection reset")
				}
				return nil
			}
			b = batch()
			b.Changed = map[string]int64{"stale": 1}
			if err := s.Write(context.Background(), b); err == nil || !strings.Contains(err.Error(), "connection reset") {
				t.Fatalf("want the commit error, got %v", err)
			}
			if b.Changed != nil {
				t.Fatalf("a failed write reported changed rows %v", b.Changed)
			}
		})
	}
}
