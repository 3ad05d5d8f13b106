//go:build race

package sink_test

// scaleShops is the number of shops of the scale tests under the race
// detector, which makes them several times slower (200 without it).
const scaleShops = 20
