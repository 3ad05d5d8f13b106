// Package doccheck holds no code: its tests keep the repository's documents
// honest. They fail when a Markdown or Go file narrates who did what when,
// when a notes/ folder comes back, when the README grows past its budget,
// when the README's library snippet is no longer the compiled one in
// examples/library, and when a documented command no longer works: every
// command of a fenced shell block in README.md and docs/*.md is run (the
// example commands built once, in a temporary directory, against the
// platform simulators where it needs credentials) or mapped to the test or
// .ci/run line that runs it, and the inline go test and go run commands
// must name existing tests and flags.
//
//	go test ./internal/doccheck
package doccheck
