package tiktok

import (
	"log/slog"
	"reflect"
	"sort"
	"strings"
	"sync"

	gojson "github.com/goccy/go-json"
)

// Unmapped returns the API fields seen by any source of this process that
// no column stores and that are not among the documented fields the table
// deliberately leaves out (NotStored), so schema drift is visible instead
// of silent; each is also logged once. The first order of every search page
// is checked (its top level, payment, recipient_address, first line item
// and first package).
func Unmapped() []string { return keys(&unmapped) }

// Unmapped returns the fields the package-level Unmapped reports that this
// source's own answers carried.
func (s *Source) Unmapped() []string { return keys(&s.unmapped) }

func keys(m *sync.Map) []string {
	var out []string
	m.Range(func(k, _ any) bool { out = append(out, k.(string)); return true })
	sort.Strings(out)
	return out
}

// NotStored returns the fields of the documented 202309 order object
// (api-contracts.md §1.8) that tables.md gives no column: they are not
// reported as unmapped.
func NotStored() []string {
	var out []string
	for k := range notStored {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var notStored = func() map[string]bool {
	m := map[string]bool{}
	for _, f := range strings.Fields(`collection_time delivery_time cancel_time replaced_order_id is_exchange_order
		exchange_source_order_id cancellation_initiator need_upload_invoice
		payment.product_tax payment.shipping_fee_tax payment.retail_delivery_fee payment.small_order_fee
		payment.buyer_service_fee payment.handling_fee payment.item_insurance_fee payment.shipping_insurance_fee
		recipient_address.post_town recipient_address.delivery_preferences
		line_items[].is_dangerous_good line_items[].needs_prescription line_items[].item_tax
		line_items[].combined_listing_skus line_items[].small_order_fee line_items[].retail_delivery_fee
		line_items[].buyer_service_fee line_items[].pfand_fee`) {
		m[f] = true
	}
	return m
}()

var (
	unmapped sync.Map // field path -> struct{}
	known    = map[string]map[string]bool{
		"":                   tagsOf(apiOrder{}),
		"payment.":           tagsOf(apiPayment{}),
		"recipient_address.": tagsOf(apiRecipient{}),
		"line_items[].":      tagsOf(apiItem{}),
		"packages[].":        tagsOf(apiPackage{}),
	}
)

func tagsOf(v any) map[string]bool {
	m := map[string]bool{}
	t := reflect.TypeOf(v)
	for i := 0; i < t.NumField(); i++ {
		if tag := t.Field(i).Tag.Get("json"); tag != "" {
			m[strings.Split(tag, ",")[0]] = true
		}
	}
	return m
}

// noteUnmapped records the fields of one order that no column reads, in
// the process's list and in mine.
func noteUnmapped(raw []byte, mine *sync.Map, log *slog.Logger) {
	var top map[string]gojson.RawMessage
	if gojson.Unmarshal(raw, &top) != nil {
		return
	}
	check("", top, mine, log)
	sub := func(kind string, data []byte, list bool) {
		if list {
			var xs []map[string]gojson.RawMessage
			if gojson.Unmarshal(data, &xs) == nil && len(xs) > 0 {
				check(kind, xs[0], mine, log)
			}
			return
		}
		var x map[string]gojson.RawMessage
		if gojson.Unmarshal(data, &x) == nil {
			check(kind, x, mine, log)
		}
	}
	sub("payment.", top["payment"], false)
	sub("recipient_address.", top["recipient_address"], false)
	sub("line_items[].", top["line_items"], true)
	sub("packages[].", top["packages"], true)
}

func check(kind string, obj map[string]gojson.RawMessage, mine *sync.Map, log *slog.Logger) {
	k := known[kind]
	for key := range obj {
		if k[key] || notStored[kind+key] {
			continue
		}
		mine.Store(kind+key, struct{}{})
		if _, seen := unmapped.LoadOrStore(kind+key, struct{}{}); !seen {
			log.Info("tiktok: API field not stored in the warehouse", "field", kind+key)
		}
	}
}
