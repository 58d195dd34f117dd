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

	"github.com/spf13/cobra"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store"
	"github.com/isogap/isogap/internal/store/open"
	"github.com/isogap/isogap/internal/store/postgres"
	"github.com/isogap/isogap/internal/workbook"
)

// Env is what a run of the CLI sees of the world.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Dir is the working folder that relative file names (and the default
	// database) are taken from; empty means the process's own.
	Dir string
}

// OSEnv is the process's own environment.
func OSEnv() Env {
	return Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
}

// cliApp carries the global flags and the lazily opened store of one run.
type cliApp struct {
	env     Env
	db      string
	catalog string
	actor   string

	// exportFilter narrows an xlsx export to one stakeholder's items.
	exportFilter workbook.Filter

	st  store.Store
	svc *app.Service
}

// service opens the database on first use.
func (c *cliApp) service(ctx context.Context) (*app.Service, error) {
	if c.svc != nil {
		return c.svc, nil
	}
	st, err := open.Store(ctx, c.dsn(c.db))
	if err != nil {
		return nil, err
	}
	c.st, c.svc = st, app.New(st)
	return c.svc, nil
}

// openFor refuses an unknown --format before it opens the database.
func (c *cliApp) openFor(cmd *cobra.Command, format string, allowed ...string) (*app.Service, error) {
	if err := checkFormat(format, allowed...); err != nil {
		return nil, err
	}
	return c.service(cmd.Context())
}

func (c *cliApp) close() error {
	if c.st == nil {
		return nil
	}
	return c.st.Close()
}

// path resolves a file name given on the command line against Env.Dir.
func (c *cliApp) path(name string) string {
	if c.env.Dir == "" || name == "" || name == "-" || filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(c.env.Dir, name)
}

// dsn is path for a database: a postgres:// DSN is left as it is.
func (c *cliApp) dsn(db string) string {
	if postgres.IsDSN(db) {
		return db
	}
	if db == "" {
		db = open.DefaultDB
	}
	return c.path(db)
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

// usageError marks a command line that does not parse: exit code 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// Run runs the command line and returns the exit code: 0 success, 1 the
// command failed, 2 the command line is wrong.
func Run(ctx context.Context, args []string, env Env) int {
	c := &cliApp{env: env}
	root := newRoot(c)
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
	if code == 2 {
		fmt.Fprintln(env.Stderr, `Run "isogap --help" or "isogap COMMAND --help" for usage.`)
	}
	return code
}

func exitCode(err error) int {
	var u usageError
	if errors.As(err, &u) {
		return 2
	}
	// cobra's own parse errors (unknown flag, bad flag value, arguments).
	msg := err.Error()
	for _, p := range []string{"unknown flag", "unknown shorthand flag", "unknown command", "flag needs an argument",
		"invalid argument", "accepts ", "requires at least", "required flag", "if any flags in the group"} {
		if strings.Contains(msg, p) {
			return 2
		}
	}
	return assess.KindOf(err).ExitCode()
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

func newRoot(c *cliApp) *cobra.Command {
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
			return nil
		},
	}
	root.CompletionOptions.HiddenDefaultCmd = true
	pf := root.PersistentFlags()
	pf.StringVar(&c.db, "db", open.DefaultDB, "database: a SQLite file path or a postgres:// DSN (env ISOGAP_DB)")
	pf.StringVar(&c.catalog, "catalog", "", "custom catalog file (JSON, see \"isogap catalog --schema\"); default: the built-in ISO/IEC 27001:2022 catalog")
	pf.StringVar(&c.actor, "actor", "", "name recorded in the history for changes (default: your user name)")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error { return usageError{err} })
	for _, cmd := range []*cobra.Command{
		newInitCmd(c), newListCmd(c), newShowCmd(c), newSetCmd(c), newHistoryCmd(c),
		newExportCmd(c), newImportCmd(c), newTemplateCmd(c), newDemoCmd(c), newCatalogCmd(c), newMigrateCmd(c), newCopyCmd(c), newVersionCmd(),
		newForecastCmd(c), newPlanCmd(c), newRoadmapCmd(c), newRisksCmd(c), newSoACmd(c), newReportCmd(c),
		newSnapshotCmd(c), newSnapshotsCmd(c), newCompareCmd(c),
		newServeCmd(c), newUserCmd(c), newMemberCmd(c),
	} {
		root.AddCommand(cmd)
	}
	return root
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
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintln(cmd.OutOrStdout(), "isogap", Version)
			return nil
		},
	}
}
