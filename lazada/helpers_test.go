package lazada_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/testsinks"
	"github.com/facolos/etl/lazada"
	"github.com/facolos/etl/lazada/lazadatest"
	"github.com/facolos/etl/sink/sqlite"
	"github.com/facolos/etl/tokenstore"
	"github.com/stretchr/testify/require"
)

var (
	// simNow is the end of the simulated history, in the past of the real
	// clock as a real shop's history is.
	simNow = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	quiet  = slog.New(slog.NewTextHandler(io.Discard, nil))
)

func newSim(t testing.TB, opts lazadatest.Options) *lazadatest.Server {
	t.Helper()
	if opts.Now.IsZero() {
		opts.Now = simNow
	}
	if opts.Seed == 0 {
		opts.Seed = 7
	}
	sim := lazadatest.NewServer(opts)
	t.Cleanup(sim.Close)
	return sim
}

func config(sim *lazadatest.Server, tokens tokenstore.Store, httpCfg connector.HTTPConfig) lazada.Config {
	if httpCfg.MinBackoff == 0 {
		httpCfg.MinBackoff, httpCfg.MaxBackoff = time.Millisecond, 20*time.Millisecond
	}
	if httpCfg.Logger == nil {
		httpCfg.Logger = quiet
	}
	// The orders stream alone: the finance streams are tested on their
	// own (financeConfig), and the order tests count the order calls.
	return lazada.Config{BaseURL: sim.URL, AuthURL: sim.AuthURL, AppKey: sim.AppKey(), AppSecret: sim.AppSecret(),
		AccessToken: sim.InitialAccess(), RefreshToken: sim.InitialRefresh(), SellerID: sim.SellerID(),
		Tokens: tokens, StartDate: simNow.AddDate(0, 0, -200), HTTP: httpCfg, Logger: httpCfg.Logger, DisableFinance: true}
}

func sourceFor(t testing.TB, cfg lazada.Config) *lazada.Source {
	t.Helper()
	src, err := lazada.NewSource(cfg)
	require.NoError(t, err)
	return src
}

func openSink(t testing.TB, path string, cfg sqlite.Config) *sqlite.Sink {
	t.Helper()
	return testsinks.SQLite(t, path, cfg)
}

func run(t testing.TB, src connector.Source, sink connector.Sink) connector.Result {
	t.Helper()
	r := &connector.Runner{Logger: quiet}
	return r.Run(context.Background(), connector.Pipeline{Name: "lazada/seller", Platform: "lazada", Account: "seller",
		Source: src, Transformer: lazada.Transformer{}, Sink: sink})[0]
}

func dec(v int64) string { return connector.MustDec(strconv.FormatInt(v, 10) + ".00").String() }

func ts(unix int64) time.Time { return time.Unix(unix, 0).UTC() }

// Contents is every table's rows, keyed, as column -> value.
type contents map[string]map[string]map[string]any

// expected is what the tables must hold for the simulator's orders: an
// independent reading of the contract from the simulator's own data (not
// from the JSON the client decodes). Every data column is listed; a
// field the simulator never sends is NULL.
func expected(seller string, orders []lazadatest.Order) contents {
	out := contents{lazada.OrdersTable: {}, lazada.ItemsTable: {}}
	for _, o := range orders {
		var status any
		if st := o.Statuses(); len(st) == 1 {
			status = st[0]
		}
		stj, _ := json.Marshal(o.Statuses())
		row := map[string]any{"seller_id": seller, "order_id": o.ID, "status": status, "order_number": strconv.FormatInt(o.Number, 10),
			"created_at": ts(o.CreatedAt), "updated_at": ts(o.UpdatedAt), "price": dec(o.Price()), "voucher": dec(o.Voucher()),
			"voucher_platform": dec(o.VoucherPlatform), "voucher_seller": dec(o.VoucherSeller), "shipping_fee": dec(o.ShippingFee),
			"shipping_fee_original": dec(o.ShippingFeeOriginal), "shipping_fee_discount_seller": dec(0),
			"shipping_fee_discount_platform": dec(o.ShippingFeeOriginal - o.ShippingFee), "items_count": int64(len(o.Items)),
			"statuses": canonicalJSON(string(stj)), "payment_method": o.PaymentMethod, "customer_first_name": o.FirstName,
			"customer_last_name": o.LastName, "voucher_code": o.VoucherCode, "gift_option": o.GiftOption, "gift_message": o.GiftMessage,
			"remarks": o.Remarks, "delivery_info": o.DeliveryInfo, "promised_shipping_times": o.PromisedShippingTimes,
			"national_registration_number": "", "branch_number": "", "tax_code": o.TaxCode, "buyer_note": o.BuyerNote,
			"extra_attributes": canonicalJSON(o.ExtraAttributes), "address_updated_at": nil, "warehouse_code": o.WarehouseCode,
			"recipient_passport_no": nil, "recipient_identify_no": nil, "recipient_detail_address": nil,
			"need_cancel_confirm": o.NeedCancelConfirm, "is_cancel_pending": o.IsCancelPending}
		for side, a := range map[string]lazadatest.Address{"billing": o.Billing, "shipping": o.Shipping} {
			for k, v := range map[string]string{"first_name": a.FirstName, "last_name": a.LastName, "phone": a.Phone, "phone2": a.Phone2,
				"address1": a.Address1, "address2": a.Address2, "address3": a.Address3, "address4": a.Address4, "address5": a.Address5,
				"city": a.City, "post_code": a.PostCode, "country": a.Country, "customer_email": a.CustomerEmail, "district": a.District} {
				row[side+"_"+k] = v
			}
		}
		out[lazada.OrdersTable][fmt.Sprint(seller, "/", o.ID)] = row
		for _, it := range o.Items {
			irow := map[string]any{"seller_id": seller, "order_item_id": it.ID, "order_id": o.ID, "shop_sku": it.ShopSKU, "sku": it.SKU,
				"sku_id": it.SkuID, "product_id": it.ProductID, "name": it.Name, "variation": it.Variation, "item_price": dec(it.ItemPrice),
				"paid_price": dec(it.PaidPrice), "tax_amount": dec(0), "voucher_amount": dec(it.VoucherSeller + it.VoucherPlatform),
				"voucher_seller": dec(it.VoucherSeller), "voucher_platform": dec(it.VoucherPlatform), "shipping_amount": dec(it.ShippingAmount),
				"wallet_credits": dec(0), "currency": "VND", "status": it.Status, "reason": it.Reason, "cancel_return_initiator": it.CancelInitiator,
				"tracking_code": it.TrackingCode, "shipment_provider": it.ShipmentProvider, "shipping_provider_type": it.ShippingProviderType,
				"shipping_type": "Dropshipping", "package_id": it.PackageID, "created_at": ts(it.CreatedAt), "updated_at": ts(it.UpdatedAt),
				"is_digital": it.IsDigital, "shop_id": "Cửa hàng Mô phỏng Lazada", "voucher_code": ""}
			out[lazada.ItemsTable][fmt.Sprint(seller, "/", it.ID)] = irow
		}
	}
	return out
}

// tableReader is a sink that reads a table back (sqlite, postgres).
type tableReader interface {
	ReadTable(ctx context.Context, t *connector.Table) ([][]any, error)
}

// canonicalJSON re-encodes JSON text, so that a database's own spacing
// (PostgreSQL's jsonb) compares equal.
func canonicalJSON(s string) string {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return "invalid JSON: " + s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// actual reads both tables.
func actual(t testing.TB, s tableReader) contents {
	t.Helper()
	out := contents{}
	for _, tb := range (lazada.Transformer{}).Tables() {
		rows, err := s.ReadTable(context.Background(), tb)
		require.NoError(t, err)
		m := map[string]map[string]any{}
		for _, r := range rows {
			row := map[string]any{}
			for i, c := range tb.Columns {
				if c.Auto != connector.AutoNone || c.Meta {
					continue
				}
				v := r[i]
				switch x := v.(type) {
				case connector.Dec:
					v = x.String()
				case connector.RawJSON:
					v = canonicalJSON(string(x))
				case string:
					if c.Type == connector.JSON {
						v = canonicalJSON(x)
					}
				case time.Time:
					v = x.UTC()
				}
				row[c.Name] = v
			}
			k := fmt.Sprint(r[0], "/", r[1])
			if _, dup := m[k]; dup { // a map lookup: NotContains walks the map by reflection
				require.Failf(t, "row stored twice", "%s: %s", tb.Name, k)
			}
			m[k] = row
		}
		out[tb.Name] = m
	}
	return out
}

// requireSame compares the tables with the expectation column by column,
// naming the first differences; every data column must have an
// expectation.
func requireSame(t testing.TB, want, got contents) {
	t.Helper()
	var diffs []string
	for _, tb := range (lazada.Transformer{}).Tables() {
		w, g := want[tb.Name], got[tb.Name]
		for k, wr := range w {
			gr, ok := g[k]
			if !ok {
				diffs = append(diffs, tb.Name+": missing row "+k)
				continue
			}
			for c, gv := range gr {
				wv, ok := wr[c]
				if !ok {
					if gv != nil {
						diffs = append(diffs, fmt.Sprintf("%s %s.%s: no expectation, got %v", tb.Name, k, c, gv))
					}
					continue
				}
				if !reflect.DeepEqual(wv, gv) {
					diffs = append(diffs, fmt.Sprintf("%s %s.%s: want %#v, got %#v", tb.Name, k, c, wv, gv))
				}
			}
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				diffs = append(diffs, tb.Name+": unexpected row "+k)
			}
		}
	}
	sort.Strings(diffs)
	if len(diffs) > 10 {
		diffs = append(diffs[:10], fmt.Sprintf("... and %d more", len(diffs)-10))
	}
	require.Empty(t, diffs, "tables differ from the simulator's data")
}

// itemsCount is the number of items of orders.
func itemsCount(orders []lazadatest.Order) int {
	n := 0
	for _, o := range orders {
		n += len(o.Items)
	}
	return n
}
