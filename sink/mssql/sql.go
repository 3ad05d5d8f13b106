package mssql

import (
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/facolos/etl/connector"
)

// The statement builders are pure functions of the table definition and the
// configuration, so every generated statement is unit-tested against golden
// files (testdata/*.sql) without a server.

// Strategy selects how a batch is upserted.
type Strategy string

const (
	// MergeStrategy (the default) upserts with one MERGE … WITH (HOLDLOCK).
	MergeStrategy Strategy = "merge"
	// UpdateInsert upserts with UPDATE … FROM … WITH (UPDLOCK, HOLDLOCK)
	// then INSERT … WHERE NOT EXISTS, for engines that reject MERGE
	// (Babelfish) and for DBAs who avoid it.
	UpdateInsert Strategy = "update-insert"
)

// qi quotes a SQL Server identifier with brackets.
func qi(name string) string { return "[" + strings.ReplaceAll(name, "]", "]]") + "]" }

// qs quotes a string literal (N'...').
func qs(s string) string { return "N'" + strings.ReplaceAll(s, "'", "''") + "'" }

// names holds the physical names a statement needs.
type names struct {
	schema, table string // physical schema and table, unquoted
}

func (n names) target() string { return qi(n.schema) + "." + qi(n.table) }

// ColumnType is the SQL Server type of a column of a warehouse table in a
// warehouse of the given time basis; key says whether the column is part of
// the primary key.
func ColumnType(c connector.Column, key bool, basis connector.TimeBasis) string {
	return columnType(c, key, false, basis)
}

// columnType is the SQL Server type of a column. Key columns never get MAX
// types (an index key cannot be NVARCHAR(MAX)): an unbounded key string is
// NVARCHAR(450), the largest that fits a 900-byte clustered key alone.
// Decimals in temp tables are declared with precision 38 (staging=true):
// Babelfish's bulk-copy decoder corrupts DECIMAL(p <= 28).
func columnType(c connector.Column, key, staging bool, basis connector.TimeBasis) string {
	switch c.Type {
	case connector.Int:
		return "BIGINT"
	case connector.Decimal:
		if staging {
			return fmt.Sprintf("DECIMAL(38,%d)", c.Scale)
		}
		return fmt.Sprintf("DECIMAL(%d,%d)", c.Precision, c.Scale)
	case connector.Bool:
		return "BIT"
	case connector.Timestamp:
		if basis == connector.TimeVietnam {
			return "DATETIME2(7)"
		}
		return "DATETIMEOFFSET(7)"
	case connector.JSON:
		return "NVARCHAR(MAX)"
	case connector.UUID:
		return "UNIQUEIDENTIFIER"
	}
	switch {
	case c.Length > 0 && c.Length <= 4000:
		return fmt.Sprintf("NVARCHAR(%d)", c.Length)
	case key:
		return "NVARCHAR(450)"
	}
	return "NVARCHAR(MAX)"
}

// createSchemaSQL creates a schema if it is missing.
func createSchemaSQL(schema string) string {
	return fmt.Sprintf("IF SCHEMA_ID(%s) IS NULL EXEC(%s)", qs(schema), qs("CREATE SCHEMA "+qi(schema)))
}

// createTableSQL creates a table if it is missing.
func createTableSQL(t *connector.Table, n names, basis connector.TimeBasis) string {
	var cols []string
	for _, c := range t.Columns {
		key := t.IsKey(c.Name)
		def := qi(c.Name) + " " + columnType(c, key, false, basis)
		if key {
			def += " NOT NULL"
		} else {
			def += " NULL"
		}
		cols = append(cols, def)
	}
	pk := qi("PK_" + n.table)
	return fmt.Sprintf("IF OBJECT_ID(%s, N'U') IS NULL\nCREATE TABLE %s (\n\t%s,\n\tCONSTRAINT %s PRIMARY KEY CLUSTERED (%s)\n)",
		qs(n.schema+"."+n.table), n.target(), strings.Join(cols, ",\n\t"), pk, strings.Join(quoteAll(t.PrimaryKey), ", "))
}

// addColumnSQL adds a column if it is missing (always NULL: old rows have no
// value for it).
func addColumnSQL(c connector.Column, n names, basis connector.TimeBasis) string {
	return fmt.Sprintf("IF COL_LENGTH(%s, %s) IS NULL\nALTER TABLE %s ADD %s %s NULL",
		qs(n.schema+"."+n.table), qs(c.Name), n.target(), qi(c.Name), columnType(c, false, false, basis))
}

// prepareSQL is the DDL of Prepare for one table: schema, table, missing
// columns, and the index on the parent key of a child table. Child-set
// replacement finds a batch's old child rows through that key: when it is a
// prefix of the primary key the clustered index serves, otherwise
// IX_<table>_parent is created.
func prepareSQL(t *connector.Table, n names, basis connector.TimeBasis) []string {
	stmts := []string{createSchemaSQL(n.schema), createTableSQL(t, n, basis)}
	for _, c := range t.Columns {
		stmts = append(stmts, addColumnSQL(c, n, basis))
	}
	if len(t.ParentKey) > 0 && !t.ParentKeyLeadsKey() {
		stmts = append(stmts, parentIndexSQL(t, n))
	}
	return stmts
}

// parentIndexSQL indexes the parent key of a child table when it is not a
// prefix of the primary key (unless an index with these key columns exists;
// see indexes.go).
func parentIndexSQL(t *connector.Table, n names) string {
	return createIndexSQL(parentIndexName(n), t.ParentKey, n)
}

// parentIndexName is the name given to the parent-key index.
func parentIndexName(n names) string { return "IX_" + n.table + "_parent" }

func quoteAll(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = qi(x)
	}
	return out
}

// tempName is the session temp table of a table definition; a hash of the
// definition keeps sessions that saw an older definition apart.
func tempName(t *connector.Table, n names, basis connector.TimeBasis) string {
	h := fnv.New32a()
	fmt.Fprint(h, n.schema, ".", n.table, ";")
	for _, c := range t.Columns {
		fmt.Fprint(h, c.Name, columnType(c, t.IsKey(c.Name), true, basis), ";")
	}
	return fmt.Sprintf("#etl_%s_%08x", n.table, h.Sum32())
}

// createTempSQL (re)creates the staging temp table of a batch.
func createTempSQL(t *connector.Table, temp string, basis connector.TimeBasis) string {
	var cols []string
	for _, c := range t.Columns {
		key := t.IsKey(c.Name)
		null := " NULL"
		if key {
			null = " NOT NULL"
		}
		cols = append(cols, qi(c.Name)+" "+columnType(c, key, true, basis)+null)
	}
	return fmt.Sprintf("IF OBJECT_ID(N'tempdb..%s') IS NOT NULL DROP TABLE %s;\nCREATE TABLE %s (%s)", temp, temp, temp, strings.Join(cols, ", "))
}

// dropTempSQL drops a staging temp table.
func dropTempSQL(temp string) string {
	return fmt.Sprintf("IF OBJECT_ID(N'tempdb..%s') IS NOT NULL DROP TABLE %s", temp, temp)
}

// columns splits a table's columns for the upsert.
type columns struct {
	all, keys, set, compared []string
}

func split(t *connector.Table) columns {
	var c columns
	for _, col := range t.Columns {
		c.all = append(c.all, col.Name)
		if t.IsKey(col.Name) {
			c.keys = append(c.keys, col.Name)
			continue
		}
		if col.Auto != connector.AutoCreatedAt {
			c.set = append(c.set, col.Name)
		}
		if col.Compared() {
			c.compared = append(c.compared, col.Name)
		}
	}
	return c
}

func prefixed(p string, cols []string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = p + "." + qi(c)
	}
	return strings.Join(out, ", ")
}

func assignments(cols []string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = fmt.Sprintf("%s = s.%s", qi(c), qi(c))
	}
	return strings.Join(out, ", ")
}

func keyMatch(keys []string, a, b string) string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = fmt.Sprintf("%s.%s = %s.%s", a, qi(k), b, qi(k))
	}
	return strings.Join(out, " AND ")
}

// changed is a NULL-safe "some compared column differs" predicate that
// every SQL Server version (and Babelfish) understands.
func changed(cols []string) string {
	return fmt.Sprintf("EXISTS (SELECT %s EXCEPT SELECT %s)", prefixed("s", cols), prefixed("t", cols))
}

// mergeSQL upserts the temp table into the target with one MERGE. A matched
// row is updated only when a compared column changed.
func mergeSQL(t *connector.Table, n names, temp string) string {
	c := split(t)
	var b strings.Builder
	fmt.Fprintf(&b, "MERGE %s WITH (HOLDLOCK) AS t\nUSING %s AS s\nON %s\n", n.target(), temp, keyMatch(c.keys, "t", "s"))
	if len(c.compared) > 0 {
		fmt.Fprintf(&b, "WHEN MATCHED AND %s THEN\n\tUPDATE SET %s\n", changed(c.compared), assignments(c.set))
	}
	fmt.Fprintf(&b, "WHEN NOT MATCHED BY TARGET THEN\n\tINSERT (%s) VALUES (%s);", strings.Join(quoteAll(c.all), ", "), prefixed("s", c.all))
	return b.String()
}

// updateInsertSQL is the MERGE-free upsert: update changed rows under
// update/range locks, then insert the missing ones.
func updateInsertSQL(t *connector.Table, n names, temp string) string {
	c := split(t)
	var b strings.Builder
	if len(c.compared) > 0 {
		fmt.Fprintf(&b, "UPDATE t SET %s\nFROM %s AS t WITH (UPDLOCK, HOLDLOCK)\nJOIN %s AS s ON %s\nWHERE %s;\n",
			assignmentsTo("t", c.set), n.target(), temp, keyMatch(c.keys, "t", "s"), changed(c.compared))
	}
	fmt.Fprintf(&b, "INSERT INTO %s (%s)\nSELECT %s FROM %s AS s\nWHERE NOT EXISTS (SELECT 1 FROM %s AS t WITH (UPDLOCK, HOLDLOCK) WHERE %s);",
		n.target(), strings.Join(quoteAll(c.all), ", "), prefixed("s", c.all), temp, n.target(), keyMatch(c.keys, "t", "s"))
	return b.String()
}

func assignmentsTo(alias string, cols []string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = fmt.Sprintf("%s.%s = s.%s", alias, qi(c), qi(c))
	}
	return strings.Join(out, ", ")
}

// childDeleteSQL deletes the rows of a child table whose parent is in the
// batch and that are not among the batch's child rows.
func childDeleteSQL(t, parent *connector.Table, child names, childTemp, parentTemp string) string {
	var pmatch []string
	for i, k := range t.ParentKey {
		pmatch = append(pmatch, fmt.Sprintf("p.%s = c.%s", qi(parent.PrimaryKey[i]), qi(k)))
	}
	return fmt.Sprintf("DELETE c FROM %s AS c\nWHERE EXISTS (SELECT 1 FROM %s AS p WHERE %s)\nAND NOT EXISTS (SELECT 1 FROM %s AS k WHERE %s)",
		child.target(), parentTemp, strings.Join(pmatch, " AND "), childTemp, keyMatch(t.PrimaryKey, "k", "c"))
}

// controlSQL creates the control tables in schema ctl.
func controlSQL(ctl string) []string {
	cp := names{ctl, "checkpoints"}
	rj := names{ctl, "rejected_records"}
	return []string{
		createSchemaSQL(ctl),
		fmt.Sprintf(`IF OBJECT_ID(%s, N'U') IS NULL
CREATE TABLE %s (
	[pipeline] NVARCHAR(200) NOT NULL,
	[stream] NVARCHAR(200) NOT NULL,
	[checkpoint] NVARCHAR(MAX) NOT NULL,
	[updated_at] DATETIMEOFFSET(7) NOT NULL,
	CONSTRAINT [PK_checkpoints] PRIMARY KEY CLUSTERED ([pipeline], [stream])
)`, qs(ctl+".checkpoints"), cp.target()),
		fmt.Sprintf(`IF OBJECT_ID(%s, N'U') IS NULL
CREATE TABLE %s (
	[id] BIGINT IDENTITY(1,1) NOT NULL,
	[pipeline] NVARCHAR(200) NOT NULL,
	[stream] NVARCHAR(200) NOT NULL,
	[record_key] NVARCHAR(450) NULL,
	[reason] NVARCHAR(MAX) NOT NULL,
	[payload] NVARCHAR(MAX) NULL,
	[run_id] NVARCHAR(50) NULL,
	[rejected_at] DATETIMEOFFSET(7) NOT NULL,
	[payload_encoding] NVARCHAR(20) NULL,
	CONSTRAINT [PK_rejected_records] PRIMARY KEY CLUSTERED ([id])
)`, qs(ctl+".rejected_records"), rj.target()),
		fmt.Sprintf(`IF COL_LENGTH(%s, N'payload_encoding') IS NULL
ALTER TABLE %s ADD [payload_encoding] NVARCHAR(20) NULL`, qs(ctl+".rejected_records"), rj.target()),
	}
}

// saveCheckpointSQL upserts a checkpoint (@p1 pipeline, @p2 stream, @p3
// checkpoint) without MERGE.
func saveCheckpointSQL(ctl string) string {
	t := names{ctl, "checkpoints"}.target()
	return fmt.Sprintf(`UPDATE %s WITH (UPDLOCK, HOLDLOCK) SET [checkpoint] = @p3, [updated_at] = SYSDATETIMEOFFSET() WHERE [pipeline] = @p1 AND [stream] = @p2;
IF @@ROWCOUNT = 0
	INSERT INTO %s ([pipeline], [stream], [checkpoint], [updated_at]) VALUES (@p1, @p2, @p3, SYSDATETIMEOFFSET());`, t, t)
}

// insertRejectedSQL inserts one rejected record (8 parameters).
func insertRejectedSQL(ctl string) string {
	return fmt.Sprintf("INSERT INTO %s ([pipeline], [stream], [record_key], [reason], [payload], [run_id], [rejected_at], [payload_encoding]) VALUES (@p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8)",
		names{ctl, "rejected_records"}.target())
}

// tableRowsSQL counts the rows of a table (@p1: its quoted, qualified name)
// from the catalog, without scanning it.
const tableRowsSQL = `SELECT COALESCE(SUM([rows]), 0) FROM sys.partitions WHERE [object_id] = OBJECT_ID(@p1) AND [index_id] IN (0, 1)`

// updateStatisticsSQL refreshes the statistics of a table.
func updateStatisticsSQL(n names) string { return "UPDATE STATISTICS " + n.target() }
