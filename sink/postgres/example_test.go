package postgres_test

import (
	"context"
	"fmt"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/shopee"
	"github.com/facolos/etl/sink/postgres"
)

// Open a PostgreSQL warehouse and load a shop into it. (Not run: it needs a
// server.)
func ExampleOpen() {
	ctx := context.Background()
	sink, err := postgres.Open(ctx, postgres.Config{DSN: "postgres://etl@localhost:5432/warehouse"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sink.Close()
	src, _ := shopee.NewSource(shopee.Config{PartnerID: 2001887, PartnerKey: "…", ShopID: 123456})
	res := (&connector.Runner{}).Run(ctx, connector.Pipeline{Name: "shopee/123456", Source: src, Transformer: shopee.Transformer{}, Sink: sink})
	fmt.Println(res[0].Status)
}
