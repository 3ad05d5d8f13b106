package postgres

import (
	"errors"
	"fmt"
	"sync"

	"github.com/facolos/etl/connector"
	"github.com/jackc/pgx/v5/pgconn"
)

// prepared remembers the table definitions that Prepare found in the
// warehouse or created there, so that the next pipelines of the same tables
// (every shop of a platform) cost no catalog read: with hundreds of shops
// per worker, those reads were most of an idle run's statements and, with
// several workers on one server, most of its CPU time.
//
// Each table has its own lock, so that of the pipelines of one worker that
// start together only one looks at (or creates) a table while the others
// wait for it. A write that finds a table or a column gone (dropped by
// hand while the worker runs) forgets every definition, so the next run
// prepares again.
type prepared struct {
	mu    sync.Mutex
	defs  map[string]string // table full name → definition prepared
	locks map[string]*sync.Mutex
}

// lock takes the lock of one table and returns its unlock.
func (p *prepared) lock(table string) (unlock func()) {
	p.mu.Lock()
	if p.locks == nil {
		p.locks = map[string]*sync.Mutex{}
	}
	l, ok := p.locks[table]
	if !ok {
		l = &sync.Mutex{}
		p.locks[table] = l
	}
	p.mu.Unlock()
	l.Lock()
	return l.Unlock
}

// done reports whether definition def of table was prepared.
func (p *prepared) done(table, def string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.defs[table] == def
}

// remember records that definition def of table is prepared.
func (p *prepared) remember(table, def string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.defs == nil {
		p.defs = map[string]string{}
	}
	p.defs[table] = def
}

// forget drops every remembered definition when err says a table or a
// column is missing.
func (p *prepared) forget(err error) {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "42P01" && pe.Code != "42703" { // undefined_table, undefined_column
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.defs = nil
}

// definition is everything of t that Prepare reads or writes.
func definition(t *connector.Table) string {
	return fmt.Sprintf("%q %q %v %q %q %q %v %q", t.Schema, t.Name, t.Columns, t.PrimaryKey, t.Parent, t.ParentKey, t.Indexes, t.Version)
}
