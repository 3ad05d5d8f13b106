package connector

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// checkTextRef is CheckText's rule written plainly: valid UTF-8, no NUL.
func checkTextRef(s string) bool {
	return utf8.ValidString(s) && !strings.Contains(s, "\x00")
}

func TestCheckTextAgreesWithTheRule(t *testing.T) {
	long := strings.Repeat("abcdefgh", 5)
	cases := []string{"", "a", "abcdefg", "abcdefgh", "abcdefghi", long, "Bùi Bảo Trang", "\uFFFD", "🎉 emoji",
		"\x00", "abcdefgh\x00", long + "\x00", "\x00" + long, "abc\x00def", "abcdefg\x80", "\xff" + long,
		long + "\xe1\xba", "ok \xed\xa0\x80 surrogate", "\xc0\x80 overlong NUL", "Trần\x00", "x\x01\x7f"}
	for i := 0; i < 16; i++ { // a bad byte at every position of the first two words
		b := []byte(long)
		b[i] = 0
		cases = append(cases, string(b))
		b[i] = 0x80
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		if got, want := CheckText(s) == nil, checkTextRef(s); got != want {
			t.Errorf("CheckText(%q) ok = %v, want %v", s, got, want)
		}
	}
	if err := CheckText("a\xffb\x00"); err == nil || !strings.Contains(err.Error(), "UTF-8") {
		t.Errorf("invalid UTF-8 and NUL: got %v, want the UTF-8 reason first", err)
	}
	if err := CheckText("ab\x00"); err == nil || !strings.Contains(err.Error(), "NUL") {
		t.Errorf("NUL: got %v", err)
	}
}

// FuzzCheckText: CheckText accepts exactly the valid UTF-8 without NUL.
//
//	go test ./connector -run '^$' -fuzz FuzzCheckText -fuzztime 30s
func FuzzCheckText(f *testing.F) {
	for _, s := range []string{"", "abcdefgh\x00", "Bùi Bảo Trang", "\xed\xa0\x80", "12345678\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := CheckText(s) == nil, checkTextRef(s); got != want {
			t.Fatalf("CheckText(%q) ok = %v, want %v", s, got, want)
		}
	})
}
