package web

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzSafeNext: whatever "next" a sign-in form carries, the redirect stays
// on this site, read as a browser reads it: the input itself when that is a
// clean path from the root, "/" otherwise.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/", "/a/x/matrix?dept=HR", "//evil.example", "https://evil.example", "/\\evil", "\\\\evil", "javascript:x", "/%2F%2Fevil", "", "/\t/evil",
		"/#\t", "/#\n//evil", "/a?x=\x00", "/ /evil", "/\x7f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		if got != next && got != "/" {
			t.Fatalf("safeNext(%q) = %q: want the input or /", next, got)
		}
		u, err := url.Parse(got)
		if err != nil || !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || u.Host != "" || u.Scheme != "" {
			t.Fatalf("safeNext(%q) = %q leaves the site", next, got)
		}
		for i := 0; i < len(got); i++ {
			if c := got[i]; c <= ' ' || c == 0x7f || c == '\\' {
				t.Fatalf("safeNext(%q) = %q keeps %q: not a clean path", next, got, c)
			}
		}
	})
}

// FuzzItemForm: any posted item form parses into a patch or a list of
// field errors, never a panic.
func FuzzItemForm(f *testing.F) {
	f.Add("score=3&owner=Ann&priority=high&target_date=2027-03-31&effort=2,5&version=4")
	f.Add("score=7&priority=urgent&target_date=31/03/2027&effort=lots")
	f.Add("scoping=1&applicable=no&justification=&inclusion=risk-assessment&inclusion=x")
	f.Fuzz(func(t *testing.T, body string) {
		v, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		p, perr := parseItemForm(v)
		if perr == nil && p.Score != nil && !p.Score.Valid() {
			t.Fatalf("%q gives an invalid score %d without an error", body, *p.Score)
		}
	})
}

func TestMoney(t *testing.T) {
	for amount, want := range map[float64]string{0: "EUR 0", 999.5: "EUR 1,000", 1234567.4: "EUR 1,234,567", -2500: "EUR −2,500"} {
		if got := money("EUR", amount); got != want {
			t.Errorf("money(%v) = %q, want %q", amount, got, want)
		}
	}
	if got := money("", 12000); got != "12,000" {
		t.Errorf("no currency: %q", got)
	}
}

// FuzzAssumptionsForm: any posted assumptions form yields only the fields
// it changed, each named by a key that was in the form, never a panic.
func FuzzAssumptionsForm(f *testing.F) {
	f.Add("version=3&was_v%3Aday_rate=600&v%3Aday_rate=650&was_v%3Acurrency=EUR&v%3Acurrency=EUR")
	f.Add("v%3Acapacity.Samir+Okafor=4&v%3A=1&v%3Astage1_weeks=2&unset=tools")
	f.Add("was_v%3Aruns=1000&v%3Aruns=%20%201000%20")
	f.Fuzz(func(t *testing.T, body string) {
		v, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		for key, value := range changedAssumptions(v) {
			name := "v:" + key
			if key == "" || !v.Has(name) || strings.TrimSpace(v.Get(name)) != value {
				t.Fatalf("%q: changed %q=%q is not what the form holds", body, key, value)
			}
			if v.Has("was_"+name) && strings.TrimSpace(v.Get("was_"+name)) == value {
				t.Fatalf("%q: %q did not change", body, key)
			}
			_ = assumptionLabel(key)
		}
	})
}
