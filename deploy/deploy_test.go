package deploy_test

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/facolos/etl/deploy"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// The image: multi-stage, the runtime stage non-root with no shell.
func TestDockerfile(t *testing.T) {
	stages, err := deploy.Inspect("../Dockerfile")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(stages), 2, "multi-stage")
	final := stages[len(stages)-1]
	require.Contains(t, final.Base, "distroless/static")
	require.NotEmpty(t, final.User)
	require.NotContains(t, []string{"root", "0", "0:0"}, final.User)
	require.Empty(t, final.Run, "nothing runs in the runtime stage")
	require.Contains(t, strings.Join(stages[0].Run, "\n"), "CGO_ENABLED=0")
}

// deploy/build-steps.sh runs the build stage's RUN lines without Docker;
// the result is a static binary that runs. It compiles the whole module
// with -trimpath (minutes on a cold cache), so it runs when
// ETL_TEST_BUILD_STEPS=1.
func TestBuildSteps(t *testing.T) {
	if os.Getenv("ETL_TEST_BUILD_STEPS") != "1" {
		t.Skip("set ETL_TEST_BUILD_STEPS=1 to run the image's build steps (a cold -trimpath build takes minutes)")
	}
	out := t.TempDir()
	cmd := exec.Command("sh", "build-steps.sh")
	cmd.Env = append(os.Environ(), "OUT="+out)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	require.NoError(t, cmd.Run(), logs.String())
	bin := filepath.Join(out, "etl-sync")
	f, err := elf.Open(bin)
	require.NoError(t, err)
	defer f.Close()
	for _, p := range f.Progs {
		require.NotEqual(t, elf.PT_INTERP, p.Type, "the binary is static (no dynamic loader)")
	}
	// Bad configuration: exit code 2, nothing created.
	dir := t.TempDir()
	run := exec.Command(bin, "-mode", "sometimes")
	run.Dir = dir
	err = run.Run()
	var ee *exec.ExitError
	require.True(t, errors.As(err, &ee))
	require.Equal(t, 2, ee.ExitCode())
}

// The Airflow DAG file is valid Python with the old system's two DAGs.
func TestAirflowDAGParses(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed")
	}
	path := "airflow/facolos_etl_dags.py"
	out, err := exec.Command(py, "-c", "import ast,sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])", path).CombinedOutput()
	require.NoError(t, err, string(out))
	src, err := os.ReadFile(path)
	require.NoError(t, err)
	for _, want := range []string{`dag_id="full_load_etl_dag"`, "schedule=None", `dag_id="incremental_etl_dag"`, `schedule="*/15 * * * *"`,
		"max_active_runs=1", "catchup=False", `PLATFORMS = ["tiktok", "misa", "shopee", "lazada"]`, "private_environment=PRIVATE_ENV"} {
		require.Contains(t, string(src), want)
	}
}

func yamlDocs(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	dec := yaml.NewDecoder(f)
	var docs []map[string]any
	for {
		var d map[string]any
		err := dec.Decode(&d)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, path)
		docs = append(docs, d)
	}
	require.NotEmpty(t, docs)
	return docs
}

func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			s, _ := v.([]any)
			if k >= len(s) {
				return nil
			}
			v = s[k]
		}
	}
	return v
}

// The CronJobs are valid YAML, never overlap and run non-root.
func TestKubernetesManifest(t *testing.T) {
	for _, d := range yamlDocs(t, "k8s/cronjob.yaml") {
		require.Equal(t, "CronJob", d["kind"])
		require.Equal(t, "batch/v1", d["apiVersion"])
		require.Equal(t, "Forbid", dig(d, "spec", "concurrencyPolicy"))
		pod := dig(d, "spec", "jobTemplate", "spec", "template", "spec")
		require.Equal(t, true, dig(pod, "securityContext", "runAsNonRoot"))
		require.Equal(t, "etl-sync", dig(pod, "containers", 0, "envFrom", 0, "secretRef", "name"))
	}
}

// The sharded CronJob is an Indexed Job whose pods know the shard count,
// and the Airflow DAG maps one task per shard.
func TestShardedManifests(t *testing.T) {
	docs := yamlDocs(t, "k8s/sharded-cronjob.yaml")
	require.Len(t, docs, 1)
	d := docs[0]
	require.Equal(t, "CronJob", d["kind"])
	require.Equal(t, "Forbid", dig(d, "spec", "concurrencyPolicy"))
	job := dig(d, "spec", "jobTemplate", "spec")
	require.Equal(t, "Indexed", dig(job, "completionMode"))
	n := dig(job, "completions")
	require.Equal(t, n, dig(job, "parallelism"))
	c := dig(job, "template", "spec", "containers", 0)
	require.Equal(t, "ETL_SHARD_COUNT", dig(c, "env", 0, "name"))
	require.Equal(t, fmt.Sprint(n), dig(c, "env", 0, "value"), "ETL_SHARD_COUNT equals completions")
	require.Equal(t, true, dig(job, "template", "spec", "securityContext", "runAsNonRoot"))
	src, err := os.ReadFile("airflow/facolos_etl_dags.py")
	require.NoError(t, err)
	for _, want := range []string{`dag_id="sharded_incremental_etl_dag"`, ".expand(", `"-shard", f"{i}/{SHARDS}"`, "for i in range(SHARDS)"} {
		require.Contains(t, string(src), want)
	}
}

// Compose: the job logs in as its own login, SQL Server listens on
// loopback only, passwords come from the environment.
func TestCompose(t *testing.T) {
	d := yamlDocs(t, "../examples/docker-compose.yml")[0]
	require.Equal(t, "127.0.0.1:1433:1433", dig(d, "services", "mssql", "ports", 0))
	env := dig(d, "services", "sync", "environment").(map[string]any)
	require.Equal(t, "etl_job", env["SQL_SERVER_USERNAME"])
	require.Equal(t, "${ETL_DB_PASSWORD}", env["SQL_SERVER_PASSWORD"])
	require.NotContains(t, env, "ETL_SINK", "no password spliced into a URL")
	require.Equal(t, "..", dig(d, "services", "sync", "build", "context"))
	init := strings.Join(func() []string {
		var s []string
		for _, x := range dig(d, "services", "mssql-init", "entrypoint").([]any) {
			s = append(s, x.(string))
		}
		return s
	}(), "\n")
	require.Contains(t, init, "CREATE LOGIN etl_job")
	require.NotContains(t, init, "-P ", "no password on a command line")
}
