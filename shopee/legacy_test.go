package shopee

// The transformer as it was before the one-pass decoder (a generic
// map[string]any tree per order), kept as the reference the new one is
// compared with (TestSameRowsAsTreeTransformer, FuzzTransform) and measured
// against (BenchmarkTransformTree).

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/facolos/etl/connector"
)

var (
	// oldKnown holds the JSON keys the tables read, per object kind.
	oldKnown = map[string]map[string]bool{
		"":                            oldKeysOf(tOrders, "order_sn", "recipient_address", "item_list", "package_list", "invoice_data", "payment_info", "pending_terms", "warnings", "prescription_images", "buyer_proof_of_collection"),
		"item_list[].":                oldKeysOf(tItems, "product_location_id"),
		"package_list[].":             oldKeysOf(tPackages, "item_list"),
		"package_list[].item_list[].": oldKeysOf(tPackageItems),
	}
	oldNotedMu sync.Mutex
	// oldNoted is what the reference reported as unmapped.
	oldNoted = map[string]bool{}
)

func oldKeysOf(t *table, extra ...string) map[string]bool {
	m := map[string]bool{}
	for _, f := range t.fields {
		if len(f.path) > 0 {
			m[f.path[0]] = true
		}
	}
	for _, k := range extra {
		m[k] = true
	}
	return m
}

// oldNoteUnmapped records the keys of obj that no column reads in oldNoted.
func oldNoteUnmapped(kind string, obj oldObject) {
	k := oldKnown[kind]
	oldNotedMu.Lock()
	defer oldNotedMu.Unlock()
	for key := range obj {
		if !k[key] {
			oldNoted[kind+key] = true
		}
	}
}

// oldRowCtx carries what a row needs besides its JSON object.
type oldRowCtx struct {
	sn, requestID string
	// prefix is the JSON path of the object, for errors: a format with up
	// to two indexes ("item_list[%d].").
	prefix string
	i, j   int
	// synthetic is the value of the one path-less column (location_id,
	// package_number, term, ...) named synName.
	synName, synthetic string
}

// path renders the JSON path of the object.
func (rc oldRowCtx) path() string {
	switch strings.Count(rc.prefix, "%d") {
	case 0:
		return rc.prefix
	case 1:
		return fmt.Sprintf(rc.prefix, rc.i)
	}
	return fmt.Sprintf(rc.prefix, rc.i, rc.j)
}

func (t *table) oldRow(obj oldObject, rc oldRowCtx) ([]any, error) {
	row := make([]any, len(t.fields))
	for i, f := range t.fields {
		switch {
		case f.col.Name == "order_sn":
			row[i] = rc.sn
		case f.col.Name == "source_request_id":
			if rc.requestID != "" {
				row[i] = rc.requestID
			}
		case f.col.Name == "etl_source":
			row[i] = ETLSource
		case f.col.Auto != connector.AutoNone:
		case f.path == nil:
			if f.col.Name == rc.synName {
				row[i] = rc.synthetic
			}
		default:
			v, err := oldLookup(obj, f.path)
			if err == nil {
				row[i], err = oldConvert(f.col.Type, v)
			}
			if err != nil {
				return nil, fmt.Errorf("field %s%s: %w", rc.path(), strings.Join(f.path, "."), err)
			}
		}
	}
	return row, nil
}

// oldTransform is the transformer as it was before the one-pass decoder.
func oldTransform(rec connector.Record, out connector.Output) error {
	tree, err := oldDecodeTree(rec.Data)
	o, ok := tree.(map[string]any)
	if err != nil || !ok {
		return fmt.Errorf("order %s: not a JSON object", rec.Key)
	}
	if o["order_sn"] == nil {
		return fmt.Errorf("order %s: field order_sn: missing", rec.Key)
	}
	sn, err := connector.KeyText(o["order_sn"], false)
	if err != nil {
		return fmt.Errorf("order %s: field order_sn: %w", rec.Key, err)
	}
	rc := oldRowCtx{sn: sn, requestID: rec.RequestID}
	oldNoteUnmapped("", o)
	if err := oldTransformOrder(o, rc, out); err != nil {
		return fmt.Errorf("order %s: %w", rc.sn, err)
	}
	return nil
}

func oldTransformOrder(o oldObject, rc oldRowCtx, out connector.Output) error {
	row, err := tOrders.oldRow(o, rc)
	if err != nil {
		return err
	}
	out.Add(tOrders.Table, row)

	if err := oldSingle(tAddress, o, "recipient_address", rc, out); err != nil {
		return err
	}
	if err := oldSingle(tInvoice, o, "invoice_data", rc, out); err != nil {
		return err
	}

	items, err := oldObjects(o, "item_list")
	if err != nil {
		return err
	}
	for i, it := range items {
		irc := rc
		irc.prefix, irc.i = "item_list[%d].", i
		row, err := tItems.oldRow(it, irc)
		if err != nil {
			return err
		}
		out.Add(tItems.Table, row)
		oldNoteUnmapped("item_list[].", it)
		for j, raw := range oldList(it["product_location_id"]) {
			loc, err := oldToString(raw)
			if err != nil {
				return fmt.Errorf("field %sproduct_location_id[%d]: %w", irc.path(), j, err)
			}
			if loc == nil || loc.(string) == "" {
				continue
			}
			irc.synName, irc.synthetic = "location_id", loc.(string)
			row, err := tItemLocations.oldRow(it, irc)
			if err != nil {
				return err
			}
			out.Add(tItemLocations.Table, row)
		}
	}

	pkgs, err := oldObjects(o, "package_list")
	if err != nil {
		return err
	}
	for i, p := range pkgs {
		prc := rc
		prc.prefix, prc.i = "package_list[%d].", i
		row, err := tPackages.oldRow(p, prc)
		if err != nil {
			return err
		}
		out.Add(tPackages.Table, row)
		oldNoteUnmapped("package_list[].", p)
		num, _ := oldToString(p["package_number"])
		pitems, err := oldObjects(p, "item_list")
		if err != nil {
			return fmt.Errorf("%s%w", prc.path(), err)
		}
		for j, pi := range pitems {
			irc := prc
			irc.prefix, irc.j = "package_list[%d].item_list[%d].", j
			if num != nil {
				irc.synName, irc.synthetic = "package_number", num.(string)
			}
			row, err := tPackageItems.oldRow(pi, irc)
			if err != nil {
				return err
			}
			out.Add(tPackageItems.Table, row)
			oldNoteUnmapped("package_list[].item_list[].", pi)
		}
	}

	pays, err := oldObjects(o, "payment_info")
	if err != nil {
		return err
	}
	for i, p := range pays {
		prc := rc
		prc.prefix, prc.i = "payment_info[%d].", i
		row, err := tPayment.oldRow(p, prc)
		if err != nil {
			return err
		}
		out.Add(tPayment.Table, row)
	}

	for _, l := range []struct {
		t      *table
		key    string
		column string
	}{
		{tPendingTerms, "pending_terms", "term"},
		{tWarnings, "warnings", "warning"},
		{tPrescription, "prescription_images", "image_url"},
		{tProof, "buyer_proof_of_collection", "image_url"},
	} {
		for j, raw := range oldList(o[l.key]) {
			v, err := oldToString(raw)
			if err != nil {
				return fmt.Errorf("field %s[%d]: %w", l.key, j, err)
			}
			if v == nil || v.(string) == "" {
				continue
			}
			row, err := l.t.oldRow(nil, oldRowCtx{sn: rc.sn, requestID: rc.requestID, synName: l.column, synthetic: v.(string)})
			if err != nil {
				return err
			}
			out.Add(l.t.Table, row)
		}
	}
	return nil
}

// oldSingle adds the row of a 0..1 child object (recipient_address,
// invoice_data) when it is a non-empty object.
func oldSingle(t *table, o oldObject, k string, rc oldRowCtx, out connector.Output) error {
	if o[k] == nil {
		return nil
	}
	obj, ok := o[k].(map[string]any)
	if !ok {
		return fmt.Errorf("field %s: not an object", k)
	}
	if len(obj) == 0 {
		return nil
	}
	rc.prefix = k + "."
	row, err := t.oldRow(obj, rc)
	if err != nil {
		return err
	}
	out.Add(t.Table, row)
	return nil
}

var oldErrNotObjects = errors.New("not a list of objects")

func oldObjects(o oldObject, k string) ([]oldObject, error) {
	vals := oldList(o[k])
	out := make([]oldObject, 0, len(vals))
	for i, v := range vals {
		if v == nil {
			continue
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("field %s[%d]: %w", k, i, oldErrNotObjects)
		}
		out = append(out, obj)
	}
	return out, nil
}

// oldObject is one JSON object of the tree.
type oldObject = map[string]any

// oldDecodeTree parses JSON into the tree, keeping numbers as json.Number.
func oldDecodeTree(data []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

func oldToString(v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		return x, nil
	case json.Number:
		return string(x), nil
	case bool:
		return strconv.FormatBool(x), nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return string(data), nil
}

// oldText returns the text of a scalar for numeric parsing; ok is false for
// null and empty text.
func oldText(v any) (s string, ok bool, err error) {
	switch x := v.(type) {
	case nil:
		return "", false, nil
	case string:
		s = strings.TrimSpace(x)
		return s, s != "", nil
	case json.Number:
		return string(x), true, nil
	}
	return "", false, fmt.Errorf("%s is not a number", oldDescribe(v))
}

func oldToInt(v any) (any, error) {
	s, ok, err := oldText(v)
	if !ok || err != nil {
		return nil, err
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<62 {
		return nil, fmt.Errorf("%s is not an integer", oldQuote(s))
	}
	return int64(f), nil
}

func oldToDec(v any) (any, error) {
	s, ok, err := oldText(v)
	if !ok || err != nil {
		return nil, err
	}
	d, err := connector.ParseDec(s)
	if err != nil {
		return nil, fmt.Errorf("%s is not a decimal number", oldQuote(s))
	}
	return d, nil
}

func oldToBool(v any) (any, error) {
	b, ok, err := connector.ParseBool(v)
	if !ok || err != nil {
		return nil, err
	}
	return b, nil
}

// oldToTime reads an epoch with connector.EpochTime; 0 gives NULL.
func oldToTime(v any) (any, error) {
	i, err := oldToInt(v)
	if err != nil || i == nil {
		return i, err
	}
	if i.(int64) == 0 {
		return nil, nil
	}
	t, err := connector.EpochTime(i.(int64))
	if err != nil {
		return nil, err
	}
	return t, nil
}

func oldToJSON(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return connector.RawJSON(data), nil
}

func oldDescribe(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("%v", v)
}

func oldQuote(s string) string {
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return strconv.Quote(s)
}

func oldConvert(t connector.Type, v any) (any, error) {
	switch t {
	case connector.Int:
		return oldToInt(v)
	case connector.Decimal:
		return oldToDec(v)
	case connector.Bool:
		return oldToBool(v)
	case connector.Timestamp:
		return oldToTime(v)
	case connector.JSON:
		return oldToJSON(v)
	}
	return oldToString(v)
}

// oldLookup follows path through nested objects; absent gives nil.
func oldLookup(o oldObject, path []string) (any, error) {
	var cur any = o
	for _, k := range path {
		if cur == nil {
			return nil, nil
		}
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s is not inside an object", k)
		}
		cur = m[k]
	}
	return cur, nil
}

// oldList returns a JSON array; a single non-array value is a one-element list
// (product_location_id comes both ways); null is empty.
func oldList(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		return x
	}
	return []any{v}
}
