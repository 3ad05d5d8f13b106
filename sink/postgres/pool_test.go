package postgres_test

import (
	"strings"
	"testing"

	"github.com/facolos/etl/sink/postgres"
	"github.com/stretchr/testify/require"
)

// A sharded worker's pool is its share of the default (at least 2); a size
// named in the Config or the DSN wins.
func TestSharePoolDividesTheDefaultPool(t *testing.T) {
	t.Cleanup(func() { postgres.SharePool(1) })
	size := func(cfg postgres.Config) int32 { return open(t, cfg).Pool().Config().MaxConns }
	require.Equal(t, int32(postgres.DefaultMaxConns), size(postgres.Config{}))
	postgres.SharePool(2)
	require.Equal(t, int32(4), size(postgres.Config{}))
	postgres.SharePool(8)
	require.Equal(t, int32(2), size(postgres.Config{}))
	require.Equal(t, int32(6), size(postgres.Config{MaxConns: 6}))
	sep := "?"
	if strings.Contains(dsn(t), "?") {
		sep = "&"
	}
	cfg := postgres.Config{Schemas: isolated(t)}
	cfg.DSN = dsn(t) + sep + "pool_max_conns=5"
	s, err := postgres.Open(t.Context(), cfg)
	require.NoError(t, err)
	defer s.Close()
	require.Equal(t, int32(5), s.Pool().Config().MaxConns)
}
