//go:build race

package shopee_test

// raceEnabled: the race detector slows the simulator runs ~10x; the
// many-seed tests run fewer seeds and wait longer.
const raceEnabled = true
