package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/benchproc"
	"github.com/facolos/etl/shopee"
	"github.com/facolos/etl/shopee/shopeetest"
	"golang.org/x/time/rate"
)

var (
	listConc  = flag.Int("list-concurrency", 0, "shopee: 15-day windows listed at once in a full load (default the library's)")
	shopeeNow = time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
)

type shopeeEndpoint struct {
	URL        string `json:"url"`
	PartnerID  int64  `json:"partner_id"`
	PartnerKey string `json:"partner_key"`
	ShopID     int64  `json:"shop_id"`
	Access     string `json:"access"`
	Refresh    string `json:"refresh"`
	// MinList is the fewest get_order_list pages a full load from the
	// first order's day can take: per 15-day window, ceil(orders/100).
	MinList int `json:"min_list"`
}

// minListPages counts, per 15-day window from the first order's day (UTC)
// to now, the pages of 100 orders its orders need (at least one each).
func minListPages(orders []shopeetest.Order) int {
	if len(orders) == 0 {
		return 1
	}
	start := time.Unix(orders[0].CreateTime, 0).UTC().Truncate(24 * time.Hour).Unix()
	span := int64(shopee.MaxWindow / time.Second)
	counts := map[int64]int{}
	for _, o := range orders {
		counts[(o.CreateTime-start)/span]++
	}
	pages := 0
	for w := int64(0); start+w*span < shopeeNow.Unix(); w++ {
		pages += max(1, (counts[w]+shopee.PageSize-1)/shopee.PageSize)
	}
	return pages
}

// shopeeBench loads the orders stream of a simulated Shopee shop (finance
// off): get_order_list pages per 15-day window, get_order_detail in
// batches of 50.
var shopeeBench = platform{
	serve: func() {
		sim := shopeetest.NewServer(shopeetest.Options{Orders: *orders, Days: daysOr(365), Now: shopeeNow, Seed: 1,
			Latency: *latency, Jitter: *jitter, RateLimit: *rateLimit, Burst: max(int(*rateLimit), 1)})
		benchproc.Serve(shopeeEndpoint{sim.URL, sim.PartnerID(), sim.PartnerKey(), sim.ShopID(), sim.InitialAccess(), sim.InitialRefresh(),
			minListPages(sim.Orders())})
		sim.Close()
	},
	open: func(raw json.RawMessage, quiet *slog.Logger) (loaded, error) {
		var ep shopeeEndpoint
		if err := json.Unmarshal(raw, &ep); err != nil {
			return loaded{}, err
		}
		src, err := shopee.NewSource(shopee.Config{Host: ep.URL, PartnerID: ep.PartnerID, PartnerKey: ep.PartnerKey, ShopID: ep.ShopID,
			AccessToken: ep.Access, RefreshToken: ep.Refresh, Now: func() time.Time { return shopeeNow }, Logger: quiet,
			Concurrency: *concurrency, ListConcurrency: *listConc, DisableFinance: true, // the orders pipeline alone
			HTTP: connector.HTTPConfig{RateLimit: rate.Limit(*rateLimit), Burst: 1}})
		if err != nil {
			return loaded{}, err
		}
		minDetail := (*orders + shopee.MaxDetailBatch - 1) / shopee.MaxDetailBatch
		return loaded{src: src, tr: src.Transformer(), size: fmt.Sprintf("orders=%d", *orders),
			minCalls: func(res connector.Result) (int, string) {
				// The earliest-date probes find where the shop's history
				// starts; every full load from no date makes them.
				probes, _ := res.Stats["earliest_date_probes"].(int)
				return minDetail + ep.MinList + probes, fmt.Sprintf("%d detail + %d list pages + %d earliest-date probes", minDetail, ep.MinList, probes)
			}}, nil
	},
}
