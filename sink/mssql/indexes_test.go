package mssql

import (
	"context"
	"crypto/md5"
	"database/sql/driver"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/lazada"
	"github.com/facolos/etl/misa"
	"github.com/facolos/etl/shopee"
	"github.com/facolos/etl/tiktok"
	mssqldb "github.com/microsoft/go-mssqldb"
	"github.com/stretchr/testify/require"
)

// babelCatalog is the catalog of a Babelfish server behind the recording
// driver: it applies the DDL the sink sends (CREATE TABLE, ADD column,
// CREATE INDEX under their IF guards) and answers the sink's catalog
// queries. Like Babelfish (spec/babelfish.md) it lists an index under an
// internal name (lower-cased name, table and a hash), a primary key as
// <table>_pkey (flagged is_primary_key), and refuses a second index of the same given name with 2714.
type babelCatalog struct {
	mu     sync.Mutex
	tables map[string]*babelTable // by lower-cased "schema.table"
}

type babelTable struct {
	cols    [][2]string // name, type name
	indexes []babelIndex
}

type babelIndex struct {
	given, internal string // the name in CREATE INDEX, the name sys.indexes shows
	keys            []string
	primary         bool // the primary key
}

var (
	reCreateTable = regexp.MustCompile(`(?s)^IF OBJECT_ID\(N'([^']+)', N'U'\) IS NULL\nCREATE TABLE \S+ \((.*)\n\)$`)
	reColumnDef   = regexp.MustCompile(`^\[([^\]]+)\] ([A-Z0-9]+)`)
	rePrimaryKey  = regexp.MustCompile(`PRIMARY KEY CLUSTERED \(([^)]*)\)`)
	reAddColumn   = regexp.MustCompile(`^IF COL_LENGTH\(N'([^']+)', N'([^']+)'\) IS NULL\nALTER TABLE \S+ ADD \[[^\]]+\] ([A-Z0-9]+)`)
	reCreateIndex = regexp.MustCompile(`(?s)^IF NOT EXISTS \((.*)\)\nCREATE (?:UNIQUE )?INDEX \[([^\]]+)\] ON \[([^\]]+)\]\.\[([^\]]+)\] \(([^)]*)\)(?: WHERE .*)?$`)
	reAnyIndexDDL = regexp.MustCompile(`CREATE (?:UNIQUE )?INDEX`)
	reKeyGuard    = regexp.MustCompile(`AND ic\.\[key_ordinal\] = (\d+) AND c\.\[name\] = N'([^']+)'`)
	reNameGuard   = regexp.MustCompile(`WHERE name = N'([^']+)'`)
)

func unbracket(list string) []string {
	var out []string
	for _, c := range strings.Split(list, ", ") {
		out = append(out, strings.Trim(c, "[]"))
	}
	return out
}

// exec applies one statement (the recorder's fail hook: an error is the
// server's answer).
func (b *babelCatalog) exec(q string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if m := reCreateTable.FindStringSubmatch(q); m != nil {
		key := strings.ToLower(m[1])
		if b.tables[key] != nil {
			return nil
		}
		tb := &babelTable{}
		for _, line := range strings.Split(m[2], "\n") {
			line = strings.TrimSuffix(strings.TrimSpace(line), ",")
			if c := reColumnDef.FindStringSubmatch(line); c != nil {
				tb.cols = append(tb.cols, [2]string{c[1], strings.ToLower(c[2])})
			}
			if pk := rePrimaryKey.FindStringSubmatch(line); pk != nil {
				tb.indexes = append(tb.indexes, babelIndex{internal: key[strings.Index(key, ".")+1:] + "_pkey", keys: unbracket(pk[1]), primary: true})
			}
		}
		b.tables[key] = tb
		return nil
	}
	if m := reAddColumn.FindStringSubmatch(q); m != nil {
		tb := b.tables[strings.ToLower(m[1])]
		if tb == nil {
			return mssqldb.Error{Number: 4902, Message: "Cannot find the object " + m[1]}
		}
		if !slices.ContainsFunc(tb.cols, func(c [2]string) bool { return strings.EqualFold(c[0], m[2]) }) {
			tb.cols = append(tb.cols, [2]string{m[2], strings.ToLower(m[3])})
		}
		return nil
	}
	if m := reCreateIndex.FindStringSubmatch(q); m != nil {
		guard, given, table := m[1], m[2], strings.ToLower(m[3]+"."+m[4])
		tb := b.tables[table]
		if tb == nil {
			return mssqldb.Error{Number: 1088, Message: "Cannot find the object " + table}
		}
		exists := false
		if keys := reKeyGuard.FindAllStringSubmatch(guard, -1); keys != nil { // by key columns
			var want []string
			for _, k := range keys {
				want = append(want, k[2])
			}
			exists = slices.ContainsFunc(tb.indexes, func(ix babelIndex) bool { return sameColumns(ix.keys, want) })
		} else if n := reNameGuard.FindStringSubmatch(guard); n != nil { // by name: sys.indexes shows other names
			exists = slices.ContainsFunc(tb.indexes, func(ix babelIndex) bool { return ix.internal == n[1] })
		}
		if exists {
			return nil
		}
		if slices.ContainsFunc(tb.indexes, func(ix babelIndex) bool { return strings.EqualFold(ix.given, given) }) {
			return mssqldb.Error{Number: 2714, Message: fmt.Sprintf("relation %q already exists", babelName(given, table))}
		}
		tb.indexes = append(tb.indexes, babelIndex{given: given, internal: babelName(given, table), keys: unbracket(m[5])})
	}
	return nil
}

// babelName is the shape of the name Babelfish shows for an index.
func babelName(given, table string) string {
	sum := md5.Sum([]byte(table + "." + given))
	name := strings.ToLower(given) + table[strings.Index(table, ".")+1:][:3] + hex.EncodeToString(sum[:])
	return name[:min(len(name), 63)]
}

// query answers the catalog queries of Prepare.
func (b *babelCatalog) query(q string, args []driver.NamedValue) [][]driver.Value {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch q {
	case columnsSQL:
		rows := [][]driver.Value{}
		if tb := b.tables[strings.ToLower(arg(args, 1).(string))]; tb != nil {
			for _, c := range tb.cols {
				rows = append(rows, []driver.Value{c[0], c[1]})
			}
		}
		return rows
	case primaryKeySQL:
		rows := [][]driver.Value{}
		if tb := b.tables[strings.ToLower(arg(args, 1).(string))]; tb != nil {
			for _, ix := range tb.indexes {
				if ix.primary {
					for _, k := range ix.keys {
						rows = append(rows, []driver.Value{k})
					}
				}
			}
		}
		return rows
	case indexKeysSQL:
		rows := [][]driver.Value{}
		if tb := b.tables[strings.ToLower(arg(args, 1).(string))]; tb != nil {
			for id, ix := range tb.indexes {
				for _, k := range ix.keys {
					rows = append(rows, []driver.Value{int64(id + 1), k})
				}
			}
		}
		return rows
	}
	return nil
}

func (b *babelCatalog) dropIndex(table string, keys ...string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	tb := b.tables[table]
	tb.indexes = slices.DeleteFunc(tb.indexes, func(ix babelIndex) bool { return sameColumns(ix.keys, keys) })
}

// openOnCatalog opens a sink (a new process) on the simulated server.
func openOnCatalog(t *testing.T, cat *babelCatalog) (*recorder, *Sink) {
	r := &recorder{fail: cat.exec, answerArgs: cat.query}
	return r, openRecorded(t, r, Config{})
}

// sent returns the whole text of the statements r executed from call start.
func sent(r *recorder, start int) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, c := range r.calls[start:] {
		out = append(out, c.query)
	}
	return out
}

// indexedTables are the tables of every connector that have an index to
// keep (declared, or on a parent key that does not lead the primary key),
// plus such a child table.
func indexedTables(t *testing.T) []*connector.Table {
	all := append(append(shopee.Tables(), tiktok.Table()), misa.Tables()...)
	all = append(all, lazada.OrdersTableDef(), lazada.ItemsTableDef())
	all = append(all, &connector.Table{Schema: "staging", Name: "lines", PrimaryKey: []string{"line_id"}, Parent: "staging.shopee_orders", ParentKey: []string{"order_sn"},
		Columns: []connector.Column{{Name: "line_id", Type: connector.Int}, {Name: "order_sn", Type: connector.String, Length: 50}}})
	var out []*connector.Table
	for _, tb := range all {
		if len(wantedIndexes(tb, names{tb.Schema, tb.Name})) > 0 {
			out = append(out, tb)
		}
	}
	require.NotEmpty(t, out)
	return out
}

// On a server that shows indexes under other names (Babelfish), a second
// Prepare of every table with indexes finds them by their key columns and
// sends no CREATE INDEX (no DDL at all); a missing index is created alone.
func TestSecondPrepareCreatesNoIndex(t *testing.T) {
	ctx := context.Background()
	cat := &babelCatalog{tables: map[string]*babelTable{}}
	tables := indexedTables(t)

	first, s := openOnCatalog(t, cat)
	require.NoError(t, s.Prepare(ctx, tables))
	created := len(reAnyIndexDDL.FindAllString(strings.Join(sent(first, 0), "\n"), -1))
	wanted := 0
	for _, tb := range tables {
		wanted += len(wantedIndexes(tb, names{tb.Schema, tb.Name}))
	}
	require.Equal(t, wanted, created, "the first Prepare creates every index")

	second, s2 := openOnCatalog(t, cat)
	start, calls := len(second.entries()), len(second.calls)
	require.NoError(t, s2.Prepare(ctx, tables))
	log := strings.Join(second.entries()[start:], "\n")
	require.False(t, reAnyIndexDDL.MatchString(strings.Join(sent(second, calls), "\n")), log)
	require.NotContains(t, log, "BEGIN", "the second Prepare sends no DDL:\n"+log)

	// An index dropped by hand is found missing and created again, alone.
	cat.dropIndex("staging.shopee_orders", "order_status")
	third, s3 := openOnCatalog(t, cat)
	calls = len(third.calls)
	require.NoError(t, s3.Prepare(ctx, []*connector.Table{shopeeTable("shopee_orders")}))
	var ddl []string
	for _, q := range sent(third, calls) {
		if strings.Contains(q, "CREATE INDEX") {
			ddl = append(ddl, q)
		}
	}
	require.Len(t, ddl, 1, strings.Join(ddl, "\n"))
	require.Contains(t, ddl[0], "CREATE INDEX [IX_shopee_orders_order_status] ON [staging].[shopee_orders] ([order_status])")
}

// A table that gained a column takes the DDL path, whose every CREATE INDEX
// is guarded by key columns: on Babelfish the existing indexes are found
// and nothing fails with 2714.
func TestIndexGuardOfTheDDLPathFindsIndexesByColumns(t *testing.T) {
	ctx := context.Background()
	cat := &babelCatalog{tables: map[string]*babelTable{}}
	tables := indexedTables(t)
	_, s := openOnCatalog(t, cat)
	require.NoError(t, s.Prepare(ctx, tables))
	var grown []*connector.Table
	for _, tb := range tables {
		grown = append(grown, &connector.Table{Schema: tb.Schema, Name: tb.Name, PrimaryKey: tb.PrimaryKey, Parent: tb.Parent, ParentKey: tb.ParentKey, Indexes: tb.Indexes,
			Columns: append(slices.Clone(tb.Columns), connector.Column{Name: "added_later", Type: connector.Int, Nullable: true})})
	}
	r, s2 := openOnCatalog(t, cat)
	calls := len(r.calls)
	require.NoError(t, s2.Prepare(ctx, grown))
	ddl := strings.Join(sent(r, calls), "\n")
	require.Contains(t, ddl, "ALTER TABLE", "the new column takes the DDL path")
	require.Contains(t, ddl, "CREATE INDEX", "under guards")
	for _, tb := range cat.tables {
		for i, a := range tb.indexes {
			for _, b := range tb.indexes[i+1:] {
				require.False(t, sameColumns(a.keys, b.keys), "two indexes on %v", a.keys)
			}
		}
	}
}

// The catalog query of the indexes' key columns (golden file; the guards
// are in indexes_orders.sql, parent_index.sql and prepare_child_indexed.sql).
func TestGoldenIndexKeys(t *testing.T) {
	golden(t, "index_keys", indexKeysSQL)
	guard := createIndexSQL(connector.Index{Name: "IX_t_ab", Columns: []string{"a", "b"}}, names{"staging", "t"})
	require.NotContains(t, guard, "name =", "the guard never compares index names")
}
