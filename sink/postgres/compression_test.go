package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink/postgres"
	"github.com/stretchr/testify/require"
)

// TestWritesCompressWithLZ4 checks that a kilobyte JSON value the sink
// writes is stored compressed with lz4 when the server has it and nothing
// chose another method, and that a method the DSN chooses is kept.
func TestWritesCompressWithLZ4(t *testing.T) {
	ctx := context.Background()
	probe := open(t, postgres.Config{})
	var lz4 bool
	require.NoError(t, probe.Pool().QueryRow(ctx, `SELECT coalesce(bool_or('lz4' = ANY(enumvals)), false)
		FROM pg_settings WHERE name = 'default_toast_compression'`).Scan(&lz4))
	if !lz4 {
		t.Skip("this server has no lz4 compression")
	}
	table := func() *connector.Table {
		return &connector.Table{Schema: "staging", Name: "compressed", PrimaryKey: []string{"id"}, Columns: []connector.Column{
			{Name: "id", Type: connector.Int}, {Name: "doc", Type: connector.JSON}}}
	}
	doc := connector.RawJSON(`{"items":[` + strings.Repeat(`{"sku":"A-1","qty":1,"price":"10.00"},`, 200) + `{}]}`)
	for _, tc := range []struct{ name, dsnSuffix, want string }{
		{"default", "", "lz4"},
		{"chosen by the DSN", "default_toast_compression=pglz", "pglz"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := postgres.Config{DSN: dsn(t), Schemas: isolated(t)}
			if tc.dsnSuffix != "" {
				sep := "?"
				if strings.Contains(cfg.DSN, "?") {
					sep = "&"
				}
				cfg.DSN += sep + tc.dsnSuffix
			}
			s, err := postgres.Open(ctx, cfg)
			require.NoError(t, err)
			defer s.Close()
			tb := table()
			require.NoError(t, s.Prepare(ctx, []*connector.Table{tb}))
			require.NoError(t, s.Write(ctx, &connector.Batch{Pipeline: "p", Stream: "s", Tables: []connector.TableRows{
				{Table: tb, Rows: [][]any{{int64(1), doc}}}}}))
			var method, text string
			require.NoError(t, s.Pool().QueryRow(ctx, `SELECT coalesce(pg_column_compression(doc), 'none'), doc::text FROM `+
				connector.QuoteIdent(s.Schema("staging"))+`.compressed WHERE id = 1`).Scan(&method, &text))
			require.Equal(t, tc.want, method)
			require.Contains(t, text, `"sku": "A-1"`)
		})
	}
}
