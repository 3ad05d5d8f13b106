package jsonscan_test

import (
	"fmt"

	"github.com/facolos/etl/internal/jsonscan"
)

// A decoder reads the keys it knows into slots and skips the others; the
// guesses make the second order's keys a compare each.
func Example() {
	keys := jsonscan.NewKeys([]string{"order_sn", "total", "buyer"}, false)
	var guesses jsonscan.Guesses // kept from object to object
	for _, order := range []string{
		`{"order_sn":"2507A","total":125000.50,"note":"giao giờ hành chính","buyer":"Bùi \"Bảo\" Trang"}`,
		`{"order_sn":"2507B","total":99000,"note":null,"buyer":"Lê Văn Tám"}`,
	} {
		s := jsonscan.New(order)
		var slots [3]jsonscan.Value
		it := s.Object(keys, &guesses)
		for it.Next() {
			if n := it.Index(); n >= 0 {
				slots[n], _ = s.Value()
			} else {
				s.Skip()
			}
		}
		if s.Err() != nil || !s.AtEnd() {
			fmt.Println("not an order:", s.Err())
			continue
		}
		fmt.Printf("%s %s %s %q\n", slots[0].Text(), slots[1].Kind(), slots[1].Text(), slots[2].Text())
	}
	s := jsonscan.New(`{"order_sn":"2507C","total":}`)
	fmt.Println(s.Skip(), s.Err())
	// Output:
	// 2507A number 125000.50 "Bùi \"Bảo\" Trang"
	// 2507B number 99000 "Lê Văn Tám"
	// false invalid JSON at offset 28: expected a value
}
