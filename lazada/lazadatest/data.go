package lazadatest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/facolos/etl/internal/vnfake"
)

// Order is one simulated order. Times are Unix seconds (the platform's
// granularity); money is whole VND.
type Order struct {
	ID, Number                          int64
	CreatedAt, UpdatedAt                int64
	VoucherPlatform, VoucherSeller      int64
	ShippingFee, ShippingFeeOriginal    int64
	PaymentMethod                       string
	FirstName, LastName                 string
	Billing, Shipping                   Address
	VoucherCode, Remarks, BuyerNote     string
	GiftOption                          bool
	GiftMessage, TaxCode, WarehouseCode string
	ExtraAttributes                     string // a JSON object, sent as a string
	PromisedShippingTimes, DeliveryInfo string
	NeedCancelConfirm, IsCancelPending  bool
	Items                               []Item
}

// Address is a flattened, masked Vietnamese address.
type Address struct {
	FirstName, LastName, Phone, Phone2               string
	Address1, Address2, Address3, Address4, Address5 string
	City, PostCode, Country, District, CustomerEmail string
}

// Item is one order item: one unit of one product.
type Item struct {
	ID                                  int64
	ShopSKU, SKU, SkuID, ProductID      string
	Name, Variation                     string
	ItemPrice, PaidPrice, VoucherSeller int64
	VoucherPlatform, ShippingAmount     int64
	Status, Reason, CancelInitiator     string
	TrackingCode, ShipmentProvider      string
	ShippingProviderType, PackageID     string
	CreatedAt, UpdatedAt                int64
	IsDigital                           bool
}

// Price is the sum of the item prices (the order's price).
func (o *Order) Price() int64 {
	var p int64
	for _, it := range o.Items {
		p += it.ItemPrice
	}
	return p
}

// Voucher is the sum of both vouchers.
func (o *Order) Voucher() int64 { return o.VoucherPlatform + o.VoucherSeller }

// Statuses are the distinct item statuses, in item order.
func (o *Order) Statuses() []string {
	var out []string
	seen := map[string]bool{}
	for _, it := range o.Items {
		if !seen[it.Status] {
			seen[it.Status] = true
			out = append(out, it.Status)
		}
	}
	return out
}

func (o *Order) clone() *Order {
	c := *o
	c.Items = append([]Item(nil), o.Items...)
	return &c
}

// Statuses the simulator accepts in a status filter (contract §4.1).
var knownStatus = map[string]bool{}

func init() {
	for _, s := range strings.Split("unpaid pending canceled ready_to_ship delivered returned shipped failed topack toship shipping lost "+
		"packed lost_by_3pl damaged_by_3pl failed_delivery shipped_back shipped_back_success shipped_back_failed package_scrapped all", " ") {
		knownStatus[s] = true
	}
}

var payments = []string{"COD", "COD", "MIXEDCARD", "MOMO_WALLET", "ZALOPAY_WALLET", "NAPAS_ONLINE"}
var providers = []string{"LEX VN", "GHN", "J&T Express", "Ninja Van"}

// mask hides most of a name or phone as the platform does.
func mask(s string) string {
	r := []rune(s)
	if len(r) <= 2 {
		return s
	}
	return string(r[0]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1])
}

// genOrder builds order i of n created over the days before end: a pure
// function of its arguments.
func genOrder(seed int64, i, n int, end int64, days int, bigIDs bool) *Order {
	r := rand.New(rand.NewPCG(uint64(seed), uint64(i)*2654435761+1))
	span := int64(days) * 86400
	created := end - span + span*int64(i)/int64(max(n, 1)) + r.Int64N(max(span/int64(max(n, 1)), 1))
	created = min(created, end-1)
	id := orderID(seed, i, bigIDs)
	p := vnfake.NewPerson(r)
	a := vnfake.NewAddress(r)
	parts := strings.SplitN(p.Name, " ", 2)
	addr := Address{FirstName: mask(parts[1]), LastName: mask(parts[0]), Phone: mask(p.Phone), Address1: mask(a.Street),
		Address3: a.Province, Address4: a.District, Address5: fmt.Sprintf("%06d", 100000+r.IntN(800000)), City: a.District,
		PostCode: "", Country: "Vietnam", District: a.Ward}
	o := &Order{ID: id, Number: id, CreatedAt: created, UpdatedAt: created + int64(r.IntN(3600)),
		PaymentMethod: payments[r.IntN(len(payments))], FirstName: mask(p.Name), Billing: addr, Shipping: addr,
		ShippingFee: int64(15000 + 1000*r.IntN(20)), BuyerNote: vnfake.Message(r), WarehouseCode: "dropshipping",
		ExtraAttributes: fmt.Sprintf(`{"TaxInvoiceRequested":%t}`, r.IntN(5) == 0), PromisedShippingTimes: ""}
	o.UpdatedAt = min(o.UpdatedAt, end)
	o.ShippingFeeOriginal = o.ShippingFee + int64(r.IntN(3))*5000
	if r.IntN(4) == 0 {
		o.VoucherSeller = int64(5000 * (1 + r.IntN(4)))
		o.VoucherCode = fmt.Sprintf("VC%06d", r.IntN(1000000))
	}
	if r.IntN(6) == 0 {
		o.VoucherPlatform = 10000
	}
	if r.IntN(10) == 0 {
		o.Shipping.Phone2 = mask(vnfake.NewPerson(r).Phone)
		o.GiftOption, o.GiftMessage = true, "Chúc mừng sinh nhật 🎂"
	}
	if r.IntN(8) == 0 {
		o.TaxCode = fmt.Sprintf("03%08d", r.IntN(100000000))
	}
	status := []string{"pending", "ready_to_ship", "shipped", "delivered", "delivered", "delivered", "canceled", "returned"}[r.IntN(8)]
	units := 1 + r.IntN(4)
	for j := 0; j < units; j++ {
		pr := vnfake.NewProduct(r)
		it := Item{ID: itemID(id, j), ShopSKU: fmt.Sprintf("%d_VNAMZ-%d", pr.ItemID, pr.ModelID), SKU: pr.ModelSKU,
			SkuID: strconv.FormatInt(pr.ModelID, 10), ProductID: strconv.FormatInt(pr.ItemID, 10), Name: pr.Name, Variation: pr.ModelName,
			ItemPrice: pr.Price, PaidPrice: pr.Price, Status: status, ShipmentProvider: providers[r.IntN(len(providers))],
			ShippingProviderType: "standard", CreatedAt: created, UpdatedAt: o.UpdatedAt}
		if status != "pending" && status != "canceled" {
			it.TrackingCode = fmt.Sprintf("LZDVN%010d", r.IntN(1_000_000_000))
			it.PackageID = fmt.Sprintf("OP%012d", r.Int64N(1_000_000_000_000))
		}
		if status == "canceled" {
			it.Reason, it.CancelInitiator = "Đổi ý, không muốn mua nữa", "cancellation-customer"
		}
		if status == "returned" {
			it.Reason, it.CancelInitiator = "Sản phẩm bị lỗi", "refund-customer"
		}
		o.Items = append(o.Items, it)
	}
	// A mixed order: one unit cancelled, the others go on.
	if units > 1 && status == "delivered" && r.IntN(3) == 0 {
		o.Items[0].Status, o.Items[0].Reason, o.Items[0].CancelInitiator = "canceled", "Hết hàng", "cancellation-seller"
		o.Items[0].TrackingCode, o.Items[0].PackageID = "", ""
	}
	spreadVouchers(o)
	return o
}

// spreadVouchers puts the order's vouchers on its items (paid price).
func spreadVouchers(o *Order) {
	for j := range o.Items {
		it := &o.Items[j]
		it.VoucherSeller, it.VoucherPlatform, it.PaidPrice = 0, 0, it.ItemPrice
	}
	if len(o.Items) > 0 {
		it := &o.Items[0]
		it.VoucherSeller, it.VoucherPlatform = min(o.VoucherSeller, it.ItemPrice), min(o.VoucherPlatform, it.ItemPrice)
		it.PaidPrice = it.ItemPrice - it.VoucherSeller - it.VoucherPlatform
		it.ShippingAmount = o.ShippingFee
	}
}

// orderID is a 15-digit id as observed (or one above 2^53 with bigIDs).
func orderID(seed int64, i int, bigIDs bool) int64 {
	base := int64(400_000_000_000_000)
	if bigIDs {
		base = 9_007_199_254_740_993 - 1000 // 2^53 + 1 - 1000: ids beyond 2^53 from the 1000th order on
		return base + int64(i)*1000 + seed%1000
	}
	return base + int64(i)*10_000 + seed%10_000
}

func itemID(orderID int64, j int) int64 {
	return orderID*10 + int64(j) + 1 - orderID%1000*10 + int64(j)*0
}

// advanceOrder moves an order one step at time at: a status step, or an
// item line replaced by the platform (it vanishes, a new one appears).
func advanceOrder(o *Order, r *rand.Rand, at int64, seq int) {
	o.UpdatedAt = at
	next := map[string]string{"pending": "ready_to_ship", "ready_to_ship": "shipped", "shipped": "delivered", "delivered": "returned"}
	switch {
	case len(o.Items) > 1 && r.IntN(3) == 0:
		// The first item line vanishes upstream.
		o.Items = o.Items[1:]
	default:
		for j := range o.Items {
			if n, ok := next[o.Items[j].Status]; ok {
				o.Items[j].Status = n
				if n == "shipped" && o.Items[j].TrackingCode == "" {
					o.Items[j].TrackingCode = fmt.Sprintf("LZDVN%010d", seq)
				}
			}
		}
	}
	for j := range o.Items {
		o.Items[j].UpdatedAt = at
	}
	spreadVouchers(o)
}

// wire renders times, ids, money and flags in the real-wire form or the
// documentation's all-strings form.
type wire struct{ doc bool }

func (w wire) id(v int64) any {
	if w.doc {
		return strconv.FormatInt(v, 10)
	}
	return v
}

// money is a number with .00 on the real wire (json.Number keeps the text).
func (w wire) money(v int64) any {
	s := strconv.FormatInt(v, 10) + ".00"
	if w.doc {
		return s
	}
	return json.Number(s)
}

func (w wire) flag(b bool) any {
	if w.doc {
		return strconv.FormatBool(b)
	}
	return b
}

func (w wire) num(v int64) any {
	if w.doc {
		return strconv.FormatInt(v, 10)
	}
	return v
}

var vn = time.FixedZone("+0700", 7*3600)

func (w wire) time(unix int64) string {
	t := time.Unix(unix, 0).In(vn)
	if w.doc {
		return t.Format(time.RFC3339)
	}
	return t.Format("2006-01-02 15:04:05 -0700")
}

func (w wire) address(a Address, district string) map[string]any {
	return map[string]any{"first_name": a.FirstName, "last_name": a.LastName, "phone": a.Phone, "phone2": a.Phone2,
		"address1": a.Address1, "address2": a.Address2, "address3": a.Address3, "address4": a.Address4, "address5": a.Address5,
		"city": a.City, "post_code": a.PostCode, "country": a.Country, district: a.District, "customer_email": a.CustomerEmail}
}

// order renders an order object of /orders/get.
func (w wire) order(o *Order) map[string]any {
	return map[string]any{
		"order_id": w.id(o.ID), "order_number": w.id(o.Number), "created_at": w.time(o.CreatedAt), "updated_at": w.time(o.UpdatedAt),
		"price": strconv.FormatInt(o.Price(), 10) + ".00", "voucher": w.money(o.Voucher()), "voucher_platform": w.money(o.VoucherPlatform),
		"voucher_seller": w.money(o.VoucherSeller), "shipping_fee": w.money(o.ShippingFee), "shipping_fee_original": w.money(o.ShippingFeeOriginal),
		"shipping_fee_discount_seller": w.money(0), "shipping_fee_discount_platform": w.money(o.ShippingFeeOriginal - o.ShippingFee),
		"items_count": w.num(int64(len(o.Items))), "statuses": o.Statuses(), "payment_method": o.PaymentMethod,
		"customer_first_name": o.FirstName, "customer_last_name": o.LastName,
		"address_billing": w.address(o.Billing, "addressDsitrict"), "address_shipping": w.address(o.Shipping, "addressDsitrict"),
		"voucher_code": o.VoucherCode, "gift_option": w.flag(o.GiftOption), "gift_message": o.GiftMessage, "remarks": o.Remarks,
		"delivery_info": o.DeliveryInfo, "promised_shipping_times": o.PromisedShippingTimes, "national_registration_number": "",
		"branch_number": "", "tax_code": o.TaxCode, "buyer_note": o.BuyerNote, "extra_attributes": o.ExtraAttributes,
		"warehouse_code": o.WarehouseCode, "need_cancel_confirm": w.flag(o.NeedCancelConfirm), "is_cancel_pending": w.flag(o.IsCancelPending),
	}
}

// item renders an order item of /orders/items/get.
func (w wire) item(o *Order, it *Item) map[string]any {
	return map[string]any{
		"order_item_id": w.id(it.ID), "order_id": w.id(o.ID), "shop_sku": it.ShopSKU, "sku": it.SKU, "sku_id": it.SkuID,
		"product_id": it.ProductID, "name": it.Name, "variation": it.Variation, "item_price": w.money(it.ItemPrice),
		"paid_price": w.money(it.PaidPrice), "tax_amount": w.money(0), "voucher_amount": w.money(it.VoucherSeller + it.VoucherPlatform),
		"voucher_seller": w.money(it.VoucherSeller), "voucher_platform": w.money(it.VoucherPlatform), "shipping_amount": w.money(it.ShippingAmount),
		"wallet_credits": w.money(0), "currency": "VND", "status": it.Status, "reason": it.Reason, "cancel_return_initiator": it.CancelInitiator,
		"tracking_code": it.TrackingCode, "shipment_provider": it.ShipmentProvider, "shipping_provider_type": it.ShippingProviderType,
		"shipping_type": "Dropshipping", "package_id": it.PackageID, "created_at": w.time(it.CreatedAt), "updated_at": w.time(it.UpdatedAt),
		"is_digital": w.num(map[bool]int64{true: 1}[it.IsDigital]), "shop_id": "Cửa hàng Mô phỏng Lazada", "voucher_code": "",
	}
}
