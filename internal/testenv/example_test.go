package testenv_test

import (
	"fmt"
	"os"

	"github.com/facolos/etl/internal/testenv"
)

// Sizes and seed counts are picked by the long switch.
func ExamplePick() {
	os.Setenv(testenv.LongEnv, "1")
	fmt.Println(testenv.Pick(3, 20), testenv.Long())
	os.Setenv(testenv.LongEnv, "0")
	fmt.Println(testenv.Pick(3, 20), testenv.Long())
	os.Unsetenv(testenv.LongEnv)
	// Output:
	// 20 true
	// 3 false
}
