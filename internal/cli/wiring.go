package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/mail"
	"github.com/isogap/isogap/internal/store"
	"github.com/isogap/isogap/internal/store/open"
	"github.com/isogap/isogap/internal/store/postgres"
	"github.com/isogap/isogap/internal/store/sqlite"
)

// This file is the only place in the adapters that sees a store: it opens
// the database named by --db and hands it to the service. Everything else
// goes through app.Service as c.me().

// clock is the run's clock.
func (c *cliApp) clock() func() time.Time {
	if c.env.Clock != nil {
		return c.env.Clock
	}
	return time.Now
}

// service opens the database on first use.
func (c *cliApp) service(ctx context.Context) (*app.Service, error) {
	if c.svc != nil {
		return c.svc, nil
	}
	st, err := open.Store(ctx, c.dsn(c.db), c.clock())
	if err != nil {
		return nil, err
	}
	cfg := app.Config{Clock: c.clock(), EveryoneCreatesAssessments: c.everyoneCreates, Mailer: c.mailer}
	if c.metrics != nil {
		cfg.Events = c.metrics
		if sr, ok := st.(store.StatsReporter); ok {
			if err := c.metrics.WatchStore(sr); err != nil {
				st.Close()
				return nil, err
			}
		}
	}
	c.st, c.svc = st, app.New(st, cfg)
	return c.svc, nil
}

func (c *cliApp) close() error {
	if c.st == nil {
		return nil
	}
	return c.st.Close()
}

// defaultDB is the SQLite file used when no --db is given.
const defaultDB = open.DefaultDB

// migrate brings the --db database's schema to the latest version.
func (c *cliApp) migrate(ctx context.Context) (from, to int64, err error) {
	return open.Migrate(ctx, c.dsn(c.db))
}

// openCopy opens the two databases of a copy: the source as it is, the
// target set up on the spot if isogap never touched it. close closes both.
func (c *cliApp) openCopy(ctx context.Context, from, to string) (src, dst *app.Service, close func(), err error) {
	s, err := open.Store(ctx, c.dsn(from), c.clock())
	if err != nil {
		return nil, nil, nil, fmt.Errorf("--from: %w", err)
	}
	d, err := open.StoreInit(ctx, c.dsn(to), c.clock())
	if err != nil {
		s.Close()
		return nil, nil, nil, fmt.Errorf("--to: %w", err)
	}
	cfg := app.Config{Clock: c.clock()}
	return app.New(s, cfg), app.New(d, cfg), func() { s.Close(); d.Close() }, nil
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

// dbPath is the --db value, or the default SQLite file, taken from the
// working folder.
func (c *cliApp) dbPath() string { return c.dsn(c.db) }

// dbName names a database in messages: a SQLite file by its path, a
// PostgreSQL one without its DSN, which may hold a password.
func dbName(dsn string) string {
	if postgres.IsDSN(dsn) {
		return "the PostgreSQL database"
	}
	return dsn
}

// sameFile reports two names of one file (either may not exist yet).
func sameFile(a, b string) bool {
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(sa, sb)
	}
	pa, errA := filepath.Abs(a)
	pb, errB := filepath.Abs(b)
	return errA == nil && errB == nil && pa == pb
}

// backup writes the --db database to the SQLite file out. A SQLite database
// is copied with VACUUM INTO through its own connection, so a running server
// goes on writing; a PostgreSQL one is copied into a new SQLite file by
// CopyTo, the use case behind "isogap copy".
func (c *cliApp) backup(ctx context.Context, out string, force bool, progress func(done, total int)) error {
	db := c.dbPath()
	if !postgres.IsDSN(db) {
		if sameFile(db, out) {
			return usagef("the backup would replace the database %s itself: choose another file", db)
		}
		if _, err := os.Stat(db); errors.Is(err, fs.ErrNotExist) {
			return assess.Errorf(assess.KindNotFound, "database %s does not exist: nothing to back up", db)
		}
		st, err := sqlite.Open(ctx, db, sqlite.Options{Clock: c.clock()})
		if err != nil {
			return err
		}
		defer st.Close()
		return sqlite.Backup(ctx, st, out, force)
	}
	src, err := c.service(ctx)
	if err != nil {
		return err
	}
	tmp, err := sqlite.TempFor(out, force)
	if err != nil {
		return err
	}
	defer os.Remove(tmp) // gone already once sealed into place
	d, err := open.StoreInit(ctx, tmp, c.clock())
	if err != nil {
		return err
	}
	_, err = src.CopyTo(ctx, c.me(), app.New(d, app.Config{Clock: c.clock()}), progress)
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return sqlite.Seal(ctx, tmp, out, force)
}

// checked is what verifying a backup found.
type checked struct {
	schema int64
	inv    app.Inventory
}

// verifyBackup opens a backup file read-only, has SQLite check its
// integrity and its schema, and reads every assessment back.
func (c *cliApp) verifyBackup(ctx context.Context, path string) (checked, error) {
	st, version, err := sqlite.OpenBackup(ctx, path)
	if err != nil {
		return checked{}, err
	}
	defer st.Close()
	inv, err := app.New(st, app.Config{Clock: c.clock()}).TakeInventory(ctx, c.me())
	if err != nil {
		return checked{}, fmt.Errorf("backup %s does not read back: %w", path, err)
	}
	return checked{schema: version, inv: inv}, nil
}

// restore verifies the backup, then puts it in place as target: a SQLite
// file is replaced whole (only an empty one, unless force); a PostgreSQL
// database, which must be empty, receives it through CopyTo. It returns
// what the restored database holds, read back from it.
func (c *cliApp) restore(ctx context.Context, backup, target string, force bool, progress func(done, total int)) (checked, app.Inventory, error) {
	want, err := c.verifyBackup(ctx, backup)
	if err != nil {
		return want, app.Inventory{}, err
	}
	cfg := app.Config{Clock: c.clock()}
	if postgres.IsDSN(target) {
		if force {
			return want, app.Inventory{}, usagef("--force replaces SQLite files only: restore into an empty PostgreSQL database")
		}
		d, err := open.StoreInit(ctx, target, c.clock())
		if err != nil {
			return want, app.Inventory{}, err
		}
		defer d.Close()
		dst := app.New(d, cfg)
		have, err := dst.TakeInventory(ctx, c.me())
		if err != nil {
			return want, have, err
		}
		if !have.Empty() {
			return want, have, assess.Errorf(assess.KindConflict, "the target database holds %d assessments, %d accounts and %d custom catalogs: restore into an empty database",
				have.Assessments, have.Users, have.Catalogs)
		}
		s, _, err := sqlite.OpenBackup(ctx, backup)
		if err != nil {
			return want, have, err
		}
		defer s.Close()
		rep, err := app.New(s, cfg).CopyTo(ctx, c.me(), dst, progress)
		return want, rep.Inventory, err
	}
	if sameFile(backup, target) {
		return want, app.Inventory{}, usagef("the backup %s is the database itself", backup)
	}
	if !force {
		full, err := sqlite.Holdings(ctx, target)
		if err != nil {
			return want, app.Inventory{}, fmt.Errorf("cannot tell whether %s holds data (add --force to replace it anyway): %w", target, err)
		}
		if len(full) > 0 {
			return want, app.Inventory{}, assess.Errorf(assess.KindConflict, "database %s holds data (%s): restore into a new file, or add --force to replace it",
				target, strings.Join(full, ", "))
		}
	}
	if err := sqlite.Install(ctx, backup, target); err != nil {
		return want, app.Inventory{}, err
	}
	st, err := open.Store(ctx, target, c.clock())
	if err != nil {
		return want, app.Inventory{}, err
	}
	defer st.Close()
	got, err := app.New(st, cfg).TakeInventory(ctx, c.me())
	if err == nil && got != want.inv {
		err = fmt.Errorf("the restored database %s holds %+v, the backup %+v", target, got, want.inv)
	}
	return want, got, err
}

// mailer adapts package mail to the service's Mailer: the service says
// what to send, package mail words and delivers it.
type mailer struct{ sender mail.Sender }

func (m mailer) SendInterviewMail(ctx context.Context, im app.InterviewMail) error {
	inv := mail.Invitation{Org: im.Org, Name: im.Name, Email: im.Email, Department: im.Department, Assessor: im.Assessor,
		Link: im.Link, Due: im.Due, Items: im.Items, Questions: im.Questions, Answered: im.Answered}
	msg := mail.InvitationMail(inv)
	if im.Reminder {
		msg = mail.ReminderMail(inv, im.Today)
	}
	return m.sender.Send(ctx, msg)
}

// setMailer picks the service's Mailer before the service opens: the SMTP
// server of --smtp-url (or ISOGAP_SMTP_URL), or printing the mails to
// standard output when none is given.
func (c *cliApp) setMailer(cmd *cobra.Command, smtpURL string) error {
	if smtpURL == "" {
		smtpURL = c.env.Getenv("ISOGAP_SMTP_URL")
	}
	if smtpURL == "" {
		c.mailer = mailer{mail.NewPrinter(cmd.OutOrStdout())}
		return nil
	}
	s, err := mail.ParseURL(smtpURL)
	if err != nil {
		return usage(err)
	}
	if s.From == "" {
		return usagef("--smtp-url: say who the mails are from, with ?from=isogap@example.com")
	}
	c.mailer = mailer{s}
	return nil
}
