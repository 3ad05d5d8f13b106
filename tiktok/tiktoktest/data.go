package tiktoktest

import (
	"fmt"
	"math/rand/v2"
	"strconv"

	"github.com/facolos/etl/internal/vnfake"
)

// Order is an order object of the 202309 API (field names and JSON types
// as the platform sends them: ids and money are strings, times Unix
// seconds).
type Order struct {
	ID                         string    `json:"id"`
	Status                     string    `json:"status"`
	CreateTime                 int64     `json:"create_time"`
	UpdateTime                 int64     `json:"update_time"`
	PaidTime                   int64     `json:"paid_time,omitempty"`
	RTSTime                    int64     `json:"rts_time,omitempty"`
	CollectionTime             int64     `json:"collection_time,omitempty"`
	DeliveryTime               int64     `json:"delivery_time,omitempty"`
	CancelTime                 int64     `json:"cancel_time,omitempty"`
	UserID                     string    `json:"user_id"`
	BuyerEmail                 string    `json:"buyer_email"`
	BuyerMessage               string    `json:"buyer_message"`
	SellerNote                 string    `json:"seller_note,omitempty"`
	ShippingType               string    `json:"shipping_type"`
	ShippingProvider           string    `json:"shipping_provider,omitempty"`
	ShippingProviderID         string    `json:"shipping_provider_id,omitempty"`
	TrackingNumber             string    `json:"tracking_number,omitempty"`
	DeliveryOptionID           string    `json:"delivery_option_id"`
	DeliveryOptionName         string    `json:"delivery_option_name"`
	DeliveryType               string    `json:"delivery_type"`
	FulfillmentType            string    `json:"fulfillment_type"`
	WarehouseID                string    `json:"warehouse_id"`
	PaymentMethodName          string    `json:"payment_method_name"`
	IsCOD                      bool      `json:"is_cod"`
	IsSampleOrder              bool      `json:"is_sample_order"`
	IsOnHoldOrder              bool      `json:"is_on_hold_order"`
	IsReplacementOrder         bool      `json:"is_replacement_order"`
	ReplacedOrderID            string    `json:"replaced_order_id,omitempty"`
	IsBuyerRequestCancel       bool      `json:"is_buyer_request_cancel"`
	CancelReason               string    `json:"cancel_reason,omitempty"`
	CancellationInitiator      string    `json:"cancellation_initiator,omitempty"`
	OrderType                  string    `json:"order_type"`
	SplitOrCombineTag          string    `json:"split_or_combine_tag,omitempty"`
	CommercePlatform           string    `json:"commerce_platform"`
	HasUpdatedRecipientAddress bool      `json:"has_updated_recipient_address"`
	RTSSLATime                 int64     `json:"rts_sla_time"`
	TTSSLATime                 int64     `json:"tts_sla_time"`
	DeliverySLATime            int64     `json:"delivery_sla_time,omitempty"`
	ShippingDueTime            int64     `json:"shipping_due_time"`
	CollectionDueTime          int64     `json:"collection_due_time"`
	DeliveryDueTime            int64     `json:"delivery_due_time,omitempty"`
	CancelOrderSLATime         int64     `json:"cancel_order_sla_time,omitempty"`
	RecommendedShippingTime    int64     `json:"recommended_shipping_time,omitempty"`
	FulfillmentPriorityLevel   *int64    `json:"fulfillment_priority_level,omitempty"`
	CPF                        string    `json:"cpf,omitempty"`
	Payment                    *Payment  `json:"payment"`
	RecipientAddress           *Address  `json:"recipient_address"`
	LineItems                  []Item    `json:"line_items"`
	Packages                   []Package `json:"packages,omitempty"`
}

// Payment is the order's money (decimal strings).
type Payment struct {
	Currency                    string `json:"currency"`
	SubTotal                    string `json:"sub_total"`
	ShippingFee                 string `json:"shipping_fee"`
	SellerDiscount              string `json:"seller_discount"`
	PlatformDiscount            string `json:"platform_discount"`
	TotalAmount                 string `json:"total_amount"`
	OriginalTotalProductPrice   string `json:"original_total_product_price"`
	OriginalShippingFee         string `json:"original_shipping_fee"`
	ShippingFeeSellerDiscount   string `json:"shipping_fee_seller_discount"`
	ShippingFeePlatformDiscount string `json:"shipping_fee_platform_discount"`
	ShippingFeeCofundedDiscount string `json:"shipping_fee_cofunded_discount,omitempty"`
	Tax                         string `json:"tax,omitempty"`
	ProductTax                  string `json:"product_tax,omitempty"`
	ShippingFeeTax              string `json:"shipping_fee_tax,omitempty"`
	RetailDeliveryFee           string `json:"retail_delivery_fee,omitempty"`
}

// Address is the recipient address (name and phone masked as the platform
// does for platform logistics).
type Address struct {
	Name          string     `json:"name"`
	FirstName     string     `json:"first_name,omitempty"`
	LastName      string     `json:"last_name,omitempty"`
	PhoneNumber   string     `json:"phone_number"`
	FullAddress   string     `json:"full_address"`
	AddressDetail string     `json:"address_detail"`
	AddressLine1  string     `json:"address_line1"`
	AddressLine2  string     `json:"address_line2"`
	AddressLine3  string     `json:"address_line3"`
	AddressLine4  string     `json:"address_line4"`
	PostalCode    string     `json:"postal_code"`
	RegionCode    string     `json:"region_code"`
	DistrictInfo  []District `json:"district_info"`
}

// District is one level of the address.
type District struct {
	AddressLevel     string `json:"address_level"`
	AddressLevelName string `json:"address_level_name"`
	AddressName      string `json:"address_name"`
}

// Item is a line item: one unit (there is no quantity field; three of a
// SKU are three line items).
type Item struct {
	ID                   string `json:"id"`
	ProductID            string `json:"product_id"`
	ProductName          string `json:"product_name"`
	SKUID                string `json:"sku_id"`
	SKUName              string `json:"sku_name"`
	SKUImage             string `json:"sku_image"`
	SellerSKU            string `json:"seller_sku"`
	SKUType              string `json:"sku_type"`
	Currency             string `json:"currency"`
	OriginalPrice        string `json:"original_price"`
	SalePrice            string `json:"sale_price"`
	SellerDiscount       string `json:"seller_discount"`
	PlatformDiscount     string `json:"platform_discount"`
	DisplayStatus        string `json:"display_status"`
	PackageID            string `json:"package_id,omitempty"`
	PackageStatus        string `json:"package_status,omitempty"`
	TrackingNumber       string `json:"tracking_number,omitempty"`
	ShippingProviderID   string `json:"shipping_provider_id,omitempty"`
	ShippingProviderName string `json:"shipping_provider_name,omitempty"`
	RTSTime              int64  `json:"rts_time,omitempty"`
	CancelReason         string `json:"cancel_reason,omitempty"`
	CancelUser           string `json:"cancel_user,omitempty"`
	IsGift               bool   `json:"is_gift"`
	IsDangerousGood      bool   `json:"is_dangerous_good"`
}

// Package is a package of the order (only its id in 202309).
type Package struct {
	ID string `json:"id"`
}

// Statuses the platform knows.
var Statuses = []string{"UNPAID", "ON_HOLD", "AWAITING_SHIPMENT", "PARTIALLY_SHIPPING", "AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED", "COMPLETED", "CANCELLED"}

var providers = []struct{ id, name string }{
	{"6617675021119438849", "J&T Express"}, {"7117858858072016686", "Giao Hàng Nhanh"}, {"7208502187360519982", "Ninja Van"},
	{"6617674991474001670", "SPX Express"}, {"7117859095134816017", "Viettel Post"},
}

var cancelReasons = []string{"Người mua muốn thay đổi địa chỉ giao hàng", "Không còn nhu cầu", "Tìm thấy giá rẻ hơn ở nơi khác", "Hết hàng", "Giao hàng thất bại"}

func money(v int64) string { return strconv.FormatInt(v, 10) }

// genOrder builds order i of a shop: a pure function of its arguments
// (the create times follow c, or are even when c is nil).
func genOrder(seed int64, i, n int, end int64, days int, c *curve) *Order {
	r := rand.New(rand.NewPCG(uint64(seed), uint64(i)*2654435761+1))
	span := int64(days) * 86400
	// Spread evenly with jitter so create times are nearly unique, ascending in i.
	u := (float64(i) + r.Float64()*0.9) / float64(n)
	create := end - span + int64(float64(span)*u)
	if c != nil {
		create = end - span + c.at(u)
	}
	if create >= end {
		create = end - 1
	}
	buyer := vnfake.NewPerson(r)
	addr := vnfake.NewAddress(r)
	o := &Order{
		ID:                 orderID(seed, i),
		CreateTime:         create,
		UserID:             fmt.Sprintf("7494%015d", r.Int64N(1e15)),
		BuyerEmail:         fmt.Sprintf("v%d%s@scs.tiktokw.us", r.IntN(1e6), "x"),
		BuyerMessage:       vnfake.Message(r),
		ShippingType:       "TIKTOK",
		DeliveryOptionID:   "7091146663229654785",
		DeliveryOptionName: "Giao hàng tiêu chuẩn",
		DeliveryType:       "HOME_DELIVERY",
		FulfillmentType:    "FULFILLMENT_BY_SELLER",
		WarehouseID:        "7290341578539534085",
		PaymentMethodName:  []string{"Thanh toán khi nhận hàng", "Ví điện tử", "Thẻ tín dụng/ghi nợ"}[r.IntN(3)],
		OrderType:          "NORMAL",
		CommercePlatform:   "TIKTOK_SHOP",
		RTSSLATime:         create + 2*86400,
		TTSSLATime:         create + 3*86400,
		ShippingDueTime:    create + 2*86400,
		CollectionDueTime:  create + 3*86400,
		CancelOrderSLATime: create + 86400,
	}
	o.IsCOD = o.PaymentMethodName == "Thanh toán khi nhận hàng"
	if r.IntN(10) == 0 {
		lvl := int64(r.IntN(3))
		o.FulfillmentPriorityLevel = &lvl
	}
	if r.IntN(20) == 0 {
		o.SellerNote = "Khách quen, tặng kèm quà 🎁"
	}
	rn := []rune(buyer.Name)
	masked := string(rn[:len(rn)/2]) + "***"
	o.RecipientAddress = &Address{
		Name: masked, PhoneNumber: "(+84)" + buyer.Phone[2:4] + "*****" + buyer.Phone[len(buyer.Phone)-2:],
		FullAddress: addr.Full, AddressDetail: addr.Street, AddressLine1: addr.Street, AddressLine2: addr.Ward,
		AddressLine3: addr.District, AddressLine4: addr.Province, PostalCode: "", RegionCode: "VN",
		DistrictInfo: []District{{"L0", "Country", "Việt Nam"}, {"L1", "Province", addr.Province}, {"L2", "District", addr.District}, {"L3", "Ward", addr.Ward}},
	}
	// Line items: 1..3 SKUs, 1..3 units each (one line item per unit).
	nSKU := 1 + r.IntN(3)
	if r.IntN(60) == 0 {
		nSKU = 0 // an order whose line items are not there yet
	}
	var orig, seller, platform int64
	for k := 0; k < nSKU; k++ {
		p := vnfake.NewProduct(r)
		units := 1 + r.IntN(3)*r.IntN(2)
		sd := int64(r.IntN(3)) * 5000
		pd := int64(r.IntN(2)) * 2000
		for u := 0; u < units; u++ {
			it := Item{
				ID:               fmt.Sprintf("%s%02d", o.ID[:len(o.ID)-1], len(o.LineItems)),
				ProductID:        fmt.Sprintf("1729%015d", p.ItemID),
				ProductName:      p.Name,
				SKUID:            fmt.Sprintf("1729%015d", p.ModelID),
				SKUName:          p.ModelName,
				SKUImage:         fmt.Sprintf("https://p16-oec-va.ibyteimg.com/tos-maliva-i-o3syd03w52-us/%x~tplv-o3syd03w52-origin-jpeg.jpeg", p.ModelID),
				SellerSKU:        p.ModelSKU,
				SKUType:          "NORMAL",
				Currency:         "VND",
				OriginalPrice:    money(p.Price),
				SalePrice:        money(p.Price - sd - pd),
				SellerDiscount:   money(sd),
				PlatformDiscount: money(pd),
				IsGift:           r.IntN(40) == 0,
			}
			orig += p.Price
			seller += sd
			platform += pd
			o.LineItems = append(o.LineItems, it)
		}
	}
	if o.LineItems == nil {
		o.LineItems = []Item{}
	}
	shipOrig := int64(15000 + 5000*r.IntN(4))
	shipSeller := int64(r.IntN(2)) * 5000
	shipPlat := int64(r.IntN(2)) * 10000
	if shipSeller+shipPlat > shipOrig {
		shipPlat = shipOrig - shipSeller
	}
	sub := orig - seller - platform
	ship := shipOrig - shipSeller - shipPlat
	o.Payment = &Payment{Currency: "VND", SubTotal: money(sub), ShippingFee: money(ship), SellerDiscount: money(seller),
		PlatformDiscount: money(platform), TotalAmount: money(sub + ship), OriginalTotalProductPrice: money(orig),
		OriginalShippingFee: money(shipOrig), ShippingFeeSellerDiscount: money(shipSeller), ShippingFeePlatformDiscount: money(shipPlat),
		Tax: "0"}
	if i%7 == 3 {
		o.Payment.ShippingFeeCofundedDiscount = "0.25" // exactness: a fraction of a đồng survives
	}
	// Status by age: the older, the further along.
	age := float64(end-create) / float64(span)
	switch {
	case len(o.LineItems) == 0:
		o.Status = "UNPAID"
	case r.IntN(12) == 0:
		cancel(o, r, create+3600)
	case age < 0.02:
		o.Status = []string{"UNPAID", "AWAITING_SHIPMENT", "ON_HOLD"}[r.IntN(3)]
	case age < 0.05:
		o.Status = []string{"AWAITING_SHIPMENT", "AWAITING_COLLECTION", "PARTIALLY_SHIPPING"}[r.IntN(3)]
	case age < 0.1:
		o.Status = "IN_TRANSIT"
	case age < 0.2:
		o.Status = "DELIVERED"
	default:
		o.Status = "COMPLETED"
	}
	o.UpdateTime = create + int64(r.IntN(3600))
	settle(o, r)
	if o.UpdateTime >= end {
		o.UpdateTime = end - 1
	}
	return o
}

func orderID(seed int64, i int) string {
	if i%5 == 4 {
		return fmt.Sprintf("%d", int64(1_729_000_000_000_000_000)+seed%1000*1_000_000_000+int64(i)*10) // 19 digits
	}
	return fmt.Sprintf("%d", int64(576_461_413_000_000_000)+seed%1000*1_000_000_000+int64(i)*10) // 18 digits
}

func cancel(o *Order, r *rand.Rand, at int64) {
	o.Status = "CANCELLED"
	o.CancelReason = cancelReasons[r.IntN(len(cancelReasons))]
	o.CancellationInitiator = []string{"BUYER", "SELLER", "SYSTEM"}[r.IntN(3)]
	o.IsBuyerRequestCancel = o.CancellationInitiator == "BUYER"
	o.CancelTime = at
}

// settle fills what follows from the status: payment time, packages (split
// in two when there are several SKUs), tracking, item display status.
func settle(o *Order, r *rand.Rand) {
	paid := o.Status != "UNPAID" && !(o.Status == "CANCELLED" && o.CancellationInitiator == "SYSTEM")
	if paid && o.PaidTime == 0 {
		o.PaidTime = o.CreateTime + 60
	}
	shipped := false
	switch o.Status {
	case "PARTIALLY_SHIPPING", "AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED", "COMPLETED":
		shipped = true
	}
	if shipped && len(o.Packages) == 0 && len(o.LineItems) > 0 {
		p := providers[r.IntN(len(providers))]
		o.ShippingProvider, o.ShippingProviderID = p.name, p.id
		o.TrackingNumber = fmt.Sprintf("VN%010d", r.Int64N(1e10))
		o.RTSTime = o.CreateTime + 86400
		o.RecommendedShippingTime = o.CreateTime + 2*86400
		npk := 1
		if len(o.LineItems) > 2 && r.IntN(4) == 0 {
			npk = 2
			o.SplitOrCombineTag = "SPLIT"
		}
		for k := 0; k < npk; k++ {
			o.Packages = append(o.Packages, Package{ID: fmt.Sprintf("1153%015d", r.Int64N(1e15))})
		}
		for j := range o.LineItems {
			it := &o.LineItems[j]
			pk := o.Packages[j*npk/len(o.LineItems)]
			it.PackageID, it.PackageStatus = pk.ID, "PROCESSING"
			it.TrackingNumber, it.ShippingProviderID, it.ShippingProviderName = o.TrackingNumber, p.id, p.name
			it.RTSTime = o.RTSTime
		}
	}
	for j := range o.LineItems {
		it := &o.LineItems[j]
		if it.CancelReason != "" {
			it.DisplayStatus = "CANCELLED"
			continue
		}
		it.DisplayStatus = o.Status
		if o.Status == "CANCELLED" {
			it.CancelReason, it.CancelUser = o.CancelReason, o.CancellationInitiator
		}
		if it.PackageID != "" {
			switch o.Status {
			case "IN_TRANSIT":
				it.PackageStatus = "SHIPPED"
			case "DELIVERED", "COMPLETED":
				it.PackageStatus = "DELIVERED"
			}
		}
	}
	if o.Status == "DELIVERED" || o.Status == "COMPLETED" {
		if o.DeliveryTime == 0 {
			o.DeliveryTime = o.CreateTime + 4*86400
		}
	}
}

// advanceOrder moves an order on at time at: a status step, sometimes a
// unit cancelled (its line item removed), and the first line items of an
// order that had none.
func advanceOrder(o *Order, r *rand.Rand, at int64) {
	switch {
	case len(o.LineItems) == 0:
		p := vnfake.NewProduct(r)
		o.LineItems = []Item{{ID: o.ID[:len(o.ID)-1] + "90", ProductID: fmt.Sprintf("1729%015d", p.ItemID), ProductName: p.Name,
			SKUID: fmt.Sprintf("1729%015d", p.ModelID), SKUName: p.ModelName, SellerSKU: p.ModelSKU, SKUType: "NORMAL", Currency: "VND",
			OriginalPrice: money(p.Price), SalePrice: money(p.Price), SellerDiscount: "0", PlatformDiscount: "0"}}
		o.Payment.OriginalTotalProductPrice, o.Payment.SubTotal = money(p.Price), money(p.Price)
		o.Status = "AWAITING_SHIPMENT"
	case len(o.LineItems) > 1 && r.IntN(3) == 0 && o.Status != "CANCELLED" && o.Status != "COMPLETED":
		// One unit cancelled by the buyer: the line item goes away.
		o.LineItems = append([]Item(nil), o.LineItems[:len(o.LineItems)-1]...)
		o.IsBuyerRequestCancel = true
	default:
		next := map[string]string{"UNPAID": "AWAITING_SHIPMENT", "ON_HOLD": "AWAITING_SHIPMENT", "AWAITING_SHIPMENT": "AWAITING_COLLECTION",
			"PARTIALLY_SHIPPING": "IN_TRANSIT", "AWAITING_COLLECTION": "IN_TRANSIT", "IN_TRANSIT": "DELIVERED", "DELIVERED": "COMPLETED"}
		if n, ok := next[o.Status]; ok {
			o.Status = n
		} else if o.Status == "COMPLETED" {
			o.SellerNote = "Khách đã đánh giá 5 sao"
		} else {
			o.BuyerMessage += " (đã hủy)"
		}
	}
	o.UpdateTime = max(at, o.UpdateTime+1)
	settle(o, r)
}

// clone deep-copies an order.
func (o *Order) clone() *Order {
	c := *o
	if o.Payment != nil {
		p := *o.Payment
		c.Payment = &p
	}
	if o.RecipientAddress != nil {
		a := *o.RecipientAddress
		a.DistrictInfo = append([]District(nil), o.RecipientAddress.DistrictInfo...)
		c.RecipientAddress = &a
	}
	if o.FulfillmentPriorityLevel != nil {
		l := *o.FulfillmentPriorityLevel
		c.FulfillmentPriorityLevel = &l
	}
	c.LineItems = append([]Item{}, o.LineItems...)
	c.Packages = append([]Package(nil), o.Packages...)
	return &c
}
