package interview

import (
	"fmt"
	"strings"
	"testing"

	"github.com/isogap/isogap/internal/catalog"
)

// Shorthands for answers in the tables: kind, then E for evidence and P for a
// comment that describes a plan.
func y() Answer  { return Answer{Kind: Yes} }
func yE() Answer { return Answer{Kind: Yes, Evidence: true} }
func p() Answer  { return Answer{Kind: Partly} }
func pP() Answer { return Answer{Kind: Partly, Comment: "MFA for admins by March"} }
func n() Answer  { return Answer{Kind: No} }
func nP() Answer { return Answer{Kind: No, Comment: "Policy drafted, approval in Q2"} }
func dk() Answer { return Answer{Kind: DontKnow} }
func na() Answer { return Answer{Kind: NotApplicable} }
func un() Answer { return Answer{} }

func TestSuggest(t *testing.T) {
	for _, tc := range []struct {
		name    string
		answers []Answer
		want    Suggestion // Reasons are checked by wantSay
		wantSay []string   // each must appear in some reason
	}{
		// No score.
		{"no questions", nil, Suggestion{Incomplete: true}, []string{"no questions"}},
		{"nothing answered", []Answer{un(), un()}, Suggestion{Incomplete: true}, []string{"2 of 2 questions are not answered yet (question 1, question 2)"}},
		{"one unanswered among Yes", []Answer{yE(), yE(), un()}, Suggestion{Incomplete: true}, []string{"1 of 3 questions are not answered yet (question 3)"}},
		{"unanswered with Don't know", []Answer{dk(), un()}, Suggestion{Incomplete: true, FollowUp: true}, []string{"not answered yet", "Don't know"}},
		{"unknown answer", []Answer{yE(), {Kind: "maybe"}}, Suggestion{Incomplete: true}, []string{`"maybe" to question 2 is not one isogap knows`}},
		{"all not applicable", []Answer{na(), na()}, Suggestion{NotApplicable: true}, []string{"Every question was answered Not applicable", "justification"}},
		{"one question, not applicable", []Answer{na()}, Suggestion{NotApplicable: true}, nil},
		{"only Don't know", []Answer{dk(), dk()}, Suggestion{FollowUp: true}, []string{"nothing to score", "question 1 and question 2"}},
		{"Don't know and N/A", []Answer{dk(), na()}, Suggestion{FollowUp: true}, []string{"nothing to score"}},

		// 1: nothing in place, nothing planned.
		{"all No", []Answer{n(), n(), n()}, Suggestion{Score: 1}, []string{"Every question was answered No"}},
		{"one No", []Answer{n()}, Suggestion{Score: 1}, nil},
		{"No and N/A", []Answer{n(), na()}, Suggestion{Score: 1}, []string{"1 question was answered Not applicable and left out"}},
		{"No and Don't know", []Answer{n(), dk()}, Suggestion{Score: 1, FollowUp: true}, []string{"question 2 yet (Don't know)"}},
		{"No with a blank comment", []Answer{n(), {Kind: No, Comment: "  "}}, Suggestion{Score: 1}, nil},
		{"No with a comment of punctuation", []Answer{{Kind: No, Comment: "- ?"}}, Suggestion{Score: 1}, nil},

		// 2: no Yes, but something partly there or planned.
		{"all No, each with a plan", []Answer{nP(), nP()}, Suggestion{Score: 2}, []string{"every Partly or No answer says what is planned"}},
		{"No with a plan, No without", []Answer{nP(), {QuestionID: "A.5.1#2", Kind: No}}, Suggestion{Score: 2}, []string{"1 of 2 Partly or No answers say what is planned (not A.5.1#2)"}},
		{"Partly and No with plans", []Answer{pP(), nP()}, Suggestion{Score: 2}, nil},
		{"Partly without a plan", []Answer{p(), p()}, Suggestion{Score: 2}, []string{"none says what is planned: ask for the plan"}},
		{"Partly and No, no plan", []Answer{p(), n()}, Suggestion{Score: 2}, nil},
		{"Partly, Don't know", []Answer{pP(), dk()}, Suggestion{Score: 2, FollowUp: true}, nil},
		{"Partly with evidence only", []Answer{{Kind: Partly, Evidence: true}}, Suggestion{Score: 2}, nil},

		// 3: some Yes, some not.
		{"Yes and No", []Answer{yE(), n()}, Suggestion{Score: 3}, []string{"Some questions were answered Yes (1 of 2), the others 1 No"}},
		{"Yes and Partly", []Answer{yE(), pP(), p()}, Suggestion{Score: 3}, []string{"(1 of 3), the others 2 Partly"}},
		{"Yes and Don't know", []Answer{yE(), yE(), dk()}, Suggestion{Score: 3, FollowUp: true}, []string{"1 Don't know", "does not count as a Yes"}},
		{"Yes, No, Don't know, N/A", []Answer{y(), n(), dk(), na()}, Suggestion{Score: 3, FollowUp: true}, []string{"(1 of 3), the others 1 No, 1 Don't know", "1 question was answered Not applicable"}},

		// 4: all Yes, evidence missing somewhere.
		{"all Yes, no evidence", []Answer{y(), y()}, Suggestion{Score: 4}, []string{"question 1 and question 2 have no evidence attached"}},
		{"all Yes, one without evidence", []Answer{yE(), {QuestionID: "A.8.1#3", Kind: Yes}}, Suggestion{Score: 4}, []string{"A.8.1#3 has no evidence attached", "would be 5"}},
		{"Yes without evidence and N/A", []Answer{y(), na()}, Suggestion{Score: 4}, nil},

		// 5: all Yes, each evidenced.
		{"all Yes with evidence", []Answer{yE(), yE(), yE()}, Suggestion{Score: 5}, []string{"each with evidence attached"}},
		{"one Yes with evidence", []Answer{yE()}, Suggestion{Score: 5}, nil},
		{"Yes with evidence and N/A", []Answer{yE(), na(), yE()}, Suggestion{Score: 5}, []string{"1 question was answered Not applicable and left out of the score"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Suggest(tc.answers)
			if got.Score != tc.want.Score || got.FollowUp != tc.want.FollowUp || got.NotApplicable != tc.want.NotApplicable || got.Incomplete != tc.want.Incomplete {
				t.Errorf("got score %d follow-up %v n/a %v incomplete %v, want %d %v %v %v\nreasons: %q",
					got.Score, got.FollowUp, got.NotApplicable, got.Incomplete,
					tc.want.Score, tc.want.FollowUp, tc.want.NotApplicable, tc.want.Incomplete, got.Reasons)
			}
			if len(got.Reasons) == 0 {
				t.Error("no reason given")
			}
			all := strings.Join(got.Reasons, "\n")
			for _, w := range tc.wantSay {
				if !strings.Contains(all, w) {
					t.Errorf("reasons %q\ndo not say %q", got.Reasons, w)
				}
			}
		})
	}
}

func TestDescribesPlan(t *testing.T) {
	for _, tc := range []struct {
		a    Answer
		want bool
	}{
		{Answer{Kind: No, Comment: "Rolling out in Q3"}, true},
		{Answer{Kind: Partly, Comment: "Q3"}, true},
		{Answer{Kind: Partly, Comment: "Plán: září"}, true},
		{Answer{Kind: No, Comment: ""}, false},
		{Answer{Kind: No, Comment: " \n\t"}, false},
		{Answer{Kind: No, Comment: "-"}, false},
		{Answer{Kind: No, Comment: "?!"}, false},
		{Answer{Kind: Yes, Comment: "Rolling out in Q3"}, false},
		{Answer{Kind: DontKnow, Comment: "Ask Marcus"}, false},
		{Answer{Kind: NotApplicable, Comment: "No offices"}, false},
		{Answer{Kind: Unanswered, Comment: "later"}, false},
	} {
		if got := tc.a.DescribesPlan(); got != tc.want {
			t.Errorf("%s %q: DescribesPlan %v, want %v", tc.a.Kind.Label(), tc.a.Comment, got, tc.want)
		}
	}
}

// states lists every answer one question can get, with and without a plan
// and evidence; unanswered and unknown kinds are left to the table above.
var states = func() []Answer {
	var out []Answer
	for _, k := range Kinds {
		for _, comment := range []string{"", "Planned for Q3"} {
			for _, ev := range []bool{false, true} {
				out = append(out, Answer{Kind: k, Comment: comment, Evidence: ev})
			}
		}
	}
	return out
}()

// forEachItem calls f with every combination of states for items of one to
// three questions (8,000 items of three).
func forEachItem(f func([]Answer)) {
	var rec func(prefix []Answer, left int)
	rec = func(prefix []Answer, left int) {
		if len(prefix) > 0 {
			f(prefix)
		}
		if left == 0 {
			return
		}
		for _, s := range states {
			rec(append(prefix[:len(prefix):len(prefix)], s), left-1)
		}
	}
	rec(nil, 3)
}

// Better answers never lower the suggestion: an item that had a score keeps
// at least that score after any one of these changes to one answer.
func TestSuggestMonotone(t *testing.T) {
	improvements := []struct {
		name string
		ok   func(Answer) bool
		do   func(Answer) Answer
	}{
		{"add evidence", func(a Answer) bool { return !a.Evidence }, func(a Answer) Answer { a.Evidence = true; return a }},
		{"add a plan", func(a Answer) bool { return a.Comment == "" }, func(a Answer) Answer { a.Comment = "Planned for Q3"; return a }},
		{"No to Yes", func(a Answer) bool { return a.Kind == No }, func(a Answer) Answer { a.Kind = Yes; return a }},
		{"No to Partly", func(a Answer) bool { return a.Kind == No }, func(a Answer) Answer { a.Kind = Partly; return a }},
		{"Partly to Yes", func(a Answer) bool { return a.Kind == Partly }, func(a Answer) Answer { a.Kind = Yes; return a }},
		{"Don't know to Yes", func(a Answer) bool { return a.Kind == DontKnow }, func(a Answer) Answer { a.Kind = Yes; return a }},
	}
	checked := 0
	forEachItem(func(item []Answer) {
		before := Suggest(item)
		if before.Score == 0 {
			return
		}
		for i := range item {
			for _, imp := range improvements {
				if !imp.ok(item[i]) {
					continue
				}
				changed := append([]Answer(nil), item...)
				changed[i] = imp.do(changed[i])
				after := Suggest(changed)
				checked++
				if after.Score < before.Score {
					t.Fatalf("%s on question %d lowers %d to %d:\nbefore %s\nafter  %s", imp.name, i+1, before.Score, after.Score, show(item), show(changed))
				}
			}
		}
	})
	if checked < 10000 {
		t.Fatalf("only %d changes checked", checked)
	}
}

// Invariants that hold for every complete item.
func TestSuggestInvariants(t *testing.T) {
	forEachItem(func(item []Answer) {
		s := Suggest(item)
		var yes, yesEvidenced, dontKnow, notApplicable, scored int
		for _, a := range item {
			switch a.Kind {
			case Yes:
				yes++
				if a.Evidence {
					yesEvidenced++
				}
			case DontKnow:
				dontKnow++
			case NotApplicable:
				notApplicable++
			}
		}
		scored = len(item) - notApplicable
		fail := func(what string) { t.Fatalf("%s: %s gives %+v", what, show(item), s) }
		switch {
		case s.Score < 0 || s.Score > 5:
			fail("score out of range")
		case s.Incomplete:
			fail("a complete item is flagged incomplete")
		case s.FollowUp != (dontKnow > 0):
			fail("FollowUp must be set exactly when some answer is Don't know")
		case s.NotApplicable != (notApplicable == len(item)):
			fail("NotApplicable must be set exactly when every answer is Not applicable")
		case s.NotApplicable && s.Score != 0:
			fail("an item suggested Not applicable gets no score")
		case s.Score >= 4 && yes != scored:
			fail("4 or 5 needs every applicable answer to be Yes")
		case s.Score == 5 && yesEvidenced != scored:
			fail("5 needs evidence on every Yes")
		case s.Score >= 1 && s.Score <= 2 && yes > 0:
			fail("1 or 2 with a Yes answer")
		case s.Score == 0 && !s.NotApplicable && yes+dontKnow < scored:
			fail("no score although some question got Yes, Partly or No")
		case len(s.Reasons) == 0:
			fail("no reasons")
		}
	})
}

func show(item []Answer) string {
	var parts []string
	for _, a := range item {
		s := a.Kind.Label()
		if a.Comment != "" {
			s += "+plan"
		}
		if a.Evidence {
			s += "+evidence"
		}
		parts = append(parts, s)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func TestKinds(t *testing.T) {
	for _, k := range Kinds {
		for _, in := range []string{string(k), k.Label(), strings.ToUpper(k.Label()), " " + k.Label() + " "} {
			got, err := ParseKind(in)
			if err != nil || got != k {
				t.Errorf("ParseKind(%q) = %q, %v; want %q", in, got, err, k)
			}
		}
		if !k.Valid() {
			t.Errorf("%q not valid", k)
		}
	}
	if k, err := ParseKind(""); err != nil || k != Unanswered {
		t.Errorf("ParseKind(\"\") = %q, %v", k, err)
	}
	for _, in := range []string{"maybe", "y", "n/a2"} {
		if _, err := ParseKind(in); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%q", in)) {
			t.Errorf("ParseKind(%q): error %v, want one naming the value", in, err)
		}
	}
	if Kind("maybe").Valid() {
		t.Error(`"maybe" valid`)
	}
}

func TestCollect(t *testing.T) {
	it, ok := catalog.Builtin().Item("A.5.15")
	if !ok || len(it.Questions) < 3 {
		t.Fatal("A.5.15 with at least three questions expected")
	}
	given := []Answer{
		{QuestionID: it.Questions[2].ID, Kind: No},
		{QuestionID: it.Questions[0].ID, Kind: Yes, Evidence: true},
		{QuestionID: "A.5.16#1", Kind: Yes},  // another item's
		{QuestionID: "A.5.15#99", Kind: Yes}, // no such question
	}
	got := Collect(it, given)
	if len(got) != len(it.Questions) {
		t.Fatalf("%d answers for %d questions", len(got), len(it.Questions))
	}
	for i, a := range got {
		if a.QuestionID != it.Questions[i].ID {
			t.Errorf("answer %d is for %q, want %q", i, a.QuestionID, it.Questions[i].ID)
		}
	}
	if got[0].Kind != Yes || !got[0].Evidence || got[1].Kind != Unanswered || got[2].Kind != No {
		t.Errorf("answers %+v", got)
	}
	if s := Suggest(got); !s.Incomplete || !strings.Contains(strings.Join(s.Reasons, " "), it.Questions[1].ID) {
		t.Errorf("suggestion %+v: want incomplete, naming %s", s, it.Questions[1].ID)
	}
}
