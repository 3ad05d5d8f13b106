package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/benchproc"
	"github.com/facolos/etl/misa"
	"github.com/facolos/etl/misa/misatest"
)

var (
	customers  = flag.Int("customers", 20000, "misa: customers in the simulated tenant")
	saleOrders = flag.Int("sale-orders", 20000, "misa: sale orders")
	contacts   = flag.Int("contacts", 1000, "misa: contacts")
	products   = flag.Int("products", 500, "misa: products")
	stocks     = flag.Int("stocks", 2, "misa: warehouses")
)

type misaEndpoint struct {
	URL, ClientID, ClientSecret string
	// MinCalls is the fewest calls a full load can take: per list,
	// floor(n/100)+1 pages (the last one short or empty); /Stocks twice
	// (the stocks stream and product_stock's warehouse list); one login.
	MinCalls int
}

func misaPages(n int) int { return n/misa.PageSize + 1 }

// misaBench loads a simulated MISA CRM tenant: six streams read at once,
// every list paged by 100.
var misaBench = platform{
	serve: func() {
		sim := misatest.NewServer(misatest.Options{Seed: 1, Customers: *customers, SaleOrders: *saleOrders, Contacts: *contacts,
			Products: *products, Stock: *stocks, Now: simEnd, RateLimit: *rateLimit, Faults: faults()})
		minCalls := misaPages(*customers) + misaPages(*saleOrders) + misaPages(*contacts) + misaPages(*products) + 2 + 1
		for _, rows := range sim.Ledger() {
			minCalls += misaPages(len(rows))
		}
		benchproc.Serve(misaEndpoint{sim.URL, sim.ClientID(), sim.ClientSecret(), minCalls})
		sim.Close()
	},
	open: func(raw json.RawMessage, quiet *slog.Logger) (loaded, error) {
		var ep misaEndpoint
		if err := json.Unmarshal(raw, &ep); err != nil {
			return loaded{}, err
		}
		src, err := misa.NewSource(misa.Config{BaseURL: ep.URL, ClientID: ep.ClientID, ClientSecret: ep.ClientSecret, Logger: quiet,
			Now: func() time.Time { return simEnd }, Concurrency: *concurrency, HTTP: httpConfig(quiet)})
		if err != nil {
			return loaded{}, err
		}
		return loaded{src: src, tr: src.Transformer(),
			size: fmt.Sprintf("customers=%d sale-orders=%d contacts=%d products=%d", *customers, *saleOrders, *contacts, *products),
			minCalls: func(connector.Result) (int, string) {
				return ep.MinCalls, "every page of every list once, the warehouse list twice, one login"
			}}, nil
	},
}
