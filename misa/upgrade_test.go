package misa_test

import (
	"context"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/misa"
	"github.com/facolos/etl/misa/misatest"
	"github.com/facolos/etl/sink/postgres"
	"github.com/facolos/etl/tokenstore"
	"github.com/stretchr/testify/require"
)

// oldTables are the MISA tables as versions before the tenant key made
// them: keys without tenant, misa_customers without a tenant column (as
// the first versions), the other parents with a nullable one, the
// flattened items without, and the unique index on product_code alone.
func oldTables() (map[*connector.Table]*connector.Table, []*connector.Table) {
	byNew := map[*connector.Table]*connector.Table{}
	var out []*connector.Table
	for _, nt := range misa.Tables() {
		ot := &connector.Table{Schema: nt.Schema, Name: nt.Name, Parent: nt.Parent, Version: nt.Version,
			PrimaryKey: slices.DeleteFunc(slices.Clone(nt.PrimaryKey), isTenant), ParentKey: slices.DeleteFunc(slices.Clone(nt.ParentKey), isTenant)}
		for _, c := range nt.Columns {
			if c.Name == "tenant" {
				if nt.Parent != "" || nt.Name == "misa_customers" {
					continue
				}
				c.Nullable = true
			}
			ot.Columns = append(ot.Columns, c)
		}
		for _, ix := range nt.Indexes {
			switch ix.Name {
			case "IX_misa_sale_orders_order_id", "IX_misa_stocks_stock_code":
			case "IX_misa_products_tenant_product_code_unique":
				ot.Indexes = append(ot.Indexes, connector.Index{Name: "IX_misa_products_product_code_unique", Columns: []string{"product_code"}, Unique: true, WhereNotNull: true})
			default:
				ot.Indexes = append(ot.Indexes, ix)
			}
		}
		if err := ot.Validate(); err != nil {
			panic(err)
		}
		byNew[nt] = ot
		out = append(out, ot)
	}
	return byNew, out
}

func isTenant(s string) bool { return s == "tenant" }

// oldTransformer writes the rows of the MISA transformer into oldTables,
// the tenant column left NULL where there is one.
type oldTransformer struct {
	byNew  map[*connector.Table]*connector.Table
	tables []*connector.Table
}

func (o oldTransformer) Tables() []*connector.Table { return o.tables }

func (o oldTransformer) Transform(rec connector.Record, out connector.Output) error {
	return misa.Transformer{}.Transform(rec, oldOutput{o, out})
}

type oldOutput struct {
	o   oldTransformer
	out connector.Output
}

func (w oldOutput) Add(nt *connector.Table, row []any) {
	ot := w.o.byNew[nt]
	old := make([]any, len(ot.Columns))
	for i, c := range ot.Columns {
		if c.Name != "tenant" {
			old[i] = row[nt.ColumnIndex(c.Name)]
		}
	}
	w.out.Add(ot, old)
}

// upgradeSQL is the migration block of docs/operations.md marked
// <!-- upgrade:engine -->.
func upgradeSQL(t *testing.T, engine string) string {
	t.Helper()
	doc, err := os.ReadFile("../docs/operations.md")
	require.NoError(t, err)
	m := regexp.MustCompile("(?s)<!-- upgrade:" + engine + " -->\n```sql\n(.*?)```").FindSubmatch(doc)
	require.NotNil(t, m, "docs/operations.md has no upgrade:%s block", engine)
	return string(m[1])
}

// The documented upgrade of a warehouse made with the keys of before
// (docs/operations.md, "Upgrading"): Prepare refuses it, naming the table
// and both keys; the PostgreSQL block migrates it in place (the rows and
// checkpoints stay), the SQLite recipe sets it aside for a reload; then the
// account syncs again and its rows equal the simulator's, and a second
// account with the same ids (and product codes) loads beside them.
func TestUpgrade(t *testing.T) {
	eachSink(t, func(t *testing.T, sink testSink) {
		ctx := context.Background()
		opts := misatest.Options{Seed: 7, Customers: 80, SaleOrders: 80, Contacts: 40, Products: 30, ChangeRate: 0.3}
		sim := newSim(t, opts)
		pipe := func(tenant string, sim *misatest.Server, tr connector.Transformer) connector.Pipeline {
			cfg := config(sim, &tokenstore.Memory{}, connector.HTTPConfig{})
			cfg.Account = tenant
			src, err := misa.NewSource(cfg)
			require.NoError(t, err)
			if tr == nil {
				tr = src.Transformer()
			}
			return connector.Pipeline{Name: "misa/" + tenant, Platform: "misa", Account: tenant, Source: src, Transformer: tr, Sink: sink}
		}
		byNew, old := oldTables()
		run(t, runner(connector.Full), pipe("crm", sim, oldTransformer{byNew, old}))

		err := sink.Prepare(ctx, misa.Tables())
		require.ErrorIs(t, err, connector.ErrKeyChanged)
		require.Regexp(t, `misa_customers"? has primary key \(id\), the definition of staging.misa_customers wants \(tenant, id\)`, err.Error())

		migration := upgradeSQL(t, "sqlite")
		if pg, ok := sink.(*postgres.Sink); ok {
			migration = strings.Replace(upgradeSQL(t, "postgres"), "'staging'", "'"+pg.Schema("staging")+"'", 1)
		}
		_, err = sink.DB().ExecContext(ctx, migration)
		require.NoError(t, err)

		sim.Advance(2 * time.Hour)
		run(t, runner(connector.Incremental), pipe("crm", sim, nil))
		requireSame(t, expectedOf(sim, "crm"), actualOf(t, sink, "crm"))

		// Every declared index is on the new table (none left behind on a
		// renamed one under the same name).
		for _, tb := range misa.Tables() {
			for _, ix := range tb.Indexes {
				q, args := `SELECT tbl_name FROM sqlite_master WHERE type = 'index' AND name = ?`, []any{ix.Name}
				if pg, ok := sink.(*postgres.Sink); ok {
					q, args = `SELECT tablename FROM pg_indexes WHERE schemaname = $1 AND indexname = $2`, []any{pg.Schema("staging"), ix.Name}
				}
				var on string
				require.NoError(t, sink.DB().QueryRowContext(ctx, q, args...).Scan(&on), ix.Name)
				require.Equal(t, tb.Name, on, ix.Name)
			}
		}

		other := newSim(t, opts)
		run(t, runner(connector.Full), pipe("other", other, nil))
		requireSame(t, expectedOf(other, "other"), actualOf(t, sink, "other"))
		requireSame(t, expectedOf(sim, "crm"), actualOf(t, sink, "crm"))
	})
}
