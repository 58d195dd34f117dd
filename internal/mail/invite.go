package mail

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Invitation is what the interview mails say: who is asked, by whom, about
// what, where to answer and by when.
type Invitation struct {
	Org        string // the organisation assessed
	Name       string // the person interviewed; may be empty
	Email      string // their address
	Department string // their department; may be empty
	Assessor   string // who runs the assessment; may be empty
	Link       string // the personal link that opens the interview
	Due        time.Time
	Items      int // topics (catalog items) the interview covers
	Questions  int // their questions in all; 0 leaves the count out
	Answered   int // questions answered so far (reminders)
}

// InvitationMail is the first mail of an interview: what it is for, how
// long it takes, the link, and the due date.
func InvitationMail(inv Invitation) Mail {
	var b strings.Builder
	b.WriteString(greeting(inv.Name))
	fmt.Fprintf(&b, "%s is checking how %s's information security measures up against the ISO/IEC 27001 standard, "+
		"and would like your answers to the questions that fall to %s.\n\n",
		upperFirst(who(inv.Assessor)), orgName(inv.Org), area(inv.Department))
	fmt.Fprintf(&b, "There %s, each with a few short questions%s. ", topics(inv.Items), questionCount(inv.Questions))
	b.WriteString("For each question choose Yes, Partly, No, Don't know or Not applicable, and add a comment, " +
		"a link or a document where you have one. Your answers are saved as you go: you can stop and come back " +
		"at any time, on a phone or a computer, and send them in when you are done.\n\n")
	b.WriteString("Open your interview here:\n\n")
	b.WriteString(inv.Link + "\n\n")
	if !inv.Due.IsZero() {
		fmt.Fprintf(&b, "Please send your answers by %s.\n\n", longDay(inv.Due))
	}
	b.WriteString(footer(inv.Assessor))
	return inv.mail("Your questions for the information security review of "+orgName(inv.Org), b.String())
}

// ReminderMail asks again for answers not yet sent in, saying how far the
// person got and whether the due date (seen from today) has passed.
func ReminderMail(inv Invitation, today time.Time) Mail {
	var b strings.Builder
	b.WriteString(greeting(inv.Name))
	fmt.Fprintf(&b, "A reminder: your answers for %s's information security review have not been sent in yet. ", orgName(inv.Org))
	if inv.Questions > 0 {
		fmt.Fprintf(&b, "So far %d of %d questions are answered.", inv.Answered, inv.Questions)
	}
	b.WriteString("\n\n")
	if !inv.Due.IsZero() {
		days := int(dayOf(inv.Due).Sub(dayOf(today)).Hours() / 24)
		switch {
		case days < 0:
			fmt.Fprintf(&b, "They were due on %s. If you can, please finish them in the next few days; "+
				"if the link no longer opens, reply and ask for a new one.\n\n", longDay(inv.Due))
		case days == 0:
			b.WriteString("They are due today.\n\n")
		default:
			fmt.Fprintf(&b, "They are due on %s.\n\n", longDay(inv.Due))
		}
	}
	b.WriteString("Your interview, with the answers you have given so far:\n\n")
	b.WriteString(inv.Link + "\n\n")
	b.WriteString(footer(inv.Assessor))
	return inv.mail("Reminder: your questions for the information security review of "+orgName(inv.Org), b.String())
}

func greeting(name string) string {
	if name = oneLine(name); name == "" {
		return "Hello,\n\n"
	}
	return "Hello " + name + ",\n\n"
}

func orgName(org string) string {
	if org = oneLine(org); org == "" {
		return "your organisation"
	}
	return org
}

func who(assessor string) string {
	if assessor = oneLine(assessor); assessor == "" {
		return "your information security team"
	}
	return assessor
}

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

func area(department string) string {
	if department = oneLine(department); department == "" {
		return "you"
	}
	return "you and " + department
}

func topics(n int) string {
	if n == 1 {
		return "is 1 topic to go through"
	}
	return fmt.Sprintf("are %d topics to go through", n)
}

func questionCount(n int) string {
	if n <= 0 {
		return ""
	}
	if n == 1 {
		return " (1 question in all)"
	}
	return fmt.Sprintf(" (%d questions in all)", n)
}

func footer(assessor string) string {
	return "The link is yours alone: it opens your interview and nothing else, and whoever holds it can answer " +
		"in your name, so please do not pass it on. Questions about the interview go to " + who(assessor) + ".\n\n" +
		"Sent by isogap for " + who(assessor) + ".\n"
}

// mail addresses the text to the person, the due date after the subject.
func (inv Invitation) mail(subject, text string) Mail {
	if !inv.Due.IsZero() {
		subject += " (due " + inv.Due.Format("2 Jan 2006") + ")"
	}
	return Mail{To: inv.Email, ToName: inv.Name, Subject: subject, Text: text}
}

func longDay(t time.Time) string { return t.Format("Monday 2 January 2006") }

// dayOf is the calendar day of t, as a UTC midnight, so days count alike
// whatever the times' locations.
func dayOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
