package main

import (
	"bytes"
	"os"
	"slices"
	"testing"

	"github.com/facolos/etl/platform"
)

// TestWarehouseDocUpToDate fails when docs/warehouse.md is not what the
// generator writes from the current table definitions.
func TestWarehouseDocUpToDate(t *testing.T) {
	const path = "../../../docs/warehouse.md"
	have, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v (run: go generate ./internal/cmd/warehousedoc)", path, err)
	}
	if want := render(); !bytes.Equal(have, want) {
		t.Fatalf("docs/warehouse.md is out of date with the connector.Table definitions; run: go generate ./internal/cmd/warehousedoc")
	}
}

// TestWarehouseDocCoversEveryPlatform fails when a registered platform is
// missing from the reference.
func TestWarehouseDocCoversEveryPlatform(t *testing.T) {
	var listed []string
	for _, p := range platformTables {
		listed = append(listed, p.name)
		if len(p.tr.Tables()) == 0 {
			t.Errorf("platform %s lists no tables", p.name)
		}
	}
	slices.Sort(listed)
	if reg := platform.Names(); !slices.Equal(listed, reg) {
		t.Fatalf("platforms in the reference %v, registered %v: add the missing ones to platformTables", listed, reg)
	}
}
