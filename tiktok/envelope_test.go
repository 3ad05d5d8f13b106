package tiktok_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/facolos/etl/tiktok"
	"github.com/stretchr/testify/require"
)

func TestEnvelopeErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
		is     []error
		isNot  []error
	}{
		{"expired token", 401, `{"code":105002,"message":"Expired credentials","request_id":"r"}`,
			[]error{tiktok.ErrTokenExpired, tiktok.ErrAuth}, []error{tiktok.ErrThrottled, tiktok.ErrServer}},
		{"throttled is not a token error", 429, `{"code":36009002,"message":"Too many requests"}`,
			[]error{tiktok.ErrThrottled}, []error{tiktok.ErrAuth, tiktok.ErrTokenExpired, tiktok.ErrInvalidCredentials}},
		{"throttled code on 200", 200, `{"code":36009002,"message":"Too many requests"}`, []error{tiktok.ErrThrottled}, []error{tiktok.ErrAuth}},
		{"invalid credentials", 401, `{"code":36009004,"message":"Invalid credentials"}`,
			[]error{tiktok.ErrInvalidCredentials, tiktok.ErrAuth}, []error{tiktok.ErrTokenExpired}},
		{"bad sign", 401, `{"code":106001,"message":"Invalid sign"}`, []error{tiktok.ErrBadSign, tiktok.ErrAuth}, []error{tiktok.ErrTokenExpired}},
		{"shop mismatch", 401, `{"code":101000,"message":"x"}`, []error{tiktok.ErrShopMismatch, tiktok.ErrAuth}, nil},
		{"internal error", 200, `{"code":21011500,"message":"Internal"}`, []error{tiktok.ErrServer}, []error{tiktok.ErrAuth}},
		{"system error", 200, `{"code":99999999,"message":"System"}`, []error{tiktok.ErrServer}, nil},
		{"invalid params", 200, `{"code":21001001,"message":"page_size"}`, []error{tiktok.ErrInvalidParam}, []error{tiktok.ErrServer}},
		{"html 502", 502, `<html>Bad Gateway</html>`, []error{tiktok.ErrServer}, []error{tiktok.ErrAuth}},
		{"bare 401", 401, `Unauthorized`, []error{tiktok.ErrTokenExpired, tiktok.ErrAuth}, nil},
		{"success with null data", 200, `{"code":0,"message":"Success","data":null}`, nil, []error{tiktok.ErrServer}},
		{"success without data", 200, `{"code":0,"message":"Success"}`, nil, nil},
		{"no code", 200, `{"message":"Success","data":{}}`, nil, nil},
		{"not JSON", 200, `{"code":0,"data":{"orders":[`, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := tiktok.DecodeEnvelope("/x", tc.status, []byte(tc.body))
			require.Error(t, err, "never nothing")
			var ae *tiktok.APIError
			require.True(t, errors.As(err, &ae))
			for _, k := range tc.is {
				require.ErrorIs(t, err, k)
			}
			for _, k := range tc.isNot {
				require.NotErrorIs(t, err, k)
			}
		})
	}
	data, rid, err := tiktok.DecodeEnvelope("/x", http.StatusOK, []byte(`{"code":0,"message":"Success","request_id":"r1","data":{"orders":[]}}`))
	require.NoError(t, err)
	require.Equal(t, "r1", rid)
	require.JSONEq(t, `{"orders":[]}`, string(data))
}
