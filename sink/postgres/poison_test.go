package postgres_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink/postgres"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

type pages struct{ recs []connector.Record }

func (p pages) Streams() []connector.Stream { return []connector.Stream{p} }
func (pages) Name() string                  { return "orders" }
func (p pages) Read(ctx context.Context, _ connector.ReadOptions, emit connector.EmitFunc) error {
	for i := 0; i < len(p.recs); i += 10 {
		cp := connector.Checkpoint(fmt.Sprintf(`{"n":%d}`, i+10))
		if err := emit(ctx, connector.Page{Records: p.recs[i:min(i+10, len(p.recs))], Checkpoint: cp}); err != nil {
			return err
		}
	}
	return nil
}

type qtyTransformer struct{ parent, child *connector.Table }

func (q qtyTransformer) Tables() []*connector.Table { return []*connector.Table{q.parent, q.child} }
func (q qtyTransformer) Transform(rec connector.Record, out connector.Output) error {
	qty := int64(len(rec.Data))
	if rec.Key[0] == 'X' {
		qty = -1
	}
	out.Add(q.parent, []any{rec.Key, qty})
	out.Add(q.child, []any{rec.Key, int64(1)})
	out.Add(q.child, []any{rec.Key, int64(2)})
	return nil
}

// A value PostgreSQL refuses for one row (a CHECK constraint here) is
// isolated by splitting the batch: the record is quarantined with the
// server's message, the other 29 records and their children load, and the
// checkpoint passes it.
func TestServerRefusalIsolated(t *testing.T) {
	ctx := context.Background()
	s := open(t, postgres.Config{})
	parent := &connector.Table{Schema: "staging", Name: "chk_orders", PrimaryKey: []string{"id"}, Columns: []connector.Column{
		{Name: "id", Type: connector.String, Length: 20}, {Name: "qty", Type: connector.Int, Nullable: true}}}
	child := &connector.Table{Schema: "staging", Name: "chk_lines", PrimaryKey: []string{"id", "line"}, Parent: "staging.chk_orders",
		ParentKey: []string{"id"}, Columns: []connector.Column{{Name: "id", Type: connector.String, Length: 20}, {Name: "line", Type: connector.Int}}}
	require.NoError(t, s.Prepare(ctx, []*connector.Table{parent, child}))
	_, err := s.Pool().Exec(ctx, `ALTER TABLE `+connector.QuoteIdent(s.Schema("staging"))+`.chk_orders ADD CONSTRAINT qty_not_negative CHECK (qty >= 0)`)
	require.NoError(t, err)
	var recs []connector.Record
	for i := 0; i < 30; i++ {
		key := fmt.Sprintf("K%02d", i)
		if i == 13 {
			key = "X13"
		}
		recs = append(recs, connector.Record{Key: key, Data: []byte(`{"k":"` + key + `"}`)})
	}
	r := connector.Runner{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	res := r.RunPipeline(ctx, connector.Pipeline{Name: "chk", Source: pages{recs}, Transformer: qtyTransformer{parent, child}, Sink: s})
	require.NoError(t, res.Err)
	require.EqualValues(t, 1, res.Rejected)
	rows, err := s.ReadTable(ctx, parent)
	require.NoError(t, err)
	require.Len(t, rows, 29)
	lines, err := s.ReadTable(ctx, child)
	require.NoError(t, err)
	require.Len(t, lines, 58)
	rej, err := s.ReadRejected(ctx, "chk", "orders")
	require.NoError(t, err)
	require.Len(t, rej, 1)
	require.Equal(t, "X13", rej[0].Key)
	require.Contains(t, rej[0].Reason, `violates check constraint "qty_not_negative"`)
	require.Contains(t, rej[0].Reason, "SQLSTATE 23514")
	require.JSONEq(t, `{"k":"X13"}`, string(rej[0].Payload))
	cp, err := s.LoadCheckpoint(ctx, "chk", "orders")
	require.NoError(t, err)
	require.JSONEq(t, `{"n":30}`, string(cp))
}

// A warehouse created before payload_encoding existed is upgraded in
// place: old rows read as text, new binary payloads round-trip.
func TestQuarantineUpgradedInPlace(t *testing.T) {
	ctx := context.Background()
	schemas := isolated(t)
	conn, err := pgx.Connect(ctx, dsn(t))
	require.NoError(t, err)
	ctl := connector.QuoteIdent(schemas["etl_control"])
	for _, q := range []string{`CREATE SCHEMA ` + ctl,
		`CREATE TABLE ` + ctl + `.rejected_records (id BIGSERIAL PRIMARY KEY, pipeline TEXT NOT NULL, stream TEXT NOT NULL,
			record_key TEXT, reason TEXT NOT NULL, payload TEXT, run_id TEXT, rejected_at TIMESTAMPTZ NOT NULL)`,
		`INSERT INTO ` + ctl + `.rejected_records (pipeline, stream, record_key, reason, payload, rejected_at) VALUES ('p', 's', 'OLD', 'r', '{"old":true}', now())`,
	} {
		_, err := conn.Exec(ctx, q)
		require.NoError(t, err)
	}
	require.NoError(t, conn.Close(ctx))
	s := open(t, postgres.Config{Schemas: schemas})
	bin := []byte("\x00\xff\xfe raw")
	require.NoError(t, s.Write(ctx, &connector.Batch{Pipeline: "p", Stream: "s", Rejected: []connector.Rejection{
		{Key: "NEW\x00", Reason: "bad \xff", Payload: bin, At: time.Now()}}}))
	rej, err := s.ReadRejected(ctx, "p", "s")
	require.NoError(t, err)
	require.Len(t, rej, 2)
	require.Equal(t, `{"old":true}`, string(rej[0].Payload))
	require.Equal(t, bin, []byte(rej[1].Payload))
	require.Equal(t, `NEW\0`, rej[1].Key)
	require.Equal(t, "bad \uFFFD", rej[1].Reason)
}
