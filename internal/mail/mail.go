// Package mail sends isogap's e-mails (interview invitations and
// reminders): plain-text UTF-8 messages to one person, through an SMTP
// server or, when none is configured, printed for the person running
// isogap to pass on. It uses the standard library only.
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	netmail "net/mail"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// Mail is one plain-text message to one person.
type Mail struct {
	To      string // the address alone: jana@example.com
	ToName  string // how to greet them in the To header; may be empty
	Subject string
	Text    string // the body, plain text; line breaks as \n or \r\n
}

// Sender delivers a mail.
type Sender interface {
	Send(ctx context.Context, m Mail) error
}

// maxHeaderLine is the longest header line RFC 5322 allows, without CRLF.
const maxHeaderLine = 998

// Validate checks the mail can be written without changing what it says:
// the address is one plain address, and no header field holds a line break
// or other control character (which would let text typed into a name or a
// subject add headers of its own).
func (m Mail) Validate() error {
	if err := checkAddress("recipient", m.To); err != nil {
		return err
	}
	if err := checkHeaderText("recipient name", m.ToName); err != nil {
		return err
	}
	if err := checkHeaderText("subject", m.Subject); err != nil {
		return err
	}
	if strings.TrimSpace(m.Subject) == "" {
		return fmt.Errorf("mail to %s: the subject is empty", m.To)
	}
	if !utf8.ValidString(m.Text) {
		return fmt.Errorf("mail to %s: the text is not valid UTF-8", m.To)
	}
	return nil
}

// checkAddress accepts a bare ASCII address (local@domain), nothing more.
func checkAddress(what, addr string) error {
	if addr == "" {
		return fmt.Errorf("%s address is empty", what)
	}
	if i := strings.IndexFunc(addr, unicode.IsControl); i >= 0 {
		return fmt.Errorf("%s address %q: a control character (line break, tab…) at byte %d; an address is one line", what, addr, i)
	}
	for i, r := range addr {
		if r > unicode.MaxASCII {
			return fmt.Errorf("%s address %q: %q at byte %d; isogap sends to ASCII addresses only", what, addr, r, i)
		}
	}
	a, err := netmail.ParseAddress(addr)
	if err != nil || a.Address != addr || a.Name != "" {
		return fmt.Errorf("%s address %q: want one address such as jana@example.com, without a name or <>", what, addr)
	}
	return nil
}

// checkHeaderText refuses control characters in text bound for a header.
func checkHeaderText(what, s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s %q is not valid UTF-8", what, s)
	}
	for i, r := range s {
		if r == '\r' || r == '\n' {
			return fmt.Errorf("%s %q: a line break at byte %d; a %s is one line", what, s, i, what)
		}
		if unicode.IsControl(r) && r != '\t' {
			return fmt.Errorf("%s %q: the control character %U at byte %d", what, s, r, i)
		}
	}
	return nil
}

// oneLine collapses runs of white space (tabs, Unicode spaces and line
// separators) into single spaces, so folding a header never changes it.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// compose writes m as an RFC 5322 message from the sender from (an address,
// optionally with a name: "isogap <isogap@example.com>"), dated date, with
// the given Message-ID. Names and subjects beyond plain ASCII are encoded
// as RFC 2047 words, the text as quoted-printable UTF-8.
func compose(m Mail, from *netmail.Address, date time.Time, messageID string) ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	headers := []struct{ key, value string }{
		{"Date", date.Format(time.RFC1123Z)},
		{"From", address(oneLine(from.Name), from.Address)},
		{"To", address(oneLine(m.ToName), m.To)},
		{"Subject", encodeWord(oneLine(m.Subject))},
		{"Message-ID", messageID},
		{"MIME-Version", "1.0"},
		{"Content-Type", "text/plain; charset=utf-8"},
		{"Content-Transfer-Encoding", "quoted-printable"},
	}
	for _, h := range headers {
		line, err := fold(h.key, h.value)
		if err != nil {
			return nil, fmt.Errorf("mail to %s: %w", m.To, err)
		}
		b.WriteString(line)
	}
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	text := lines(m.Text)
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	if _, err := io.WriteString(qp, text); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// address writes a name and an address for a From or To header. A name
// beyond plain ASCII goes in base64 words: net/mail's own Q words keep
// characters such as '\' as they are, and a reader (net/mail's included)
// then cannot parse the header back.
func address(name, addr string) string {
	a := netmail.Address{Name: name, Address: addr}
	if e := mime.BEncoding.Encode("utf-8", name); e != name {
		return e + " " + (&netmail.Address{Address: addr}).String()
	}
	return a.String()
}

// encodeWord encodes a header's text as RFC 2047 words where it needs it.
// Text that is plain ASCII but would read as an encoded word ("=?…?=") is
// encoded too, so a reader shows it as typed.
func encodeWord(s string) string {
	e := mime.QEncoding.Encode("utf-8", s)
	if e != s || !strings.Contains(s, "=?") {
		return e
	}
	// mime encodes only text with non-ASCII characters: encode by hand,
	// in words of at most 45 bytes (75 characters once encoded).
	var words []string
	for s != "" {
		n := min(len(s), 45)
		words = append(words, "=?utf-8?b?"+base64.StdEncoding.EncodeToString([]byte(s[:n]))+"?=")
		s = s[n:]
	}
	return strings.Join(words, " ")
}

// fold writes one header, breaking it at spaces so lines stay near 78
// characters; a line that cannot be broken below 998 is an error.
func fold(key, value string) (string, error) {
	var b strings.Builder
	n := 0
	write := func(s string) {
		b.WriteString(s)
		n += len(s)
	}
	write(key + ":")
	for i, word := range strings.Split(value, " ") {
		if i > 0 && n+1+len(word) > 78 && n > len(key)+1 {
			b.WriteString("\r\n")
			n = 0
		}
		write(" " + word)
		if n > maxHeaderLine {
			return "", fmt.Errorf("the %s holds a word of %d characters; break it with spaces", strings.ToLower(key), len(word))
		}
	}
	b.WriteString("\r\n")
	return b.String(), nil
}

// newMessageID returns a unique Message-ID in the sender's domain.
func newMessageID(from string) string {
	domain := "isogap.invalid"
	if i := strings.LastIndexByte(from, '@'); i >= 0 && i < len(from)-1 {
		domain = from[i+1:]
	}
	b := make([]byte, 16)
	rand.Read(b)
	return "<" + hex.EncodeToString(b) + "@" + domain + ">"
}

// Printer is the Sender used when no SMTP server is configured: it writes
// each mail, readable, to W (standard output, a log) for a person to pass
// on. It checks the mail as SMTP would, so a bad address shows up here too.
type Printer struct {
	W  io.Writer
	mu sync.Mutex
}

// NewPrinter returns a Printer that writes to w.
func NewPrinter(w io.Writer) *Printer { return &Printer{W: w} }

// Send writes the mail; ctx is not used.
func (p *Printer) Send(_ context.Context, m Mail) error {
	if err := m.Validate(); err != nil {
		return err
	}
	to := m.To
	if name := oneLine(m.ToName); name != "" {
		to = name + " <" + m.To + ">"
	}
	// Control characters other than line breaks and tabs (a terminal's
	// escape sequences) are not printed.
	text := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return -1
		}
		return r
	}, strings.TrimRight(lines(m.Text), "\n"))
	p.mu.Lock()
	defer p.mu.Unlock()
	_, err := fmt.Fprintf(p.W, "──── e-mail not sent (no SMTP server configured); pass it on ────\nTo: %s\nSubject: %s\n\n%s\n────\n", to, oneLine(m.Subject), text)
	return err
}

// lines turns CRLF and CR line breaks into LF.
func lines(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}
