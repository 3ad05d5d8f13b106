package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// A three-shop accounts file per platform, rehearsed with -demo before any
// credential exists (its ${NAME} references are unset): one simulated shop
// per account, each its own pipeline named after the account, with data of
// its own, all in one warehouse.
func TestDemoAccountsFile(t *testing.T) {
	var b strings.Builder
	b.WriteString("shopee:\n")
	for i := 1; i <= 3; i++ {
		b.WriteString("  - name: shopee-" + string(rune('0'+i)) + "\n    SHOPEE_PARTNER_ID: \"2001887\"\n    SHOPEE_PARTNER_KEY: ${SHOPEE_PARTNER_KEY}\n    SHOPEE_SHOP_ID: \"10" + string(rune('0'+i)) + "\"\n")
	}
	b.WriteString("tiktok:\n")
	for i := 1; i <= 3; i++ {
		b.WriteString("  - TIKTOK_SHOP_NAME: tiktok-" + string(rune('0'+i)) + "\n    TIKTOK_APP_KEY: k\n    TIKTOK_APP_SECRET: ${TIKTOK_APP_SECRET}\n")
	}
	b.WriteString("misa:\n")
	for i := 1; i <= 3; i++ {
		b.WriteString("  - name: misa-" + string(rune('0'+i)) + "\n    MISA_CRM_CLIENT_ID: app" + string(rune('0'+i)) + "\n    MISA_CRM_CLIENT_SECRET: ${MISA_SECRET}\n")
	}
	path := filepath.Join(t.TempDir(), "accounts.yaml")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o600))

	o := opts(t)
	o.accounts, o.platforms, o.demoOrders, o.mode, o.since = path, "all", 20, "full", "2025-06-01"
	r := runOnce(t, o, env{})
	got := map[string]int64{}
	for _, p := range r.Pipelines {
		require.Equal(t, "ok", p.Status, "%s: %s", p.Pipeline, p.Error)
		got[p.Pipeline] = p.Records
		switch p.Platform {
		case "shopee":
			got[p.Pipeline] = p.Rows["staging.shopee_orders"] // the finance streams add records of their own
		case "tiktok":
			// A finance record is one row of its table (components are
			// their transaction's child rows); the rest are the orders.
			finance := p.Rows["staging.tiktok_statements"] + p.Rows["staging.tiktok_statement_transactions"] + p.Rows["staging.tiktok_withdrawals"]
			require.Positive(t, p.Rows["staging.tiktok_statements"], "the demo loads the TikTok finance streams")
			got[p.Pipeline] = p.Records - finance
		}
	}
	require.Len(t, got, 9, "three pipelines per platform, none else: %v", got)
	for _, name := range []string{"shopee/shopee-1", "shopee/shopee-2", "shopee/shopee-3", "tiktok/tiktok-1", "tiktok/tiktok-2", "tiktok/tiktok-3"} {
		require.EqualValues(t, 20, got[name], name)
	}
	for _, name := range []string{"misa/misa-1", "misa/misa-2", "misa/misa-3"} {
		require.Positive(t, got[name], name)
	}

	// Each Shopee and TikTok shop's orders are rows of their own: none
	// overwrote another's.
	db := openDB(t, strings.TrimPrefix(o.sink, "sqlite:"))
	count := func(q string) int {
		var n int
		require.NoError(t, db.QueryRow(q).Scan(&n), q)
		return n
	}
	require.Equal(t, 60, count(`SELECT count(*) FROM shopee_orders`))
	require.Equal(t, 3, count(`SELECT count(DISTINCT shop_id) FROM shopee_orders`), "a shop id per simulated shop")
	require.Equal(t, 20, count(`SELECT max(n) FROM (SELECT count(*) AS n FROM shopee_orders GROUP BY shop_id)`))
	require.Equal(t, 60, count(`SELECT count(DISTINCT order_id) FROM tiktok_shop_order_detail`))
	require.Equal(t, 3, count(`SELECT count(DISTINCT shop_id) FROM tiktok_shop_order_detail`), "a shop id per simulated shop")
	require.Zero(t, count(`SELECT count(*) FROM tiktok_shop_order_detail WHERE shop_id IS NULL OR region IS NULL`))
	// MISA record ids are per tenant (integers from 100000), so three
	// tenants' customers share ids: told apart by tenant, the account's
	// name, which leads every MISA key.
	require.Equal(t, 3, count(`SELECT count(DISTINCT pipeline) FROM etl_control_checkpoints WHERE pipeline LIKE 'misa/%'`))
	for _, table := range []string{"misa_customers", "misa_sale_orders", "misa_sale_orders_flattened", "misa_contacts", "misa_products", "misa_stocks", "misa_product_stock"} {
		require.Equal(t, 3, count(`SELECT count(DISTINCT tenant) FROM `+table), table)
		require.Zero(t, count(`SELECT count(*) FROM `+table+` WHERE tenant NOT IN ('misa-1', 'misa-2', 'misa-3')`), table)
	}
	require.Positive(t, count(`SELECT count(*) FROM (SELECT id FROM misa_customers GROUP BY id HAVING count(*) = 3)`),
		"customer ids the three tenants share, stored once each")
	require.Equal(t, 60, count(`SELECT count(*) FROM misa_customers`), "20 customers per simulated tenant, none overwritten")
	require.Equal(t, 20, count(`SELECT max(n) FROM (SELECT count(*) AS n FROM misa_customers GROUP BY tenant)`))
	require.Equal(t, 60, count(`SELECT count(*) FROM misa_sale_orders`), "20 sale orders per simulated tenant")
	require.Equal(t, 9, count(`SELECT count(*) FROM etl_control_data_sources`))
}

// The example accounts file rehearses as the guide says:
// -demo -accounts accounts.example.yaml -check reaches a simulated shop per
// account.
func TestAccountsExampleRehearses(t *testing.T) {
	o := opts(t)
	o.accounts, o.platforms, o.report, o.demoOrders = "accounts.example.yaml", "all", "", 10
	code, table, logs := runCheck(t, o, env{})
	require.Equal(t, exitOK, code, "%s\n%s", table, logs)
	for _, p := range []string{"shopee/main-shop", "shopee/outlet", "tiktok/tiktok-main", "misa/crm"} {
		require.Contains(t, row(t, table, p), " yes ")
	}
}
