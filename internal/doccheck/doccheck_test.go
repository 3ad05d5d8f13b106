package doccheck

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// root is the repository's root, seen from this package.
const root = "../.."

// narrative matches the words of a work log. It is built from pieces so
// that this file does not match itself.
var narrative = regexp.MustCompile(`(?i)` + strings.Join([]string{
	`sess` + `ion [0-9]`,
	`\bthe ` + `lead\b`,
	`engin` + `eers`,
}, "|"))

// mayNarrate is a quick filter before narrative: whether data holds any of
// the words the pattern starts from, in any case.
func mayNarrate(data []byte) bool {
	lower := bytes.ToLower(data)
	for _, w := range []string{"sess" + "ion", "lead", "engin" + "eers"} {
		if bytes.Contains(lower, []byte(w)) {
			return true
		}
	}
	return false
}

// TestNoNarrative fails when a *.md or *.go file reads like a work log, or
// when a notes/ folder exists: history lives in git.
func TestNoNarrative(t *testing.T) {
	if _, err := os.Stat(filepath.Join(root, "notes")); err == nil {
		t.Errorf("notes/ exists: move what is still true into docs/design.md or docs/performance.md and delete it")
	}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if ext := filepath.Ext(path); ext != ".md" && ext != ".go" {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if !mayNarrate(data) {
			return nil
		}
		for i, line := range strings.Split(string(data), "\n") {
			if m := narrative.FindString(line); m != "" {
				rel, _ := filepath.Rel(root, path)
				t.Errorf("%s:%d: %q reads like a work log; state the rule, history lives in git", rel, i+1, m)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestNarrativePattern checks that the pattern catches each marker and
// leaves ordinary words alone.
func TestNarrativePattern(t *testing.T) {
	for _, s := range []string{"in Sess" + "ion 3 we", "ask The " + "Lead", "the " + "lead merges", "two ENGIN" + "EERS"} {
		if !narrative.MatchString(s) {
			t.Errorf("%q not caught", s)
		}
	}
	for _, s := range []string{"the leading columns", "a session temp table", "mislead", "engineering"} {
		if narrative.MatchString(s) {
			t.Errorf("%q caught", s)
		}
	}
}

// TestReadmeSize keeps the README a front page.
func TestReadmeSize(t *testing.T) {
	const budget = 12 * 1024
	fi, err := os.Stat(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() > budget {
		t.Errorf("README.md is %d bytes, over %d: move the detail into docs/", fi.Size(), budget)
	}
}

// TestReadmeLibrarySnippetIsCompiled fails when a line of the README's Go
// snippet is not in examples/library/main.go, which compiles and runs it.
func TestReadmeLibrarySnippetIsCompiled(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(root, "examples", "library", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	var compiled []string
	for _, line := range strings.Split(string(src), "\n") {
		compiled = append(compiled, norm(line))
	}
	_, rest, ok := strings.Cut(string(readme), "```go\n")
	if !ok {
		t.Fatal("README.md has no ```go snippet")
	}
	snippet, _, ok := strings.Cut(rest, "```")
	if !ok {
		t.Fatal("README.md: the ```go snippet is not closed")
	}
	for _, line := range strings.Split(snippet, "\n") {
		if l := norm(line); l != "" && !inCompiled(l, compiled) {
			t.Errorf("README snippet line %q is not in examples/library/main.go", strings.TrimSpace(line))
		}
	}
}

// inCompiled reports whether the snippet line l is a line of the compiled
// file. A line that closes a composite literal ("…Incremental}") may be
// followed there by fields the README leaves out (a quiet logger).
func inCompiled(l string, compiled []string) bool {
	for _, c := range compiled {
		if c == l || strings.HasSuffix(l, "}") && strings.HasPrefix(c, strings.TrimSuffix(l, "}")+",") {
			return true
		}
	}
	return false
}

// norm collapses white space, so indentation by tabs or spaces compares equal.
func norm(s string) string { return strings.Join(strings.Fields(s), " ") }
