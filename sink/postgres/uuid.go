package postgres

import (
	"github.com/facolos/etl/connector"
)

// UUID columns are UUID in tables this sink creates. A table created before
// the column was declared a UUID keeps its text column (Prepare never alters
// types); the staging temp table then holds that column as TEXT too, so the
// key joins and change comparisons between temp and target compare text with
// text. The value is canonical lower-case text either way, and ReadTable reads
// both back as that text.

// noteTextUUIDs records which UUID columns of t are stored as another type in
// the existing table; isText reports it for a column name. Called with the
// catalog's answer before t's statements are built.
func (s *Sink) noteTextUUIDs(t *connector.Table, isText func(name string) bool) {
	var text map[string]bool
	for _, c := range t.Columns {
		if c.Type == connector.UUID && isText(c.Name) {
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

// tempType is the staging temp table's type of column c of t: the column's
// type, except TEXT for a UUID column the existing table stores as text.
func (s *Sink) tempType(t *connector.Table, c connector.Column) string {
	if c.Type == connector.UUID {
		s.mu.Lock()
		text := s.textUUIDs[t.FullName()][c.Name]
		s.mu.Unlock()
		if text {
			return "TEXT"
		}
	}
	return s.sqlType(c)
}
