package mail

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/quotedprintable"
	netmail "net/mail"
	"strings"
	"testing"
	"time"
)

var date = time.Date(2027, 1, 10, 9, 30, 0, 0, time.FixedZone("CET", 3600))

func from(t testing.TB) *netmail.Address {
	a, err := netmail.ParseAddress("Acme ISMS <isogap@acme.example>")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// readBack parses a composed message with Go's reader and decodes it.
func readBack(t testing.TB, raw []byte) (to *netmail.Address, subject, body string, h netmail.Header) {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("the message does not parse: %v\n%s", err, raw)
	}
	if list, err := msg.Header.AddressList("To"); err != nil || len(list) != 1 {
		t.Fatalf("To: %v %v\n%s", list, err, raw)
	} else {
		to = list[0]
	}
	subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatalf("Subject: %v", err)
	}
	b, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatalf("body: %v", err)
	}
	return to, subject, string(b), msg.Header
}

func TestCompose(t *testing.T) {
	link := "https://isogap.acme.example/i/Zx9_k-3q?a=1&b=%20#top"
	m := Mail{To: "jana@example.com", ToName: "Jana Novák 山田 👩‍💻", Subject: "Interview — Zoë’s questions 📋 =?x?=",
		Text: "Hello Jana,\n\n" + link + "\n" + strings.Repeat("long line ", 30) + "\r\n.\nend"}
	raw, err := compose(m, from(t), date, "<1@acme.example>")
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(raw), "\r\n") {
		if len(l) > 90 { // 78 where it can break, an encoded word after "Subject: " otherwise
			t.Errorf("line %d is %d characters long: %q", i+1, len(l), l)
		}
		for _, r := range l {
			if r > 127 {
				t.Fatalf("line %d holds a non-ASCII character: %q", i+1, l)
			}
		}
	}
	to, subject, body, h := readBack(t, raw)
	if to.Name != m.ToName || to.Address != m.To {
		t.Errorf("To reads back as %q <%s>", to.Name, to.Address)
	}
	if subject != m.Subject {
		t.Errorf("Subject reads back as %q", subject)
	}
	if want := strings.ReplaceAll(m.Text, "\n", "\r\n") + "\r\n"; body != strings.ReplaceAll(want, "\r\r\n", "\r\n") {
		t.Errorf("body reads back as %q", body)
	}
	if !strings.Contains(body, link+"\r\n") {
		t.Error("the link does not survive")
	}
	for k, want := range map[string]string{"Date": "Sun, 10 Jan 2027 09:30:00 +0100", "Message-Id": "<1@acme.example>",
		"Mime-Version": "1.0", "Content-Type": "text/plain; charset=utf-8", "Content-Transfer-Encoding": "quoted-printable",
		"From": `"Acme ISMS" <isogap@acme.example>`} {
		if got := h.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
}

// TestHeaderInjection: text typed into a name, a subject or an address
// cannot add a header (a Bcc to someone else) or break the message.
func TestHeaderInjection(t *testing.T) {
	ok := Mail{To: "jana@example.com", ToName: "Jana", Subject: "Questions", Text: "x"}
	for _, c := range []struct {
		name string
		edit func(*Mail)
		want string
	}{
		{"CRLF in subject", func(m *Mail) { m.Subject = "Hi\r\nBcc: evil@example.com" }, "subject"},
		{"LF in subject", func(m *Mail) { m.Subject = "Hi\nBcc: evil@example.com" }, "line break"},
		{"CR in name", func(m *Mail) { m.ToName = "Jana\rBcc: evil@example.com" }, "recipient name"},
		{"NUL in name", func(m *Mail) { m.ToName = "Ja\x00na" }, "control character"},
		{"CRLF in address", func(m *Mail) { m.To = "jana@example.com\r\nBcc: evil@example.com" }, "recipient address"},
		{"two addresses", func(m *Mail) { m.To = "jana@example.com, evil@example.com" }, "one address"},
		{"name in address", func(m *Mail) { m.To = "Jana <jana@example.com>" }, "one address"},
		{"not an address", func(m *Mail) { m.To = "jana" }, "one address"},
		{"empty address", func(m *Mail) { m.To = "" }, "empty"},
		{"non-ASCII address", func(m *Mail) { m.To = "jána@example.com" }, "ASCII"},
		{"empty subject", func(m *Mail) { m.Subject = "  " }, "subject is empty"},
		{"bad UTF-8", func(m *Mail) { m.Text = "\xff" }, "UTF-8"},
	} {
		m := ok
		c.edit(&m)
		_, err := compose(m, from(t), date, "<1@x>")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error about %q", c.name, err, c.want)
		}
		if err := NewPrinter(io.Discard).Send(context.Background(), m); err == nil {
			t.Errorf("%s: the printer took it", c.name)
		}
	}
	if _, err := compose(ok, from(t), date, "<1@x>"); err != nil {
		t.Fatal(err)
	}
	// Tabs and Unicode line separators are white space: kept as one space.
	m := ok
	m.Subject, m.ToName = "a\tb\u2028c  d", "Jana\u2029Novák"
	raw, err := compose(m, from(t), date, "<1@x>")
	if err != nil {
		t.Fatal(err)
	}
	to, subject, _, _ := readBack(t, raw)
	if subject != "a b c d" || to.Name != "Jana Novák" {
		t.Errorf("subject %q, name %q", subject, to.Name)
	}
}

func TestLongHeaders(t *testing.T) {
	m := Mail{To: "jana@example.com", ToName: strings.Repeat("Name ", 80), Subject: strings.Repeat("word ", 200), Text: "x"}
	raw, err := compose(m, from(t), date, "<1@x>")
	if err != nil {
		t.Fatal(err)
	}
	to, subject, _, _ := readBack(t, raw)
	if subject != strings.TrimSpace(m.Subject) || to.Name != strings.TrimSpace(m.ToName) {
		t.Errorf("folded headers read back as %q / %q", subject, to.Name)
	}
	m.Subject = strings.Repeat("x", 1200)
	if _, err := compose(m, from(t), date, "<1@x>"); err == nil || !strings.Contains(err.Error(), "subject holds a word of") {
		t.Errorf("a 1200-character word: %v", err)
	}
}

func TestPrinter(t *testing.T) {
	var buf bytes.Buffer
	p := NewPrinter(&buf)
	err := p.Send(context.Background(), Mail{To: "jana@example.com", ToName: "Jana Novák", Subject: "Questions",
		Text: "Hello\r\nopen https://x.example/i/abc\x1b[31m red\n"})
	if err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"not sent", "To: Jana Novák <jana@example.com>", "Subject: Questions", "Hello\nopen https://x.example/i/abc[31m red\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("the printout lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b") || strings.Contains(out, "\r") {
		t.Errorf("the printout holds control characters: %q", out)
	}
}

func TestParseURL(t *testing.T) {
	for _, c := range []struct {
		url                    string
		host, port, user, from string
		implicit               bool
	}{
		{"smtp://mail.example.com?from=isogap@example.com", "mail.example.com", "587", "", "isogap@example.com", false},
		{"smtp://u%40x:p%23ss%3Aw@mail.example.com:2525/?from=Acme+ISMS+%3Cisogap@example.com%3E", "mail.example.com", "2525", "u@x", "Acme ISMS <isogap@example.com>", false},
		{"smtps://bot@example.com:secret@[::1]", "::1", "465", "bot@example.com", "bot@example.com", true},
		{"smtp://user:pw@127.0.0.1:25", "127.0.0.1", "25", "user", "", false},
	} {
		s, err := ParseURL(c.url)
		if err != nil {
			t.Errorf("%s: %v", c.url, err)
			continue
		}
		if s.Host != c.host || s.Port != c.port || s.Username != c.user || s.From != c.from || s.ImplicitTLS != c.implicit {
			t.Errorf("%s: %+v", c.url, s)
		}
		if strings.Contains(s.String(), s.Password) && s.Password != "" {
			t.Errorf("String() shows the password: %s", s)
		}
	}
	s, _ := ParseURL("smtp://u:p%23ss%3Aw@mail.example.com:2525")
	if s.Password != "p#ss:w" {
		t.Errorf("password %q", s.Password)
	}
	if _, err := s.sender(); err == nil || !strings.Contains(err.Error(), "?from=") {
		t.Errorf("no sender: %v", err)
	}

	for _, c := range []struct{ url, want string }{
		{"", "empty"},
		{"mail.example.com:25", "scheme"},
		{"http://mail.example.com", `scheme "http"`},
		{"smtp://", "no server name"},
		{"smtp:mail.example.com", "no server name"},
		{"smtp://mail.example.com:99999", "port"},
		{"smtp://mail.example.com:x", "valid URL"},
		{"smtp://mail.example.com/inbox", "path"},
		{"smtp://user@mail.example.com", "password"},
		{"smtp://:secret@mail.example.com", "password"},
		{"smtp://mail.example.com?form=a@b.example", `unknown setting "form"`},
		{"smtp://mail.example.com?from=a@b.example&from=c@d.example", "more than once"},
		{"smtp://mail.example.com?from=not-an-address", "sender"},
		{"smtp://mail.example.com?from=a@b.example%0D%0ABcc:+x@y.example", "line break"},
		{"smtp://u:s3cr%ZZt@mail.example.com", "valid URL"},
		{"smtp://u:s3cret@mail.example.com#x", "fragment"},
	} {
		_, err := ParseURL(c.url)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseURL(%q) = %v, want an error about %q", c.url, err, c.want)
			continue
		}
		if strings.Contains(err.Error(), "s3cr") || strings.Contains(err.Error(), "secret") {
			t.Errorf("ParseURL(%q) shows the password: %v", c.url, err)
		}
	}
}

// FuzzParseURL: any text is either refused or gives settings that can be
// shown without the password.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"smtp://u:p@h:25?from=a@b.example", "smtps://[::1]:465", "smtp://h?from=%0d%0a", "smtp://%zz", "smtp://u:@h", "smtp://h:0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseURL(s)
		if err != nil {
			return
		}
		if c.Host == "" || c.Port == "" {
			t.Fatalf("%q: accepted without host or port: %+v", s, c)
		}
		if c.Password != "" && strings.Contains(c.String(), ":"+c.Password+"@") {
			t.Fatalf("%q: String shows the password", s)
		}
		if c.From != "" {
			if _, err := c.sender(); err != nil {
				t.Fatalf("%q: accepted a sender it cannot use: %v", s, err)
			}
		}
	})
}

// FuzzCompose: whatever is typed into the fields, the message either is
// refused or reads back with one To and one Subject holding what was given.
func FuzzCompose(f *testing.F) {
	f.Add("jana@example.com", "Jana Novák", "Questions 📋", "Hello\nhttps://x.example/i/a?b=c")
	f.Add("a@b.example", "\"quoted\" \\ name", "=?utf-8?q?x?=", ".\r\n.\r\n")
	f.Add("a@b.example", "x\r\nBcc: y@z.example", "s\nBcc: y@z.example", "")
	f.Fuzz(func(t *testing.T, to, name, subject, text string) {
		m := Mail{To: to, ToName: name, Subject: subject, Text: text}
		raw, err := compose(m, from(t), date, "<1@x>")
		if err != nil {
			return
		}
		msg, err := netmail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("%+v: the message does not parse: %v\n%s", m, err, raw)
		}
		for _, k := range []string{"To", "Subject", "From", "Date"} {
			if n := len(msg.Header[k]); n != 1 {
				t.Fatalf("%+v: %d %s headers\n%s", m, n, k, raw)
			}
		}
		if n := len(msg.Header); n != 8 {
			t.Fatalf("%+v: %d headers, want 8\n%s", m, n, raw)
		}
		for _, l := range strings.Split(string(raw), "\r\n") {
			if len(l) > maxHeaderLine {
				t.Fatalf("%+v: a line of %d characters", m, len(l))
			}
		}
		got, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		if err != nil || got != oneLine(subject) {
			t.Fatalf("%+v: subject reads back as %q (%v)", m, got, err)
		}
		list, err := msg.Header.AddressList("To")
		if err != nil || len(list) != 1 || list[0].Address != to {
			t.Fatalf("%+v: To reads back as %v (%v)\n%s", m, list, err, raw)
		}
	})
}
