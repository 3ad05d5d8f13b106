//go:build race

package tiktok_test

// raceEnabled: the race detector multiplies the cost of every load, so the
// tests whose shop size is not the point use smaller shops under it.
const raceEnabled = true
