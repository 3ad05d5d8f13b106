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
	"sync/atomic"
	"testing"
	"time"

	"github.com/facolos/etl/shopee"
	"github.com/facolos/etl/shopee/shopeetest"
	"github.com/stretchr/testify/require"
)

var now = time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)

type reply struct {
	Status   int
	Error    string          `json:"error"`
	Response json.RawMessage `json:"response"`
	Access   string          `json:"access_token"`
	Refresh  string          `json:"refresh_token"`
}

// call signs a shop API request like a correct client, then lets tweak
// change the query before sending.
func call(t *testing.T, s *shopeetest.Server, path, token string, params url.Values, tweak func(q url.Values)) reply {
	t.Helper()
	ts := s.Clock().Unix()
	q := url.Values{}
	for k, v := range params {
		q[k] = v
	}
	q.Set("partner_id", strconv.FormatInt(s.PartnerID(), 10))
	q.Set("timestamp", strconv.FormatInt(ts, 10))
	q.Set("access_token", token)
	q.Set("shop_id", strconv.FormatInt(s.ShopID(), 10))
	q.Set("sign", shopee.Sign(s.PartnerKey(), shopee.ShopBase(s.PartnerID(), path, ts, token, s.ShopID())))
	if tweak != nil {
		tweak(q)
	}
	resp, err := http.Get(s.URL + path + "?" + q.Encode())
	require.NoError(t, err)
	defer resp.Body.Close()
	var r reply
	body, _ := io.ReadAll(resp.Body)
	require.NoError(t, json.Unmarshal(body, &r), string(body))
	r.Status = resp.StatusCode
	return r
}

func refresh(t *testing.T, s *shopeetest.Server, rt string) reply {
	t.Helper()
	ts := s.Clock().Unix()
	q := url.Values{}
	q.Set("partner_id", strconv.FormatInt(s.PartnerID(), 10))
	q.Set("timestamp", strconv.FormatInt(ts, 10))
	q.Set("sign", shopee.Sign(s.PartnerKey(), shopee.PublicBase(s.PartnerID(), shopeetest.PathRefresh, ts)))
	body := fmt.Sprintf(`{"refresh_token":%q,"partner_id":%d,"shop_id":%d}`, rt, s.PartnerID(), s.ShopID())
	resp, err := http.Post(s.URL+shopeetest.PathRefresh+"?"+q.Encode(), "application/json", bytes.NewReader([]byte(body)))
	require.NoError(t, err)
	defer resp.Body.Close()
	var r reply
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&r))
	r.Status = resp.StatusCode
	return r
}

func listParams(from, to time.Time, size int) url.Values {
	q := url.Values{}
	q.Set("time_range_field", "create_time")
	q.Set("time_from", strconv.FormatInt(from.Unix(), 10))
	q.Set("time_to", strconv.FormatInt(to.Unix(), 10))
	q.Set("page_size", strconv.Itoa(size))
	return q
}

// wallClock is an injectable wall clock: the real time moved by Move.
type wallClock struct{ off atomic.Int64 }

func (c *wallClock) Now() time.Time       { return time.Now().Add(time.Duration(c.off.Load())) }
func (c *wallClock) Move(d time.Duration) { c.off.Add(int64(d)) }

func TestSimulatorEnforcesTheContract(t *testing.T) {
	var wall wallClock
	s := shopeetest.NewServer(shopeetest.Options{Now: now, Orders: 60, Days: 10, Clock: wall.Now})
	defer s.Close()
	at := s.InitialAccess()
	ok := listParams(now.Add(-10*24*time.Hour), now, 100)

	r := call(t, s, shopeetest.PathOrderList, at, ok, nil)
	require.Equal(t, 200, r.Status)
	require.Empty(t, r.Error)

	r = call(t, s, shopeetest.PathOrderList, at, ok, func(q url.Values) { q.Set("sign", strings.Repeat("0", 64)) })
	require.Equal(t, "error_sign", r.Error, "wrong signature")
	require.Equal(t, 403, r.Status)

	r = call(t, s, shopeetest.PathOrderList, at, ok, func(q url.Values) { q.Set("timestamp", strconv.FormatInt(s.Clock().Unix()-600, 10)) })
	require.Equal(t, "error_param", r.Error, "stale timestamp")

	r = call(t, s, shopeetest.PathOrderList, at, listParams(now.Add(-16*24*time.Hour), now, 100), nil)
	require.Equal(t, "order.order_list_invalid_time", r.Error, "16-day window")
	r = call(t, s, shopeetest.PathOrderList, at, listParams(now.Add(-24*time.Hour), now, 101), nil)
	require.Equal(t, "error_param", r.Error, "page size 101")

	sns := make([]string, 51)
	for i := range sns {
		sns[i] = fmt.Sprintf("SN%d", i)
	}
	r = call(t, s, shopeetest.PathOrderDetail, at, url.Values{"order_sn_list": {strings.Join(sns, ",")}}, nil)
	require.Equal(t, "error_param", r.Error, "51 order_sn")
	r = call(t, s, shopeetest.PathOrderDetail, at, url.Values{"order_sn_list": {strings.Join(sns[:50], ",")}}, nil)
	require.Empty(t, r.Error, "50 order_sn are fine")

	// Access tokens live 4 hours of the wall clock: the data clock moving
	// does not expire them, the wall clock moving does.
	s.Advance(5 * time.Hour)
	r = call(t, s, shopeetest.PathOrderList, at, ok, nil)
	require.Empty(t, r.Error, "the data clock does not expire tokens")
	wall.Move(4*time.Hour - time.Second)
	r = call(t, s, shopeetest.PathOrderList, at, ok, nil)
	require.Empty(t, r.Error, "valid until 4 hours of the wall clock have passed")
	wall.Move(2 * time.Second)
	r = call(t, s, shopeetest.PathOrderList, at, ok, nil)
	require.Equal(t, "invalid_acceess_token", r.Error, "expired token")

	// Refresh tokens are single use and rotate.
	r1 := refresh(t, s, s.InitialRefresh())
	require.Equal(t, 200, r1.Status)
	require.NotEmpty(t, r1.Access)
	require.NotEqual(t, s.InitialRefresh(), r1.Refresh)
	r2 := refresh(t, s, s.InitialRefresh())
	require.Equal(t, "error_shop_refresh_token", r2.Error, "reused refresh token")
	r = call(t, s, shopeetest.PathOrderList, r1.Access, ok, nil)
	require.Empty(t, r.Error, "the new access token works")
}

func TestSimulatorDeterministic(t *testing.T) {
	a := shopeetest.NewServer(shopeetest.Options{Now: now, Orders: 300, Seed: 42})
	defer a.Close()
	b := shopeetest.NewServer(shopeetest.Options{Now: now, Orders: 300, Seed: 42})
	defer b.Close()
	ja, _ := json.Marshal(a.Orders())
	jb, _ := json.Marshal(b.Orders())
	require.Equal(t, string(ja), string(jb))
	ca, cb := a.Advance(time.Hour), b.Advance(time.Hour)
	require.Equal(t, ca, cb)
	c := shopeetest.NewServer(shopeetest.Options{Now: now, Orders: 300, Seed: 43})
	defer c.Close()
	jc, _ := json.Marshal(c.Orders())
	require.NotEqual(t, string(ja), string(jc))
	// Realistic data: Vietnamese text, VND amounts.
	o := a.Orders()[0]
	require.Equal(t, "VND", o.Currency)
	require.NotEmpty(t, o.RecipientAddress.State)
	require.Positive(t, o.TotalAmount)
}
