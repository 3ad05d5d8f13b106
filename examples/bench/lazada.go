package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/benchproc"
	"github.com/facolos/etl/lazada"
	"github.com/facolos/etl/lazada/lazadatest"
)

var span = flag.Int("range-days", 0, "lazada: days the load reads, back from the simulated shop's now (default -days + 1; more: the first days have no orders, an uneven shop)")

type lazadaEndpoint struct {
	URL, AuthURL, AppKey, AppSecret, SellerID, Access, Refresh string
}

// lazadaBench loads a simulated Lazada shop: list pages of 100, order
// items in calls of 50 orders.
var lazadaBench = platform{
	serve: func() {
		sim := lazadatest.NewServer(lazadatest.Options{Orders: *orders, Days: daysOr(120), Now: simEnd, Seed: 1, Faults: faults(), RateLimit: *rateLimit})
		benchproc.Serve(lazadaEndpoint{sim.URL, sim.AuthURL, sim.AppKey(), sim.AppSecret(), sim.SellerID(), sim.InitialAccess(), sim.InitialRefresh()})
		sim.Close()
	},
	open: func(raw json.RawMessage, quiet *slog.Logger) (loaded, error) {
		var ep lazadaEndpoint
		if err := json.Unmarshal(raw, &ep); err != nil {
			return loaded{}, err
		}
		src, err := lazada.NewSource(lazada.Config{BaseURL: ep.URL, AuthURL: ep.AuthURL, AppKey: ep.AppKey, AppSecret: ep.AppSecret,
			SellerID: ep.SellerID, AccessToken: ep.Access, RefreshToken: ep.Refresh, StartDate: simEnd.AddDate(0, 0, -max(*span, daysOr(120)+1)), Logger: quiet,
			DisableFinance: true, // the orders pipeline alone
			// The load reads up to the simulated shop's now, as a load of a
			// shop selling until today does.
			Now:         func() time.Time { return simEnd },
			Concurrency: *concurrency, HTTP: httpConfig(quiet)})
		if err != nil {
			return loaded{}, err
		}
		minLists := (*orders + lazada.MaxLimit - 1) / lazada.MaxLimit
		minItems := (*orders + lazada.MaxItemIDs - 1) / lazada.MaxItemIDs
		return loaded{src: src, tr: lazada.Transformer{}, size: fmt.Sprintf("orders=%d", *orders),
			minCalls: func(connector.Result) (int, string) {
				return minLists + minItems, fmt.Sprintf("%d list pages + %d item calls", minLists, minItems)
			}}, nil
	},
}
