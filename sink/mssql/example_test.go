package mssql_test

import (
	"context"
	"fmt"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/shopee"
	"github.com/facolos/etl/sink/mssql"
	"github.com/facolos/etl/tokenstore"
)

// Open a SQL Server warehouse, keep the rotated tokens in it, and load a
// shop. (Not run: it needs a server.)
func ExampleOpen() {
	ctx := context.Background()
	sink, err := mssql.Open(ctx, mssql.Config{
		DSN:      "sqlserver://etl:PASSWORD@localhost:1433?database=Facolos_Staging",
		Strategy: mssql.UpdateInsert, // e.g. for Babelfish
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sink.Close()
	tokens, _ := tokenstore.NewSQLStore(ctx, sink.DB(), tokenstore.SQLServer)
	src, _ := shopee.NewSource(shopee.Config{PartnerID: 2001887, PartnerKey: "…", ShopID: 123456, Tokens: tokens})
	res := (&connector.Runner{}).Run(ctx, connector.Pipeline{Name: "shopee/123456", Source: src, Transformer: shopee.Transformer{}, Sink: sink})
	fmt.Println(res[0].Status)
}

// The upsert strategy can be chosen in the URL (sink.Open does this for
// sqlserver:// URLs); the setting is not passed on to the driver.
func ExampleParseURL() {
	cfg, err := mssql.ParseURL("sqlserver://etl:PASSWORD@db:1433?database=warehouse&strategy=update-insert")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Strategy)
	fmt.Println(cfg.DSN)
	// Output:
	// update-insert
	// sqlserver://etl:PASSWORD@db:1433?database=warehouse
}
