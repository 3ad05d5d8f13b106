package lazadatest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/facolos/etl/lazada/lazadatest"
	"github.com/stretchr/testify/require"
)

type answer struct {
	Code    string          `json:"code"`
	Type    string          `json:"type"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
	// Fields is the whole answer (token answers are flat).
	Fields map[string]json.RawMessage `json:"-"`
}

// call signs params (plus the system ones) and sends them; form sends
// them as a form body of a POST.
func call(t *testing.T, s *lazadatest.Server, base, path string, params map[string]string, form bool) answer {
	t.Helper()
	p := map[string]string{"app_key": s.AppKey(), "sign_method": "sha256", "timestamp": strconv.FormatInt(time.Now().UnixMilli(), 10)}
	for k, v := range params {
		p[k] = v
	}
	if _, ok := p["sign"]; !ok {
		p["sign"] = lazadatest.Sign(s.AppSecret(), path, p)
	}
	q := url.Values{}
	for k, v := range p {
		q.Set(k, v)
	}
	var resp *http.Response
	var err error
	if form {
		resp, err = http.Post(base+path, "application/x-www-form-urlencoded", strings.NewReader(q.Encode()))
	} else {
		resp, err = http.Get(base + path + "?" + q.Encode())
	}
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "errors are HTTP 200 envelopes")
	body, _ := io.ReadAll(resp.Body)
	var a answer
	require.NoError(t, json.Unmarshal(body, &a), string(body))
	require.NoError(t, json.Unmarshal(body, &a.Fields))
	return a
}

func orders(s *lazadatest.Server, extra map[string]string) map[string]string {
	p := map[string]string{"access_token": s.InitialAccess(), "created_after": "2024-01-01T00:00:00+07:00", "sort_by": "created_at",
		"sort_direction": "ASC", "limit": "100", "offset": "0"}
	for k, v := range extra {
		p[k] = v
	}
	return p
}

// Correct requests pass, by query and by form body; every rule of the
// contract is enforced with its code.
func TestStrict(t *testing.T) {
	s := lazadatest.NewServer(lazadatest.Options{Orders: 30, OffsetCap: 200})
	defer s.Close()
	require.Equal(t, "0", call(t, s, s.URL, lazadatest.PathOrders, orders(s, nil), false).Code)
	require.Equal(t, "0", call(t, s, s.URL, lazadatest.PathOrders, orders(s, nil), true).Code)
	cases := []struct {
		name   string
		params map[string]string
		code   string
	}{
		{"bad sign", orders(s, map[string]string{"sign": strings.Repeat("A", 64)}), "IncompleteSignature"},
		{"old timestamp", orders(s, map[string]string{"timestamp": strconv.FormatInt(time.Now().Add(-7300*time.Second).UnixMilli(), 10)}), "InvalidTimestamp"},
		{"md5", orders(s, map[string]string{"sign_method": "hmac"}), "IncompleteSignature"},
		{"bad token", orders(s, map[string]string{"access_token": "nope"}), "IllegalAccessToken"},
		{"no window", map[string]string{"access_token": s.InitialAccess()}, "MissingParameter"},
		{"date without colon", orders(s, map[string]string{"created_after": "2024-01-01T00:00:00+0700"}), "17"},
		{"limit 101", orders(s, map[string]string{"limit": "101"}), "19"},
		{"offset beyond the cap", orders(s, map[string]string{"offset": "201"}), "14"},
		{"sort_by", orders(s, map[string]string{"sort_by": "price"}), "75"},
		{"direction", orders(s, map[string]string{"sort_direction": "UP"}), "74"},
		{"status", orders(s, map[string]string{"status": "teleported"}), "36"},
	}
	for _, c := range cases {
		require.Equal(t, c.code, call(t, s, s.URL, lazadatest.PathOrders, c.params, false).Code, c.name)
	}
	ids := make([]string, 51)
	for i := range ids {
		ids[i] = "1"
	}
	items := func(v string) string {
		return call(t, s, s.URL, lazadatest.PathOrderItems, map[string]string{"access_token": s.InitialAccess(), "order_ids": v}, false).Code
	}
	require.Equal(t, "38", items("["+strings.Join(ids, ",")+"]"))
	require.Equal(t, "56", items("1,2"))
	require.Equal(t, "37", items("[1]"))
	first := s.Orders()[0].ID
	require.Equal(t, "0", items("["+strconv.FormatInt(first, 10)+", "+strconv.FormatInt(s.Orders()[1].ID, 10)+"]"), "a spaced list is accepted")
}

// Empty parameters are signed as sent, or dropped as the Java SDKs do:
// both pass.
func TestEmptyValueConventions(t *testing.T) {
	s := lazadatest.NewServer(lazadatest.Options{Orders: 5})
	defer s.Close()
	p := orders(s, map[string]string{"status": ""})
	require.Equal(t, "0", call(t, s, s.URL, lazadatest.PathOrders, p, false).Code)
	dropped := map[string]string{"app_key": s.AppKey(), "sign_method": "sha256", "timestamp": strconv.FormatInt(time.Now().UnixMilli(), 10)}
	for k, v := range p {
		if v != "" {
			dropped[k] = v
		}
	}
	p["sign"] = lazadatest.Sign(s.AppSecret(), lazadatest.PathOrders, dropped)
	p["timestamp"] = dropped["timestamp"]
	require.Equal(t, "0", call(t, s, s.URL, lazadatest.PathOrders, p, false).Code)
}

// ApiCallLimit bans the API for a second once its rate is exceeded; the
// other API is not banned.
func TestApiCallLimitBan(t *testing.T) {
	s := lazadatest.NewServer(lazadatest.Options{Orders: 5, RateLimit: 2})
	defer s.Close()
	codes := map[string]int{}
	for range 4 {
		codes[call(t, s, s.URL, lazadatest.PathOrders, orders(s, nil), false).Code]++
	}
	require.Equal(t, 2, codes["0"])
	require.Equal(t, 2, codes["ApiCallLimit"])
	first := strconv.FormatInt(s.Orders()[0].ID, 10)
	require.Equal(t, "0", call(t, s, s.URL, lazadatest.PathOrderItems, map[string]string{"access_token": s.InitialAccess(), "order_ids": "[" + first + "]"}, false).Code)
}

// Refresh rotates both tokens, the old refresh token dies, the deadline
// stays, and the answer carries both country info names.
func TestRefreshRotates(t *testing.T) {
	s := lazadatest.NewServer(lazadatest.Options{Orders: 5, RefreshTTL: 10 * time.Hour})
	defer s.Close()
	p := map[string]string{"refresh_token": s.InitialRefresh()}
	a := call(t, s, s.AuthURL, lazadatest.PathTokenRefresh, p, true)
	require.Equal(t, "0", a.Code)
	for _, k := range []string{"access_token", "refresh_token", "expires_in", "refresh_expires_in", "country_user_info", "country_user_info_list"} {
		require.Contains(t, a.Fields, k, "a flat answer with both country info names")
	}
	var left int64
	require.NoError(t, json.Unmarshal(a.Fields["refresh_expires_in"], &left))
	require.InDelta(t, (10 * time.Hour).Seconds(), float64(left), 5, "the remaining time to the original deadline")
	require.Equal(t, "IllegalRefreshToken", call(t, s, s.AuthURL, lazadatest.PathTokenRefresh, p, false).Code)
	require.Equal(t, 1, s.Refreshes())
}

// The data is a pure function of the options.
func TestDeterministic(t *testing.T) {
	opts := lazadatest.Options{Orders: 50, Seed: 3, Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	a, b := lazadatest.NewServer(opts), lazadatest.NewServer(opts)
	defer a.Close()
	defer b.Close()
	require.Equal(t, a.Orders(), b.Orders())
}
