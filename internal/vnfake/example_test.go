package vnfake_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/facolos/etl/internal/vnfake"
)

func ExampleNewAddress() {
	r := rand.New(rand.NewPCG(1, 2))
	a := vnfake.NewAddress(r)
	b := vnfake.NewAddress(rand.New(rand.NewPCG(1, 2)))
	fmt.Println(a.Full == b.Full, a.Province != "")
	// Output: true true
}
