package mail

import (
	"strings"
	"testing"
	"time"
)

func TestInvitationMail(t *testing.T) {
	m := InvitationMail(invitation)
	if m.To != "jana@example.com" || m.ToName != "Jana Novák 山田" {
		t.Errorf("to %q <%s>", m.ToName, m.To)
	}
	if m.Subject != "Your questions for the information security review of Acme Ltd (due 31 Jan 2027)" {
		t.Errorf("subject %q", m.Subject)
	}
	for _, want := range []string{"Hello Jana Novák 山田,", "Tomás Rivera is checking how Acme Ltd's", "you and HR",
		"6 topics", "18 questions in all", "Yes, Partly, No, Don't know or Not applicable", "stop and come back",
		"\n" + invitation.Link + "\n", "by Sunday 31 January 2027", "do not pass it on"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("the invitation lacks %q:\n%s", want, m.Text)
		}
	}
	if err := m.Validate(); err != nil {
		t.Error(err)
	}

	// Left-out details leave their sentences out, not blanks behind.
	bare := InvitationMail(Invitation{Email: "a@b.example", Link: "https://x.example/i/1", Items: 1})
	for _, want := range []string{"Hello,\n", "Your information security team is checking how your organisation's", "that fall to you.", "is 1 topic to go through, each with a few short questions. "} {
		if !strings.Contains(bare.Text, want) {
			t.Errorf("the bare invitation lacks %q:\n%s", want, bare.Text)
		}
	}
	if strings.Contains(bare.Text, "send your answers by") || strings.Contains(bare.Subject, "due") {
		t.Errorf("a due date without one:\n%s\n%s", bare.Subject, bare.Text)
	}
}

func TestReminderMail(t *testing.T) {
	inv := invitation
	inv.Answered = 5
	for _, c := range []struct {
		today time.Time
		want  string
	}{
		{time.Date(2027, 1, 20, 15, 0, 0, 0, time.UTC), "They are due on Sunday 31 January 2027."},
		{time.Date(2027, 1, 31, 23, 0, 0, 0, time.FixedZone("", -5*3600)), "They are due today."},
		{time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC), "They were due on Sunday 31 January 2027."},
	} {
		m := ReminderMail(inv, c.today)
		for _, want := range []string{c.want, "So far 5 of 18 questions are answered.", "\n" + inv.Link + "\n", "Hello Jana Novák 山田,"} {
			if !strings.Contains(m.Text, want) {
				t.Errorf("%s: the reminder lacks %q:\n%s", c.today, want, m.Text)
			}
		}
		if !strings.HasPrefix(m.Subject, "Reminder: ") || m.To != inv.Email {
			t.Errorf("subject %q to %q", m.Subject, m.To)
		}
	}
	inv.Due, inv.Questions = time.Time{}, 0
	if m := ReminderMail(inv, time.Now()); strings.Contains(m.Text, "due") || strings.Contains(m.Text, "So far") {
		t.Errorf("a reminder without a due date or count:\n%s", m.Text)
	}
}
