package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
)

// loadCatalog reads --catalog: a catalog file (isogap or OSCAL JSON) or
// the id of a catalog stored in the database, "ID" (its latest version) or
// "ID@VERSION". It returns nil for the built-in catalog.
func (c *cliApp) loadCatalog(ctx context.Context) (*catalog.Catalog, []byte, error) {
	if c.catalog == "" {
		return nil, nil, nil
	}
	data, err := readCatalogFile(c.path(c.catalog))
	switch {
	case err == nil:
		cat, content, _, err := app.ReadCatalogFile(data)
		if err != nil {
			return nil, nil, assess.Wrap(assess.KindInvalid, err, c.catalog)
		}
		return cat, content, nil
	case !errors.Is(err, fs.ErrNotExist) || strings.ContainsAny(c.catalog, `/\`) || strings.HasSuffix(strings.ToLower(c.catalog), ".json"):
		return nil, nil, assess.Wrap(assess.KindInvalid, err, "--catalog")
	}
	svc, err := c.service(ctx)
	if err != nil {
		return nil, nil, err
	}
	id, version, _ := strings.Cut(c.catalog, "@")
	cat, content, err := svc.StoredCatalog(ctx, c.me(), id, version)
	if assess.KindOf(err) == assess.KindNotFound {
		err = assess.Errorf(assess.KindNotFound, "--catalog %s: no such file, and %v", c.catalog, err)
	}
	return cat, content, err
}

// maxCatalogFile bounds a catalog file read (NIST SP 800-53 as OSCAL is
// about 10 MB).
const maxCatalogFile = 64 << 20

func readCatalogFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxCatalogFile+1))
	if err == nil && len(data) > maxCatalogFile {
		err = fmt.Errorf("%s: larger than %d MiB", path, maxCatalogFile>>20)
	}
	return data, err
}

func newInitCmd(c *cliApp) *cobra.Command {
	var in app.NewAssessment
	cmd := &cobra.Command{
		Use:   "init --org NAME [--scope TEXT]",
		Short: "Create an assessment and print its id",
		Long: `Create an assessment: one unassessed item for every clause requirement and
Annex A control of the catalog, each defaulting to its usual department.
Prints the new assessment's id, which every other command takes.`,
		Example: `  isogap init --org "Acme Ltd" --scope "The Acme SaaS platform and its support" --employees 80`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cat, file, err := c.loadCatalog(cmd.Context())
			if err != nil {
				return err
			}
			in.Catalog, in.CatalogFile = cat, file
			svc, err := c.service(cmd.Context())
			if err != nil {
				return err
			}
			a, err := svc.CreateAssessment(cmd.Context(), c.me(), in)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), a.ID)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&in.Org, "org", "", "organisation name (required)")
	f.StringVar(&in.Scope, "scope", "", "ISMS scope statement")
	f.IntVar(&in.TargetScore, "target", assess.DefaultTarget, "score every item must reach to be audit-ready (1-5)")
	f.IntVar(&in.Employees, "employees", 0, "number of people in scope (sizes the effort forecast)")
	f.StringVar(&in.Lead, "lead", "", "name of the person leading the assessment")
	_ = cmd.MarkFlagRequired("org")
	return cmd
}

func newListCmd(c *cliApp) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List assessments with their readiness and coverage",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := c.openFor(cmd, format, "table", "json")
			if err != nil {
				return err
			}
			list, err := svc.Portfolio(cmd.Context(), c.me())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if format == "json" {
				type row struct {
					ID         string    `json:"id"`
					Org        string    `json:"org"`
					Readiness  float64   `json:"readiness"`
					Coverage   float64   `json:"coverage"`
					AuditReady bool      `json:"audit_ready"`
					Lead       string    `json:"lead"`
					UpdatedAt  time.Time `json:"updated_at"`
				}
				rows := []row{}
				for _, s := range list {
					rows = append(rows, row{s.Assessment.ID, s.Assessment.Org, s.Overall.Readiness, s.Overall.Coverage, s.AuditReady, s.Assessment.Lead, s.Assessment.UpdatedAt})
				}
				return writeJSON(out, rows)
			}
			if len(list) == 0 {
				fmt.Fprintln(out, `No assessments yet. Create one with "isogap init --org NAME", or try "isogap demo".`)
				return nil
			}
			t := newTable("ID", "ORGANISATION", "READINESS", "COVERAGE", "AUDIT-READY", "LEAD", "UPDATED")
			t.grow(len(list))
			for i := range list {
				s := &list[i]
				ready := "no"
				if s.AuditReady {
					ready = "yes"
				}
				t.row(s.Assessment.ID, fit(s.Assessment.Org, 40), pct(s.Overall.Readiness), pct(s.Overall.Coverage), ready,
					s.Assessment.Lead, s.Assessment.UpdatedAt.Local().Format("2006-01-02 15:04"))
			}
			return t.write(out)
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table or json")
	return cmd
}

// ShowJSON is what "isogap show --format json" prints: the figures of
// assess.Compute with the assessment's identity.
type ShowJSON struct {
	ID         string  `json:"id"`
	Org        string  `json:"org"`
	Readiness  float64 `json:"readiness"`
	Coverage   float64 `json:"coverage"`
	AuditReady bool    `json:"audit_ready"`
	assess.Result
	Flagged []string            `json:"flagged"`
	TopGaps []assess.ItemStatus `json:"top_gaps"`
}

func newShowCmd(c *cliApp) *cobra.Command {
	var format string
	var gaps, blockers int
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Summarise an assessment: readiness, coverage, gaps, blockers",
		Long: `Show readiness and coverage overall, by clause and by Annex A theme, the
top gaps and what blocks audit-readiness.

Readiness of an item is (score - 1) / 4; a group's readiness is the mean over
its applicable items, with unassessed items counting 0. Coverage is the share
of applicable items that have a score. Controls marked not applicable leave
both. A 5 without evidence counts as 4 and is flagged.

--format json prints the same figures for scripts: readiness and coverage as
fractions (0-1) overall, per clause (by_clause), per theme (by_theme), per
ISO/IEC 27002 attribute value (by_attribute), and per item.`,
		Args: exactArgs("ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := c.openFor(cmd, format, "table", "json")
			if err != nil {
				return err
			}
			v, _, err := svc.View(cmd.Context(), c.me(), args[0])
			if err != nil {
				return err
			}
			if format == "json" {
				r := v.Result
				top := r.Gaps()
				if len(top) > gaps {
					top = top[:gaps]
				}
				return writeJSON(cmd.OutOrStdout(), ShowJSON{ID: v.Assessment.ID, Org: v.Assessment.Org,
					Readiness: r.Overall.Readiness, Coverage: r.Overall.Coverage, AuditReady: r.AuditReady,
					Result: r, Flagged: orEmpty(r.Flagged()), TopGaps: orEmpty(top)})
			}
			printSummary(cmd.OutOrStdout(), v, gaps, blockers)
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table or json")
	cmd.Flags().IntVar(&gaps, "gaps", 10, "how many top gaps to list")
	cmd.Flags().IntVar(&blockers, "blockers", 15, "how many audit-ready blockers to list (table format)")
	return cmd
}

func orEmpty[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

func printSummary(w io.Writer, v app.View, nGaps, nBlockers int) {
	a, r := v.Assessment, v.Result
	fmt.Fprintf(w, "%s  (assessment %s)\n", a.Org, a.ID)
	if a.Scope != "" {
		fmt.Fprintf(w, "Scope: %s\n", fit(a.Scope, 110))
	}
	fmt.Fprintf(w, "Catalog %s · target score %d · %d items, %d applicable, %d not applicable\n\n",
		v.Catalog.Name, r.Target, len(r.Items), r.Overall.Applicable, r.Overall.NotApplicable)
	fmt.Fprintf(w, "%-22s %s %s   coverage %s   (%d/%d assessed, %d at target)\n", "Overall readiness", bar(r.Overall.Readiness, 24),
		pct(r.Overall.Readiness), pct(r.Overall.Coverage), r.Overall.Assessed, r.Overall.Applicable, r.Overall.AtTarget)
	fmt.Fprintf(w, "%-22s %s %s   coverage %s\n", "Clause requirements", bar(r.Clauses.Readiness, 24), pct(r.Clauses.Readiness), pct(r.Clauses.Coverage))
	fmt.Fprintf(w, "%-22s %s %s   coverage %s\n", "Annex A controls", bar(r.Controls.Readiness, 24), pct(r.Controls.Readiness), pct(r.Controls.Coverage))
	group := func(title string, gs []assess.Group) {
		fmt.Fprintf(w, "\n%s\n", title)
		for _, g := range gs {
			fmt.Fprintf(w, "  %-5s %s %s %s   coverage %s\n", g.ID, fit(g.Title, 34), bar(g.Readiness, 16), pct(g.Readiness), pct(g.Coverage))
		}
	}
	group("By clause", r.ByClause)
	group("By Annex A theme", r.ByTheme)

	d := r.Scores
	fmt.Fprintf(w, "\nScores  not assessed %d · 1: %d · 2: %d · 3: %d · 4: %d · 5: %d\n", d[0], d[1], d[2], d[3], d[4], d[5])

	gaps := r.Gaps()
	if len(gaps) > 0 {
		fmt.Fprintf(w, "\nTop gaps (%d items below target)\n", len(gaps))
		for i, g := range gaps {
			if i == nGaps {
				break
			}
			extra := []string{}
			if g.Priority != "" {
				extra = append(extra, string(g.Priority))
			}
			if g.Owner != "" {
				extra = append(extra, g.Owner)
			}
			fmt.Fprintf(w, "  %-7s %s %-22s %s\n", g.Ref, fit(g.Title, 44), g.Status, strings.Join(extra, ", "))
		}
	}
	if f := r.Flagged(); len(f) > 0 {
		fmt.Fprintf(w, "\nFlagged: scored 5 without evidence (counted as 4): %s\n", strings.Join(f, ", "))
	}
	if r.AuditReady {
		fmt.Fprintln(w, "\nAudit-ready: YES — every item is at or above its target and coverage is 100 %.")
		return
	}
	fmt.Fprintf(w, "\nAudit-ready: NO — %d blockers\n", len(r.Blockers))
	for i, b := range r.Blockers {
		if i == nBlockers {
			fmt.Fprintf(w, "  … and %d more (isogap show %s --format json lists them all)\n", len(r.Blockers)-nBlockers, a.ID)
			break
		}
		ref := b.Ref
		if ref == "" {
			ref = "scope"
		}
		fmt.Fprintf(w, "  %-7s %s %s\n", ref, fit(b.Title, 44), b.Reason)
	}
}

func newSetCmd(c *cliApp) *cobra.Command {
	var score, priority, target, na, effort, department, owner, action, notes, inclusion string
	var evidence []string
	var applicable, clearScore bool
	var version int
	cmd := &cobra.Command{
		Use:   "set ID REF [flags]",
		Short: "Score and document one item",
		Long: `Set the score, evidence, owner, priority, target date or applicability of
one item. REF is a clause requirement ("4.1", "6.1.2") or an Annex A control
("A.5.15"). Only the fields you name change; every change is kept in the
history.

--version N says which version of the item the edit is based on (the web
app's forms do the same). If the item changed since, the edit still applies
when nobody changed the fields it sets; if someone changed one of them, it is
refused as a conflict that shows both values, so nothing is overwritten
unseen.`,
		Example: `  isogap set ID A.5.15 --score 3 --owner "Priya" --priority High --target-date 2027-03-31
  isogap set ID A.8.13 --score 5 --evidence "Restore test report 2026-10" --evidence https://wiki.example/backups
  isogap set ID A.7.12 --na "No premises cabling in scope: production runs in AWS"`,
		Args: exactArgs("ID", "REF"),
		RunE: func(cmd *cobra.Command, args []string) error {
			var p app.ItemPatch
			errs := &assess.FieldErrors{Context: args[1]}
			flags := cmd.Flags()
			if flags.Changed("score") {
				s, err := assess.ParseScore(score)
				if err != nil {
					errs.Add("score", score, "not a score", "1 to 5 (1 Not Started … 5 Fully Implemented & Evidenced)")
				}
				p.Score = &s
			}
			if clearScore {
				s := assess.Unassessed
				p.Score = &s
			}
			if flags.Changed("priority") {
				pr, err := assess.ParsePriority(priority)
				if err != nil {
					errs.Add("priority", priority, "unknown priority", "Critical, High, Medium or Low")
				}
				p.Priority = &pr
			}
			if flags.Changed("target-date") {
				d, err := assess.ParseDate(target)
				if err != nil {
					errs.Add("target-date", target, "not a date", "YYYY-MM-DD, for example 2027-03-31")
				}
				p.TargetDate = &d
			}
			if flags.Changed("effort") {
				if effort == "" {
					p.ClearEffort = true
				} else if f, err := strconv.ParseFloat(effort, 64); err != nil {
					errs.Add("effort", effort, "not a number", "person-days, for example 3 or 2.5")
				} else {
					p.EffortDays = &f
				}
			}
			if flags.Changed("na") {
				no := false
				p.Applicable, p.Justification = &no, &na
			}
			if applicable {
				yes := true
				p.Applicable = &yes
			}
			if flags.Changed("inclusion") {
				list := strings.Split(inclusion, ";")
				p.Inclusion = &list
			}
			for name, dst := range map[string]**string{"department": &p.Department, "owner": &p.Owner, "action": &p.Action, "notes": &p.Notes} {
				if flags.Changed(name) {
					v := map[string]string{"department": department, "owner": owner, "action": action, "notes": notes}[name]
					*dst = &v
				}
			}
			if err := errs.Err(); err != nil {
				return err
			}
			if p.Empty() && len(evidence) == 0 {
				return usagef("nothing to set: name at least one of --score, --evidence, --owner, --priority, --target-date, --na …")
			}
			svc, err := c.service(cmd.Context())
			if err != nil {
				return err
			}
			var add []app.NewEvidence
			for _, e := range evidence {
				ne := app.NewEvidence{Text: e}
				if strings.HasPrefix(e, "http://") || strings.HasPrefix(e, "https://") {
					ne = app.NewEvidence{URL: e}
				}
				add = append(add, ne)
			}
			it, err := svc.UpdateItem(cmd.Context(), c.me(), args[0], args[1], version, p, add...)
			if err != nil {
				return err
			}
			status := "not assessed"
			if it.Score.Assessed() {
				status = fmt.Sprintf("%d %s", it.Score, it.Score.Label())
			}
			if !it.Applicable {
				status = assess.StatusNotApplicable
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %s · version %d · %d evidence\n", it.Ref, status, it.Version, len(it.Evidence))
			if it.Unevidenced5() {
				fmt.Fprintf(cmd.OutOrStdout(), "Note: a 5 without evidence counts as 4 until evidence is added (--evidence).\n")
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&score, "score", "", "score 1-5 (1 Not Started, 2 Planning Only, 3 Partially Implemented, 4 Mostly Done, 5 Fully Implemented & Evidenced)")
	f.BoolVar(&clearScore, "unassess", false, "remove the score (back to not assessed)")
	f.StringArrayVar(&evidence, "evidence", nil, "add evidence: a description, or an http(s) link (repeatable)")
	f.StringVar(&owner, "owner", "", "person responsible for the item")
	f.StringVar(&department, "department", "", "responsible department")
	f.StringVar(&priority, "priority", "", "Critical, High, Medium or Low")
	f.StringVar(&target, "target-date", "", "date to reach the target score, YYYY-MM-DD")
	f.StringVar(&na, "na", "", "mark an Annex A control not applicable, with the justification")
	f.BoolVar(&applicable, "applicable", false, "mark a control applicable again")
	f.StringVar(&inclusion, "inclusion", "", "SoA reasons for inclusion, ';'-separated: risk-assessment, legal-contractual, business-requirement, best-practice")
	f.StringVar(&action, "action", "", "remediation action")
	f.StringVar(&effort, "effort", "", "effort override in person-days (empty to clear)")
	f.StringVar(&notes, "notes", "", "notes")
	f.IntVar(&version, "version", 0, "the item version this edit is based on; refused as a conflict if the item changed since")
	cmd.MarkFlagsMutuallyExclusive("score", "unassess")
	cmd.MarkFlagsMutuallyExclusive("na", "applicable")
	return cmd
}

func newHistoryCmd(c *cliApp) *cobra.Command {
	var ref, format string
	var limit int
	cmd := &cobra.Command{
		Use:   "history ID",
		Short: "List the recorded changes of an assessment or one item",
		Args:  exactArgs("ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, err := c.openFor(cmd, format, "table", "json")
			if err != nil {
				return err
			}
			if ref != "" {
				it, err := svc.Item(cmd.Context(), c.me(), args[0], ref)
				if err != nil {
					return err
				}
				ref = it.Ref
			}
			hist, err := svc.History(cmd.Context(), c.me(), args[0], app.HistoryQuery{Ref: ref, Limit: limit})
			if err != nil {
				return err
			}
			if format == "json" {
				return writeJSON(cmd.OutOrStdout(), orEmpty(hist))
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "WHEN\tWHO\tITEM\tFIELD\tFROM\tTO")
			for _, h := range hist {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", h.At.Local().Format("2006-01-02 15:04"), fit(h.Actor, 20), h.Ref, h.Field, fit(h.Old, 30), fit(h.New, 30))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&ref, "ref", "", "only this item")
	cmd.Flags().IntVar(&limit, "limit", 50, "show the newest N changes (0 for all)")
	cmd.Flags().StringVar(&format, "format", "table", "output format: table or json")
	return cmd
}
