package shopeetest_test

import (
	"fmt"
	"time"

	"github.com/facolos/etl/shopee/shopeetest"
)

func ExampleNewServer() {
	sim := shopeetest.NewServer(shopeetest.Options{Seed: 1, Orders: 50, Now: time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)})
	defer sim.Close()
	orders := sim.Orders()
	fmt.Println(len(orders), orders[0].Currency, orders[0].Region)
	changes := sim.Advance(48 * time.Hour) // a live shop: statuses move on, new orders arrive
	fmt.Println(len(changes) > 0)
	// Output:
	// 50 VND VN
	// true
}
