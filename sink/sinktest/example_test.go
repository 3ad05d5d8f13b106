package sinktest_test

import (
	"fmt"

	"github.com/facolos/etl/sink/sinktest"
)

// A sink package runs the suite from a test:
//
//	func TestConformance(t *testing.T) {
//		sinktest.Run(t, func(t *testing.T, cfg sinktest.Config) sinktest.Sink {
//			s, err := mysink.Open(ctx, mysink.Config{..., BeforeCommit: cfg.BeforeCommit})
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// The benchmark helpers build the 20-column table every sink is measured on.
func ExampleWideTable() {
	t := sinktest.WideTable()
	rows := sinktest.WideRows(2, 100, 0)
	fmt.Println(t.FullName(), len(t.Columns), rows[1][0], rows[1][1])
	// Output: staging.bench_wide 20 101 Khách hàng 101-1 v0
}
