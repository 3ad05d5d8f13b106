package mssql

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/lazada"
	"github.com/facolos/etl/misa"
	"github.com/facolos/etl/shopee"
	"github.com/facolos/etl/sink/sinktest"
	"github.com/facolos/etl/tiktok"
	"github.com/facolos/etl/tokenstore"
	mssql "github.com/microsoft/go-mssqldb"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".sql")
	if *update {
		if err := os.WriteFile(path, []byte(got+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./sink/mssql -update to create it)", err)
	}
	if strings.TrimSuffix(string(want), "\n") != got {
		t.Errorf("%s differs from %s:\n%s", name, path, got)
	}
}

func shopeeTable(name string) *connector.Table {
	for _, t := range shopee.Tables() {
		if t.Name == name {
			return t
		}
	}
	panic(name)
}

// Every generated statement, for a parent table (shopee_orders), a child
// table (shopee_order_items) and a table of every column type.
func TestGoldenStatements(t *testing.T) {
	orders, items := shopeeTable("shopee_orders"), shopeeTable("shopee_order_items")
	values := &connector.Table{Schema: "staging", Name: "typed", PrimaryKey: []string{"k"}, Columns: []connector.Column{
		{Name: "k", Type: connector.String}, {Name: "s", Type: connector.String, Length: 20, Nullable: true},
		{Name: "i", Type: connector.Int, Nullable: true}, {Name: "d", Type: connector.Decimal, Precision: 18, Scale: 4, Nullable: true},
		{Name: "b", Type: connector.Bool, Nullable: true}, {Name: "ts", Type: connector.Timestamp, Nullable: true},
		{Name: "j", Type: connector.JSON, Nullable: true}, {Name: "u", Type: connector.UUID, Nullable: true}, {Name: "created", Type: connector.Timestamp, Nullable: true, Auto: connector.AutoCreatedAt}}}
	// A child table whose parent key is not a prefix of its primary key.
	indexedChild := &connector.Table{Schema: "staging", Name: "lines", PrimaryKey: []string{"line_id"}, Parent: "staging.shopee_orders", ParentKey: []string{"order_sn"},
		Columns: []connector.Column{{Name: "line_id", Type: connector.Int}, {Name: "order_sn", Type: connector.String, Length: 50}}}
	for _, tb := range []*connector.Table{orders, items, values, indexedChild} {
		if err := tb.Validate(); err != nil {
			t.Fatal(err)
		}
	}
	on, in, vn := names{"staging", "shopee_orders"}, names{"staging", "shopee_order_items"}, names{"staging", "typed"}
	oTemp, iTemp := tempName(orders, on, connector.TimeUTC), tempName(items, in, connector.TimeUTC)
	cases := map[string]string{
		"create_schema":         createSchemaSQL("staging"),
		"create_table_orders":   createTableSQL(orders, on, connector.TimeUTC),
		"create_table_items":    createTableSQL(items, in, connector.TimeUTC),
		"create_table_typed":    createTableSQL(values, vn, connector.TimeUTC),
		"create_table_typed_vn": createTableSQL(values, vn, connector.TimeVietnam),
		"add_column":            addColumnSQL(orders.Columns[orders.ColumnIndex("hot_listing_order")], on, connector.TimeUTC),
		"parent_index":          parentIndexSQL(&connector.Table{Schema: "staging", Name: "x", ParentKey: []string{"a", "b"}}, names{"staging", "x"}),
		"create_temp_items":     createTempSQL(items, iTemp, connector.TimeUTC),
		"create_temp_typed":     createTempSQL(values, tempName(values, vn, connector.TimeUTC), connector.TimeUTC),
		"drop_temp":             dropTempSQL(iTemp),
		"merge_orders":          mergeSQL(orders, on, oTemp),
		"merge_items":           mergeSQL(items, in, iTemp),
		"merge_typed":           mergeSQL(values, vn, "#t"),
		"update_insert_orders":  updateInsertSQL(orders, on, oTemp),
		"update_insert_typed":   updateInsertSQL(values, vn, "#t"),
		"child_delete_items":    childDeleteSQL(items, orders, in, iTemp, oTemp),
		"control_tables":        strings.Join(controlSQL("etl_control"), ";\n"),
		"save_checkpoint":       saveCheckpointSQL("etl_control"),
		"insert_rejected":       insertRejectedSQL("etl_control"),
		"token_store":           strings.Join(tokenstore.SQLServer.Create, ";\n"),
		"prepare_items":         strings.Join(prepareSQL(items, in, connector.TimeUTC), ";\n"),
		"prepare_child_indexed": strings.Join(prepareSQL(indexedChild, names{"staging", "lines"}, connector.TimeUTC), ";\n"),
		"table_rows":            tableRowsSQL,
		"update_statistics":     updateStatisticsSQL(in),
	}
	for name, got := range cases {
		t.Run(name, func(t *testing.T) { golden(t, name, got) })
	}
}

func TestNoMaxTypesInKeys(t *testing.T) {
	var all []*connector.Table
	for _, tr := range []interface{ Tables() []*connector.Table }{shopee.Transformer{}, tiktok.Transformer{}, lazada.Transformer{}, misa.Transformer{}} {
		all = append(all, tr.Tables()...)
	}
	for _, tb := range append(all, sinktest.WideTable()) {
		for _, c := range tb.Columns {
			if typ := columnType(c, tb.IsKey(c.Name), false, connector.TimeUTC); tb.IsKey(c.Name) && strings.Contains(typ, "MAX") {
				t.Errorf("%s.%s: key column of type %s", tb.FullName(), c.Name, typ)
			}
		}
		// Clustered keys must fit 900 bytes.
		size := 0
		for _, k := range tb.PrimaryKey {
			c := tb.Columns[tb.ColumnIndex(k)]
			switch c.Type {
			case connector.String:
				n := c.Length
				if n == 0 || n > 4000 {
					n = 450
				}
				size += 2 * n
			default:
				size += 17
			}
		}
		if size > 900 {
			t.Errorf("%s: primary key of %d bytes exceeds 900", tb.FullName(), size)
		}
	}
}

func TestTempNamesFollowTheDefinition(t *testing.T) {
	a := shopeeTable("shopee_orders")
	n := names{"staging", a.Name}
	if tempName(a, n, connector.TimeUTC) != tempName(a, n, connector.TimeUTC) {
		t.Fatal("temp name must be stable")
	}
	b := &connector.Table{Schema: a.Schema, Name: a.Name, PrimaryKey: a.PrimaryKey,
		Columns: append(append([]connector.Column(nil), a.Columns...), connector.Column{Name: "new_col", Type: connector.Int, Nullable: true})}
	if tempName(a, n, connector.TimeUTC) == tempName(b, n, connector.TimeUTC) {
		t.Fatal("a new definition gets a new temp table")
	}
	if !strings.HasPrefix(tempName(a, n, connector.TimeUTC), "#etl_shopee_orders_") {
		t.Fatal("temp tables are session temp tables (#)")
	}
}

// The bulk-copy plumbing: what each value becomes on the wire.
func TestBulkValues(t *testing.T) {
	s := &Sink{cfg: Config{}}
	vn := &Sink{cfg: Config{TimeBasis: connector.TimeVietnam}}
	dec := connector.Column{Type: connector.Decimal, Precision: 18, Scale: 4}
	if got := s.value(&dec, connector.MustDec("1500000.5")); got != "1500000.5000" {
		t.Errorf("decimal: %v", got)
	}
	at := time.Date(2025, 1, 31, 20, 30, 0, 0, time.FixedZone("x", 3600))
	ts := connector.Column{Type: connector.Timestamp}
	if got := s.value(&ts, at).(time.Time); got.Location() != time.UTC || !got.Equal(at) {
		t.Errorf("UTC basis: %v", got)
	}
	if got := vn.value(&ts, at).(time.Time); got.Format("2006-01-02 15:04") != "2025-02-01 02:30" {
		t.Errorf("Vietnam basis: wall clock %v", got)
	}
	js := connector.Column{Type: connector.JSON}
	if got := s.value(&js, connector.RawJSON(`{"a":1}`)); got != `{"a":1}` {
		t.Errorf("json: %v", got)
	}
	if got := s.value(&js, nil); got != nil {
		t.Errorf("null: %v", got)
	}
}

func TestTransientErrors(t *testing.T) {
	if !transient(mssql.Error{Number: 1205}) {
		t.Error("deadlock victims are retried")
	}
	if transient(mssql.Error{Number: 2627}) {
		t.Error("a key violation is not retried")
	}
}

// Every child table of the Shopee schema is found by its parent key through
// an index: the clustered primary key when the parent key leads it, else
// IX_<table>_parent.
func TestChildTablesIndexTheParentKey(t *testing.T) {
	for _, tb := range shopee.Tables() {
		if tb.Parent == "" {
			continue
		}
		ddl := strings.Join(prepareSQL(tb, names{"staging", tb.Name}, connector.TimeUTC), "\n")
		lead := "PRIMARY KEY CLUSTERED (" + strings.Join(quoteAll(tb.ParentKey), ", ")
		if !strings.Contains(ddl, lead) && !strings.Contains(ddl, "CREATE INDEX [IX_"+tb.Name+"_parent]") {
			t.Errorf("%s: no index leads with the parent key %v:\n%s", tb.FullName(), tb.ParentKey, ddl)
		}
	}
}
