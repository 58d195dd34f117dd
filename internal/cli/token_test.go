package cli_test

import (
	"regexp"
	"strings"
	"testing"
)

func TestTokenCommands(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	runWith(t, dir, nil, strings.NewReader("a long enough passphrase\n"), "user", "add", "ann", "--name", "Ann Example", "--password-stdin")

	out := mustRun(t, dir, "token", "create", "--user", "ann", "--name", "ci", "--expires", "30d", "--read-only")
	secret := regexp.MustCompile(`isg_[A-Za-z0-9_-]{43}`).FindString(out)
	if secret == "" || !strings.Contains(out, "read-only") || !strings.Contains(out, "shown this once") {
		t.Fatalf("create: %s", out)
	}
	quiet := strings.TrimSpace(mustRun(t, dir, "token", "create", "--user", "ann", "--name", "sync", "-q"))
	if !regexp.MustCompile(`^isg_[A-Za-z0-9_-]{43}$`).MatchString(quiet) || quiet == secret {
		t.Errorf("-q printed %q", quiet)
	}

	list := mustRun(t, dir, "token", "list", "--user", "ann")
	if !strings.Contains(list, "ci") || !strings.Contains(list, "sync") || strings.Contains(list, secret) || strings.Count(list, "active") != 2 {
		t.Errorf("list: %s", list)
	}
	id := regexp.MustCompile(`(?m)^(\d+)\s+ci\s`).FindStringSubmatch(list)
	if id == nil {
		t.Fatalf("no id for ci in %s", list)
	}
	mustRun(t, dir, "token", "revoke", "--user", "ann", id[1])
	if list := mustRun(t, dir, "token", "list", "--user", "ann"); !strings.Contains(list, "revoked") {
		t.Errorf("after revoking: %s", list)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"token", "create", "--user", "ann", "--name", "x", "--expires", "forever"}, "--expires"},
		{[]string{"token", "create", "--user", "ann", "--name", "x", "--expires", "2y"}, "more than a year"},
		{[]string{"token", "create", "--name", "x"}, `"user"`},
		{[]string{"token", "create", "--user", "nobody", "--name", "x"}, "nobody"},
		{[]string{"token", "revoke", "--user", "ann", "999"}, "not found"},
		{[]string{"token", "revoke", "--user", "ann", "abc"}, "token id"},
	} {
		r := run(t, dir, nil, tc.args...)
		if r.code == 0 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("isogap %s: exit %d, stderr %q, want it to mention %s", strings.Join(tc.args, " "), r.code, r.stderr, tc.want)
		}
	}
}

func TestSiteCommands(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if out := mustRun(t, dir, "site", "show"); !strings.Contains(out, "Password sign-in:  on") || !strings.Contains(out, "nobody") {
		t.Errorf("a fresh site: %s", out)
	}
	out := mustRun(t, dir, "site", "set", "--password-sign-in=false", "--require-2fa", "admins")
	if !strings.Contains(out, "Password sign-in:  off") || !strings.Contains(out, "admins") {
		t.Errorf("after set: %s", out)
	}
	if out := mustRun(t, dir, "site", "set", "--password-sign-in=true"); !strings.Contains(out, "on") || !strings.Contains(out, "admins") {
		t.Errorf("setting one rule changed the other: %s", out)
	}
	for _, args := range [][]string{{"site", "set"}, {"site", "set", "--require-2fa", "auditors"}} {
		if r := run(t, dir, nil, args...); r.code == 0 || r.stderr == "" {
			t.Errorf("isogap %s: exit 0", strings.Join(args, " "))
		}
	}
}

func TestUserReset2FA(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	runWith(t, dir, nil, strings.NewReader("a long enough passphrase\n"), "user", "add", "ann", "--name", "Ann Example", "--password-stdin")
	if out := mustRun(t, dir, "user", "reset-2fa", "ANN"); !strings.Contains(out, "of ann were removed") {
		t.Errorf("reset: %s", out)
	}
	if r := run(t, dir, nil, "user", "reset-2fa", "nobody"); r.code == 0 || !strings.Contains(r.stderr, "nobody") {
		t.Errorf("an unknown login: exit %d, %s", r.code, r.stderr)
	}
}
