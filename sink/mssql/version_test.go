package mssql

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	mssqldb "github.com/microsoft/go-mssqldb"
)

// versionedTables are a versioned order table, its child and a versioned
// table that is its own parent (one row per order line).
func versionedTables() (o, l, self *connector.Table) {
	o = &connector.Table{Schema: "staging", Name: "vo", PrimaryKey: []string{"id"}, Version: "ver", Columns: []connector.Column{
		{Name: "id", Type: connector.String, Length: 20}, {Name: "ver", Type: connector.Timestamp, Nullable: true},
		{Name: "status", Type: connector.String, Length: 20, Nullable: true}}}
	l = &connector.Table{Schema: "staging", Name: "vl", PrimaryKey: []string{"id", "n"}, Parent: "staging.vo", ParentKey: []string{"id"},
		Columns: []connector.Column{{Name: "id", Type: connector.String, Length: 20}, {Name: "n", Type: connector.Int}}}
	self = &connector.Table{Schema: "staging", Name: "vs", PrimaryKey: []string{"order_id", "line_id"}, Version: "ver",
		Parent: "staging.vs", ParentKey: []string{"order_id"}, Columns: []connector.Column{
			{Name: "order_id", Type: connector.String, Length: 20}, {Name: "line_id", Type: connector.String, Length: 20},
			{Name: "ver", Type: connector.Int, Nullable: true}, {Name: "status", Type: connector.String, Length: 20, Nullable: true}}}
	for _, t := range []*connector.Table{o, l, self} {
		if err := t.Validate(); err != nil {
			panic(err)
		}
	}
	return o, l, self
}

// The statements of versioned upserts: the version guard in both upserts,
// the stale set of a root table and of a table that is its own parent, and
// the pruning of staged rows (own and a follower's).
func TestVersionedStatements(t *testing.T) {
	o, l, self := versionedTables()
	on, sn := names{"staging", "vo"}, names{"staging", "vs"}
	oTemp, lTemp, sTemp := tempName(o, on, connector.TimeUTC), tempName(l, names{"staging", "vl"}, connector.TimeUTC), tempName(self, sn, connector.TimeUTC)
	oSet, sSet := staleName(oTemp), staleName(sTemp)
	cases := map[string]string{
		"versioned_merge":              mergeSQL(o, on, oTemp),
		"versioned_update_insert":      updateInsertSQL(o, on, oTemp),
		"versioned_merge_self":         mergeSQL(self, sn, sTemp),
		"versioned_stale_create":       createStaleSQL(o, o, oSet, connector.TimeUTC),
		"versioned_stale_insert":       insertStaleSQL(o, on, oTemp, oSet),
		"versioned_stale_prune":        pruneStaleSQL(oTemp, o.VersionGroup(), oSet, o.VersionGroup()),
		"versioned_stale_prune_child":  pruneStaleSQL(lTemp, l.ParentKey, oSet, o.VersionGroup()),
		"versioned_stale_create_self":  createStaleSQL(self, self, sSet, connector.TimeUTC),
		"versioned_stale_insert_self":  insertStaleSQL(self, sn, sTemp, sSet),
		"versioned_stale_prune_self":   pruneStaleSQL(sTemp, self.VersionGroup(), sSet, self.VersionGroup()),
		"versioned_merge_unversioned":  mergeSQL(l, names{"staging", "vl"}, lTemp),
		"versioned_update_insert_self": updateInsertSQL(self, sn, sTemp),
	}
	for name, got := range cases {
		t.Run(name, func(t *testing.T) { golden(t, name, got) })
	}
}

// The stale set of a versioned table whose existing table stores a UUID key
// as text (uuid.go: the staging copy of the definition, which has no
// version of its own) takes the group from the table and the types from the
// staging copy.
func TestStaleSetOfTextUUIDKey(t *testing.T) {
	tb := &connector.Table{Schema: "staging", Name: "vu", PrimaryKey: []string{"id"}, Version: "ver", Columns: []connector.Column{
		{Name: "id", Type: connector.UUID}, {Name: "ver", Type: connector.Timestamp, Nullable: true}}}
	if err := tb.Validate(); err != nil {
		t.Fatal(err)
	}
	stage := &connector.Table{Schema: tb.Schema, Name: tb.Name, PrimaryKey: tb.PrimaryKey,
		Columns: []connector.Column{{Name: "id", Type: connector.String, Length: 36}, tb.Columns[1]}}
	golden(t, "versioned_stale_create_text_uuid", createStaleSQL(tb, stage, "#etl_stale_vu", connector.TimeUTC))
}

// A batch of a versioned parent and its child: the parent's stale groups
// are found and leave its staged rows before its upsert, the child's rows
// of stale parents leave the child's staged rows before the child's upsert
// and before the child-set delete, and the pruned parent rows are the
// batch's stale count.
func TestVersionedBatchPlumbing(t *testing.T) {
	for _, st := range []Strategy{MergeStrategy, UpdateInsert} {
		t.Run(string(st), func(t *testing.T) {
			r := &recorder{}
			s := openRecorded(t, r, Config{Strategy: st})
			o, l, _ := versionedTables()
			if err := s.Prepare(context.Background(), []*connector.Table{o, l}); err != nil {
				t.Fatal(err)
			}
			oi, li := s.tables["staging.vo"], s.tables["staging.vl"]
			oSet := staleName(oi.temp)
			ownPrune := pruneStaleSQL(oi.temp, o.VersionGroup(), oSet, o.VersionGroup())
			r.affected = func(q string) int64 {
				if q == ownPrune {
					return 1 // one of the two orders is stale
				}
				return 1
			}
			start := len(r.entries())
			at := time.Date(2025, 2, 1, 10, 0, 0, 0, time.UTC)
			b := &connector.Batch{Pipeline: "p", Stream: "s", RunID: "run1", Tables: []connector.TableRows{
				{Table: o, Rows: [][]any{{"A", at, "paid"}, {"B", nil, "unpaid"}}},
				{Table: l, Rows: [][]any{{"A", int64(1)}, {"B", int64(1)}}},
			}}
			if err := s.Write(context.Background(), b); err != nil {
				t.Fatal(err)
			}
			exec := func(q string) string { return fmt.Sprintf("EXEC %s 0", firstLine(q)) }
			bulk := func(ti *tableInfo, cols ...string) string {
				return "BULK " + mssqldb.CopyIn(ti.temp, mssqldb.BulkOptions{Tablock: true}, cols...)
			}
			want := []string{
				"BEGIN",
				exec(oi.createTemp),
				bulk(oi, "id", "ver", "status"),
				"ROW A|2025-02-01T10:00:00Z|paid",
				"ROW B|<nil>|unpaid",
				"BULK FLUSH",
				exec(createStaleSQL(o, oi.stage, oSet, connector.TimeUTC)),
				exec(insertStaleSQL(o, oi.n, oi.temp, oSet)),
				exec(ownPrune),
				exec(oi.upsert(st)),
				exec(li.createTemp),
				bulk(li, "id", "n"),
				"ROW A|1",
				"ROW B|1",
				"BULK FLUSH",
				exec(pruneStaleSQL(li.temp, l.ParentKey, oSet, o.VersionGroup())),
				exec(li.upsert(st)),
				exec(childDeleteSQL(l, o, li.n, li.temp, oi.temp)),
				exec(dropTempSQL(oi.temp)),
				exec(dropTempSQL(oSet)),
				exec(dropTempSQL(li.temp)),
				"COMMIT",
			}
			got := r.entries()[start : start+len(want)]
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("statements:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if b.Stale["staging.vo"] != 1 || len(b.Stale) != 1 {
				t.Fatalf("Batch.Stale = %v, want 1 row of staging.vo", b.Stale)
			}
		})
	}
}
