package misa

import (
	"encoding/json"
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/misa/misatest"
)

// BenchmarkDecodeEnvelope: a page of 100 customers from its HTTP body to
// its records, read by encoding/json and by the one-pass read the client
// uses for bodies it has validated.
//
//	go test ./misa -run '^$' -bench DecodeEnvelope -benchmem
func BenchmarkDecodeEnvelope(b *testing.B) {
	sim := misatest.NewServer(misatest.Options{Customers: 100, SaleOrders: 1, Contacts: 1, Products: 1})
	defer sim.Close()
	body, err := json.Marshal(map[string]any{"success": true, "code": 0, "data": sim.Records(misatest.Customers)})
	if err != nil {
		b.Fatal(err)
	}
	resp := &connector.Response{StatusCode: 200, Body: body}
	for _, tc := range []struct {
		name  string
		valid bool
	}{{"encoding-json", false}, {"one-pass", true}} {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				env, err := decodeEnvelope(PathCustomers, resp, false, tc.valid)
				if err != nil {
					b.Fatal(err)
				}
				p, err := pageOf(PathCustomers, env)
				if err != nil || len(p.Records) != 100 {
					b.Fatalf("%d records, %v", len(p.Records), err)
				}
			}
		})
	}
}
