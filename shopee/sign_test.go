package shopee_test

import (
	"errors"
	"testing"

	"github.com/facolos/etl/shopee"
	"github.com/stretchr/testify/require"
)

// Test vectors of api-contracts.md §4.3.
func TestSignVectors(t *testing.T) {
	const key, pid, ts, tok, shop = "test_partner_key", 2001887, 1700000000, "tok", 123456
	shopCases := map[string]string{
		"/api/v2/order/get_order_list":      "baa6aec9d0e5460a00650cf72633b96c32fe40c0a8d61c081ddc1fe084ca87a2",
		"/api/v2/order/get_order_detail":    "456d9a8f2ad186dd21e5f868045cf8511c639fdea35877b768fd1a8ec4f6330c",
		"/api/v2/payment/get_escrow_detail": "d76862ba4cf55e6934ab4dbdbe4e2d2650e19c80d8702bbe1bf4c38c490906ef",
	}
	for path, want := range shopCases {
		base := shopee.ShopBase(pid, path, ts, tok, shop)
		require.Equal(t, "2001887"+path+"1700000000tok123456", base)
		require.Equal(t, want, shopee.Sign(key, base), path)
	}
	publicCases := map[string]string{
		"/api/v2/auth/token/get":        "7ae36f569f698a3e8badbd4689396da08fa5f5770247fab25aa218860e01cd36",
		"/api/v2/auth/access_token/get": "3ac2e1c06b38c03eac72f87b59eef912667423ad35121b431f88c2f2e34609c9",
		"/api/v2/shop/auth_partner":     "23c117b69d42ec490533c8346954233ee00a725ffdbf345308f4c9147f416366",
	}
	for path, want := range publicCases {
		require.Equal(t, want, shopee.Sign(key, shopee.PublicBase(pid, path, ts)), path)
	}
}

func TestErrorKinds(t *testing.T) {
	cases := []struct {
		err  *shopee.APIError
		is   []error
		isnt []error
	}{
		{&shopee.APIError{Code: "invalid_acceess_token", HTTPStatus: 403}, []error{shopee.ErrTokenExpired, shopee.ErrAuth}, []error{shopee.ErrServer}},
		{&shopee.APIError{Code: "common.error_auth", Message: "Invalid access_token."}, []error{shopee.ErrTokenExpired, shopee.ErrAuth}, nil},
		{&shopee.APIError{Code: "error_sign"}, []error{shopee.ErrAuth}, []error{shopee.ErrTokenExpired}},
		{&shopee.APIError{Code: "error_rate_limit", HTTPStatus: 429}, []error{shopee.ErrThrottled}, []error{shopee.ErrAuth}},
		{&shopee.APIError{Code: "order.order_list_invalid_time"}, []error{shopee.ErrInvalidParam}, nil},
		{&shopee.APIError{Code: "error_server", HTTPStatus: 500}, []error{shopee.ErrServer}, []error{shopee.ErrInvalidParam}},
	}
	for _, c := range cases {
		var err error = c.err
		for _, k := range c.is {
			require.True(t, errors.Is(err, k), "%v is %v", err, k)
		}
		for _, k := range c.isnt {
			require.False(t, errors.Is(err, k), "%v is not %v", err, k)
		}
	}
}
