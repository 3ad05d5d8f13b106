package shopee

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/shopee/shopeetest"
	"github.com/stretchr/testify/require"
)

// matchPlain is keyPat.match written plainly: the key, its closing quote
// and a colon at i, with at least maxPat bytes left.
func matchPlain(key, d string, i int) int {
	p := key + `":`
	if len(p) > maxPat || len(d)-i < maxPat || !strings.HasPrefix(d[i:], p) {
		return -1
	}
	return i + len(p)
}

// TestKeyPatMatch checks the word compare of predicted keys against the
// plain rule for every key of every shape: the key itself, every one-byte
// change at every position of its pattern, the key cut short or extended,
// whitespace before the colon, and too little input left.
func TestKeyPatMatch(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	pad := strings.Repeat("x", 40)
	for _, sh := range []*shape{orderShape, itemShape, pkgShape, pkgItShape, addrShape, invShape, payShape} {
		tb := &sh.keys
		for e, key := range tb.keys {
			if key == "" {
				continue
			}
			p := &tb.pats[e]
			check := func(d string, i int) {
				t.Helper()
				require.Equal(t, matchPlain(key, d, i), p.match(d, i), "key %q input %q at %d", key, d, i)
			}
			for _, tail := range []string{pad, "1,", "", `"x":1}` + pad} {
				check(`{"`+key+`":`+tail, 2)
				check(`{"`+key+`" :`+tail, 2)
				check(`{"`+key+`x":`+tail, 2)
				check(`{"`+key[:len(key)-1]+`":`+tail, 2)
				check(`{"`+key+`\u0000":`+tail, 2)
			}
			in := []byte(key + `":` + pad)
			for pos := 0; pos < len(key)+2; pos++ {
				for _, c := range []byte{'"', '\\', ':', ' ', 0, 0x80, 0xff, in[pos] ^ 0x20, in[pos] + 1, byte(r.Intn(256))} {
					b := append([]byte(nil), in...)
					b[pos] = c
					check(string(b), 0)
				}
			}
			for n := 0; n <= len(in); n++ { // too little input left
				check(string(in[:n]), 0)
			}
		}
	}
	// A key longer than maxPat has no pattern and never matches.
	long := newKeyPat(strings.Repeat("k", maxPat))
	require.Equal(t, -1, long.match(strings.Repeat("k", maxPat)+`":`+pad, 0))
}

// TestPredictedKeysNearMisses trains the key prediction on a real order
// (the pooled decoder has seen it), then feeds the same order with one key
// changed into a near miss of the predicted key: renamed by one byte, cut,
// extended, escaped, or with whitespace around the colon. Every variant
// must give the rows, errors and unmapped fields the tree transformer
// gives.
func TestPredictedKeysNearMisses(t *testing.T) {
	sim := shopeetest.NewServer(shopeetest.Options{Orders: 3, Seed: 11, Now: time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)})
	defer sim.Close()
	data, err := json.Marshal(sim.Orders()[0])
	require.NoError(t, err)
	base := string(data)
	var keys []string
	for _, sh := range []*shape{orderShape, itemShape, pkgShape, pkgItShape, addrShape} {
		for _, k := range sh.keys.keys {
			if k != "" && strings.Contains(base, `"`+k+`":`) {
				keys = append(keys, k)
			}
		}
	}
	require.Greater(t, len(keys), 50)
	for _, k := range keys {
		esc := fmt.Sprintf(`\u%04x`, k[len(k)-1])
		for _, repl := range []string{
			`"` + k[:len(k)-1] + string(k[len(k)-1]^0x20) + `":`,
			`"` + k[:len(k)-1] + `":`,
			`"` + k + `_x":`,
			`"` + k[:len(k)-1] + esc + `":`,
			`"` + k + `" :`,
			`"` + k + "\":\n ",
		} {
			in := strings.Replace(base, `"`+k+`":`, repl, 1)
			for _, d := range []string{base, in, base} { // trained, the miss, trained again
				oldE, newE := runBoth(connector.Record{Key: "k", Data: []byte(d), RequestID: "r"})
				require.Equal(t, fmt.Sprint(oldE), fmt.Sprint(newE), "key %q as %q", k, repl)
			}
		}
	}
	requireUnmappedLike(t, nil, "_x")
}
