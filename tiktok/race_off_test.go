//go:build !race

package tiktok_test

const raceEnabled = false
