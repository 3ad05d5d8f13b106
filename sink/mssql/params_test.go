package mssql

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/tokenstore"
	mssqldb "github.com/microsoft/go-mssqldb"
	"github.com/stretchr/testify/require"
)

// Every statement the sink and the token store send binds typed values
// only: NULLs (a token without expiry times, a rejected record without key
// or payload) go as sql.NullTime and friends, never as a Go nil.
func TestNoUntypedNullIsBound(t *testing.T) {
	ctx := context.Background()
	r := &recorder{}
	s := openRecorded(t, r, Config{})
	o, l := plumbingTables()
	require.NoError(t, s.Prepare(ctx, []*connector.Table{o, l}))

	// A batch full of NULLs: row values (bulk-copied, typed by the temp
	// table's columns), a rejected record with empty key and payload, a
	// checkpoint.
	require.NoError(t, s.Write(ctx, &connector.Batch{Pipeline: "p", Stream: "s", RunID: "",
		Tables: []connector.TableRows{
			{Table: o, Rows: [][]any{{"A", nil, nil, nil}}},
			{Table: l, Rows: [][]any{{"A", int64(1)}}},
		},
		Rejected:   []connector.Rejection{{Reason: "bad"}, {Key: "K", Reason: "bad", Payload: []byte(`{"x":null}`), At: time.Now()}},
		Checkpoint: connector.Checkpoint(`{"w":null}`),
	}))
	require.NoError(t, s.SaveCheckpoint(ctx, "p", "s", connector.Checkpoint(`{}`)))
	_, err := s.LoadCheckpoint(ctx, "p", "s")
	require.NoError(t, err)

	// The token store on this sink: a token with no expiry times, inserted
	// then updated, then loaded.
	store, err := tokenstore.NewSQLStore(ctx, s.DB(), tokenstore.SQLServer)
	require.NoError(t, err)
	require.NoError(t, store.Save(ctx, tokenstore.Token{Platform: "shopee", Account: "1", AccessToken: "a"}))
	require.NoError(t, store.Save(ctx, tokenstore.Token{Platform: "shopee", Account: "1", AccessToken: "b", Version: 1}))
	_, err = store.Load(ctx, "shopee", "1")
	require.ErrorIs(t, err, tokenstore.ErrNotFound) // the recorder returns no rows

	bound := r.bound()
	require.NotEmpty(t, bound)
	typedNulls := 0
	for _, p := range bound {
		if untypedNull(p.value) {
			t.Errorf("untyped NULL bound as @p%d of %q", p.ord, p.query)
		}
		if nt, ok := p.value.(sql.NullTime); ok && !nt.Valid {
			typedNulls++
		}
	}
	// insert: expires_at, refresh_expires_at, locked_until; update: the same three.
	require.Equal(t, 6, typedNulls, "the token store's missing times go as typed NULLs")
}

func TestStrategyFromURL(t *testing.T) {
	for _, c := range []struct {
		url      string
		strategy Strategy
		dsn      string
	}{
		{"sqlserver://sa:pw@db:1433?database=w", "", "sqlserver://sa:pw@db:1433?database=w"},
		{"sqlserver://sa:pw@db:1433?database=w&strategy=update-insert", UpdateInsert, "sqlserver://sa:pw@db:1433?database=w"},
		{"sqlserver://sa:pw@db:1433?strategy=merge&database=w&encrypt=disable", MergeStrategy, "sqlserver://sa:pw@db:1433?database=w&encrypt=disable"},
		{"sqlserver://sa:pw@db:1433?strategy=Update-Insert", UpdateInsert, "sqlserver://sa:pw@db:1433"},
	} {
		cfg, err := ParseURL(c.url)
		require.NoError(t, err, c.url)
		require.Equal(t, c.strategy, cfg.Strategy, c.url)
		require.Equal(t, c.dsn, cfg.DSN, c.url)
	}
	_, err := ParseURL("sqlserver://sa:s3cret@db:1433?strategy=upsert")
	require.ErrorContains(t, err, `strategy="upsert"`)
	require.NotContains(t, err.Error(), "s3cret")
	_, err = ParseURL("postgres://sa:s3cret@db/x")
	require.Error(t, err)
	require.NotContains(t, err.Error(), "s3cret")

	// The strategy chosen in the URL is the one the sink uses.
	for _, c := range []struct {
		url  string
		want string
	}{
		{"sqlserver://db?strategy=update-insert", "UPDATE t SET"},
		{"sqlserver://db?strategy=merge", "MERGE"},
		{"sqlserver://db", "MERGE"},
	} {
		cfg, err := ParseURL(c.url)
		require.NoError(t, err)
		r := &recorder{}
		s := openRecorded(t, r, cfg)
		o, _ := plumbingTables()
		require.NoError(t, s.Prepare(context.Background(), []*connector.Table{o}))
		start := len(r.entries())
		require.NoError(t, s.Write(context.Background(), &connector.Batch{Pipeline: "p", Stream: "s", Tables: []connector.TableRows{{Table: o, Rows: [][]any{{"A", nil, nil, nil}}}}}))
		log := strings.Join(r.entries()[start:], "\n")
		require.Contains(t, log, "EXEC "+c.want, c.url)
		if c.want != "MERGE" {
			require.NotContains(t, log, "MERGE", c.url)
		}
	}
}

// A server that rejects MERGE (Babelfish: error 33557097) makes the sink
// roll the batch back, switch to update-insert for good, say so once in the
// log, and write the batch again.
func TestMergeRejectedSwitchesToUpdateInsert(t *testing.T) {
	ctx := context.Background()
	r := &recorder{}
	merges := 0
	r.fail = func(q string) error {
		if strings.HasPrefix(q, "MERGE") {
			merges++
			return mssqldb.Error{Number: 33557097, Message: "'MERGE' is not currently supported in Babelfish"}
		}
		return nil
	}
	var logs bytes.Buffer
	s := openRecorded(t, r, Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	require.Equal(t, MergeStrategy, s.Strategy())
	o, l := plumbingTables()
	require.NoError(t, s.Prepare(ctx, []*connector.Table{o, l}))
	batch := func() *connector.Batch {
		return &connector.Batch{Pipeline: "p", Stream: "s", Tables: []connector.TableRows{{Table: o, Rows: [][]any{{"A", nil, nil, nil}}}, {Table: l}},
			Checkpoint: connector.Checkpoint(`{"w":1}`)}
	}
	start := len(r.entries())
	require.NoError(t, s.Write(ctx, batch()))
	got := r.entries()[start:]
	log := strings.Join(got, "\n")
	require.Equal(t, 1, merges)
	require.Equal(t, UpdateInsert, s.Strategy())
	require.Equal(t, 2, strings.Count(log, "BEGIN"), log)
	require.Equal(t, 1, strings.Count(log, "ROLLBACK"), log)
	require.Equal(t, 1, strings.Count(log, "COMMIT"), log)
	require.Equal(t, 1, strings.Count(log, "EXEC UPDATE t SET"), log)
	require.Equal(t, 1, strings.Count(log, "checkpoints"), "the checkpoint is saved once, with the committed attempt:\n"+log)
	require.Less(t, strings.Index(log, "FAILED MERGE"), strings.Index(log, "ROLLBACK"), log)
	require.Less(t, strings.Index(log, "ROLLBACK"), strings.Index(log, "EXEC UPDATE t SET"), log)
	require.Equal(t, 1, strings.Count(log, "COMMIT\n"), "nothing of the batch after the commit:\n"+log)
	require.Contains(t, logs.String(), "switching to the update-insert strategy")
	require.Contains(t, logs.String(), "33557097")

	// From now on no MERGE is even tried, and the switch is logged once.
	start = len(r.entries())
	require.NoError(t, s.Write(ctx, batch()))
	log = strings.Join(r.entries()[start:], "\n")
	require.Equal(t, 1, merges, log)
	require.Equal(t, 1, strings.Count(log, "BEGIN"), log)
	require.Equal(t, 1, strings.Count(logs.String(), "switching"), logs.String())

	// Another error of the MERGE is not taken for a refusal.
	r2 := &recorder{}
	r2.fail = func(q string) error {
		if strings.HasPrefix(q, "MERGE") {
			return mssqldb.Error{Number: 2627, Message: "duplicate key"}
		}
		return nil
	}
	s2 := openRecorded(t, r2, Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	require.NoError(t, s2.Prepare(ctx, []*connector.Table{o}))
	require.Error(t, s2.Write(ctx, &connector.Batch{Pipeline: "p", Stream: "s", Tables: []connector.TableRows{{Table: o, Rows: [][]any{{"A", nil, nil, nil}}}}}))
	require.Equal(t, MergeStrategy, s2.Strategy())
}

// During a long load the statistics of the tables written to are refreshed
// after the first batches and then each time the table has doubled (after
// the commit, outside the batch's transaction).
func TestStatisticsStayFresh(t *testing.T) {
	ctx := context.Background()
	r := &recorder{}
	var rowsInTable int64 // what the catalog says: grows with every committed batch
	r.answer = func(q string) []driver.Value {
		if q == tableRowsSQL {
			return []driver.Value{rowsInTable}
		}
		return nil
	}
	s := openRecorded(t, r, Config{})
	o, _ := plumbingTables()
	require.NoError(t, s.Prepare(ctx, []*connector.Table{o}))
	var refreshedAfter []int
	for i := 1; i <= 16; i++ {
		rows := make([][]any, 300)
		for k := range rows {
			rows[k] = []any{fmt.Sprintf("%d-%d", i, k), nil, nil, nil}
		}
		start := len(r.entries())
		rowsInTable += 300
		require.NoError(t, s.Write(ctx, &connector.Batch{Pipeline: "p", Stream: "s", Tables: []connector.TableRows{{Table: o, Rows: rows}}}))
		log := r.entries()[start:]
		for k, e := range log {
			if e == "EXEC "+updateStatisticsSQL(names{"staging", "o"})+" 0" {
				require.Equal(t, "COMMIT", log[k-1], "the refresh follows the commit:\n%s", strings.Join(log, "\n"))
				refreshedAfter = append(refreshedAfter, i)
			}
		}
	}
	// 1,200 rows (>= 1,000), then 2,400 (doubled), then 4,800.
	require.Equal(t, []int{4, 8, 16}, refreshedAfter)
}

// A server that refuses UPDATE STATISTICS (no ALTER permission) does not
// fail the batches, and the refresh is not tried again.
func TestStatisticsRefusedIsNotRetried(t *testing.T) {
	ctx := context.Background()
	r := &recorder{}
	refused := 0
	r.fail = func(q string) error {
		if strings.HasPrefix(q, "UPDATE STATISTICS") {
			refused++
			return mssqldb.Error{Number: 1088, Message: "Cannot find the object because it does not exist or you do not have permissions."}
		}
		return nil
	}
	var logs bytes.Buffer
	s := openRecorded(t, r, Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	o, _ := plumbingTables()
	require.NoError(t, s.Prepare(ctx, []*connector.Table{o}))
	for i := 0; i < 6; i++ {
		rows := make([][]any, 1000)
		for k := range rows {
			rows[k] = []any{fmt.Sprintf("%d-%d", i, k), nil, nil, nil}
		}
		require.NoError(t, s.Write(ctx, &connector.Batch{Pipeline: "p", Stream: "s", Tables: []connector.TableRows{{Table: o, Rows: rows}}}))
	}
	require.Equal(t, 1, refused)
	require.Equal(t, 1, strings.Count(logs.String(), "cannot refresh statistics"), logs.String())
}

// Writers of one table at once (pipelines, streams read at once) refresh
// its statistics once, not once each: the others go on while one refresh
// runs.
func TestStatisticsRefreshedOnceByConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	r := &recorder{}
	var refreshes atomic.Int32
	entered, release := make(chan struct{}), make(chan struct{})
	r.fail = func(q string) error {
		if strings.HasPrefix(q, "UPDATE STATISTICS") && refreshes.Add(1) == 1 {
			close(entered)
			<-release
		}
		return nil
	}
	s := openRecorded(t, r, Config{})
	o, _ := plumbingTables()
	require.NoError(t, s.Prepare(ctx, []*connector.Table{o}))
	const writers = 6
	var done atomic.Int32
	errs := make(chan error, writers)
	for w := range writers {
		go func() {
			rows := make([][]any, 1000)
			for k := range rows {
				rows[k] = []any{fmt.Sprintf("%d-%d", w, k), nil, nil, nil}
			}
			err := s.Write(ctx, &connector.Batch{Pipeline: "p", Stream: fmt.Sprint(w), Tables: []connector.TableRows{{Table: o, Rows: rows}}})
			done.Add(1)
			errs <- err
		}()
	}
	<-entered
	for done.Load() < writers-1 { // every other writer finishes while the refresh runs
		time.Sleep(time.Millisecond)
	}
	close(release)
	for range writers {
		require.NoError(t, <-errs)
	}
	require.EqualValues(t, 1, refreshes.Load())
}
