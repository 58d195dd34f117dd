package cli

import (
	"fmt"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/store/open"
)

// progress returns a progress callback drawing a bar on stderr when it is a
// terminal, and nothing otherwise.
func (c *cliApp) progress(what string) (func(done, total int), func()) {
	if !isTerminal(c.env.Stderr) {
		return nil, func() {}
	}
	var bar *progressbar.ProgressBar
	return func(done, total int) {
			if bar == nil {
				bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(c.env.Stderr),
					progressbar.OptionSetDescription(what), progressbar.OptionShowCount(), progressbar.OptionClearOnFinish())
			}
			bar.Set(done)
		}, func() {
			if bar != nil {
				bar.Finish()
			}
		}
}

func newCopyCmd(c *cliApp) *cobra.Command {
	var from, to string
	cmd := &cobra.Command{
		Use:   "copy --from DB --to DB",
		Short: "Copy everything between databases (SQLite ↔ PostgreSQL)",
		Long: `Copy every assessment with its items, evidence (files included), history,
forecast assumptions, snapshots and members, the accounts and the custom
catalogs from one database to another, in either direction between SQLite
files and PostgreSQL servers. An account whose login the target already has
is kept as it is there. Sessions are not copied: people sign in again.

The copy is one transaction on the target: each assessment is read back and
compared with the source before it commits, and if anything fails or differs
the target is left exactly as it was. The target must not hold any of the
assessments yet; an empty database is set up on the spot.`,
		Example: `  isogap copy --from isogap.db --to 'postgres://isogap@db.example/isogap'
  isogap copy --from "$ISOGAP_DB" --to backup.db`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if from == to {
				return usagef("--from and --to name the same database")
			}
			src, err := open.Store(cmd.Context(), c.dsn(from))
			if err != nil {
				return fmt.Errorf("--from: %w", err)
			}
			defer src.Close()
			dst, err := open.StoreInit(cmd.Context(), c.dsn(to))
			if err != nil {
				return fmt.Errorf("--to: %w", err)
			}
			defer dst.Close()
			tick, done := c.progress("copying")
			rep, err := app.Copy(cmd.Context(), src, dst, tick)
			done()
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Copied and verified %d assessments (%d items, %d evidence, %d history entries), %d custom catalogs, %d accounts and %d memberships from %s to %s.\n",
				rep.Assessments, rep.Items, rep.Evidence, rep.History, rep.Catalogs, rep.Users, rep.Memberships, src.Engine(), dst.Engine())
			if rep.UsersKept > 0 {
				fmt.Fprintf(cmd.OutOrStdout(), "%d accounts already existed in the target under the same login and were kept as they are there.\n", rep.UsersKept)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "source database: a SQLite file or a postgres:// DSN (required)")
	cmd.Flags().StringVar(&to, "to", "", "target database: a SQLite file or a postgres:// DSN (required)")
	_ = cmd.MarkFlagRequired("from")
	_ = cmd.MarkFlagRequired("to")
	return cmd
}
