package api

import (
	"net/url"
	"testing"
	"unicode/utf8"
)

// A cursor is whatever a client sends back: anything decodes to a key or
// to a field error, never a panic, and a key survives its round trip.
func FuzzCursor(f *testing.F) {
	f.Add("A.5.15")
	f.Add("")
	f.Add(encodeCursor("00000000000000000042"))
	f.Add("eyJrIjoxfQ")
	f.Add("%%%")
	f.Fuzz(func(t *testing.T, s string) {
		if key, err := decodeCursor(s); err == nil && s != "" {
			if back, err := decodeCursor(encodeCursor(key)); err != nil || back != key {
				t.Fatalf("%q decoded to %q, which encodes to a cursor giving %q, %v", s, key, back, err)
			}
		}
		// The keys the server makes (ids, refs) are UTF-8 text.
		if got, err := decodeCursor(encodeCursor(s)); utf8.ValidString(s) && (err != nil || got != s) {
			t.Fatalf("key %q: round trip gave %q, %v", s, got, err)
		}
		if n, err := pageLimit(url.Values{"limit": {s}}); err == nil && (n < 1 || n > maxLimit) {
			t.Fatalf("limit %q accepted as %d", s, n)
		}
	})
}

func TestProse(t *testing.T) {
	for in, want := range map[string]string{
		"send `Authorization: Bearer <token>` now": "send <code>Authorization: Bearer &lt;token&gt;</code> now",
		"a `b` c `d`": "a <code>b</code> c <code>d</code>",
		"one ` alone": "one ` alone",
		"<script>":    "&lt;script&gt;",
	} {
		if got := string(prose(in)); got != want {
			t.Errorf("prose(%q) = %q, want %q", in, got, want)
		}
	}
	if sentence("Start an assessment") != "Start an assessment." || sentence("Done.") != "Done." {
		t.Error("sentence")
	}
}
