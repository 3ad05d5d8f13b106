package connector

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestEpochTime(t *testing.T) {
	cases := []struct {
		n    int64
		want string // RFC 3339, or "" for an error
	}{
		{1, "1970-01-01T00:00:01Z"},
		{1700000000, "2023-11-14T22:13:20Z"},
		{1700000000123, "2023-11-14T22:13:20.123Z"},
		{4102444799, "2099-12-31T23:59:59Z"},
		{4102444800, ""},                       // 2100-01-01: outside the window
		{99999999999, ""},                      // seconds: year 5138
		{100000000000, "1973-03-03T09:46:40Z"}, // from 1e11 on: milliseconds
		{4102444799999, "2099-12-31T23:59:59.999Z"},
		{4102444800000, ""},
		{0, ""},
		{-1, ""},
	}
	for _, c := range cases {
		got, err := EpochTime(c.n)
		if c.want == "" {
			require.Error(t, err, "%d", c.n)
			continue
		}
		require.NoError(t, err, "%d", c.n)
		require.Equal(t, c.want, got.Format(time.RFC3339Nano), "%d", c.n)
	}
}

func TestParseBool(t *testing.T) {
	for v, want := range map[any]bool{true: true, false: false, "YES": true, " no ": false, "1": true, "off": false,
		json.Number("1"): true, json.Number("0"): false, float64(1): true} {
		got, ok, err := ParseBool(v)
		require.NoError(t, err, "%v", v)
		require.True(t, ok)
		require.Equal(t, want, got, "%v", v)
	}
	for _, v := range []any{"nope", "truee", json.Number("2"), json.Number("0.5"), float64(-1), map[string]any{}, []any{}} {
		_, _, err := ParseBool(v)
		require.Error(t, err, "%v is not a boolean", v)
	}
	_, ok, err := ParseBool(nil)
	require.NoError(t, err)
	require.False(t, ok)
}

func TestParseInt(t *testing.T) {
	for v, want := range map[any]int64{json.Number("9223372036854775807"): 1<<63 - 1, "-9223372036854775808": -1 << 63,
		json.Number("1e3"): 1000, json.Number("12.000"): 12, float64(7): 7} {
		got, ok, err := ParseInt(v)
		require.NoError(t, err, "%v", v)
		require.True(t, ok)
		require.Equal(t, want, got)
	}
	for _, v := range []any{json.Number("9223372036854775808"), json.Number("1.5"), "abc", true, float64(1e19), map[string]any{}} {
		_, _, err := ParseInt(v)
		require.Error(t, err, "%v", v)
	}
}

func TestKeyText(t *testing.T) {
	k, err := KeyText("2511ABC", false)
	require.NoError(t, err)
	require.Equal(t, "2511ABC", k)
	k, err = KeyText(json.Number("123"), true)
	require.NoError(t, err)
	require.Equal(t, "123", k)
	for _, v := range []any{json.Number("123"), map[string]any{}, []any{"a"}, true, nil, "", "a\x00b", "\xff"} {
		_, err := KeyText(v, false)
		require.Error(t, err, "%#v", v)
	}
	_, err = KeyText(json.Number("1.5"), true)
	require.Error(t, err)
}

func TestCheckJSONText(t *testing.T) {
	for _, ok := range []string{`{"a":"\ud83d\ude00"}`, `"\\u0000"`, `"\\\\"`, `[1,2]`, `{"a":"é"}`, `"\u00e9\n"`} {
		require.NoError(t, CheckJSONText(ok), ok)
	}
	for _, bad := range []string{`{"a":"\u0000"}`, `"\\\u0000"`, `"\ud800"`, `"\udc00"`, `"\ud800\u0041"`, `"\ud800x"`, "\"\xff\"", `{`} {
		require.Error(t, CheckJSONText(bad), bad)
	}
}

func TestQuarantinePayloadIsLossless(t *testing.T) {
	for _, p := range [][]byte{nil, []byte(`{"a":1}`), []byte("\xff\xfe\x00binary"), []byte("a\x00b"), []byte("Việt 😀")} {
		q := EncodeRejection(Rejection{Key: "k\x00\xff", Reason: "r\xff", Payload: p})
		require.NoError(t, CheckText(q.Payload))
		require.NoError(t, CheckText(q.Key))
		require.NoError(t, CheckText(q.Reason))
		require.Equal(t, p != nil, q.HasPayload)
		back, err := DecodePayload(q.Payload, q.Encoding)
		require.NoError(t, err)
		require.Equal(t, string(p), string(back))
	}
}

// Keys whose values contain what a separator-based encoding would use do
// not collide; the same instant in two zones is one key.
func TestDedupeKeysCannotCollide(t *testing.T) {
	tb := &Table{Schema: "s", Name: "t", PrimaryKey: []string{"a", "b"}, Columns: []Column{{Name: "a", Type: String}, {Name: "b", Type: String}, {Name: "v", Type: Int}}}
	require.NoError(t, tb.Validate())
	rows := [][]any{{"a\x00", "b", int64(1)}, {"a", "\x00b", int64(2)}, {"a b", "", int64(3)}, {"a", " b", int64(4)}}
	out, dropped, _ := dedupeByKey(tb, rows)
	require.Len(t, out, 4)
	require.Zero(t, dropped)
	rows = append(rows, []any{"a", " b", int64(5)})
	out, dropped, example := dedupeByKey(tb, rows)
	require.Len(t, out, 4)
	require.Equal(t, 1, dropped)
	require.Equal(t, "a/ b", example)
	require.Equal(t, int64(5), out[3][2], "the last row of a key wins")

	tt := &Table{Schema: "s", Name: "t", PrimaryKey: []string{"at"}, Columns: []Column{{Name: "at", Type: Timestamp}}}
	require.NoError(t, tt.Validate())
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	out, _, _ = dedupeByKey(tt, [][]any{{at}, {at.In(Vietnam)}})
	require.Len(t, out, 1)
}

func TestEncodeDSNPassword(t *testing.T) {
	cases := map[string]string{
		"postgres://u:p@ss@h:5432/db?x=1":    "postgres://u:p%40ss@h:5432/db?x=1",
		"postgres://u:pa/ss#w@h/db":          "postgres://u:pa%2Fss%23w@h/db",
		"sqlserver://sa:a b?c@h:1433?db=x":   "sqlserver://sa:a%20b%3Fc@h:1433?db=x",
		"postgres://u:p%40ss@h/db":           "postgres://u:p%40ss@h/db", // already encoded: unchanged
		"postgres://u:plain@h/db":            "postgres://u:plain@h/db",
		"postgres://h/db?user=u":             "postgres://h/db?user=u",
		"host=h password='p@ss/#' dbname=db": "host=h password='p@ss/#' dbname=db",
	}
	for in, want := range cases {
		require.Equal(t, want, EncodeDSNPassword(in), in)
	}
}

// A hostile exponent is refused at once instead of computing a number of a
// billion digits.
func TestDecimalExponentBounded(t *testing.T) {
	for _, s := range []string{"1e999999999", "1e-999999999", "1e1001", "1e+99999999999999999999"} {
		_, err := ParseDec(s)
		require.Error(t, err, s)
		_, _, err = ParseInt(json.Number(s))
		require.Error(t, err, s)
	}
	d, err := ParseDec("1.5e3")
	require.NoError(t, err)
	require.Equal(t, "1500", d.String())
	d, err = ParseDec("25E-2")
	require.NoError(t, err)
	require.Equal(t, "0.25", d.String())
}

// CheckJSONText accepts as valid JSON exactly what encoding/json does.
func TestCheckJSONTextAgreesWithEncodingJSON(t *testing.T) {
	for _, in := range []string{
		`{}`, ` {"a":1} `, "\t[1,2]\r\n", `"x"`, `1`, `-0.5e+3`, `true`, `null`,
		`{"a":1}x`, `{"a":1} {}`, `{"a":}`, `[1,]`, `{,}`, `01`, `1.`, `.5`, `-`, `1e`, `+1`,
		"\"a\x01b\"", `"\x"`, `"\u12"`, `"\u0041"`, `'a'`, `{"a" 1}`, ``, ` `, "\v1", "\u00a01",
		`[` + strings.Repeat(`[`, 9999) + strings.Repeat(`]`, 10000), strings.Repeat(`[`, 10001) + strings.Repeat(`]`, 10001),
	} {
		err := CheckJSONText(in)
		if json.Valid([]byte(in)) {
			require.NoError(t, err, "%q", in)
		} else {
			require.EqualError(t, err, "value is not valid JSON", "%q", in)
		}
	}
}
