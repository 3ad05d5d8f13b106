package shopee_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/shopee/shopeetest"
	"github.com/facolos/etl/sink/postgres"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// warehouseSink is a real sink with what the tests read back from it.
type warehouseSink struct {
	connector.Sink
	db *sql.DB
	// table renders the name of a staging table in SQL.
	table    func(name string) string
	rejected func(ctx context.Context, pipeline, stream string) ([]connector.Rejection, error)
}

// PrepareViews passes the views on to the sink (an embedded interface
// hides the sink's optional interfaces).
func (w warehouseSink) PrepareViews(ctx context.Context, parts []connector.ViewPart) error {
	return w.Sink.(connector.ViewSink).PrepareViews(ctx, parts)
}

// LoadCheckpoint passes on to the sink, which keeps the checkpoints in its
// own tables (without it the runner finds no checkpoint store and every run
// is a full load).
func (w warehouseSink) LoadCheckpoint(ctx context.Context, pipeline, stream string) (connector.Checkpoint, error) {
	return w.Sink.(connector.CheckpointStore).LoadCheckpoint(ctx, pipeline, stream)
}

// SaveCheckpoint passes on to the sink.
func (w warehouseSink) SaveCheckpoint(ctx context.Context, pipeline, stream string, cp connector.Checkpoint) error {
	return w.Sink.(connector.CheckpointStore).SaveCheckpoint(ctx, pipeline, stream, cp)
}

// sinks returns the real sinks the test runs on: a SQLite file, and a
// PostgreSQL database in private schemas when ETL_TEST_POSTGRES_DSN is set.
func sinks(t *testing.T) map[string]func(t *testing.T) warehouseSink {
	out := map[string]func(t *testing.T) warehouseSink{
		"sqlite": func(t *testing.T) warehouseSink {
			s := openSink(t)
			return warehouseSink{Sink: s, db: s.DB(), table: func(n string) string { return connector.QuoteIdent(n) }, rejected: s.ReadRejected}
		},
	}
	if dsn := os.Getenv("ETL_TEST_POSTGRES_DSN"); dsn != "" {
		out["postgres"] = func(t *testing.T) warehouseSink {
			var b [6]byte
			_, _ = rand.Read(b[:])
			p := "etl_shopee_" + hex.EncodeToString(b[:])
			schemas := map[string]string{"staging": p + "_staging", "etl_control": p + "_control"}
			t.Cleanup(func() {
				conn, err := pgx.Connect(context.Background(), dsn)
				if err != nil {
					t.Errorf("cleanup: %v", err)
					return
				}
				defer conn.Close(context.Background())
				for _, s := range schemas {
					_, _ = conn.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+connector.QuoteIdent(s)+" CASCADE")
				}
			})
			s, err := postgres.Open(context.Background(), postgres.Config{DSN: dsn, Schemas: schemas})
			require.NoError(t, err)
			t.Cleanup(func() { s.Close() })
			return warehouseSink{Sink: s, db: s.DB(), rejected: s.ReadRejected,
				table: func(n string) string { return connector.QuoteIdent(schemas["staging"]) + "." + connector.QuoteIdent(n) }}
		}
	}
	return out
}

func (w warehouseSink) count(t *testing.T, table, where string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, w.db.QueryRow(fmt.Sprintf("SELECT count(*) FROM %s %s", w.table(table), where), args...).Scan(&n))
	return n
}

// A detail record that is present but unreadable (order_sn an object) is
// quarantined at once, in the run that meets it, with the record as sent
// and a reason naming the field and the order; every other order of the
// batch loads and the run completes. Two such orders: one alone among
// readable records of its batch, and two in one batch (told apart by
// asking for each alone).
func TestMalformedDetailRecordQuarantinedAtOnce(t *testing.T) {
	for name, open := range sinks(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			sim := newSim(t, shopeetest.Options{Orders: 150, Days: 20})
			orders := sim.Orders()
			bad := []string{orders[10].OrderSN, orders[70].OrderSN, orders[71].OrderSN}
			sim.MalformDetail(bad...)
			w := open(t)
			p := pipeline(sourceFor(t, sim, nil, connector.HTTPConfig{}), w)
			res := runner(connector.Full).Run(ctx, p)[0]
			require.NoError(t, res.Err)
			require.Equal(t, connector.StatusOK, res.Status)
			require.EqualValues(t, len(bad), res.Rejected)
			require.EqualValues(t, len(bad), res.Stats["details_malformed"])
			require.Equal(t, len(orders)-len(bad), w.count(t, "shopee_orders", ""))

			rej, err := w.rejected(ctx, p.Name, "orders")
			require.NoError(t, err)
			require.Len(t, rej, len(bad))
			for _, r := range rej {
				require.Contains(t, bad, r.Key)
				require.Contains(t, r.Reason, "order "+r.Key)
				require.Contains(t, r.Reason, "field order_sn is an object")
				var payload struct {
					Record map[string]json.RawMessage `json:"record"`
				}
				require.NoError(t, json.Unmarshal(r.Payload, &payload), string(r.Payload))
				require.JSONEq(t, `{"value":"`+r.Key+`"}`, string(payload.Record["order_sn"]), "the record as sent")
				require.Contains(t, payload.Record, "item_list")
			}

			// The platform repairs the records: the orders load.
			sim.MalformDetail()
			sim.Advance(time.Second)
			for _, sn := range bad {
				require.True(t, sim.Touch(sn))
			}
			res = runner(connector.Incremental).Run(ctx, p)[0]
			require.NoError(t, res.Err)
			require.Zero(t, res.Rejected)
			require.Equal(t, len(orders), w.count(t, "shopee_orders", ""))
		})
	}
}

// A truncated body (HTTP 200, honest Content-Length, JSON cut short) is
// retried like a server error: with a third of the list and detail answers
// cut, the load is complete; with every answer cut, the run fails naming
// the call and stores nothing.
func TestTruncatedBodies(t *testing.T) {
	ctx := context.Background()
	sim := newSim(t, shopeetest.Options{Orders: 150, Days: 20, Hostile: shopeetest.Hostile{Truncate: 0.3}})
	sink := openSink(t)
	res := runner(connector.Full).Run(ctx, pipeline(sourceFor(t, sim, nil, connector.HTTPConfig{Attempts: 8}), sink))[0]
	require.NoError(t, res.Err)
	require.Positive(t, sim.Hostile()["truncated"])
	requireSame(t, expected(sim.Orders()), actual(t, sink.DB()))

	sim = newSim(t, shopeetest.Options{Orders: 50, Days: 20, Hostile: shopeetest.Hostile{Truncate: 1}})
	sink = openSink(t)
	res = runner(connector.Full).Run(ctx, pipeline(sourceFor(t, sim, nil, connector.HTTPConfig{Attempts: 2}), sink))[0]
	require.Error(t, res.Err)
	require.Contains(t, res.Err.Error(), "get_order_list")
	require.Equal(t, connector.StatusFailed, res.Status)
	var n int
	require.NoError(t, sink.DB().QueryRow(`SELECT count(*) FROM shopee_orders`).Scan(&n))
	require.Zero(t, n)
}
