package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/store/open"
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
	st, err := open.Store(ctx, c.db, c.clock())
	if err != nil {
		return nil, err
	}
	c.st, c.svc = st, app.New(st, app.Config{Clock: c.clock(), EveryoneCreatesAssessments: c.everyoneCreates})
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
	return open.Migrate(ctx, c.db)
}

// openCopy opens the two databases of a copy: the source as it is, the
// target set up on the spot if isogap never touched it. close closes both.
func (c *cliApp) openCopy(ctx context.Context, from, to string) (src, dst *app.Service, close func(), err error) {
	s, err := open.Store(ctx, from, c.clock())
	if err != nil {
		return nil, nil, nil, fmt.Errorf("--from: %w", err)
	}
	d, err := open.StoreInit(ctx, to, c.clock())
	if err != nil {
		s.Close()
		return nil, nil, nil, fmt.Errorf("--to: %w", err)
	}
	cfg := app.Config{Clock: c.clock()}
	return app.New(s, cfg), app.New(d, cfg), func() { s.Close(); d.Close() }, nil
}
