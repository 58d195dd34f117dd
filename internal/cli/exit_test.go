package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/isogap/isogap/internal/assess"
)

// runHere runs a command line in this process against the database db.
func runHere(t *testing.T, db string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	env := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	code = Run(context.Background(), append([]string{"--db", db}, args...), env)
	return out.String(), errb.String(), code
}

const usageHint = `Run "isogap --help"`

// TestEveryKindHasAnExitCode keeps exitCodes exhaustive: a kind added to
// package assess fails here until the CLI knows how to exit on it.
func TestEveryKindHasAnExitCode(t *testing.T) {
	known := map[assess.Kind]bool{}
	for _, k := range assess.Kinds() {
		known[k] = true
		code, ok := exitCodes[k]
		switch {
		case !ok:
			t.Errorf("kind %q has no exit code in exitCodes", k)
		case k == assess.KindUsage && code != 2, k != assess.KindUsage && code != 1:
			t.Errorf("kind %q exits %d; the help promises 2 for usage errors and 1 for every other failure", k, code)
		}
	}
	for k := range exitCodes {
		if !known[k] {
			t.Errorf("exitCodes maps Kind(%d), which assess.Kinds() does not list", int(k))
		}
	}
}

// TestBadCommandLinesExit2 covers each way cobra refuses a command line: all
// exit 2 with cobra's finding and the hint to the help.
func TestBadCommandLinesExit2(t *testing.T) {
	db := filepath.Join(t.TempDir(), "never.db")
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"unknown flag", []string{"list", "--bogus"}, []string{"unknown flag", "--bogus"}},
		{"unknown shorthand flag", []string{"list", "-z"}, []string{"unknown shorthand flag", "'z'"}},
		{"unknown command", []string{"shwo"}, []string{`unknown command "shwo"`, "show"}},
		{"unknown subcommand", []string{"user", "bogus"}, []string{`unknown command "bogus" for "isogap user"`}},
		{"missing argument", []string{"show"}, []string{"isogap show needs 1 argument(s): ID (got 0)"}},
		{"missing second argument", []string{"compare", "a"}, []string{"A B", "got 1"}},
		{"too many arguments", []string{"show", "a", "b"}, []string{"ID", "got 2"}},
		{"argument to a command that takes none", []string{"list", "extra"}, []string{`"extra"`, "isogap list"}},
		{"argument to version", []string{"version", "extra"}, []string{`"extra"`}},
		{"bad int value", []string{"show", "x", "--gaps", "many"}, []string{"--gaps", "many"}},
		{"bad bool value", []string{"catalog", "--schema=maybe"}, []string{"--schema", "maybe"}},
		{"bad duration value", []string{"serve", "--session-ttl", "forever"}, []string{"--session-ttl", "forever"}},
		{"flag without its value", []string{"show", "x", "--format"}, []string{"flag needs an argument", "--format"}},
		{"required flag missing", []string{"init"}, []string{"required flag", `"org"`}},
		{"one of two required flags missing", []string{"copy", "--from", "a.db"}, []string{"required flag", `"to"`}},
		{"required flag of a subcommand", []string{"user", "add", "bob"}, []string{"required flag", `"name"`}},
		{"exclusive flags together", []string{"set", "x", "4.1", "--score", "3", "--unassess"}, []string{"score", "unassess"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := runHere(t, db, tc.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2; stderr: %s", code, stderr)
			}
			for _, w := range append(tc.want, usageHint) {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q: %s", w, stderr)
				}
			}
		})
	}
}

// TestDomainFailuresExit1: a command line that parses but fails on the data
// exits 1, without the hint to the help.
func TestDomainFailuresExit1(t *testing.T) {
	db := filepath.Join(t.TempDir(), "isogap.db")
	out, stderr, code := runHere(t, db, "init", "--org", "Acme")
	if code != 0 {
		t.Fatalf("init: exit %d: %s", code, stderr)
	}
	id := strings.TrimSpace(out)
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"not found", []string{"show", "nosuchid"}, []string{"nosuchid", "not found"}},
		{"invalid value", []string{"set", id, "4.1", "--score", "7"}, []string{"score", "1 to 5"}},
		{"conflict", []string{"set", id, "4.2", "--score", "2", "--version", "7"}, []string{"conflict", "4.2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := runHere(t, db, tc.args...)
			if code != 1 {
				t.Errorf("exit %d, want 1; stderr: %s", code, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q: %s", w, stderr)
				}
			}
			if strings.Contains(stderr, usageHint) {
				t.Errorf("a failure of the data points to the help: %s", stderr)
			}
		})
	}
}

// TestEveryCommandMarksBadArguments walks the whole command tree: each
// command must have an Args validator (cobra's default takes anything), it
// must refuse at least one of a few argument lists, and every refusal must
// be a usage error.
func TestEveryCommandMarksBadArguments(t *testing.T) {
	tries := [][]string{nil, {"x"}, {"x", "x", "x", "x", "x", "x", "x"}}
	var walk func(cmd *cobra.Command)
	walk = func(cmd *cobra.Command) {
		if cmd.Args == nil {
			t.Errorf("%s has no Args validator: it would accept any argument", cmd.CommandPath())
		} else {
			refused := false
			for _, args := range tries {
				err := cmd.Args(cmd, args)
				if err == nil {
					continue
				}
				refused = true
				if k := assess.KindOf(err); k != assess.KindUsage || exitCode(err) != 2 {
					t.Errorf("%s %q: %v is a %q error, not a usage error", cmd.CommandPath(), args, err, k)
				}
			}
			if !refused {
				t.Errorf("%s accepted every one of %q", cmd.CommandPath(), tries)
			}
		}
		for _, sub := range cmd.Commands() {
			walk(sub)
		}
	}
	walk(newRoot(&cliApp{env: Env{Getenv: func(string) string { return "" }}}))
}
