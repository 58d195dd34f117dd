// Package interview holds the rules of stakeholder interviews: the answers a
// person gives to an item's questions, the score isogap suggests from them,
// and the states an interview goes through. It is pure: no I/O, no store, no
// clock.
//
// # Answers
//
// Each catalog question (by its id, "A.5.15#2") gets one of five answers:
// Yes, Partly, No, Don't know or Not applicable, with an optional comment and
// optional evidence. On a Partly or No answer the comment is the answer to
// "What is planned, and by when?", so such a comment is read as a plan: an
// answer DescribesPlan when it is Partly or No and its comment holds at least
// one letter or digit ("-" or "?" is not a plan).
//
// # The suggested score
//
// Suggest proposes a 1–5 score for one item from the answers to all of its
// questions. The assessor accepts or adjusts it; it is never written on its
// own. Not applicable answers leave the rule: a question that does not apply
// neither raises nor lowers the score. Don't know is not a Yes, and marks
// the item for follow-up. Evidence counts on Yes answers only.
//
//	unanswered questions              no score, Incomplete
//	every answer Not applicable       no score, NotApplicable
//	only Don't know (and N/A)         no score, FollowUp
//	every answer No, no plan          1  Not Started
//	no Yes, some Partly or a plan     2  Planning Only
//	Yes mixed with Partly, No or
//	  Don't know                      3  Partially Implemented
//	every answer Yes, some without
//	  evidence                        4  Mostly Done
//	every answer Yes, each evidenced  5  Fully Implemented & Evidenced
//
// Any Don't know sets FollowUp, whatever the score. The rule is monotone: a
// better answer (No → Partly → Yes, Don't know → Yes), an added plan or added
// evidence never lowers the suggestion.
package interview

import (
	"fmt"
	"strings"
	"unicode"
)

// Kind is the answer a person gave to one question. The zero value means the
// question is not answered yet. The string values are what a store keeps.
type Kind string

// The answers, in the order a form offers them.
const (
	Unanswered    Kind = ""
	Yes           Kind = "yes"
	Partly        Kind = "partly"
	No            Kind = "no"
	DontKnow      Kind = "dont_know"
	NotApplicable Kind = "not_applicable"
)

// Kinds lists the answers a person can give, in form order.
var Kinds = []Kind{Yes, Partly, No, DontKnow, NotApplicable}

var kindLabels = map[Kind]string{
	Unanswered: "Not answered", Yes: "Yes", Partly: "Partly", No: "No",
	DontKnow: "Don't know", NotApplicable: "Not applicable",
}

// Label returns the answer in plain words.
func (k Kind) Label() string {
	if l, ok := kindLabels[k]; ok {
		return l
	}
	return string(k)
}

// Valid reports whether k is one of Kinds or Unanswered.
func (k Kind) Valid() bool {
	_, ok := kindLabels[k]
	return ok
}

// ParseKind reads an answer as a store or a form gives it: the string value
// ("dont_know") or the label ("Don't know"), in any case.
func ParseKind(s string) (Kind, error) {
	t := strings.TrimSpace(s)
	for _, k := range Kinds {
		if strings.EqualFold(t, string(k)) || strings.EqualFold(t, k.Label()) {
			return k, nil
		}
	}
	if t == "" {
		return Unanswered, nil
	}
	return Unanswered, fmt.Errorf("answer %q: want one of Yes, Partly, No, Don't know, Not applicable", s)
}

// Answer is one person's answer to one question.
type Answer struct {
	QuestionID string // the catalog question id, "A.5.15#2"
	Kind       Kind
	Comment    string
	// Evidence says whether at least one piece of evidence (a file, a link
	// or a text) is attached to the answer.
	Evidence bool
}

// DescribesPlan reports whether the answer says what is planned: a Partly or
// No answer whose comment holds at least one letter or digit.
func (a Answer) DescribesPlan() bool {
	return (a.Kind == Partly || a.Kind == No) && strings.ContainsFunc(a.Comment, func(r rune) bool {
		return unicode.IsLetter(r) || unicode.IsDigit(r)
	})
}

// Suggestion is the score proposed for one item, with its reasons.
type Suggestion struct {
	// Score is 1–5, or 0 when the answers suggest none (see the flags).
	Score int
	// FollowUp marks an item with a Don't know answer: someone must find out.
	FollowUp bool
	// NotApplicable is set when every question was answered Not applicable:
	// the assessor may exclude the control, with a justification (a clause
	// requirement always applies).
	NotApplicable bool
	// Incomplete is set when some question is not answered yet; no score is
	// suggested until every one is.
	Incomplete bool
	// Reasons explains the suggestion in plain words, one sentence each.
	Reasons []string
}

// tally counts an item's answers by kind, keeping the names of the questions
// that matter to the reasons.
type tally struct {
	n                        map[Kind]int
	unanswered, dontKnow     []string
	yesNoEvidence, noPlan    []string
	withPlan, partlyOrNo     int
	total, known, applicable int
}

func count(answers []Answer) tally {
	t := tally{n: map[Kind]int{}, total: len(answers)}
	for i, a := range answers {
		q := name(a, i)
		t.n[a.Kind]++
		switch a.Kind {
		case Unanswered:
			t.unanswered = append(t.unanswered, q)
		case DontKnow:
			t.dontKnow = append(t.dontKnow, q)
		case Yes:
			if !a.Evidence {
				t.yesNoEvidence = append(t.yesNoEvidence, q)
			}
		case Partly, No:
			t.partlyOrNo++
			if a.DescribesPlan() {
				t.withPlan++
			} else {
				t.noPlan = append(t.noPlan, q)
			}
		}
	}
	t.known = t.n[Yes] + t.n[Partly] + t.n[No]
	t.applicable = t.known + t.n[DontKnow]
	return t
}

// Suggest proposes a score for one item from the answers to its questions:
// one Answer per question of the item (see Collect), an unanswered question
// having Kind Unanswered. The package documentation gives the rule.
func Suggest(answers []Answer) Suggestion {
	var s Suggestion
	say := func(format string, args ...any) { s.Reasons = append(s.Reasons, fmt.Sprintf(format, args...)) }
	for i, a := range answers {
		if !a.Kind.Valid() {
			s.Incomplete = true
			say("The answer %q to %s is not one isogap knows, so no score is suggested.", string(a.Kind), name(a, i))
			return s
		}
	}
	t := count(answers)
	switch {
	case t.total == 0:
		s.Incomplete = true
		say("The item has no questions to answer.")
	case len(t.unanswered) > 0:
		s.Incomplete = true
		say("%d of %d questions are not answered yet (%s): a score is suggested once every question is.", len(t.unanswered), t.total, strings.Join(t.unanswered, ", "))
	case t.applicable == 0:
		s.NotApplicable = true
		say("Every question was answered Not applicable: if the control is out of scope, exclude it with a justification; a clause requirement always applies.")
	case t.known == 0:
		say("No question got a Yes, Partly or No, so there is nothing to score yet.")
	case t.n[Yes] == t.known && t.n[DontKnow] == 0:
		if len(t.yesNoEvidence) == 0 {
			s.Score = 5
			say("Every question was answered Yes, each with evidence attached.")
		} else {
			s.Score = 4
			say("Every question was answered Yes, but %s %s no evidence attached: with evidence for each, the suggestion would be 5.", list(t.yesNoEvidence), plural(len(t.yesNoEvidence), "has", "have"))
		}
	case t.n[Yes] > 0:
		s.Score = 3
		say("Some questions were answered Yes (%d of %d), the others %s: the item is in place in part.", t.n[Yes], t.applicable, others(t))
	case t.n[No] == t.known && t.withPlan == 0:
		s.Score = 1
		say("Every question was answered No, and no answer says what is planned.")
	default:
		s.Score = 2
		switch {
		case t.withPlan == t.partlyOrNo:
			say("No question was answered Yes; every Partly or No answer says what is planned.")
		case t.withPlan > 0:
			say("No question was answered Yes; %d of %d Partly or No answers say what is planned (not %s).", t.withPlan, t.partlyOrNo, list(t.noPlan))
		default:
			say("No question was answered Yes; some were answered Partly, but none says what is planned: ask for the plan.")
		}
	}
	if len(t.dontKnow) > 0 {
		s.FollowUp = true
		say("Nobody could answer %s yet (Don't know): find out; it does not count as a Yes.", list(t.dontKnow))
	}
	if n := t.n[NotApplicable]; n > 0 && s.Score > 0 {
		say("%d %s answered Not applicable and left out of the score.", n, plural(n, "question was", "questions were"))
	}
	return s
}

func others(t tally) string {
	var parts []string
	for _, k := range []Kind{Partly, No, DontKnow} {
		if n := t.n[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, k.Label()))
		}
	}
	return strings.Join(parts, ", ")
}

func list(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// name names an answer's question in a reason: its id, or its position.
func name(a Answer, i int) string {
	if a.QuestionID != "" {
		return a.QuestionID
	}
	return fmt.Sprintf("question %d", i+1)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
