module github.com/facolos/etl/internal/jsonbench

go 1.26.0

replace github.com/facolos/etl => ../..

require (
	github.com/facolos/etl v0.0.0-00010101000000-000000000000
	github.com/goccy/go-json v0.12.0
)

require golang.org/x/time v0.16.0 // indirect
