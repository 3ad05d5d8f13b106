//go:build !race

package shopee_test

const raceEnabled = false
