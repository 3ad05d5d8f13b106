package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/facolos/etl/platform"
	"github.com/joho/godotenv"

	"github.com/stretchr/testify/require"
)

// The settings file examples/.env.example describes is read where it says
// to copy it: examples/.env (from the repository root), unless a .env in
// the working directory takes precedence; the log names the file read.
func TestEnvFileLocations(t *testing.T) {
	keys := []string{"ETL_SINK", "FAKE_ACCOUNT", "FAKE_TOKEN", "FAKE_RECORDS"}
	for _, k := range keys {
		_, set := os.LookupEnv(k)
		require.False(t, set, "%s must not be set for this test", k)
	}
	unset := func() {
		for _, k := range keys {
			os.Unsetenv(k)
		}
	}
	t.Cleanup(unset)
	dir := t.TempDir()
	t.Chdir(dir)
	require.NoError(t, os.Mkdir("examples", 0o700))
	write := func(path, db, records string) {
		require.NoError(t, os.WriteFile(path, []byte("ETL_SINK=sqlite:"+filepath.Join(dir, db)+"\nFAKE_ACCOUNT=from-file\nFAKE_TOKEN=t\nFAKE_RECORDS="+records+"\n"), 0o600))
	}
	job := func() (int, string) {
		o := defaults()
		o.platforms = "fakeplat"
		var out, logs bytes.Buffer
		code := run(context.Background(), o, os.Getenv, &out, &logs)
		unset()
		return code, logs.String()
	}

	write(filepath.Join("examples", ".env"), "examples.db", "4")
	code, logs := job()
	require.Equal(t, exitOK, code, logs)
	require.Contains(t, logs, "msg=\"settings file read\" file=examples/.env")
	require.FileExists(t, filepath.Join(dir, "examples.db"), "the warehouse the file names, not the demo's")
	require.NotContains(t, logs, "demo:")

	write(".env", "cwd.db", "3")
	code, logs = job()
	require.Equal(t, exitOK, code, logs)
	require.Contains(t, logs, "msg=\"settings file read\" file=.env")
	require.FileExists(t, filepath.Join(dir, "cwd.db"))

	require.NoError(t, os.WriteFile(".env", []byte("NOT A SETTING\n'"), 0o600))
	code, logs = job()
	require.Equal(t, exitConfig, code, logs)
	require.Contains(t, logs, ".env")
}

// examples/.env.example lists every setting of every platform the job
// knows, and works once uncommented: copied to examples/.env it configures
// the job (a missing setting of a listed platform would be a
// configuration error).
func TestEnvExampleListsEverySetting(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", ".env.example"))
	require.NoError(t, err)
	text := string(data)
	for _, n := range platform.Names() {
		if n == "fakeplat" {
			continue
		}
		d, _ := platform.Lookup(n)
		for _, v := range d.Variables() {
			require.Contains(t, text, "# "+v.Name+"=", "%s setting %s", n, v.Name)
		}
	}
	for _, v := range []string{"ETL_SINK", "ETL_ACCOUNTS", "TIKTOK_SERVICE_ID", "SQL_SERVER_HOST"} {
		require.Contains(t, text, "# "+v+"=")
	}
	parsed, err := godotenv.Unmarshal(regexp.MustCompile(`(?m)^# ([A-Z_]+=)`).ReplaceAllString(text, "$1"))
	require.NoError(t, err, "uncommented, the file parses")
	require.Equal(t, "2024-07-01", parsed["SHOPEE_START_DATE"])
}
