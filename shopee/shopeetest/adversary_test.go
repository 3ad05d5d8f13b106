package shopeetest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/facolos/etl/internal/simfault"
	"github.com/facolos/etl/shopee"
	"github.com/facolos/etl/shopee/shopeetest"
	"github.com/stretchr/testify/require"
)

// Request timestamps are checked against the wall clock, whatever the data
// clock says, and the Date header carries that wall clock as it runs: a
// client that signs with the time of the last Date header it saw stays
// accepted however long the simulator runs (a Date frozen at the start
// rejects it once five minutes have passed).
func TestTimestampsAgainstTheWallClock(t *testing.T) {
	var wall wallClock
	s := shopeetest.NewServer(shopeetest.Options{Now: now, Orders: 10, Days: 5, Clock: wall.Now})
	defer s.Close()
	ok := listParams(now.Add(-5*24*time.Hour), now, 100)
	r := call(t, s, shopeetest.PathOrderList, s.InitialAccess(), ok, nil)
	require.Empty(t, r.Error, "signed with the wall clock although the data clock is %s", now)
	signAt := func(ts int64) func(q url.Values) {
		return func(q url.Values) {
			q.Set("timestamp", strconv.FormatInt(ts, 10))
			q.Set("sign", shopee.Sign(s.PartnerKey(), shopee.ShopBase(s.PartnerID(), shopeetest.PathOrderList, ts, s.InitialAccess(), s.ShopID())))
		}
	}
	r = call(t, s, shopeetest.PathOrderList, s.InitialAccess(), ok, signAt(now.Unix())) // the data clock: a year and more in the past
	require.Equal(t, "error_param", r.Error, "a timestamp from the data clock is stale")

	// date returns the Date header of an answer and checks that it is the
	// wall clock: between the wall clock before the request (to the
	// second, the header's resolution) and after the answer.
	date := func(msg string) time.Time {
		before := wall.Now().Truncate(time.Second)
		resp, err := http.Get(s.URL + shopeetest.PathOrderList)
		require.NoError(t, err)
		resp.Body.Close()
		after := wall.Now()
		d, err := http.ParseTime(resp.Header.Get("Date"))
		require.NoError(t, err)
		require.False(t, d.Before(before) || d.After(after), "%s: Date %s, wall clock from %s to %s", msg, d, before, after)
		return d
	}
	for step := 0; step < 3; step++ {
		d := date("the Date header is the wall clock")
		wall.Move(4 * time.Minute)
		r = call(t, s, shopeetest.PathOrderList, s.InitialAccess(), ok, signAt(d.Unix()+int64(4*time.Minute/time.Second)))
		require.Empty(t, r.Error, "step %d: signed with the last Date plus the time elapsed since", step)
	}
	s.Advance(time.Hour)
	date("the data clock does not move the Date header")
	require.Equal(t, now.Add(time.Hour), s.Now())
}

func TestStrictWhereShopeeIsStrict(t *testing.T) {
	s := shopeetest.NewServer(shopeetest.Options{Now: now, Orders: 250, Days: 10})
	defer s.Close()
	at := s.InitialAccess()
	window := listParams(now.Add(-10*24*time.Hour), now, 100)
	with := func(k, v string) url.Values {
		q := url.Values{}
		for kk, vv := range window {
			q[kk] = vv
		}
		q.Set(k, v)
		return q
	}
	r := call(t, s, shopeetest.PathOrderList, at, with("order_status", "SHIPPING"), nil)
	require.Equal(t, "error_param", r.Error, "unknown order_status")
	r = call(t, s, shopeetest.PathOrderList, at, with("order_status", "SHIPPED"), nil)
	require.Empty(t, r.Error)
	r = call(t, s, shopeetest.PathOrderDetail, at, url.Values{"order_sn_list": {"X"}, "response_optional_fields": {"item_list,buyer_shoe_size"}}, nil)
	require.Equal(t, "error_param", r.Error, "unknown optional field")

	first := call(t, s, shopeetest.PathOrderList, at, window, nil)
	require.Empty(t, first.Error)
	var page struct {
		More       bool   `json:"more"`
		NextCursor string `json:"next_cursor"`
	}
	require.NoError(t, jsonUnmarshal(first.Response, &page))
	require.True(t, page.More)
	_, err := strconv.Atoi(page.NextCursor)
	require.Error(t, err, "the cursor is opaque, not an offset")
	r = call(t, s, shopeetest.PathOrderList, at, with("cursor", page.NextCursor), nil)
	require.Empty(t, r.Error, "the cursor works for its own query")
	for name, c := range map[string]string{"offset": "100", "garbage": "%%%", "tampered": page.NextCursor[:len(page.NextCursor)-2] + "AA"} {
		r = call(t, s, shopeetest.PathOrderList, at, with("cursor", c), nil)
		require.Equal(t, "error_param", r.Error, name)
	}
	foreign := with("cursor", page.NextCursor)
	foreign.Set("time_to", strconv.FormatInt(now.Unix()-1, 10))
	r = call(t, s, shopeetest.PathOrderList, at, foreign, nil)
	require.Equal(t, "error_param", r.Error, "a cursor of another query")
}

func TestHostileModes(t *testing.T) {
	s := shopeetest.NewServer(shopeetest.Options{Now: now, Orders: 250, Days: 10, Hostile: shopeetest.Hostile{ListNull: 1}})
	defer s.Close()
	at := s.InitialAccess()
	window := listParams(now.Add(-10*24*time.Hour), now, 100)
	r := call(t, s, shopeetest.PathOrderList, at, window, nil)
	require.Empty(t, r.Error)
	require.Equal(t, "null", string(r.Response))

	s.SetHostile(shopeetest.Hostile{DetailNull: 1})
	r = call(t, s, shopeetest.PathOrderDetail, at, url.Values{"order_sn_list": {s.Orders()[0].OrderSN}}, nil)
	require.Equal(t, "null", string(r.Response))

	s.SetHostile(shopeetest.Hostile{DetailOmit: 1})
	sns := []string{s.Orders()[0].OrderSN, s.Orders()[1].OrderSN, s.Orders()[2].OrderSN}
	r = call(t, s, shopeetest.PathOrderDetail, at, url.Values{"order_sn_list": {strings.Join(sns, ",")}}, nil)
	require.Equal(t, 2, strings.Count(string(r.Response), `"order_sn"`), "one of three omitted, silently")

	s.SetHostile(shopeetest.Hostile{StuckCursor: 1})
	r = call(t, s, shopeetest.PathOrderList, at, window, nil)
	var page struct {
		NextCursor string `json:"next_cursor"`
	}
	require.NoError(t, jsonUnmarshal(r.Response, &page))
	r2 := call(t, s, shopeetest.PathOrderList, at, func() url.Values { q := window; q.Set("cursor", page.NextCursor); return q }(), nil)
	require.Contains(t, string(r2.Response), page.NextCursor, "the cursor does not advance")

	s.SetHostile(shopeetest.Hostile{MoveWhilePaging: 1})
	before := s.Orders()
	call(t, s, shopeetest.PathOrderList, at, listParams(now.Add(-10*24*time.Hour), now, 100), nil)
	moved := 0
	for i, o := range s.Orders() {
		if o.UpdateTime != before[i].UpdateTime {
			require.Equal(t, now.Unix()+1, o.UpdateTime, "changed now, after the clock ticked")
			moved++
		}
	}
	require.Positive(t, moved)
	require.Equal(t, moved, s.Hostile()["moved"])
	for _, k := range []string{"list_null", "detail_null", "detail_omit", "stuck_cursor"} {
		require.Positive(t, s.Hostile()[k], k)
	}
}

// WithholdDetail leaves orders out of every detail answer (the list still
// lists them) until lifted; Touch changes an order now.
func TestWithholdDetail(t *testing.T) {
	s := shopeetest.NewServer(shopeetest.Options{Now: now, Orders: 50, Days: 10})
	defer s.Close()
	at := s.InitialAccess()
	orders := s.Orders()
	sns := []string{orders[0].OrderSN, orders[1].OrderSN, orders[2].OrderSN}
	detail := func() string {
		r := call(t, s, shopeetest.PathOrderDetail, at, url.Values{"order_sn_list": {strings.Join(sns, ",")}}, nil)
		require.Empty(t, r.Error)
		return string(r.Response)
	}
	s.WithholdDetail(sns[1])
	for i := 0; i < 3; i++ {
		got := detail()
		require.Equal(t, 2, strings.Count(got, `"order_sn"`))
		require.NotContains(t, got, sns[1])
	}
	require.Equal(t, 3, s.Hostile()["detail_withheld"])
	r := call(t, s, shopeetest.PathOrderList, at, listParams(now.Add(-10*24*time.Hour), now, 100), nil)
	require.Contains(t, string(r.Response), sns[1], "still listed")

	require.True(t, s.Touch(sns[1]))
	require.False(t, s.Touch("no such order"))
	for _, o := range s.Orders() {
		if o.OrderSN == sns[1] {
			require.Equal(t, now.Unix(), o.UpdateTime)
		}
	}
	s.WithholdDetail()
	require.Equal(t, 3, strings.Count(detail(), `"order_sn"`))
}

func TestQuietSpells(t *testing.T) {
	for _, quiet := range []int{20, 40, 90} {
		s := shopeetest.NewServer(shopeetest.Options{Now: now, Orders: 100, Days: 200, QuietDays: quiet})
		orders := s.Orders()
		s.Close()
		gap := orders[3].CreateTime - orders[2].CreateTime
		require.GreaterOrEqual(t, gap, int64(quiet)*24*3600, "quiet %d", quiet)
		require.Less(t, gap, int64(quiet+2)*24*3600, "quiet %d", quiet)
		for i := 4; i < len(orders); i++ {
			require.Less(t, orders[i].CreateTime-orders[i-1].CreateTime, int64(quiet)*24*3600)
		}
	}
}

// Refresh tokens live 30 days; a lost rotation spends the presented token
// without the client learning the new pair; an authorization code gives a
// new pair.
func TestTokenLifecycle(t *testing.T) {
	s := shopeetest.NewServer(shopeetest.Options{Now: now, Orders: 10, Days: 5})
	defer s.Close()
	s.LoseNextRotation()
	ts := time.Now().Unix()
	q := url.Values{"partner_id": {strconv.FormatInt(s.PartnerID(), 10)}, "timestamp": {strconv.FormatInt(ts, 10)},
		"sign": {shopee.Sign(s.PartnerKey(), shopee.PublicBase(s.PartnerID(), shopeetest.PathRefresh, ts))}}
	body := fmt.Sprintf(`{"refresh_token":%q,"partner_id":%d,"shop_id":%d}`, s.InitialRefresh(), s.PartnerID(), s.ShopID())
	resp, err := http.Post(s.URL+shopeetest.PathRefresh+"?"+q.Encode(), "application/json", bytes.NewReader([]byte(body)))
	if err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	require.Error(t, err, "the answer is lost mid-body")
	require.Equal(t, 1, s.Rotations(), "but the rotation happened")
	require.Equal(t, "error_shop_refresh_token", refresh(t, s, s.InitialRefresh()).Error)

	// A new authorization: auth_partner redirects with a code; token/get
	// exchanges it once.
	got := authLink(t, s, "http://127.0.0.1:1/cb?x=1")
	require.Equal(t, strconv.FormatInt(s.ShopID(), 10), got.Query().Get("shop_id"))
	code := got.Query().Get("code")
	r := tokenGet(t, s, code)
	require.Empty(t, r.Error)
	require.NotEmpty(t, r.Refresh)
	require.Equal(t, "error_auth", tokenGet(t, s, code).Error, "codes are single use")

	// 30 days later the refresh token is dead.
	s.Advance(30*24*time.Hour + time.Second)
	require.Equal(t, "refresh_token_expired", refresh(t, s, r.Refresh).Error)
}

func authLink(t *testing.T, s *shopeetest.Server, redirect string) *url.URL {
	t.Helper()
	ts := time.Now().Unix()
	q := url.Values{"partner_id": {strconv.FormatInt(s.PartnerID(), 10)}, "timestamp": {strconv.FormatInt(ts, 10)},
		"sign": {shopee.Sign(s.PartnerKey(), shopee.PublicBase(s.PartnerID(), shopeetest.PathAuthPartner, ts))}, "redirect": {redirect}}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(s.URL + shopeetest.PathAuthPartner + "?" + q.Encode())
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusFound, resp.StatusCode)
	u, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	return u
}

func tokenGet(t *testing.T, s *shopeetest.Server, code string) reply {
	t.Helper()
	ts := time.Now().Unix()
	q := url.Values{"partner_id": {strconv.FormatInt(s.PartnerID(), 10)}, "timestamp": {strconv.FormatInt(ts, 10)},
		"sign": {shopee.Sign(s.PartnerKey(), shopee.PublicBase(s.PartnerID(), shopeetest.PathTokenGet, ts))}}
	body := fmt.Sprintf(`{"code":%q,"partner_id":%d,"shop_id":%d}`, code, s.PartnerID(), s.ShopID())
	resp, err := http.Post(s.URL+shopeetest.PathTokenGet+"?"+q.Encode(), "application/json", bytes.NewReader([]byte(body)))
	require.NoError(t, err)
	defer resp.Body.Close()
	var r reply
	data, _ := io.ReadAll(resp.Body)
	require.NoError(t, jsonUnmarshal(data, &r), string(data))
	r.Status = resp.StatusCode
	return r
}

// Every network fault kind of simfault is injected, and latency is added.
func TestNetworkFaults(t *testing.T) {
	s := shopeetest.NewServer(shopeetest.Options{Now: now, Orders: 10, Days: 5, FaultRate: 1, HangFor: 10 * time.Millisecond,
		Latency: 20 * time.Millisecond})
	defer s.Close()
	c := &http.Client{Timeout: 2 * time.Second}
	for i := 0; i < 80; i++ {
		resp, err := c.Get(s.URL + shopeetest.PathOrderList)
		if err == nil {
			_, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
	}
	for _, k := range simfault.AllKinds {
		require.Positive(t, s.Faults()[string(k)], k)
	}
}

func jsonUnmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

// The hostile modes of issue 17: a truncated body (HTTP 200, honest
// Content-Length, JSON cut short), a record present but malformed (order_sn
// an object, the rest intact) and a stale duplicate (an order that changed
// answered with its copy from before the change).
func TestTruncatedMalformedStale(t *testing.T) {
	s := shopeetest.NewServer(shopeetest.Options{Now: now, Orders: 50, Days: 10, Hostile: shopeetest.Hostile{Truncate: 1}})
	defer s.Close()
	q := url.Values{"partner_id": {strconv.FormatInt(s.PartnerID(), 10)}}
	ts := s.Clock().Unix()
	q.Set("timestamp", strconv.FormatInt(ts, 10))
	q.Set("access_token", s.InitialAccess())
	q.Set("shop_id", strconv.FormatInt(s.ShopID(), 10))
	q.Set("order_sn_list", s.Orders()[0].OrderSN)
	q.Set("sign", shopee.Sign(s.PartnerKey(), shopee.ShopBase(s.PartnerID(), shopeetest.PathOrderDetail, ts, s.InitialAccess(), s.ShopID())))
	resp, err := http.Get(s.URL + shopeetest.PathOrderDetail + "?" + q.Encode())
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err, "the body is complete as announced")
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, strconv.Itoa(len(body)), resp.Header.Get("Content-Length"))
	require.True(t, bytes.HasPrefix(body, []byte("{")))
	require.False(t, json.Valid(body), "but its JSON is cut short: %s", body)
	require.Equal(t, 1, s.Hostile()["truncated"])

	s.SetHostile(shopeetest.Hostile{})
	orders := s.Orders()
	sns := []string{orders[0].OrderSN, orders[1].OrderSN}
	s.MalformDetail(sns[1])
	r := call(t, s, shopeetest.PathOrderDetail, s.InitialAccess(), url.Values{"order_sn_list": {strings.Join(sns, ",")}}, nil)
	var d struct {
		OrderList []map[string]json.RawMessage `json:"order_list"`
	}
	require.NoError(t, json.Unmarshal(r.Response, &d))
	require.Len(t, d.OrderList, 2, "the malformed record is present")
	require.JSONEq(t, `"`+sns[0]+`"`, string(d.OrderList[0]["order_sn"]))
	require.JSONEq(t, `{"value":"`+sns[1]+`"}`, string(d.OrderList[1]["order_sn"]))
	require.Contains(t, d.OrderList[1], "order_status", "the rest of the record is intact")
	require.Equal(t, 1, s.Hostile()["detail_malformed"])
	s.MalformDetail()

	// A stale duplicate: only an order that changed has an older copy.
	s.SetHostile(shopeetest.Hostile{StaleDuplicate: 1})
	s.Advance(time.Second)
	require.True(t, s.Touch(sns[0]))
	cur := s.Orders()
	r = call(t, s, shopeetest.PathOrderDetail, s.InitialAccess(), url.Values{"order_sn_list": {strings.Join(sns, ",")}}, nil)
	require.NoError(t, json.Unmarshal(r.Response, &d))
	require.JSONEq(t, strconv.FormatInt(orders[0].UpdateTime, 10), string(d.OrderList[0]["update_time"]), "the copy from before the change")
	require.NotEqual(t, orders[0].UpdateTime, cur[0].UpdateTime)
	require.JSONEq(t, strconv.FormatInt(cur[1].UpdateTime, 10), string(d.OrderList[1]["update_time"]), "an unchanged order is current")
	require.Equal(t, 1, s.Hostile()["stale_duplicate"])
}
