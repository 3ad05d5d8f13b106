package mssql

import (
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/facolos/etl/connector"
	mssql "github.com/microsoft/go-mssqldb"
)

// UUID columns are UNIQUEIDENTIFIER. go-mssqldb bulk-copies into a
// UNIQUEIDENTIFIER column only a []byte in the server's byte order (the first
// three groups little-endian), which it gets by calling the Value method of
// an mssql.UniqueIdentifier; a string is refused ("invalid type for Guid
// column"). So a UUID value is bound as an mssql.UniqueIdentifier.
//
// A table created before the column was declared a UUID keeps its NVARCHAR
// column (Prepare never alters types): its temp table then holds the column
// as NVARCHAR(36) and the value is bound as its canonical text, so the table
// keeps the lower-case text it had and the key joins compare text with text.

// noteTextUUIDs records which UUID columns of t are not UNIQUEIDENTIFIER in
// the existing table; have maps lower-cased column names to lower-cased
// type names from the catalog (empty for a missing table).
func (s *Sink) noteTextUUIDs(t *connector.Table, have map[string]string) {
	var text map[string]bool
	for _, c := range t.Columns {
		if typ, ok := have[strings.ToLower(c.Name)]; ok && c.Type == connector.UUID && typ != "uniqueidentifier" {
			if text == nil {
				text = map[string]bool{}
			}
			text[c.Name] = true
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.textUUIDs == nil {
		s.textUUIDs = map[string]map[string]bool{}
	}
	if text == nil {
		delete(s.textUUIDs, t.FullName())
	} else {
		s.textUUIDs[t.FullName()] = text
	}
}

// stagingTable returns t as its temp table holds it: t itself, or a copy
// whose UUID columns that the existing table stores as text are
// NVARCHAR(36) strings.
func (s *Sink) stagingTable(t *connector.Table) *connector.Table {
	s.mu.Lock()
	text := s.textUUIDs[t.FullName()]
	s.mu.Unlock()
	if len(text) == 0 {
		return t
	}
	st := &connector.Table{Schema: t.Schema, Name: t.Name, PrimaryKey: t.PrimaryKey, Parent: t.Parent, ParentKey: t.ParentKey, Indexes: t.Indexes,
		Columns: append([]connector.Column(nil), t.Columns...)}
	for i, c := range st.Columns {
		if text[c.Name] {
			st.Columns[i].Type, st.Columns[i].Length = connector.String, 36
		}
	}
	return st
}

// uuidValue converts the canonical text of a UUID column to what go-mssqldb
// bulk-copies into UNIQUEIDENTIFIER. A value that is not a canonical UUID
// (ValidateRow rejects those) is passed on unchanged, so the bulk copy fails
// loudly instead of storing something else.
func uuidValue(v any) any {
	str, ok := v.(string)
	if !ok {
		return v
	}
	u, err := parseUUID(str)
	if err != nil {
		return v
	}
	return u
}

// parseUUID parses canonical 8-4-4-4-12 text; mssql.UniqueIdentifier holds
// the bytes in text order and swaps them into the server's order itself.
func parseUUID(s string) (mssql.UniqueIdentifier, error) {
	var u mssql.UniqueIdentifier
	if err := connector.CheckUUID(s); err != nil {
		return u, err
	}
	hexDigits := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36]
	_, err := hex.Decode(u[:], []byte(hexDigits))
	return u, err
}

// uuidFromDB turns what the driver returns for a UNIQUEIDENTIFIER (16 bytes
// in the server's order, or text when the connection converts GUIDs) or an
// old NVARCHAR column into canonical lower-case text.
func uuidFromDB(v any) (any, error) {
	switch x := v.(type) {
	case []byte:
		if len(x) == 16 {
			var u mssql.UniqueIdentifier
			if err := u.Scan(x); err != nil {
				return nil, err
			}
			return strings.ToLower(u.String()), nil
		}
		return strings.ToLower(string(x)), nil
	case string:
		return strings.ToLower(x), nil
	}
	return nil, fmt.Errorf("not a UUID: %T", v)
}
