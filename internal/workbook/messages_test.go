package workbook_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/testenv"
	"github.com/isogap/isogap/internal/workbook"
)

// convert has LibreOffice save a file in another format (filter as
// soffice --convert-to takes it) and returns the new file's path.
func convert(t *testing.T, path, filter string) string {
	t.Helper()
	soffice := testenv.Program(t, "soffice", "libreoffice-calc")
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	cmd := exec.Command(soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless", "--norestore",
		"--convert-to", filter, "--outdir", out, path)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, testenv.Trim(b))
	}
	ext, _, _ := strings.Cut(filter, ":")
	q := filepath.Join(out, strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))+"."+ext)
	if _, err := os.Stat(q); err != nil {
		t.Fatalf("LibreOffice wrote no %s", q)
	}
	return q
}

func importErr(t *testing.T, svc *app.Service, id string, opt app.SheetImportOptions, books ...app.SheetBook) *assess.FieldErrors {
	t.Helper()
	_, err := importBooks(t, svc, id, opt, books...)
	fe, ok := err.(*assess.FieldErrors)
	if !ok {
		t.Fatalf("import: %v, want problems", err)
	}
	return fe
}

func TestNAInAClauseScoreIsReportedAtTheScoreCell(t *testing.T) {
	svc := sqliteService(t)
	id := demo(t, svc)
	var score string
	data := edit(t, export(t, svc, id, workbook.Filter{}), func(f *excelize.File) {
		score = colOf(t, f, "Score (1-5)") + fmt.Sprint(rowOf(t, f, "6.1.2"))
		set(t, f, workbook.SheetChecklist, score, "N/A")
	})
	fe := importErr(t, svc, id, app.SheetImportOptions{}, read(t, "na.xlsx", data))
	if len(fe.List) != 1 || fe.List[0].Where != "na.xlsx: Gap Checklist!"+score {
		t.Fatalf("N/A on 6.1.2 reported as %v, want at %s", fe, score)
	}
}

func TestODSFileIsToldToBeSavedAsXLSX(t *testing.T) {
	svc := sqliteService(t)
	id := demo(t, svc)
	src := filepath.Join(t.TempDir(), "checklist.xlsx")
	if err := os.WriteFile(src, export(t, svc, id, workbook.Filter{}), 0o600); err != nil {
		t.Fatal(err)
	}
	ods := convert(t, src, "ods")
	_, err := workbook.ReadFile(ods, catalog.Builtin(), workbook.DefaultLimits)
	if err == nil || !strings.Contains(err.Error(), "OpenDocument") || !strings.Contains(err.Error(), ".xlsx") || strings.Contains(err.Error(), "EOF") {
		t.Fatalf("an .ods file: %v", err)
	}
}

func TestWorkbookOfAnotherAssessmentIsOneProblem(t *testing.T) {
	svc := sqliteService(t)
	one, other := demo(t, svc), demo(t, svc)
	book := read(t, "other.xlsx", edit(t, export(t, svc, other, workbook.Filter{}), func(f *excelize.File) {
		set(t, f, workbook.SheetChecklist, colOf(t, f, "Owner")+"2", "Someone Else")
	}))
	fe := importErr(t, svc, one, app.SheetImportOptions{}, book)
	if len(fe.List) != 1 || !strings.Contains(fe.Error(), "another assessment") || !strings.Contains(fe.Error(), other) {
		t.Fatalf("%d problems: %v", len(fe.List), fe)
	}
	// Without its hidden sheet, the rows' stamps still say so, once.
	book.AssessmentID = ""
	if fe := importErr(t, svc, one, app.SheetImportOptions{}, book); len(fe.List) != 1 {
		t.Fatalf("%d problems without the hidden sheet: %v", len(fe.List), fe)
	}
}

func TestConflictHintNamesTheFlagThatResolvesIt(t *testing.T) {
	svc := sqliteService(t)
	id := demo(t, svc)
	data := export(t, svc, id, workbook.Filter{})
	copyWith := func(name, owner string) app.SheetBook {
		return read(t, name, edit(t, data, func(f *excelize.File) {
			set(t, f, workbook.SheetChecklist, colOf(t, f, "Owner")+"2", owner)
		}))
	}
	// Two copies disagree: --theirs cannot settle it, only --ours can.
	_, err := importBooks(t, svc, id, app.SheetImportOptions{}, copyWith("a.xlsx", "Ann"), copyWith("b.xlsx", "Bob"))
	if assess.KindOf(err) != assess.KindConflict || strings.Contains(err.Error(), "--theirs") || !strings.Contains(err.Error(), "--ours") {
		t.Fatalf("two copies disagreeing: %v", err)
	}
	if _, err := importBooks(t, svc, id, app.SheetImportOptions{Prefer: app.SideTheirs}, copyWith("a.xlsx", "Ann"), copyWith("b.xlsx", "Bob")); assess.KindOf(err) != assess.KindConflict {
		t.Fatalf("--theirs settled two copies that disagree: %v", err)
	}
}

func TestDryRunWarnsOfAFiveWithoutEvidence(t *testing.T) {
	svc := sqliteService(t)
	id := demo(t, svc)
	var ref string
	for _, it := range view(t, svc, id).Items {
		if it.Applicable && len(it.Evidence) == 0 && it.Score.Assessed() && it.Score < 5 {
			ref = it.Ref
			break
		}
	}
	book := read(t, "five.xlsx", edit(t, export(t, svc, id, workbook.Filter{}), func(f *excelize.File) {
		set(t, f, workbook.SheetChecklist, colOf(t, f, "Score (1-5)")+fmt.Sprint(rowOf(t, f, ref)), 5)
	}))
	res, err := svc.ImportSheets(context.Background(), app.System("t"), id, []app.SheetBook{book}, app.SheetImportOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range res.Warnings {
		if w.Ref == ref && strings.Contains(w.Message, "counts as 4") {
			return
		}
	}
	t.Fatalf("no warning for %s scored 5 without evidence: %+v", ref, res.Warnings)
}
