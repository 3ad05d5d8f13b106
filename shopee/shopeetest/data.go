package shopeetest

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/facolos/etl/internal/vnfake"
)

// Order is an order as get_order_detail returns it (field names and JSON
// types of Shopee Open Platform v2).
type Order struct {
	OrderSN                    string        `json:"order_sn"`
	Region                     string        `json:"region"`
	Currency                   string        `json:"currency"`
	COD                        bool          `json:"cod"`
	TotalAmount                float64       `json:"total_amount"`
	OrderStatus                string        `json:"order_status"`
	ShippingCarrier            string        `json:"shipping_carrier"`
	PaymentMethod              string        `json:"payment_method"`
	EstimatedShippingFee       float64       `json:"estimated_shipping_fee"`
	MessageToSeller            string        `json:"message_to_seller"`
	CreateTime                 int64         `json:"create_time"`
	UpdateTime                 int64         `json:"update_time"`
	DaysToShip                 int           `json:"days_to_ship"`
	ShipByDate                 int64         `json:"ship_by_date"`
	BuyerUserID                int64         `json:"buyer_user_id"`
	BuyerUsername              string        `json:"buyer_username"`
	RecipientAddress           *Address      `json:"recipient_address,omitempty"`
	ActualShippingFee          float64       `json:"actual_shipping_fee"`
	ActualShippingFeeConfirmed bool          `json:"actual_shipping_fee_confirmed"`
	GoodsToDeclare             bool          `json:"goods_to_declare"`
	Note                       string        `json:"note"`
	NoteUpdateTime             int64         `json:"note_update_time"`
	ItemList                   []Item        `json:"item_list"`
	PayTime                    int64         `json:"pay_time"`
	Dropshipper                string        `json:"dropshipper"`
	DropshipperPhone           string        `json:"dropshipper_phone"`
	SplitUp                    bool          `json:"split_up"`
	BuyerCancelReason          string        `json:"buyer_cancel_reason"`
	CancelBy                   string        `json:"cancel_by"`
	CancelReason               string        `json:"cancel_reason"`
	BuyerCPFID                 string        `json:"buyer_cpf_id"`
	FulfillmentFlag            string        `json:"fulfillment_flag"`
	PickupDoneTime             int64         `json:"pickup_done_time"`
	PackageList                []Package     `json:"package_list"`
	InvoiceData                *Invoice      `json:"invoice_data"`
	PaymentInfo                []PaymentInfo `json:"payment_info,omitempty"`
	ReverseShippingFee         float64       `json:"reverse_shipping_fee"`
	OrderChargeableWeightGram  int64         `json:"order_chargeable_weight_gram"`
	PrescriptionCheckStatus    int           `json:"prescription_check_status"`
	PharmacistName             string        `json:"pharmacist_name"`
	PrescriptionApprovalTime   int64         `json:"prescription_approval_time"`
	PrescriptionRejectionTime  int64         `json:"prescription_rejection_time"`
	PrescriptionImages         []string      `json:"prescription_images,omitempty"`
	EdtFrom                    int64         `json:"edt_from"`
	EdtTo                      int64         `json:"edt_to"`
	BookingSN                  string        `json:"booking_sn"`
	AdvancePackage             bool          `json:"advance_package"`
	ReturnRequestDueDate       int64         `json:"return_request_due_date"`
	IsBuyerShopCollection      bool          `json:"is_buyer_shop_collection"`
	BuyerProofOfCollection     []string      `json:"buyer_proof_of_collection,omitempty"`
	HotListingOrder            bool          `json:"hot_listing_order"`
	PendingTerms               []string      `json:"pending_terms,omitempty"`
	Warnings                   []string      `json:"warnings,omitempty"`
}

// Address is the recipient address (phone masked as the platform does).
type Address struct {
	Name        string       `json:"name"`
	Phone       string       `json:"phone"`
	Town        string       `json:"town"`
	District    string       `json:"district"`
	City        string       `json:"city"`
	State       string       `json:"state"`
	Region      string       `json:"region"`
	Zipcode     string       `json:"zipcode"`
	FullAddress string       `json:"full_address"`
	Geolocation *Geolocation `json:"geolocation,omitempty"`
}

// Geolocation of an address.
type Geolocation struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
}

// Item is an order line.
type Item struct {
	ItemID                 int64     `json:"item_id"`
	ItemName               string    `json:"item_name"`
	ItemSKU                string    `json:"item_sku"`
	ModelID                int64     `json:"model_id"`
	ModelName              string    `json:"model_name"`
	ModelSKU               string    `json:"model_sku"`
	ModelQuantityPurchased int       `json:"model_quantity_purchased"`
	ModelOriginalPrice     float64   `json:"model_original_price"`
	ModelDiscountedPrice   float64   `json:"model_discounted_price"`
	Wholesale              bool      `json:"wholesale"`
	Weight                 float64   `json:"weight"`
	AddOnDeal              bool      `json:"add_on_deal"`
	MainItem               bool      `json:"main_item"`
	AddOnDealID            int64     `json:"add_on_deal_id"`
	PromotionType          string    `json:"promotion_type"`
	PromotionID            int64     `json:"promotion_id"`
	OrderItemID            int64     `json:"order_item_id"`
	PromotionGroupID       int64     `json:"promotion_group_id"`
	ImageInfo              ImageInfo `json:"image_info"`
	// ProductLocationID is an array in real responses, a string in the
	// documentation; the simulator sends both forms.
	ProductLocationID  any    `json:"product_location_id"`
	IsPrescriptionItem bool   `json:"is_prescription_item"`
	IsB2COwnedItem     bool   `json:"is_b2c_owned_item"`
	ConsultationID     string `json:"consultation_id"`
	HotListingItem     bool   `json:"hot_listing_item"`
}

// ImageInfo of an item.
type ImageInfo struct {
	ImageURL string `json:"image_url"`
}

// Package is a parcel of the order.
type Package struct {
	PackageNumber              string        `json:"package_number"`
	LogisticsStatus            string        `json:"logistics_status"`
	LogisticsChannelID         int64         `json:"logistics_channel_id"`
	ShippingCarrier            string        `json:"shipping_carrier"`
	AllowSelfDesignAWB         bool          `json:"allow_self_design_awb"`
	ParcelChargeableWeightGram int           `json:"parcel_chargeable_weight_gram"`
	GroupShipmentID            int64         `json:"group_shipment_id"`
	VirtualContactNumber       string        `json:"virtual_contact_number"`
	PackageQueryNumber         string        `json:"package_query_number"`
	SortingGroup               string        `json:"sorting_group"`
	ItemList                   []PackageItem `json:"item_list"`
}

// PackageItem is an item inside a package.
type PackageItem struct {
	ItemID                 int64  `json:"item_id"`
	ModelID                int64  `json:"model_id"`
	ModelQuantity          int    `json:"model_quantity"`
	OrderItemID            int64  `json:"order_item_id"`
	PromotionGroupID       int64  `json:"promotion_group_id"`
	ProductLocationID      string `json:"product_location_id"`
	ParcelChargeableWeight int    `json:"parcel_chargeable_weight"`
}

// Invoice data of an order.
type Invoice struct {
	Number             string  `json:"number"`
	SeriesNumber       string  `json:"series_number"`
	AccessKey          string  `json:"access_key"`
	IssueDate          int64   `json:"issue_date"`
	TotalValue         float64 `json:"total_value"`
	ProductsTotalValue float64 `json:"products_total_value"`
	TaxCode            string  `json:"tax_code"`
}

// PaymentInfo of an order.
type PaymentInfo struct {
	PaymentMethod            string  `json:"payment_method"`
	PaymentProcessorRegister string  `json:"payment_processor_register"`
	CardBrand                string  `json:"card_brand"`
	TransactionID            string  `json:"transaction_id"`
	PaymentAmount            float64 `json:"payment_amount"`
}

// Locations returns an item's product_location_id values.
func (it Item) Locations() []string {
	switch v := it.ProductLocationID.(type) {
	case string:
		if v == "" {
			return nil
		}
		return []string{v}
	case []string:
		return v
	}
	return nil
}

var (
	carriers = []string{"SPX Express", "Giao Hàng Nhanh", "J&T Express", "Ninja Van", "Viettel Post", "Giao Hàng Tiết Kiệm"}
	payments = []string{"COD", "ShopeePay", "Credit Card", "Bank Transfer", "SPayLater"}
	cancels  = []string{"Thay đổi ý", "Tìm thấy giá tốt hơn", "Muốn thay đổi địa chỉ giao hàng", "Người mua không phản hồi"}
	terms    = []string{"SYSTEM_PENDING", "KYC_PENDING", "ARRANGE_SHIPMENT_PENDING"}
	warns    = []string{"Đơn hàng có địa chỉ chưa đầy đủ", "Order contains items out of stock", "Người mua yêu cầu xuất hóa đơn"}
)

const day = 24 * 3600

// orderSN builds a unique Shopee-style order number: the creation date
// (YYMMDD, UTC+8 as the platform does) and 8 hex digits that are a bijection
// of the index.
func orderSN(seed int64, i int, ct int64) string {
	d := time.Unix(ct, 0).In(time.FixedZone("UTC+8", 8*3600)).Format("060102")
	return fmt.Sprintf("%s%08X", d, uint32(i)*2654435761^uint32(seed))
}

// genOrder builds order i of n. It is a pure function of its arguments.
func genOrder(seed int64, i, n int, start int64, days int) *Order {
	span := int64(days) * day
	step := max(span/int64(max(n, 1)), 1)
	ct := start - span + int64(i)*step
	r := rand.New(rand.NewPCG(uint64(seed), uint64(i)+1))
	ct += r.Int64N(step)
	return buildOrder(r, seed, i, ct, start)
}

// buildOrder fills an order created at ct as seen at time now.
func buildOrder(r *rand.Rand, seed int64, i int, ct, now int64) *Order {
	age := now - ct
	buyer := vnfake.NewPerson(r)
	addr := vnfake.NewAddress(r)
	o := &Order{
		OrderSN: orderSN(seed, i, ct), Region: "VN", Currency: "VND",
		CreateTime: ct, DaysToShip: 2 + r.IntN(2),
		BuyerUserID: 100_000_000 + r.Int64N(900_000_000), BuyerUsername: buyer.Username,
		ShippingCarrier: carriers[r.IntN(len(carriers))], PaymentMethod: payments[r.IntN(len(payments))],
		MessageToSeller: vnfake.Message(r), FulfillmentFlag: "fulfilled_by_local_seller",
		HotListingOrder: r.IntN(20) == 0,
	}
	o.COD = o.PaymentMethod == "COD"
	o.ShipByDate = ct + int64(o.DaysToShip)*day
	o.RecipientAddress = &Address{
		Name: buyer.Name, Phone: "******" + buyer.Phone[len(buyer.Phone)-2:], Town: addr.Ward, District: addr.District,
		City: addr.District, State: addr.Province, Region: "VN", FullAddress: addr.Full,
	}
	if r.IntN(3) == 0 {
		o.RecipientAddress.Geolocation = &Geolocation{Latitude: round6(addr.Lat), Longitude: round6(addr.Lng)}
	}
	switch {
	case age > 10*day:
		o.OrderStatus = pickWeighted(r, []string{"COMPLETED", "CANCELLED", "SHIPPED"}, []int{85, 10, 5})
	default:
		o.OrderStatus = pickWeighted(r, []string{"UNPAID", "READY_TO_SHIP", "PROCESSED", "SHIPPED", "COMPLETED", "CANCELLED"}, []int{15, 25, 15, 25, 15, 5})
	}
	o.UpdateTime = ct + r.Int64N(max(min(age, 5*day), 1))
	if o.OrderStatus == "CANCELLED" {
		o.CancelBy = pickWeighted(r, []string{"buyer", "seller", "system"}, []int{70, 10, 20})
		o.CancelReason = cancels[r.IntN(len(cancels))]
		if o.CancelBy == "buyer" {
			o.BuyerCancelReason = o.CancelReason
		}
	}
	if o.OrderStatus != "UNPAID" && o.OrderStatus != "CANCELLED" || (o.COD && o.OrderStatus != "UNPAID") {
		o.PayTime = ct + 60 + r.Int64N(3600)
	}
	if o.OrderStatus == "SHIPPED" || o.OrderStatus == "COMPLETED" {
		o.PickupDoneTime = ct + day + r.Int64N(day)
		o.EdtFrom = o.PickupDoneTime + day
		o.EdtTo = o.EdtFrom + 2*day
		o.ReturnRequestDueDate = o.EdtTo + 15*day
	}
	if r.IntN(8) == 0 {
		o.Note = "Khách quen, tặng kèm quà 🎁"
		o.NoteUpdateTime = ct + 600
	}

	// Items: 1..4, each a product variant with a unique (order_item_id, model_id).
	nItems := []int{1, 1, 1, 2, 2, 3, 4}[r.IntN(7)]
	seen := map[int64]bool{}
	var weight float64
	var total int64
	for k := 0; k < nItems; k++ {
		p := vnfake.NewProduct(r)
		if seen[p.ModelID] {
			continue
		}
		seen[p.ModelID] = true
		qty := 1 + r.IntN(3)
		disc := p.Price - p.Price*int64(r.IntN(4))*5/100
		it := Item{
			ItemID: p.ItemID, ItemName: p.Name, ItemSKU: p.SKU, ModelID: p.ModelID, ModelName: p.ModelName, ModelSKU: p.ModelSKU,
			ModelQuantityPurchased: qty, ModelOriginalPrice: float64(p.Price), ModelDiscountedPrice: float64(disc),
			Weight: p.Weight, MainItem: k == 0, OrderItemID: p.ItemID, PromotionGroupID: 0,
			ImageInfo:      ImageInfo{ImageURL: fmt.Sprintf("https://cf.shopee.vn/file/vn-11134207-%x", p.ModelID)},
			IsB2COwnedItem: false, HotListingItem: r.IntN(25) == 0,
		}
		if r.IntN(5) == 0 {
			it.PromotionType = "flash_sale"
			it.PromotionID = 700_000_000 + r.Int64N(1_000_000)
		}
		if r.IntN(10) == 0 {
			it.AddOnDeal = true
			it.AddOnDealID = 8_000_000 + r.Int64N(1000)
		}
		switch r.IntN(6) {
		case 0:
			it.ProductLocationID = "VNN" // documented form: a plain string
		case 1:
			it.ProductLocationID = []string{"VNZ", "VNS"}
		default:
			it.ProductLocationID = []string{"VNZ"}
		}
		if r.IntN(40) == 0 {
			it.IsPrescriptionItem = true
			o.PrescriptionImages = append(o.PrescriptionImages, fmt.Sprintf("https://cf.shopee.vn/file/rx-%s-%d", o.OrderSN, k))
			o.PrescriptionCheckStatus = 2
			o.PharmacistName = "DS. Lê Thị Hồng"
			o.PrescriptionApprovalTime = ct + 1800
		}
		weight += p.Weight * float64(qty)
		total += disc * int64(qty)
		o.ItemList = append(o.ItemList, it)
	}
	o.EstimatedShippingFee = float64(15000 + 1000*r.IntN(30))
	o.ActualShippingFee = o.EstimatedShippingFee
	o.ActualShippingFeeConfirmed = o.PickupDoneTime > 0
	o.TotalAmount = float64(total) + o.EstimatedShippingFee
	o.OrderChargeableWeightGram = int64(weight * 1000)
	o.Packages(r)

	if r.IntN(10) == 0 {
		o.InvoiceData = &Invoice{Number: fmt.Sprintf("%07d", r.IntN(10_000_000)), SeriesNumber: "1C25TAA", AccessKey: fmt.Sprintf("%032x", r.Uint64()),
			IssueDate: ct + day, TotalValue: o.TotalAmount, ProductsTotalValue: float64(total), TaxCode: fmt.Sprintf("03%08d", r.IntN(100_000_000))}
	}
	if r.IntN(10) == 0 {
		o.PaymentInfo = []PaymentInfo{{PaymentMethod: o.PaymentMethod, PaymentProcessorRegister: "NAPAS", CardBrand: "VISA",
			TransactionID: fmt.Sprintf("TXN%012d", r.Int64N(1_000_000_000_000)), PaymentAmount: o.TotalAmount}}
	}
	if o.OrderStatus == "UNPAID" || o.OrderStatus == "READY_TO_SHIP" {
		if r.IntN(3) == 0 {
			o.PendingTerms = []string{terms[r.IntN(len(terms))]}
		}
	}
	if r.IntN(20) == 0 {
		o.Warnings = []string{warns[r.IntN(len(warns))]}
	}
	if r.IntN(30) == 0 {
		o.IsBuyerShopCollection = true
		o.BuyerProofOfCollection = []string{fmt.Sprintf("https://cf.shopee.vn/file/poc-%s", o.OrderSN)}
	}
	return o
}

// Packages (re)builds the package list from the items: usually one parcel,
// sometimes the items split over two.
func (o *Order) Packages(r *rand.Rand) {
	o.PackageList = nil
	split := len(o.ItemList) > 1 && r.IntN(4) == 0
	o.SplitUp = split
	status := map[string]string{"UNPAID": "LOGISTICS_NOT_START", "READY_TO_SHIP": "LOGISTICS_READY", "PROCESSED": "LOGISTICS_REQUEST_CREATED",
		"SHIPPED": "LOGISTICS_PICKUP_DONE", "COMPLETED": "LOGISTICS_DELIVERY_DONE", "CANCELLED": "LOGISTICS_INVALID"}[o.OrderStatus]
	n := 1
	if split {
		n = 2
	}
	for p := 0; p < n; p++ {
		pkg := Package{PackageNumber: fmt.Sprintf("OFG%s%d", o.OrderSN[6:], p+1), LogisticsStatus: status,
			LogisticsChannelID: 50021 + int64(r.IntN(3)), ShippingCarrier: o.ShippingCarrier, AllowSelfDesignAWB: r.IntN(2) == 0,
			SortingGroup: fmt.Sprintf("SG-%02d", r.IntN(40))}
		for k, it := range o.ItemList {
			if split && k%2 != p {
				continue
			}
			locs := it.Locations()
			loc := ""
			if len(locs) > 0 {
				loc = locs[0]
			}
			w := int(it.Weight * 1000 * float64(it.ModelQuantityPurchased))
			pkg.ItemList = append(pkg.ItemList, PackageItem{ItemID: it.ItemID, ModelID: it.ModelID, ModelQuantity: it.ModelQuantityPurchased,
				OrderItemID: it.OrderItemID, PromotionGroupID: it.PromotionGroupID, ProductLocationID: loc, ParcelChargeableWeight: w})
			pkg.ParcelChargeableWeightGram += w
		}
		o.PackageList = append(o.PackageList, pkg)
	}
}

func pickWeighted(r *rand.Rand, xs []string, w []int) string {
	total := 0
	for _, x := range w {
		total += x
	}
	n := r.IntN(total)
	for i, x := range w {
		if n < x {
			return xs[i]
		}
		n -= x
	}
	return xs[len(xs)-1]
}

func round6(f float64) float64 { return float64(int64(f*1e6)) / 1e6 }

// nextStatus is the status an order moves to when it changes.
func nextStatus(s string) string {
	switch s {
	case "UNPAID":
		return "READY_TO_SHIP"
	case "READY_TO_SHIP":
		return "PROCESSED"
	case "PROCESSED":
		return "SHIPPED"
	case "SHIPPED":
		return "COMPLETED"
	}
	return s
}

// genQuiet is genOrder for a shop with a quiet spell: orders 0..2 on the
// first day of the history, then none for quiet days, then the rest spread
// over what remains.
func genQuiet(seed int64, i, n int, start int64, days, quiet int) *Order {
	const early = 3
	first := start - int64(days)*day
	if i < early {
		r := rand.New(rand.NewPCG(uint64(seed), uint64(i)+1))
		ct := first + int64(i)*4*3600 + r.Int64N(3600)
		return buildOrder(r, seed, i, ct, start)
	}
	restDays := max(days-quiet-1, 1)
	o := genOrder(seed, i-early, max(n-early, 1), start, restDays)
	// Renumber so order numbers stay unique and deterministic.
	r := rand.New(rand.NewPCG(uint64(seed), uint64(i)+1))
	return buildOrder(r, seed, i, o.CreateTime, start)
}
