package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/workbook"
)

// isTerminal reports whether w is a terminal (not a pipe, a file or a test buffer).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// workbookOutput picks where a workbook goes: -o FILE; standard output when
// it is a pipe or a file; otherwise the usual file name, never replacing an
// existing file that was not named.
func (c *cliApp) workbookOutput(cmd *cobra.Command, out string) (string, error) {
	if out != "" {
		return out, nil
	}
	if !isTerminal(cmd.OutOrStdout()) {
		return "-", nil
	}
	if _, err := os.Stat(c.path(workbook.FileName)); err == nil {
		return "", assess.Errorf(assess.KindInvalid, "%s already exists: name the file to write with -o (naming the same file replaces it)", workbook.FileName)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", assess.Wrap(assess.KindInvalid, err, workbook.FileName)
	}
	return workbook.FileName, nil
}

// writeWorkbook writes through createOutput and says where it went.
func (c *cliApp) writeWorkbook(cmd *cobra.Command, out string, write func(io.Writer) error) error {
	path, err := c.workbookOutput(cmd, out)
	if err != nil {
		return err
	}
	w, commit, abort, err := createOutput(cmd, c.path(path))
	if err != nil {
		return err
	}
	if err := write(w); err != nil {
		abort()
		return err
	}
	if err := commit(); err != nil {
		return err
	}
	if path != "-" {
		fmt.Fprintf(cmd.ErrOrStderr(), "Wrote %s\n", path)
	}
	return nil
}

func newTemplateCmd(c *cliApp) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "template [-o FILE]",
		Short: "Write the blank checklist workbook",
		Long: `Write the blank checklist workbook: every clause requirement and Annex A
control with its questions and default department, ready to fill in, with
the Instructions, Scope & Stakeholders, Statement of Applicability, Action
Plan and a Dashboard that recalculates as scores are typed.

Without -o it is written to ` + workbook.FileName + ` (refusing to
replace an existing file), or to standard output when that is not a terminal.
A filled-in copy is read back with "isogap import ID FILE.xlsx".`,
		Example: `  isogap template
  isogap template -o checklist.xlsx
  isogap --catalog acme-baseline.json template -o acme.xlsx`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cat, _, err := c.loadCatalog(cmd.Context())
			if err != nil {
				return err
			}
			if cat == nil {
				cat = catalog.Builtin()
			}
			return c.writeWorkbook(cmd, out, func(w io.Writer) error { return workbook.Template(w, cat, c.clock()()) })
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to FILE (default "+workbook.FileName+")")
	return cmd
}

// importWorkbooks reads returned workbooks and applies them in one go.
func (c *cliApp) importWorkbooks(cmd *cobra.Command, aid string, files []string, opt app.SheetImportOptions, order workbook.DateOrder) error {
	svc, err := c.service(cmd.Context())
	if err != nil {
		return err
	}
	v, _, err := svc.View(cmd.Context(), c.me(), aid)
	if err != nil {
		return err
	}
	tick, done := c.progress("Reading workbooks")
	var books []app.SheetBook
	var errs []error
	for i, name := range files {
		b, err := workbook.ReadFileWith(c.path(name), v.Catalog, workbook.Options{Limits: workbook.DefaultLimits, DateOrder: order})
		if err != nil {
			errs = append(errs, err)
		} else {
			books = append(books, b)
		}
		if tick != nil && len(files) > 1 {
			tick(i+1, len(files))
		}
	}
	done()
	if err := joinFieldErrors(errs); err != nil {
		return err
	}
	res, err := svc.ImportSheets(cmd.Context(), c.me(), aid, books, opt)
	out := cmd.OutOrStdout()
	for _, b := range books {
		for _, sk := range b.Skipped {
			fmt.Fprintf(out, "skipped %s: %s: %s\n", b.Name, sk.Where, sk.Why)
		}
	}
	if err != nil && assess.KindOf(err) != assess.KindConflict {
		return err // the problems are the whole story: nothing was planned
	}
	printSheetImport(out, res, opt.DryRun)
	if err != nil {
		return err
	}
	items := fmt.Sprintf("%d item(s)", res.Items)
	if res.Scope {
		items += " and the scope"
	}
	switch {
	case opt.DryRun:
		fmt.Fprintf(out, "Dry run: %d change(s) to %s from %d workbook(s); nothing was written.\n", len(res.Changes), items, len(books))
	case len(res.Changes) == 0:
		fmt.Fprintf(out, "Nothing to change: the %d workbook(s) agree with assessment %s.\n", len(books), aid)
	default:
		fmt.Fprintf(out, "Imported %d change(s) to %s from %d workbook(s) into assessment %s.\n", len(res.Changes), items, len(books), aid)
	}
	return nil
}

// joinFieldErrors merges the problems of several files into one list.
func joinFieldErrors(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	all := &assess.FieldErrors{Context: "import"}
	for _, err := range errs {
		var fe *assess.FieldErrors
		if errors.As(err, &fe) {
			all.List = append(all.List, fe.List...)
			continue
		}
		return errors.Join(errs...)
	}
	return all
}

func printSheetImport(w io.Writer, res app.SheetImportResult, dry bool) {
	verb := "changed"
	if dry || !res.Applied {
		verb = "would change"
	}
	// A field in an unsettled conflict will not change: the conflict lines
	// below show both of its values instead.
	held := map[string]bool{}
	for _, c := range res.Unresolved() {
		held[c.Ref+" "+c.Field] = true
	}
	ref := ""
	for _, ch := range res.Changes {
		if held[ch.Ref+" "+ch.Field] {
			continue
		}
		if ch.Ref != ref {
			ref = ch.Ref
			fmt.Fprintf(w, "%s\n", ref)
		}
		if ch.Field == "evidence" {
			fmt.Fprintf(w, "  + evidence %s   (%s)\n", clip(ch.New), ch.Where)
			continue
		}
		if ch.Ref == app.ScopeRef && strings.Contains(ch.Old+ch.New, "\n") {
			// A list: the lines it loses and gains say more than its start.
			fmt.Fprintf(w, "  %s %s   (%s)\n", verb, ch.Field, ch.Where)
			for _, d := range lineDiff(ch.Old, ch.New) {
				fmt.Fprintf(w, "    %s\n", d)
			}
			continue
		}
		fmt.Fprintf(w, "  %s %s: %s → %s   (%s)\n", verb, ch.Field, clip(ch.Old), clip(ch.New), ch.Where)
	}
	for _, wn := range res.Warnings {
		fmt.Fprintf(w, "warning: %s %s   (%s)\n", wn.Ref, wn.Message, wn.Where)
	}
	for _, c := range res.Conflicts {
		switch c.Resolution {
		case "":
			fmt.Fprintf(w, "CONFLICT %s\n", c)
		case "ours":
			fmt.Fprintf(w, "conflict kept isogap's value (--ours): %s\n", c)
		case "theirs":
			fmt.Fprintf(w, "conflict took the workbook's value (--theirs): %s\n", c)
		}
	}
}

// lineDiff lists the lines of old missing from new ("- …") and the lines
// of new missing from old ("+ …").
func lineDiff(old, new string) []string {
	var out []string
	for _, side := range []struct{ sign, from, other string }{{"-", old, new}, {"+", new, old}} {
		other := strings.Split(side.other, "\n")
		for _, l := range strings.Split(side.from, "\n") {
			if l != "" && !slices.Contains(other, l) {
				out = append(out, side.sign+" "+clip(l))
			}
		}
	}
	return out
}

func clip(s string) string {
	if s == "" {
		return "(empty)"
	}
	s = strings.ReplaceAll(s, "\n", " ⏎ ")
	if r := []rune(s); len(r) > 60 {
		s = string(r[:59]) + "…"
	}
	return fmt.Sprintf("%q", s)
}
