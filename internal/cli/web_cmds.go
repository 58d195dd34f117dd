package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/isogap/isogap/internal/api"
	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/metrics"
	"github.com/isogap/isogap/internal/report"
	"github.com/isogap/isogap/internal/web"
	"github.com/isogap/isogap/internal/workbook"
)

// DefaultAddr is where the web app listens unless told otherwise.
const DefaultAddr = "127.0.0.1:8080"

// webFlags are the settings of "serve" and "demo".
type webFlags struct {
	addr          string
	smtpURL       string
	trustProxy    bool
	secureCookies bool
	sessionTTL    time.Duration
	accessLog     bool
	logFormat     string
	shutdown      time.Duration
	// everyoneCreates lets every account start assessments.
	everyoneCreates bool
	// metricsListen and metricsToken say where and to whom the metrics
	// are served; neither given, there are none.
	metricsListen string
	metricsToken  string
	// apiRate and apiBurst limit the requests of one API token.
	apiRate  float64
	apiBurst int
	// baseURL is the address people open the site at, for the links it
	// makes; empty: the address each browser reached.
	baseURL string
}

// metricsOn reports whether the server exports metrics.
func (f *webFlags) metricsOn() bool { return f.metricsListen != "" || f.metricsToken != "" }

func (f *webFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", DefaultAddr, "address to listen on, HOST:PORT (env ISOGAP_ADDR)")
	fl.StringVar(&f.smtpURL, "smtp-url", "", "SMTP server for interview mails, smtp://user:pass@host:587?from=isogap@example.com (env ISOGAP_SMTP_URL); none: they are printed to the log")
	fl.BoolVar(&f.trustProxy, "trust-proxy", false, "behind a reverse proxy: honour X-Forwarded-Proto and X-Forwarded-For (env ISOGAP_TRUST_PROXY=1)")
	fl.BoolVar(&f.secureCookies, "secure-cookies", false, "always mark the session cookie Secure (TLS ends in front of isogap) (env ISOGAP_SECURE_COOKIES=1)")
	fl.DurationVar(&f.sessionTTL, "session-ttl", 12*time.Hour, "how long a session lasts without use")
	fl.BoolVar(&f.accessLog, "access-log", false, "log every request to standard error (env ISOGAP_ACCESS_LOG=1)")
	fl.StringVar(&f.logFormat, "log-format", "text", "log format on standard error: text or json (env ISOGAP_LOG_FORMAT)")
	fl.DurationVar(&f.shutdown, "shutdown-timeout", 10*time.Second,
		"on SIGINT or SIGTERM, how long requests in flight may run before they are cut (env ISOGAP_SHUTDOWN_TIMEOUT)")
	fl.BoolVar(&f.everyoneCreates, "everyone-creates-assessments", false,
		"let every account start assessments (default: administrators and the accounts they allow, as a site shared by clients needs)")
	fl.StringVar(&f.metricsListen, "metrics-listen", "",
		"serve Prometheus metrics at /metrics on this address of their own, HOST:PORT, apart from the app (env ISOGAP_METRICS_LISTEN)")
	fl.StringVar(&f.metricsToken, "metrics-token", "",
		`serve Prometheus metrics only to requests with "Authorization: Bearer TOKEN", on the app's address unless --metrics-listen (env ISOGAP_METRICS_TOKEN keeps it out of the process list)`)
	fl.Float64Var(&f.apiRate, "api-rate", 10, "requests per second one API token may make on average (negative: no limit)")
	fl.IntVar(&f.apiBurst, "api-burst", 40, "requests one API token may make at once, above its rate")
	fl.StringVar(&f.baseURL, "base-url", "",
		"the address people open isogap at, such as https://isogap.example.com, for the links in invitations and for passkeys behind a proxy (env ISOGAP_BASE_URL); default: the address each browser reached")
}

// fromEnv applies the environment to flags not given on the command line.
func (f *webFlags) fromEnv(cmd *cobra.Command, getenv func(string) string) error {
	fl := cmd.Flags()
	if v := getenv("ISOGAP_ADDR"); v != "" && !fl.Changed("addr") {
		f.addr = v
	}
	if v := getenv("ISOGAP_LOG_FORMAT"); v != "" && !fl.Changed("log-format") {
		f.logFormat = v
	}
	if v := getenv("ISOGAP_METRICS_LISTEN"); v != "" && !fl.Changed("metrics-listen") {
		f.metricsListen = v
	}
	if v := getenv("ISOGAP_METRICS_TOKEN"); v != "" && !fl.Changed("metrics-token") {
		f.metricsToken = v
	}
	if v := getenv("ISOGAP_BASE_URL"); v != "" && !fl.Changed("base-url") {
		f.baseURL = v
	}
	if f.baseURL != "" {
		u, err := url.Parse(f.baseURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return usagef("--base-url %q: want the address people open isogap at, such as https://isogap.example.com", f.baseURL)
		}
	}
	if v := getenv("ISOGAP_SHUTDOWN_TIMEOUT"); v != "" && !fl.Changed("shutdown-timeout") {
		d, err := time.ParseDuration(v)
		if err != nil {
			return usagef("ISOGAP_SHUTDOWN_TIMEOUT=%q: want a duration such as 30s or 2m", v)
		}
		f.shutdown = d
	}
	for name, dst := range map[string]*bool{"trust-proxy": &f.trustProxy, "secure-cookies": &f.secureCookies, "access-log": &f.accessLog} {
		env := "ISOGAP_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
		if v := getenv(env); v != "" && !fl.Changed(name) {
			switch strings.ToLower(v) {
			case "1", "true", "yes":
				*dst = true
			case "0", "false", "no":
				*dst = false
			default:
				return usagef("%s=%q: want 1 or 0", env, v)
			}
		}
	}
	if _, _, err := net.SplitHostPort(f.addr); err != nil {
		return usagef("--addr %q: want HOST:PORT, for example 127.0.0.1:8080 or :8080", f.addr)
	}
	if f.metricsListen != "" {
		_, port, err := net.SplitHostPort(f.metricsListen)
		if err != nil {
			return usagef("--metrics-listen %q: want HOST:PORT, for example 127.0.0.1:9090", f.metricsListen)
		}
		if f.metricsListen == f.addr && port != "0" {
			return usagef("--metrics-listen %s is the app's --addr: give the metrics an address of their own, or use --metrics-token alone to serve them on the app's", f.addr)
		}
	}
	if f.metricsToken != "" && len(f.metricsToken) < metrics.MinTokenLength {
		return usagef("--metrics-token: want at least %d characters (for example from \"openssl rand -hex 32\")", metrics.MinTokenLength)
	}
	if f.logFormat != "text" && f.logFormat != "json" {
		return usagef("--log-format %q: want text or json", f.logFormat)
	}
	if f.shutdown < 0 {
		return usagef("--shutdown-timeout %s: want 0 (cut at once) or more", f.shutdown)
	}
	return nil
}

// logger writes the server's log to standard error in the chosen format.
func (f *webFlags) logger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	if f.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// webService reads the web settings and opens the database.
func (c *cliApp) webService(cmd *cobra.Command, f *webFlags) (*app.Service, error) {
	if err := f.fromEnv(cmd, c.env.Getenv); err != nil {
		return nil, err
	}
	c.everyoneCreates = f.everyoneCreates
	if err := c.setMailer(cmd, f.smtpURL); err != nil {
		return nil, err
	}
	if f.metricsOn() {
		c.metrics = metrics.New()
	}
	return c.service(cmd.Context())
}

// webFormats are the downloads the web app offers: the checklist workbook,
// the executive report, the result documents (each also offered on its own
// page, by Topic), then the exchange formats.
func webFormats() []app.Format {
	xlsx := app.Format{
		Name: "xlsx", Label: "Checklist workbook (XLSX)", Ext: "xlsx", ContentType: xlsxType,
		Description: "The gap checklist with every sheet (scope, checklist, Statement of Applicability, action plan, a dashboard that recalculates). " +
			"Send it round; \"isogap import ID FILE.xlsx\" reads the returned copies back.",
		Write: func(src app.Source, w io.Writer) error {
			v, err := src.View()
			if err != nil {
				return err
			}
			return workbook.Export(w, v, workbook.Filter{}, src.Now())
		},
	}
	executive := func(write func(io.Writer, report.Doc) error) func(io.Writer, app.Results) error {
		return func(w io.Writer, r app.Results) error {
			d, err := report.Executive(r, report.Options{})
			if err != nil {
				return err
			}
			return write(w, d)
		}
	}
	results := []app.Format{
		resultsFormat(app.Format{Name: "pdf", Label: "Executive report (PDF)", Ext: "pdf", ContentType: "application/pdf", File: "report", Topic: "report",
			Description: "Where the organisation stands, what blocks certification, the forecast with its assumptions, " +
				"the requirements matrix and the Statement of Applicability, with charts: the same report as \"isogap report\"."},
			executive(report.WritePDF)),
		resultsFormat(app.Format{Name: "report-html", Label: "Executive report (HTML)", Ext: "html", ContentType: "text/html; charset=utf-8", File: "report", Topic: "report",
			Description: "The same report as one self-contained web page with the charts inside, to open in any browser or attach to an email."},
			executive(report.WriteHTML)),
		resultsFormat(app.Format{Name: "report-md", Label: "Executive report (Markdown)", Ext: "md", ContentType: "text/markdown; charset=utf-8", File: "report", Topic: "report",
			Description: "The report's text and tables in Markdown, for wikis and tickets (without the charts)."},
			executive(func(w io.Writer, d report.Doc) error { return report.WriteMarkdown(w, d, nil) })),
		resultsFormat(app.Format{Name: "soa-xlsx", Label: "Statement of Applicability (XLSX)", Ext: "xlsx", ContentType: xlsxType, File: "soa", Topic: "soa",
			Description: "Every control (the 93 Annex A controls of ISO/IEC 27001, or those of a custom catalog): applicability, reasons for inclusion or justification for exclusion, implementation status, owner and evidence."},
			func(w io.Writer, r app.Results) error { return report.WriteSoAXLSX(w, r.SoA) }),
		resultsFormat(app.Format{Name: "soa-pdf", Label: "Statement of Applicability (PDF)", Ext: "pdf", ContentType: "application/pdf", File: "soa", Topic: "soa",
			Description: "The Statement of Applicability as a document to sign and hand to the auditor."},
			func(w io.Writer, r app.Results) error { return report.WritePDF(w, report.SoADoc(r.SoA, r)) }),
		resultsFormat(app.Format{Name: "risks-xlsx", Label: "Risk register (XLSX)", Ext: "xlsx", ContentType: xlsxType, File: "risks", Topic: "risks",
			Description: "Every gap as a risk with likelihood, impact, rating, treatment and owner, and the 5×5 matrix: the same register as \"isogap risks\"."},
			func(w io.Writer, r app.Results) error { return report.WriteRisksXLSX(w, r.Risks) }),
		resultsFormat(app.Format{Name: "risks-csv", Label: "Risk register (CSV)", Ext: "csv", ContentType: "text/csv; charset=utf-8", File: "risks", Topic: "risks",
			Description: "The risk register, one row per risk, for a GRC tool or a spreadsheet."},
			func(w io.Writer, r app.Results) error { return report.WriteCSV(w, report.RiskSheet(r.Risks)) }),
		resultsFormat(app.Format{Name: "roadmap-csv", Label: "Roadmap (CSV)", Ext: "csv", ContentType: "text/csv; charset=utf-8", File: "roadmap", Topic: "roadmap",
			Description: "Every remediation action with owner, priority, effort, phase, planned start and finish, for a project plan."},
			func(w io.Writer, r app.Results) error { return report.WriteCSV(w, report.ActionsSheet(r.Forecast)) }),
	}
	return append(append([]app.Format{xlsx}, results...), app.DefaultFormats()...)
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// resultsFormat is a download written from the assessment's results as of now.
func resultsFormat(f app.Format, write func(io.Writer, app.Results) error) app.Format {
	f.Write = func(src app.Source, w io.Writer) error {
		r, err := src.Results()
		if err != nil {
			return err
		}
		return write(w, r)
	}
	return f
}

// serve runs the web app until ctx ends (SIGINT or SIGTERM), then lets the
// requests in flight finish for up to --shutdown-timeout and cuts those
// still running. Either way a requested shutdown is a success. listening is
// called with the base URL once the port is open, and the metrics' URL if
// there are metrics. With fallback set, a busy address is replaced by a
// free port on the same host.
func (c *cliApp) serve(ctx context.Context, svc *app.Service, f webFlags, fallback bool, listening func(url, metricsURL string)) error {
	log := f.logger(c.env.Stderr)
	cfg := web.Config{
		TrustProxy: f.trustProxy, SecureCookies: f.secureCookies, SessionTTL: f.sessionTTL, Formats: webFormats(),
		Logger: log, AccessLog: f.accessLog,
		InterviewPack: func(w io.Writer, in web.PackInput) error { return report.WriteInterviewPack(w, report.PackInput(in)) },
		// Invitation links from the web app use the address the interview
		// commands use, or else the one the assessor's browser reached.
		BaseURL: f.baseURL,
	}
	apiHandler, err := api.New(svc, api.Config{Formats: cfg.Formats, Rate: f.apiRate, Burst: f.apiBurst, BaseURL: cfg.BaseURL})
	if err != nil {
		return err
	}
	cfg.API = apiHandler
	var metricsSrv *metricsServer
	if c.metrics != nil {
		cfg.Metrics = c.metrics
		mh := c.metrics.Handler()
		if f.metricsToken != "" {
			mh = metrics.Protect(mh, f.metricsToken)
		}
		if f.metricsListen == "" {
			cfg.MetricsHandler = mh
		} else {
			var err error
			if metricsSrv, err = listenMetrics(f.metricsListen, mh); err != nil {
				return err
			}
			defer metricsSrv.srv.Close()
		}
	}
	h, err := web.New(svc, cfg)
	if err != nil {
		return err
	}
	// Requests run under base: cutting them cancels their work (database
	// queries included) as well as closing their connections.
	base, cut := context.WithCancel(context.Background())
	defer cut()
	var inFlight atomic.Int64
	counted := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inFlight.Add(1)
		defer inFlight.Add(-1)
		h.ServeHTTP(w, r)
	})
	ln, err := net.Listen("tcp", f.addr)
	if err != nil && fallback {
		host, _, _ := net.SplitHostPort(f.addr)
		ln, err = net.Listen("tcp", net.JoinHostPort(host, "0"))
	}
	if err != nil {
		return assess.Wrap(assess.KindInvalid, err, "--addr "+f.addr)
	}
	srv := &http.Server{
		Handler:           counted,
		BaseContext:       func(net.Listener) context.Context { return base },
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // uploads on slow links
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	appURL := "http://" + net.JoinHostPort(host, port) + "/"
	metricsURL := ""
	switch {
	case metricsSrv != nil:
		metricsURL = metricsSrv.url
	case cfg.MetricsHandler != nil:
		metricsURL = appURL + "metrics"
	}
	listening(appURL, metricsURL)
	errc, merrc := make(chan error, 1), make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if metricsSrv != nil {
		go func() { merrc <- metricsSrv.srv.Serve(metricsSrv.ln) }()
	}
	select {
	case err := <-errc:
		return err
	case err := <-merrc:
		srv.Close()
		return fmt.Errorf("metrics: %w", err)
	case <-ctx.Done():
		log.Info("shutting down: no new requests; finishing those in flight",
			"in_flight", inFlight.Load(), "grace", f.shutdown.String())
		shut, cancel := context.WithTimeout(context.Background(), f.shutdown)
		defer cancel()
		if err := srv.Shutdown(shut); err != nil {
			n := inFlight.Load()
			cut()
			srv.Close()
			log.Warn("shutdown: grace period over; requests still in flight were cut",
				"cut", n, "grace", f.shutdown.String(), "err", err.Error())
		} else {
			log.Info("shutdown complete: every request finished")
		}
		if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
}

// metricsServer serves the metrics on an address of their own.
type metricsServer struct {
	srv *http.Server
	ln  net.Listener
	url string
}

// listenMetrics opens the metrics' own address; it serves GET /metrics only.
func listenMetrics(addr string, h http.Handler) (*metricsServer, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, assess.Wrap(assess.KindInvalid, err, "--metrics-listen "+addr)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: time.Minute, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10}
	return &metricsServer{srv: srv, ln: ln, url: "http://" + ln.Addr().String() + "/metrics"}, nil
}

func newServeCmd(c *cliApp) *cobra.Command {
	var f webFlags
	cmd := &cobra.Command{
		Use:   "serve [--addr HOST:PORT]",
		Short: "Run the web application",
		Long: `Run the web application: the whole assessment in a browser, for a team.

On a database without accounts, open the address to create the first
administrator. Behind a reverse proxy that ends TLS, use --trust-proxy (and
let the proxy set X-Forwarded-Proto and X-Forwarded-For) so session cookies
are marked Secure and sign-in attempts are counted per client address.

Several instances may serve one PostgreSQL database (--db postgres://…):
sessions, accounts and sign-in throttling live in the database.

GET /healthz answers while the process serves; GET /readyz answers 200 only
while the database answers too (503 otherwise).

Metrics in the Prometheus text format are off unless asked for: with
--metrics-listen they are served at /metrics on an address of their own
(keep it private: anyone reaching it reads them); with --metrics-token only
to requests with "Authorization: Bearer TOKEN" (on the app's address unless
--metrics-listen is given too). They count requests by route and status,
the database's connections, saves refused as conflicts, sign-ins (failed,
throttled) and imports.

On SIGINT or SIGTERM the requests in flight get --shutdown-timeout to
finish, then are cut; either way the exit status is 0.`,
		Example: `  isogap serve
  isogap serve --addr :8080 --db postgres://isogap@db/isogap --trust-proxy
  isogap serve --metrics-listen 127.0.0.1:9090`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := c.webService(cmd, &f)
			if err != nil {
				return err
			}
			setup, err := svc.NeedsSetup(cmd.Context())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			return c.serve(cmd.Context(), svc, f, false, func(url, metricsURL string) {
				fmt.Fprintf(out, "isogap is serving on %s (press Ctrl+C to stop)\n", url)
				if metricsURL != "" {
					fmt.Fprintf(out, "Metrics are served on %s\n", metricsURL)
				}
				if setup {
					fmt.Fprintf(out, "No account exists yet: open %s to create the administrator.\n", url)
				}
				api := strings.TrimSuffix(url, "/") + "/api/v1/"
				fmt.Fprintf(out, "The REST API answers on %s (reference: %sdocs; tokens: \"isogap token create\").\n", api, api)
			})
		},
	}
	f.register(cmd)
	return cmd
}

func newDemoCmd(c *cliApp) *cobra.Command {
	var f webFlags
	var noServe bool
	var clients int
	var seed uint64
	cmd := &cobra.Command{
		Use:   "demo [--addr HOST:PORT] [--no-serve] [--clients N [--seed S]]",
		Short: "Open a realistic demo assessment in the browser",
		Long: `Create a demo assessment of a 120-person SaaS company partway through its
ISO 27001 preparation (mixed scores, evidence, owners, target dates and a
few justified exclusions), or reuse the one already in the database, and
serve it. The first lines printed are the address, the user name and a
fresh password:

  URL: http://127.0.0.1:8080/
  User: demo
  Password: …

If the default port is busy another free one is used. With --no-serve the
demo is only created: its id is printed on the first line, then a summary.

With --clients N it also creates N client assessments, as a consultancy's
portfolio holds them: varied companies, stages, scores, owners, evidence
and history. The same --seed gives the same clients; running it again
leaves those already there alone, so a larger N only adds the rest.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := c.webService(cmd, &f)
			if err != nil {
				return err
			}
			a, _, err := svc.EnsureDemo(cmd.Context(), c.me())
			if err != nil {
				return err
			}
			if clients != 0 {
				start := time.Now()
				progress, done := c.progress("demo clients")
				n, err := svc.CreateDemoClients(cmd.Context(), c.me(), clients, seed, progress)
				done()
				if err != nil {
					return err
				}
				fmt.Fprintf(c.env.Stderr, "%d demo client assessments created (%d already there) in %.1f s\n",
					n, clients-n, time.Since(start).Seconds())
			}
			out := cmd.OutOrStdout()
			if noServe {
				fmt.Fprintln(out, a.ID)
				v, _, err := svc.View(cmd.Context(), c.me(), a.ID)
				if err != nil {
					return err
				}
				fmt.Fprintln(out)
				printSummary(out, v, 10, 10)
				return nil
			}
			u, pw, err := svc.EnsureDemoUser(cmd.Context(), c.me(), a.ID)
			if err != nil {
				return err
			}
			return c.serve(cmd.Context(), svc, f, !cmd.Flags().Changed("addr") && c.env.Getenv("ISOGAP_ADDR") == "", func(url, metricsURL string) {
				fmt.Fprintf(out, "URL: %s\nUser: %s\nPassword: %s\n", url, u.Login, pw)
				if metricsURL != "" {
					fmt.Fprintf(out, "Metrics: %s\n", metricsURL)
				}
				fmt.Fprintln(out)
				fmt.Fprintf(out, "Demo assessment %s: %s\n", a.ID, a.Org)
				fmt.Fprintln(out, "Sign in, open the assessment and follow the steps: scope, stakeholders, matrix, results.")
				fmt.Fprintf(out, "The REST API's reference: %s/api/v1/docs (make a token on your account page).\n", strings.TrimSuffix(url, "/"))
				fmt.Fprintln(out, "The password changes each time the demo starts. Press Ctrl+C to stop.")
			})
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&noServe, "no-serve", false, "only create (or find) the demo assessment and print its id and summary")
	cmd.Flags().IntVar(&clients, "clients", 0, "also create this many demo client assessments (a portfolio at scale)")
	cmd.Flags().Uint64Var(&seed, "seed", app.DemoSeed, "seed of the demo clients: the same seed gives the same clients")
	return cmd
}

// password takes a password from the first line of standard input, or
// generates one.
func password(r io.Reader, stdin bool) (string, error) {
	if !stdin {
		return app.RandomPassword(), nil
	}
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func newUserCmd(c *cliApp) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "user",
		Short: "Manage web accounts: add, passwd, list, set, reset-2fa",
		Long: `Manage the accounts of the web application from the command line (the
command line acts as the site administrator). Members of an assessment are
managed on its Members page, or with "isogap member".`,
	}
	var in app.NewUser
	var stdin bool
	add := &cobra.Command{
		Use:   "add LOGIN --name NAME [--email E] [--admin] [--creates-assessments] [--password-stdin]",
		Short: "Create an account (prints a generated password unless --password-stdin)",
		Args:  exactArgs("LOGIN"),
		RunE: func(cmd *cobra.Command, args []string) error {
			in.Login = args[0]
			var err error
			if in.Password, err = password(cmd.InOrStdin(), stdin); err != nil {
				return err
			}
			svc, err := c.service(cmd.Context())
			if err != nil {
				return err
			}
			u, err := svc.CreateUser(cmd.Context(), c.me(), in)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Created %s (%s)%s\n", u.Login, u.Name, map[bool]string{true: ", site administrator"}[u.Admin])
			if !stdin {
				fmt.Fprintf(cmd.OutOrStdout(), "Password: %s\n", in.Password)
			}
			return nil
		},
	}
	add.Flags().StringVar(&in.Name, "name", "", "the person's name, as in the items' owner field (required)")
	add.Flags().StringVar(&in.Email, "email", "", "e-mail address")
	add.Flags().BoolVar(&in.Admin, "admin", false, "make the account a site administrator")
	add.Flags().BoolVar(&in.CreatesAssessments, "creates-assessments", false, "let the account start assessments (members it adds are invited and must accept)")
	add.Flags().BoolVar(&stdin, "password-stdin", false, "read the password from standard input instead of generating one")
	_ = add.MarkFlagRequired("name")

	var pwStdin bool
	passwd := &cobra.Command{
		Use:   "passwd LOGIN [--password-stdin]",
		Short: "Set an account's password (prints a generated one unless --password-stdin); signs it out everywhere",
		Args:  exactArgs("LOGIN"),
		RunE: func(cmd *cobra.Command, args []string) error {
			pw, err := password(cmd.InOrStdin(), pwStdin)
			if err != nil {
				return err
			}
			svc, err := c.service(cmd.Context())
			if err != nil {
				return err
			}
			if err := svc.SetUserPassword(cmd.Context(), c.me(), args[0], pw); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Password of %s set; its sessions were ended.\n", app.NormalizeLogin(args[0]))
			if !pwStdin {
				fmt.Fprintf(cmd.OutOrStdout(), "Password: %s\n", pw)
			}
			return nil
		},
	}
	passwd.Flags().BoolVar(&pwStdin, "password-stdin", false, "read the password from standard input instead of generating one")

	list := &cobra.Command{
		Use:   "list",
		Short: "List the accounts",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := c.service(cmd.Context())
			if err != nil {
				return err
			}
			users, err := svc.Users(cmd.Context(), c.me())
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "LOGIN\tNAME\tE-MAIL\tADMIN\tCREATES\tDISABLED")
			for _, u := range users {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%v\t%v\n", u.Login, u.Name, u.Email, u.Admin, u.CreatesAssessments, u.Disabled)
			}
			return tw.Flush()
		},
	}
	var creates bool
	set := &cobra.Command{
		Use:   "set LOGIN --creates-assessments=true|false",
		Short: "Allow an account to start assessments, or withdraw it",
		Args:  exactArgs("LOGIN"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("creates-assessments") {
				return usagef("nothing to set: give --creates-assessments=true or =false")
			}
			svc, err := c.service(cmd.Context())
			if err != nil {
				return err
			}
			u, err := svc.UserByLogin(cmd.Context(), c.me(), args[0])
			if err != nil {
				return err
			}
			u.CreatesAssessments = creates
			if _, err := svc.UpdateUser(cmd.Context(), c.me(), u); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s %s start assessments.\n", u.Login, map[bool]string{true: "may", false: "may no longer"}[creates])
			return nil
		},
	}
	set.Flags().BoolVar(&creates, "creates-assessments", false, "whether the account may start assessments")
	reset := &cobra.Command{
		Use:   "reset-2fa LOGIN",
		Short: "Remove an account's second factors and recovery codes (a lost phone or key); recorded in its security history",
		Long: `Remove every second factor (authenticator apps, passkeys) and the recovery
codes of an account, for a person who lost them. At the next sign-in the
person signs in with the password alone, or is asked to enrol a new factor
when the site requires one ("isogap site show").`,
		Args: exactArgs("LOGIN"),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := c.service(cmd.Context())
			if err != nil {
				return err
			}
			if err := svc.ResetFactors(cmd.Context(), c.me(), args[0]); err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "The second factors and recovery codes of %s were removed.\n", app.NormalizeLogin(args[0]))
			return err
		},
	}
	cmd.AddCommand(add, passwd, list, set, reset)
	return group(cmd)
}

func newMemberCmd(c *cliApp) *cobra.Command {
	var in app.MemberInput
	var depts, refs string
	cmd := &cobra.Command{
		Use:   "member ID LOGIN --role assessor|contributor|viewer|auditor",
		Short: "Give an account a role in an assessment",
		Long: `Give an account a role in an assessment, or change it.

  assessor     leads it: edits everything, manages members
  contributor  edits the items of --departments, of --refs, and those it owns
  viewer       reads, without evidence files
  auditor      reads everything, evidence files included, until --expires`,
		Example: `  isogap member ID priya --role contributor --departments "DevOps/Engineering,IT Operations"
  isogap member ID audit-firm --role auditor --expires 2027-06-30`,
		Args: exactArgs("ID", "LOGIN"),
		RunE: func(cmd *cobra.Command, args []string) error {
			in.Login = args[1]
			split := func(s string) []string {
				var out []string
				for _, p := range strings.Split(s, ",") {
					if p = strings.TrimSpace(p); p != "" {
						out = append(out, p)
					}
				}
				return out
			}
			in.Departments, in.Refs = split(depts), split(refs)
			svc, err := c.service(cmd.Context())
			if err != nil {
				return err
			}
			m, err := svc.PutMember(cmd.Context(), c.me(), args[0], in)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s is %s of %s\n", m.User.Login, m.Role, args[0])
			return nil
		},
	}
	cmd.Flags().StringVar(&in.Role, "role", "", "assessor, contributor, viewer or auditor (required)")
	cmd.Flags().StringVar(&depts, "departments", "", "a contributor's departments, comma separated")
	cmd.Flags().StringVar(&refs, "refs", "", "items assigned to a contributor, comma separated")
	cmd.Flags().StringVar(&in.Expires, "expires", "", "last day of an auditor's access, YYYY-MM-DD")
	_ = cmd.MarkFlagRequired("role")
	return cmd
}
