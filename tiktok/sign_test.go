package tiktok_test

import (
	"net/url"
	"testing"

	"github.com/facolos/etl/tiktok"
	"github.com/stretchr/testify/require"
)

// The vectors of api-contracts.md §4.1 (TikTok's published example) and §4.2.
func TestSignVectors(t *testing.T) {
	base := url.Values{"app_key": {"test_app_key"}, "timestamp": {"1700000000"}, "shop_cipher": {"ROW_test_cipher"},
		"page_size": {"50"}, "sort_field": {"update_time"}, "sort_order": {"ASC"}}
	body := []byte(`{"update_time_ge":1699913600,"update_time_lt":1700000000}`)
	withToken := url.Values{}
	for k, v := range base {
		withToken[k] = v
	}
	withToken.Set("page_token", "aXRlbV9vZmZzZXQ9NTA=")
	detail := url.Values{"app_key": {"test_app_key"}, "timestamp": {"1700000000"}, "shop_cipher": {"ROW_test_cipher"},
		"ids": {"576461413038785752,576461413038785753"}}
	detailNoise := url.Values{"access_token": {"whatever"}, "sign": {"x"}}
	for k, v := range detail {
		detailNoise[k] = v
	}
	for _, tc := range []struct {
		name, secret, path string
		q                  url.Values
		body               []byte
		wrapped, sign      string
	}{
		{"doc example", "e59af819cc", "/authorization/202309/shops", url.Values{"app_key": {"29a39d"}, "timestamp": {"1623812664"}}, nil,
			"e59af819cc/authorization/202309/shopsapp_key29a39dtimestamp1623812664e59af819cc",
			"b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8"},
		{"A shops", "test_secret", "/authorization/202309/shops", url.Values{"app_key": {"test_app_key"}, "timestamp": {"1700000000"}}, nil,
			"test_secret/authorization/202309/shopsapp_keytest_app_keytimestamp1700000000test_secret",
			"06a647d55c6f06c728e82eb99b91fe4151bbe227e005c110d1ae710a43621f0a"},
		{"B search", "test_secret", "/order/202309/orders/search", base, body,
			`test_secret/order/202309/orders/searchapp_keytest_app_keypage_size50shop_cipherROW_test_ciphersort_fieldupdate_timesort_orderASCtimestamp1700000000{"update_time_ge":1699913600,"update_time_lt":1700000000}test_secret`,
			"920ef02c7233d5cbb81a3b24654f92a5c267e71a625bd1a38e83e7a6ad6728b6"},
		{"C page token", "test_secret", "/order/202309/orders/search", withToken, body,
			`test_secret/order/202309/orders/searchapp_keytest_app_keypage_size50page_tokenaXRlbV9vZmZzZXQ9NTA=shop_cipherROW_test_ciphersort_fieldupdate_timesort_orderASCtimestamp1700000000{"update_time_ge":1699913600,"update_time_lt":1700000000}test_secret`,
			"3b610eec281e262f271d0d0085d68319ba824371689de1972164bf7b0262f3f6"},
		{"D spaced body", "test_secret", "/order/202309/orders/search", base, []byte(`{"update_time_ge": 1699913600, "update_time_lt": 1700000000}`),
			"", "114c2631b410d42151cc744bf1a6f2ce4a2a3c688cf3570962bfd43d5f402444"},
		{"E detail", "test_secret", "/order/202309/orders", detail, nil,
			"test_secret/order/202309/ordersapp_keytest_app_keyids576461413038785752,576461413038785753shop_cipherROW_test_ciphertimestamp1700000000test_secret",
			"2744e3e40d0e0f5ce9ef578e9368579a08abfbf1b50adc5cfdd13835788ca20a"},
		{"E with access_token and sign", "test_secret", "/order/202309/orders", detailNoise, nil, "",
			"2744e3e40d0e0f5ce9ef578e9368579a08abfbf1b50adc5cfdd13835788ca20a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.wrapped != "" {
				require.Equal(t, tc.wrapped, tc.secret+tiktok.SignBase(tc.path, tc.q, tc.body)+tc.secret)
			}
			require.Equal(t, tc.sign, tiktok.Sign(tc.secret, tc.path, tc.q, tc.body))
		})
	}
	// The page token goes URL-encoded on the wire and is signed raw.
	require.Contains(t, withToken.Encode(), "page_token=aXRlbV9vZmZzZXQ9NTA%3D")
}
