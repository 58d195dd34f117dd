package mail

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/testenv"
)

// smtpServer is testdata/smtpd.py (aiosmtpd) running on a loopback port.
type smtpServer struct {
	host, port string
	dir        string
}

// received is what the server's Python e-mail parser read from a message.
type received struct {
	MailFrom    string   `json:"mail_from"`
	RcptTos     []string `json:"rcpt_tos"`
	TLS         bool     `json:"tls"`
	User        string   `json:"user"`
	ToName      string   `json:"to_name"`
	ToAddr      string   `json:"to_addr"`
	From        string   `json:"from"`
	Subject     string   `json:"subject"`
	Date        string   `json:"date"`
	MessageID   string   `json:"message_id"`
	ContentType string   `json:"content_type"`
	Charset     string   `json:"charset"`
	Body        string   `json:"body"`
	Defects     []string `json:"defects"`
}

func startSMTP(t *testing.T, host string, args ...string) smtpServer {
	t.Helper()
	py := testenv.DebianPython(t, "aiosmtpd", "python3-aiosmtpd")
	dir := t.TempDir()
	cmd := exec.Command(py, append([]string{"testdata/smtpd.py", dir, "--host", host}, args...)...)
	var stderr testenv.LockedBuffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	// The server prints its port once it listens; if it dies, the pipe ends.
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("the SMTP test server did not start: %v\n%s", err, stderr.String())
	}
	return smtpServer{host: host, port: strings.TrimSpace(line), dir: dir}
}

func (s smtpServer) url(scheme, userinfo string) string {
	if userinfo != "" {
		userinfo += "@"
	}
	return scheme + "://" + userinfo + net.JoinHostPort(s.host, s.port) + "?from=Acme+ISMS+%3Cisogap@acme.example%3E"
}

func (s smtpServer) mails(t *testing.T) []received {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(s.dir, "*.json"))
	var out []received
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var r received
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func sender(t *testing.T, url string) *SMTP {
	t.Helper()
	s, err := ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	s.Now = func() time.Time { return date }
	return s
}

var invitation = Invitation{Org: "Acme Ltd", Name: "Jana Novák 山田", Email: "jana@example.com", Department: "HR",
	Assessor: "Tomás Rivera", Link: "https://isogap.acme.example/interview/Zx9_k-3qT0k3n?x=1&y=%2F",
	Due: time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC), Items: 6, Questions: 18}

// checkDelivered checks the one mail the server holds, as Python read it.
func checkDelivered(t *testing.T, s smtpServer, m Mail, tls bool, user string) {
	t.Helper()
	got := s.mails(t)
	if len(got) != 1 {
		t.Fatalf("the server holds %d mails, want 1", len(got))
	}
	r := got[0]
	if r.MailFrom != "isogap@acme.example" || len(r.RcptTos) != 1 || r.RcptTos[0] != m.To {
		t.Errorf("envelope from %q to %v", r.MailFrom, r.RcptTos)
	}
	if r.ToAddr != m.To || r.ToName != m.ToName {
		t.Errorf("To reads %q <%s>", r.ToName, r.ToAddr)
	}
	if r.Subject != m.Subject {
		t.Errorf("Subject reads %q, want %q", r.Subject, m.Subject)
	}
	if r.From != "Acme ISMS <isogap@acme.example>" || r.ContentType != "text/plain" || r.Charset != "utf-8" ||
		r.Date != "Sun, 10 Jan 2027 09:30:00 +0100" || !strings.HasSuffix(r.MessageID, "@acme.example>") {
		t.Errorf("headers: %+v", r)
	}
	// Python keeps the message's CRLF line ends in the decoded text.
	if r.Body = strings.ReplaceAll(r.Body, "\r\n", "\n"); r.Body != m.Text {
		t.Errorf("the body reads\n%q\nwant\n%q", r.Body, m.Text)
	}
	if !strings.Contains(r.Body, "\n"+invitation.Link+"\n") {
		t.Error("the link does not arrive whole on a line of its own")
	}
	if len(r.Defects) > 0 {
		t.Errorf("Python's parser finds defects: %v", r.Defects)
	}
	if r.TLS != tls || r.User != user {
		t.Errorf("TLS %v (want %v), user %q (want %q)", r.TLS, tls, r.User, user)
	}
}

func TestSMTPDelivers(t *testing.T) {
	s := startSMTP(t, "127.0.0.1")
	m := InvitationMail(invitation)
	if err := sender(t, s.url("smtp", "")).Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	checkDelivered(t, s, m, false, "")
}

func TestSMTPAuthOnLoopback(t *testing.T) {
	s := startSMTP(t, "127.0.0.1", "--auth", "isogap:pa ss:wörd")
	err := sender(t, s.url("smtp", "isogap:wrong")).Send(context.Background(), InvitationMail(invitation))
	if err == nil || !strings.Contains(err.Error(), "AUTH PLAIN as isogap") || !strings.Contains(err.Error(), "535") {
		t.Errorf("a wrong password: %v", err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Errorf("the error shows the password: %v", err)
	}
	m := ReminderMail(invitation, date)
	if err := sender(t, s.url("smtp", "isogap:pa%20ss%3Aw%C3%B6rd")).Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	checkDelivered(t, s, m, false, "isogap")
}

// TestSMTPRefusesPasswordInClear: a server that is not on a loopback name
// and offers no STARTTLS never sees the password. 127.0.0.2 is still this
// machine, but not one of the names PlainAuth trusts.
func TestSMTPRefusesPasswordInClear(t *testing.T) {
	s := startSMTP(t, "127.0.0.2", "--auth", "isogap:secret")
	err := sender(t, s.url("smtp", "isogap:secret")).Send(context.Background(), InvitationMail(invitation))
	if err == nil || !strings.Contains(err.Error(), "refusing to send the password unencrypted") || !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("got %v", err)
	}
	if n := len(s.mails(t)); n != 0 {
		t.Errorf("%d mails delivered", n)
	}
	// Without a password the same server takes the mail.
	m := InvitationMail(invitation)
	if err := sender(t, s.url("smtp", "")).Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	checkDelivered(t, s, m, false, "")
}

// selfSigned writes a certificate for 127.0.0.2 and localhost and returns
// the files and a pool that trusts it.
func selfSigned(t *testing.T) (cert, key string, pool *x509.CertPool) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "isogap test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.2")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600)
	parsed, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(parsed)
	return cert, key, pool
}

// TestSMTPStartTLS: offered STARTTLS is taken before the password goes,
// and the server's certificate is checked.
func TestSMTPStartTLS(t *testing.T) {
	cert, key, pool := selfSigned(t)
	s := startSMTP(t, "127.0.0.2", "--auth", "isogap:secret", "--starttls", cert, key)
	untrusting := sender(t, s.url("smtp", "isogap:secret"))
	if err := untrusting.Send(context.Background(), InvitationMail(invitation)); err == nil || !strings.Contains(err.Error(), "STARTTLS") ||
		!strings.Contains(err.Error(), "certificate") {
		t.Errorf("an untrusted certificate: %v", err)
	}
	c := sender(t, s.url("smtp", "isogap:secret"))
	c.TLSConfig = &tls.Config{RootCAs: pool}
	m := InvitationMail(invitation)
	if err := c.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	checkDelivered(t, s, m, true, "isogap")
}

func TestSMTPS(t *testing.T) {
	cert, key, pool := selfSigned(t)
	s := startSMTP(t, "127.0.0.2", "--auth", "isogap:secret", "--smtps", cert, key)
	c := sender(t, s.url("smtps", "isogap:secret"))
	c.TLSConfig = &tls.Config{RootCAs: pool}
	m := InvitationMail(invitation)
	if err := c.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	checkDelivered(t, s, m, true, "isogap")
}

// TestSMTPSilentServer: a server that accepts the connection and never
// answers ends in an error naming the step, not a hang.
func TestSMTPSilentServer(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	c := sender(t, "smtp://127.0.0.1:"+port+"?from=isogap@acme.example")
	c.Timeout = 200 * time.Millisecond
	err = c.Send(context.Background(), InvitationMail(invitation))
	if err == nil || !strings.Contains(err.Error(), "greeting") || !strings.Contains(err.Error(), "deadline") {
		t.Errorf("got %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c.Timeout = 0
	if err := c.Send(ctx, InvitationMail(invitation)); err == nil || !strings.Contains(err.Error(), "canceled") {
		t.Errorf("a cancelled context: %v", err)
	}
}
