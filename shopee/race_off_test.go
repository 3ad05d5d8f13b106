//go:build !race

package shopee

// raceEnabled is true when the tests run with -race (about ten times
// slower), so the long comparisons use fewer orders.
const raceEnabled = false
