package lazada_test

import (
	"testing"

	"github.com/facolos/etl/lazada"
	"github.com/stretchr/testify/require"
)

// Every vector of the contract's §2.3, including the Vietnamese text in NFC
// and NFD form and the order_ids list with and without a space.
func TestSignVectors(t *testing.T) {
	const secret = "TestSecret_0123456789abcdefABCDEF"
	const tok = "50000700a12bcdEfGhIjKlMnOpQrStUvWxYz"
	const nfc = "Nguy\u1ec5n Th\u1ecb H\u01b0\u01a1ng \u2013 \u00c1o thun c\u1ed5 tr\u00f2n, size M"
	const nfd = "Nguye\u0302\u0303n Thi\u0323 Hu\u031bo\u031bng \u2013 A\u0301o thun co\u0302\u0309 tro\u0300n, size M"
	base := func(extra map[string]string) map[string]string {
		p := map[string]string{"access_token": tok, "app_key": "100123", "sign_method": "sha256", "timestamp": "1717200000000"}
		for k, v := range extra {
			p[k] = v
		}
		return p
	}
	cases := []struct {
		name, secret, api string
		params            map[string]string
		base, sign        string
	}{
		{"V0 official", "helloworld", "/order/get",
			map[string]string{"access_token": "test", "app_key": "123456", "order_id": "1234", "sign_method": "sha256", "timestamp": "1517820392000"},
			"/order/getaccess_tokentestapp_key123456order_id1234sign_methodsha256timestamp1517820392000",
			"4190D32361CFB9581350222F345CB77F3B19F0E31D162316848A2C1FFD5FAB4A"},
		{"V1 orders offsets", secret, "/orders/get",
			base(map[string]string{"created_after": "2024-05-01T00:00:00+07:00", "created_before": "2024-05-31T23:59:59+07:00", "limit": "100",
				"offset": "0", "sort_by": "updated_at", "sort_direction": "ASC", "status": "delivered"}),
			"/orders/getaccess_token50000700a12bcdEfGhIjKlMnOpQrStUvWxYzapp_key100123created_after2024-05-01T00:00:00+07:00created_before2024-05-31T23:59:59+07:00limit100offset0sign_methodsha256sort_byupdated_atsort_directionASCstatusdeliveredtimestamp1717200000000",
			"C2D15630AA95755FF8BFAA5C04B9ABA7ABDBE45FDFA50BE4EC73954FB4DD1E09"},
		{"V2 NFC", secret, "/test/api", base(map[string]string{"note": nfc}), "", "94741EACB154DED2D67675AB4CE61A4B9B910F2BBEEA0DEF60EFBE53E31CDA7E"},
		{"V2b NFD", secret, "/test/api", base(map[string]string{"note": nfd}), "", "B9AE3677F32E3C5AD124D3769F5D2B3B2D92F90CB76BAD64818346EE28E627D4"},
		{"V3 array", secret, "/orders/items/get", base(map[string]string{"order_ids": "[412345678901234,412345678905678]"}),
			"/orders/items/getaccess_token50000700a12bcdEfGhIjKlMnOpQrStUvWxYzapp_key100123order_ids[412345678901234,412345678905678]sign_methodsha256timestamp1717200000000",
			"15A4F992400FD8EF040B9111C6DFF6400075F24C15B94BF48E47356FBB123669"},
		{"V3 array spaced", secret, "/orders/items/get", base(map[string]string{"order_ids": "[412345678901234, 412345678905678]"}), "",
			"582588124ABA9DB755A68DE91696FF9126CFD83781BADB3D3660078EA92730A4"},
		{"V4 token create", secret, "/auth/token/create",
			map[string]string{"app_key": "100123", "code": "0_100123_AbCdEfGhIjKlMnOpQrStUv123", "partner_id": "lazop-sdk-python-20181207", "sign_method": "sha256", "timestamp": "1717200000000"},
			"", "1CA27DC615A324AC981F72B369C4B4CE9331D8EE9F195780645863BA9D413AC1"},
		{"V5 empty kept", secret, "/auth/token/create",
			map[string]string{"access_token": "", "app_key": "100123", "code": "abc", "sign_method": "sha256", "timestamp": "1717200000000"},
			"", "C9FC4108813F06BF47AFA6BA831E0137EFA9F66E852AD3D5F2A1ABCEBF882128"},
		{"V5 empty dropped", secret, "/auth/token/create",
			map[string]string{"app_key": "100123", "code": "abc", "sign_method": "sha256", "timestamp": "1717200000000"},
			"", "D9E780F199E3D7B106D1E0CE7824682D79CA77F706C2A90D129EC95266F8406C"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.base != "" {
				require.Equal(t, c.base, lazada.SignBase(c.api, c.params))
			}
			require.Equal(t, c.sign, lazada.Sign(c.secret, c.api, c.params))
			withSign := map[string]string{"sign": "ignored"}
			for k, v := range c.params {
				withSign[k] = v
			}
			require.Equal(t, c.sign, lazada.Sign(c.secret, c.api, withSign), "sign is not signed")
		})
	}
}
