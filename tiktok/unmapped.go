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
// no column stores ("line_items[].item_tax"), so schema drift is visible
// instead of silent; each is also logged once. The first order of every
// search page is checked (its top level, payment, recipient_address, first
// line item and first package).
func Unmapped() []string {
	var out []string
	unmapped.Range(func(k, _ any) bool { out = append(out, k.(string)); return true })
	sort.Strings(out)
	return out
}

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

// noteUnmapped records the fields of one order that no column reads.
func noteUnmapped(raw []byte, log *slog.Logger) {
	var top map[string]gojson.RawMessage
	if gojson.Unmarshal(raw, &top) != nil {
		return
	}
	check("", top, log)
	sub := func(kind string, data []byte, list bool) {
		if list {
			var xs []map[string]gojson.RawMessage
			if gojson.Unmarshal(data, &xs) == nil && len(xs) > 0 {
				check(kind, xs[0], log)
			}
			return
		}
		var x map[string]gojson.RawMessage
		if gojson.Unmarshal(data, &x) == nil {
			check(kind, x, log)
		}
	}
	sub("payment.", top["payment"], false)
	sub("recipient_address.", top["recipient_address"], false)
	sub("line_items[].", top["line_items"], true)
	sub("packages[].", top["packages"], true)
}

func check(kind string, obj map[string]gojson.RawMessage, log *slog.Logger) {
	k := known[kind]
	for key := range obj {
		if k[key] {
			continue
		}
		if _, seen := unmapped.LoadOrStore(kind+key, struct{}{}); !seen {
			log.Info("tiktok: API field not stored in the warehouse", "field", kind+key)
		}
	}
}
