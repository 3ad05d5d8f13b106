//go:build goexperiment.jsonv2

package jsonbench

import (
	jsonv2 "encoding/json/v2"
	"testing"
)

// encoding/json/v2 of the standard library (GOEXPERIMENT=jsonv2 only).
func BenchmarkStdlibV2Structs(b *testing.B) {
	run(b, func(data []byte) error { var o Order; return jsonv2.Unmarshal(data, &o) })
}
