package tiktoktest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/facolos/etl/internal/testenv"
	"github.com/facolos/etl/tiktok/tiktoktest"
	"github.com/stretchr/testify/require"
)

var simNow = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)

func newSim(t *testing.T, opts tiktoktest.Options) *tiktoktest.Server {
	t.Helper()
	if opts.Now.IsZero() {
		opts.Now = simNow
	}
	s := tiktoktest.NewServer(opts)
	t.Cleanup(s.Close)
	return s
}

type answer struct {
	Status    int
	Code      int             `json:"code"`
	Message   string          `json:"message"`
	RequestID string          `json:"request_id"`
	Data      json.RawMessage `json:"data"`
}

// call signs and sends a request the way a correct client does; mutate may
// change the query, the body sent, or the timestamp after signing.
type req struct {
	method, path string
	q            url.Values
	body         string // signed body
	sent         *string
	ts           int64
	token        string
	noCipher     bool
}

func do(t *testing.T, s *tiktoktest.Server, r req) answer {
	t.Helper()
	q := url.Values{}
	for k, v := range r.q {
		q[k] = v
	}
	q.Set("app_key", s.AppKey())
	if r.ts == 0 {
		r.ts = time.Now().Unix()
	}
	q.Set("timestamp", strconv.FormatInt(r.ts, 10))
	if !r.noCipher && !strings.HasPrefix(r.path, "/authorization") {
		q.Set("shop_cipher", s.ShopCipher())
	}
	var body []byte
	if r.method == http.MethodPost {
		body = []byte(r.body)
	}
	q.Set("sign", tiktoktest.Sign(s.AppSecret(), r.path, q, body))
	if r.sent != nil {
		body = []byte(*r.sent)
	}
	hr, err := http.NewRequest(r.method, s.URL+r.path+"?"+q.Encode(), bytes.NewReader(body))
	require.NoError(t, err)
	hr.Header.Set("Content-Type", "application/json")
	tok := r.token
	if tok == "" {
		tok = s.InitialAccess()
	}
	hr.Header.Set("x-tts-access-token", tok)
	resp, err := http.DefaultClient.Do(hr)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var a answer
	require.NoError(t, json.Unmarshal(data, &a), string(data))
	a.Status = resp.StatusCode
	return a
}

func search(body string, size int, token string) req {
	q := url.Values{"page_size": {strconv.Itoa(size)}, "sort_field": {"create_time"}, "sort_order": {"ASC"}}
	if token != "" {
		q.Set("page_token", token)
	}
	return req{method: http.MethodPost, path: tiktoktest.PathSearch, q: q, body: body}
}

type page struct {
	Next   string            `json:"next_page_token"`
	Total  int               `json:"total_count"`
	Orders []json.RawMessage `json:"orders"`
}

func TestCorrectRequestsAccepted(t *testing.T) {
	s := newSim(t, tiktoktest.Options{Orders: 250})
	a := do(t, s, req{method: http.MethodGet, path: tiktoktest.PathShops})
	require.Zero(t, a.Code, a.Message)
	require.Contains(t, string(a.Data), s.ShopCipher())
	body := fmt.Sprintf(`{"create_time_ge":0,"create_time_lt":%d}`, simNow.Unix())
	var ids []string
	token := ""
	for {
		a = do(t, s, search(body, 100, token))
		require.Zero(t, a.Code, a.Message)
		var p page
		require.NoError(t, json.Unmarshal(a.Data, &p))
		require.Equal(t, 250, p.Total)
		for _, o := range p.Orders {
			var x struct{ ID string }
			require.NoError(t, json.Unmarshal(o, &x))
			ids = append(ids, x.ID)
		}
		if p.Next == "" {
			break
		}
		require.Regexp(t, `[+/=]`, p.Next, "opaque tokens carry base64 punctuation")
		token = p.Next
	}
	require.Len(t, ids, 250)
	a = do(t, s, req{method: http.MethodGet, path: tiktoktest.PathDetail, q: url.Values{"ids": {strings.Join(ids[:50], ",")}}})
	require.Zero(t, a.Code, a.Message)
}

func TestStrictRejections(t *testing.T) {
	s := newSim(t, tiktoktest.Options{Orders: 150})
	body := `{"create_time_ge":0}`
	spaced := `{"create_time_ge": 0}`
	var ids []string
	for i, o := range s.Orders() {
		if i < 51 {
			ids = append(ids, o.ID)
		}
	}
	for _, tc := range []struct {
		name   string
		r      req
		code   int
		status int
	}{
		{"re-serialised body", func() req { r := search(body, 10, ""); r.sent = &spaced; return r }(), tiktoktest.CodeBadSign, 401},
		{"stale timestamp", func() req { r := search(body, 10, ""); r.ts = time.Now().Add(-6 * time.Minute).Unix(); return r }(), tiktoktest.CodeInvalidCredentials, 401},
		{"future timestamp", func() req { r := search(body, 10, ""); r.ts = time.Now().Add(time.Minute).Unix(); return r }(), tiktoktest.CodeInvalidCredentials, 401},
		{"51 ids", req{method: http.MethodGet, path: tiktoktest.PathDetail, q: url.Values{"ids": {strings.Join(ids, ",")}}}, tiktoktest.CodeInvalidParams, 200},
		{"page_size 0", search(body, 0, ""), tiktoktest.CodeInvalidParams, 200},
		{"page_size 101", search(body, 101, ""), tiktoktest.CodeInvalidParams, 200},
		{"unknown order_status", search(`{"order_status":"SHIPPED"}`, 10, ""), tiktoktest.CodeInvalidParams, 200},
		{"unknown body field", search(`{"create_time_from":0}`, 10, ""), tiktoktest.CodeInvalidParams, 200},
		{"malformed body", search(`{"create_time_ge":`, 10, ""), tiktoktest.CodeInvalidParams, 200},
		{"forged page token", search(body, 10, "AAAA+/=="), tiktoktest.CodeInvalidParams, 200},
		{"garbage token", func() req { r := search(body, 10, ""); r.token = "nope"; return r }(), tiktoktest.CodeInvalidCredentials, 401},
		{"cipher sent to /authorization", func() req {
			return req{method: http.MethodGet, path: tiktoktest.PathShops, q: url.Values{"shop_cipher": {s.ShopCipher()}}}
		}(), tiktoktest.CodeInvalidCredentials, 401},
		{"no cipher", func() req { r := search(body, 10, ""); r.noCipher = true; return r }(), tiktoktest.CodeCipherMissing, 400},
		{"other shop's cipher", func() req {
			r := search(body, 10, "")
			r.noCipher = true
			r.q.Set("shop_cipher", "ROW_other")
			return r
		}(), tiktoktest.CodeShopMismatch, 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := do(t, s, tc.r)
			require.Equal(t, tc.code, a.Code, a.Message)
			require.Equal(t, tc.status, a.Status)
		})
	}
}

func TestPageTokensSingleUseAndExpiring(t *testing.T) {
	s := newSim(t, tiktoktest.Options{Orders: 150})
	body := `{"create_time_ge":0}`
	a := do(t, s, search(body, 50, ""))
	var p page
	require.NoError(t, json.Unmarshal(a.Data, &p))
	require.NotEmpty(t, p.Next)
	require.Zero(t, do(t, s, search(body, 50, p.Next)).Code)
	require.Equal(t, tiktoktest.CodeInvalidParams, do(t, s, search(body, 50, p.Next)).Code, "a reused token is refused")
	a = do(t, s, search(body, 50, ""))
	require.NoError(t, json.Unmarshal(a.Data, &p))
	require.Equal(t, tiktoktest.CodeInvalidParams, do(t, s, search(`{"create_time_ge":1}`, 50, p.Next)).Code, "a token of another query is refused")
	a = do(t, s, search(body, 50, ""))
	require.NoError(t, json.Unmarshal(a.Data, &p))
	s.ExpirePageTokens()
	require.Equal(t, tiktoktest.CodeInvalidParams, do(t, s, search(body, 50, p.Next)).Code, "an expired token is refused")
}

func TestTokensOnSimulatedClock(t *testing.T) {
	s := newSim(t, tiktoktest.Options{Orders: 20})
	require.Zero(t, do(t, s, req{method: http.MethodGet, path: tiktoktest.PathShops}).Code)
	s.Advance(8 * 24 * time.Hour)
	a := do(t, s, req{method: http.MethodGet, path: tiktoktest.PathShops})
	require.Equal(t, tiktoktest.CodeTokenExpired, a.Code, "a 7-day token is expired 8 simulated days later")
	// The real-time timestamp is still accepted: freshness is checked
	// against the wall clock, not the simulated one.
	resp, err := http.Get(s.AuthURL + tiktoktest.PathRefresh + "?" + url.Values{"app_key": {s.AppKey()}, "app_secret": {s.AppSecret()},
		"refresh_token": {s.InitialRefresh()}, "grant_type": {"refresh_token"}}.Encode())
	require.NoError(t, err)
	var r struct {
		Code int `json:"code"`
		Data struct {
			AccessToken string `json:"access_token"`
			ExpireIn    int64  `json:"access_token_expire_in"`
		} `json:"data"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&r))
	resp.Body.Close()
	require.Zero(t, r.Code)
	require.InDelta(t, s.Now().Add(7*24*time.Hour).Unix(), r.Data.ExpireIn, 5, "an absolute Unix time")
	require.Zero(t, do(t, s, req{method: http.MethodGet, path: tiktoktest.PathShops, token: r.Data.AccessToken}).Code)
}

func TestDeterministicDataAndAdvance(t *testing.T) {
	a := newSim(t, tiktoktest.Options{Orders: 300, Seed: 3})
	b := newSim(t, tiktoktest.Options{Orders: 300, Seed: 3})
	require.Equal(t, a.Orders(), b.Orders())
	c := newSim(t, tiktoktest.Options{Orders: 300, Seed: 4})
	require.NotEqual(t, a.Orders()[0].ID, c.Orders()[0].ID)
	before := map[string]tiktoktest.Order{}
	multi, statuses := 0, map[string]bool{}
	for _, o := range a.Orders() {
		before[o.ID] = o
		statuses[o.Status] = true
		skus := map[string]int{}
		for _, it := range o.LineItems {
			skus[it.SKUID]++
		}
		for _, n := range skus {
			if n > 1 {
				multi++
			}
		}
		require.True(t, strings.HasPrefix(o.RecipientAddress.RegionCode, "VN"))
	}
	require.Positive(t, multi, "multi-unit orders: several line items of one SKU")
	require.True(t, statuses["CANCELLED"] && statuses["COMPLETED"] && statuses["UNPAID"])
	changes := a.Advance(10 * time.Hour)
	require.NotEmpty(t, changes)
	newOnes := 0
	for _, ch := range changes {
		if ch.New {
			newOnes++
			continue
		}
		var now tiktoktest.Order
		for _, o := range a.Orders() {
			if o.ID == ch.OrderID {
				now = o
			}
		}
		require.Greater(t, now.UpdateTime, before[ch.OrderID].UpdateTime)
	}
	require.Equal(t, 20, newOnes)
}

func TestFaultsAndThrottling(t *testing.T) {
	s := newSim(t, tiktoktest.Options{Orders: 20, RateLimit: 1})
	codes := map[int]int{}
	for i := 0; i < 5; i++ {
		a := do(t, s, req{method: http.MethodGet, path: tiktoktest.PathShops})
		codes[a.Code]++
	}
	require.Positive(t, codes[tiktoktest.CodeThrottled], "36009002 when over the limit")
}

// The Skewed spread: deterministic from the seed, still by create time,
// within the range; the last month holds many times the first's orders,
// a few days hold several times their neighbours' volume, and each of them
// opens with a flash sale: one second holding BurstShare of the orders.
// The default spread is unchanged by the option's existence.
func TestSkewedSpread(t *testing.T) {
	n := testenv.Pick(4000, 20000)
	const days = 365
	now := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	opts := tiktoktest.Options{Orders: n, Seed: 5, Days: days, Now: now, Spread: tiktoktest.Skewed}
	a, b := newSim(t, opts).Orders(), newSim(t, opts).Orders()
	require.Equal(t, a, b, "deterministic")
	uniform := newSim(t, tiktoktest.Options{Orders: n, Seed: 5, Days: days, Now: now}).Orders()
	start := now.Unix() - days*86400
	perDay := make([]int, days)
	perSecond := map[int64]int{}
	for i, o := range a {
		require.Equal(t, uniform[i].ID, o.ID, "the same orders, at other times")
		require.GreaterOrEqual(t, o.CreateTime, start)
		require.Less(t, o.CreateTime, now.Unix())
		if i > 0 {
			require.GreaterOrEqual(t, o.CreateTime, a[i-1].CreateTime, "by create time")
		}
		perDay[(o.CreateTime-start)/86400]++
		perSecond[o.CreateTime]++
	}
	sum := func(d []int) (s int) {
		for _, v := range d {
			s += v
		}
		return s
	}
	first, last := sum(perDay[:30]), sum(perDay[days-30:])
	require.Greater(t, last, 10*first, "a growing shop: first month %d, last month %d", first, last)
	spikes, bursts := 0, 0
	for d := 1; d < days-1; d++ {
		if perDay[d] > 4*(perDay[d-1]+perDay[d+1])/2 {
			spikes++
		}
	}
	for _, c := range perSecond {
		if float64(c) >= float64(n)*tiktoktest.BurstShare*9/10 {
			bursts++
		}
	}
	require.Equal(t, tiktoktest.SpikeDays, spikes, "sale days")
	require.Equal(t, tiktoktest.SpikeDays, bursts, "flash sales: one second holding %d orders", n/100)
	// The uniform spread: at most a few orders in any second.
	perSecond = map[int64]int{}
	for _, o := range uniform {
		perSecond[o.CreateTime]++
		require.LessOrEqual(t, perSecond[o.CreateTime], 3)
	}
	t.Logf("first month %d, last month %d, busiest day %d orders", first, last, slices.Max(perDay))
}

// The authorisation step: the consent page redirects to the app's
// registered redirect URL with a code and the link's state; token/get
// accepts that code once, with grant_type=authorized_code only, and the
// pair it returns works on the Open API.
func TestAuthorisationStep(t *testing.T) {
	s := newSim(t, tiktoktest.Options{Orders: 5, RedirectURL: "https://app.example/callback?x=1"})
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(u string) (*http.Response, string) {
		resp, err := noFollow.Get(u)
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	resp, body := get(s.ServicesURL + tiktoktest.PathAuthorize + "?service_id=other&state=s1")
	require.Equal(t, http.StatusBadRequest, resp.StatusCode, body)
	resp, body = get(s.ServicesURL + tiktoktest.PathAuthorize + "?service_id=" + s.ServiceID() + "&state=s1")
	require.Equal(t, http.StatusFound, resp.StatusCode, body)
	red, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	require.Equal(t, "app.example", red.Host)
	require.Equal(t, "/callback", red.Path)
	require.Equal(t, "1", red.Query().Get("x"), "the registered URL's own query is kept")
	require.Equal(t, "s1", red.Query().Get("state"))
	code := red.Query().Get("code")
	require.NotEmpty(t, code)

	tokenGet := func(grant, code string) answer {
		q := url.Values{"app_key": {s.AppKey()}, "app_secret": {s.AppSecret()}, "auth_code": {code}, "grant_type": {grant}}
		resp, body := get(s.AuthURL + tiktoktest.PathTokenGet + "?" + q.Encode())
		var a answer
		require.NoError(t, json.Unmarshal([]byte(body), &a), body)
		a.Status = resp.StatusCode
		return a
	}
	a := tokenGet("refresh_token", code)
	require.Equal(t, tiktoktest.CodeInvalidParams, a.Code, "only authorized_code is accepted")
	a = tokenGet("authorized_code", code)
	require.Zero(t, a.Code, a.Message)
	var tok struct {
		AccessToken string `json:"access_token"`
		Refresh     string `json:"refresh_token"`
		Expires     int64  `json:"access_token_expire_in"`
	}
	require.NoError(t, json.Unmarshal(a.Data, &tok))
	require.NotEmpty(t, tok.Refresh)
	require.Greater(t, tok.Expires, time.Now().Unix(), "an absolute Unix time")
	a = tokenGet("authorized_code", code)
	require.Equal(t, tiktoktest.CodeInvalidCredentials, a.Code, "a code is single use")
	require.Equal(t, http.StatusUnauthorized, a.Status)

	shops := do(t, s, req{method: http.MethodGet, path: tiktoktest.PathShops, token: tok.AccessToken, noCipher: true})
	require.Zero(t, shops.Code, shops.Message)
	require.Contains(t, string(shops.Data), s.ShopID())

	// A code expires after AuthCodeTTL on the simulated clock.
	late := s.Authorize()
	s.Advance(tiktoktest.AuthCodeTTL)
	a = tokenGet("authorized_code", late)
	require.Equal(t, tiktoktest.CodeInvalidCredentials, a.Code)

	// An app without a registered redirect URL cannot be authorised.
	bare := newSim(t, tiktoktest.Options{Orders: 5})
	resp, body = get(bare.ServicesURL + tiktoktest.PathAuthorize + "?service_id=" + bare.ServiceID())
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Contains(t, body, "redirect URL")
}
