package tiktok

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"sort"
	"strings"
)

// SignBase is the string TikTok Shop's 202309 signature covers, before the
// secret wrap: the request path, then every query parameter except sign and
// access_token as name+value in ascending name order (values decoded; a
// repeated parameter counts as its comma-joined values), then the body
// exactly as sent (nil for GET).
func SignBase(path string, query url.Values, body []byte) string {
	names := make([]string, 0, len(query))
	n := len(path) + len(body)
	for k, vs := range query {
		if k == "sign" || k == "access_token" {
			continue
		}
		names = append(names, k)
		n += len(k)
		for _, v := range vs {
			n += len(v) + 1
		}
	}
	sort.Strings(names)
	var b strings.Builder
	b.Grow(n)
	b.WriteString(path)
	for _, k := range names {
		b.WriteString(k)
		b.WriteString(strings.Join(query[k], ","))
	}
	b.Write(body)
	return b.String()
}

// Sign returns the request signature: lowercase hex of HMAC-SHA256, keyed by
// the app secret, of app_secret + SignBase + app_secret.
func Sign(appSecret, path string, query url.Values, body []byte) string {
	m := hmac.New(sha256.New, []byte(appSecret))
	m.Write([]byte(appSecret))
	m.Write([]byte(SignBase(path, query, body)))
	m.Write([]byte(appSecret))
	return hex.EncodeToString(m.Sum(nil))
}
