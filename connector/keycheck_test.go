package connector_test

import (
	"errors"
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/stretchr/testify/require"
)

func TestCheckKey(t *testing.T) {
	tb := &connector.Table{Schema: "staging", Name: "misa_customers", PrimaryKey: []string{"tenant", "id"}}
	require.NoError(t, connector.CheckKey(tb, "staging.misa_customers", []string{"tenant", "id"}, false))
	require.NoError(t, connector.CheckKey(tb, "staging.misa_customers", []string{"id", "tenant"}, false), "the order does not change which rows are one")
	require.NoError(t, connector.CheckKey(tb, "staging.misa_customers", []string{"TENANT", "Id"}, true))

	for _, have := range [][]string{{"id"}, nil, {"tenant", "id", "x"}, {"TENANT", "id"}, {"id", "id"}} {
		err := connector.CheckKey(tb, "[staging].[misa_customers]", have, false)
		require.Error(t, err, "%v", have)
		require.True(t, errors.Is(err, connector.ErrKeyChanged), "%v", err)
		require.Contains(t, err.Error(), "[staging].[misa_customers]")
		require.Contains(t, err.Error(), "wants (tenant, id)")
	}
	err := connector.CheckKey(tb, "staging_misa_customers", []string{"id"}, true)
	require.ErrorContains(t, err, "table staging_misa_customers has primary key (id), the definition of staging.misa_customers wants (tenant, id)")
	err = connector.CheckKey(tb, "staging_misa_customers", nil, true)
	require.ErrorContains(t, err, "has no primary key")
}
