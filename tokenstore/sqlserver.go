package tokenstore

import (
	"fmt"
	"strings"
	"time"
)

// SQLServerDialect stores tokens in SCHEMA.api_token_storage with DATETIME2
// columns holding UTC (the documented basis; the original mixed UTC and
// +07). An existing table of the original system gets the new columns added.
// SQLServer is its etl_control form.
func SQLServerDialect(schema string) Dialect {
	ident := "[" + strings.ReplaceAll(schema, "]", "]]") + "]"
	table := ident + ".[api_token_storage]"
	lit := func(s string) string { return "N'" + strings.ReplaceAll(s, "'", "''") + "'" }
	obj := lit(schema + ".api_token_storage")
	add := func(col, def string) string {
		return fmt.Sprintf("IF COL_LENGTH(%s, %s) IS NULL ALTER TABLE %s ADD [%s] %s", obj, lit(col), table, col, def)
	}
	return Dialect{
		Name:  "sqlserver",
		Table: table,
		Create: []string{
			fmt.Sprintf("IF SCHEMA_ID(%s) IS NULL EXEC(%s)", lit(schema), lit("CREATE SCHEMA "+ident)),
			fmt.Sprintf(`IF OBJECT_ID(%s, N'U') IS NULL
CREATE TABLE %s (
	[platform] NVARCHAR(50) NOT NULL,
	[account] NVARCHAR(100) NOT NULL DEFAULT N'',
	[access_token] NVARCHAR(MAX) NOT NULL,
	[refresh_token] NVARCHAR(MAX) NULL,
	[expires_at] DATETIME2(7) NULL,
	[refresh_expires_at] DATETIME2(7) NULL,
	[shop_cipher] NVARCHAR(255) NULL,
	[version] BIGINT NOT NULL DEFAULT 0,
	[locked_until] DATETIME2(7) NULL,
	[last_updated] DATETIME2(7) NULL DEFAULT SYSUTCDATETIME(),
	CONSTRAINT [PK_api_token_storage] PRIMARY KEY ([platform], [account])
)`, obj, table),
			add("account", "NVARCHAR(100) NOT NULL DEFAULT N''"),
			add("refresh_expires_at", "DATETIME2(7) NULL"),
			add("version", "BIGINT NOT NULL DEFAULT 0"),
			add("locked_until", "DATETIME2(7) NULL"),
			add("reauthorize", "NVARCHAR(MAX) NULL"),
		},
		Placeholder: func(i int) string { return fmt.Sprintf("@p%d", i) },
		Time:        func(t time.Time) any { return t.UTC() },
	}
}

// SQLServer is SQLServerDialect("etl_control").
var SQLServer = SQLServerDialect("etl_control")
