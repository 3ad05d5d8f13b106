package tiktoktest_test

import (
	"fmt"
	"time"

	"github.com/facolos/etl/tiktok/tiktoktest"
)

// A simulator serves deterministic orders; Advance moves the shop on.
func ExampleNewServer() {
	sim := tiktoktest.NewServer(tiktoktest.Options{Orders: 100, Seed: 1, Now: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)})
	defer sim.Close()
	fmt.Println(len(sim.Orders()))
	sim.Advance(2 * time.Hour)
	fmt.Println(len(sim.Orders()))
	// Output:
	// 100
	// 104
}
