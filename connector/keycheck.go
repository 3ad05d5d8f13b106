package connector

import (
	"errors"
	"fmt"
	"strings"
)

// ErrKeyChanged means an existing table's primary key is not the key of its
// definition (a table created by an older version of a connector, or by
// hand). Every sink's Prepare refuses such a table before any DDL, with an
// error wrapping ErrKeyChanged that names the table, the key it has and the
// key wanted: upserting by a key the table does not enforce would fail on
// every write or, worse, let rows that the definition tells apart overwrite
// each other. The table is migrated once by hand (see "Upgrading" in
// docs/operations.md).
var ErrKeyChanged = errors.New("primary key changed")

// CheckKey compares the primary-key columns an existing table has (as the
// database lists them; none for a table without a primary key) with t's
// PrimaryKey. The order of the columns is not compared: it does not change
// which rows are one. fold compares names case-insensitively (SQLite, SQL
// Server). table is the name of the table in the database, for the error,
// which wraps ErrKeyChanged.
func CheckKey(t *Table, table string, have []string, fold bool) error {
	if sameKey(have, t.PrimaryKey, fold) {
		return nil
	}
	found := "no primary key"
	if len(have) > 0 {
		found = "primary key (" + strings.Join(have, ", ") + ")"
	}
	return fmt.Errorf("%w: table %s has %s, the definition of %s wants (%s); migrate it once (see \"Upgrading\" in docs/operations.md)",
		ErrKeyChanged, table, found, t.FullName(), strings.Join(t.PrimaryKey, ", "))
}

func sameKey(have, want []string, fold bool) bool {
	if len(have) != len(want) {
		return false
	}
	for _, w := range want {
		found := false
		for _, h := range have {
			if h == w || fold && strings.EqualFold(h, w) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
