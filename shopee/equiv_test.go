package shopee

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/internal/testenv"
	"github.com/facolos/etl/shopee/shopeetest"
	"github.com/stretchr/testify/require"
)

// emitted is what a transformer did with one record: its rows in order and
// its error.
type emitted struct {
	rows []string
	err  string
}

type collect struct{ e *emitted }

func (c collect) Add(t *connector.Table, row []any) {
	c.e.rows = append(c.e.rows, t.Name+" "+render(row))
}

// render prints a row with the Go type of every value, so that "1" (text)
// and 1 (int64) differ, and a Dec's canonical text is compared exactly.
func render(row []any) string {
	var b strings.Builder
	for _, v := range row {
		switch x := v.(type) {
		case nil:
			b.WriteString("<nil>")
		case time.Time:
			fmt.Fprintf(&b, "time(%s,%s)", x.Format(time.RFC3339Nano), x.Location())
		case connector.Dec:
			fmt.Fprintf(&b, "dec(%q)", x.String())
		default:
			fmt.Fprintf(&b, "%T(%q)", v, fmt.Sprint(v))
		}
		b.WriteByte('|')
	}
	return b.String()
}

func runBoth(rec connector.Record) (oldE, newE emitted) {
	if err := oldTransform(rec, collect{&oldE}); err != nil {
		oldE.err = err.Error()
	}
	if err := (Transformer{}).Transform(rec, collect{&newE}); err != nil {
		newE.err = err.Error()
	}
	return oldE, newE
}

// TestSameRowsAsTreeTransformer runs the one-pass transformer and the tree
// transformer it replaced over 3,000 simulated orders (400 with -race), each also in two
// mutated forms (nulls, missing fields, numbers as text, booleans as
// words, objects where lists go, unknown keys, duplicate keys, escapes,
// invalid UTF-8, malformed values), and requires the same rows (every
// table, column, value and Go type, in the same order) and the same error.
func TestSameRowsAsTreeTransformer(t *testing.T) {
	n := testenv.Pick(800, 3000)
	if raceEnabled {
		n = 400
	}
	sim := shopeetest.NewServer(shopeetest.Options{Orders: n, Days: 300, Seed: 11,
		Now: time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)})
	defer sim.Close()
	r := rand.New(rand.NewPCG(1, 2))
	var rejected, mutated, rows int
	for i, o := range sim.Orders() {
		data, err := json.Marshal(o)
		require.NoError(t, err)
		inputs := [][]byte{data, mutate(r, data), mutate(r, mutate(r, data))}
		for k, in := range inputs {
			rec := connector.Record{Key: fmt.Sprintf("rec%d", i), Data: in, RequestID: "req-1"}
			if i%2 == 1 {
				rec.RequestID = ""
			}
			oldE, newE := runBoth(rec)
			require.Equal(t, oldE, newE, "order %d form %d: %s", i, k, in)
			if k == 0 {
				require.Empty(t, newE.err, "simulated order %d is valid", i)
			} else {
				mutated++
			}
			if newE.err != "" {
				rejected++
			}
			rows += len(newE.rows)
		}
	}
	requireUnmappedLike(t, nil, "zz_new")
	// The mutations reach both outcomes often.
	require.Greater(t, rejected, n/10, "rejected")
	require.Less(t, rejected, mutated-n/3, "accepted")
	t.Logf("%d inputs, %d rejected, %d rows", 3*len(sim.Orders()), rejected, rows)
}

// TestSameRowsOddShapes compares the two transformers on hand-written
// shapes the mutations may not reach.
func TestSameRowsOddShapes(t *testing.T) {
	for _, in := range oddShapes {
		oldE, newE := runBoth(connector.Record{Key: "k", Data: []byte(in), RequestID: "r"})
		require.Equal(t, oldE, newE, "%s", in)
	}
}

var oddShapes = []string{
	``, ` `, `null`, `[]`, `"x"`, `{}`, `{"order_sn":""}`, `{"order_sn":null}`, `{"order_sn":12}`, `{"order_sn":true}`,
	`{"order_sn":{"b":1,"a":"<&>"}}`, `{"order_sn":["x"]}`, `{"order_sn":"A"} trailing`, `{"order_sn":"A"`, ` {"order_sn":"A"}`,
	`{"order_sn":"A","order_sn":"B"}`, `{"order_s\u006e":"A"}`, `{"order_sn":"A\u00e9\ud83c\udf81\ud800x\udc00"}`,
	"{\"order_sn\":\"A\xff\xfeB\"}", "{\"order_sn\":\"A\",\"note\":\"\xc3\"}", "{\"order_sn\":\"A\x01\"}",
	`{"order_sn":"A","total_amount":"  12.50 "}`, `{"order_sn":"A","total_amount":1e400}`, `{"order_sn":"A","total_amount":"1/2"}`,
	`{"order_sn":"A","total_amount":"0x10"}`, `{"order_sn":"A","total_amount":-0}`, `{"order_sn":"A","total_amount":1.5E+3}`,
	`{"order_sn":"A","days_to_ship":"1e3"}`, `{"order_sn":"A","days_to_ship":1.5}`, `{"order_sn":"A","days_to_ship":9223372036854775808}`,
	`{"order_sn":"A","days_to_ship":"NaN"}`, `{"order_sn":"A","days_to_ship":"inf"}`, `{"order_sn":"A","days_to_ship":[1]}`,
	`{"order_sn":"A","cod":"YES"}`, `{"order_sn":"A","cod":"maybe"}`, `{"order_sn":"A","cod":2}`, `{"order_sn":"A","cod":1e999}`,
	`{"order_sn":"A","cod":{}}`, `{"order_sn":"A","cod":" "}`, `{"order_sn":"A","create_time":1700000000000}`,
	`{"order_sn":"A","create_time":"0"}`, `{"order_sn":"A","create_time":-1}`, `{"order_sn":"A","create_time":true}`,
	`{"order_sn":"A","region":{"x":[1,2,{"y":null}]}}`, `{"order_sn":"A","region":[]}`, `{"order_sn":"A","region":1.50}`,
	`{"order_sn":"A","recipient_address":{}}`, `{"order_sn":"A","recipient_address":{"zz":1}}`, `{"order_sn":"A","recipient_address":[]}`,
	`{"order_sn":"A","recipient_address":"x"}`, `{"order_sn":"A","recipient_address":{"geolocation":"x"}}`,
	`{"order_sn":"A","recipient_address":{"geolocation":null,"name":"n"}}`, `{"order_sn":"A","recipient_address":{"geolocation":[1]}}`,
	`{"order_sn":"A","recipient_address":{"geolocation":{"latitude":1},"geolocation":{"longitude":"2.5"}}}`,
	`{"order_sn":"A","recipient_address":{"name":"a"},"recipient_address":{"city":"b"}}`,
	`{"order_sn":"A","invoice_data":{"total_value":"x"}}`, `{"order_sn":"A","invoice_data":5}`,
	`{"order_sn":"A","item_list":{"order_item_id":1,"model_id":2}}`, `{"order_sn":"A","item_list":[null,{"order_item_id":1,"model_id":"x"}]}`,
	`{"order_sn":"A","item_list":[null,{"order_item_id":1},7]}`, `{"order_sn":"A","item_list":"x"}`, `{"order_sn":"A","item_list":[[]]}`,
	`{"order_sn":"A","item_list":[{"order_item_id":1,"model_id":2,"product_location_id":["a",null,"",3,true,{"k":1},["z"]]}]}`,
	`{"order_sn":"A","item_list":[{"order_item_id":1,"model_id":2,"image_info":"x"}]}`,
	`{"order_sn":"A","item_list":[{"order_item_id":1,"model_id":2,"image_info":{"image_url":7}}]}`,
	`{"order_sn":"A","item_list":[{"order_item_id":1,"model_id":2,"zz":1}],"item_list":[]}`,
	`{"order_sn":"A","package_list":[{"package_number":"P","item_list":[{"order_item_id":1,"model_id":2},3]}]}`,
	`{"order_sn":"A","package_list":[{"item_list":[{"order_item_id":1,"model_id":2}]}]}`,
	`{"order_sn":"A","package_list":[{"package_number":{"n":1},"item_list":{"order_item_id":1,"model_id":2}}]}`,
	`{"order_sn":"A","package_list":[{"package_number":"P","item_list":[{"order_item_id":"x"}]}]}`,
	`{"order_sn":"A","package_list":[{"package_number":"P","item_list":null},null,"x"]}`,
	`{"order_sn":"A","payment_info":[{"transaction_id":"T","zz":1},null]}`, `{"order_sn":"A","payment_info":{"transaction_id":"T"}}`,
	`{"order_sn":"A","payment_info":[1]}`, `{"order_sn":"A","pending_terms":"X","warnings":["a","a",null,""],"prescription_images":[{"u":1}],"buyer_proof_of_collection":[false,1.0]}`,
	`{"order_sn":"A","pending_terms":{"a":"b"}}`, `{"order_sn":"A","warnings":[[1,"<b>"]]}`,
	`{"order_sn":"A","x":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`,
	`{"order_sn":"A","x":` + strings.Repeat("[", 9998) + strings.Repeat("]", 9998) + `}`,
	`{"order_sn":"A","x":01}`, `{"order_sn":"A","x":-}`, `{"order_sn":"A","x":1.}`, `{"order_sn":"A","x":.5}`, `{"order_sn":"A","x":tru}`,
	`{"order_sn":"A","x":"\x"}`, `{"order_sn":"A","x":"\u12"}`, `{"order_sn":"A",}`, `{"order_sn":"A" "b":1}`, `{"order_sn":"A","b":[1,]}`,
	`{"order_sn" : "A" , "item_list" : [ { "order_item_id" : 1 , "model_id" : 2 } ] }`,
}

// mutate returns data with one random change of the kinds real APIs and
// broken proxies produce.
func mutate(r *rand.Rand, data []byte) []byte {
	if r.IntN(4) == 0 {
		return mutateText(r, data)
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var tree any
	if d.Decode(&tree) != nil {
		return mutateText(r, data)
	}
	// Pick a random node by walking down.
	var parent any
	var key any
	cur := tree
	for depth := 0; depth < 4; depth++ {
		switch x := cur.(type) {
		case map[string]any:
			if len(x) == 0 {
				break
			}
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			k := keys[r.IntN(len(keys))]
			parent, key, cur = x, k, x[k]
			continue
		case []any:
			if len(x) == 0 {
				break
			}
			i := r.IntN(len(x))
			parent, key, cur = x, i, x[i]
			continue
		}
		if r.IntN(2) == 0 {
			break
		}
	}
	set := func(v any) {
		switch p := parent.(type) {
		case map[string]any:
			p[key.(string)] = v
		case []any:
			p[key.(int)] = v
		}
	}
	switch r.IntN(14) {
	case 0:
		set(nil)
	case 1:
		if m, ok := parent.(map[string]any); ok {
			delete(m, key.(string))
		}
	case 2: // numbers as text, with spaces
		set(" " + fmt.Sprint(cur) + " ")
	case 3:
		set(fmt.Sprint(cur))
	case 4:
		set([]any{cur})
	case 5:
		set(map[string]any{"v": cur})
	case 6:
		set([]any{"yes", "no", "Y", "off", "true", "0", "1.0", "2", "12,5k", "", "1e3", "-3", "1700000000000", "x"}[r.IntN(14)])
	case 7:
		set([]any{json.Number("0"), json.Number("1"), json.Number("-1"), json.Number("1.5e2"), json.Number("1E-7"),
			json.Number("12345678901234567890"), json.Number("0.00001"), json.Number("1e10"), json.Number("100.0000")}[r.IntN(9)])
	case 8:
		set([]any{true, false}[r.IntN(2)])
	case 9:
		set(map[string]any{})
	case 10:
		set([]any{nil, map[string]any{"order_item_id": json.Number("1"), "model_id": json.Number("2")}, "x"}[:1+r.IntN(3)])
	case 11:
		if m, ok := parent.(map[string]any); ok {
			m[fmt.Sprintf("zz_new_%d", r.IntN(5))] = cur
		}
	case 12:
		set("Lê <Thị> & \u00e9\U0001F381")
	case 13:
		if m, ok := parent.(map[string]any); ok {
			m[strings.ToUpper(key.(string))] = cur // a key in the wrong case is not the field
		}
	}
	out, err := json.Marshal(tree)
	if err != nil {
		panic(err)
	}
	return out
}

// mutateText changes the JSON text: duplicate keys, escapes, invalid
// UTF-8, whitespace, truncation.
func mutateText(r *rand.Rand, data []byte) []byte {
	if len(data) < 2 {
		return data
	}
	s := string(data)
	switch r.IntN(8) {
	case 0: // a duplicate key before the real one (the last wins)
		return []byte(`{"item_list":null,"total_amount":"x",` + s[1:])
	case 1: // a duplicate key after it
		return []byte(s[:len(s)-1] + `,"recipient_address":{"name":"dup","geolocation":{"latitude":"1.25"}},"item_list":[{"order_item_id":9,"model_id":8}]}`)
	case 2: // escaped characters
		s = strings.ReplaceAll(s, "ấ", `\u1ea5`)
		s = strings.ReplaceAll(s, "Hà", `H\u00e0`)
		return []byte(strings.Replace(s, `"order_status":"`, `"order_status":"\ud83c\udf81\ud800\"\\\/\b\f\n\r\t`, 1))
	case 3: // invalid UTF-8 in a string
		return []byte(strings.Replace(s, `"message_to_seller":"`, "\"message_to_seller\":\"\xff\xc3(", 1))
	case 4: // whitespace everywhere
		return []byte(strings.NewReplacer(",", " ,\n\t", ":", " : ", "{", "{ ", "}", " }\r\n").Replace(s))
	case 5: // truncated
		return data[:r.IntN(len(data))]
	case 6: // a byte changed
		b := bytes.Clone(data)
		const chars = "{}[],:\"\\0a-."
		b[r.IntN(len(b))] = chars[r.IntN(len(chars))]
		return b
	}
	return []byte(strings.Replace(s, `"order_sn":"`, `"order_s\u006e":"X`, 1))
}

// FuzzTransform requires the one-pass transformer to behave exactly as the
// tree transformer on any input (same rows, same error) and never to panic.
// The seed corpus is testdata/fuzz/FuzzTransform plus oddShapes.
func FuzzTransform(f *testing.F) {
	for _, s := range oddShapes {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		oldE, newE := runBoth(connector.Record{Key: "k", Data: data, RequestID: "r"})
		if fmt.Sprint(oldE) != fmt.Sprint(newE) {
			t.Fatalf("input %q:\ntree:     %v\none-pass: %v", data, oldE, newE)
		}
	})
}

// TestUnmappedSameAsTree checks that the one-pass transformer reports the
// unmapped fields the tree transformer reported (the keys of the order,
// items, packages and package items that no column reads).
func TestUnmappedSameAsTree(t *testing.T) {
	in := `{"order_sn":"UM1","um_top":1,"order_status":"X","recipient_address":{"um_addr":1},"item_list":[{"order_item_id":1,"model_id":2,"um_item":[],"image_info":{"um_img":1}}],` +
		`"package_list":[{"package_number":"P","um_pkg":null,"item_list":[{"order_item_id":1,"model_id":2,"um_pkgitem":"a","product_location_id":"x"}]}],"payment_info":[{"um_pay":1}],` +
		`"u\u006d_escaped":1,"invoice_data":null}`
	oldE, newE := runBoth(connector.Record{Key: "UM1", Data: []byte(in)})
	require.Equal(t, oldE, newE)
	want := []string{"item_list[].um_item", "package_list[].item_list[].um_pkgitem", "package_list[].um_pkg", "um_escaped", "um_top"}
	requireUnmappedLike(t, want, "um_")
}

// requireUnmappedLike requires the reported unmapped fields containing
// marker to be want, and the reference to have reported the same.
func requireUnmappedLike(t *testing.T, want []string, marker string) {
	t.Helper()
	var got, ref []string
	for _, u := range Unmapped() {
		if strings.Contains(u, marker) {
			got = append(got, u)
		}
	}
	oldNotedMu.Lock()
	for u := range oldNoted {
		if strings.Contains(u, marker) {
			ref = append(ref, u)
		}
	}
	oldNotedMu.Unlock()
	sort.Strings(ref)
	if want != nil {
		require.Equal(t, want, got, "one-pass")
	}
	require.Equal(t, ref, got, "one-pass and tree")
}

// TestOrderKey compares orderKey with the source's json.Unmarshal of
// order_sn on valid orders, and with the transformer's view of order_sn on
// the odd shapes.
func TestOrderKey(t *testing.T) {
	sim := shopeetest.NewServer(shopeetest.Options{Orders: 50, Seed: 3, Now: time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)})
	defer sim.Close()
	for _, o := range sim.Orders() {
		data, err := json.Marshal(o)
		require.NoError(t, err)
		require.Equal(t, o.OrderSN, orderKey(data))
	}
	for in, want := range map[string]string{`{"order_sn":"A1"}`: "A1", `{"x":[{"order_sn":"no"}],"order_sn":12}`: "12",
		`{"order_sn":"A","order_sn":"B"}`: "B", `{"order_s\u006e":"E\u00e9"}`: "Eé", `{"order_sn":{"b":1,"a":2}}`: `{"a":2,"b":1}`,
		`{"order_sn":null}`: "", `{"order_sn":"A"`: "", `[]`: "", ``: "", `{"ORDER_SN":"A"}`: ""} {
		require.Equal(t, want, orderKey([]byte(in)), in)
	}
}
