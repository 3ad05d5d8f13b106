//go:build !race

package sink_test

import "github.com/facolos/etl/internal/testenv"

// scaleShops is the number of shops of the scale tests: 60 for a quick go
// test ./..., 200 with ETL_TEST_LONG=1.
var scaleShops = testenv.Pick(60, 200)
