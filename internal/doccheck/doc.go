// Package doccheck holds no code: its tests keep the repository's documents
// honest. They fail when a Markdown or Go file narrates who did what when,
// when a notes/ folder comes back, when the README grows past its budget,
// and when the README's library snippet is no longer the compiled one in
// examples/library.
//
//	go test ./internal/doccheck
package doccheck
