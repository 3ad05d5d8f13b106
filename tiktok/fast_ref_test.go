package tiktok

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/tiktok/tiktoktest"
	"github.com/stretchr/testify/require"
)

// refTransform is the transformer as it was before the one-pass decoder
// read the nested objects: encoding/json decodes the order (through val
// and json.RawMessage), then payment, recipient_address, the packages and
// each line item on their own, and the checks run in the same order. It is
// the reference the fast transformer must match value for value and error
// for error.
func refTransform(data []byte, key string) ([][]any, error) {
	var o apiOrder
	if err := json.Unmarshal(data, &o); err != nil {
		return nil, fmt.Errorf("order %s: not a JSON order object: %w", key, err)
	}
	id, err := str(&o.ID)
	if err != nil || id == nil || id.(string) == "" {
		return nil, fmt.Errorf("order %s: field id: missing", key)
	}
	fail := func(err error) error { return fmt.Errorf("order %s: %w", id, err) }
	object := func(raw json.RawMessage, dst any) error {
		if isNull(raw) {
			return nil
		}
		if raw[0] != '{' {
			return errors.New("not an object")
		}
		return json.Unmarshal(raw, dst)
	}
	list := func(raw json.RawMessage) ([]json.RawMessage, error) {
		if isNull(raw) {
			return nil, nil
		}
		if raw[0] != '[' {
			return nil, errors.New("not a list")
		}
		var l []json.RawMessage
		return l, json.Unmarshal(raw, &l)
	}
	if err := object(o.Payment, &o.payment); err != nil {
		return nil, fail(fmt.Errorf("field payment: %w", err))
	}
	if err := object(o.RecipientAddress, &o.recipient); err != nil {
		return nil, fail(fmt.Errorf("field recipient_address: %w", err))
	}
	pkgs, err := list(o.Packages)
	if err != nil {
		return nil, fail(fmt.Errorf("field packages: %w", err))
	}
	if len(pkgs) > 0 {
		if err := object(pkgs[0], &o.pkg); err != nil {
			return nil, fail(fmt.Errorf("field packages[0]: %w", err))
		}
	}
	items, err := list(o.LineItems)
	if err != nil {
		return nil, fail(fmt.Errorf("field line_items: %w", err))
	}
	var c cells
	base := make([]any, len(columns))
	if err := fillOrder(&c, base, &o); err != nil {
		return nil, fail(err)
	}
	js := func(raw json.RawMessage, open, close byte) any {
		if isNull(raw) || raw[0] != open || isEmpty(raw, open, close) {
			return nil
		}
		return connector.RawJSON(raw)
	}
	base[cEtlSource] = ETLSource
	base[cRawOrderJson] = connector.RawJSON(data)
	base[cPaymentInfoJson] = js(o.Payment, '{', '}')
	base[cRecipientAddressJson] = js(o.RecipientAddress, '{', '}')
	base[cPackagesJson] = js(o.Packages, '[', ']')
	base[cLineItemsJson] = js(o.LineItems, '[', ']')
	if base[cLineItemsJson] == nil {
		base[cLineItemsJson] = connector.RawJSON("[]")
	}
	di := o.recipient.DistrictInfo
	base[cRecipientDistrictInfo] = js(di, '[', ']')
	if base[cRecipientDistrictInfo] == nil && !isNull(di) && di[0] != '[' {
		return nil, fail(errors.New("field recipient_address.district_info: not a list"))
	}
	if len(items) == 0 {
		base[cItemID] = ""
		return [][]any{base}, nil
	}
	var rows [][]any
	seen := map[any]bool{}
	for i, raw := range items {
		var it apiItem
		if err := object(raw, &it); err != nil {
			return nil, fail(fmt.Errorf("field line_items[%d]: %w", i, err))
		}
		row := append([]any(nil), base...)
		if err := fillItem(&c, row, &it, i); err != nil {
			return nil, fail(err)
		}
		if iid, _ := row[cItemID].(string); iid == "" {
			return nil, fail(fmt.Errorf("field line_items[%d].id: missing", i))
		}
		if seen[row[cItemID]] {
			return nil, fail(fmt.Errorf("field line_items[%d].id: %s appears twice", i, row[cItemID]))
		}
		seen[row[cItemID]] = true
		row[cItemSKUAttributes] = connector.RawJSON(raw)
		rows = append(rows, row)
	}
	return rows, nil
}

// requireSameAsReference runs Transform and refTransform on data and
// requires the same rows, or the same error (any error for invalid JSON,
// whose messages come from different parsers).
func requireSameAsReference(t *testing.T, data []byte) {
	t.Helper()
	var got collectRows
	err := Transformer{}.Transform(connector.Record{Key: "k", Data: data}, &got)
	want, werr := refTransform(data, "k")
	if werr != nil {
		require.Error(t, err, "accepted %q; the reference: %v", data, werr)
		require.Empty(t, got.rows)
		if !strings.Contains(werr.Error(), "not a JSON order object") {
			require.Equal(t, werr.Error(), err.Error(), "%q", data)
		} else {
			require.Contains(t, err.Error(), "not a JSON order object")
		}
		return
	}
	require.NoError(t, err, "%q", data)
	require.Equal(t, len(want), len(got.rows), "%q", data)
	for i := range want {
		for c := range columns {
			require.Equal(t, want[i][c], got.rows[i][c], "%q: row %d column %s", data, i, columns[c].Name)
		}
	}
}

type collectRows struct{ rows [][]any }

func (c *collectRows) Add(_ *connector.Table, row []any) { c.rows = append(c.rows, row) }

// variants are reshapings of a valid order that the decoder must read as
// encoding/json does: pretty-printed, keys in other cases and repeated,
// escapes, nulls, numbers for ids, wrong kinds where objects and lists
// belong.
func variants(data []byte) [][]byte {
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	if d.Decode(&m) != nil {
		return nil
	}
	out := [][]byte{data}
	indented, _ := json.MarshalIndent(m, " ", "\t")
	out = append(out, indented)
	re := func(f func(m map[string]any)) {
		var c map[string]any
		d := json.NewDecoder(bytes.NewReader(data))
		d.UseNumber()
		_ = d.Decode(&c)
		f(c)
		b, _ := json.Marshal(c)
		out = append(out, b)
	}
	items := func(c map[string]any) []any { l, _ := c["line_items"].([]any); return l }
	re(func(c map[string]any) {
		c["id"] = json.Number(c["id"].(string))
		c["buyer_message"] = "<a & \"b\">\n\u00e9"
	})
	re(func(c map[string]any) { c["payment"] = nil; c["packages"] = []any{}; c["line_items"] = nil })
	re(func(c map[string]any) { c["recipient_address"] = "x" })
	re(func(c map[string]any) { c["packages"] = []any{7} })
	re(func(c map[string]any) { c["line_items"] = append(items(c), nil) })
	re(func(c map[string]any) { c["line_items"] = append(items(c), "x") })
	re(func(c map[string]any) {
		if l := items(c); len(l) > 0 {
			c["line_items"] = append(l, l[0])
		}
	})
	re(func(c map[string]any) {
		for _, it := range items(c) {
			it.(map[string]any)["sale_price"] = json.Number("1.50e2")
			it.(map[string]any)["quantity"] = json.Number("2.0")
		}
	})
	re(func(c map[string]any) { c["create_time"] = "soon" })
	re(func(c map[string]any) { c["recipient_address"].(map[string]any)["district_info"] = map[string]any{} })
	// Keys in upper case, and repeated: the last one wins.
	s := string(data)
	out = append(out,
		[]byte(strings.Replace(s, `"payment":`, `"PAYMENT":{"shipping_fee_cofunded_discount":"9"},"Payment":`, 1)),
		[]byte(strings.Replace(s, `"line_items":`, `"Line_Items":[{"id":"z"}],"line_items":`, 1)),
		[]byte(strings.Replace(s, `"packages":`, `"packages":[{"id":"p0"}],"PACKAGES":`, 1)),
		[]byte(strings.Replace(s, `"sale_price":`, `"SALE_PRICE":"1","sale_price":`, 1)),
		[]byte(strings.Replace(s, `"sku_id":`, `"s\u006bu_id":`, 2)),
		[]byte(strings.Replace(s, `"line_items":[`, `"line_items":[[],`, 1)),
		[]byte(strings.Replace(s, `"payment":{`, `"payment":{"tax":{},`, 1)),
	)
	return out
}

func refOrders(t testing.TB, n int) [][]byte {
	sim := tiktoktest.NewServer(tiktoktest.Options{Orders: n, Seed: 11})
	t.Cleanup(sim.Close)
	var out [][]byte
	for _, o := range sim.Orders() {
		data, err := json.Marshal(o)
		require.NoError(t, err)
		out = append(out, data)
	}
	return out
}

// TestTransformMatchesReference: simulated orders and reshapings of them
// transform exactly as the reference does.
func TestTransformMatchesReference(t *testing.T) {
	for _, data := range refOrders(t, 40) {
		for _, v := range variants(data) {
			requireSameAsReference(t, v)
		}
	}
}

// FuzzTransformMatchesReference: any bytes transform exactly as the
// reference does (the same rows, the same error).
func FuzzTransformMatchesReference(f *testing.F) {
	for _, data := range refOrders(f, 4) {
		for _, v := range variants(data) {
			f.Add(v)
		}
	}
	f.Add([]byte(`{"id":"1","line_items":[{"id":"1"},{"id":"2","quantity":"3"}],"packages":[null]}`))
	f.Add([]byte(`{"id":1,"recipient_address":{"district_info":"x"}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) { requireSameAsReference(t, data) })
}

// An order with hundreds of line items (the duplicate check's map, a list
// longer than the pooled scratch keeps) transforms as the reference does,
// and so does a small order after it.
func TestTransformLongOrder(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"id":"1","line_items":[`)
	for i := range 300 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"%d","sale_price":"%d.5","quantity":%d}`, 5764614200000000000+i, i, i%3)
	}
	long := b.String() + `]}`
	requireSameAsReference(t, []byte(long))
	requireSameAsReference(t, []byte(strings.Replace(long, `]}`, `,{"id":"5764614200000000299"}]}`, 1)))
	requireSameAsReference(t, []byte(`{"id":"2","line_items":[{"id":"a"},{"id":"b"}]}`))
}

// The rows keep no reference to the record's bytes: a source may reuse
// them once Transform returns.
func TestTransformCopiesRecord(t *testing.T) {
	data := refOrders(t, 1)[0]
	var before, after collectRows
	require.NoError(t, Transformer{}.Transform(connector.Record{Key: "k", Data: data}, &before))
	want := fmt.Sprint(before.rows)
	for i := range data {
		data[i] = ' '
	}
	require.Equal(t, want, fmt.Sprint(before.rows))
	require.Error(t, Transformer{}.Transform(connector.Record{Key: "k", Data: data}, &after))
}
