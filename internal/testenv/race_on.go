//go:build race

package testenv

// Race is true when the binary is built with the race detector, which makes
// every simulated load several times slower: tests whose shop size is not
// the point use smaller shops under it.
const Race = true
