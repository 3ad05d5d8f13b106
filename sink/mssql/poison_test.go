package mssql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/facolos/etl/connector"
	mssqldb "github.com/microsoft/go-mssqldb"
	"github.com/stretchr/testify/require"
)

func TestDataErrorsAreMarked(t *testing.T) {
	for _, n := range []int32{547, 2627, 8152, 2628, 515, 8115, 241, 8672, 13609} {
		require.True(t, connector.IsDataError(classify(fmt.Errorf("x: %w", mssqldb.Error{Number: n}))), "%d", n)
	}
	require.True(t, connector.IsDataError(classify(mssqldb.Error{Number: 3621, All: []mssqldb.Error{{Number: 2627}, {Number: 3621}}})),
		"a duplicate key reported with 'statement terminated'")
	for _, err := range []error{mssqldb.Error{Number: 1205}, mssqldb.Error{Number: 4060}, driver.ErrBadConn, errors.New("i/o timeout"), context.Canceled} {
		require.False(t, connector.IsDataError(classify(err)), "%v", err)
	}
}

type listSource struct{ recs []connector.Record }

func (l listSource) Streams() []connector.Stream { return []connector.Stream{l} }
func (listSource) Name() string                  { return "orders" }
func (l listSource) Read(ctx context.Context, _ connector.ReadOptions, emit connector.EmitFunc) error {
	return emit(ctx, connector.Page{Records: l.recs, Checkpoint: connector.Checkpoint(`{"done":true}`)})
}

type oneTable struct{ t *connector.Table }

func (o oneTable) Tables() []*connector.Table { return []*connector.Table{o.t} }
func (o oneTable) Transform(rec connector.Record, out connector.Output) error {
	out.Add(o.t, []any{rec.Key, nil, nil, nil})
	return nil
}

// Recorded proof of the split-on-failure design on SQL Server: a MERGE the
// server refuses for one record (a CHECK constraint, error 547) is split
// until that record is found; its batch-mates are written, and the last
// transaction stores the quarantine rows (the refused record with the
// server's message, a record that is not UTF-8 as base64) and the
// checkpoint.
func TestPoisonRecordIsolatedOnSQLServer(t *testing.T) {
	r := &recorder{}
	r.fail = func(q string) error {
		if !strings.HasPrefix(q, "MERGE") {
			return nil
		}
		// The rows bulk-copied since the last BEGIN.
		log := r.entries()
		for i := len(log) - 1; i >= 0 && log[i] != "BEGIN"; i-- {
			if strings.HasPrefix(log[i], "ROW POISON") {
				return mssqldb.Error{Number: 547, Message: "The MERGE statement conflicted with the CHECK constraint \"ck_o\"."}
			}
		}
		return nil
	}
	s := openRecorded(t, r, Config{})
	o, _ := plumbingTables()
	var recs []connector.Record
	for i := 0; i < 9; i++ {
		key := fmt.Sprintf("K%d", i)
		if i == 5 {
			key = "POISON"
		}
		recs = append(recs, connector.Record{Key: key, Data: []byte(`{"k":"` + key + `"}`)})
	}
	binary := []byte("\xff\x00not utf-8")
	recs = append(recs, connector.Record{Key: "BIN", Data: binary})
	runner := &connector.Runner{Mode: connector.Full, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	// The recording driver cannot answer the lease's query: the sink is
	// used without it.
	type sinkStore interface {
		connector.Sink
		connector.CheckpointStore
	}
	sink := struct{ sinkStore }{s}
	res := runner.RunPipeline(context.Background(), connector.Pipeline{Name: "p", Source: listSource{recs}, Transformer: oneTable{o}, Sink: sink})
	require.NoError(t, res.Err)
	require.EqualValues(t, 2, res.Rejected)
	require.EqualValues(t, 8, res.Rows["staging.o"])

	log := strings.Join(r.entries(), "\n")
	for i := 0; i < 9; i++ {
		if i != 5 {
			require.Contains(t, log, fmt.Sprintf("ROW K%d|", i))
		}
	}
	var quarantined [][]driver.NamedValue
	checkpoints := 0
	for _, c := range r.calls {
		switch {
		case strings.HasPrefix(c.query, "INSERT INTO [etl_control].[rejected_records]"):
			quarantined = append(quarantined, c.args)
		case strings.HasPrefix(c.query, "UPDATE [etl_control].[checkpoints]"):
			checkpoints++
		}
	}
	require.Len(t, quarantined, 2)
	require.Equal(t, 1, checkpoints, "the checkpoint is saved once, with the quarantine")
	byKey := map[string][]driver.NamedValue{}
	for _, a := range quarantined {
		byKey[a[2].Value.(string)] = a
	}
	bin := byKey["BIN"]
	require.Contains(t, bin[3].Value, "not valid UTF-8")
	require.Equal(t, sql.NullString{String: base64.StdEncoding.EncodeToString(binary), Valid: true}, bin[4].Value)
	require.Equal(t, sql.NullString{String: "base64", Valid: true}, bin[7].Value)
	poison := byKey["POISON"]
	require.Contains(t, poison[3].Value, "CHECK constraint")
	require.Equal(t, sql.NullString{String: `{"k":"POISON"}`, Valid: true}, poison[4].Value)
	require.Equal(t, sql.NullString{}, poison[7].Value, "a typed NULL encoding for a text payload")
}
