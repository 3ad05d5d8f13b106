package connector_test

import (
	"encoding/json"
	"fmt"

	"github.com/facolos/etl/connector"
)

// Epoch numbers are seconds below 1e11 and milliseconds from 1e11 on;
// booleans are strict.
func ExampleEpochTime() {
	s, _ := connector.EpochTime(1700000000)
	ms, _ := connector.EpochTime(1700000000123)
	_, err := connector.EpochTime(5000000000) // seconds: the year 2128
	fmt.Println(s, ms)
	fmt.Println(err)
	_, _, err = connector.ParseBool(json.Number("2"))
	fmt.Println(err)
	// Output:
	// 2023-11-14 22:13:20 +0000 UTC 2023-11-14 22:13:20.123 +0000 UTC
	// epoch 5000000000: time 2128-06-11T08:53:20Z is outside the accepted window [1970-01-01, 2100-01-01)
	// 2 is not a boolean
}
