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
		long + "\xe1\xba", "ok \xed\xa0\x80 surrogate", "\xc0\x80 overlong NUL", "Trần\x00", "x\x01\x7f",
		"\xc2\x80", "\xdf\xbf", "\xc1\xbf", "\xc2", "\xc2A", "\xe0\x80\x80", "\xe0\xa0\x80", "\xed\xa0\x80", "\xed\x9f\xbf",
		"\xe1\x80\x80", "\xec\xbf\xbf", "\xe1\x80", "\xe1\x80A", "\xe1A\x80", "\xef\xbf\xbf", "\xf0\x9f\x8e\x89", "\xf4\x90\x80\x80"}
	for i := 0; i < 16; i++ { // a bad byte at every position of the first two words
		b := []byte(long)
		b[i] = 0
		cases = append(cases, string(b))
		b[i] = 0x80
		cases = append(cases, string(b))
	}
	for n := 1; n <= 24; n++ { // every length around the word size, a bad or non-ASCII byte at every position
		for pos := 0; pos < n; pos++ {
			for _, x := range []string{"\x00", "\x80", "\xff", "é", "ả", "\xe1\xba"} {
				b := strings.Repeat("a", pos) + x + strings.Repeat("b", n-pos)
				cases = append(cases, b, b[:n])
			}
		}
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
