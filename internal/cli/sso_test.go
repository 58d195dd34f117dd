package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSSOCommands(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := runWith(t, dir, nil, strings.NewReader("the-client-secret\n"), "sso", "add", "corp", "--display-name", "Corp ID",
		"--issuer", "https://id.example.com", "--client-id", "isogap", "--client-secret-stdin", "--jit", "--allowed-domains", "example.com")
	if out.code != 0 || !strings.Contains(out.stdout, "secret set") || strings.Contains(out.stdout, "the-client-secret") {
		t.Fatalf("add: %d %s %s", out.code, out.stdout, out.stderr)
	}
	secret := filepath.Join(dir, "secret")
	if err := os.WriteFile(secret, []byte("another-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, dir, "sso", "set", "corp", "--enabled=false", "--client-secret-file", secret)
	list := mustRun(t, dir, "sso", "list")
	if !strings.Contains(list, "corp") || !strings.Contains(list, "enabled off") || strings.Contains(list, "another-secret") {
		t.Errorf("list: %s", list)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"sso", "add", "corp", "--display-name", "X", "--issuer", "https://x.example", "--client-id", "c"}, "exists already"},
		{[]string{"sso", "add", "web", "--display-name", "X", "--issuer", "http://id.example.com", "--client-id", "c"}, "https"},
		{[]string{"sso", "add", "web", "--display-name", "X", "--issuer", "https://x.example", "--client-id", "c", "--client-secret", "s"}, "unknown flag"},
		{[]string{"sso", "set", "nope", "--enabled"}, "not found"},
	} {
		r := run(t, dir, nil, tc.args...)
		if r.code == 0 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("isogap %s: exit %d, stderr %q, want it to mention %s", strings.Join(tc.args, " "), r.code, r.stderr, tc.want)
		}
	}
	mustRun(t, dir, "sso", "remove", "corp")
	if list := mustRun(t, dir, "sso", "list"); !strings.Contains(list, "No single sign-on provider") {
		t.Errorf("after removing: %s", list)
	}
}

// The command line turns password sign-in off and on again whatever the
// providers: it is how a locked-out site recovers.
func TestSSOLockoutRecovery(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	runWith(t, dir, nil, strings.NewReader("a long enough passphrase\n"), "user", "add", "ann", "--name", "Ann Example", "--admin", "--password-stdin")
	if out := mustRun(t, dir, "site", "set", "--password-sign-in=false"); !strings.Contains(out, "Password sign-in:  off") {
		t.Fatalf("off: %s", out)
	}
	if out := mustRun(t, dir, "site", "set", "--password-sign-in=true"); !strings.Contains(out, "Password sign-in:  on") {
		t.Fatalf("on again: %s", out)
	}
}
