package interview

import (
	"fmt"
	"strings"
)

// State is where an interview stands. The string values are what a store
// keeps.
//
//	draft ──send──▶ sent ──answer──▶ in progress ──submit──▶ submitted ──review──▶ reviewed
//	  │                                ▲     ▲                   │
//	  └─────────── answer ─────────────┘     └───── return ──────┘
//	draft, sent, in progress, submitted ──revoke──▶ revoked
//
// A draft can take answers directly: the assessor types in a paper
// interview. Reminders and further answers leave the state as it is.
// Reviewed and revoked are final.
type State string

// The states of an interview.
const (
	Draft      State = "draft"
	Sent       State = "sent"
	InProgress State = "in_progress"
	Submitted  State = "submitted"
	Reviewed   State = "reviewed"
	Revoked    State = "revoked"
)

// States lists every state in the order an interview goes through them.
var States = []State{Draft, Sent, InProgress, Submitted, Reviewed, Revoked}

var stateLabels = map[State]string{
	Draft: "Draft", Sent: "Sent", InProgress: "In progress",
	Submitted: "Submitted", Reviewed: "Reviewed", Revoked: "Revoked",
}

// Label returns the state in plain words.
func (s State) Label() string {
	if l, ok := stateLabels[s]; ok {
		return l
	}
	return string(s)
}

// Valid reports whether s is one of States.
func (s State) Valid() bool {
	_, ok := stateLabels[s]
	return ok
}

// ParseState reads a state as a store keeps it ("in_progress").
func ParseState(v string) (State, error) {
	if s := State(strings.TrimSpace(v)); s.Valid() {
		return s, nil
	}
	return "", fmt.Errorf("interview state %q: want one of draft, sent, in_progress, submitted, reviewed, revoked", v)
}

// Final reports whether nothing more can happen to the interview.
func (s State) Final() bool { return s == Reviewed || s == Revoked }

// Answerable reports whether answers may be saved: the interviewee (or the
// assessor typing in a paper interview) is still answering.
func (s State) Answerable() bool { return s == Draft || s == Sent || s == InProgress }

// Event is something that happens to an interview.
type Event string

// The events of an interview.
const (
	Send       Event = "send"   // the invitation goes out
	Remind     Event = "remind" // the invitation goes out again
	SaveAnswer Event = "answer" // an answer is saved
	Submit     Event = "submit" // the interviewee is done
	Return     Event = "return" // the assessor sends a question back with a note
	Review     Event = "review" // the assessor has dealt with every answer
	Revoke     Event = "revoke" // the invitation is withdrawn
)

// Events lists every event.
var Events = []Event{Send, Remind, SaveAnswer, Submit, Return, Review, Revoke}

// transitions maps each state and event to the state that follows; a pair
// not listed is not allowed.
var transitions = map[State]map[Event]State{
	Draft:      {Send: Sent, SaveAnswer: InProgress, Revoke: Revoked},
	Sent:       {Remind: Sent, SaveAnswer: InProgress, Revoke: Revoked},
	InProgress: {Remind: InProgress, SaveAnswer: InProgress, Submit: Submitted, Revoke: Revoked},
	Submitted:  {Return: InProgress, Review: Reviewed, Revoke: Revoked},
}

// Next returns the state an interview in state from reaches on ev, or an
// error saying why ev is not possible now. It has no side effects: the
// caller stores the new state.
func Next(from State, ev Event) (State, error) {
	if !from.Valid() {
		return "", fmt.Errorf("interview state %q is not one isogap knows", from)
	}
	to, ok := transitions[from][ev]
	if ok {
		return to, nil
	}
	why := ""
	switch {
	case from == Revoked:
		why = ": it was revoked"
	case from == Reviewed:
		why = ": it has been reviewed"
	case from == Submitted && (ev == SaveAnswer || ev == Remind):
		why = ": it was submitted; return a question to the interviewee first"
	case ev == Submit && (from == Draft || from == Sent):
		why = ": nothing has been answered yet"
	case ev == Send:
		why = ": it was sent already; send a reminder instead"
	}
	return "", fmt.Errorf("cannot %s an interview that is %s%s", ev, strings.ToLower(from.Label()), why)
}

// CanMove reports whether some event takes an interview from one state to
// another (a state to itself included, as a reminder or a further answer).
func CanMove(from, to State) bool {
	for _, next := range transitions[from] {
		if next == to {
			return true
		}
	}
	return false
}
