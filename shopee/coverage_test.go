package shopee

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/platform"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/stretchr/testify/require"
)

// sourcePath is where a column's value comes from in a get_order_detail
// record, in the naming of Unmapped ("item_list[].model_id"): the object
// kind of the column's table and the column's JSON path in it; the
// path-less columns are the transformer's own (order_sn, shop_id, ...)
// or, for the one-string-per-row tables, the list itself.
func sourcePath(t *table, f field) string {
	kind := map[string]string{
		"shopee_orders": "", "shopee_recipient_address": "recipient_address.", "shopee_invoice": "invoice_data.",
		"shopee_order_items": "item_list[].", "shopee_order_item_locations": "item_list[].", "shopee_packages": "package_list[].",
		"shopee_package_items": "package_list[].item_list[].", "shopee_payment_info": "payment_info[].",
	}[t.Name]
	if f.path != nil {
		return kind + strings.Join(f.path, ".")
	}
	switch t.Name + "." + f.col.Name {
	case "shopee_order_item_locations.location_id":
		return "item_list[].product_location_id"
	case "shopee_package_items.package_number":
		return "package_list[].package_number"
	}
	for _, l := range stringLists {
		if l.t == t && f.col.Name == l.column {
			return l.key
		}
	}
	return ""
}

// sentFields walks one record: every field path it holds (seen) and those
// with a value that is not null (valued) or not null, zero nor empty
// (nonZero: an epoch of 0 is no time).
func sentFields(prefix string, v any, seen, valued, nonZero map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			p := prefix + k
			seen[p] = true
			switch e := e.(type) {
			case map[string]any:
				valued[p] = true
				sentFields(p+".", e, seen, valued, nonZero)
			case []any:
				for _, el := range e {
					if m, ok := el.(map[string]any); ok {
						sentFields(p+"[].", m, seen, valued, nonZero)
					} else {
						markSent(p, el, valued, nonZero)
					}
				}
			default:
				markSent(p, e, valued, nonZero)
			}
		}
	}
}

func markSent(p string, v any, valued, nonZero map[string]bool) {
	if v == nil {
		return
	}
	valued[p] = true
	if v != json.Number("0") && v != "" {
		nonZero[p] = true
	}
}

// A demo load (the driver's simulator and account, into a SQLite file):
// every column whose source field the simulator sends with a value is
// non-NULL in at least one row (a timestamp column needs a non-zero epoch),
// the transformer's own columns (shop_id, source_request_id, ...) are
// filled, and no field of the simulator's own answers is in the
// unmapped-field report.
func TestColumnCoverageDemo(t *testing.T) {
	ctx := context.Background()
	d, ok := platform.Lookup("shopee")
	require.True(t, ok)
	demo, err := d.Demo(platform.DemoOptions{Seed: 5, Records: 200, RateLimit: 1000})
	require.NoError(t, err)
	defer demo.Close()

	var mu sync.Mutex
	var bodies [][]byte
	capture := roundTrip(func(r *http.Request) (*http.Response, error) {
		resp, err := http.DefaultTransport.RoundTrip(r)
		if err != nil || r.URL.Path != PathOrderDetail {
			return resp, err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		mu.Lock()
		bodies = append(bodies, body)
		mu.Unlock()
		resp.Body = io.NopCloser(bytes.NewReader(body))
		return resp, nil
	})
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	src, tr, err := d.Open(ctx, demo.Account, platform.Deps{Logger: quiet,
		HTTP: connector.HTTPConfig{Transport: capture, MinBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond, Logger: quiet}})
	require.NoError(t, err)
	sink, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(t.TempDir(), "coverage.db")})
	require.NoError(t, err)
	defer sink.Close()
	res := (&connector.Runner{Mode: connector.Full, Logger: quiet}).Run(ctx,
		connector.Pipeline{Name: "shopee/coverage", Platform: "shopee", Account: demo.Account.Name, Source: src, Transformer: tr, Sink: sink})[0]
	require.NoError(t, res.Err)
	require.EqualValues(t, 200, res.Rows["staging.shopee_orders"])

	seen, valued, nonZero := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, body := range bodies {
		var env struct {
			Response struct {
				OrderList []json.RawMessage `json:"order_list"`
			} `json:"response"`
		}
		require.NoError(t, json.Unmarshal(body, &env))
		for _, raw := range env.Response.OrderList {
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.UseNumber()
			var rec any
			require.NoError(t, dec.Decode(&rec))
			sentFields("", rec, seen, valued, nonZero)
		}
	}
	require.NotEmpty(t, seen)

	var missing []string
	checked := 0
	stored := map[string]bool{"order_sn": true} // the key, read by the transformer itself
	for _, tb := range allTables {
		for _, f := range tb.fields {
			if f.col.Auto != connector.AutoNone {
				continue
			}
			p := sourcePath(tb, f)
			stored[p] = true
			switch {
			case p == "": // the transformer's own: always filled
			case f.col.Type == connector.Timestamp && !nonZero[p], !valued[p]:
				continue // the simulator never sends a value for it
			}
			checked++
			var n int
			require.NoError(t, sink.DB().QueryRow(fmt.Sprintf(`SELECT count(*) FROM %s WHERE %s IS NOT NULL`,
				connector.QuoteIdent(tb.Name), connector.QuoteIdent(f.col.Name))).Scan(&n))
			if n == 0 {
				missing = append(missing, fmt.Sprintf("%s.%s (from %q)", tb.Name, f.col.Name, p))
			}
		}
	}
	require.Empty(t, missing, "columns NULL in every row although the simulator sends their field")
	t.Logf("%d columns checked", checked)

	var unmapped []string
	for _, u := range Unmapped() {
		if seen[u] {
			unmapped = append(unmapped, u)
		}
	}
	require.Empty(t, unmapped, "fields of the simulator's own answers that no column stores")

	// Fields no column stores in the objects whose keys the report does
	// not cover (recipient_address, invoice_data, payment_info, nested
	// objects): logged for the record.
	var unreported []string
	for p := range seen {
		container := false
		for q := range seen {
			if strings.HasPrefix(q, p+".") || strings.HasPrefix(q, p+"[].") {
				container = true
				break
			}
		}
		if !stored[p] && !container && !slices.Contains(Unmapped(), p) {
			unreported = append(unreported, p)
		}
	}
	slices.Sort(unreported)
	t.Logf("sent, stored nowhere, outside the report: %v", unreported)
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// The demo's source reads the demo simulator on its data clock: after
// Advance (orders change on the data clock, while the simulator's Date
// header is the wall clock) an incremental run reads the changed orders.
func TestDemoIncrementalAfterAdvance(t *testing.T) {
	ctx := context.Background()
	d, _ := platform.Lookup("shopee")
	demo, err := d.Demo(platform.DemoOptions{Seed: 6, Records: 120, RateLimit: 1000})
	require.NoError(t, err)
	defer demo.Close()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	src, tr, err := d.Open(ctx, demo.Account, platform.Deps{Logger: quiet,
		HTTP: connector.HTTPConfig{MinBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond, Logger: quiet}})
	require.NoError(t, err)
	sink, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(t.TempDir(), "demo.db")})
	require.NoError(t, err)
	defer sink.Close()
	p := connector.Pipeline{Name: "shopee/demo", Platform: "shopee", Account: demo.Account.Name, Source: src, Transformer: tr, Sink: sink}
	r := &connector.Runner{Mode: connector.Incremental, Logger: quiet}
	res := r.Run(ctx, p)[0]
	require.NoError(t, res.Err)
	require.EqualValues(t, 120, res.Rows["staging.shopee_orders"])
	demo.Advance(6 * time.Hour)
	res = r.Run(ctx, p)[0]
	require.NoError(t, res.Err)
	require.Positive(t, res.Records, "the orders changed by Advance are read")
}
