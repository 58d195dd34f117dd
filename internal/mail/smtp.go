package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"net/smtp"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Default ports: mail submission with STARTTLS, and submission over TLS.
const (
	defaultPort    = "587"
	defaultTLSPort = "465"
)

// Timeouts when the SMTP struct leaves them zero.
const (
	DefaultDialTimeout = 15 * time.Second
	DefaultTimeout     = time.Minute // the whole conversation of one mail
)

// SMTP sends mail through an SMTP server. Build it with ParseURL or fill it
// in; the zero timeouts take the defaults above.
type SMTP struct {
	Host string
	Port string
	// ImplicitTLS speaks TLS from the first byte (smtps://, usually port
	// 465). Otherwise the connection is upgraded with STARTTLS whenever the
	// server offers it.
	ImplicitTLS bool
	// Username and Password sign in with AUTH PLAIN; empty Username sends
	// without signing in. The password is only ever sent encrypted, or to
	// the loopback address.
	Username, Password string
	// From is the sender: "isogap@example.com" or "Acme ISMS <isogap@example.com>".
	From string
	// TLSConfig, when set, is used for TLS (its ServerName defaults to Host);
	// nil verifies the server against the system's certificate authorities.
	TLSConfig   *tls.Config
	DialTimeout time.Duration
	Timeout     time.Duration
	// Now dates the mails; nil is the system clock.
	Now func() time.Time
}

// ParseURL reads the SMTP settings from a URL:
//
//	smtp://user:pass@host:port?from=isogap@example.com   STARTTLS when offered (port 587 if left out)
//	smtps://user:pass@host:port?from=…                   TLS from the start (port 465 if left out)
//
// User and password are optional (percent-encode special characters in
// them). Without ?from= the sender is the user name when it is an address;
// otherwise set From before sending.
func ParseURL(s string) (*SMTP, error) {
	const want = "want smtp://user:pass@host:port?from=isogap@example.com (STARTTLS) or smtps://… (TLS from the start)"
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("SMTP URL is empty; " + want)
	}
	// url.Parse's errors quote the whole URL, password included: never
	// show them.
	u, err := url.Parse(s)
	if err != nil {
		return nil, errors.New("SMTP URL is not a valid URL (check that special characters in the user name and password are percent-encoded); " + want)
	}
	c := &SMTP{}
	switch u.Scheme {
	case "smtp":
		c.Port = defaultPort
	case "smtps":
		c.Port, c.ImplicitTLS = defaultTLSPort, true
	default:
		return nil, fmt.Errorf("SMTP URL: scheme %q; %s", u.Scheme, want)
	}
	if u.Opaque != "" || u.Host == "" {
		return nil, errors.New("SMTP URL has no server name; " + want)
	}
	c.Host = u.Hostname()
	if c.Host == "" {
		return nil, errors.New("SMTP URL has no server name; " + want)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("SMTP URL: port %q is not a number from 1 to 65535", p)
		}
		c.Port = p
	}
	if u.Path != "" && u.Path != "/" {
		return nil, fmt.Errorf("SMTP URL: unexpected path %q; settings go in the query, such as ?from=isogap@example.com", u.Path)
	}
	if u.Fragment != "" {
		return nil, errors.New("SMTP URL: unexpected #fragment (percent-encode a '#' in the password as %23)")
	}
	if u.User != nil {
		c.Username = u.User.Username()
		pass, ok := u.User.Password()
		if c.Username == "" || !ok || pass == "" {
			return nil, fmt.Errorf("SMTP URL: give both a user name and a password (smtp://user:pass@%s), or neither", c.Host)
		}
		c.Password = pass
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("SMTP URL: the query after '?' is not valid: %v", err)
	}
	for k, v := range q {
		if k != "from" {
			return nil, fmt.Errorf("SMTP URL: unknown setting %q; the one setting is ?from=isogap@example.com", k)
		}
		if len(v) != 1 {
			return nil, errors.New("SMTP URL: from is given more than once")
		}
		c.From = v[0]
	}
	if c.From == "" && strings.Contains(c.Username, "@") {
		c.From = c.Username
	}
	if c.From != "" {
		if _, err := c.sender(); err != nil {
			return nil, fmt.Errorf("SMTP URL: %w", err)
		}
	}
	return c, nil
}

// String is the settings as a URL without the password, for logs.
func (c *SMTP) String() string {
	u := url.URL{Scheme: "smtp", Host: net.JoinHostPort(c.Host, c.Port)}
	if c.ImplicitTLS {
		u.Scheme = "smtps"
	}
	if c.Username != "" {
		u.User = url.User(c.Username)
	}
	if c.From != "" {
		u.RawQuery = url.Values{"from": {c.From}}.Encode()
	}
	return u.String()
}

// sender parses From.
func (c *SMTP) sender() (*netmail.Address, error) {
	if c.From == "" {
		return nil, errors.New("no sender address: add ?from=isogap@example.com to the SMTP URL")
	}
	if err := checkHeaderText("sender", c.From); err != nil {
		return nil, err
	}
	a, err := netmail.ParseAddress(c.From)
	if err != nil {
		return nil, fmt.Errorf("sender %q: want an address such as isogap@example.com or \"Acme ISMS <isogap@example.com>\"", c.From)
	}
	if err := checkAddress("sender", a.Address); err != nil {
		return nil, err
	}
	return a, nil
}

// localhost reports a server name net/smtp's PlainAuth sends a password to
// without TLS: the loopback names it knows.
func localhost(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// Send delivers m: connect, TLS (from the start or by STARTTLS when the
// server offers it), AUTH PLAIN when a user is set, then the message. The
// context and Timeout bound the whole conversation.
func (c *SMTP) Send(ctx context.Context, m Mail) error {
	from, err := c.sender()
	if err != nil {
		return err
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	msg, err := compose(m, from, now(), newMessageID(from.Address))
	if err != nil {
		return err
	}
	addr := net.JoinHostPort(c.Host, c.Port)
	fail := func(step string, err error) error {
		// The connection's deadline and the context's timer are the same
		// instant; whichever fires first, a timeout reads as one.
		switch {
		case errors.Is(ctx.Err(), context.Canceled):
			err = ctx.Err()
		case ctx.Err() != nil || errors.Is(err, os.ErrDeadlineExceeded):
			err = fmt.Errorf("no answer in time: %w", context.DeadlineExceeded)
		}
		return fmt.Errorf("mail to %s through %s: %s: %w", m.To, addr, step, err)
	}

	timeout := orDefault(c.Timeout, DefaultTimeout)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	dialer := &net.Dialer{Timeout: orDefault(c.DialTimeout, DefaultDialTimeout)}
	conn, err := dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fail("connect", err)
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	// Cancelling the context ends a conversation stuck in a read.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	tlsConfig := &tls.Config{ServerName: c.Host, MinVersion: tls.VersionTLS12}
	if c.TLSConfig != nil {
		tlsConfig = c.TLSConfig.Clone()
		if tlsConfig.ServerName == "" {
			tlsConfig.ServerName = c.Host
		}
	}
	encrypted := false
	if c.ImplicitTLS {
		tc := tls.Client(conn, tlsConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			return fail("TLS", err)
		}
		conn, encrypted = tc, true
	}
	client, err := smtp.NewClient(conn, c.Host)
	if err != nil {
		return fail("greeting", err)
	}
	defer client.Close()
	if !encrypted {
		if ok, _ := client.Extension("STARTTLS"); ok {
			if err := client.StartTLS(tlsConfig); err != nil {
				return fail("STARTTLS", err)
			}
			encrypted = true
		}
	}
	if c.Username != "" {
		if !encrypted && !localhost(c.Host) {
			return fail("AUTH", errors.New("refusing to send the password unencrypted: the server does not offer STARTTLS, "+
				"and a password goes without TLS only to localhost (as Go's net/smtp PlainAuth rules); "+
				"use smtps:// if the server speaks TLS from the start"))
		}
		if ok, _ := client.Extension("AUTH"); !ok {
			return fail("AUTH", errors.New("the server does not offer AUTH; leave the user name and password out of the SMTP URL"))
		}
		if err := client.Auth(smtp.PlainAuth("", c.Username, c.Password, c.Host)); err != nil {
			return fail("AUTH PLAIN as "+c.Username, err)
		}
	}
	if err := client.Mail(from.Address); err != nil {
		return fail("MAIL FROM "+from.Address, err)
	}
	if err := client.Rcpt(m.To); err != nil {
		return fail("RCPT TO", err)
	}
	w, err := client.Data()
	if err != nil {
		return fail("DATA", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fail("sending the message", err)
	}
	if err := w.Close(); err != nil {
		return fail("sending the message", err)
	}
	// The server has taken the message: a failed goodbye does not undo
	// that, and reporting it would invite sending the mail twice.
	client.Quit()
	return nil
}

// orDefault returns d, or def when d is not positive.
func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}
