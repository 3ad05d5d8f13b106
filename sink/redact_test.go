package sink_test

import (
	"context"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/facolos/etl/connector"
	"github.com/facolos/etl/sink"
)

// passwords holds one password per character that breaks naive URL
// parsing, unencoded, plus mixtures.
var passwords = []string{
	"p@ssw0rd-at",
	"pa:ss:w0rd-colon",
	"pa/ss/w0rd-slash",
	"pa#ssw0rd-hash",
	"p@:/#?&=%w0rd-all",
	"trailing-at@",
	"@leading-at",
	"q'uote\"d-pw",
	"spa ce-pw",
}

// leaks reports whether msg shows the password or a recognisable piece of
// it (the part after an '@' a naive redaction would leave).
func leaks(msg, pw string) bool {
	if strings.Contains(msg, pw) || strings.Contains(msg, url.QueryEscape(pw)) || strings.Contains(msg, url.PathEscape(pw)) {
		return true
	}
	for _, part := range strings.FieldsFunc(pw, func(r rune) bool { return strings.ContainsRune("@:/#?&=%'\" ", r) }) {
		if len(part) >= 4 && strings.Contains(msg, part) {
			return true
		}
	}
	return false
}

// Every way a URL or DSN reaches a message is redacted, for every
// character a password may contain.
func TestRedactAnyPassword(t *testing.T) {
	for _, pw := range passwords {
		forms := map[string]string{
			"postgres url":    "postgres://etl:" + pw + "@db.example:5432/wh?sslmode=disable",
			"postgresql url":  "postgresql://etl:" + pw + "@db.example/wh",
			"sqlserver url":   "sqlserver://sa:" + pw + "@db.example:1433?database=wh",
			"encoded url":     "postgres://etl:" + url.QueryEscape(pw) + "@db.example/wh",
			"no user":         "postgres://:" + pw + "@db.example/wh",
			"query password":  "sqlserver://db.example?user id=sa&password=" + url.QueryEscape(pw) + "&database=wh",
			"key-value":       "host=db.example user=etl password='" + strings.ReplaceAll(strings.ReplaceAll(pw, `\`, `\\`), "'", `\'`) + "' dbname=wh",
			"ado":             "server=db.example;user id=sa;password=" + strings.ReplaceAll(pw, " ", "") + ";database=wh",
			"quoted in error": `cannot parse "postgres://etl:` + pw + `@db.example/wh": invalid`,
		}
		for name, s := range forms {
			if name == "ado" && strings.ContainsAny(pw, ";") {
				continue
			}
			got := connector.Redact(s)
			if name == "ado" {
				pw := strings.ReplaceAll(pw, " ", "")
				if leaks(got, pw) {
					t.Errorf("%s / %q: %s", name, pw, got)
				}
				continue
			}
			// A space ends a token: only RedactDSN, which knows the
			// password, can redact one with a space.
			if leaks(got, pw) && !strings.Contains(pw, " ") {
				t.Errorf("%s / %q: %s", name, pw, got)
			}
			if got2 := connector.RedactDSN(s, s); leaks(got2, pw) {
				t.Errorf("RedactDSN %s / %q: %s", name, pw, got2)
			}
		}
	}
}

// sink.Open fails without showing the password, whatever it contains,
// for every kind of warehouse URL (parse errors and connection errors).
func TestOpenErrorsNeverShowThePassword(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, pw := range passwords {
		for _, u := range []string{
			"postgres://etl:" + pw + "@127.0.0.1:1/wh?connect_timeout=1",
			"sqlserver://sa:" + pw + "@127.0.0.1:1?database=wh&dial+timeout=1",
			"mysql://etl:" + pw + "@127.0.0.1/wh",
		} {
			w, err := sink.Open(ctx, u, connector.TimeUTC)
			if err == nil {
				w.Close()
				continue
			}
			if leaks(err.Error(), pw) {
				t.Errorf("%q: %v", u, err)
			}
		}
	}
}

// A password written raw with '@', '/', '#', '?' or a space reaches the
// server whole: the URL is encoded before the driver parses it, so the host
// after the last '@' is the one connected to.
func TestOpenPostgresWithRawPassword(t *testing.T) {
	dsn := os.Getenv("ETL_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("ETL_TEST_POSTGRES_DSN not set")
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	user := "postgres"
	if u.User != nil {
		user = u.User.Username()
	}
	for _, pw := range []string{"p@ss", "pa/ss#w?rd", "@x:y@", "sp ace"} {
		raw := u.Scheme + "://" + user + ":" + pw + "@" + u.Host + u.Path + "?" + u.RawQuery
		w, err := sink.Open(context.Background(), raw, connector.TimeUTC)
		if err != nil {
			t.Fatalf("%q: %v", pw, err)
		}
		w.Close()
	}
}
