package cli

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/workbook"
)

// createOutput opens -o FILE (atomically replaced when done) or stdout.
// The returned commit must be called on success; on failure the file is
// left as it was.
func createOutput(cmd *cobra.Command, path string) (w io.Writer, commit func() error, abort func(), err error) {
	if path == "" || path == "-" {
		bw := bufio.NewWriter(cmd.OutOrStdout())
		return bw, bw.Flush, func() {}, nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return nil, nil, nil, assess.Wrap(assess.KindInvalid, err, "-o")
	}
	// CreateTemp makes the file private; an export is an ordinary document.
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, nil, nil, err
	}
	bw := bufio.NewWriter(tmp)
	commit = func() error {
		if err := bw.Flush(); err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
			return err
		}
		if err := tmp.Close(); err != nil {
			os.Remove(tmp.Name())
			return err
		}
		return os.Rename(tmp.Name(), path)
	}
	abort = func() { tmp.Close(); os.Remove(tmp.Name()) }
	return bw, commit, abort, nil
}

// exporters write an assessment in a format; the workbook adds "xlsx".
// Each writes from an app.Source, the assessment as the CLI may read it.
type exporter func(src app.Source, w io.Writer) error

func (c *cliApp) exporters() map[string]exporter {
	formats := map[string]exporter{
		"xlsx": func(src app.Source, w io.Writer) error {
			v, err := src.View()
			if err != nil {
				return err
			}
			return workbook.Export(w, v, c.exportFilter, src.Now())
		},
	}
	for _, f := range app.DefaultFormats() {
		formats[f.Name] = f.Write
	}
	return formats
}

// xlsxHelp describes the workbook export, which the CLI adds to the
// service's formats (with its per-stakeholder copies).
const xlsxHelp = `The checklist workbook (Instructions, Scope & Stakeholders, Gap Checklist,
Statement of Applicability, Action Plan, Dashboard) to fill in and send back with
"isogap import ID FILE.xlsx". Each row is stamped with its item's version so the
import never overwrites a newer edit unseen. --department or --owner writes one
stakeholder's copy: their items and questions, the scoring guide, and how to
return it to the assessment lead.`

// exportFormatsHelp lists every format "isogap export" writes, from the
// formats themselves, so a new one shows up in the help by being added.
func exportFormatsHelp() string {
	var b strings.Builder
	add := func(name, desc string) {
		b.WriteString("  " + name + "\n")
		for _, l := range strings.Split(wrapText(desc, 72), "\n") {
			b.WriteString("      " + l + "\n")
		}
	}
	for _, f := range app.DefaultFormats() {
		add(f.Name, f.Description)
	}
	add("xlsx", xlsxHelp)
	return strings.TrimSuffix(b.String(), "\n")
}

func exportFormatNames() []string {
	var names []string
	for _, f := range app.DefaultFormats() {
		names = append(names, f.Name)
	}
	return append(names, "xlsx")
}

func newExportCmd(c *cliApp) *cobra.Command {
	var format, out string
	cmd := &cobra.Command{
		Use:   "export ID --format FORMAT [-o FILE] [--department D | --owner O]",
		Short: "Export a complete assessment",
		Long: "Export an assessment in one of these formats:\n\n" + exportFormatsHelp() + `

Without -o the export goes to standard output; an xlsx export whose standard
output is a terminal goes to ` + workbook.FileName + ` instead
(never replacing an existing file that -o did not name).`,
		Example: `  isogap export ID --format json -o acme.json
  isogap export ID --format csv > acme.csv
  isogap export ID --format xlsx -o acme.xlsx
  isogap export ID --format xlsx --department HR -o acme-hr.xlsx
  isogap export ID --format oscal-poam -o acme-poam.json`,
		Args: exactArgs("ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			exp := c.exporters()
			names := make([]string, 0, len(exp))
			for n := range exp {
				names = append(names, n)
			}
			catalog.SortRefs(names)
			fn, ok := exp[format]
			if !ok {
				return usagef("--format %q: want one of %s", format, strings.Join(names, ", "))
			}
			if !c.exportFilter.Empty() && format != "xlsx" {
				return usagef("--department and --owner go with --format xlsx")
			}
			svc, err := c.service(cmd.Context())
			if err != nil {
				return err
			}
			export := func(w io.Writer) error {
				return svc.Export(cmd.Context(), c.me(), args[0], app.Format{Name: format, Label: format, Write: fn}, w)
			}
			if format == "xlsx" {
				return c.writeWorkbook(cmd, out, export)
			}
			w, commit, abort, err := createOutput(cmd, c.path(out))
			if err != nil {
				return err
			}
			if err := export(w); err != nil {
				abort()
				return err
			}
			return commit()
		},
	}
	cmd.Flags().StringVar(&format, "format", "json", "one of "+strings.Join(exportFormatNames(), ", "))
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to FILE instead of standard output")
	cmd.Flags().StringVar(&c.exportFilter.Department, "department", "", "xlsx: only the items of this department")
	cmd.Flags().StringVar(&c.exportFilter.Owner, "owner", "", "xlsx: only the items of this owner")
	cmd.MarkFlagsMutuallyExclusive("department", "owner")
	return cmd
}

func newImportCmd(c *cliApp) *cobra.Command {
	var opt app.ImportOptions
	var sheet app.SheetImportOptions
	var theirs, ours bool
	var dateOrder string
	cmd := &cobra.Command{
		Use:   "import FILE.json | import ID FILE.xlsx [FILE.xlsx …]",
		Short: "Restore a JSON export, or read returned checklist workbooks",
		Long: `With one FILE.json: restore a complete assessment from "isogap export
--format json". If an assessment with the same id exists, choose --as-new (a
copy under a new id) or --replace.

With an assessment ID and one or more workbooks: read the returned checklist
workbooks (exported with "isogap export ID --format xlsx", the blank
"isogap template", or a spreadsheet made elsewhere with a "Ref" column) and
apply them together, in one transaction. Columns are found by their header
wherever they stand; scores may be numbers, "3", "3 - Partially
Implemented" or N/A. Rows that carry isogap's stamp change only what the
workbook changed since its export. A field changed both in the workbook and in isogap since then is a conflict:
the import stops and shows both values unless --theirs (the workbook wins) or
--ours (isogap wins) says which side to take. A row whose stamp was lost is
read against the item as the history says it was when the workbook was
written. Where nothing tells (the blank template, a sheet made elsewhere),
non-empty cells fill in what isogap has not set, and a value that would
replace one set in isogap is a conflict unless --theirs. Evidence lines are
added, never removed; a line removed in isogap is not added back. --dry-run
lists the changes item by item and writes nothing.

` + wrapText(workbook.DateHelp, 76) + `

Either way the whole input is checked before anything is written: on any
problem nothing changes and every problem is listed with where it is (for a
workbook: file, sheet and cell); the exit status is 1.`,
		Example: `  isogap import acme.json
  isogap import ID returned-hr.xlsx returned-devops.xlsx --dry-run
  isogap import ID returned-hr.xlsx returned-devops.xlsx --ours`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 && strings.HasSuffix(strings.ToLower(args[0]), ".json") {
				return nil
			}
			if len(args) < 2 {
				return usagef("import needs FILE.json, or an assessment ID and one or more workbooks (got %d argument(s))", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if sheet.DryRun || theirs || ours || dateOrder != "" {
					return usagef("--dry-run, --theirs, --ours and --date-order go with workbooks: isogap import ID FILE.xlsx …")
				}
				return c.importJSON(cmd, args[0], opt)
			}
			if opt.AsNew || opt.Replace {
				return usagef("--as-new and --replace go with a JSON export: isogap import FILE.json")
			}
			switch {
			case theirs:
				sheet.Prefer = app.SideTheirs
			case ours:
				sheet.Prefer = app.SideOurs
			}
			order, err := workbook.ParseDateOrder(dateOrder)
			if err != nil {
				return usagef("--date-order: %v", err)
			}
			return c.importWorkbooks(cmd, args[0], args[1:], sheet, order)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opt.AsNew, "as-new", false, "JSON: import as a new assessment with a fresh id")
	f.BoolVar(&opt.Replace, "replace", false, "JSON: replace the existing assessment with the same id")
	f.BoolVar(&sheet.DryRun, "dry-run", false, "workbooks: list the changes, write nothing")
	f.BoolVar(&theirs, "theirs", false, "workbooks: on a conflict, take the workbook's value")
	f.BoolVar(&ours, "ours", false, "workbooks: on a conflict, keep isogap's value (the rest is imported)")
	f.StringVar(&dateOrder, "date-order", "", "workbooks: read dates such as 04/05/2027 day first (dmy) or month first (mdy)")
	cmd.MarkFlagsMutuallyExclusive("as-new", "replace")
	cmd.MarkFlagsMutuallyExclusive("theirs", "ours")
	return cmd
}

func (c *cliApp) importJSON(cmd *cobra.Command, name string, opt app.ImportOptions) error {
	f, err := os.Open(c.path(name))
	if err != nil {
		return assess.Wrap(assess.KindInvalid, err, "import")
	}
	defer f.Close()
	svc, err := c.service(cmd.Context())
	if err != nil {
		return err
	}
	a, err := svc.ImportJSON(cmd.Context(), c.me(), f, opt)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "Imported %s as assessment %s\n", a.Org, a.ID)
	return nil
}

func newCatalogCmd(c *cliApp) *cobra.Command {
	var format string
	var schema bool
	cmd := &cobra.Command{
		Use:   "catalog [--format table|csv|json]",
		Short: "Print the catalog: every clause requirement and Annex A control",
		Long: `Print the catalog the assessments are run against: the built-in
ISO/IEC 27001:2022 catalog, or the one --catalog names (a file, isogap or
OSCAL JSON, or a stored catalog's ID[@VERSION]).
"isogap catalog import" stores a catalog, "isogap catalog list" lists them.

  table  ref, title, default department and effort, for reading
  csv    one row per item: ref, kind, section, title, department, questions,
         control_type, properties, concepts, capabilities, domains,
         new_in_2022, baseline_effort_days (multi-valued cells use ";")
  json   the catalog file itself, the format a custom catalog is written in

--schema prints the JSON Schema of that format.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			if schema {
				_, err := out.Write(catalog.SchemaJSON())
				return err
			}
			if err := checkFormat(format, "table", "csv", "json"); err != nil {
				return err
			}
			cat, raw, err := c.loadCatalog(cmd.Context())
			if err != nil {
				return err
			}
			if cat == nil {
				cat, raw = catalog.Builtin(), catalog.BuiltinJSON()
			}
			switch format {
			case "json":
				_, err := out.Write(raw)
				return err
			case "csv":
				return writeCatalogCSV(out, cat)
			}
			return writeCatalogTable(out, cat)
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "table, csv or json")
	cmd.Flags().BoolVar(&schema, "schema", false, "print the JSON Schema of the catalog format")
	cmd.AddCommand(newCatalogImportCmd(c), newCatalogListCmd(c))
	return cmd
}

// CatalogCSVHeader lists the columns of "isogap catalog --format csv".
var CatalogCSVHeader = []string{"ref", "kind", "section", "title", "department", "questions", "control_type", "properties",
	"concepts", "capabilities", "domains", "new_in_2022", "baseline_effort_days", "summary", "evidence", "amended_2024"}

func writeCatalogCSV(w io.Writer, cat *catalog.Catalog) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CatalogCSVHeader); err != nil {
		return err
	}
	j := func(xs []string) string { return strings.Join(xs, ";") }
	for _, it := range cat.Items {
		if err := cw.Write([]string{it.Ref, it.Kind, it.Section, it.Title, it.Department, j(it.QuestionTexts()), j(it.ControlType),
			j(it.Properties), j(it.Concepts), j(it.Capabilities), j(it.Domains), strconv.FormatBool(it.NewIn2022),
			strconv.FormatFloat(it.EffortDays, 'f', -1, 64), it.Summary, j(it.Evidence), strconv.FormatBool(it.Amended2024)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func writeCatalogTable(w io.Writer, cat *catalog.Catalog) error {
	fmt.Fprintf(w, "%s (%s), %d clause requirements, %d controls\n", cat.Name, cat.Version, cat.Count(catalog.KindClause), cat.Count(catalog.KindControl))
	section := ""
	for _, it := range cat.Items {
		if it.Section != section {
			section = it.Section
			s, _ := cat.Section(section)
			fmt.Fprintf(w, "\n%s %s\n", s.ID, s.Title)
		}
		flag := " "
		if it.NewIn2022 {
			flag = "*"
		}
		fmt.Fprintf(w, "  %-7s%s %s %-20s %4.0f d\n", it.Ref, flag, fit(it.Title, 60), it.Department, it.EffortDays)
	}
	fmt.Fprintln(w, "\n* new in 2022. Effort: baseline person-days from score 1 to 5 for a small organisation.")
	return nil
}

func newMigrateCmd(c *cliApp) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Bring the database schema up to date",
		Long: `Apply the database migrations this isogap carries, each in its own
transaction. Other commands refuse to run on an outdated schema and say to
run this first. Safe to run again, and safe with several instances starting
at once on PostgreSQL.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			from, to, err := c.migrate(cmd.Context())
			if err != nil {
				return err
			}
			if from == to {
				fmt.Fprintf(cmd.OutOrStdout(), "Schema is up to date (version %d).\n", to)
			} else {
				fmt.Fprintf(cmd.OutOrStdout(), "Schema migrated from version %d to %d.\n", from, to)
			}
			return nil
		},
	}
}

// wrapText breaks a paragraph into lines of at most width characters.
func wrapText(s string, width int) string {
	var b strings.Builder
	n := 0
	for _, w := range strings.Fields(s) {
		if n > 0 && n+1+len([]rune(w)) > width {
			b.WriteByte('\n')
			n = 0
		} else if n > 0 {
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += len([]rune(w))
	}
	return b.String()
}
