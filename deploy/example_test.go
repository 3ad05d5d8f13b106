package deploy_test

import (
	"fmt"

	"github.com/facolos/etl/deploy"
)

func ExampleInspect() {
	stages, err := deploy.Inspect("../Dockerfile")
	if err != nil {
		panic(err)
	}
	for _, s := range stages {
		fmt.Printf("%s %q user=%q runs=%d\n", s.Base, s.Name, s.User, len(s.Run))
	}
	// Output:
	// golang:1.26 "build" user="" runs=2
	// gcr.io/distroless/static-debian12:nonroot "" user="65532:65532" runs=0
}
