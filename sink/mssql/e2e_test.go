package mssql_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/shopee"
	"github.com/facolos/etl/shopee/shopeetest"
	"github.com/facolos/etl/sink/mssql"
	"github.com/facolos/etl/sink/postgres"
	"github.com/facolos/etl/sink/sinktest"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/facolos/etl/tokenstore"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// shopeeSideBySide runs the Shopee pipeline from one demo simulator into
// the reference sink and the candidate sink: a full load, then, after the
// simulated shop has moved on (statuses change, items are removed, new
// orders arrive), an incremental run. After each step every staging table
// must hold the same rows in both (the Auto columns, set from each run's
// clock and run id, and the Meta request ids, which differ per request, are
// compared for presence only).
func shopeeSideBySide(t *testing.T, reference, candidate sinktest.Sink) {
	t.Helper()
	ctx := context.Background()
	sim := shopeetest.NewServer(shopeetest.Options{Orders: 150, Days: 30, Seed: 11, Now: time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)})
	t.Cleanup(sim.Close)
	tokens := &tokenstore.Memory{} // one shop, one token: both sides share its rotations
	src := func() *shopee.Source {
		s, err := shopee.NewSource(shopee.Config{Host: sim.URL, PartnerID: sim.PartnerID(), PartnerKey: sim.PartnerKey(), ShopID: sim.ShopID(),
			AccessToken: sim.InitialAccess(), RefreshToken: sim.InitialRefresh(), Tokens: tokens, Now: sim.Now,
			HTTP: connector.HTTPConfig{MinBackoff: time.Millisecond, MaxBackoff: 20 * time.Millisecond, Logger: quiet}, Logger: quiet})
		require.NoError(t, err)
		return s
	}
	refSrc, candSrc := src(), src()
	step := func(name string, mode connector.Mode) {
		for _, side := range []struct {
			src  *shopee.Source
			sink sinktest.Sink
		}{{refSrc, reference}, {candSrc, candidate}} {
			res := (&connector.Runner{Mode: mode, Logger: quiet}).Run(ctx, connector.Pipeline{Name: "shopee/123456", Platform: "shopee",
				Account: "123456", Source: side.src, Transformer: shopee.Transformer{}, Sink: side.sink})[0]
			require.NoError(t, res.Err, "%s into %T", name, side.sink)
			require.Positive(t, res.Records, "%s into %T", name, side.sink)
		}
		for _, tb := range shopee.Tables() {
			want, err := reference.ReadTable(ctx, tb)
			require.NoError(t, err)
			got, err := candidate.ReadTable(ctx, tb)
			require.NoError(t, err)
			if tb.Name == "shopee_orders" || tb.Name == "shopee_order_items" {
				require.NotEmpty(t, want, "%s: %s is empty", name, tb.Name)
			}
			w, g := comparable(tb, want), comparable(tb, got)
			require.Equal(t, len(w), len(g), "%s: %s row count", name, tb.Name)
			for i := range w {
				if !reflect.DeepEqual(w[i], g[i]) {
					t.Fatalf("%s: %s row %d differs:\nreference %v\ncandidate %v", name, tb.Name, i, w[i], g[i])
				}
			}
		}
	}
	step("full load", connector.Full)
	require.NotEmpty(t, sim.Advance(6*time.Hour))
	step("incremental after Advance", connector.Incremental)
}

// comparable renders rows for comparison across databases: decimals at the
// column's scale, instants in UTC, JSON as text, Auto and Meta columns
// reduced to whether they are set.
func comparable(tb *connector.Table, rows [][]any) [][]string {
	out := make([][]string, len(rows))
	for r, row := range rows {
		out[r] = make([]string, len(row))
		for i, v := range row {
			c := tb.Columns[i]
			switch x := v.(type) {
			case nil:
				out[r][i] = "NULL"
				continue
			case connector.Dec:
				out[r][i] = x.Fixed(c.Scale)
			case time.Time:
				out[r][i] = x.UTC().Format(time.RFC3339Nano)
			case connector.RawJSON:
				out[r][i] = string(x)
			default:
				out[r][i] = fmt.Sprint(x)
			}
			if c.Auto != connector.AutoNone || c.Meta {
				out[r][i] = "set"
			}
		}
	}
	return out
}

var basisName = map[connector.TimeBasis]string{connector.TimeUTC: "utc", connector.TimeVietnam: "vietnam-time"}

func sqliteSink(t *testing.T, basis connector.TimeBasis) *sqlite.Sink {
	s, err := sqlite.Open(context.Background(), sqlite.Config{Path: filepath.Join(t.TempDir(), "reference.db"), TimeBasis: basis})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// The Shopee pipeline into the TDS server (SQL Server or Babelfish) and into
// SQLite give the same staging tables, under both time bases. On Babelfish
// the sink starts with merge and switches to update-insert by itself. Each
// subtest has its own schemas on the server (isolated), dropped when it
// ends, so one subtest never sees another's tables, runs or failures.
func TestShopeeEndToEnd(t *testing.T) {
	dsn(t)
	seen := map[string]bool{}
	for _, basis := range []connector.TimeBasis{connector.TimeUTC, connector.TimeVietnam} {
		t.Run(basisName[basis], func(t *testing.T) {
			schemas := isolated(t)
			for _, sc := range schemas {
				require.False(t, seen[sc], "schema %s shared between subtests", sc)
				seen[sc] = true
			}
			shopeeSideBySide(t, sqliteSink(t, basis), open(t, mssql.Config{TimeBasis: basis, Logger: quiet, Schemas: schemas}))
		})
	}
}

// The side-by-side harness itself, without a TDS server: SQLite against
// PostgreSQL under both time bases (when ETL_TEST_POSTGRES_DSN is set) and
// against a second SQLite file, so the comparison of TestShopeeEndToEnd is
// known to work here.
func TestShopeeSideBySideHarness(t *testing.T) {
	t.Run("sqlite/utc", func(t *testing.T) {
		shopeeSideBySide(t, sqliteSink(t, connector.TimeUTC), sqliteSink(t, connector.TimeUTC))
	})
	for _, basis := range []connector.TimeBasis{connector.TimeUTC, connector.TimeVietnam} {
		t.Run("postgres/"+basisName[basis], func(t *testing.T) {
			pg := os.Getenv("ETL_TEST_POSTGRES_DSN")
			if pg == "" {
				t.Skip("set ETL_TEST_POSTGRES_DSN to also compare SQLite with PostgreSQL")
			}
			shopeeSideBySide(t, sqliteSink(t, basis), postgresSink(t, pg, basis))
		})
	}
}

func postgresSink(t *testing.T, dsn string, basis connector.TimeBasis) *postgres.Sink {
	ctx := context.Background()
	var b [5]byte
	_, _ = rand.Read(b[:])
	p := "etl_t_" + hex.EncodeToString(b[:])
	schemas := map[string]string{"staging": p + "_staging", "etl_control": p + "_control"}
	s, err := postgres.Open(ctx, postgres.Config{DSN: dsn, Schemas: schemas, TimeBasis: basis})
	require.NoError(t, err)
	t.Cleanup(func() {
		s.Close()
		cctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		conn, err := pgx.Connect(cctx, dsn)
		if err != nil {
			t.Errorf("cleanup: %v", err)
			return
		}
		defer conn.Close(cctx)
		for _, sc := range schemas {
			if _, err := conn.Exec(cctx, "DROP SCHEMA IF EXISTS "+connector.QuoteIdent(sc)+" CASCADE"); err != nil {
				t.Errorf("cleanup: %v", err)
			}
		}
	})
	return s
}
