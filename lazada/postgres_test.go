package lazada_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/lazada/lazadatest"
	"github.com/facolos/etl/sink/postgres"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// End to end into PostgreSQL (ETL_TEST_POSTGRES_DSN), in private schemas:
// a full load equals the simulator's data column by column, and after the
// simulator's clock moves an incremental run updates the changed orders
// and deletes their vanished items.
func TestPostgresEndToEnd(t *testing.T) {
	dsn := os.Getenv("ETL_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("set ETL_TEST_POSTGRES_DSN to run against PostgreSQL")
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	prefix := "etl_t_" + hex.EncodeToString(b[:])
	schemas := map[string]string{"staging": prefix + "_staging", "etl_control": prefix + "_control"}
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), dsn)
		if err != nil {
			t.Errorf("cleanup: %v", err)
			return
		}
		defer conn.Close(context.Background())
		for _, s := range schemas {
			if _, err := conn.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+connector.QuoteIdent(s)+" CASCADE"); err != nil {
				t.Errorf("cleanup: %v", err)
			}
		}
	})
	sink, err := postgres.Open(context.Background(), postgres.Config{DSN: dsn, Schemas: schemas})
	require.NoError(t, err)
	t.Cleanup(func() { sink.Close() })
	sim := newSim(t, lazadatest.Options{Orders: 250})
	src := sourceFor(t, config(sim, nil, connector.HTTPConfig{}))
	require.NoError(t, run(t, src, sink).Err)
	requireSame(t, expected(sim.SellerID(), sim.Orders()), actual(t, sink))
	sim.Advance(48 * time.Hour)
	require.NoError(t, run(t, src, sink).Err)
	requireSame(t, expected(sim.SellerID(), sim.Orders()), actual(t, sink))
}
