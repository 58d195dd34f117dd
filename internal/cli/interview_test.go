package cli_test

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/testenv"
)

// startSMTP runs the mail package's aiosmtpd test server on loopback and
// returns its URL and the folder it saves mails in.
func startSMTP(t *testing.T) (url, dir string) {
	t.Helper()
	py := testenv.DebianPython(t, "aiosmtpd", "python3-aiosmtpd")
	dir = t.TempDir()
	cmd := exec.Command(py, "../mail/testdata/smtpd.py", dir, "--host", "127.0.0.1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("the SMTP test server did not start: %v", err)
	}
	return "smtp://127.0.0.1:" + strings.TrimSpace(line) + "?from=Acme+ISMS+%3Cisogap@acme.example%3E", dir
}

var linkRE = regexp.MustCompile(`https://isogap\.example/interview/[A-Za-z0-9_-]{43}`)

// Invitations without SMTP are printed; reminders go through a real SMTP
// server with the new link; the paper guide holds the department's
// questions and no other's.
func TestInterviewCommands(t *testing.T) {
	dir := t.TempDir()
	id := strings.TrimSpace(mustRun(t, dir, "init", "--org", "Acme Ltd"))
	out := mustRun(t, dir, "interview", "create", id, "--department", "HR", "--to", "Jana Novak <jana@example.com>", "--due", "2099-01-31", "--remove", "A.6.3")
	if !strings.Contains(out, "interview 1 for Jana Novak <jana@example.com>") {
		t.Fatalf("create: %s", out)
	}
	out = mustRun(t, dir, "interview", "send", id, "1", "--base-url", "https://isogap.example")
	printed := linkRE.FindAllString(out, -1)
	if !strings.Contains(out, "e-mail not sent (no SMTP server configured)") || !strings.Contains(out, "To: Jana Novak <jana@example.com>") ||
		len(printed) != 2 || printed[0] != printed[1] {
		t.Fatalf("send without SMTP prints the mail with the link: %s", out)
	}
	mustRun(t, dir, "interview", "answer", id, "1", "A.6.1#1", "yes", "--comment", "agency checks")
	smtpURL, mails := startSMTP(t)
	r := run(t, dir, []string{"ISOGAP_SMTP_URL=" + smtpURL}, "interview", "remind", id, "--base-url", "https://isogap.example")
	if r.code != 0 {
		t.Fatalf("remind: %d %s", r.code, r.stderr)
	}
	files, _ := filepath.Glob(filepath.Join(mails, "*.json"))
	if len(files) != 1 {
		t.Fatalf("the SMTP server holds %d mails, want 1", len(files))
	}
	b, _ := os.ReadFile(files[0])
	var got struct {
		ToAddr  string `json:"to_addr"`
		Subject string `json:"subject"`
		Body    string `json:"body"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	link := linkRE.FindString(r.stdout)
	if got.ToAddr != "jana@example.com" || !strings.HasPrefix(got.Subject, "Reminder:") || link == "" || link == printed[0] ||
		!strings.Contains(got.Body, "\n"+link+"\r\n") || !strings.Contains(got.Body, "So far 1 of") {
		t.Errorf("reminder: to %s, %q, link %q (printed %q), body:\n%s", got.ToAddr, got.Subject, link, printed[0], got.Body)
	}
	list := mustRun(t, dir, "interview", "list", id)
	if !strings.Contains(list, "In progress") || !strings.Contains(list, "1/") {
		t.Errorf("list: %s", list)
	}
	if r := run(t, dir, nil, "interview", "revoke", id, "1"); r.code != 0 || !strings.Contains(r.stdout, "revoked") {
		t.Errorf("revoke: %+v", r)
	}
	if r := run(t, dir, nil, "interview", "answer", id, "1", "A.6.1#2", "no"); r.code != 1 || !strings.Contains(r.stderr, "revoked") {
		t.Errorf("answer after revoke: %+v", r)
	}

	mustRun(t, dir, "interview", "pack", id, "--department", "HR", "-o", "hr.pdf")
	text := pdfText(t, filepath.Join(dir, "hr.pdf"))
	for _, it := range catalog.Builtin().Items {
		for _, q := range it.Questions {
			has := regexp.MustCompile(`(^|\s)` + regexp.QuoteMeta(q.ID) + `\s`).MatchString(text)
			if it.Department == "HR" && !has {
				t.Errorf("the HR guide lacks %s", q.ID)
			}
			if it.Department != "HR" && has {
				t.Errorf("the HR guide holds %s of %s", q.ID, it.Department)
			}
		}
	}
}

func pdfText(t *testing.T, file string) string {
	t.Helper()
	out, err := exec.Command(testenv.Program(t, "pdftotext", "poppler-utils"), "-layout", file, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
