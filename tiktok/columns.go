// Code generated from tables.md by hand-run script; DO NOT EDIT the column list without the test.

package tiktok

import (
	"encoding/json"

	"github.com/facolos/etl/connector"
)

// columns are the 118 columns of staging.tiktok_shop_order_detail in the order of tables.md (the superset of V0..V3).
var columns = []connector.Column{
	{Name: "etl_created_at", Type: connector.Timestamp, Nullable: true, Auto: connector.AutoCreatedAt},
	{Name: "etl_updated_at", Type: connector.Timestamp, Nullable: true, Auto: connector.AutoUpdatedAt},
	{Name: "etl_batch_id", Type: connector.String, Nullable: true, Length: 50, Auto: connector.AutoRunID},
	{Name: "etl_source", Type: connector.String, Nullable: true, Length: 50, Meta: true},
	{Name: "order_id", Type: connector.String, Nullable: false, Length: 100},
	{Name: "order_status", Type: connector.String, Nullable: true, Length: 100},
	{Name: "buyer_email", Type: connector.String, Nullable: true, Length: 500},
	{Name: "buyer_message", Type: connector.String, Nullable: true},
	{Name: "create_time", Type: connector.Timestamp, Nullable: true},
	{Name: "update_time", Type: connector.Timestamp, Nullable: true},
	{Name: "fulfillment_type", Type: connector.String, Nullable: true, Length: 100},
	{Name: "payment_method_name", Type: connector.String, Nullable: true, Length: 200},
	{Name: "warehouse_id", Type: connector.String, Nullable: true, Length: 100},
	{Name: "user_id", Type: connector.String, Nullable: true, Length: 100},
	{Name: "request_id", Type: connector.String, Nullable: true, Length: 200},
	{Name: "shop_id", Type: connector.String, Nullable: true, Length: 100},
	{Name: "region", Type: connector.String, Nullable: true, Length: 50},
	{Name: "cancel_order_sla_time", Type: connector.Timestamp, Nullable: true},
	{Name: "collection_due_time", Type: connector.Timestamp, Nullable: true},
	{Name: "commerce_platform", Type: connector.String, Nullable: true, Length: 100},
	{Name: "delivery_option_id", Type: connector.String, Nullable: true, Length: 100},
	{Name: "delivery_option_name", Type: connector.String, Nullable: true, Length: 200},
	{Name: "delivery_type", Type: connector.String, Nullable: true, Length: 100},
	{Name: "fulfillment_priority_level", Type: connector.Int, Nullable: true},
	{Name: "has_updated_recipient_address", Type: connector.Bool, Nullable: true},
	{Name: "is_cod", Type: connector.Bool, Nullable: true},
	{Name: "is_on_hold_order", Type: connector.Bool, Nullable: true},
	{Name: "is_replacement_order", Type: connector.Bool, Nullable: true},
	{Name: "is_sample_order", Type: connector.Bool, Nullable: true},
	{Name: "order_type", Type: connector.String, Nullable: true, Length: 100},
	{Name: "paid_time", Type: connector.Timestamp, Nullable: true},
	{Name: "recommended_shipping_time", Type: connector.Timestamp, Nullable: true},
	{Name: "rts_sla_time", Type: connector.Timestamp, Nullable: true},
	{Name: "shipping_due_time", Type: connector.Timestamp, Nullable: true},
	{Name: "shipping_provider", Type: connector.String, Nullable: true, Length: 200},
	{Name: "shipping_provider_id", Type: connector.String, Nullable: true, Length: 100},
	{Name: "shipping_type", Type: connector.String, Nullable: true, Length: 100},
	{Name: "tts_sla_time", Type: connector.Timestamp, Nullable: true},
	{Name: "tracking_number", Type: connector.String, Nullable: true, Length: 200},
	{Name: "is_buyer_request_cancel", Type: connector.Bool, Nullable: true},
	{Name: "cancel_reason", Type: connector.String, Nullable: true},
	{Name: "cancel_user", Type: connector.String, Nullable: true, Length: 100},
	{Name: "buyer_uid", Type: connector.String, Nullable: true, Length: 100},
	{Name: "split_or_combine_tag", Type: connector.String, Nullable: true, Length: 100},
	{Name: "seller_note", Type: connector.String, Nullable: true},
	{Name: "delivery_option", Type: connector.String, Nullable: true, Length: 200},
	{Name: "delivery_due_time", Type: connector.Timestamp, Nullable: true},
	{Name: "rts_time", Type: connector.Timestamp, Nullable: true},
	{Name: "delivery_sla_time", Type: connector.Timestamp, Nullable: true},
	{Name: "collection_sla_time", Type: connector.Timestamp, Nullable: true},
	{Name: "order_line_id", Type: connector.String, Nullable: true, Length: 100},
	{Name: "cpf", Type: connector.String, Nullable: true, Length: 100},
	{Name: "payment_currency", Type: connector.String, Nullable: true, Length: 10},
	{Name: "payment_original_shipping_fee", Type: connector.Decimal, Nullable: true, Precision: 18, Scale: 4},
	{Name: "payment_original_total_product_price", Type: connector.Decimal, Nullable: true, Precision: 18, Scale: 4},
	{Name: "payment_platform_discount", Type: connector.Decimal, Nullable: true, Precision: 18, Scale: 4},
	{Name: "payment_seller_discount", Type: connector.Decimal, Nullable: true, Precision: 18, Scale: 4},
	{Name: "payment_shipping_fee", Type: connector.Decimal, Nullable: true, Precision: 18, Scale: 4},
	{Name: "payment_shipping_fee_cofunded_discount", Type: connector.Decimal, Nullable: true, Precision: 18, Scale: 4},
	{Name: "payment_shipping_fee_platform_discount", Type: connector.Decimal, Nullable: true, Precision: 18, Scale: 4},
	{Name: "payment_shipping_fee_seller_discount", Type: connector.Decimal, Nullable: true, Precision: 18, Scale: 4},
	{Name: "payment_sub_total", Type: connector.Decimal, Nullable: true, Precision: 18, Scale: 4},
	{Name: "payment_tax", Type: connector.Decimal, Nullable: true, Precision: 18, Scale: 4},
	{Name: "payment_total_amount", Type: connector.Decimal, Nullable: true, Precision: 18, Scale: 4},
	{Name: "recipient_address_detail", Type: connector.String, Nullable: true},
	{Name: "recipient_address_line1", Type: connector.String, Nullable: true},
	{Name: "recipient_address_line2", Type: connector.String, Nullable: true},
	{Name: "recipient_address_line3", Type: connector.String, Nullable: true},
	{Name: "recipient_address_line4", Type: connector.String, Nullable: true},
	{Name: "recipient_first_name", Type: connector.String, Nullable: true},
	{Name: "recipient_first_name_local_script", Type: connector.String, Nullable: true},
	{Name: "recipient_last_name", Type: connector.String, Nullable: true},
	{Name: "recipient_last_name_local_script", Type: connector.String, Nullable: true},
	{Name: "recipient_name", Type: connector.String, Nullable: true},
	{Name: "recipient_full_address", Type: connector.String, Nullable: true},
	{Name: "recipient_phone_number", Type: connector.String, Nullable: true, Length: 100},
	{Name: "recipient_postal_code", Type: connector.String, Nullable: true, Length: 50},
	{Name: "recipient_region_code", Type: connector.String, Nullable: true, Length: 50},
	{Name: "recipient_district_info", Type: connector.JSON, Nullable: true},
	{Name: "item_id", Type: connector.String, Nullable: false, Length: 100},
	{Name: "item_product_id", Type: connector.String, Nullable: true, Length: 100},
	{Name: "item_product_name", Type: connector.String, Nullable: true, Length: 1000},
	{Name: "item_sku_id", Type: connector.String, Nullable: true, Length: 100},
	{Name: "item_sku_name", Type: connector.String, Nullable: true, Length: 1000},
	{Name: "item_sku_type", Type: connector.String, Nullable: true, Length: 100},
	{Name: "item_sku_image", Type: connector.String, Nullable: true},
	{Name: "item_seller_sku", Type: connector.String, Nullable: true, Length: 200},
	{Name: "item_quantity", Type: connector.Int, Nullable: true},
	{Name: "item_currency", Type: connector.String, Nullable: true, Length: 10},
	{Name: "item_display_status", Type: connector.String, Nullable: true, Length: 100},
	{Name: "item_is_gift", Type: connector.Bool, Nullable: true},
	{Name: "item_original_price", Type: connector.Decimal, Nullable: true, Precision: 18, Scale: 4},
	{Name: "item_sale_price", Type: connector.Decimal, Nullable: true, Precision: 18, Scale: 4},
	{Name: "item_platform_discount", Type: connector.Decimal, Nullable: true, Precision: 18, Scale: 4},
	{Name: "item_seller_discount", Type: connector.Decimal, Nullable: true, Precision: 18, Scale: 4},
	{Name: "item_package_id", Type: connector.String, Nullable: true, Length: 100},
	{Name: "item_package_status", Type: connector.String, Nullable: true, Length: 100},
	{Name: "item_shipping_provider_id", Type: connector.String, Nullable: true, Length: 100},
	{Name: "item_shipping_provider_name", Type: connector.String, Nullable: true, Length: 200},
	{Name: "item_tracking_number", Type: connector.String, Nullable: true, Length: 200},
	{Name: "item_cancel_reason", Type: connector.String, Nullable: true},
	{Name: "item_cancel_user", Type: connector.String, Nullable: true, Length: 100},
	{Name: "item_is_buyer_request_cancel", Type: connector.Bool, Nullable: true},
	{Name: "item_rts_time", Type: connector.Timestamp, Nullable: true},
	{Name: "item_shipped_time", Type: connector.Timestamp, Nullable: true},
	{Name: "item_delivered_time", Type: connector.Timestamp, Nullable: true},
	{Name: "item_sku_attributes", Type: connector.JSON, Nullable: true},
	{Name: "package_id", Type: connector.String, Nullable: true, Length: 100},
	{Name: "package_status", Type: connector.String, Nullable: true, Length: 100},
	{Name: "package_shipping_provider_id", Type: connector.String, Nullable: true, Length: 100},
	{Name: "package_shipping_provider_name", Type: connector.String, Nullable: true, Length: 200},
	{Name: "package_tracking_number", Type: connector.String, Nullable: true, Length: 200},
	{Name: "shop_cipher", Type: connector.String, Nullable: true, Length: 200},
	{Name: "payment_info_json", Type: connector.JSON, Nullable: true},
	{Name: "recipient_address_json", Type: connector.JSON, Nullable: true},
	{Name: "line_items_json", Type: connector.JSON, Nullable: true},
	{Name: "packages_json", Type: connector.JSON, Nullable: true},
	{Name: "raw_order_json", Type: connector.JSON, Nullable: true},
}

// Column positions.
const (
	cEtlCreatedAt                       = 0
	cEtlUpdatedAt                       = 1
	cEtlBatchID                         = 2
	cEtlSource                          = 3
	cOrderID                            = 4
	cOrderStatus                        = 5
	cBuyerEmail                         = 6
	cBuyerMessage                       = 7
	cCreateTime                         = 8
	cUpdateTime                         = 9
	cFulfillmentType                    = 10
	cPaymentMethodName                  = 11
	cWarehouseID                        = 12
	cUserID                             = 13
	cRequestID                          = 14
	cShopID                             = 15
	cRegion                             = 16
	cCancelOrderSLATime                 = 17
	cCollectionDueTime                  = 18
	cCommercePlatform                   = 19
	cDeliveryOptionID                   = 20
	cDeliveryOptionName                 = 21
	cDeliveryType                       = 22
	cFulfillmentPriorityLevel           = 23
	cHasUpdatedRecipientAddress         = 24
	cIsCOD                              = 25
	cIsOnHoldOrder                      = 26
	cIsReplacementOrder                 = 27
	cIsSampleOrder                      = 28
	cOrderType                          = 29
	cPaidTime                           = 30
	cRecommendedShippingTime            = 31
	cRTSSLATime                         = 32
	cShippingDueTime                    = 33
	cShippingProvider                   = 34
	cShippingProviderID                 = 35
	cShippingType                       = 36
	cTTSSLATime                         = 37
	cTrackingNumber                     = 38
	cIsBuyerRequestCancel               = 39
	cCancelReason                       = 40
	cCancelUser                         = 41
	cBuyerUID                           = 42
	cSplitOrCombineTag                  = 43
	cSellerNote                         = 44
	cDeliveryOption                     = 45
	cDeliveryDueTime                    = 46
	cRTSTime                            = 47
	cDeliverySLATime                    = 48
	cCollectionSLATime                  = 49
	cOrderLineID                        = 50
	cCPF                                = 51
	cPaymentCurrency                    = 52
	cPaymentOriginalShippingFee         = 53
	cPaymentOriginalTotalProductPrice   = 54
	cPaymentPlatformDiscount            = 55
	cPaymentSellerDiscount              = 56
	cPaymentShippingFee                 = 57
	cPaymentShippingFeeCofundedDiscount = 58
	cPaymentShippingFeePlatformDiscount = 59
	cPaymentShippingFeeSellerDiscount   = 60
	cPaymentSubTotal                    = 61
	cPaymentTax                         = 62
	cPaymentTotalAmount                 = 63
	cRecipientAddressDetail             = 64
	cRecipientAddressLine1              = 65
	cRecipientAddressLine2              = 66
	cRecipientAddressLine3              = 67
	cRecipientAddressLine4              = 68
	cRecipientFirstName                 = 69
	cRecipientFirstNameLocalScript      = 70
	cRecipientLastName                  = 71
	cRecipientLastNameLocalScript       = 72
	cRecipientName                      = 73
	cRecipientFullAddress               = 74
	cRecipientPhoneNumber               = 75
	cRecipientPostalCode                = 76
	cRecipientRegionCode                = 77
	cRecipientDistrictInfo              = 78
	cItemID                             = 79
	cItemProductID                      = 80
	cItemProductName                    = 81
	cItemSKUID                          = 82
	cItemSKUName                        = 83
	cItemSKUType                        = 84
	cItemSKUImage                       = 85
	cItemSellerSKU                      = 86
	cItemQuantity                       = 87
	cItemCurrency                       = 88
	cItemDisplayStatus                  = 89
	cItemIsGift                         = 90
	cItemOriginalPrice                  = 91
	cItemSalePrice                      = 92
	cItemPlatformDiscount               = 93
	cItemSellerDiscount                 = 94
	cItemPackageID                      = 95
	cItemPackageStatus                  = 96
	cItemShippingProviderID             = 97
	cItemShippingProviderName           = 98
	cItemTrackingNumber                 = 99
	cItemCancelReason                   = 100
	cItemCancelUser                     = 101
	cItemIsBuyerRequestCancel           = 102
	cItemRTSTime                        = 103
	cItemShippedTime                    = 104
	cItemDeliveredTime                  = 105
	cItemSKUAttributes                  = 106
	cPackageID                          = 107
	cPackageStatus                      = 108
	cPackageShippingProviderID          = 109
	cPackageShippingProviderName        = 110
	cPackageTrackingNumber              = 111
	cShopCipher                         = 112
	cPaymentInfoJson                    = 113
	cRecipientAddressJson               = 114
	cLineItemsJson                      = 115
	cPackagesJson                       = 116
	cRawOrderJson                       = 117
)

// apiOrder holds the order fields the table reads; nested objects are kept raw for the JSON columns and decoded too.
type apiOrder struct {
	ID                         val             `json:"id"`
	Status                     val             `json:"status"`
	BuyerEmail                 val             `json:"buyer_email"`
	BuyerMessage               val             `json:"buyer_message"`
	CreateTime                 val             `json:"create_time"`
	UpdateTime                 val             `json:"update_time"`
	FulfillmentType            val             `json:"fulfillment_type"`
	PaymentMethodName          val             `json:"payment_method_name"`
	WarehouseID                val             `json:"warehouse_id"`
	UserID                     val             `json:"user_id"`
	RequestID                  val             `json:"request_id"`
	ShopID                     val             `json:"shop_id"`
	Region                     val             `json:"region"`
	CancelOrderSLATime         val             `json:"cancel_order_sla_time"`
	CollectionDueTime          val             `json:"collection_due_time"`
	CommercePlatform           val             `json:"commerce_platform"`
	DeliveryOptionID           val             `json:"delivery_option_id"`
	DeliveryOptionName         val             `json:"delivery_option_name"`
	DeliveryType               val             `json:"delivery_type"`
	FulfillmentPriorityLevel   val             `json:"fulfillment_priority_level"`
	HasUpdatedRecipientAddress val             `json:"has_updated_recipient_address"`
	IsCOD                      val             `json:"is_cod"`
	IsOnHoldOrder              val             `json:"is_on_hold_order"`
	IsReplacementOrder         val             `json:"is_replacement_order"`
	IsSampleOrder              val             `json:"is_sample_order"`
	OrderType                  val             `json:"order_type"`
	PaidTime                   val             `json:"paid_time"`
	RecommendedShippingTime    val             `json:"recommended_shipping_time"`
	RTSSLATime                 val             `json:"rts_sla_time"`
	ShippingDueTime            val             `json:"shipping_due_time"`
	ShippingProvider           val             `json:"shipping_provider"`
	ShippingProviderID         val             `json:"shipping_provider_id"`
	ShippingType               val             `json:"shipping_type"`
	TTSSLATime                 val             `json:"tts_sla_time"`
	TrackingNumber             val             `json:"tracking_number"`
	IsBuyerRequestCancel       val             `json:"is_buyer_request_cancel"`
	CancelReason               val             `json:"cancel_reason"`
	CancelUser                 val             `json:"cancel_user"`
	BuyerUID                   val             `json:"buyer_uid"`
	SplitOrCombineTag          val             `json:"split_or_combine_tag"`
	SellerNote                 val             `json:"seller_note"`
	DeliveryOption             val             `json:"delivery_option"`
	DeliveryDueTime            val             `json:"delivery_due_time"`
	RTSTime                    val             `json:"rts_time"`
	DeliverySLATime            val             `json:"delivery_sla_time"`
	CollectionSLATime          val             `json:"collection_sla_time"`
	OrderLineID                val             `json:"order_line_id"`
	CPF                        val             `json:"cpf"`
	ShopCipher                 val             `json:"shop_cipher"`
	Payment                    json.RawMessage `json:"payment"`
	RecipientAddress           json.RawMessage `json:"recipient_address"`
	LineItems                  json.RawMessage `json:"line_items"`
	Packages                   json.RawMessage `json:"packages"`

	// Decoded in the same pass as the order (decode.go).
	payment   apiPayment
	recipient apiRecipient
	pkg       apiPackage      // the first package
	pkgRaw    json.RawMessage // the first element of packages, nil when none
	items     []lineItem      // the elements of line_items

	dec decState // kept from order to order by decodeOrder
}

// lineItem is one element of line_items: its fields (when it is an object)
// and its JSON text.
type lineItem struct {
	apiItem
	raw json.RawMessage
}

type apiPayment struct {
	Currency                    val `json:"currency"`
	OriginalShippingFee         val `json:"original_shipping_fee"`
	OriginalTotalProductPrice   val `json:"original_total_product_price"`
	PlatformDiscount            val `json:"platform_discount"`
	SellerDiscount              val `json:"seller_discount"`
	ShippingFee                 val `json:"shipping_fee"`
	ShippingFeeCofundedDiscount val `json:"shipping_fee_cofunded_discount"`
	ShippingFeePlatformDiscount val `json:"shipping_fee_platform_discount"`
	ShippingFeeSellerDiscount   val `json:"shipping_fee_seller_discount"`
	SubTotal                    val `json:"sub_total"`
	Tax                         val `json:"tax"`
	TotalAmount                 val `json:"total_amount"`
}

type apiRecipient struct {
	AddressDetail        val             `json:"address_detail"`
	AddressLine1         val             `json:"address_line1"`
	AddressLine2         val             `json:"address_line2"`
	AddressLine3         val             `json:"address_line3"`
	AddressLine4         val             `json:"address_line4"`
	FirstName            val             `json:"first_name"`
	FirstNameLocalScript val             `json:"first_name_local_script"`
	LastName             val             `json:"last_name"`
	LastNameLocalScript  val             `json:"last_name_local_script"`
	Name                 val             `json:"name"`
	FullAddress          val             `json:"full_address"`
	PhoneNumber          val             `json:"phone_number"`
	PostalCode           val             `json:"postal_code"`
	RegionCode           val             `json:"region_code"`
	DistrictInfo         json.RawMessage `json:"district_info"`
}

type apiItem struct {
	ID                   val `json:"id"`
	ProductID            val `json:"product_id"`
	ProductName          val `json:"product_name"`
	SKUID                val `json:"sku_id"`
	SKUName              val `json:"sku_name"`
	SKUType              val `json:"sku_type"`
	SKUImage             val `json:"sku_image"`
	SellerSKU            val `json:"seller_sku"`
	Quantity             val `json:"quantity"`
	Currency             val `json:"currency"`
	DisplayStatus        val `json:"display_status"`
	IsGift               val `json:"is_gift"`
	OriginalPrice        val `json:"original_price"`
	SalePrice            val `json:"sale_price"`
	PlatformDiscount     val `json:"platform_discount"`
	SellerDiscount       val `json:"seller_discount"`
	PackageID            val `json:"package_id"`
	PackageStatus        val `json:"package_status"`
	ShippingProviderID   val `json:"shipping_provider_id"`
	ShippingProviderName val `json:"shipping_provider_name"`
	TrackingNumber       val `json:"tracking_number"`
	CancelReason         val `json:"cancel_reason"`
	CancelUser           val `json:"cancel_user"`
	IsBuyerRequestCancel val `json:"is_buyer_request_cancel"`
	RTSTime              val `json:"rts_time"`
	ShippedTime          val `json:"shipped_time"`
	DeliveredTime        val `json:"delivered_time"`
}

type apiPackage struct {
	ID                   val `json:"id"`
	Status               val `json:"status"`
	ShippingProviderID   val `json:"shipping_provider_id"`
	ShippingProviderName val `json:"shipping_provider_name"`
	TrackingNumber       val `json:"tracking_number"`
}

// fillOrder sets the order-level columns of row (every column outside the item block).
func fillOrder(c *cells, row []any, o *apiOrder) error {
	var err error
	if row[4], err = c.str(&o.ID); err != nil {
		return fieldErr("id", err)
	}
	if row[5], err = c.str(&o.Status); err != nil {
		return fieldErr("status", err)
	}
	if row[6], err = c.str(&o.BuyerEmail); err != nil {
		return fieldErr("buyer_email", err)
	}
	if row[7], err = c.str(&o.BuyerMessage); err != nil {
		return fieldErr("buyer_message", err)
	}
	if row[8], err = c.ts(&o.CreateTime); err != nil {
		return fieldErr("create_time", err)
	}
	if row[9], err = c.ts(&o.UpdateTime); err != nil {
		return fieldErr("update_time", err)
	}
	if row[10], err = c.str(&o.FulfillmentType); err != nil {
		return fieldErr("fulfillment_type", err)
	}
	if row[11], err = c.str(&o.PaymentMethodName); err != nil {
		return fieldErr("payment_method_name", err)
	}
	if row[12], err = c.str(&o.WarehouseID); err != nil {
		return fieldErr("warehouse_id", err)
	}
	if row[13], err = c.str(&o.UserID); err != nil {
		return fieldErr("user_id", err)
	}
	if row[14], err = c.str(&o.RequestID); err != nil {
		return fieldErr("request_id", err)
	}
	if row[15], err = c.str(&o.ShopID); err != nil {
		return fieldErr("shop_id", err)
	}
	if row[16], err = c.str(&o.Region); err != nil {
		return fieldErr("region", err)
	}
	if row[17], err = c.ts(&o.CancelOrderSLATime); err != nil {
		return fieldErr("cancel_order_sla_time", err)
	}
	if row[18], err = c.ts(&o.CollectionDueTime); err != nil {
		return fieldErr("collection_due_time", err)
	}
	if row[19], err = c.str(&o.CommercePlatform); err != nil {
		return fieldErr("commerce_platform", err)
	}
	if row[20], err = c.str(&o.DeliveryOptionID); err != nil {
		return fieldErr("delivery_option_id", err)
	}
	if row[21], err = c.str(&o.DeliveryOptionName); err != nil {
		return fieldErr("delivery_option_name", err)
	}
	if row[22], err = c.str(&o.DeliveryType); err != nil {
		return fieldErr("delivery_type", err)
	}
	if row[23], err = c.integer(&o.FulfillmentPriorityLevel); err != nil {
		return fieldErr("fulfillment_priority_level", err)
	}
	if row[24], err = boolean(&o.HasUpdatedRecipientAddress); err != nil {
		return fieldErr("has_updated_recipient_address", err)
	}
	if row[25], err = boolean(&o.IsCOD); err != nil {
		return fieldErr("is_cod", err)
	}
	if row[26], err = boolean(&o.IsOnHoldOrder); err != nil {
		return fieldErr("is_on_hold_order", err)
	}
	if row[27], err = boolean(&o.IsReplacementOrder); err != nil {
		return fieldErr("is_replacement_order", err)
	}
	if row[28], err = boolean(&o.IsSampleOrder); err != nil {
		return fieldErr("is_sample_order", err)
	}
	if row[29], err = c.str(&o.OrderType); err != nil {
		return fieldErr("order_type", err)
	}
	if row[30], err = c.ts(&o.PaidTime); err != nil {
		return fieldErr("paid_time", err)
	}
	if row[31], err = c.ts(&o.RecommendedShippingTime); err != nil {
		return fieldErr("recommended_shipping_time", err)
	}
	if row[32], err = c.ts(&o.RTSSLATime); err != nil {
		return fieldErr("rts_sla_time", err)
	}
	if row[33], err = c.ts(&o.ShippingDueTime); err != nil {
		return fieldErr("shipping_due_time", err)
	}
	if row[34], err = c.str(&o.ShippingProvider); err != nil {
		return fieldErr("shipping_provider", err)
	}
	if row[35], err = c.str(&o.ShippingProviderID); err != nil {
		return fieldErr("shipping_provider_id", err)
	}
	if row[36], err = c.str(&o.ShippingType); err != nil {
		return fieldErr("shipping_type", err)
	}
	if row[37], err = c.ts(&o.TTSSLATime); err != nil {
		return fieldErr("tts_sla_time", err)
	}
	if row[38], err = c.str(&o.TrackingNumber); err != nil {
		return fieldErr("tracking_number", err)
	}
	if row[39], err = boolean(&o.IsBuyerRequestCancel); err != nil {
		return fieldErr("is_buyer_request_cancel", err)
	}
	if row[40], err = c.str(&o.CancelReason); err != nil {
		return fieldErr("cancel_reason", err)
	}
	if row[41], err = c.str(&o.CancelUser); err != nil {
		return fieldErr("cancel_user", err)
	}
	if row[42], err = c.str(&o.BuyerUID); err != nil {
		return fieldErr("buyer_uid", err)
	}
	if row[43], err = c.str(&o.SplitOrCombineTag); err != nil {
		return fieldErr("split_or_combine_tag", err)
	}
	if row[44], err = c.str(&o.SellerNote); err != nil {
		return fieldErr("seller_note", err)
	}
	if row[45], err = c.str(&o.DeliveryOption); err != nil {
		return fieldErr("delivery_option", err)
	}
	if row[46], err = c.ts(&o.DeliveryDueTime); err != nil {
		return fieldErr("delivery_due_time", err)
	}
	if row[47], err = c.ts(&o.RTSTime); err != nil {
		return fieldErr("rts_time", err)
	}
	if row[48], err = c.ts(&o.DeliverySLATime); err != nil {
		return fieldErr("delivery_sla_time", err)
	}
	if row[49], err = c.ts(&o.CollectionSLATime); err != nil {
		return fieldErr("collection_sla_time", err)
	}
	if row[50], err = c.str(&o.OrderLineID); err != nil {
		return fieldErr("order_line_id", err)
	}
	if row[51], err = c.str(&o.CPF); err != nil {
		return fieldErr("cpf", err)
	}
	if row[52], err = c.str(&o.payment.Currency); err != nil {
		return fieldErr("payment.currency", err)
	}
	if row[53], err = c.dec(&o.payment.OriginalShippingFee); err != nil {
		return fieldErr("payment.original_shipping_fee", err)
	}
	if row[54], err = c.dec(&o.payment.OriginalTotalProductPrice); err != nil {
		return fieldErr("payment.original_total_product_price", err)
	}
	if row[55], err = c.dec(&o.payment.PlatformDiscount); err != nil {
		return fieldErr("payment.platform_discount", err)
	}
	if row[56], err = c.dec(&o.payment.SellerDiscount); err != nil {
		return fieldErr("payment.seller_discount", err)
	}
	if row[57], err = c.dec(&o.payment.ShippingFee); err != nil {
		return fieldErr("payment.shipping_fee", err)
	}
	if row[58], err = c.dec(&o.payment.ShippingFeeCofundedDiscount); err != nil {
		return fieldErr("payment.shipping_fee_cofunded_discount", err)
	}
	if row[59], err = c.dec(&o.payment.ShippingFeePlatformDiscount); err != nil {
		return fieldErr("payment.shipping_fee_platform_discount", err)
	}
	if row[60], err = c.dec(&o.payment.ShippingFeeSellerDiscount); err != nil {
		return fieldErr("payment.shipping_fee_seller_discount", err)
	}
	if row[61], err = c.dec(&o.payment.SubTotal); err != nil {
		return fieldErr("payment.sub_total", err)
	}
	if row[62], err = c.dec(&o.payment.Tax); err != nil {
		return fieldErr("payment.tax", err)
	}
	if row[63], err = c.dec(&o.payment.TotalAmount); err != nil {
		return fieldErr("payment.total_amount", err)
	}
	if row[64], err = c.str(&o.recipient.AddressDetail); err != nil {
		return fieldErr("recipient_address.address_detail", err)
	}
	if row[65], err = c.str(&o.recipient.AddressLine1); err != nil {
		return fieldErr("recipient_address.address_line1", err)
	}
	if row[66], err = c.str(&o.recipient.AddressLine2); err != nil {
		return fieldErr("recipient_address.address_line2", err)
	}
	if row[67], err = c.str(&o.recipient.AddressLine3); err != nil {
		return fieldErr("recipient_address.address_line3", err)
	}
	if row[68], err = c.str(&o.recipient.AddressLine4); err != nil {
		return fieldErr("recipient_address.address_line4", err)
	}
	if row[69], err = c.str(&o.recipient.FirstName); err != nil {
		return fieldErr("recipient_address.first_name", err)
	}
	if row[70], err = c.str(&o.recipient.FirstNameLocalScript); err != nil {
		return fieldErr("recipient_address.first_name_local_script", err)
	}
	if row[71], err = c.str(&o.recipient.LastName); err != nil {
		return fieldErr("recipient_address.last_name", err)
	}
	if row[72], err = c.str(&o.recipient.LastNameLocalScript); err != nil {
		return fieldErr("recipient_address.last_name_local_script", err)
	}
	if row[73], err = c.str(&o.recipient.Name); err != nil {
		return fieldErr("recipient_address.name", err)
	}
	if row[74], err = c.str(&o.recipient.FullAddress); err != nil {
		return fieldErr("recipient_address.full_address", err)
	}
	if row[75], err = c.str(&o.recipient.PhoneNumber); err != nil {
		return fieldErr("recipient_address.phone_number", err)
	}
	if row[76], err = c.str(&o.recipient.PostalCode); err != nil {
		return fieldErr("recipient_address.postal_code", err)
	}
	if row[77], err = c.str(&o.recipient.RegionCode); err != nil {
		return fieldErr("recipient_address.region_code", err)
	}
	if row[107], err = c.str(&o.pkg.ID); err != nil {
		return fieldErr("packages[0].id", err)
	}
	if row[108], err = c.str(&o.pkg.Status); err != nil {
		return fieldErr("packages[0].status", err)
	}
	if row[109], err = c.str(&o.pkg.ShippingProviderID); err != nil {
		return fieldErr("packages[0].shipping_provider_id", err)
	}
	if row[110], err = c.str(&o.pkg.ShippingProviderName); err != nil {
		return fieldErr("packages[0].shipping_provider_name", err)
	}
	if row[111], err = c.str(&o.pkg.TrackingNumber); err != nil {
		return fieldErr("packages[0].tracking_number", err)
	}
	if row[112], err = c.str(&o.ShopCipher); err != nil {
		return fieldErr("shop_cipher", err)
	}
	return nil
}

// fillItem sets the item block of row from line item i.
func fillItem(c *cells, row []any, it *apiItem, i int) error {
	var err error
	if row[79], err = c.str(&it.ID); err != nil {
		return itemErr(i, "id", err)
	}
	if row[80], err = c.str(&it.ProductID); err != nil {
		return itemErr(i, "product_id", err)
	}
	if row[81], err = c.str(&it.ProductName); err != nil {
		return itemErr(i, "product_name", err)
	}
	if row[82], err = c.str(&it.SKUID); err != nil {
		return itemErr(i, "sku_id", err)
	}
	if row[83], err = c.str(&it.SKUName); err != nil {
		return itemErr(i, "sku_name", err)
	}
	if row[84], err = c.str(&it.SKUType); err != nil {
		return itemErr(i, "sku_type", err)
	}
	if row[85], err = c.str(&it.SKUImage); err != nil {
		return itemErr(i, "sku_image", err)
	}
	if row[86], err = c.str(&it.SellerSKU); err != nil {
		return itemErr(i, "seller_sku", err)
	}
	if row[87], err = c.integer(&it.Quantity); err != nil {
		return itemErr(i, "quantity", err)
	}
	if row[88], err = c.str(&it.Currency); err != nil {
		return itemErr(i, "currency", err)
	}
	if row[89], err = c.str(&it.DisplayStatus); err != nil {
		return itemErr(i, "display_status", err)
	}
	if row[90], err = boolean(&it.IsGift); err != nil {
		return itemErr(i, "is_gift", err)
	}
	if row[91], err = c.dec(&it.OriginalPrice); err != nil {
		return itemErr(i, "original_price", err)
	}
	if row[92], err = c.dec(&it.SalePrice); err != nil {
		return itemErr(i, "sale_price", err)
	}
	if row[93], err = c.dec(&it.PlatformDiscount); err != nil {
		return itemErr(i, "platform_discount", err)
	}
	if row[94], err = c.dec(&it.SellerDiscount); err != nil {
		return itemErr(i, "seller_discount", err)
	}
	if row[95], err = c.str(&it.PackageID); err != nil {
		return itemErr(i, "package_id", err)
	}
	if row[96], err = c.str(&it.PackageStatus); err != nil {
		return itemErr(i, "package_status", err)
	}
	if row[97], err = c.str(&it.ShippingProviderID); err != nil {
		return itemErr(i, "shipping_provider_id", err)
	}
	if row[98], err = c.str(&it.ShippingProviderName); err != nil {
		return itemErr(i, "shipping_provider_name", err)
	}
	if row[99], err = c.str(&it.TrackingNumber); err != nil {
		return itemErr(i, "tracking_number", err)
	}
	if row[100], err = c.str(&it.CancelReason); err != nil {
		return itemErr(i, "cancel_reason", err)
	}
	if row[101], err = c.str(&it.CancelUser); err != nil {
		return itemErr(i, "cancel_user", err)
	}
	if row[102], err = boolean(&it.IsBuyerRequestCancel); err != nil {
		return itemErr(i, "is_buyer_request_cancel", err)
	}
	if row[103], err = c.ts(&it.RTSTime); err != nil {
		return itemErr(i, "rts_time", err)
	}
	if row[104], err = c.ts(&it.ShippedTime); err != nil {
		return itemErr(i, "shipped_time", err)
	}
	if row[105], err = c.ts(&it.DeliveredTime); err != nil {
		return itemErr(i, "delivered_time", err)
	}
	return nil
}
