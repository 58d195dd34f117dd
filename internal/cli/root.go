// Package cli is isogap's command line: one binary for people and scripts.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/metrics"
	"github.com/isogap/isogap/internal/workbook"
)

// Env is what a run of the CLI sees of the world.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Clock is the one clock of the run (default: the system clock); the
	// database and the use cases both read it.
	Clock func() time.Time
	// Dir is the working folder that relative file names (and the default
	// database) are taken from; empty means the process's own.
	Dir string
}

// OSEnv is the process's own environment.
func OSEnv() Env {
	return Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Clock: time.Now}
}

// cliApp carries the global flags and the lazily opened store of one run.
type cliApp struct {
	env     Env
	db      string
	catalog string
	actor   string

	// exportFilter narrows an xlsx export to one stakeholder's items.
	exportFilter workbook.Filter

	st  io.Closer // the open store, closed at the end of the run (wiring.go)
	svc *app.Service
	// everyoneCreates is the server's setting that every account may start
	// assessments (app.Config).
	everyoneCreates bool
	// metrics, when the server exports metrics, hears of the service's
	// events and reads the store's pools (wiring.go).
	metrics *metrics.Metrics
	// mailer sends interview mails (wiring.go); nil until a command picks one.
	mailer app.Mailer
}

// me is the principal the command line acts as: the trusted local
// administrator, recorded in the history under who().
func (c *cliApp) me() app.Principal { return app.System(c.who()) }

// openFor refuses an unknown --format before it opens the database.
func (c *cliApp) openFor(cmd *cobra.Command, format string, allowed ...string) (*app.Service, error) {
	if err := checkFormat(format, allowed...); err != nil {
		return nil, err
	}
	return c.service(cmd.Context())
}

// path resolves a file name given on the command line against Env.Dir.
func (c *cliApp) path(name string) string {
	if c.env.Dir == "" || name == "" || name == "-" || filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(c.env.Dir, name)
}

// who names the person behind a change made from the command line.
func (c *cliApp) who() string {
	if c.actor != "" {
		return c.actor
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username + " (cli)"
	}
	return "cli"
}

// usagef builds a usage error: a command line that does not parse.
func usagef(format string, args ...any) error {
	return assess.Errorf(assess.KindUsage, format, args...)
}

// usage marks an error, cobra's mostly, as a command line that does not parse.
func usage(err error) error {
	if err == nil {
		return nil
	}
	return assess.Wrap(assess.KindUsage, err, "")
}

// Run runs the command line and returns the exit code: 0 success, 1 the
// command failed, 2 the command line is wrong.
func Run(ctx context.Context, args []string, env Env) int {
	return run(ctx, args, env, newRootFor)
}

// run is Run with the root command built by newRoot.
func run(ctx context.Context, args []string, env Env, newRoot func(*cliApp, []string) *cobra.Command) int {
	c := &cliApp{env: env}
	root := newRoot(c, args)
	root.SetArgs(args)
	root.SetIn(env.Stdin)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	err := root.ExecuteContext(ctx)
	err = errors.Join(err, c.close())
	if err == nil {
		return 0
	}
	code := exitCode(err)
	fmt.Fprintf(env.Stderr, "isogap: %s\n", strings.TrimSpace(err.Error()))
	if assess.KindOf(err) == assess.KindUsage {
		fmt.Fprintln(env.Stderr, `Run "isogap --help" or "isogap COMMAND --help" for usage.`)
	}
	return code
}

// exitCodes is the one table from an error's kind to the CLI's exit code:
// 2 for a command line that does not parse, 1 for any other failure.
var exitCodes = map[assess.Kind]int{
	assess.KindInternal:        1,
	assess.KindInvalid:         1,
	assess.KindNotFound:        1,
	assess.KindConflict:        1,
	assess.KindForbidden:       1,
	assess.KindUnauthenticated: 1,
	assess.KindSchema:          1,
	assess.KindUsage:           2,
	assess.KindRateLimited:     1,
}

// exitCode looks the error's kind up in exitCodes. Errors of cobra's own
// parsing reach here marked as usage errors (see newRoot, usageArgs).
func exitCode(err error) int {
	if code, ok := exitCodes[assess.KindOf(err)]; ok {
		return code
	}
	return 1
}

const rootLong = `isogap runs an ISO/IEC 27001:2022 gap assessment from start to finish.

Define the ISMS scope and stakeholders, score the 30 clause requirements and
93 Annex A controls on a 1-5 index with evidence, owners and target dates,
and see readiness, coverage and what still blocks certification.

Scores: 1 Not Started, 2 Planning Only, 3 Partially Implemented, 4 Mostly Done,
5 Fully Implemented & Evidenced (a 5 without evidence counts as 4).

Data lives in one SQLite file (isogap.db in the working folder) unless --db
or ISOGAP_DB names another file or a postgres:// server.

Exit status: 0 success, 1 the command failed (bad value, not found,
conflict), 2 the command line is wrong.`

// commands are the top-level commands, by name, in the order help lists
// them.
var commands = []struct {
	name  string
	build func(*cliApp) *cobra.Command
}{
	{"init", newInitCmd}, {"list", newListCmd}, {"show", newShowCmd}, {"set", newSetCmd}, {"history", newHistoryCmd},
	{"export", newExportCmd}, {"import", newImportCmd}, {"template", newTemplateCmd}, {"demo", newDemoCmd}, {"catalog", newCatalogCmd},
	{"token", newTokenCmd}, {"site", newSiteCmd}, {"sso", newSSOCmd}, {"migrate", newMigrateCmd}, {"copy", newCopyCmd},
	{"backup", newBackupCmd}, {"restore", newRestoreCmd}, {"version", func(*cliApp) *cobra.Command { return newVersionCmd() }},
	{"forecast", newForecastCmd}, {"plan", newPlanCmd}, {"roadmap", newRoadmapCmd}, {"risks", newRisksCmd}, {"soa", newSoACmd}, {"report", newReportCmd},
	{"snapshot", newSnapshotCmd}, {"snapshots", newSnapshotsCmd}, {"compare", newCompareCmd},
	{"serve", newServeCmd}, {"user", newUserCmd}, {"member", newMemberCmd}, {"interview", newInterviewCmd},
}

// newRoot is the root command with every command under it.
func newRoot(c *cliApp) *cobra.Command {
	root := newBareRoot(c)
	for _, cmd := range commands {
		root.AddCommand(cmd.build(c))
	}
	return root
}

// newRootFor is the root command with what the command line args needs:
// only the command it names, or none for "isogap --version"; the whole
// tree (newRoot) for anything else (help, completion, an unknown command),
// which lists or suggests commands. Building every command and its flags
// and help takes longer than a short command's own work.
func newRootFor(c *cliApp, args []string) *cobra.Command {
	// cobra's own search, on a root of the same flags whose commands are
	// names only, finds the command as the whole tree would.
	probe := newBareRoot(&cliApp{env: c.env})
	for _, cmd := range commands {
		probe.AddCommand(&cobra.Command{Use: cmd.name, Run: func(*cobra.Command, []string) {}})
	}
	found, _, err := probe.Find(args)
	root := newBareRoot(c)
	switch {
	case err != nil:
		return newRoot(c)
	case found != probe:
		for _, cmd := range commands {
			if cmd.name == found.Name() {
				root.AddCommand(cmd.build(c))
				return root
			}
		}
		return newRoot(c)
	}
	// No command named: cobra prints the version before it looks at the
	// commands, unless help is asked for as well.
	probe.InitDefaultHelpFlag()
	probe.InitDefaultVersionFlag()
	if probe.ParseFlags(args) == nil {
		version, err1 := probe.Flags().GetBool("version")
		help, err2 := probe.Flags().GetBool("help")
		if err1 == nil && err2 == nil && version && !help {
			return root
		}
	}
	return newRoot(c)
}

// newBareRoot is the root command with its flags and no command under it.
func newBareRoot(c *cliApp) *cobra.Command {
	root := &cobra.Command{
		Use:           "isogap",
		Short:         "ISO/IEC 27001:2022 gap assessment",
		Long:          rootLong,
		SilenceUsage:  true,
		SilenceErrors: true,
		Example: `  isogap demo                               # a realistic demo assessment in the browser
  isogap serve                              # the web application on 127.0.0.1:8080
  isogap init --org "Acme Ltd" --scope "The Acme SaaS platform"
  isogap set ID A.5.15 --score 3 --owner "Sam" --priority High --target-date 2027-03-31
  isogap show ID`,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("db") {
				if v := c.env.Getenv("ISOGAP_DB"); v != "" {
					c.db = v
				}
			}
			if c.actor != "" {
				errs := &assess.FieldErrors{}
				if !assess.CheckShort(errs, "--actor", c.actor) {
					return errs
				}
			}
			// cobra checks required flags and flag groups after this hook and
			// returns its findings unmarked; checking first marks them as usage.
			if err := cmd.ValidateRequiredFlags(); err != nil {
				return usage(err)
			}
			return usage(cmd.ValidateFlagGroups())
		},
	}
	group(root)
	root.CompletionOptions.HiddenDefaultCmd = true
	// "isogap --version" as well as "isogap version", in the same words.
	root.Version = Version
	root.SetVersionTemplate("isogap {{.Version}}\n")
	pf := root.PersistentFlags()
	pf.StringVar(&c.db, "db", defaultDB, "database: a SQLite file path or a postgres:// DSN (env ISOGAP_DB)")
	pf.StringVar(&c.catalog, "catalog", "", "catalog to use: a file (isogap or OSCAL catalog JSON) or a catalog stored by \"isogap catalog import\", as ID or ID@VERSION; default: the built-in ISO/IEC 27001:2022 catalog")
	pf.StringVar(&c.actor, "actor", "", "name recorded in the history for changes (default: your user name)")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error { return usage(err) })
	return root
}

// Every command's Args is one of these validators, or returns usagef's errors:
// a wrong number of arguments is a usage error (exit 2), like a bad flag.

// usageArgs marks the errors of one of cobra's validators as usage errors.
func usageArgs(v cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error { return usage(v(cmd, args)) }
}

// noArgs refuses any argument.
var noArgs = usageArgs(cobra.NoArgs)

// group makes cmd a command that only holds subcommands: run bare, it shows
// its help; an argument that names none of them is a usage error. cobra's own
// check is made at the root only, with an unmarked error; below the root an
// unknown subcommand would print help and succeed.
func group(cmd *cobra.Command) *cobra.Command {
	cmd.SuggestionsMinimumDistance = 2
	cmd.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return nil
		}
		msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
		if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
			msg += "\n\nDid you mean this?\n\t" + strings.Join(s, "\n\t")
		}
		return usagef("%s", msg)
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error { return cmd.Help() }
	return cmd
}

// exactArgs is cobra.ExactArgs with a message naming the arguments.
func exactArgs(names ...string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != len(names) {
			return usagef("%s needs %d argument(s): %s (got %d)", cmd.CommandPath(), len(names), strings.Join(names, " "), len(args))
		}
		return nil
	}
}

// Version is set at build time with -ldflags "-X ...cli.Version=v1.2.3".
var Version = "dev"

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print isogap's version",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintln(cmd.OutOrStdout(), "isogap", Version)
			return nil
		},
	}
}
