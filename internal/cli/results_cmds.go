package cli

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/chart"
	"github.com/isogap/isogap/internal/compare"
	"github.com/isogap/isogap/internal/plan"
	"github.com/isogap/isogap/internal/report"
)

// resultFlags are the flags every results command shares.
type resultFlags struct {
	whatIf []string
	today  string
}

func (rf *resultFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringArrayVar(&rf.whatIf, "what-if", nil, "try an assumption without saving it, KEY=VALUE (repeatable; see \"isogap plan ID\")")
	cmd.Flags().StringVar(&rf.today, "today", "", "compute as of this day, YYYY-MM-DD (default: today); for reproducible reports")
}

// parsePairs reads KEY=VALUE flags.
func parsePairs(flag string, pairs []string) (map[string]string, error) {
	out := map[string]string{}
	for _, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, usagef("--%s %q: want KEY=VALUE, for example day_rate=650", flag, p)
		}
		out[strings.TrimSpace(k)] = v
	}
	return out, nil
}

// results computes an assessment's results for a command.
func (c *cliApp) results(cmd *cobra.Command, id string, rf resultFlags) (app.Results, error) {
	whatIf, err := parsePairs("what-if", rf.whatIf)
	if err != nil {
		return app.Results{}, err
	}
	if rf.today != "" {
		d, err := assess.ParseDate(rf.today)
		if err != nil {
			return app.Results{}, usagef("--today %q: want a date as YYYY-MM-DD", rf.today)
		}
		// The results are computed as of that day: the run's clock stands there.
		at := d.Time().Add(9 * time.Hour)
		c.env.Clock = func() time.Time { return at }
	}
	svc, err := c.service(cmd.Context())
	if err != nil {
		return app.Results{}, err
	}
	return svc.Results(cmd.Context(), c.me(), id, whatIf, app.AllResults)
}

// writeChart saves a chart as SVG or PNG, by the file's extension.
func (c *cliApp) writeChart(path string, p *plot.Plot, w, h vg.Length) error {
	var data []byte
	var err error
	switch strings.ToLower(filepath.Ext(path)) {
	case ".svg":
		data, err = chart.SVG(p, w, h)
	case ".png":
		data, err = chart.PNG(p, w, h, 150)
	default:
		return usagef("--chart %q: want a file name ending in .svg or .png", path)
	}
	if err != nil {
		return err
	}
	return os.WriteFile(c.path(path), data, 0o644)
}

// checkFormatOutput refuses an unknown --format, and a binary format
// without -o (so it never lands on a terminal by accident).
func checkFormatOutput(format, out string, allowed []string, binary ...string) error {
	if err := checkFormat(format, allowed...); err != nil {
		return err
	}
	if slices.Contains(binary, format) && out == "" {
		return usagef("--format %s writes a binary file: give -o FILE (or -o - for standard output)", format)
	}
	return nil
}

func newForecastCmd(c *cliApp) *cobra.Command {
	var format string
	var explain bool
	var rf resultFlags
	cmd := &cobra.Command{
		Use:   "forecast ID [--format table|json] [--what-if KEY=VALUE]... [--explain]",
		Short: "Forecast the certification date (P50/P90) and the budget",
		Long: `Forecast how long certification will take and what it will cost.

Every applicable item below its target is an action. Its effort is the
catalog's baseline for taking the item from 1 to 5, times the share of that
way still to go (gap / 4), times the organisation-size factor (from the
number of employees: the baseline fits about 50 people, effort grows with the
cube root of the headcount, from 0.7 to 3) — or the item's own estimate
("isogap set ID REF --effort DAYS"). Each owner (or department) works
through their actions one after the other at their capacity in days a week:
quick wins first, then by priority. Then the ISMS operates and keeps records,
is audited internally (9.2) and reviewed by management (9.3); then come the
Stage 1 audit, the interval, the Stage 2 audit and the certificate.

The P50 and P90 dates and budgets come from a seeded Monte Carlo over each
action's effort: the same inputs always give the same forecast. The budget
is internal person-days at the day rate plus the external costs. The
certification body's audit days come from the published audit-time table by
headcount (Stage 1 + Stage 2, then a third of them for each surveillance audit
in years 2 and 3 and two thirds for the recertification), its fee is the days
times its day rate; the three-year cycle adds those audits and a year of
running the ISMS in years 2 and 3 to year one.

--explain adds the critical path: whose queue ends last, the items on it, and
what one more day a week for that owner would change.

Every assumption is listed and can be changed for the assessment with
"isogap plan ID --set KEY=VALUE", or tried without saving with --what-if.`,
		Example: `  isogap forecast ID
  isogap forecast ID --what-if capacity=3 --what-if "capacity.Samir Okafor=4"
  isogap forecast ID --explain
  isogap forecast ID --format json | jq .certification`,
		Args: exactArgs("ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "table", "json"); err != nil {
				return err
			}
			r, err := c.results(cmd, args[0], rf)
			if err != nil {
				return err
			}
			if format == "json" {
				return writeJSON(cmd.OutOrStdout(), struct {
					ID       string         `json:"id"`
					Org      string         `json:"org"`
					Settings []plan.Setting `json:"settings"`
					plan.Forecast
				}{r.Assessment.ID, r.Assessment.Org, r.Settings, r.Forecast})
			}
			printForecast(cmd.OutOrStdout(), r, explain)
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table or json")
	cmd.Flags().BoolVar(&explain, "explain", false, "explain the date: the queue that ends last, its items, and one more day a week for its owner")
	rf.register(cmd)
	return cmd
}

func printForecast(w io.Writer, r app.Results, explain bool) {
	f := r.Forecast
	cur := f.Budget.Currency
	fmt.Fprintf(w, "%s  (assessment %s)\n", r.Assessment.Org, r.Assessment.ID)
	fmt.Fprintf(w, "Forecast from %s: %d actions, %.1f person-days of remediation, size factor %.2f\n\n",
		f.Start, len(f.Actions), f.Budget.RemediationDays, f.SizeFactor)
	fmt.Fprintf(w, "Certificate  P50 %s   P90 %s   (at exactly the estimates: %s)\n", f.Certification.P50, f.Certification.P90, f.Certification.Planned)
	fmt.Fprintf(w, "Budget       P50 %s   P90 %s   (planned: %s)\n", money(cur, f.Budget.P50), money(cur, f.Budget.P90), money(cur, f.Budget.Total))
	fmt.Fprintf(w, "Three years  P50 %s   P90 %s   (certificate, surveillance, recertification)\n", money(cur, f.Cycle.P50), money(cur, f.Cycle.P90))
	au := f.Audit
	fmt.Fprintf(w, "Audit        %s auditor-days (%s): Stage 1 %s days, Stage 2 %s days, %s at %s a day\n\n",
		fnum(au.InitialDays), auditBasis(au), fnum(au.Stage1Days), fnum(au.Stage2Days), money(cur, au.Fee), money(cur, au.DayRate))
	if explain {
		fmt.Fprintln(w, "CRITICAL PATH")
		for _, line := range f.Explain() {
			fmt.Fprintln(w, "  "+line)
		}
		fmt.Fprintln(w)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ROAD TO CERTIFICATION\tFROM\tTO")
	fmt.Fprintf(tw, "Remediation (%d actions, %d quick wins)\t%s\t%s\n", len(f.Actions), f.QuickWins, f.Start, f.RemediationDone)
	for _, s := range f.Steps {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Name, s.Start, s.Finish)
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "BUDGET (planned)\t%14s\n", "AMOUNT")
	fmt.Fprintf(tw, "Remediation, %.1f person-days\t%14s\n", f.Budget.RemediationDays, money(cur, f.Budget.RemediationDays*f.Budget.DayRate))
	fmt.Fprintf(tw, "Running the ISMS, internal audit, management review, %.1f person-days\t%14s\n", f.Budget.OperatingDays, money(cur, f.Budget.OperatingDays*f.Budget.DayRate))
	for _, x := range f.Budget.External {
		fmt.Fprintf(tw, "%s\t%14s\n", x.Name, money(cur, x.Amount))
	}
	fmt.Fprintf(tw, "Total\t%14s\n", money(cur, f.Budget.Total))
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "THREE-YEAR CYCLE (planned)\tAUDIT\tAUDIT FEE\tINTERNAL\tTOTAL\n")
	for _, y := range f.Cycle.Years {
		fmt.Fprintf(tw, "%s\t%s auditor-days\t%s\t%s person-days\t%s\n", y.Name, fnum(y.AuditDays), money(cur, y.AuditFee), fnum(math.Round(y.InternalDays*10)/10), money(cur, y.Total))
	}
	fmt.Fprintf(tw, "Total\t\t\t\t%s\n", money(cur, f.Cycle.Total))
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "CAPACITY BY %s\tDAYS/WEEK\tEFFORT (d)\tACTIONS\tDONE BY\n", strings.ToUpper(f.Assumptions.CapacityBy))
	for _, rs := range f.Resources {
		fmt.Fprintf(tw, "%s\t%g\t%.1f\t%d\t%s\n", rs.Name, rs.Capacity, rs.Effort, rs.Actions, rs.Finish)
	}
	tw.Flush()
	if f.Late > 0 {
		fmt.Fprintf(w, "\n%d actions are planned to finish after their target date (isogap roadmap %s lists them).\n", f.Late, r.Assessment.ID)
	}
	if f.Unassessed > 0 {
		fmt.Fprintf(w, "%d items are not assessed yet and are planned as Not Started.\n", f.Unassessed)
	}
	fmt.Fprintln(w)
	printSettings(w, r.Settings)
	fmt.Fprintf(w, "\nChange an assumption: isogap plan %s --set KEY=VALUE   (try one: --what-if KEY=VALUE)\n", r.Assessment.ID)
}

func printSettings(w io.Writer, settings []plan.Setting) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ASSUMPTION\tVALUE\tUNIT\t\tMEANING")
	for _, s := range settings {
		set := ""
		if s.Set {
			set = "set"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.Name, s.Value, s.Unit, set, s.Description)
	}
	tw.Flush()
}

// fnum prints a number of days without needless decimals.
func fnum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// auditBasis says where the audit days come from.
func auditBasis(au plan.Audit) string {
	if au.DaysSource == plan.AuditSet {
		return fmt.Sprintf("set; the table gives %s for %s persons", fnum(au.TableDays), au.Band)
	}
	return au.Band + " persons"
}

// money formats an amount with thousands separators.
func money(currency string, amount float64) string {
	s := fmt.Sprintf("%.0f", amount)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return currency + " " + b.String()
}

func newPlanCmd(c *cliApp) *cobra.Command {
	var set, unset []string
	var version int
	var format string
	cmd := &cobra.Command{
		Use:   "plan ID [--set KEY=VALUE]... [--unset KEY]...",
		Short: "Show or change the forecast's assumptions for an assessment",
		Long: `Show every assumption of the forecast with its value, or change some for
this assessment. Keys not set use isogap's defaults; --unset returns a key to
its default. Capacity can be set per owner (or department, with
capacity_by=department) as capacity.NAME.

All values are checked before anything is saved. Every change is kept in
the history ("isogap history ID"). With --version N the change is refused
as a conflict if someone changed the assumptions since version N.`,
		Example: `  isogap plan ID
  isogap plan ID --set day_rate=650 --set currency=EUR --set certification_body=14000
  isogap plan ID --set "capacity.Samir Okafor=4" --set start=2027-01-04
  isogap plan ID --unset day_rate`,
		Args: exactArgs("ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "table", "json"); err != nil {
				return err
			}
			pairs, err := parsePairs("set", set)
			if err != nil {
				return err
			}
			svc, err := c.service(cmd.Context())
			if err != nil {
				return err
			}
			ps, err := svc.PlanSettings(cmd.Context(), c.me(), args[0])
			if err != nil {
				return err
			}
			if len(pairs) > 0 || len(unset) > 0 {
				base := -1
				if cmd.Flags().Changed("version") {
					base = version
				}
				if ps, err = svc.SetPlan(cmd.Context(), c.me(), args[0], app.PlanEdit{Set: pairs, Unset: unset, BaseVersion: base}); err != nil {
					return err
				}
			}
			asm, err := app.Assumptions(ps.Values, nil, assess.DateOf(svc.Now()))
			if err != nil {
				return err
			}
			settings := asm.Settings(ps.Values)
			if format == "json" {
				return writeJSON(cmd.OutOrStdout(), struct {
					ID        string            `json:"id"`
					Version   int               `json:"version"`
					UpdatedBy string            `json:"updated_by"`
					Values    map[string]string `json:"values"`
					Settings  []plan.Setting    `json:"settings"`
				}{args[0], ps.Version, ps.UpdatedBy, ps.Values, settings})
			}
			out := cmd.OutOrStdout()
			if ps.Version == 0 {
				fmt.Fprintf(out, "Assumptions of %s: isogap's defaults (nothing set yet)\n\n", args[0])
			} else {
				fmt.Fprintf(out, "Assumptions of %s: version %d, last changed by %s on %s\n\n", args[0], ps.Version, ps.UpdatedBy, ps.UpdatedAt.Local().Format("2006-01-02 15:04"))
			}
			printSettings(out, settings)
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&set, "set", nil, "set an assumption, KEY=VALUE (repeatable)")
	cmd.Flags().StringArrayVar(&unset, "unset", nil, "return an assumption to isogap's default (repeatable)")
	cmd.Flags().IntVar(&version, "version", 0, "the assumptions' version this change is based on; refused as a conflict if they changed since")
	cmd.Flags().StringVar(&format, "format", "table", "output format: table or json")
	return cmd
}

func newRoadmapCmd(c *cliApp) *cobra.Command {
	var format, by, chartFile string
	var rf resultFlags
	cmd := &cobra.Command{
		Use:   "roadmap ID [--format table|csv|json] [--by owner|department] [--chart FILE.svg|FILE.png]",
		Short: "List the remediation actions with planned start and finish",
		Long: `List every action of the roadmap: each item below target with its owner,
priority, effort, phase (quick wins, foundations), planned start and finish,
and whether the plan misses the item's target date (LATE). Then the ISMS
operating period and the audits. --chart draws the Gantt chart by owner (or
by department with --by department).`,
		Args: exactArgs("ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "table", "csv", "json"); err != nil {
				return err
			}
			if by != "" {
				if by != plan.ByOwner && by != plan.ByDepartment {
					return usagef("--by %q: want owner or department", by)
				}
				rf.whatIf = append(rf.whatIf, "capacity_by="+by)
			}
			r, err := c.results(cmd, args[0], rf)
			if err != nil {
				return err
			}
			f := r.Forecast
			if chartFile != "" {
				p, err := chart.Roadmap("Roadmap by "+f.Assumptions.CapacityBy+" — "+r.Assessment.Org, f)
				if err != nil {
					return err
				}
				if err := c.writeChart(chartFile, p, 10*vg.Inch, vg.Length(1.4+0.32*float64(len(f.Resources)+2))*vg.Inch); err != nil {
					return err
				}
			}
			out := cmd.OutOrStdout()
			switch format {
			case "json":
				return writeJSON(out, struct {
					Actions []plan.Action `json:"actions"`
					Phases  []plan.Step   `json:"phases"`
					Steps   []plan.Step   `json:"steps"`
				}{orEmpty(f.Actions), f.Phases, f.Steps})
			case "csv":
				return report.WriteCSV(out, report.ActionsSheet(f))
			}
			tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "REF\tTITLE\tPHASE\tOWNER\tPRIORITY\tEFFORT (d)\tSTART\tFINISH\tTARGET\t")
			for _, a := range f.Actions {
				late := ""
				if a.Late {
					late = "LATE"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%.1f\t%s\t%s\t%s\t%s\n", a.Ref, fit(a.Title, 40), a.Phase, fit(a.Resource, 20), a.Priority, a.Effort, a.Start, a.Finish, a.TargetDate, late)
			}
			for _, s := range f.Steps {
				fmt.Fprintf(tw, "\t%s\t%s\t\t\t\t%s\t%s\t\t\n", s.Name, s.Phase, s.Start, s.Finish)
			}
			tw.Flush()
			fmt.Fprintf(out, "\n%d actions (%d quick wins), %d planned to finish after their target date. Certificate P50 %s, P90 %s.\n",
				len(f.Actions), f.QuickWins, f.Late, f.Certification.P50, f.Certification.P90)
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, csv or json")
	cmd.Flags().StringVar(&by, "by", "", "schedule and chart by owner or department (default: the assumption capacity_by)")
	cmd.Flags().StringVar(&chartFile, "chart", "", "also draw the Gantt chart to FILE.svg or FILE.png")
	rf.register(cmd)
	return cmd
}

func newRisksCmd(c *cliApp) *cobra.Command {
	var format, out, chartFile string
	var rf resultFlags
	cmd := &cobra.Command{
		Use:   "risks ID [--format table|csv|xlsx|json] [-o FILE] [--chart FILE.svg|FILE.png]",
		Short: "The risk register: every gap as a risk on a 5×5 matrix",
		Long: `Turn every gap into a risk. Likelihood comes from the score (not assessed
or 1: 5, 2: 4, 3: 3, 4: 2); impact from the priority (Critical 5, High 4,
Medium or unset 3, Low 2), one higher for a control that protects
confidentiality, integrity and availability, one lower for a control that
protects only one of them. Rating = likelihood × impact: 1-4 Low, 5-9 Medium,
10-16 High, 20-25 Critical. The treatment is the remediation action.

--chart draws the heat map. xlsx holds the register and the matrix.`,
		Args: exactArgs("ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormatOutput(format, out, []string{"table", "csv", "xlsx", "json"}, "xlsx"); err != nil {
				return err
			}
			r, err := c.results(cmd, args[0], rf)
			if err != nil {
				return err
			}
			reg := r.Risks
			if chartFile != "" {
				p, err := chart.RiskHeatMap("Risks — "+r.Assessment.Org, reg)
				if err != nil {
					return err
				}
				if err := c.writeChart(chartFile, p, 6*vg.Inch, 4.5*vg.Inch); err != nil {
					return err
				}
			}
			return c.withOutput(cmd, out, func(w io.Writer) error {
				switch format {
				case "json":
					return writeJSON(w, reg)
				case "csv":
					return report.WriteCSV(w, report.RiskSheet(reg))
				case "xlsx":
					return report.WriteRisksXLSX(w, reg)
				}
				tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tREF\tTITLE\tL\tI\tRATING\tOWNER\tTREATMENT")
				for _, rk := range reg.Risks {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d %s\t%s\t%s\n", rk.ID, rk.Ref, fit(rk.Title, 38), rk.Likelihood, rk.Impact, rk.Rating, rk.Level, fit(rk.Owner, 18), fit(rk.Treatment, 50))
				}
				tw.Flush()
				fmt.Fprintf(w, "\nLikelihood \\ impact   1   2   3   4   5\n")
				for l := 5; l >= 1; l-- {
					fmt.Fprintf(w, "%20d ", l)
					for i := 1; i <= 5; i++ {
						fmt.Fprintf(w, "%4d", reg.Matrix[l-1][i-1])
					}
					fmt.Fprintln(w)
				}
				fmt.Fprintf(w, "\n%d risks: %d Critical, %d High, %d Medium, %d Low\n", len(reg.Risks), reg.ByLevel["Critical"], reg.ByLevel["High"], reg.ByLevel["Medium"], reg.ByLevel["Low"])
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, csv, xlsx or json")
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to FILE instead of standard output")
	cmd.Flags().StringVar(&chartFile, "chart", "", "also draw the heat map to FILE.svg or FILE.png")
	rf.register(cmd)
	return cmd
}

// withOutput runs write on -o FILE (replaced only on success) or stdout.
func (c *cliApp) withOutput(cmd *cobra.Command, out string, write func(io.Writer) error) error {
	w, commit, abort, err := createOutput(cmd, c.path(out))
	if err != nil {
		return err
	}
	if err := write(w); err != nil {
		abort()
		return err
	}
	return commit()
}

func newSoACmd(c *cliApp) *cobra.Command {
	var format, out string
	var rf resultFlags
	cmd := &cobra.Command{
		Use:   "soa ID [--format table|csv|xlsx|pdf|json] [-o FILE]",
		Short: "The Statement of Applicability of the 93 Annex A controls",
		Long: `Write the Statement of Applicability: every Annex A control, whether it
applies, the reasons for including it (codes and note) or the justification
for excluding it, its implementation status, owner and evidence. Controls an
auditor would question (no reason for inclusion, an exclusion without a
justification, a 5 without evidence) are marked.`,
		Args: exactArgs("ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormatOutput(format, out, []string{"table", "csv", "xlsx", "pdf", "json"}, "xlsx", "pdf"); err != nil {
				return err
			}
			r, err := c.results(cmd, args[0], rf)
			if err != nil {
				return err
			}
			st := r.SoA
			return c.withOutput(cmd, out, func(w io.Writer) error {
				switch format {
				case "json":
					return writeJSON(w, st)
				case "csv":
					return report.WriteCSV(w, report.SoASheet(st))
				case "xlsx":
					return report.WriteSoAXLSX(w, st)
				case "pdf":
					return report.WritePDF(w, report.SoADoc(st, r))
				}
				tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "CONTROL\tTITLE\tAPPLICABLE\tSTATUS\tOWNER\tJUSTIFICATION\t")
				for _, e := range st.Entries {
					flag := ""
					if len(e.Problems) > 0 {
						flag = "! " + strings.Join(e.Problems, "; ")
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Ref, fit(e.Title, 40), e.ApplicableText(), e.Status, fit(e.Owner, 18), fit(e.Justification(), 44), flag)
				}
				tw.Flush()
				fmt.Fprintf(w, "\n%d controls: %d applicable (%d at target), %d excluded; %d need a justification.\n",
					len(st.Entries), st.Applicable, st.Implemented, st.Excluded, st.Unjustified)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, csv, xlsx, pdf or json")
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to FILE instead of standard output")
	cmd.Flags().StringVar(&rf.today, "today", "", "date the document as this day, YYYY-MM-DD (default: today)")
	return cmd
}

func newReportCmd(c *cliApp) *cobra.Command {
	var format, out string
	var rf resultFlags
	cmd := &cobra.Command{
		Use:   "report ID --format pdf|html|md [-o FILE]",
		Short: "Write the executive report",
		Long: `Write the executive report of an assessment: cover, scope and method,
headline readiness and coverage, charts (by clause, by Annex A theme, by
cybersecurity concept, score distribution, risk heat map, roadmap Gantt,
readiness over time), what blocks certification, top gaps and quick wins,
the forecast with every assumption, and appendices with the full
requirements matrix and the Statement of Applicability.

  pdf   a printable document: table of contents with page numbers and
        links, bookmarks, numbered pages, selectable text, sharp charts
  html  one self-contained page with the charts inline (SVG)
  md    Markdown; with -o the charts are written as PNG files next to it
        (FILE-charts/), on standard output they are left out`,
		Example: `  isogap report ID --format pdf -o readiness.pdf
  isogap report ID --format html -o readiness.html --what-if capacity=3`,
		Args: exactArgs("ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormatOutput(format, out, []string{"pdf", "html", "md"}, "pdf"); err != nil {
				return err
			}
			r, err := c.results(cmd, args[0], rf)
			if err != nil {
				return err
			}
			d, err := report.Executive(r, report.Options{})
			if err != nil {
				return err
			}
			var assets report.Assets
			if format == "md" && out != "" && out != "-" {
				dir := c.path(strings.TrimSuffix(out, filepath.Ext(out)) + "-charts")
				assets = func(name string, data []byte) (string, error) {
					if err := os.MkdirAll(dir, 0o755); err != nil {
						return "", err
					}
					if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
						return "", err
					}
					return filepath.ToSlash(filepath.Join(filepath.Base(dir), name)), nil
				}
			}
			return c.withOutput(cmd, out, func(w io.Writer) error {
				switch format {
				case "pdf":
					return report.WritePDF(w, d)
				case "html":
					return report.WriteHTML(w, d)
				}
				return report.WriteMarkdown(w, d, assets)
			})
		},
	}
	cmd.Flags().StringVar(&format, "format", "pdf", "pdf, html or md")
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to FILE instead of standard output")
	rf.register(cmd)
	return cmd
}

func newSnapshotCmd(c *cliApp) *cobra.Command {
	return &cobra.Command{
		Use:   "snapshot ID NAME",
		Short: "Keep the assessment as it is now under a name (a baseline)",
		Long: `Keep the assessment's scores, evidence, owners and scope as they are now
under NAME, to compare with later: "isogap compare ID@NAME ID".`,
		Example: `  isogap snapshot ID baseline
  isogap compare ID@baseline ID`,
		Args: exactArgs("ID", "NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := c.service(cmd.Context())
			if err != nil {
				return err
			}
			s, err := svc.CreateSnapshot(cmd.Context(), c.me(), args[0], args[1])
			if err != nil {
				return err
			}
			cat, err := svc.CatalogOf(cmd.Context(), s.Assessment)
			if err != nil {
				return err
			}
			res := assess.Compute(cat, s.Assessment, s.Items)
			fmt.Fprintf(cmd.OutOrStdout(), "Snapshot %s@%s: readiness %s, coverage %s\n", s.AssessmentID, s.Name,
				strings.TrimSpace(pct(res.Overall.Readiness)), strings.TrimSpace(pct(res.Overall.Coverage)))
			return nil
		},
	}
}

func newSnapshotsCmd(c *cliApp) *cobra.Command {
	var format, chartFile string
	cmd := &cobra.Command{
		Use:   "snapshots ID [--format table|json] [--chart FILE.svg|FILE.png]",
		Short: "List an assessment's snapshots; chart readiness over time",
		Args:  exactArgs("ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := c.openFor(cmd, format, "table", "json")
			if err != nil {
				return err
			}
			list, err := svc.Snapshots(cmd.Context(), c.me(), args[0])
			if err != nil {
				return err
			}
			if chartFile != "" {
				r, err := c.results(cmd, args[0], resultFlags{})
				if err != nil {
					return err
				}
				var ready, cover []chart.Point
				for _, p := range r.Timeline {
					ready = append(ready, chart.Point{At: p.At, Value: p.Readiness})
					cover = append(cover, chart.Point{At: p.At, Value: p.Coverage})
				}
				p, err := chart.Timeline("Readiness over time — "+r.Assessment.Org, ready, cover)
				if err != nil {
					return err
				}
				if err := c.writeChart(chartFile, p, 8*vg.Inch, 3.5*vg.Inch); err != nil {
					return err
				}
			}
			out := cmd.OutOrStdout()
			if format == "json" {
				return writeJSON(out, list)
			}
			if len(list) == 0 {
				fmt.Fprintf(out, "No snapshots of %s yet. Take one with: isogap snapshot %s NAME\n", args[0], args[0])
				return nil
			}
			tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tTAKEN\tBY\tREADINESS\tCOVERAGE\tBLOCKERS")
			for _, s := range list {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\n", s.Name, s.CreatedAt.Local().Format("2006-01-02 15:04"), s.CreatedBy, pct(s.Overall.Readiness), pct(s.Overall.Coverage), s.Blockers)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table or json")
	cmd.Flags().StringVar(&chartFile, "chart", "", "draw readiness and coverage over time to FILE.svg or FILE.png")
	return cmd
}

func newCompareCmd(c *cliApp) *cobra.Command {
	var format string
	var all bool
	cmd := &cobra.Command{
		Use:   "compare A B",
		Short: "Compare two assessments or snapshots item by item",
		Long: `Compare A (before) with B (after), item by item: improved, regressed,
unchanged, or rescoped (a control became applicable or not). Each of A and B
is an assessment id (as it is now) or ID@SNAPSHOT.`,
		Example: `  isogap compare ID@baseline ID
  isogap compare ID@2026-Q4 ID@2027-Q1 --format json
  isogap compare ID OTHERID --all`,
		Args: exactArgs("A", "B"),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := c.openFor(cmd, format, "table", "json")
			if err != nil {
				return err
			}
			r, err := svc.Compare(cmd.Context(), c.me(), args[0], args[1])
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if format == "json" {
				return writeJSON(out, r)
			}
			printComparison(out, r, all)
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table or json")
	cmd.Flags().BoolVar(&all, "all", false, "list unchanged items too")
	return cmd
}

func printComparison(w io.Writer, r compare.Result, all bool) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\tREADINESS\tCOVERAGE\tAT TARGET\tBLOCKERS")
	for _, s := range []compare.Side{r.A, r.B} {
		fmt.Fprintf(tw, "%s (%s)\t%s\t%s\t%d\t%d\n", s.Label, fit(s.Org, 30), pct(s.Overall.Readiness), pct(s.Overall.Coverage), s.Overall.AtTarget, s.Blockers)
	}
	fmt.Fprintf(tw, "change\t%+.1f pts\t%+.1f pts\t%+d\t%+d\n", r.ReadinessDelta*100, r.CoverageDelta*100, r.B.Overall.AtTarget-r.A.Overall.AtTarget, r.B.Blockers-r.A.Blockers)
	tw.Flush()
	fmt.Fprintf(w, "\n%d improved, %d regressed, %d unchanged, %d rescoped", r.Counts[compare.Improved], r.Counts[compare.Regressed], r.Counts[compare.Unchanged], r.Counts[compare.Rescoped])
	if n := r.Counts[compare.OnlyA] + r.Counts[compare.OnlyB]; n > 0 {
		fmt.Fprintf(w, ", %d on one side only", n)
	}
	fmt.Fprintln(w)
	items := r.Changed()
	if all {
		items = r.Items
	}
	if len(items) == 0 {
		return
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "REF\tTITLE\tCHANGE\tBEFORE\tAFTER")
	for _, it := range items {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", it.Ref, fit(it.Title, 44), it.Change, scoreText(it.Before, it.BeforeStatus), scoreText(it.After, it.AfterStatus))
	}
	tw.Flush()
}

func scoreText(s assess.Score, status string) string {
	if s.Assessed() && status != assess.StatusNotApplicable {
		return fmt.Sprintf("%d %s", s, status)
	}
	return status
}
