package stock

import (
	"context"
	"fmt"
	"os"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/platform"
)

func init() { platform.Register(Driver{}) }

// Driver registers the CSV source as platform "stock": one account per
// file, named by STOCK_WAREHOUSE.
type Driver struct{}

// Name implements platform.Driver.
func (Driver) Name() string { return "stock" }

// Variables implements platform.Driver.
func (Driver) Variables() []platform.Variable {
	return []platform.Variable{
		{Name: "STOCK_CSV_FILE", Required: true, Doc: "path of the CSV of stock counts"},
		{Name: "STOCK_WAREHOUSE", Account: true, Doc: "account name (default: the file's name)"},
	}
}

// Open implements platform.Driver: the file is read now, so a missing file
// is a configuration error.
func (Driver) Open(_ context.Context, acct platform.Account, _ platform.Deps) (connector.Source, connector.Transformer, error) {
	path := acct.Get("STOCK_CSV_FILE")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("stock account %s: STOCK_CSV_FILE: %w", acct.Name, err)
	}
	return NewSource(string(data)), Transformer{}, nil
}

// Demo implements platform.Driver with the embedded sample.
func (Driver) Demo(platform.DemoOptions) (*platform.Demo, error) {
	f, err := os.CreateTemp("", "stock-*.csv")
	if err != nil {
		return nil, err
	}
	if _, err := f.WriteString(Sample); err != nil {
		f.Close()
		return nil, err
	}
	f.Close()
	vars := map[string]string{"STOCK_CSV_FILE": f.Name(), "STOCK_WAREHOUSE": "sample"}
	return &platform.Demo{
		Account: platform.Account{Platform: "stock", Name: "sample", Get: func(k string) string { return vars[k] }},
		Close:   func() { os.Remove(f.Name()) },
	}, nil
}
