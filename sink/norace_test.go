//go:build !race

package sink_test

// scaleShops is the number of shops of the scale tests.
const scaleShops = 200
