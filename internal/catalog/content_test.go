package catalog

import (
	"regexp"
	"strings"
	"testing"
)

// itemText joins what an interviewee reads for an item: summary and questions.
func itemText(t *testing.T, ref string) string {
	t.Helper()
	it, ok := Builtin().Item(ref)
	if !ok {
		t.Fatalf("missing %s", ref)
	}
	return strings.ToLower(it.Summary + "\n" + strings.Join(it.QuestionTexts(), "\n"))
}

// questionMentioning returns the first question of ref whose text matches
// every pattern, or "".
func questionMentioning(ref string, patterns ...string) string {
	it, _ := Builtin().Item(ref)
	for _, q := range it.QuestionTexts() {
		lq, all := strings.ToLower(q), true
		for _, p := range patterns {
			if !regexp.MustCompile(p).MatchString(lq) {
				all = false
				break
			}
		}
		if all {
			return q
		}
	}
	return ""
}

// The points an auditor's review found weak in the catalog's content; each
// check names what the item must (or must not) ask.
func TestBuiltinContentAuditFindings(t *testing.T) {
	c := Builtin()
	for _, tc := range []struct {
		ref      string
		what     string
		patterns []string
	}{
		{"5.2", "the policy's commitment to meet applicable requirements and to continual improvement", []string{`commit`, `requirements`, `improv`}},
		{"6.1.3", "the Statement of Applicability giving each control's implementation status", []string{`statement of applicability`, `implementation status`, `every`}},
		{"9.2.2", "how auditors stay objective and impartial", []string{`objective`, `impartial`}},
		{"9.3.2", "whether the security objectives were met", []string{`objectives were met`}},
		{"9.3.2", "feedback from interested parties", []string{`feedback`, `interested parties`}},
		{"A.5.35", "a review of the whole approach, not only technical tests", []string{`whole`, `policies`, `risk`}},
	} {
		if questionMentioning(tc.ref, tc.patterns...) == "" {
			t.Errorf("%s: no question asks about %s (want one matching %q)", tc.ref, tc.what, tc.patterns)
		}
	}

	// Objectivity and impartiality are 9.2.2's, not 9.2.1's.
	if text := itemText(t, "9.2.1"); regexp.MustCompile(`independen|impartial|objectiv`).MatchString(text) {
		t.Errorf("9.2.1 speaks of auditor independence, which belongs to 9.2.2:\n%s", text)
	}
	it921, _ := c.Item("9.2.1")
	for _, e := range it921.Evidence {
		if strings.Contains(strings.ToLower(e), "independen") {
			t.Errorf("9.2.1 evidence %q belongs to 9.2.2", e)
		}
	}

	// A penetration test looks at part of the approach: any A.5.35 question
	// naming one must say so, and the question asking for the review must not
	// offer it as the review.
	a535, _ := c.Item("A.5.35")
	for i, q := range a535.QuestionTexts() {
		lq := strings.ToLower(q)
		if strings.Contains(lq, "penetration") && !strings.Contains(lq, "only part") {
			t.Errorf("A.5.35 question %d offers a penetration test as the independent review: %q", i+1, q)
		}
	}

	if it, _ := c.Item("A.8.1"); it.Title != "User end point devices" {
		t.Errorf("A.8.1 title %q, want the Annex A spelling %q", it.Title, "User end point devices")
	}
}

// Every item speaks to a SaaS company; none to a managed service provider's
// clients.
func TestBuiltinSpeaksToSaaS(t *testing.T) {
	msp := regexp.MustCompile(`\bMSPs?\b`)
	if loc := msp.FindIndex(BuiltinJSON()); loc != nil {
		line := strings.Count(string(BuiltinJSON()[:loc[0]]), "\n") + 1
		t.Errorf("iso27001-2022.json line %d speaks of an MSP: %q", line, BuiltinJSON()[loc[0]:loc[1]])
	}
}
