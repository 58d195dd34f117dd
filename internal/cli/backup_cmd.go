package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

func newBackupCmd(c *cliApp) *cobra.Command {
	var out, verify string
	var force bool
	cmd := &cobra.Command{
		Use:   "backup -o FILE | --verify FILE",
		Short: "Back up the database to a SQLite file, or check a backup",
		Long: `Write a consistent copy of the --db database to FILE, a SQLite file, and
check it: SQLite's integrity check, the schema version, and every assessment
read back in full.

A SQLite database is copied while "isogap serve" keeps running and writing:
the copy is one snapshot of the database (VACUUM INTO), taken without
stopping the writers. It is written to a temporary file beside FILE and
renamed into place only when complete, so FILE never holds half a backup.
An existing FILE is kept unless --force.

A PostgreSQL database is written out as a portable SQLite file, as
"isogap copy" would, in one verified read. For the server's own backups
(point-in-time recovery, roles, everything else on the server) use pg_dump.

--verify FILE checks a backup without touching any database and exits
non-zero if anything is wrong. "isogap restore" puts a backup back.`,
		Example: `  isogap backup -o backups/isogap-$(date +%F).db
  isogap backup --verify backups/isogap-2027-03-01.db
  isogap --db 'postgres://isogap@db.example/isogap' backup -o isogap-export.db`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			// Messages name the files as they were typed.
			outName, verifyName := out, verify
			out, verify := c.path(out), c.path(verify)
			if verify != "" {
				if force {
					return usagef("--force goes with -o, not --verify")
				}
				got, err := c.verifyBackup(ctx, verify)
				if err != nil {
					return err
				}
				summary(cmd.OutOrStdout(), "Backup "+verifyName+" is sound", got)
				return nil
			}
			tick, done := c.progress("backing up")
			err := c.backup(ctx, out, force, tick)
			done()
			if err != nil {
				return err
			}
			got, err := c.verifyBackup(ctx, out)
			if err != nil {
				return fmt.Errorf("the backup was written but does not verify: %w", err)
			}
			summary(cmd.OutOrStdout(), "Backed up to "+outName, got)
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "the backup file to write (a SQLite file)")
	cmd.Flags().StringVar(&verify, "verify", "", "check this backup file instead of writing one")
	cmd.Flags().BoolVar(&force, "force", false, "replace the -o file if it exists")
	cmd.MarkFlagsMutuallyExclusive("output", "verify")
	cmd.MarkFlagsOneRequired("output", "verify")
	return cmd
}

func newRestoreCmd(c *cliApp) *cobra.Command {
	var to string
	var force bool
	cmd := &cobra.Command{
		Use:   "restore FILE [--to DB]",
		Short: "Restore a backup into a database",
		Long: `Put the backup FILE (made by "isogap backup") back as the database named
by --to, or by --db when --to is not given. The backup is verified first,
as "isogap backup --verify" does; nothing is touched if it fails.

A SQLite target is replaced whole: the backup is copied beside it and
renamed into place, so the target is either the old database or the whole
backup. A target that holds any data is refused unless --force, and so is
one another program has open: stop "isogap serve" first.

A PostgreSQL target must be empty (a new database, or one isogap set up
and nobody used); the backup is copied into it in one verified transaction,
as "isogap copy" does. To restore a server-side pg_dump, use pg_restore.`,
		Example: `  isogap restore backups/isogap-2027-03-01.db
  isogap restore backups/isogap-2027-03-01.db --to restored.db
  isogap restore backups/isogap-2027-03-01.db --to 'postgres://isogap@db.example/isogap'`,
		Args: exactArgs("FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			target, targetName := c.dsn(to), to
			if to == "" {
				target, targetName = c.dbPath(), c.db
			}
			tick, done := c.progress("restoring")
			want, _, err := c.restore(cmd.Context(), c.path(args[0]), target, force, tick)
			done()
			if err != nil {
				return err
			}
			summary(cmd.OutOrStdout(), "Restored "+args[0]+" into "+dbName(targetName), want)
			return nil
		},
	}
	cmd.Flags().StringVar(&to, "to", "", "the database to restore into: a SQLite file or a postgres:// DSN (default: --db)")
	cmd.Flags().BoolVar(&force, "force", false, "replace a SQLite target that holds data")
	return cmd
}

// summary prints what a checked backup holds.
func summary(w io.Writer, head string, got checked) {
	inv := got.inv
	fmt.Fprintf(w, "%s: integrity check ok, schema version %d, %d assessments (%d items, %d evidence, %d history entries), %d accounts, %d memberships and %d custom catalogs, all read back.\n",
		head, got.schema, inv.Assessments, inv.Items, inv.Evidence, inv.History, inv.Users, inv.Memberships, inv.Catalogs)
}
