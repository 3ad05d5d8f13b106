package platform_test

import (
	"fmt"
	"testing"

	"github.com/facolos/etl/platform"
	"github.com/stretchr/testify/require"
)

func TestEnvInt(t *testing.T) {
	env := map[string]string{"N": "42", "NEG": "-1", "BAD": "12x", "ZERO": "0"}
	get := func(k string) string { return env[k] }
	n, err := platform.EnvInt(get, "N")
	require.NoError(t, err)
	require.EqualValues(t, 42, n)
	n, err = platform.EnvInt(get, "UNSET")
	require.NoError(t, err)
	require.Zero(t, n)
	n, err = platform.EnvInt(get, "ZERO")
	require.NoError(t, err)
	require.Zero(t, n)
	for _, k := range []string{"NEG", "BAD"} {
		_, err = platform.EnvInt(get, k)
		require.ErrorContains(t, err, k+": ")
		require.ErrorContains(t, err, "is not a non-negative integer")
	}
}

func ExampleEnvInt() {
	env := map[string]string{"MISA_CRM_CONCURRENCY": "8", "SHOPEE_SHOP_ID": "twelve"}
	n, err := platform.EnvInt(func(k string) string { return env[k] }, "MISA_CRM_CONCURRENCY")
	fmt.Println(n, err)
	_, err = platform.EnvInt(func(k string) string { return env[k] }, "SHOPEE_SHOP_ID")
	fmt.Println(err)
	// Output:
	// 8 <nil>
	// SHOPEE_SHOP_ID: "twelve" is not a non-negative integer
}
