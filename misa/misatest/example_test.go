package misatest_test

import (
	"bytes"
	"fmt"
	"net/http"
	"time"

	"github.com/facolos/etl/misa/misatest"
)

// Start a simulator and log in as a client would.
func ExampleNewServer() {
	sim := misatest.NewServer(misatest.Options{Customers: 10, Now: time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)})
	defer sim.Close()
	resp, err := http.Post(sim.URL+"/Account", "application/json", bytes.NewBufferString(`{"client_id":"TESTAPP","client_secret":"test_secret"}`))
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode, sim.Logins(), len(sim.Records(misatest.Customers)))
	// Output: 200 1 10
}
