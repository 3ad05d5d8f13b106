package tiktok

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/facolos/etl/connector"
)

// Names of the finance tables.
const (
	StatementsTable   = "tiktok_statements"
	TransactionsTable = "tiktok_statement_transactions"
	ComponentsTable   = "tiktok_transaction_components"
	WithdrawalsTable  = "tiktok_withdrawals"
)

func fcol(name string, typ connector.Type, length int) connector.Column {
	c := connector.Column{Name: name, Type: typ, Length: length, Nullable: true}
	if typ == connector.Decimal {
		c.Precision, c.Scale = 18, 4
	}
	return c
}

func fkeyCol(name string, length int) connector.Column {
	return connector.Column{Name: name, Type: connector.String, Length: length}
}

// finMeta are the bookkeeping columns of the finance tables.
var finMeta = []connector.Column{
	{Name: "source_request_id", Type: connector.String, Length: 100, Nullable: true, Meta: true},
	{Name: "etl_created_at", Type: connector.Timestamp, Nullable: true, Auto: connector.AutoCreatedAt},
	{Name: "etl_updated_at", Type: connector.Timestamp, Nullable: true, Auto: connector.AutoUpdatedAt},
	{Name: "etl_batch_id", Type: connector.String, Length: 50, Nullable: true, Auto: connector.AutoRunID},
	{Name: "etl_source", Type: connector.String, Length: 50, Nullable: true, Meta: true},
}

func finTable(name string, pk []string, version string, cols ...connector.Column) *connector.Table {
	t := &connector.Table{Schema: "staging", Name: name, PrimaryKey: pk, Version: version, Columns: append(cols, finMeta...)}
	if err := t.Validate(); err != nil {
		panic(err)
	}
	return t
}

const (
	tStr  = connector.String
	tInt  = connector.Int
	tDec  = connector.Decimal
	tTime = connector.Timestamp
	tJSON = connector.JSON
)

var (
	// statementsTable: one row per statement. payment_status_rank is the
	// version: a later payment status replaces an earlier one, never the
	// reverse.
	statementsTable = finTable(StatementsTable, []string{"shop_id", "statement_id"}, "payment_status_rank",
		fkeyCol("shop_id", 100), fkeyCol("statement_id", 100), fcol("statement_time", tTime, 0), fcol("currency", tStr, 10),
		fcol("settlement_amount", tDec, 0), fcol("revenue_amount", tDec, 0), fcol("fee_amount", tDec, 0), fcol("adjustment_amount", tDec, 0),
		fcol("net_sales_amount", tDec, 0), fcol("shipping_cost_amount", tDec, 0), fcol("payment_status", tStr, 50),
		fcol("payment_status_rank", tInt, 0), fcol("payment_id", tStr, 100), fcol("payment_time", tTime, 0), fcol("raw_json", tJSON, 0))

	// transactionsTable: one row per statement transaction (202501).
	transactionsTable = finTable(TransactionsTable, []string{"shop_id", "transaction_id"}, "",
		fkeyCol("shop_id", 100), fkeyCol("transaction_id", 100), fcol("statement_id", tStr, 100), fcol("statement_time", tTime, 0),
		fcol("transaction_type", tStr, 200), fcol("currency", tStr, 10), fcol("order_id", tStr, 100), fcol("order_create_time", tTime, 0),
		fcol("adjustment_id", tStr, 100), fcol("adjustment_order_id", tStr, 100), fcol("related_order_id", tStr, 100),
		fcol("settlement_amount", tDec, 0), fcol("revenue_amount", tDec, 0), fcol("shipping_cost_amount", tDec, 0),
		fcol("fee_tax_amount", tDec, 0), fcol("adjustment_amount", tDec, 0),
		fcol("reserve_id", tStr, 100), fcol("reserve_amount", tDec, 0), fcol("reserve_status", tStr, 50), fcol("associated_order_id", tStr, 100),
		fcol("estimated_release_time", tTime, 0),
		fcol("revenue_breakdown", tJSON, 0), fcol("shipping_cost_breakdown", tJSON, 0), fcol("fee_tax_breakdown", tJSON, 0),
		fcol("supplementary_component", tJSON, 0), fcol("raw_json", tJSON, 0))

	// componentsTable: the breakdown amounts of a transaction, one row
	// each: new fee codes land here without a schema change. A child of
	// its transaction.
	componentsTable = func() *connector.Table {
		t := finTable(ComponentsTable, []string{"shop_id", "transaction_id", "component_group", "code"}, "",
			fkeyCol("shop_id", 100), fkeyCol("transaction_id", 100), fkeyCol("component_group", 50), fkeyCol("code", 150),
			fcol("amount", tDec, 0))
		t.Parent, t.ParentKey = "staging."+TransactionsTable, []string{"shop_id", "transaction_id"}
		if err := t.Validate(); err != nil {
			panic(err)
		}
		return t
	}()

	// withdrawalsTable: one row per withdrawal record. status_rank is the
	// version.
	withdrawalsTable = finTable(WithdrawalsTable, []string{"shop_id", "withdrawal_id"}, "status_rank",
		fkeyCol("shop_id", 100), fkeyCol("withdrawal_id", 100), fcol("withdrawal_type", tStr, 50), fcol("amount", tDec, 0),
		fcol("currency", tStr, 10), fcol("status", tStr, 50), fcol("status_rank", tInt, 0), fcol("create_time", tTime, 0),
		fcol("raw_json", tJSON, 0))

	financeTables = []*connector.Table{statementsTable, transactionsTable, componentsTable, withdrawalsTable}
)

func init() {
	statementsTable.Indexes = []connector.Index{{Name: "IX_tiktok_statements_statement_time", Columns: []string{"statement_time"}}}
	transactionsTable.Indexes = []connector.Index{
		{Name: "IX_tiktok_statement_transactions_statement", Columns: []string{"shop_id", "statement_id"}},
		{Name: "IX_tiktok_statement_transactions_related_order", Columns: []string{"shop_id", "related_order_id"}}}
	withdrawalsTable.Indexes = []connector.Index{{Name: "IX_tiktok_withdrawals_create_time", Columns: []string{"create_time"}}}
}

// FinanceTables returns the finance staging tables: statements,
// statement transactions, their breakdown components (a child of the
// transaction) and withdrawals.
func FinanceTables() []*connector.Table { return append([]*connector.Table(nil), financeTables...) }

// Ranks of payment_status_rank and status_rank: PROCESSING, then FAILED,
// then PAID (SUCCESS for a withdrawal); 0 for a status not known here.
func statusRank(s string) int64 {
	switch s {
	case "PROCESSING":
		return 1
	case "FAILED":
		return 2
	case "PAID", "SUCCESS":
		return 3
	}
	return 0
}

// isFinance reports whether rec comes from a finance stream.
func isFinance(rec connector.Record) bool {
	return rec.Stream == StreamStatements || rec.Stream == StreamWithdrawals
}

// finObj is a finance object decoded with exact numbers, and the record
// it belongs to (for errors).
type finObj struct {
	m    map[string]any
	what string // "statement 123"
}

func (o finObj) fail(field, format string, args ...any) error {
	return fmt.Errorf("%s: field %s: %s", o.what, field, fmt.Sprintf(format, args...))
}

// text reads an optional string (a number is kept as its digits: ids).
func (o finObj) text(key string) (any, error) {
	switch v := o.m[key].(type) {
	case nil:
		return nil, nil
	case string:
		return v, nil
	case json.Number:
		return v.String(), nil
	}
	return nil, o.fail(key, "%T is not text", o.m[key])
}

// money reads an optional amount: a signed decimal string ("" and absent
// are NULL), exact, fitting DECIMAL(18,4).
func (o finObj) money(key string) (any, error) { return moneyOf(o, key, o.m[key]) }

func moneyOf(o finObj, key string, v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		if strings.TrimSpace(x) == "" {
			return nil, nil
		}
		d, err := connector.ParseDec(strings.TrimSpace(x))
		if err != nil {
			return nil, o.fail(key, "%q is not a decimal", x)
		}
		if err := d.Fits(18, 4); err != nil {
			return nil, o.fail(key, "%v", err)
		}
		return d, nil
	}
	return nil, o.fail(key, "%v is not a decimal string", v)
}

// unix reads an optional Unix time (a number, or its digits as a string);
// 0 is NULL.
func (o finObj) unix(key string) (any, error) {
	var s string
	switch v := o.m[key].(type) {
	case nil:
		return nil, nil
	case json.Number:
		s = v.String()
	case string:
		if v == "" {
			return nil, nil
		}
		s = v
	default:
		return nil, o.fail(key, "%T is not a Unix time", v)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return nil, o.fail(key, "%q is not a Unix time", s)
	}
	if n == 0 {
		return nil, nil
	}
	return time.Unix(n, 0).UTC(), nil
}

// json reads an optional object as its JSON text ({} and null are NULL).
func (o finObj) json(key string) (any, error) {
	switch v := o.m[key].(type) {
	case nil:
		return nil, nil
	case map[string]any:
		if len(v) == 0 {
			return nil, nil
		}
		b, _ := json.Marshal(v)
		return connector.RawJSON(b), nil
	}
	return nil, o.fail(key, "%T is not an object", o.m[key])
}

// fill sets the row's columns from the object: cols maps a column to its
// reader.
func fill(t *connector.Table, vals map[string]any, reqID string) []any {
	row := make([]any, len(t.Columns))
	for i, c := range t.Columns {
		switch c.Name {
		case "source_request_id":
			if reqID != "" {
				row[i] = reqID
			}
		case "etl_source":
			row[i] = ETLSource
		default:
			row[i] = vals[c.Name]
		}
	}
	return row
}

// read runs readers, collecting their values under their column names.
type reader struct {
	vals map[string]any
	err  error
}

func (r *reader) set(col string, v any, err error) {
	if r.err == nil {
		r.vals[col], r.err = v, err
	}
}

func decodeObject(raw json.RawMessage) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, fmt.Errorf("not an object")
	}
	return m, nil
}

// transformFinance makes the rows of a finance record.
func transformFinance(rec connector.Record, out connector.Output) error {
	var fr finRecord
	if err := json.Unmarshal(rec.Data, &fr); err != nil {
		return fmt.Errorf("%s: not a finance record: %w", rec.Key, err)
	}
	what := rec.Key
	switch {
	case strings.HasPrefix(rec.Key, keyStatement):
		what = "statement " + strings.TrimPrefix(rec.Key, keyStatement)
	case strings.HasPrefix(rec.Key, keyTransaction):
		what = "transaction " + strings.TrimPrefix(rec.Key, keyTransaction) + " of statement " + fr.StatementID
	default:
		what = "withdrawal " + rec.Key
	}
	if fr.ShopID == "" {
		return fmt.Errorf("%s: the record carries no shop id", what)
	}
	m, err := decodeObject(fr.Data)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	o := finObj{m: m, what: what}
	id, err := o.text("id")
	if err != nil {
		return err
	}
	if id == nil || id == "" {
		return o.fail("id", "missing")
	}
	r := &reader{vals: map[string]any{"shop_id": fr.ShopID}}
	switch {
	case strings.HasPrefix(rec.Key, keyStatement):
		r.vals["statement_id"] = id
		for _, k := range []string{"currency", "payment_status", "payment_id"} {
			v, err := o.text(k)
			r.set(k, v, err)
		}
		for _, k := range []string{"settlement_amount", "revenue_amount", "fee_amount", "adjustment_amount", "net_sales_amount", "shipping_cost_amount"} {
			v, err := o.money(k)
			r.set(k, v, err)
		}
		for _, k := range []string{"statement_time", "payment_time"} {
			v, err := o.unix(k)
			r.set(k, v, err)
		}
		if r.err != nil {
			return r.err
		}
		if r.vals["statement_time"] == nil {
			return o.fail("statement_time", "missing")
		}
		if r.vals["settlement_amount"] == nil {
			return o.fail("settlement_amount", "missing")
		}
		st, _ := r.vals["payment_status"].(string)
		r.vals["payment_status_rank"] = statusRank(st)
		r.vals["raw_json"] = connector.RawJSON(fr.Data)
		out.Add(statementsTable, fill(statementsTable, r.vals, rec.RequestID))
		return nil
	case strings.HasPrefix(rec.Key, keyTransaction):
		return transformTransaction(rec, fr, o, id.(string), r, out)
	}
	r.vals["withdrawal_id"] = id
	for _, k := range []string{"currency", "status"} {
		v, err := o.text(k)
		r.set(k, v, err)
	}
	if r.err == nil {
		v, err := o.text("type")
		r.set("withdrawal_type", v, err)
	}
	if r.err == nil {
		v, err := o.money("amount")
		r.set("amount", v, err)
	}
	if r.err == nil {
		v, err := o.unix("create_time")
		r.set("create_time", v, err)
	}
	if r.err != nil {
		return r.err
	}
	if r.vals["amount"] == nil {
		return o.fail("amount", "missing")
	}
	st, _ := r.vals["status"].(string)
	r.vals["status_rank"] = statusRank(st)
	r.vals["raw_json"] = connector.RawJSON(fr.Data)
	out.Add(withdrawalsTable, fill(withdrawalsTable, r.vals, rec.RequestID))
	return nil
}

// componentGroups are the breakdown objects of a transaction and the
// group their amounts get; nested objects add ".<key>" to it.
var componentGroups = []struct{ key, group string }{
	{"revenue_breakdown", "revenue"},
	{"shipping_cost_breakdown", "shipping_cost"},
	{"fee_tax_breakdown", "fee_tax"}, // its "fee" and "tax" objects are the groups "fee" and "tax"
	{"supplementary_component", "supplementary"},
}

// transformTransaction writes a statement transaction and its components.
func transformTransaction(rec connector.Record, fr finRecord, o finObj, id string, r *reader, out connector.Output) error {
	r.vals["transaction_id"] = id
	r.vals["statement_id"] = fr.StatementID
	if fr.StatementTime > 0 {
		r.vals["statement_time"] = time.Unix(fr.StatementTime, 0).UTC()
	}
	if fr.Currency != "" {
		r.vals["currency"] = fr.Currency
	}
	for _, k := range []string{"order_id", "adjustment_id", "adjustment_order_id", "reserve_id", "reserve_status", "associated_order_id"} {
		v, err := o.text(k)
		if v == "" {
			v = nil
		}
		r.set(k, v, err)
	}
	if r.err == nil {
		v, err := o.text("type")
		r.set("transaction_type", v, err)
	}
	for _, k := range []string{"settlement_amount", "revenue_amount", "shipping_cost_amount", "fee_tax_amount", "adjustment_amount", "reserve_amount"} {
		v, err := o.money(k)
		r.set(k, v, err)
	}
	for _, k := range []string{"order_create_time", "estimated_release_time"} {
		v, err := o.unix(k)
		r.set(k, v, err)
	}
	for _, k := range []string{"revenue_breakdown", "shipping_cost_breakdown", "fee_tax_breakdown", "supplementary_component"} {
		v, err := o.json(k)
		r.set(k, v, err)
	}
	if r.err != nil {
		return r.err
	}
	if r.vals["settlement_amount"] == nil {
		return o.fail("settlement_amount", "missing")
	}
	if r.vals["transaction_type"] == nil {
		return o.fail("type", "missing")
	}
	related := r.vals["order_id"]
	if related == nil {
		related = r.vals["adjustment_order_id"]
	}
	r.vals["related_order_id"] = related
	r.vals["raw_json"] = connector.RawJSON(fr.Data)
	// The components: every amount of the breakdown objects.
	type comp struct {
		group, code string
		amount      connector.Dec
	}
	var comps []comp
	var walk func(v map[string]any, group, path string) error
	walk = func(v map[string]any, group, path string) error {
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			switch x := v[k].(type) {
			case nil:
			case map[string]any:
				g := group + "." + k
				if group == "fee_tax" {
					g = k // fee_tax_breakdown.fee → "fee", .tax → "tax"
				}
				if err := walk(x, g, path+"."+k); err != nil {
					return err
				}
			default:
				d, err := moneyOf(o, path+"."+k, x)
				if err != nil {
					return err
				}
				if d != nil {
					comps = append(comps, comp{group, k, d.(connector.Dec)})
				}
			}
		}
		return nil
	}
	for _, g := range componentGroups {
		if obj, ok := o.m[g.key].(map[string]any); ok {
			if err := walk(obj, g.group, g.key); err != nil {
				return err
			}
		}
	}
	out.Add(transactionsTable, fill(transactionsTable, r.vals, rec.RequestID))
	for _, c := range comps {
		out.Add(componentsTable, fill(componentsTable, map[string]any{"shop_id": fr.ShopID, "transaction_id": id,
			"component_group": c.group, "code": c.code, "amount": c.amount}, rec.RequestID))
	}
	return nil
}
