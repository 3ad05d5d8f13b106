package mssql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/lease"
	mssqldb "github.com/microsoft/go-mssqldb"
)

// The lease statements, one golden file each; none uses sp_getapplock or a
// lock hint (Babelfish: -999 and a server crash after five failed
// sp_getapplock calls in a session; hints ignored).
func TestLeaseGoldenStatements(t *testing.T) {
	ctl := "etl_control"
	cases := map[string]string{
		"lease_control_tables": strings.Join(leaseControlSQL(ctl), ";\n"),
		"lease_insert":         leaseInsertSQL(ctl),
		"lease_get":            leaseGetSQL(ctl),
		"lease_swap":           leaseSwapSQL(ctl),
		"lease_renew":          leaseRenewSQL(ctl),
		"lease_release":        leaseReleaseSQL(ctl),
		"lease_fence":          leaseFenceSQL(ctl),
		"lease_now":            leaseNowSQL,
		"basis_get":            basisGetSQL(ctl),
		"basis_insert":         basisInsertSQL(ctl),
		"table_columns":        columnsSQL,
		"primary_key":          primaryKeySQL,
		"ddl_lock":             ddlLockSQL(ctl),
	}
	for name, got := range cases {
		t.Run(name, func(t *testing.T) {
			golden(t, name, got)
			up := strings.ToUpper(got)
			for _, bad := range []string{"SP_GETAPPLOCK", "WITH (", "HOLDLOCK", "UPDLOCK", "MERGE", "ISOLATION LEVEL"} {
				if strings.Contains(up, bad) {
					t.Errorf("%s uses %s, which Babelfish refuses or ignores", name, bad)
				}
			}
		})
	}
}

// leaseDB is the recording driver plus a lease table: it answers the lease
// statements as a server would (by their exact text), so the lease's
// behaviour — held, taken over, fenced — is tested without a server.
type leaseDB struct {
	rec  *recorder
	mu   sync.Mutex
	rows map[[2]string]*leaseRowState
	// basis is the recorded time basis ("" = none); catalog maps
	// "schema.table" to its columns' (name, type) as sys.columns has them,
	// keys to its primary-key columns.
	basis   string
	catalog map[string][][2]string
	keys    map[string][]string
	name    string // the registered driver name
	// passed is how far the server's clock runs ahead of time.Now.
	passed atomic.Int64
}

type leaseRowState struct {
	holder  string
	epoch   int64
	expires time.Time
	host    string
	pid     int64
	written bool
	// succeeded and mode: the last success a release recorded (nil: none).
	succeeded any
	mode      any
}

func (d *leaseDB) Open(string) (driver.Conn, error) { return &leaseConn{recConn{r: d.rec}, d}, nil }

type leaseConn struct {
	recConn
	d *leaseDB
}

func arg(args []driver.NamedValue, i int) any { return args[i-1].Value }

func (c *leaseConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	ctl := "etl_control"
	d := c.d
	d.mu.Lock()
	defer d.mu.Unlock()
	match := func(r *leaseRowState) bool {
		return r != nil && r.holder == arg(args, 3).(string) && r.epoch == arg(args, 4).(int64)
	}
	var key [2]string
	if len(args) >= 2 {
		key = [2]string{fmt.Sprint(arg(args, 1)), fmt.Sprint(arg(args, 2))}
	}
	n := int64(0)
	switch query {
	case leaseInsertSQL(ctl):
		if d.rows[key] == nil {
			d.rows[key] = &leaseRowState{holder: arg(args, 3).(string), epoch: arg(args, 4).(int64), expires: arg(args, 5).(time.Time),
				host: arg(args, 6).(string), pid: arg(args, 7).(int64)}
			n = 1
		}
		d.rec.add(fmt.Sprintf("LEASE insert %d", n))
	case leaseSwapSQL(ctl):
		if r := d.rows[key]; match(r) {
			*r = leaseRowState{holder: arg(args, 5).(string), epoch: arg(args, 6).(int64), expires: arg(args, 7).(time.Time),
				host: arg(args, 8).(string), pid: arg(args, 9).(int64), succeeded: r.succeeded, mode: r.mode}
			n = 1
		}
		d.rec.add(fmt.Sprintf("LEASE swap %d", n))
	case leaseRenewSQL(ctl):
		if r := d.rows[key]; match(r) {
			r.expires = arg(args, 5).(time.Time)
			n = 1
		}
		d.rec.add(fmt.Sprintf("LEASE renew %d", n))
	case leaseReleaseSQL(ctl):
		if r := d.rows[key]; match(r) {
			r.expires = arg(args, 5).(time.Time)
			if at := arg(args, 6); at != nil {
				r.succeeded, r.mode = at, arg(args, 7)
			}
			n = 1
		}
		d.rec.add(fmt.Sprintf("LEASE release %d", n))
	case basisInsertSQL(ctl):
		if d.basis == "" {
			d.basis, n = arg(args, 1).(string), 1
		}
		d.rec.add(fmt.Sprintf("BASIS insert %d", n))
	case leaseFenceSQL(ctl):
		if r := d.rows[key]; match(r) {
			r.written = true
			n = 1
		}
		d.rec.add(fmt.Sprintf("LEASE fence %d", n))
	default:
		return c.recConn.ExecContext(ctx, query, args)
	}
	return driver.RowsAffected(n), nil
}

func (c *leaseConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	c.d.mu.Lock()
	defer c.d.mu.Unlock()
	switch query {
	case basisGetSQL("etl_control"):
		c.d.rec.add("BASIS get")
		rows := &valueRows{cols: []string{"value"}}
		if c.d.basis != "" {
			rows.vals = [][]driver.Value{{c.d.basis}}
		}
		return rows, nil
	case columnsSQL:
		c.d.rec.add("CATALOG " + arg(args, 1).(string))
		rows := &valueRows{cols: []string{"name", "type"}}
		for _, col := range c.d.catalog[arg(args, 1).(string)] {
			rows.vals = append(rows.vals, []driver.Value{col[0], col[1]})
		}
		return rows, nil
	case primaryKeySQL:
		c.d.rec.add("KEY " + arg(args, 1).(string))
		rows := &valueRows{cols: []string{"name"}}
		for _, k := range c.d.keys[arg(args, 1).(string)] {
			rows.vals = append(rows.vals, []driver.Value{k})
		}
		return rows, nil
	case leaseNowSQL:
		c.d.rec.add("LEASE now")
		return &valueRows{cols: []string{""}, vals: [][]driver.Value{{time.Now().Add(time.Duration(c.d.passed.Load()))}}}, nil
	case leaseGetSQL("etl_control"):
	default:
		return c.recConn.QueryContext(ctx, query, args)
	}
	c.d.rec.add("LEASE get")
	rows := &valueRows{cols: []string{"holder", "epoch", "expires_at", "host", "pid", "succeeded_at", "succeeded_mode"}}
	if r := c.d.rows[[2]string{fmt.Sprint(arg(args, 1)), fmt.Sprint(arg(args, 2))}]; r != nil {
		rows.vals = [][]driver.Value{{r.holder, r.epoch, r.expires, r.host, r.pid, r.succeeded, r.mode}}
	}
	return rows, nil
}

type valueRows struct {
	cols []string
	vals [][]driver.Value
}

func (r *valueRows) Columns() []string { return r.cols }
func (r *valueRows) Close() error      { return nil }
func (r *valueRows) Next(dst []driver.Value) error {
	if len(r.vals) == 0 {
		return io.EOF
	}
	copy(dst, r.vals[0])
	r.vals = r.vals[1:]
	return nil
}

// openLeaseDB returns n sinks (workers) sharing one simulated server.
func openLeaseDB(t *testing.T, cfgs ...Config) (*leaseDB, []*Sink) {
	t.Helper()
	d := &leaseDB{rec: &recorder{}, rows: map[[2]string]*leaseRowState{}}
	name := register(t, d, d.rec)
	d.name = name
	var sinks []*Sink
	for _, cfg := range cfgs {
		db, err := sql.Open(name, "")
		if err != nil {
			t.Fatal(err)
		}
		s, err := OpenDB(context.Background(), db, cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		sinks = append(sinks, s)
	}
	return d, sinks
}

// A worker paused past its lease's expiry resumes after another took the
// stream over: its write is refused before anything is sent (no bulk copy,
// no upsert, no rejection, no checkpoint) and rolled back, never committed.
func TestLeaseFencedWriteThroughTheDriver(t *testing.T) {
	ctx := context.Background()
	var ahead atomic.Int64
	ttl := time.Minute
	d, sinks := openLeaseDB(t, Config{LeaseTTL: ttl}, Config{LeaseTTL: ttl, Now: func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }})
	a, b := sinks[0], sinks[1]
	o, l := plumbingTables()
	for _, s := range sinks {
		if err := s.Prepare(ctx, []*connector.Table{o, l}); err != nil {
			t.Fatal(err)
		}
	}
	la, err := a.Lease(ctx, "p", "s", 0)
	if err != nil {
		t.Fatal(err)
	}
	// B keeps finding it held, even though its clock runs two TTLs ahead
	// (the server's clock decides expiries): only plain statements are
	// sent, as often as it asks, and nothing else.
	ahead.Store(int64(2 * ttl))
	start := len(d.rec.entries())
	for i := 0; i < 10; i++ {
		if _, err := b.Lease(ctx, "p", "s", 0); !errors.Is(err, connector.ErrLeaseHeld) {
			t.Fatalf("attempt %d while held: %v, want ErrLeaseHeld", i, err)
		}
	}
	if got := strings.Join(d.rec.entries()[start:], "\n"); got != strings.Repeat("LEASE now\nLEASE insert 0\nLEASE get\n", 9)+"LEASE now\nLEASE insert 0\nLEASE get" {
		t.Fatalf("statements of a held lease:\n%s", got)
	}

	write := func(s *Sink, f *connector.Fence, id string) error {
		return s.Write(ctx, &connector.Batch{Pipeline: "p", Stream: "s", RunID: "r", Fence: f,
			Tables:     []connector.TableRows{{Table: o, Rows: [][]any{{id, nil, nil, nil}}}, {Table: l}},
			Rejected:   []connector.Rejection{{Key: "Z", Reason: "bad", At: time.Now()}},
			Checkpoint: connector.Checkpoint(`{"id":"` + id + `"}`)})
	}
	start = len(d.rec.entries())
	if err := write(a, &la.Fence, "A1"); err != nil {
		t.Fatal(err)
	}
	got := d.rec.entries()[start:]
	for len(got) > 0 && strings.HasPrefix(got[len(got)-1], "QUERY ") {
		got = got[:len(got)-1] // the statistics check after COMMIT
	}
	if got[0] != "BEGIN" || got[1] != "LEASE fence 1" || got[len(got)-1] != "COMMIT" {
		t.Fatalf("a fenced write starts with the fence in its transaction:\n%s", strings.Join(got, "\n"))
	}

	d.passed.Store(int64(2 * ttl)) // A pauses past its expiry on the server's clock
	lb, err := b.Lease(ctx, "p", "s", 0)
	if err != nil {
		t.Fatalf("takeover: %v", err)
	}
	if lb.Fence.Epoch != la.Fence.Epoch+1 {
		t.Fatalf("takeover epoch %d, want %d", lb.Fence.Epoch, la.Fence.Epoch+1)
	}
	if err := write(b, &lb.Fence, "B1"); err != nil {
		t.Fatal(err)
	}
	start = len(d.rec.entries())
	err = write(a, &la.Fence, "A2")
	if !errors.Is(err, connector.ErrLeaseLost) {
		t.Fatalf("A resumes: %v, want ErrLeaseLost", err)
	}
	if got := strings.Join(d.rec.entries()[start:], "\n"); got != "BEGIN\nLEASE fence 0\nROLLBACK" {
		t.Fatalf("the fenced writer sent more than the fence:\n%s", got)
	}
	if err := la.Release(); err != nil {
		t.Fatal(err)
	}
	if r := d.rows[[2]string{"p", "s"}]; r.holder != lb.Fence.Holder || !r.expires.After(time.Now()) {
		t.Fatalf("A's release of its lost lease touched B's: %+v", r)
	}
	if err := lb.Release(); err != nil {
		t.Fatal(err)
	}
	if r := d.rows[[2]string{"p", "s"}]; !r.expires.Before(time.Now()) {
		t.Fatalf("a released lease is expired: %+v", r)
	}
}

// A crashed holder on the same host does not block a restart for the
// lease's whole timeout: its pid is gone, so the lease is taken over.
func TestLeaseOfADeadProcessIsTakenOver(t *testing.T) {
	ctx := context.Background()
	d, sinks := openLeaseDB(t, Config{LeaseTTL: time.Hour})
	s := sinks[0]
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	dead := int64(cmd.ProcessState.Pid())
	host := lease.ThisHost()
	d.rows[[2]string{"p", "s"}] = &leaseRowState{holder: "crashed", epoch: 7, expires: time.Now().Add(time.Hour), host: host, pid: dead}
	l, err := s.Lease(ctx, "p", "s", 0)
	if err != nil {
		t.Fatalf("lease of a dead holder on this host: %v", err)
	}
	if l.Fence.Epoch != 8 {
		t.Fatalf("epoch %d, want 8", l.Fence.Epoch)
	}
	_ = l.Release()
	// A live process (this one's parent) or another host keeps its lease.
	for _, r := range []*leaseRowState{
		{holder: "alive", epoch: 9, expires: time.Now().Add(time.Hour), host: host, pid: int64(os.Getppid())},
		{holder: "elsewhere", epoch: 9, expires: time.Now().Add(time.Hour), host: host + "-other", pid: dead},
	} {
		d.rows[[2]string{"p", "s"}] = r
		if _, err := s.Lease(ctx, "p", "s", 0); !errors.Is(err, connector.ErrLeaseHeld) {
			t.Fatalf("holder %s: %v, want ErrLeaseHeld", r.holder, err)
		}
	}
}

// Prepare of tables that already match sends no DDL and takes no lock; the
// time basis is recorded on first use, and the other basis is refused, by
// the record or by existing columns of the other type.
func TestPrepareChecksTheCatalogAndTheTimeBasis(t *testing.T) {
	ctx := context.Background()
	d, sinks := openLeaseDB(t, Config{})
	s := sinks[0]
	o, _ := plumbingTables()
	d.catalog = map[string][][2]string{"staging.o": {{"id", "nvarchar"}, {"amount", "decimal"}, {"at", "datetimeoffset"}, {"updated", "datetimeoffset"}}}
	d.keys = map[string][]string{"staging.o": {"id"}}
	start := len(d.rec.entries())
	if err := s.Prepare(ctx, []*connector.Table{o}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(d.rec.entries()[start:], "\n"); got != "CATALOG staging.o\nKEY staging.o\nBASIS insert 1\nBASIS get" {
		t.Fatalf("Prepare of a matching table:\n%s", got)
	}
	if d.basis != "utc" {
		t.Fatalf("recorded basis %q", d.basis)
	}
	// A column is missing: DDL under the lock.
	d.catalog["staging.o"] = d.catalog["staging.o"][:3]
	start = len(d.rec.entries())
	if err := s.Prepare(ctx, []*connector.Table{o}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(d.rec.entries()[start:], "\n"); !strings.Contains(got, "BEGIN\nEXEC ") || !strings.Contains(got, "ALTER TABLE") && !strings.Contains(got, "IF COL_LENGTH") {
		t.Fatalf("Prepare of a table missing a column:\n%s", got)
	}

	// The other basis: refused at Open by the record…
	db, err := sql.Open(d.name, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := OpenDB(ctx, db, Config{TimeBasis: connector.TimeVietnam}); !errors.Is(err, connector.ErrTimeBasis) {
		t.Fatalf("Open with the other basis: %v, want ErrTimeBasis", err)
	}
	// …and without a record, by the existing DATETIMEOFFSET columns.
	d.basis = ""
	v, err := OpenDB(ctx, db, Config{TimeBasis: connector.TimeVietnam})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Prepare(ctx, []*connector.Table{o}); !errors.Is(err, connector.ErrTimeBasis) || !strings.Contains(err.Error(), "[at] is DATETIMEOFFSET") {
		t.Fatalf("Prepare over DATETIMEOFFSET columns with the Vietnam basis: %v", err)
	}
	if d.basis != "" {
		t.Fatalf("a refused Prepare recorded %q", d.basis)
	}
}

// No statement the sink sends uses sp_getapplock: not the leases, not the
// DDL (Babelfish answers a failed call with -999 and crashes at the fifth
// failure in a session).
func TestNoAppLocks(t *testing.T) {
	ctx := context.Background()
	d, sinks := openLeaseDB(t, Config{})
	o, l := plumbingTables()
	if err := sinks[0].Prepare(ctx, []*connector.Table{o, l}); err != nil {
		t.Fatal(err)
	}
	le, err := sinks[0].Lease(ctx, "p", "s", 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := sinks[0].Write(ctx, &connector.Batch{Pipeline: "p", Stream: "s", Fence: &le.Fence, Tables: []connector.TableRows{{Table: o, Rows: [][]any{{"A", nil, nil, nil}}}}}); err != nil {
		t.Fatal(err)
	}
	if err := le.Release(); err != nil {
		t.Fatal(err)
	}
	log := strings.Join(d.rec.entries(), "\n")
	if strings.Contains(strings.ToLower(log), "applock") {
		t.Fatalf("sp_getapplock sent:\n%s", log)
	}
	if !strings.Contains(log, "EXEC "+firstLine(ddlLockSQL("etl_control"))) {
		t.Fatalf("DDL without the DDL lock:\n%s", log)
	}
}

func TestDDLRaceIsRetried(t *testing.T) {
	races := 1
	r := &recorder{}
	r.fail = func(q string) error {
		if strings.HasPrefix(q, "IF OBJECT_ID(N'staging.o'") && races > 0 {
			races--
			return mssqldb.Error{Number: 2714, Message: "There is already an object named 'o' in the database."}
		}
		return nil
	}
	s := openRecorded(t, r, Config{})
	o, _ := plumbingTables()
	if err := s.Prepare(context.Background(), []*connector.Table{o}); err != nil {
		t.Fatalf("a DDL race is retried: %v", err)
	}
	if races != 0 {
		t.Fatal("the race was not injected")
	}
}
