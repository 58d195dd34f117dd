package interview

import (
	"strings"
	"testing"
)

// Every state and event pair, with the state it leads to or "" when it is
// refused, and what the refusal must say.
func TestNext(t *testing.T) {
	const no State = ""
	want := map[State]map[Event]State{
		Draft:      {Send: Sent, Remind: no, SaveAnswer: InProgress, Submit: no, Return: no, Review: no, Revoke: Revoked},
		Sent:       {Send: no, Remind: Sent, SaveAnswer: InProgress, Submit: no, Return: no, Review: no, Revoke: Revoked},
		InProgress: {Send: no, Remind: InProgress, SaveAnswer: InProgress, Submit: Submitted, Return: no, Review: no, Revoke: Revoked},
		Submitted:  {Send: no, Remind: no, SaveAnswer: no, Submit: no, Return: InProgress, Review: Reviewed, Revoke: Revoked},
		Reviewed:   {Send: no, Remind: no, SaveAnswer: no, Submit: no, Return: no, Review: no, Revoke: no},
		Revoked:    {Send: no, Remind: no, SaveAnswer: no, Submit: no, Return: no, Review: no, Revoke: no},
	}
	if len(want) != len(States) {
		t.Fatalf("the table covers %d of %d states", len(want), len(States))
	}
	for _, from := range States {
		if len(want[from]) != len(Events) {
			t.Fatalf("%s: the table covers %d of %d events", from, len(want[from]), len(Events))
		}
		for _, ev := range Events {
			to, err := Next(from, ev)
			exp := want[from][ev]
			switch {
			case exp == no && err == nil:
				t.Errorf("%s on %s: moved to %s, want it refused", ev, from, to)
			case exp == no && !strings.Contains(err.Error(), "cannot "+string(ev)+" an interview that is "+strings.ToLower(from.Label())):
				t.Errorf("%s on %s: error %q does not say what and where", ev, from, err)
			case exp != no && (err != nil || to != exp):
				t.Errorf("%s on %s: %q, %v; want %s", ev, from, to, err, exp)
			}
		}
	}
}

func TestNextSaysWhy(t *testing.T) {
	for _, tc := range []struct {
		from State
		ev   Event
		want string
	}{
		{Revoked, SaveAnswer, "cannot answer an interview that is revoked: it was revoked"},
		{Reviewed, Return, "cannot return an interview that is reviewed: it has been reviewed"},
		{Submitted, SaveAnswer, "it was submitted; return a question to the interviewee first"},
		{Sent, Submit, "cannot submit an interview that is sent: nothing has been answered yet"},
		{InProgress, Send, "it was sent already; send a reminder instead"},
		{"archived", Send, `interview state "archived" is not one isogap knows`},
		{"", Send, `interview state "" is not one isogap knows`},
	} {
		_, err := Next(tc.from, tc.ev)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Next(%q, %s): error %v, want %q", tc.from, tc.ev, err, tc.want)
		}
	}
}

// The helpers agree with the transition table.
func TestStateHelpers(t *testing.T) {
	for _, s := range States {
		_, answerErr := Next(s, SaveAnswer)
		if s.Answerable() != (answerErr == nil) {
			t.Errorf("%s: Answerable %v, but saving an answer gives %v", s, s.Answerable(), answerErr)
		}
		moves := false
		for _, ev := range Events {
			if _, err := Next(s, ev); err == nil {
				moves = true
			}
		}
		if s.Final() == moves {
			t.Errorf("%s: Final %v, but some event moves it: %v", s, s.Final(), moves)
		}
		for _, to := range States {
			some := false
			for _, ev := range Events {
				if next, err := Next(s, ev); err == nil && next == to {
					some = true
				}
			}
			if CanMove(s, to) != some {
				t.Errorf("CanMove(%s, %s) = %v, want %v", s, to, CanMove(s, to), some)
			}
		}
		if got, err := ParseState(string(s)); err != nil || got != s {
			t.Errorf("ParseState(%q) = %q, %v", s, got, err)
		}
		// Labels are words for people, not the stored values.
		if l := s.Label(); l == "" || strings.Contains(l, "_") {
			t.Errorf("%s: label %q", s, l)
		}
	}
	// The path of the issue: sent, answered, submitted, one question
	// returned, answered again, submitted, reviewed.
	s := Draft
	for _, ev := range []Event{Send, Remind, SaveAnswer, SaveAnswer, Submit, Return, SaveAnswer, Submit, Review} {
		next, err := Next(s, ev)
		if err != nil {
			t.Fatalf("%s from %s: %v", ev, s, err)
		}
		s = next
	}
	if s != Reviewed {
		t.Errorf("ended %s, want reviewed", s)
	}
	if _, err := ParseState("done"); err == nil || !strings.Contains(err.Error(), `"done"`) {
		t.Errorf("ParseState(done): %v", err)
	}
	if CanMove(Reviewed, Revoked) || CanMove("x", Draft) {
		t.Error("a final or unknown state moves")
	}
}
