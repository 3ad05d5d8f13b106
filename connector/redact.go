package connector

import (
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// Password redaction in connection strings. Redact (which every error and
// log of the library goes through) removes passwords it can recognise
// without knowing them:
//
//   - URL user info, scheme://user:PASSWORD@host: the password runs to the
//     LAST '@' before the next white space, so an unencoded '@', ':', '/',
//     '#', '?' or '&' in it is redacted too;
//   - password=… and pwd=… parameters (URL queries, ADO and key=value
//     DSNs): the value runs to the next ';' or white space, or is the whole
//     quoted value ('…' with \' escapes) of a libpq key=value DSN.
//
// RedactDSN also knows the DSN, so it removes its password in every form
// (as written, URL-decoded and URL-encoded), including passwords with
// spaces, which no pattern can delimit.

var (
	userinfoAny  = regexp.MustCompile(`([a-z][a-z0-9+.-]*://[^:/@\s]*):\S*@`)
	passwordKV   = regexp.MustCompile(`(?i)\b(password|pwd)(\s*=\s*)'(?:[^'\\]|\\.)*'`)
	passwordEq   = regexp.MustCompile(`(?i)\b(password|pwd)=[^;\s]*`)
	passwordKVin = regexp.MustCompile(`(?i)\b(?:password|pwd)\s*=\s*(?:'((?:[^'\\]|\\.)*)'|([^;\s&]*))`)
)

func redactPasswords(s string) string {
	s = userinfoAny.ReplaceAllString(s, "$1:[REDACTED]@")
	s = passwordKV.ReplaceAllString(s, "$1$2'[REDACTED]'")
	return passwordEq.ReplaceAllStringFunc(s, func(m string) string {
		k, _, _ := strings.Cut(m, "=")
		return k + "=[REDACTED]"
	})
}

// RedactDSN redacts msg, a message about the connection string dsn: the
// password of dsn is removed wherever it appears (as written, URL-decoded
// and URL-encoded), then Redact removes what it recognises.
func RedactDSN(msg, dsn string) string {
	var forms []string
	add := func(pw string) {
		if len(pw) < 3 || pw == "[REDACTED]" {
			return // too short to replace without mangling the message
		}
		forms = append(forms, pw, url.QueryEscape(pw), url.PathEscape(pw))
		if d, err := url.QueryUnescape(pw); err == nil {
			forms = append(forms, d)
		}
		if d, err := url.PathUnescape(pw); err == nil {
			forms = append(forms, d)
		}
	}
	if i := strings.Index(dsn, "://"); i >= 0 {
		rest := dsn[i+3:]
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			if user, pw, ok := strings.Cut(rest[:at], ":"); ok && !strings.ContainsAny(user, "/?") {
				add(pw)
			}
		}
	}
	for _, m := range passwordKVin.FindAllStringSubmatch(dsn, -1) {
		if m[1] != "" {
			add(strings.NewReplacer(`\'`, `'`, `\\`, `\`).Replace(m[1]))
			add(m[1])
		}
		add(m[2])
	}
	// Longest first, so a form is not left half-replaced by a shorter one.
	sort.Slice(forms, func(i, j int) bool { return len(forms[i]) > len(forms[j]) })
	for _, f := range forms {
		if len(f) >= 3 {
			msg = strings.ReplaceAll(msg, f, "[REDACTED]")
		}
	}
	return Redact(msg)
}

// EncodeDSNPassword returns a URL connection string whose password is
// percent-encoded when it was written raw with a character URL parsing
// would misread ('@', '/', '?', '#', white space), so that the driver sees
// the whole password and the host that follows it. The password ends at the
// last '@'. A DSN that parses unambiguously is returned unchanged (so an
// already encoded password is never encoded twice); so is a key=value DSN.
func EncodeDSNPassword(dsn string) string {
	i := strings.Index(dsn, "://")
	if i < 0 {
		return dsn
	}
	rest := dsn[i+3:]
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return dsn
	}
	user, pw, ok := strings.Cut(rest[:at], ":")
	if !ok || strings.ContainsAny(user, "/?#@ ") || !strings.ContainsAny(pw, "@/?# ") {
		return dsn
	}
	if u, err := url.PathUnescape(user); err == nil {
		user = u
	}
	return dsn[:i+3] + url.UserPassword(user, pw).String() + rest[at:]
}
