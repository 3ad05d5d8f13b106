// Package jsonbench measures JSON libraries on Shopee orders, for the choice
// of the decoder of the shopee package (see docs/performance.md). It is a
// separate module so that the candidates never become dependencies of the
// library:
//
//	cd internal/jsonbench && go test -bench . -benchmem
//	cd internal/jsonbench && GOEXPERIMENT=jsonv2 go test -bench . -benchmem
package jsonbench

import "encoding/json"

// Order is a get_order_detail order as typed structs, with numbers kept
// exact as json.Number (a float64 would round money and ids).
type Order struct {
	OrderSN                    string        `json:"order_sn"`
	Region                     string        `json:"region"`
	Currency                   string        `json:"currency"`
	COD                        bool          `json:"cod"`
	TotalAmount                json.Number   `json:"total_amount"`
	OrderStatus                string        `json:"order_status"`
	ShippingCarrier            string        `json:"shipping_carrier"`
	PaymentMethod              string        `json:"payment_method"`
	EstimatedShippingFee       json.Number   `json:"estimated_shipping_fee"`
	MessageToSeller            string        `json:"message_to_seller"`
	CreateTime                 json.Number   `json:"create_time"`
	UpdateTime                 json.Number   `json:"update_time"`
	DaysToShip                 json.Number   `json:"days_to_ship"`
	ShipByDate                 json.Number   `json:"ship_by_date"`
	BuyerUserID                json.Number   `json:"buyer_user_id"`
	BuyerUsername              string        `json:"buyer_username"`
	RecipientAddress           *Address      `json:"recipient_address"`
	ActualShippingFee          json.Number   `json:"actual_shipping_fee"`
	ActualShippingFeeConfirmed bool          `json:"actual_shipping_fee_confirmed"`
	GoodsToDeclare             bool          `json:"goods_to_declare"`
	Note                       string        `json:"note"`
	NoteUpdateTime             json.Number   `json:"note_update_time"`
	ItemList                   []Item        `json:"item_list"`
	PayTime                    json.Number   `json:"pay_time"`
	Dropshipper                string        `json:"dropshipper"`
	DropshipperPhone           string        `json:"dropshipper_phone"`
	SplitUp                    bool          `json:"split_up"`
	BuyerCancelReason          string        `json:"buyer_cancel_reason"`
	CancelBy                   string        `json:"cancel_by"`
	CancelReason               string        `json:"cancel_reason"`
	BuyerCPFID                 string        `json:"buyer_cpf_id"`
	FulfillmentFlag            string        `json:"fulfillment_flag"`
	PickupDoneTime             json.Number   `json:"pickup_done_time"`
	PackageList                []Package     `json:"package_list"`
	InvoiceData                *Invoice      `json:"invoice_data"`
	PaymentInfo                []PaymentInfo `json:"payment_info"`
	ReverseShippingFee         json.Number   `json:"reverse_shipping_fee"`
	OrderChargeableWeightGram  json.Number   `json:"order_chargeable_weight_gram"`
	PrescriptionCheckStatus    json.Number   `json:"prescription_check_status"`
	PharmacistName             string        `json:"pharmacist_name"`
	PrescriptionApprovalTime   json.Number   `json:"prescription_approval_time"`
	PrescriptionRejectionTime  json.Number   `json:"prescription_rejection_time"`
	PrescriptionImages         []string      `json:"prescription_images"`
	EdtFrom                    json.Number   `json:"edt_from"`
	EdtTo                      json.Number   `json:"edt_to"`
	BookingSN                  string        `json:"booking_sn"`
	AdvancePackage             bool          `json:"advance_package"`
	ReturnRequestDueDate       json.Number   `json:"return_request_due_date"`
	IsBuyerShopCollection      bool          `json:"is_buyer_shop_collection"`
	BuyerProofOfCollection     []string      `json:"buyer_proof_of_collection"`
	HotListingOrder            bool          `json:"hot_listing_order"`
	PendingTerms               []string      `json:"pending_terms"`
	Warnings                   []string      `json:"warnings"`
}

// Address is the recipient address.
type Address struct {
	Name        string `json:"name"`
	Phone       string `json:"phone"`
	Town        string `json:"town"`
	District    string `json:"district"`
	City        string `json:"city"`
	State       string `json:"state"`
	Region      string `json:"region"`
	Zipcode     string `json:"zipcode"`
	FullAddress string `json:"full_address"`
	Geolocation *struct {
		Latitude  json.Number `json:"latitude"`
		Longitude json.Number `json:"longitude"`
	} `json:"geolocation"`
}

// Item is an order line. product_location_id comes as a string or a list.
type Item struct {
	ItemID                 json.Number `json:"item_id"`
	ItemName               string      `json:"item_name"`
	ItemSKU                string      `json:"item_sku"`
	ModelID                json.Number `json:"model_id"`
	ModelName              string      `json:"model_name"`
	ModelSKU               string      `json:"model_sku"`
	ModelQuantityPurchased json.Number `json:"model_quantity_purchased"`
	ModelOriginalPrice     json.Number `json:"model_original_price"`
	ModelDiscountedPrice   json.Number `json:"model_discounted_price"`
	Wholesale              bool        `json:"wholesale"`
	Weight                 json.Number `json:"weight"`
	AddOnDeal              bool        `json:"add_on_deal"`
	MainItem               bool        `json:"main_item"`
	AddOnDealID            json.Number `json:"add_on_deal_id"`
	PromotionType          string      `json:"promotion_type"`
	PromotionID            json.Number `json:"promotion_id"`
	OrderItemID            json.Number `json:"order_item_id"`
	PromotionGroupID       json.Number `json:"promotion_group_id"`
	ImageInfo              struct {
		ImageURL string `json:"image_url"`
	} `json:"image_info"`
	ProductLocationID  json.RawMessage `json:"product_location_id"`
	IsPrescriptionItem bool            `json:"is_prescription_item"`
	IsB2COwnedItem     bool            `json:"is_b2c_owned_item"`
	ConsultationID     string          `json:"consultation_id"`
	HotListingItem     bool            `json:"hot_listing_item"`
}

// Package is a parcel.
type Package struct {
	PackageNumber              string        `json:"package_number"`
	LogisticsStatus            string        `json:"logistics_status"`
	LogisticsChannelID         json.Number   `json:"logistics_channel_id"`
	ShippingCarrier            string        `json:"shipping_carrier"`
	AllowSelfDesignAWB         bool          `json:"allow_self_design_awb"`
	ParcelChargeableWeightGram json.Number   `json:"parcel_chargeable_weight_gram"`
	GroupShipmentID            json.Number   `json:"group_shipment_id"`
	VirtualContactNumber       string        `json:"virtual_contact_number"`
	PackageQueryNumber         string        `json:"package_query_number"`
	SortingGroup               string        `json:"sorting_group"`
	ItemList                   []PackageItem `json:"item_list"`
}

// PackageItem is an item in a parcel.
type PackageItem struct {
	ItemID                 json.Number `json:"item_id"`
	ModelID                json.Number `json:"model_id"`
	ModelQuantity          json.Number `json:"model_quantity"`
	OrderItemID            json.Number `json:"order_item_id"`
	PromotionGroupID       json.Number `json:"promotion_group_id"`
	ProductLocationID      string      `json:"product_location_id"`
	ParcelChargeableWeight json.Number `json:"parcel_chargeable_weight"`
}

// Invoice data.
type Invoice struct {
	Number             string      `json:"number"`
	SeriesNumber       string      `json:"series_number"`
	AccessKey          string      `json:"access_key"`
	IssueDate          json.Number `json:"issue_date"`
	TotalValue         json.Number `json:"total_value"`
	ProductsTotalValue json.Number `json:"products_total_value"`
	TaxCode            string      `json:"tax_code"`
}

// PaymentInfo of an order.
type PaymentInfo struct {
	PaymentMethod            string      `json:"payment_method"`
	PaymentProcessorRegister string      `json:"payment_processor_register"`
	CardBrand                string      `json:"card_brand"`
	TransactionID            string      `json:"transaction_id"`
	PaymentAmount            json.Number `json:"payment_amount"`
}
