IF COL_LENGTH(N'staging.lazada_orders', N'seller_id') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [seller_id] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'order_id') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [order_id] BIGINT NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'status') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [status] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'order_number') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [order_number] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'created_at') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [created_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'updated_at') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [updated_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'price') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [price] DECIMAL(18,2) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'voucher') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [voucher] DECIMAL(18,2) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'voucher_platform') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [voucher_platform] DECIMAL(18,2) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'voucher_seller') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [voucher_seller] DECIMAL(18,2) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'shipping_fee') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [shipping_fee] DECIMAL(18,2) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'shipping_fee_original') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [shipping_fee_original] DECIMAL(18,2) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'shipping_fee_discount_seller') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [shipping_fee_discount_seller] DECIMAL(18,2) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'shipping_fee_discount_platform') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [shipping_fee_discount_platform] DECIMAL(18,2) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'items_count') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [items_count] BIGINT NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'statuses') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [statuses] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'payment_method') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [payment_method] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'customer_first_name') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [customer_first_name] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'customer_last_name') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [customer_last_name] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'voucher_code') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [voucher_code] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'gift_option') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [gift_option] BIT NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'gift_message') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [gift_message] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'remarks') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [remarks] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'delivery_info') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [delivery_info] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'promised_shipping_times') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [promised_shipping_times] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'national_registration_number') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [national_registration_number] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'branch_number') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [branch_number] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'tax_code') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [tax_code] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'buyer_note') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [buyer_note] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'extra_attributes') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [extra_attributes] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'address_updated_at') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [address_updated_at] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'warehouse_code') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [warehouse_code] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'recipient_passport_no') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [recipient_passport_no] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'recipient_identify_no') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [recipient_identify_no] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'recipient_detail_address') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [recipient_detail_address] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'need_cancel_confirm') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [need_cancel_confirm] BIT NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'is_cancel_pending') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [is_cancel_pending] BIT NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'billing_first_name') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [billing_first_name] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'billing_last_name') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [billing_last_name] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'billing_phone') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [billing_phone] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'billing_phone2') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [billing_phone2] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'billing_address1') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [billing_address1] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'billing_address2') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [billing_address2] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'billing_address3') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [billing_address3] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'billing_address4') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [billing_address4] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'billing_address5') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [billing_address5] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'billing_city') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [billing_city] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'billing_post_code') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [billing_post_code] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'billing_country') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [billing_country] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'billing_customer_email') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [billing_customer_email] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'billing_district') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [billing_district] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'shipping_first_name') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [shipping_first_name] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'shipping_last_name') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [shipping_last_name] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'shipping_phone') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [shipping_phone] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'shipping_phone2') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [shipping_phone2] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'shipping_address1') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [shipping_address1] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'shipping_address2') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [shipping_address2] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'shipping_address3') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [shipping_address3] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'shipping_address4') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [shipping_address4] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'shipping_address5') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [shipping_address5] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'shipping_city') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [shipping_city] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'shipping_post_code') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [shipping_post_code] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'shipping_country') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [shipping_country] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'shipping_customer_email') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [shipping_customer_email] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'shipping_district') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [shipping_district] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'request_id') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [request_id] NVARCHAR(64) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'etl_created_at') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [etl_created_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'etl_updated_at') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [etl_updated_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.lazada_orders', N'etl_batch_id') IS NULL
ALTER TABLE [staging].[lazada_orders] ADD [etl_batch_id] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'seller_id') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [seller_id] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'order_item_id') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [order_item_id] BIGINT NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'order_id') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [order_id] BIGINT NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'shop_sku') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [shop_sku] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'sku') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [sku] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'sku_id') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [sku_id] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'product_id') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [product_id] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'name') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [name] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'variation') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [variation] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'item_price') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [item_price] DECIMAL(18,2) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'paid_price') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [paid_price] DECIMAL(18,2) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'tax_amount') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [tax_amount] DECIMAL(18,2) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'voucher_amount') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [voucher_amount] DECIMAL(18,2) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'shipping_amount') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [shipping_amount] DECIMAL(18,2) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'wallet_credits') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [wallet_credits] DECIMAL(18,2) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'voucher_platform') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [voucher_platform] DECIMAL(18,2) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'voucher_seller') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [voucher_seller] DECIMAL(18,2) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'voucher_platform_lpi') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [voucher_platform_lpi] DECIMAL(18,2) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'voucher_seller_lpi') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [voucher_seller_lpi] DECIMAL(18,2) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'shipping_fee_original') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [shipping_fee_original] DECIMAL(18,2) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'shipping_fee_discount_seller') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [shipping_fee_discount_seller] DECIMAL(18,2) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'shipping_fee_discount_platform') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [shipping_fee_discount_platform] DECIMAL(18,2) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'shipping_service_cost') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [shipping_service_cost] DECIMAL(18,2) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'voucher_code') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [voucher_code] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'voucher_code_seller') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [voucher_code_seller] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'voucher_code_platform') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [voucher_code_platform] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'currency') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [currency] NVARCHAR(10) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'status') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [status] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'reason') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [reason] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'reason_detail') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [reason_detail] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'cancel_return_initiator') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [cancel_return_initiator] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'return_status') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [return_status] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'tracking_code') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [tracking_code] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'tracking_code_pre') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [tracking_code_pre] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'shipment_provider') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [shipment_provider] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'shipping_provider_type') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [shipping_provider_type] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'shipping_type') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [shipping_type] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'package_id') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [package_id] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'purchase_order_id') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [purchase_order_id] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'purchase_order_number') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [purchase_order_number] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'invoice_number') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [invoice_number] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'created_at') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [created_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'updated_at') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [updated_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'promised_shipping_time') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [promised_shipping_time] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'sla_time_stamp') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [sla_time_stamp] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'payment_time') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [payment_time] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'is_digital') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [is_digital] BIT NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'is_fbl') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [is_fbl] BIT NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'is_reroute') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [is_reroute] BIT NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'delivery_option_sof') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [delivery_option_sof] BIT NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'order_type') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [order_type] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'order_flag') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [order_flag] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'stage_pay_status') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [stage_pay_status] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'warehouse_code') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [warehouse_code] NVARCHAR(100) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'buyer_id') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [buyer_id] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'shop_id') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [shop_id] NVARCHAR(255) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'product_main_image') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [product_main_image] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'product_detail_url') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [product_detail_url] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'digital_delivery_info') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [digital_delivery_info] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'extra_attributes') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [extra_attributes] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'pick_up_store_info') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [pick_up_store_info] NVARCHAR(MAX) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'need_cancel_confirm') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [need_cancel_confirm] BIT NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'is_cancel_pending') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [is_cancel_pending] BIT NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'can_escalate_pickup') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [can_escalate_pickup] BIT NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'mp3_order') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [mp3_order] BIT NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'cancel_trigger_time') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [cancel_trigger_time] BIGINT NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'reverse_order_id') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [reverse_order_id] NVARCHAR(50) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'schedule_delivery_start_timeslot') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [schedule_delivery_start_timeslot] BIGINT NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'schedule_delivery_end_timeslot') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [schedule_delivery_end_timeslot] BIGINT NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'biz_group') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [biz_group] BIGINT NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'request_id') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [request_id] NVARCHAR(64) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'etl_created_at') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [etl_created_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'etl_updated_at') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [etl_updated_at] DATETIMEOFFSET(7) NULL;
IF COL_LENGTH(N'staging.lazada_order_items', N'etl_batch_id') IS NULL
ALTER TABLE [staging].[lazada_order_items] ADD [etl_batch_id] NVARCHAR(50) NULL
