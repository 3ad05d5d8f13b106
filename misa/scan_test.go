package misa

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// meta reads the key fields and modified_date under their decoded keys, as
// the transformer reads the columns: an escaped key is the same key.
func TestMetaKeysDecoded(t *testing.T) {
	m := meta([]byte(`{"id":"a\"b","modified\u005fdate":"2025-07-16T08:00:00.000+07:00","other":[1,{"x":null}]}`), "id")
	require.Equal(t, `a"b`, m.key)
	require.True(t, m.modified.Equal(time.Date(2025, 7, 16, 1, 0, 0, 0, time.UTC)), "%v", m.modified)
}

// eachMember and eachElement refuse what is not a well-formed object or
// list, with nothing but whitespace after it.
func TestEachMemberMalformed(t *testing.T) {
	ok := func(key string, val []byte) error { return nil }
	require.ErrorIs(t, eachMember([]byte(` [1]`), ok), errNotObject)
	require.ErrorIs(t, eachMember(nil, ok), errNotObject)
	for _, in := range []string{`{"a":1`, `{"a":1} x`, `{"a":tru}`, `{"a":"x` + "\x01" + `"}`, `{"a":1,}`, `{"a" 1}`} {
		require.ErrorIs(t, eachMember([]byte(in), ok), errMalformed, "%q", in)
	}
	stop := errors.New("stop")
	require.ErrorIs(t, eachMember([]byte(`{"a":1}`), func(string, []byte) error { return stop }), stop)
	var got []string
	require.NoError(t, eachMember([]byte(` { "a" : [ 1 , 2 ] , "b\u0021" : "x" } `), func(key string, val []byte) error {
		got = append(got, key+"="+string(val))
		return nil
	}))
	require.Equal(t, []string{"a=[ 1 , 2 ]", `b!="x"`}, got)

	each := func(v []byte) error { return nil }
	require.NoError(t, eachElement([]byte(` null`), each))
	require.EqualError(t, eachElement([]byte(`{"a":1}`), each), "an object is not a list")
	for _, in := range []string{`[1`, `[1] x`, `[1,]`, `[01]`} {
		require.ErrorIs(t, eachElement([]byte(in), each), errMalformed, "%q", in)
	}
}
