package shopee

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/shopee/shopeetest"
	"github.com/stretchr/testify/require"
)

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
		for n := range sh.keys.Len() {
			if k := sh.keys.Name(n); strings.Contains(base, `"`+k+`":`) {
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
