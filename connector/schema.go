package connector

import (
	"fmt"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"
)

// Type is the logical type of a column. Each sink maps it to the closest
// native type of its database (see the sink packages for the mapping).
type Type int

// Column types. The Go value a row holds for each type is given in brackets;
// nil is NULL for every type.
const (
	// String is Unicode text [string]. Column.Length caps it in characters
	// (0 = unbounded).
	String Type = iota + 1
	// Int is a 64-bit signed integer [int64].
	Int
	// Decimal is an exact decimal [Dec] with Column.Precision and
	// Column.Scale. Money never goes through float64.
	Decimal
	// Bool is a boolean [bool].
	Bool
	// Timestamp is an instant [time.Time]. Sinks store it in UTC with an
	// offset-aware type by default, or as Vietnam wall-clock time without
	// offset when configured with TimeBasisVietnam.
	Timestamp
	// JSON is JSON text [RawJSON].
	JSON
	// UUID is a UUID (SQL Server UNIQUEIDENTIFIER) as canonical lower-case
	// 8-4-4-4-12 hex text [string]; see CheckUUID.
	UUID
)

// String returns the type's name.
func (t Type) String() string {
	switch t {
	case String:
		return "string"
	case Int:
		return "int"
	case Decimal:
		return "decimal"
	case Bool:
		return "bool"
	case Timestamp:
		return "timestamp"
	case JSON:
		return "json"
	case UUID:
		return "uuid"
	}
	return fmt.Sprintf("Type(%d)", int(t))
}

// Auto marks a bookkeeping column whose value the sink fills in (see FillAuto);
// transformers leave such columns nil.
type Auto int

const (
	// AutoNone is an ordinary column filled by the transformer.
	AutoNone Auto = iota
	// AutoCreatedAt is set to the write time when the row is first inserted
	// and never changed afterwards.
	AutoCreatedAt
	// AutoUpdatedAt is set to the write time when the row is inserted and
	// whenever one of its compared columns changes.
	AutoUpdatedAt
	// AutoRunID is set to the run id of the batch that inserted or last
	// changed the row.
	AutoRunID
)

// Column describes one column of a Table.
type Column struct {
	Name string
	Type Type
	// Nullable allows NULL. Primary-key columns are never nullable.
	Nullable bool
	// Length is the maximum length of a String column in UTF-16 code units,
	// the unit of SQL Server's NVARCHAR(n), so that a value that fits is
	// accepted by every sink (a Vietnamese letter counts 1, an emoji 2);
	// 0 = unbounded. Longer values are rejected, never truncated.
	Length int
	// Precision and Scale of a Decimal column (total digits, digits after
	// the point).
	Precision, Scale int
	// Auto says the sink fills this column in.
	Auto Auto
	// Meta marks bookkeeping columns (a request id, a load time): they are
	// written with the row, but a change in them alone does not count as a
	// change of the row. Auto columns are always Meta.
	Meta bool
}

// Compared reports whether a difference in this column makes a row "changed".
func (c Column) Compared() bool { return c.Auto == AutoNone && !c.Meta }

// Table describes a destination table: its qualified name, ordered columns
// and primary key. A child table (order items of an order) names its Parent
// and the ParentKey columns that hold the parent's primary key; sinks then
// replace the child set of every parent written in a batch, so child rows that
// vanished upstream vanish in the warehouse.
type Table struct {
	// Schema is the SQL schema ("staging", "etl_control").
	Schema string
	// Name is the table name inside the schema.
	Name    string
	Columns []Column
	// PrimaryKey lists the key columns, which are also the upsert key.
	PrimaryKey []string
	// Parent is the qualified name ("staging.shopee_orders") of the table
	// whose rows own this table's rows; empty for a root table. A table may
	// name itself when it has no separate parent table (one row per order
	// line, keyed (order_id, item_id)): ParentKey is then a prefix of its
	// PrimaryKey, and every ParentKey value written in a batch has its row
	// set replaced by the batch's rows for that value.
	Parent string
	// ParentKey lists this table's columns that hold the parent's primary
	// key, in the order of the parent's PrimaryKey (the leading columns of
	// it when the table is its own parent).
	ParentKey []string
	// Indexes are the table's secondary indexes.
	Indexes []Index
	// Version, when set, names the table's version column (a Timestamp or
	// Int column such as update_time): sinks never replace a stored row
	// with an older version of it (see version.go for the rules, NULLs
	// and child tables included). A child table of another table declares
	// none: it follows its parent's decision.
	Version string

	index  atomic.Pointer[map[string]int] // built by Validate
	checks atomic.Pointer[rowChecks]      // built by Validate, for ValidateRow
}

// rowChecks is what ValidateRow needs of each column, compact: the fast
// path reads one small entry per cell instead of a Column. cols is the
// Columns array it was built from (a table given new columns after Validate
// is validated the long way).
type rowChecks struct {
	cols   *Column
	checks []colCheck
}

type colCheck struct {
	typ      Type
	length   int  // String: the maximum length in UTF-16 units, 0 for none
	nullable bool // NULL is accepted (a nullable or Auto column)
	prec     int16
	scale    int16
}

func newRowChecks(cols []Column) *rowChecks {
	rc := &rowChecks{checks: make([]colCheck, len(cols))}
	if len(cols) > 0 {
		rc.cols = &cols[0]
	}
	for i, c := range cols {
		rc.checks[i] = colCheck{typ: c.Type, length: c.Length, nullable: c.Nullable || c.Auto != AutoNone,
			prec: int16(c.Precision), scale: int16(c.Scale)}
	}
	return rc
}

// FullName returns "schema.name".
func (t *Table) FullName() string { return t.Schema + "." + t.Name }

// ColumnIndex returns the position of the named column, or -1.
func (t *Table) ColumnIndex(name string) int {
	idx := t.index.Load()
	if idx == nil {
		for i, c := range t.Columns {
			if c.Name == name {
				return i
			}
		}
		return -1
	}
	if i, ok := (*idx)[name]; ok {
		return i
	}
	return -1
}

// KeyIndexes returns the positions of the primary-key columns.
func (t *Table) KeyIndexes() []int { return t.indexes(t.PrimaryKey) }

// ParentKeyIndexes returns the positions of the parent-key columns.
func (t *Table) ParentKeyIndexes() []int { return t.indexes(t.ParentKey) }

func (t *Table) indexes(names []string) []int {
	out := make([]int, len(names))
	for i, n := range names {
		out[i] = t.ColumnIndex(n)
	}
	return out
}

// ParentKeyLeadsKey reports whether ParentKey is a prefix of PrimaryKey, so
// the primary-key index already serves lookups by parent; sinks index the
// parent key separately otherwise.
func (t *Table) ParentKeyLeadsKey() bool {
	if len(t.ParentKey) > len(t.PrimaryKey) {
		return false
	}
	for i := range t.ParentKey {
		if t.ParentKey[i] != t.PrimaryKey[i] {
			return false
		}
	}
	return true
}

// IsKey reports whether the named column is part of the primary key.
func (t *Table) IsKey(name string) bool {
	for _, k := range t.PrimaryKey {
		if k == name {
			return true
		}
	}
	return false
}

// Validate checks the definition: names present, columns unique, key columns
// exist and are not nullable, types known. It also builds the column index,
// so call it once before using the table on a hot path.
func (t *Table) Validate() error {
	if t.Schema == "" || t.Name == "" {
		return fmt.Errorf("table %q: schema and name are required", t.FullName())
	}
	if len(t.Columns) == 0 {
		return fmt.Errorf("table %s: no columns", t.FullName())
	}
	idx := make(map[string]int, len(t.Columns))
	for i, c := range t.Columns {
		if c.Name == "" {
			return fmt.Errorf("table %s: column %d has no name", t.FullName(), i)
		}
		if _, dup := idx[c.Name]; dup {
			return fmt.Errorf("table %s: duplicate column %q", t.FullName(), c.Name)
		}
		if c.Type < String || c.Type > UUID {
			return fmt.Errorf("table %s: column %q has unknown type %v", t.FullName(), c.Name, c.Type)
		}
		if c.Type == Decimal && (c.Precision <= 0 || c.Scale < 0 || c.Scale > c.Precision) {
			return fmt.Errorf("table %s: decimal column %q needs 0 <= scale <= precision, precision > 0", t.FullName(), c.Name)
		}
		idx[c.Name] = i
	}
	if len(t.PrimaryKey) == 0 {
		return fmt.Errorf("table %s: no primary key", t.FullName())
	}
	if err := t.validateIndexes(idx); err != nil {
		return err
	}
	for _, k := range t.PrimaryKey {
		i, ok := idx[k]
		if !ok {
			return fmt.Errorf("table %s: primary key column %q is not a column", t.FullName(), k)
		}
		if t.Columns[i].Nullable {
			return fmt.Errorf("table %s: primary key column %q must not be nullable", t.FullName(), k)
		}
	}
	if (t.Parent == "") != (len(t.ParentKey) == 0) {
		return fmt.Errorf("table %s: Parent and ParentKey go together", t.FullName())
	}
	for _, k := range t.ParentKey {
		if _, ok := idx[k]; !ok {
			return fmt.Errorf("table %s: parent key column %q is not a column", t.FullName(), k)
		}
	}
	if err := t.validateVersion(idx); err != nil {
		return err
	}
	t.index.Store(&idx)
	t.checks.Store(newRowChecks(t.Columns))
	return nil
}

// RawJSON is the value type of JSON columns: JSON text.
type RawJSON string

// ValidateRow checks that row fits table: one value per column, no NULL in a
// non-nullable column, each value of the Go type its column's Type requires,
// strings within Length, decimals within Precision and Scale, and the rules
// for hostile values (see CheckText, CheckJSONText, CheckTime). The error
// names the table and the column.
func ValidateRow(t *Table, row []any) error { return validateRow(t, row, nil) }

// validateRow is ValidateRow remembering in seen, when not nil, the JSON
// texts it found valid, and not checking them again: the rows of one
// record often share one (every TikTok order line carries the order's
// JSON, 6 kB, in five columns), which is one string, read once.
func validateRow(t *Table, row []any, seen *jsonSeen) error {
	if len(row) != len(t.Columns) {
		return fmt.Errorf("%s: row has %d values for %d columns", t.FullName(), len(row), len(t.Columns))
	}
	rc := t.checks.Load()
	if rc == nil || len(rc.checks) != len(row) || len(row) == 0 || rc.cols != &t.Columns[0] {
		return validateCells(t, row, 0, seen)
	}
	// The fast path only tells the usual values apart; anything else (an
	// error, a long string, a JSON value) goes to validateCells from that
	// column on, which gives the exact verdict and reason.
	for i, c := range rc.checks {
		v := row[i]
		ok := false
		switch c.typ {
		case String:
			var s string
			s, ok = v.(string)
			ok = ok && (c.length == 0 || len(s) <= c.length) && plainText(s)
		case Int:
			_, ok = v.(int64)
		case Decimal:
			var d Dec
			d, ok = v.(Dec)
			ok = ok && d.Fits(int(c.prec), int(c.scale)) == nil
		case Bool:
			_, ok = v.(bool)
		case Timestamp:
			var ts time.Time
			ts, ok = v.(time.Time)
			ok = ok && !ts.Before(MinTime) && ts.Before(MaxTime)
		}
		if !ok && !(v == nil && c.nullable) {
			return validateCells(t, row, i, seen)
		}
	}
	return nil
}

// jsonSeen holds JSON texts found valid, by the address and length of
// their bytes: the same string, not merely equal text.
type jsonSeen struct {
	texts []jsonText
}

type jsonText struct {
	p *byte
	n int
}

func (js *jsonSeen) has(j string) bool {
	if js == nil {
		return false
	}
	k := jsonText{unsafe.StringData(j), len(j)}
	for _, t := range js.texts {
		if t == k {
			return true
		}
	}
	return false
}

func (js *jsonSeen) add(j string) {
	if js != nil {
		js.texts = append(js.texts, jsonText{unsafe.StringData(j), len(j)})
	}
}

func (js *jsonSeen) reset() {
	if js != nil {
		clear(js.texts)
		js.texts = js.texts[:0]
	}
}

// validateCells is ValidateRow for the columns from i on.
func validateCells(t *Table, row []any, from int, seen *jsonSeen) error {
	for i := from; i < len(t.Columns); i++ {
		c := &t.Columns[i]
		v := row[i]
		if v == nil {
			if !c.Nullable && c.Auto == AutoNone {
				return fmt.Errorf("%s.%s: NULL in a non-nullable column", t.FullName(), c.Name)
			}
			continue
		}
		ok := false
		switch c.Type {
		case String:
			var s string
			s, ok = v.(string)
			if ok && c.Length > 0 && len(s) > c.Length {
				if n := utf16Len(s); n > c.Length {
					return fmt.Errorf("%s.%s: value of %d characters exceeds the column length %d", t.FullName(), c.Name, n, c.Length)
				}
			}
			if ok {
				if err := CheckText(s); err != nil {
					return fmt.Errorf("%s.%s: %w", t.FullName(), c.Name, err)
				}
			}
		case UUID:
			var s string
			s, ok = v.(string)
			if ok {
				if err := CheckUUID(s); err != nil {
					return fmt.Errorf("%s.%s: %w", t.FullName(), c.Name, err)
				}
			}
		case Int:
			_, ok = v.(int64)
		case Decimal:
			var d Dec
			d, ok = v.(Dec)
			if ok {
				if err := d.Fits(c.Precision, c.Scale); err != nil {
					return fmt.Errorf("%s.%s: %w", t.FullName(), c.Name, err)
				}
			}
		case Bool:
			_, ok = v.(bool)
		case Timestamp:
			var ts time.Time
			ts, ok = v.(time.Time)
			if ok {
				if err := CheckTime(ts); err != nil {
					return fmt.Errorf("%s.%s: %w", t.FullName(), c.Name, err)
				}
			}
		case JSON:
			var j RawJSON
			j, ok = v.(RawJSON)
			if ok && !seen.has(string(j)) {
				if err := CheckJSONText(string(j)); err != nil {
					return fmt.Errorf("%s.%s: %w", t.FullName(), c.Name, err)
				}
				seen.add(string(j))
			}
		}
		if !ok {
			return fmt.Errorf("%s.%s: a %v column cannot hold a %T", t.FullName(), c.Name, c.Type, v)
		}
	}
	return nil
}

// utf16Len is the length of s in UTF-16 code units, the unit of SQL
// Server's NVARCHAR(n): a character outside the Basic Multilingual Plane (an
// emoji) counts 2.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// FillAuto fills the Auto columns of rows in place: AutoCreatedAt and
// AutoUpdatedAt with now, AutoRunID with runID. Sinks call it before writing;
// whether the created-at value survives an update is up to the sink's upsert.
func FillAuto(t *Table, rows [][]any, runID string, now time.Time) {
	for i, c := range t.Columns {
		var v any
		switch c.Auto {
		case AutoCreatedAt, AutoUpdatedAt:
			v = now
		case AutoRunID:
			v = runID
		default:
			continue
		}
		for _, r := range rows {
			r[i] = v
		}
	}
}

// QuoteIdent quotes a SQL identifier with double quotes (ANSI, PostgreSQL,
// SQLite), doubling embedded quotes.
func QuoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// TimeBasis says how sinks store Timestamp columns.
type TimeBasis int

const (
	// TimeUTC (the default) stores instants unambiguously: in UTC, with an
	// offset-aware type where the database has one.
	TimeUTC TimeBasis = iota
	// TimeVietnam stores Asia/Ho_Chi_Minh (UTC+7) wall-clock time without
	// offset, as the original system did, for reports that expect it.
	TimeVietnam
)

// Vietnam is the Asia/Ho_Chi_Minh zone (UTC+7, no daylight saving time).
var Vietnam = time.FixedZone("ICT", 7*3600)
