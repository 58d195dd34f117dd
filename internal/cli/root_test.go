package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// The table of top-level commands names each command as it names itself.
func TestCommandTable(t *testing.T) {
	c := &cliApp{env: Env{Getenv: func(string) string { return "" }}}
	for _, cmd := range commands {
		built := cmd.build(c)
		if built.Name() != cmd.name || len(built.Aliases) > 0 {
			t.Errorf("commands: %q builds %q (aliases %q)", cmd.name, built.Name(), built.Aliases)
		}
	}
}

// A command line gets the one command it names, or none for --version;
// anything that lists or suggests commands gets them all.
func TestRootBuildsOnlyTheNamedCommand(t *testing.T) {
	names := func(args ...string) []string {
		var out []string
		for _, cmd := range newRootFor(&cliApp{env: Env{Getenv: func(string) string { return "" }}}, args).Commands() {
			out = append(out, cmd.Name())
		}
		return out
	}
	all := len(commands)
	for _, tc := range []struct {
		args []string
		want []string // nil: every command
	}{
		{[]string{"list"}, []string{"list"}},
		{[]string{"--db", "x.db", "list", "--format", "json"}, []string{"list"}},
		{[]string{"--db=x.db", "--actor", "Sam", "catalog", "list"}, []string{"catalog"}},
		{[]string{"--version"}, []string{}},
		{[]string{"--db", "x.db", "--version"}, []string{}},
		{[]string{"--db", "--version"}, nil}, // --version is the database's name
		{[]string{"--version", "--help"}, nil},
		{[]string{}, nil},
		{[]string{"--help"}, nil},
		{[]string{"help", "list"}, nil},
		{[]string{"lst"}, nil},
		{[]string{"--db", "list"}, nil}, // list is the database's name
		{[]string{"completion", "bash"}, nil},
		{[]string{"__complete", "li"}, nil},
	} {
		got := names(tc.args...)
		if tc.want == nil {
			if len(got) != all {
				t.Errorf("%q: commands %q, want all %d", tc.args, got, all)
			}
		} else if !slices.Equal(got, tc.want) {
			t.Errorf("%q: commands %q, want %q", tc.args, got, tc.want)
		}
	}
}

// Whatever the command line, building only what it needs changes nothing
// a person or a script sees.
func TestRootForAnswersAsTheWholeTree(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "isogap.db")
	clock := func() time.Time { return time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC) }
	exec := func(build func(*cliApp, []string) *cobra.Command, args ...string) string {
		var out, errb bytes.Buffer
		env := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }, Clock: clock, Dir: dir}
		code := run(context.Background(), args, env, build)
		return "exit " + string(rune('0'+code)) + "\n" + out.String() + "\n--- stderr\n" + errb.String()
	}
	whole := func(c *cliApp, _ []string) *cobra.Command { return newRoot(c) }
	if out := exec(whole, "--db", db, "init", "--org", "Start Ltd", "--scope", "Everything"); !strings.HasPrefix(out, "exit 0") {
		t.Fatal(out)
	}
	for _, args := range [][]string{
		{"--version"}, {"version"}, {"--db", db, "--version"}, {"--version", "--help"}, {"--version", "extra"},
		{}, {"--help"}, {"-h"}, {"help"}, {"help", "list"}, {"list", "--help"}, {"catalog"}, {"catalog", "--help"},
		{"--db", db, "list"}, {"--db", db, "list", "--format", "json"}, {"--db", db, "list", "--format", "nope"},
		{"--db", db, "list", "extra"}, {"--db", db, "list", "--nope"}, {"--nope"}, {"--nope", "list"}, {"--db"},
		{"lst"}, {"catalog", "lst"}, {"sso", "--help"}, {"export", "--help"}, {"set"}, {"completion", "bash"},
		{"__complete", "li"}, {"--db", db, "--actor", "", "list"}, {"--", "list"}, {"list", "--", "x"},
	} {
		if lazy, full := exec(newRootFor, args...), exec(whole, args...); lazy != full {
			t.Errorf("isogap %q:\nbuilt for the command line:\n%s\nwhole tree:\n%s", args, lazy, full)
		}
	}
}
