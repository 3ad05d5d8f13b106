package lazada

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
)

// SignBase is the string a LazOp signature covers (contract §2.2): the API
// path (without the /rest prefix), then every parameter but sign as key and
// value in byte order of the keys, with no separators and no encoding.
func SignBase(apiPath string, params map[string]string) string {
	keys := make([]string, 0, len(params))
	n := len(apiPath)
	for k, v := range params {
		if k == "sign" {
			continue
		}
		keys = append(keys, k)
		n += len(k) + len(v)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.Grow(n)
	b.WriteString(apiPath)
	for _, k := range keys {
		b.WriteString(k)
		b.WriteString(params[k])
	}
	return b.String()
}

// Sign returns the request signature: upper-case hex of HMAC-SHA256, keyed
// with the app secret, of SignBase. Values are signed as given: text is
// never normalised (NFC and NFD forms of the same Vietnamese text sign
// differently, as the platform signs the bytes it receives).
func Sign(appSecret, apiPath string, params map[string]string) string {
	m := hmac.New(sha256.New, []byte(appSecret))
	m.Write([]byte(SignBase(apiPath, params)))
	return strings.ToUpper(hex.EncodeToString(m.Sum(nil)))
}
