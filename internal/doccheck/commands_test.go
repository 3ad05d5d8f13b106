package doccheck

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/shopee/shopeetest"
	etlsink "github.com/facolos/etl/sink"
	"github.com/facolos/etl/tiktok"
	"github.com/facolos/etl/tiktok/tiktoktest"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"
)

// A docCommand is one command line of a fenced shell block of the README
// or a guide.
type docCommand struct {
	file  string   // relative to the repository's root
	line  int      // 1-based
	env   []string // the leading NAME=value words
	words []string // the words after them
}

func (c docCommand) where() string { return fmt.Sprintf("%s:%d", c.file, c.line) }

// String is the command as its words, quotes removed: the key of the
// elsewhere table.
func (c docCommand) String() string {
	return strings.Join(append(append([]string{}, c.env...), c.words...), " ")
}

// program is "go run ./examples/sync" and the like, or the first word.
func (c docCommand) program() string {
	if len(c.words) >= 3 && c.words[0] == "go" && c.words[1] == "run" {
		return strings.Join(c.words[:3], " ")
	}
	if len(c.words) == 0 {
		return ""
	}
	return c.words[0]
}

// args are the words after the program.
func (c docCommand) args() []string { return c.words[len(strings.Fields(c.program())):] }

// shellLangs are the info strings of the fenced blocks whose lines are
// commands. Every fence must name its language: an untagged block is an
// error, so that a block of commands cannot hide from this test as text.
var shellLangs = map[string]bool{"sh": true, "bash": true, "shell": true, "console": true}

var fence = regexp.MustCompile("^\\s*(```+)\\s*([A-Za-z0-9_+-]*)\\s*$")

// documentedCommands returns the command lines of the fenced shell blocks
// of README.md and docs/*.md, in file order; what it cannot read is a test
// error naming the file and line.
func documentedCommands(t *testing.T) []docCommand {
	t.Helper()
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	require.NoError(t, err)
	files := append([]string{filepath.Join(root, "README.md")}, docs...)
	var out []docCommand
	for _, path := range files {
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		lines := strings.Split(string(data), "\n")
		open, shell, start := "", false, 0
		for i := 0; i < len(lines); i++ {
			m := fence.FindStringSubmatch(lines[i])
			switch {
			case m != nil && open == "":
				open, shell, start = m[1], shellLangs[m[2]], i+1
				if m[2] == "" {
					t.Errorf("%s:%d: a fenced block without a language: tag it sh (commands, which this test runs) or text", rel, i+1)
				}
			case m != nil && m[1] == open && m[2] == "":
				open = ""
			case open != "" && shell:
				line, at := strings.TrimSpace(lines[i]), i+1
				for strings.HasSuffix(line, "\\") && i+1 < len(lines) {
					i++
					line = strings.TrimSuffix(line, "\\") + " " + strings.TrimSpace(lines[i])
				}
				w, err := shellWords(line)
				if err != nil {
					t.Errorf("%s:%d: %v", rel, at, err)
					continue
				}
				c := docCommand{file: rel, line: at}
				for len(w) > 0 && assignment.MatchString(w[0]) {
					c.env, w = append(c.env, w[0]), w[1:]
				}
				c.words = w
				if len(c.env)+len(c.words) > 0 {
					out = append(out, c)
				}
			}
		}
		if open != "" {
			t.Errorf("%s:%d: the fenced block is not closed", rel, start)
		}
	}
	return out
}

var assignment = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)

// shellWords splits a command line into words as a POSIX shell does for
// the simple commands of the docs: '…' is literal, "…" keeps its spaces
// (a backslash escapes " \ $ and `), a # that starts a word starts a
// comment. Anything that would need a real shell (pipes, lists,
// redirections, expansions) is an error: this test runs simple commands.
func shellWords(line string) ([]string, error) {
	var out []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == ' ' || c == '\t':
			if inWord {
				out, inWord = append(out, cur.String()), false
				cur.Reset()
			}
		case c == '#' && !inWord:
			return out, nil
		case c == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("%q: a ' is not closed", line)
			}
			cur.WriteString(line[i+1 : i+1+j])
			i, inWord = i+1+j, true
		case c == '"':
			inWord = true
			for i++; i < len(line) && line[i] != '"'; i++ {
				if line[i] == '$' || line[i] == '`' {
					return nil, fmt.Errorf("%q: an expansion inside \"…\": this test runs simple commands only", line)
				}
				if line[i] == '\\' && i+1 < len(line) && strings.IndexByte("\"\\$`", line[i+1]) >= 0 {
					i++
				}
				cur.WriteByte(line[i])
			}
			if i >= len(line) {
				return nil, fmt.Errorf("%q: a \" is not closed", line)
			}
		case c == '\\' && i+1 < len(line):
			i++
			cur.WriteByte(line[i])
			inWord = true
		case strings.IndexByte("|&;<>()$`", c) >= 0:
			return nil, fmt.Errorf("%q: %q needs a shell; this test runs simple commands only (quote it, or split the line)", line, c)
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out, nil
}

func TestShellWords(t *testing.T) {
	for line, want := range map[string][]string{
		`go run ./examples/sync            # incremental; a comment`:       {"go", "run", "./examples/sync"},
		`sqlite3 facolos.db "SELECT a, b FROM t LIMIT 5"`:                  {"sqlite3", "facolos.db", "SELECT a, b FROM t LIMIT 5"},
		`X='sqlserver://sa:P@h?database=m' go test ./p -run '^$' -bench .`: {"X=sqlserver://sa:P@h?database=m", "go", "test", "./p", "-run", "^$", "-bench", "."},
		`echo "a \"b\" c"#not-a-comment`:                                   {"echo", `a "b" c#not-a-comment`},
		`a\ b`:                                                             {"a b"},
		`   `:                                                              nil,
	} {
		got, err := shellWords(line)
		require.NoError(t, err, line)
		require.Equal(t, want, got, line)
	}
	for _, line := range []string{`a | b`, `a && b`, `a > f`, `echo $HOME`, `echo "$HOME"`, `echo 'open`, `echo "open`} {
		_, err := shellWords(line)
		require.Error(t, err, line)
	}
}

// runsElsewhere says what runs a documented command this test cannot run,
// and why it cannot. The test checks that the named .ci/run line, or test
// function of the package, exists.
type runsElsewhere struct {
	ci  string // a line of .ci/run
	pkg string // or a package (its directory) ...
	fn  string // ... and one of its Test or Benchmark functions
	why string
	// check, when set, checks the command as far as it can run here.
	check func(c docCommand) error
}

// elsewhere maps documented commands (docCommand.String) to what runs
// them. Keep it short: a command belongs here only when no unit test can
// run it.
var elsewhere = map[string]runsElsewhere{
	"go test ./...": {ci: `go test -race -timeout 20m $(go list ./... | grep -v -E '/(shopee|tiktok|lazada|misa|examples/sync)$')`,
		why: "the test suite itself, this test among it (the platform packages in the lines after it)"},
	"go get github.com/facolos/etl@latest": {pkg: "internal/doccheck", fn: "TestGoGetNamesThisModule",
		why: "fetches the published module over the network; the test checks the module path it names"},
	"ETL_SINK=postgres://etl:password@db:5432/warehouse?sslmode=require": {pkg: "examples/sync", fn: "TestDemoSyncIntoPostgres",
		why: "the reader's PostgreSQL server; the job into PostgreSQL by URL (ETL_SINK is -sink's default) runs against ETL_TEST_POSTGRES_DSN",
		check: func(c docCommand) error {
			_, _, err := etlsink.PostgresSchemas(strings.TrimPrefix(c.env[0], "ETL_SINK="))
			return err
		}},
	"ETL_TEST_MSSQL_DSN=sqlserver://sa:PASSWORD@127.0.0.1:1433?database=master go test ./sink/mssql -v": {pkg: "sink/mssql", fn: "TestShopeeEndToEnd",
		why: "needs a SQL Server (or Babelfish); without ETL_TEST_MSSQL_DSN the tests skip"},
	"ETL_TEST_MSSQL_DSN=sqlserver://… go test ./sink/mssql -run ^$ -bench . -benchtime 1x": {pkg: "sink/mssql", fn: "BenchmarkUpsert",
		why: "needs a SQL Server (or Babelfish); without ETL_TEST_MSSQL_DSN the benchmarks skip"},
}

// verify checks that what e names exists and, for a go test command, that
// the package's tests read the variables the command sets.
func (e runsElsewhere) verify(c docCommand) error {
	if e.ci != "" {
		ci, err := os.ReadFile(filepath.Join(root, ".ci", "run"))
		if err != nil {
			return err
		}
		for _, l := range strings.Split(string(ci), "\n") {
			if strings.TrimSpace(l) == e.ci {
				return nil
			}
		}
		return fmt.Errorf(".ci/run has no line %q", e.ci)
	}
	if e.pkg == "" || e.fn == "" || e.why == "" {
		return errors.New("the elsewhere entry names no .ci/run line, or no package and function, or no reason")
	}
	src, err := testSources(e.pkg)
	if err != nil {
		return err
	}
	if !regexp.MustCompile(`(?m)^func ` + regexp.QuoteMeta(e.fn) + `\(`).MatchString(src) {
		return fmt.Errorf("%s has no function %s in its _test.go files", e.pkg, e.fn)
	}
	if c.program() == "go" && len(c.words) > 1 && c.words[1] == "test" {
		if !slices.Contains(c.words, "./"+e.pkg) {
			return fmt.Errorf("the command does not test ./%s, where %s is", e.pkg, e.fn)
		}
		for _, kv := range c.env {
			name, _, _ := strings.Cut(kv, "=")
			if !strings.Contains(src, `"`+name+`"`) {
				return fmt.Errorf("the tests of %s never read %s", e.pkg, name)
			}
		}
	}
	if e.check != nil {
		return e.check(c)
	}
	return nil
}

// testSources returns the _test.go files of the package in dir, joined.
func testSources(dir string) (string, error) {
	files, err := filepath.Glob(filepath.Join(root, dir, "*_test.go"))
	if err != nil || len(files) == 0 {
		return "", fmt.Errorf("no _test.go files in %s", dir)
	}
	var b strings.Builder
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		b.Write(data)
	}
	return b.String(), nil
}

// TestGoGetNamesThisModule fails when a documented go get (in a fenced
// block or inline) names another module than go.mod's.
func TestGoGetNamesThisModule(t *testing.T) {
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^module (\S+)$`).FindSubmatch(mod)
	require.NotNil(t, m, "go.mod has no module line")
	module := string(m[1])
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	require.NoError(t, err)
	seen := 0
	for _, path := range append([]string{filepath.Join(root, "README.md")}, docs...) {
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		for i, line := range strings.Split(string(data), "\n") {
			for _, g := range regexp.MustCompile(`go get (\S+?)@`).FindAllStringSubmatch(line, -1) {
				seen++
				if g[1] != module && !strings.HasPrefix(g[1], module+"/") {
					t.Errorf("%s:%d: go get %s: the module is %s", path, i+1, g[1], module)
				}
			}
		}
	}
	require.Positive(t, seen, "the README says how to go get the module")
}

// A step runs one documented command in a workspace and checks what it did.
type step func(t *testing.T, w *workspace, c docCommand)

// how returns the step that runs c here, or why none does.
func how(c docCommand) (step, error) {
	switch p := c.program(); {
	case len(c.words) == 0 && len(c.env) == 1:
		return setting, nil
	case p == "go run ./examples/sync":
		return runSync, nil
	case p == "go run ./examples/authorize":
		return runAuthorize, nil
	case p == "go run ./examples/bench":
		return runBench, nil
	case len(c.env) > 0:
		return nil, fmt.Errorf("variables before %s: only go run commands take them here", p)
	case p == "sqlite3":
		return runSQLite3, nil
	case p == "cp":
		return runCp, nil
	}
	return nil, errors.New("no step of this test runs it")
}

// workspaceOf puts the commands of several documents in one workspace,
// run in document order, where a reader goes on from one to the other:
// the getting-started guide queries the warehouse the README's quick start
// made, and the Shopee re-authorisation is done in the warehouse the shops
// were connected to. Every other document has a workspace of its own.
var workspaceOf = map[string]string{
	"README.md":                  "demo",
	"docs/getting-started.md":    "demo",
	"docs/connect-your-shops.md": "shops",
	"docs/shopee-reliability.md": "shops",
}

// TestDocumentedCommandsRun runs every command of the fenced shell blocks
// of README.md and docs/*.md, or finds it in the elsewhere table (and
// checks what that names). A command in neither fails the test. The
// commands of a workspace run in document order, in a temporary directory
// that stands for the reader's clone of the repository: the binaries are
// built once, and where a command needs a platform's credentials, the
// workspace's settings file (.env, as the guides say) points at the
// platform's simulator over HTTP.
func TestDocumentedCommandsRun(t *testing.T) {
	cmds := documentedCommands(t)
	require.NotEmpty(t, cmds)
	type planned struct {
		c  docCommand
		st step
	}
	var order []string
	plans := map[string][]planned{}
	used := map[string]bool{}
	for _, c := range cmds {
		if e, ok := elsewhere[c.String()]; ok {
			used[c.String()] = true
			if err := e.verify(c); err != nil {
				t.Errorf("%s: %q (run elsewhere: %s): %v", c.where(), c, e.why, err)
			}
			continue
		}
		st, err := how(c)
		if err != nil {
			t.Errorf("%s: %q is neither run by this test nor listed in its elsewhere table: %v", c.where(), c, err)
			continue
		}
		ws := workspaceOf[c.file]
		if ws == "" {
			ws = c.file
		}
		if _, ok := plans[ws]; !ok {
			order = append(order, ws)
		}
		plans[ws] = append(plans[ws], planned{c, st})
	}
	for k := range elsewhere {
		if !used[k] {
			t.Errorf("elsewhere lists %q, which no document has any more: remove it", k)
		}
	}
	if t.Failed() {
		return
	}
	if testing.Short() {
		t.Skip("builds the example commands and runs every documented command")
	}
	for _, ws := range order {
		t.Run(ws, func(t *testing.T) {
			t.Parallel()
			w := &workspace{t: t, dir: t.TempDir(), settings: map[string]string{}}
			for _, p := range plans[ws] {
				if !t.Run(p.c.where(), func(t *testing.T) { p.st(t, w, p.c) }) {
					t.Fatalf("%s failed: the commands after it in this workspace did not run", p.c.where())
				}
			}
		})
	}
}

// workspace is the reader's clone of the repository: a directory the
// commands run in, its settings file and, once a command needs them, the
// simulated platforms the settings point at.
type workspace struct {
	t        *testing.T
	dir      string
	settings map[string]string // what .env holds
	redirect string            // the authorisation redirect (a free port: 8765 may be another process's)
	shopee   *shopeetest.Server
	tiktok   *tiktoktest.Server
}

// set adds a setting to the workspace's .env.
func (w *workspace) set(t *testing.T, name, value string) {
	t.Helper()
	require.NotContains(t, value, "'", "%s: a value with a ' needs other quoting in .env", name)
	f, err := os.OpenFile(filepath.Join(w.dir, ".env"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	require.NoError(t, err)
	_, err = fmt.Fprintf(f, "%s='%s'\n", name, value)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	w.settings[name] = value
}

// simulators starts the Shopee and TikTok Shop simulators and writes their
// credentials and hosts into .env, as a reader writes the real ones
// (connect-your-shops.md, "Settings").
func (w *workspace) simulators(t *testing.T) {
	if w.shopee != nil {
		return
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	w.redirect = "http://" + ln.Addr().String() + "/callback"
	require.NoError(t, ln.Close())
	w.shopee = shopeetest.NewServer(shopeetest.Options{Orders: 30, Days: 10})
	w.t.Cleanup(w.shopee.Close)
	w.tiktok = tiktoktest.NewServer(tiktoktest.Options{Orders: 30, Days: 10, RedirectURL: w.redirect})
	w.t.Cleanup(w.tiktok.Close)
	since := time.Now().AddDate(0, 0, -12)
	for _, kv := range [][2]string{
		{"SHOPEE_PARTNER_ID", strconv.FormatInt(w.shopee.PartnerID(), 10)}, {"SHOPEE_PARTNER_KEY", w.shopee.PartnerKey()},
		{"SHOPEE_SHOP_ID", strconv.FormatInt(w.shopee.ShopID(), 10)}, {"SHOPEE_HOST", w.shopee.URL},
		{"SHOPEE_START_DATE", since.UTC().Format(time.DateOnly)},
		{"TIKTOK_APP_KEY", w.tiktok.AppKey()}, {"TIKTOK_APP_SECRET", w.tiktok.AppSecret()}, {"TIKTOK_SERVICE_ID", w.tiktok.ServiceID()},
		{"TIKTOK_SHOP_NAME", "main"}, {"TIKTOK_AUTHORIZE_URL", w.tiktok.ServicesURL}, {"TIKTOK_AUTH_BASE_URL", w.tiktok.AuthURL},
		{"TIKTOK_SHOP_API_BASE_URL", w.tiktok.URL}, {"TIKTOK_START_DATE", since.In(connector.Vietnam).Format(time.DateOnly)},
	} {
		w.set(t, kv[0], kv[1])
	}
}

// command returns the built program of c with args, in the workspace, with
// an environment of its own: PATH, HOME and c's variables (the settings
// come from .env).
func (w *workspace) command(t *testing.T, c docCommand, args []string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(binary(t, strings.TrimPrefix(c.program(), "go run ")), args...)
	cmd.Dir = w.dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + w.dir, "TMPDIR=" + os.TempDir()}, c.env...)
	return cmd
}

// warehouse returns the SQLite file the sync job or authorize write to:
// -sink, else ETL_SINK of the command or .env, else the default.
func (w *workspace) warehouse(t *testing.T, c docCommand) string {
	t.Helper()
	u := flagValue(c.args(), "sink")
	for _, kv := range c.env {
		if v, ok := strings.CutPrefix(kv, "ETL_SINK="); ok && u == "" {
			u = v
		}
	}
	if u == "" {
		u = w.settings["ETL_SINK"]
	}
	if u == "" {
		u = "sqlite:facolos.db"
	}
	path, ok := strings.CutPrefix(u, "sqlite:")
	require.True(t, ok, "%s: this test checks SQLite warehouses; the command writes to %s", c.where(), u)
	if !filepath.IsAbs(path) {
		path = filepath.Join(w.dir, path)
	}
	return path
}

// flagValue returns the value of -name (or --name, -name=v) in args.
func flagValue(args []string, name string) string {
	for i, a := range args {
		a = strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v
		}
		if a == name && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

// setFlag replaces the value of -name in args, or appends -name value.
func setFlag(args []string, name, value string) []string {
	out := append([]string{}, args...)
	for i, a := range out {
		a = strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		if strings.HasPrefix(a, name+"=") {
			out[i] = "-" + name + "=" + value
			return out
		}
		if a == name && i+1 < len(out) {
			out[i+1] = value
			return out
		}
	}
	return append(out, "-"+name, value)
}

func hasFlag(args []string, name string) bool {
	for _, a := range args {
		a = strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		if a == name || strings.HasPrefix(a, name+"=") {
			return true
		}
	}
	return false
}

// programs are the commands the steps run, built together once per test
// process (one go build shares the compilation of their packages).
var programs = []string{"./examples/sync", "./examples/authorize", "./examples/bench"}

var built struct {
	once sync.Once
	dir  string
	out  []byte
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		_ = os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// binary returns the built program (one of programs).
func binary(t *testing.T, program string) string {
	t.Helper()
	require.Contains(t, programs, program)
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "etl-doccmds-bin-"); built.err != nil {
			return
		}
		cmd := exec.Command("go", append([]string{"build", "-o", built.dir + string(filepath.Separator)}, programs...)...)
		cmd.Dir = root
		built.out, built.err = cmd.CombinedOutput()
	})
	require.NoError(t, built.err, "go build %v:\n%s", programs, built.out)
	return filepath.Join(built.dir, filepath.Base(program))
}

// setting: NAME=value, a line of the settings file.
func setting(t *testing.T, w *workspace, c docCommand) {
	name, value, _ := strings.Cut(c.env[0], "=")
	w.set(t, name, value)
}

// runSync runs the sync job. A run must exit 0 and record successful runs
// of its pipelines in the warehouse; -check must print its "All set";
// -every D must finish its first round and wait for the next, and stop
// with exit 0 on SIGTERM (on a free metrics port unless -metrics is given:
// :9464 may be another process's).
func runSync(t *testing.T, w *workspace, c docCommand) {
	args := c.args()
	wh := w.warehouse(t, c)
	before := successes(t, wh)
	var stdout, stderr bytes.Buffer
	if hasFlag(args, "every") {
		if !hasFlag(args, "metrics") {
			args = setFlag(args, "metrics", "127.0.0.1:0")
		}
		cmd := w.command(t, c, args)
		cmd.Stdout = &stdout
		pipe, err := cmd.StderrPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		sc := bufio.NewScanner(pipe)
		waiting := false
		for !waiting && sc.Scan() {
			stderr.WriteString(sc.Text() + "\n")
			waiting = strings.Contains(sc.Text(), `msg="waiting for the next round"`)
		}
		if waiting {
			require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
		}
		for sc.Scan() {
			stderr.WriteString(sc.Text() + "\n")
		}
		err = cmd.Wait()
		require.True(t, waiting, "%s: the job never finished its first round:\n%s", c.where(), stderr.String())
		require.NoError(t, err, "%s: stopped with SIGTERM between rounds:\n%s", c.where(), stderr.String())
	} else {
		cmd := w.command(t, c, args)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		require.NoError(t, cmd.Run(), "%s: %s\n%s%s", c.where(), c, stdout.String(), stderr.String())
	}
	if hasFlag(args, "check") {
		require.Contains(t, stdout.String(), "All set", "%s:\n%s%s", c.where(), stdout.String(), stderr.String())
		return
	}
	require.Greater(t, successes(t, wh), before, "%s: the run recorded no successful pipeline run in %s:\n%s", c.where(), wh, stderr.String())
}

// successes counts the successful runs the warehouse file records (0 when
// it has no runs yet).
func successes(t *testing.T, path string) int {
	t.Helper()
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return 0
	}
	db := openSQLite(t, path)
	defer db.Close()
	var n int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = 'etl_control_batch_runs'`).Scan(&n))
	if n == 0 {
		return 0 // authorize made the file: the token table only
	}
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM etl_control_batch_runs WHERE status = 'SUCCESS'`).Scan(&n))
	return n
}

func openSQLite(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	require.NoError(t, err)
	return db
}

// runAuthorize gets the first tokens from a simulated platform as a seller
// would: the command prints the link, the seller's browser opens it, the
// platform redirects it to the command's listener, and the command stores
// the pair. The documented listener 127.0.0.1:8765 becomes a free port
// (another process may hold 8765); the simulated TikTok app registers that
// redirect, as the guide has the reader register theirs.
func runAuthorize(t *testing.T, w *workspace, c docCommand) {
	w.simulators(t)
	args := c.args()
	if r := flagValue(args, "redirect"); r != "" {
		u, err := url.Parse(r)
		require.NoError(t, err)
		require.Equal(t, "127.0.0.1", u.Hostname(), "%s: this test catches the redirect on 127.0.0.1 only", c.where())
	}
	args = setFlag(args, "redirect", w.redirect)
	platform := map[string]string{"shopee": "shopee", "tiktok": tiktok.PlatformName}[cmp.Or(flagValue(args, "platform"), "shopee")]
	require.NotEmpty(t, platform, "%s: this test authorises Shopee and TikTok Shop", c.where())
	before := refreshTokens(t, w.warehouse(t, c), platform)
	cmd := w.command(t, c, args)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	sc := bufio.NewScanner(out)
	var link string
	var all strings.Builder
	for link == "" && sc.Scan() {
		all.WriteString(sc.Text() + "\n")
		if l := strings.TrimSpace(sc.Text()); strings.HasPrefix(l, "http") {
			link = l
		}
	}
	var approval error
	if link != "" {
		// The seller's browser: the platform's page redirects it to the
		// command's listener.
		resp, err := http.Get(link)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				err = fmt.Errorf("status %d: %s", resp.StatusCode, body)
			}
		}
		if approval = err; err != nil {
			_ = cmd.Process.Kill()
		}
	}
	for sc.Scan() {
		all.WriteString(sc.Text() + "\n")
	}
	err = cmd.Wait()
	require.NotEmpty(t, link, "%s: the command printed no authorisation link:\n%s%s", c.where(), all.String(), stderr.String())
	require.NoError(t, approval, "%s: the seller's approval", c.where())
	require.NoError(t, err, "%s:\n%s%s", c.where(), all.String(), stderr.String())
	require.Contains(t, all.String(), "Stored a new token pair", c.where())
	fresh := slices.DeleteFunc(refreshTokens(t, w.warehouse(t, c), platform), func(tok string) bool { return slices.Contains(before, tok) })
	require.Len(t, fresh, 1, "%s: one new token pair in the warehouse's token table", c.where())
}

// refreshTokens returns the refresh tokens of a platform's accounts in the
// warehouse's token table (none when there is no table yet).
func refreshTokens(t *testing.T, path, platform string) []string {
	t.Helper()
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	db := openSQLite(t, path)
	defer db.Close()
	rows, err := db.Query(`SELECT refresh_token FROM etl_control_api_token_storage WHERE platform = ? AND refresh_token <> ''`, platform)
	if err != nil && strings.Contains(err.Error(), "no such table") {
		return nil
	}
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		out = append(out, s)
	}
	require.NoError(t, rows.Err())
	return out
}

// runBench runs the load benchmark with the documented -orders divided by
// 100 (the command, not the measurement, is what is checked) and requires
// every order loaded. A PostgreSQL warehouse is a fresh database of
// ETL_TEST_POSTGRES_DSN's server, a SQL Server one ETL_TEST_MSSQL_DSN;
// without the variable that command is skipped.
func runBench(t *testing.T, w *workspace, c docCommand) {
	args := c.args()
	n, err := strconv.Atoi(flagValue(args, "orders"))
	require.NoError(t, err, "%s: -orders", c.where())
	n = max(n/100, 1)
	args = setFlag(args, "orders", strconv.Itoa(n))
	switch u := flagValue(args, "sink"); {
	case strings.HasPrefix(u, "postgres://"):
		args = setFlag(args, "sink", freshPostgres(t))
	case strings.HasPrefix(u, "sqlserver://"):
		dsn := os.Getenv("ETL_TEST_MSSQL_DSN")
		if dsn == "" {
			t.Skip("set ETL_TEST_MSSQL_DSN to run the benchmark into SQL Server")
		}
		args = setFlag(args, "sink", dsn)
	case u == "" || strings.HasPrefix(u, "sqlite:"):
	default:
		t.Fatalf("%s: a sink this test does not know: %s", c.where(), u)
	}
	out, err := w.command(t, c, args).CombinedOutput()
	require.NoError(t, err, "%s:\n%s", c.where(), out)
	require.Contains(t, string(out), fmt.Sprintf("orders=%d records=%d ", n, n), c.where())
}

// freshPostgres creates a database of its own on ETL_TEST_POSTGRES_DSN's
// server (dropped at the end) and returns its URL.
func freshPostgres(t *testing.T) string {
	dsn := os.Getenv("ETL_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("set ETL_TEST_POSTGRES_DSN to run the benchmark into PostgreSQL")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var b [4]byte
	_, _ = rand.Read(b[:])
	db := "etl_t_doccmds_" + hex.EncodeToString(b[:])
	_, err = conn.Exec(ctx, "CREATE DATABASE "+db)
	require.NoError(t, err)
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), dsn)
		if err == nil {
			_, _ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+db+" WITH (FORCE)")
			conn.Close(context.Background())
		}
	})
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	u.Path = "/" + db
	return u.String()
}

// runSQLite3: sqlite3 FILE "SQL", through the SQLite driver: the query must
// run and return rows.
func runSQLite3(t *testing.T, w *workspace, c docCommand) {
	args := c.args()
	require.Len(t, args, 2, "%s: sqlite3 FILE \"SQL\"", c.where())
	path := filepath.Join(w.dir, args[0])
	_, err := os.Stat(path)
	require.NoError(t, err, "%s: no command before this one made %s", c.where(), args[0])
	db := openSQLite(t, path)
	defer db.Close()
	rows, err := db.Query(args[1])
	require.NoError(t, err, "%s: %s", c.where(), args[1])
	defer rows.Close()
	cols, err := rows.Columns()
	require.NoError(t, err)
	n := 0
	for rows.Next() {
		vals := make([]any, len(cols))
		for i := range vals {
			vals[i] = new(any)
		}
		require.NoError(t, rows.Scan(vals...))
		n++
	}
	require.NoError(t, rows.Err())
	require.Positive(t, n, "%s: %s returned no rows", c.where(), args[1])
}

// runCp: cp FILE DEST, FILE of the repository, DEST in the workspace.
func runCp(t *testing.T, w *workspace, c docCommand) {
	args := c.args()
	require.Len(t, args, 2, "%s: cp FILE DEST", c.where())
	data, err := os.ReadFile(filepath.Join(root, args[0]))
	require.NoError(t, err, "%s: the repository has no %s", c.where(), args[0])
	require.NoError(t, os.WriteFile(filepath.Join(w.dir, args[1]), data, 0o600))
}

var inlineCode = regexp.MustCompile("`([^`]+)`")

// TestInlineCommands checks the commands quoted inline in the README and
// the guides, which name tests and flags in prose: a go test command must
// name packages that exist and select at least one function of them with
// each of its -run, -bench and -fuzz alternatives (so that a renamed test
// cannot leave a reference that silently runs nothing), and its variables
// must be read somewhere; a go run command must name a command of the
// repository and only flags that command defines; a go generate command a
// package with a //go:generate directive.
func TestInlineCommands(t *testing.T) {
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	require.NoError(t, err)
	seenTest, seenRun := 0, 0
	for _, path := range append([]string{filepath.Join(root, "README.md")}, docs...) {
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		rel, _ := filepath.Rel(root, path)
		for i, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "|") {
				line = strings.ReplaceAll(line, `\|`, "|") // a | inside a table cell
			}
			for _, m := range inlineCode.FindAllStringSubmatch(line, -1) {
				w, err := shellWords(m[1])
				if err != nil {
					continue // not a simple command: prose in code font
				}
				var env []string
				for len(w) > 0 && assignment.MatchString(w[0]) {
					env, w = append(env, w[0]), w[1:]
				}
				if len(w) < 2 || w[0] != "go" {
					continue
				}
				where := fmt.Sprintf("%s:%d: `%s`", rel, i+1, m[1])
				switch {
				case w[1] == "test":
					seenTest++
					if err := checkGoTest(env, w[2:]); err != nil {
						t.Errorf("%s: %v", where, err)
					}
				case w[1] == "run" && len(w) > 2 && strings.HasPrefix(w[2], "./"):
					seenRun++
					if err := checkGoRun(w[2], w[3:]); err != nil {
						t.Errorf("%s: %v", where, err)
					}
				case w[1] == "generate" && len(w) > 2:
					if err := checkGoGenerate(w[2]); err != nil {
						t.Errorf("%s: %v", where, err)
					}
				}
			}
		}
	}
	require.Positive(t, seenTest, "no inline go test command found: is the pattern broken?")
	require.Positive(t, seenRun, "no inline go run command found: is the pattern broken?")
}

// checkGoTest checks the arguments of an inline go test command.
func checkGoTest(env, args []string) error {
	var pkgs []string
	sel := map[string]string{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case strings.HasPrefix(a, "./"):
			pkgs = append(pkgs, a)
		case (a == "-run" || a == "-bench" || a == "-fuzz") && i+1 < len(args):
			sel[a] = args[i+1]
			i++
		}
	}
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if !mentioned(name) {
			return fmt.Errorf("no Go file reads %s", name)
		}
	}
	names := map[string][]string{} // package -> its functions
	for _, p := range pkgs {
		dir := strings.TrimPrefix(p, "./")
		if dir == "..." {
			continue
		}
		fns, err := testFunctions(dir)
		if err != nil {
			return err
		}
		names[p] = fns
	}
	if _, ok := sel["-run"]; ok && (sel["-bench"] != "" || sel["-fuzz"] != "") {
		delete(sel, "-run") // -run then only keeps the tests out of a benchmark or fuzz run
	}
	prefixes := map[string][]string{"-run": {"Test", "Example", "Fuzz"}, "-bench": {"Benchmark"}, "-fuzz": {"Fuzz"}}
	for flag, rx := range sel {
		if len(pkgs) == 0 || slices.Contains(pkgs, "./...") || strings.Contains(rx, "…") {
			continue // no package named, or a placeholder (-run '…' heads a table of patterns)
		}
		top, _ := splitTop(rx, '/')
		selected := map[string]bool{} // packages with a selected function
		for _, alt := range splitAlternatives(top) {
			re, err := regexp.Compile(alt)
			if err != nil {
				return fmt.Errorf("%s %q: %w", flag, rx, err)
			}
			found := false
			for p, fns := range names {
				for _, n := range fns {
					if re.MatchString(n) && hasAnyPrefix(n, prefixes[flag]) {
						found, selected[p] = true, true
					}
				}
			}
			if !found {
				return fmt.Errorf("%s %q: %q selects no function of %v", flag, rx, alt, pkgs)
			}
		}
		for _, p := range pkgs {
			if !selected[p] {
				return fmt.Errorf("%s %q selects no function of %s", flag, rx, p)
			}
		}
	}
	return nil
}

// testFunctions lists the Test, Benchmark, Fuzz and Example functions of
// the package in dir (with dir/... every package under it).
func testFunctions(dir string) ([]string, error) {
	testFuncs.Lock()
	defer testFuncs.Unlock()
	if fns, ok := testFuncs.byDir[dir]; ok {
		return fns, nil
	}
	fns, err := readTestFunctions(dir)
	if err == nil {
		if testFuncs.byDir == nil {
			testFuncs.byDir = map[string][]string{}
		}
		testFuncs.byDir[dir] = fns
	}
	return fns, err
}

// testFuncs caches testFunctions: the documents name the same packages
// many times.
var testFuncs struct {
	sync.Mutex
	byDir map[string][]string
}

// testFunc finds the test, benchmark, fuzz and example functions of a file.
var testFunc = regexp.MustCompile(`(?m)^func ((?:Test|Benchmark|Fuzz|Example)\w*)\(`)

func readTestFunctions(dir string) ([]string, error) {
	base, all := strings.CutSuffix(dir, "/...")
	info, err := os.Stat(filepath.Join(root, base))
	if err != nil || !info.IsDir() {
		return nil, fmt.Errorf("no package %s", dir)
	}
	var files []string
	if all {
		err = filepath.WalkDir(filepath.Join(root, base), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, "_test.go") {
				files = append(files, p)
			}
			return err
		})
	} else {
		files, err = filepath.Glob(filepath.Join(root, base, "*_test.go"))
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		for _, m := range testFunc.FindAllSubmatch(data, -1) {
			out = append(out, string(m[1]))
		}
	}
	return out, nil
}

// checkGoRun checks that an inline go run names a command of the
// repository and only flags it defines ([-flag] is an optional one), in
// its own files or in a package of this module it imports (shared flags).
func checkGoRun(program string, args []string) error {
	files, err := filepath.Glob(filepath.Join(root, program, "*.go"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no command %s", program)
	}
	var src strings.Builder
	imported := regexp.MustCompile(`"github\.com/facolos/etl/([\w/.-]+)"`)
	seen := map[string]bool{}
	for len(files) > 0 {
		f := files[0]
		files = files[1:]
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		src.Write(data)
		for _, m := range imported.FindAllSubmatch(data, -1) {
			if dir := string(m[1]); !seen[dir] && (strings.HasPrefix(dir, "internal/") || strings.HasPrefix(dir, "examples/")) {
				seen[dir] = true
				more, _ := filepath.Glob(filepath.Join(root, dir, "*.go"))
				files = append(files, more...)
			}
		}
	}
	for _, a := range args {
		a = strings.TrimPrefix(a, "[")
		if !strings.HasPrefix(a, "-") || len(a) < 2 || a[1] >= '0' && a[1] <= '9' {
			continue
		}
		name := strings.TrimRight(strings.TrimLeft(a, "-"), "]")
		name, _, _ = strings.Cut(name, "=")
		def := regexp.MustCompile(`\.\w+\((?:&[\w.]+,\s*)?"` + regexp.QuoteMeta(name) + `",`)
		if !def.MatchString(src.String()) {
			return fmt.Errorf("%s defines no flag -%s", program, name)
		}
	}
	return nil
}

// checkGoGenerate checks that the package of an inline go generate has a
// //go:generate directive.
func checkGoGenerate(pkg string) error {
	files, err := filepath.Glob(filepath.Join(root, pkg, "*.go"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no package %s", pkg)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if regexp.MustCompile(`(?m)^//go:generate `).Match(data) {
			return nil
		}
	}
	return fmt.Errorf("%s has no //go:generate directive", pkg)
}

// splitTop splits s at the first sep outside parentheses, brackets and
// escapes (how go test splits -run at / into levels).
func splitTop(s string, sep byte) (string, string) {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			i++
		case c == '(' || c == '[':
			depth++
		case c == ')' || c == ']':
			depth--
		case c == sep && depth == 0:
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}

// splitAlternatives splits a regular expression at its top-level |.
func splitAlternatives(s string) []string {
	var out []string
	for {
		a, rest := splitTop(s, '|')
		out = append(out, a)
		if len(a) == len(s) {
			return out
		}
		s = rest
	}
}

func TestSplitAlternatives(t *testing.T) {
	require.Equal(t, []string{"TestA", "TestB(x|y)", `Te\|st`}, splitAlternatives(`TestA|TestB(x|y)|Te\|st`))
	top, rest := splitTop(`TestConformance/.*/(Versioned|NotNull)`, '/')
	require.Equal(t, "TestConformance", top)
	require.Equal(t, `.*/(Versioned|NotNull)`, rest)
	require.Equal(t, []string{"a[|]b"}, splitAlternatives("a[|]b"))
}

// mentioned reports whether a Go file of the repository names the
// variable (in quotes).
func mentioned(name string) bool {
	goSources.Do(func() {
		_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return filepath.SkipAll
			}
			if d.IsDir() && strings.HasPrefix(d.Name(), ".") && p != root {
				return filepath.SkipDir
			}
			if !d.IsDir() && strings.HasSuffix(p, ".go") {
				if data, err := os.ReadFile(p); err == nil {
					goSources.all = append(goSources.all, data...)
				}
			}
			return nil
		})
	})
	return bytes.Contains(goSources.all, []byte(`"`+name+`"`))
}

// goSources is every Go file of the repository, read once for mentioned.
var goSources struct {
	sync.Once
	all []byte
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
