package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// The README's snippet runs against the simulator: 100 orders, and the
// finance streams' records (escrows, wallet) beside them.
func Example() {
	dir, _ := os.MkdirTemp("", "etl-library")
	defer os.RemoveAll(dir)
	res, err := run(context.Background(), filepath.Join(dir, "warehouse.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Status, res.Rows["staging.shopee_orders"], res.Records > res.Rows["staging.shopee_orders"])
	// A second run resumes from the checkpoint stored with the data.
	res, _ = run(context.Background(), filepath.Join(dir, "warehouse.db"))
	fmt.Println(res.Status, res.Records < 10)
	// Output:
	// ok 100 true
	// ok true
}
