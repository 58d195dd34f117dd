package workbook_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/workbook"
)

// The Scope & Stakeholders sheet is read by its labels and headings, and
// what a person changed there changes the assessment under the rules of
// the rest of the import.

const scopeSheet = workbook.SheetScope

// scopeRow finds the row whose column A reads label on the scope sheet.
func scopeRow(t *testing.T, f *excelize.File, label string) int {
	t.Helper()
	return viewRow(t, f, scopeSheet, label)
}

// freeRow is the first row under a table's header with an empty column A.
func freeRow(t *testing.T, f *excelize.File, header string) int {
	t.Helper()
	r := scopeRow(t, f, header) + 1
	for {
		v, _ := f.GetCellValue(scopeSheet, fmt.Sprintf("A%d", r))
		if v == "" {
			return r
		}
		r++
	}
}

func assessment(t *testing.T, svc *app.Service, id string) assess.Assessment {
	t.Helper()
	a, err := svc.Assessment(context.Background(), app.System("test"), id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func scopeChanges(res app.SheetImportResult) []string {
	var out []string
	for _, c := range res.Changes {
		if c.Ref == app.ScopeRef {
			out = append(out, c.Field)
		}
	}
	slices.Sort(out)
	return out
}

func TestScopeSheetEditsAreImported(t *testing.T) {
	svc := sqliteService(t)
	id := demo(t, svc)
	before := assessment(t, svc, id)
	data := edit(t, export(t, svc, id, workbook.Filter{}), func(f *excelize.File) {
		set(t, f, scopeSheet, fmt.Sprintf("B%d", scopeRow(t, f, "ISMS scope")), "The Brightwave platform and its London office.")
		set(t, f, scopeSheet, fmt.Sprintf("B%d", scopeRow(t, f, "Locations")), "London office (co-working)\nAWS eu-west-1, eu-central-1\nDublin office")
		set(t, f, scopeSheet, fmt.Sprintf("B%d", scopeRow(t, f, "Target score")), 5)
		r := freeRow(t, f, "Name")
		set(t, f, scopeSheet, fmt.Sprintf("A%d", r), "Ada Byrne")
		set(t, f, scopeSheet, fmt.Sprintf("B%d", r), "it operations") // the list's spelling is taken
		set(t, f, scopeSheet, fmt.Sprintf("C%d", r), "ada.byrne@brightwave.example")
		x := scopeRow(t, f, "Excluded from the scope") + 2 // the second exclusion
		set(t, f, scopeSheet, fmt.Sprintf("B%d", x), "Separate legal entity; in scope from 2028.")
	})
	book := read(t, "scope.xlsx", data)

	res, err := importBooks(t, svc, id, app.SheetImportOptions{DryRun: true}, book)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"boundaries.locations", "exclusions", "scope", "stakeholders", "target_score"}
	if got := scopeChanges(res); !slices.Equal(got, want) {
		t.Fatalf("dry run lists scope changes %v, want %v (%+v)", got, want, res.Changes)
	}
	if !res.Scope || res.Applied {
		t.Errorf("dry run: scope %v, applied %v", res.Scope, res.Applied)
	}
	for _, c := range res.Changes {
		if c.Field == "target_score" && (c.Old != "4" || c.New != "5" || !strings.HasSuffix(c.Where, scopeSheet+"!B11")) {
			t.Errorf("target change %+v", c)
		}
	}
	if got := assessment(t, svc, id); got.Version != before.Version {
		t.Fatalf("the dry run wrote: version %d → %d", before.Version, got.Version)
	}

	if _, err := importBooks(t, svc, id, app.SheetImportOptions{}, book); err != nil {
		t.Fatal(err)
	}
	a := assessment(t, svc, id)
	if a.TargetScore != 5 || a.Scope != "The Brightwave platform and its London office." {
		t.Errorf("target %d, scope %q", a.TargetScore, a.Scope)
	}
	if got := a.Boundaries.Locations; !slices.Equal(got, []string{"London office (co-working)", "AWS eu-west-1, eu-central-1", "Dublin office"}) {
		t.Errorf("locations %q", got)
	}
	if n := len(a.Stakeholders); n != len(before.Stakeholders)+1 || a.Stakeholders[n-1] != (assess.Stakeholder{Name: "Ada Byrne", Department: "IT Operations", Email: "ada.byrne@brightwave.example"}) {
		t.Errorf("stakeholders %+v", a.Stakeholders)
	}
	if len(a.Exclusions) != 2 || a.Exclusions[1].Justification != "Separate legal entity; in scope from 2028." || a.Exclusions[0] != before.Exclusions[0] {
		t.Errorf("exclusions %+v", a.Exclusions)
	}
	if !slices.Equal(a.Boundaries.Units, before.Boundaries.Units) || a.Lead != before.Lead || a.Org != before.Org {
		t.Errorf("unchanged cells changed the assessment: %+v", a)
	}
	// Importing the same workbook again changes nothing.
	res, err = importBooks(t, svc, id, app.SheetImportOptions{}, book)
	if err != nil || len(res.Changes) != 0 {
		t.Errorf("second import: %v, changes %+v", err, res.Changes)
	}
}

func TestScopeEditedInBothPlacesConflicts(t *testing.T) {
	svc, now := clockService(t)
	id := demo(t, svc)
	x := scoredWithEvidence(t, svc, id)
	data := export(t, svc, id, workbook.Filter{})

	// After the export, isogap raises the target and changes the scope.
	*now = writtenAt.Add(time.Hour)
	a := assessment(t, svc, id)
	a.TargetScore, a.Scope = 5, "Changed in isogap"
	if _, err := svc.UpdateAssessment(context.Background(), app.System("alice"), a, a.Version); err != nil {
		t.Fatal(err)
	}
	// A workbook that left the sheet alone changes nothing.
	res, err := importBooks(t, svc, id, app.SheetImportOptions{}, read(t, "untouched.xlsx", data))
	if err != nil || len(res.Changes)+len(res.Conflicts) != 0 {
		t.Fatalf("untouched workbook: %v, changes %+v, conflicts %+v", err, res.Changes, res.Conflicts)
	}

	// The workbook sets the target to 3 (a conflict), the lead and a score.
	book := read(t, "both.xlsx", edit(t, data, func(f *excelize.File) {
		set(t, f, scopeSheet, fmt.Sprintf("B%d", scopeRow(t, f, "Target score")), 3)
		set(t, f, scopeSheet, fmt.Sprintf("B%d", scopeRow(t, f, "Assessment lead")), "Dana Whitfield")
		set(t, f, workbook.SheetChecklist, colOf(t, f, "Score (1-5)")+fmt.Sprint(rowOf(t, f, x.Ref)), 1)
	}))
	res, err = importBooks(t, svc, id, app.SheetImportOptions{}, book)
	wantConflict(t, res, err, app.ScopeRef, "target_score")
	if c := res.Unresolved()[0]; c.ChangedBy != "alice" || !strings.Contains(c.String(), scopeSheet+"!B11") {
		t.Errorf("conflict %q (by %q)", c, c.ChangedBy)
	}
	if got := assessment(t, svc, id); got.TargetScore != 5 || got.Lead != a.Lead || item(t, svc, id, x.Ref).Score != x.Score {
		t.Fatalf("a refused import wrote: target %d, lead %q", got.TargetScore, got.Lead)
	}

	if _, err := importBooks(t, svc, id, app.SheetImportOptions{Prefer: app.SideOurs}, book); err != nil {
		t.Fatal(err)
	}
	got := assessment(t, svc, id)
	if got.TargetScore != 5 || got.Lead != "Dana Whitfield" || got.Scope != "Changed in isogap" || item(t, svc, id, x.Ref).Score != 1 {
		t.Errorf("--ours: target %d, lead %q, scope %q", got.TargetScore, got.Lead, got.Scope)
	}
	if _, err := importBooks(t, svc, id, app.SheetImportOptions{Prefer: app.SideTheirs}, book); err != nil {
		t.Fatal(err)
	}
	if got := assessment(t, svc, id); got.TargetScore != 3 || got.Scope != "Changed in isogap" {
		t.Errorf("--theirs: target %d, scope %q", got.TargetScore, got.Scope)
	}
}

func TestBadScopeValuesNameTheirCells(t *testing.T) {
	svc := sqliteService(t)
	id := demo(t, svc)
	before := assessment(t, svc, id)
	var target, dept, mail string
	data := edit(t, export(t, svc, id, workbook.Filter{}), func(f *excelize.File) {
		target = fmt.Sprintf("B%d", scopeRow(t, f, "Target score"))
		set(t, f, scopeSheet, target, 7)
		r := scopeRow(t, f, "Name") + 2
		dept, mail = fmt.Sprintf("B%d", r), fmt.Sprintf("C%d", r+1)
		set(t, f, scopeSheet, dept, "Marketing")
		set(t, f, scopeSheet, mail, "marcus at brightwave")
	})
	fe := importErr(t, svc, id, app.SheetImportOptions{}, read(t, "bad.xlsx", data))
	text := fe.Error()
	for _, c := range []string{target, dept, mail} {
		if !strings.Contains(text, "bad.xlsx: "+scopeSheet+"!"+c) {
			t.Errorf("no problem named at %s: %s", c, text)
		}
	}
	if got := assessment(t, svc, id); got.Version != before.Version {
		t.Errorf("a refused import changed the assessment")
	}
}

func TestDepartmentCopyNeverWipesTheLists(t *testing.T) {
	svc := sqliteService(t)
	id := demo(t, svc)
	before := assessment(t, svc, id)
	// A department's copy has no scope sheet of its own; one pasted in from
	// the full export (its hidden sheet still naming the department) must
	// not empty the lists either.
	hr, err := excelize.OpenReader(bytes.NewReader(export(t, svc, id, workbook.Filter{Department: "HR"})))
	if err != nil {
		t.Fatal(err)
	}
	if i, _ := hr.GetSheetIndex(scopeSheet); i >= 0 {
		t.Errorf("the HR copy carries the scope sheet")
	}
	data := edit(t, export(t, svc, id, workbook.Filter{}), func(f *excelize.File) {
		setMeta(t, f, "filter", workbook.Filter{Department: "HR"}.String())
		set(t, f, scopeSheet, fmt.Sprintf("B%d", scopeRow(t, f, "Interfaces and dependencies")), "AWS, Okta, GitHub")
		// The HR copy's tables are cleared, as someone tidying up would.
		for _, h := range []string{"Excluded from the scope", "Name"} {
			for r := scopeRow(t, f, h) + 1; r < freeRow(t, f, h); r++ {
				for _, c := range "ABC" {
					set(t, f, scopeSheet, fmt.Sprintf("%c%d", c, r), "")
				}
			}
		}
	})
	res, err := importBooks(t, svc, id, app.SheetImportOptions{}, read(t, "hr.xlsx", data))
	if err != nil {
		t.Fatal(err)
	}
	if got := scopeChanges(res); !slices.Equal(got, []string{"interfaces"}) {
		t.Errorf("scope changes %v", got)
	}
	a := assessment(t, svc, id)
	if a.Interfaces != "AWS, Okta, GitHub" {
		t.Errorf("interfaces %q", a.Interfaces)
	}
	if !slices.Equal(a.Stakeholders, before.Stakeholders) || !slices.Equal(a.Exclusions, before.Exclusions) {
		t.Errorf("a department copy changed the lists: %+v %+v", a.Stakeholders, a.Exclusions)
	}
}

// editScope changes the scope sheet with openpyxl: the target score, and a
// stakeholder added under the last one.
const editScope = `
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb["Scope & Stakeholders"]
rows = {c.value: c.row for c in ws["A"] if isinstance(c.value, str)}
ws.cell(row=rows["Target score"], column=2).value = 3
r = rows["Name"] + 1
while ws.cell(row=r, column=1).value:
    r += 1
ws.cell(row=r, column=1).value = "Ada Byrne"
ws.cell(row=r, column=2).value = "HR"
ws.cell(row=r, column=3).value = "ada.byrne@brightwave.example"
wb.save(sys.argv[2])
`

func TestScopeEditedWithOpenpyxlAndSavedByLibreOffice(t *testing.T) {
	svc := sqliteService(t)
	id := demo(t, svc)
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "export.xlsx"), filepath.Join(dir, "scope.xlsx")
	if err := os.WriteFile(src, export(t, svc, id, workbook.Filter{}), 0o600); err != nil {
		t.Fatal(err)
	}
	python(t, editScope, src, dst)
	saved := recalc(t, dst)[0]
	book, err := workbook.ReadFile(saved, catalog.Builtin(), workbook.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	res, err := importBooks(t, svc, id, app.SheetImportOptions{}, book)
	if err != nil {
		t.Fatal(err)
	}
	if got := scopeChanges(res); !slices.Equal(got, []string{"stakeholders", "target_score"}) {
		t.Errorf("scope changes %v (%+v)", got, res.Changes)
	}
	a := assessment(t, svc, id)
	if a.TargetScore != 3 || a.Stakeholders[len(a.Stakeholders)-1].Name != "Ada Byrne" {
		t.Errorf("target %d, stakeholders %+v", a.TargetScore, a.Stakeholders)
	}
}

func TestTemplateScopeFillsWhatIsogapHasNotSet(t *testing.T) {
	svc := sqliteService(t)
	id := fresh(t, svc) // "Acme", nothing else set
	var buf bytes.Buffer
	if err := workbook.Template(&buf, catalog.Builtin(), writtenAt); err != nil {
		t.Fatal(err)
	}
	filled := func(org string) app.SheetBook {
		return read(t, "template.xlsx", edit(t, buf.Bytes(), func(f *excelize.File) {
			set(t, f, scopeSheet, fmt.Sprintf("B%d", scopeRow(t, f, "ISMS scope")), "Acme's hosted service")
			set(t, f, scopeSheet, fmt.Sprintf("B%d", scopeRow(t, f, "Systems")), "AWS\nGitHub")
			set(t, f, scopeSheet, fmt.Sprintf("B%d", scopeRow(t, f, "Organisation")), org)
			r := scopeRow(t, f, "Name") + 1
			set(t, f, scopeSheet, fmt.Sprintf("A%d", r), "Ada Byrne")
		}))
	}
	// The template's target (4) and its empty cells are no answers; its
	// stakeholder table cannot tell what it leaves out, so it is not read.
	res, err := importBooks(t, svc, id, app.SheetImportOptions{}, filled(""))
	if err != nil {
		t.Fatal(err)
	}
	if got := scopeChanges(res); !slices.Equal(got, []string{"boundaries.systems", "scope"}) {
		t.Errorf("scope changes %v", got)
	}
	if a := assessment(t, svc, id); a.Scope != "Acme's hosted service" || !slices.Equal(a.Boundaries.Systems, []string{"AWS", "GitHub"}) || len(a.Stakeholders) != 0 || a.Org != "Acme" {
		t.Errorf("assessment %+v", a)
	}
	// A value that would replace one set in isogap, with nothing to show
	// it was seen, is a conflict.
	res, err = importBooks(t, svc, id, app.SheetImportOptions{}, filled("Acme Holdings"))
	wantConflict(t, res, err, app.ScopeRef, "org")
	if !res.Unresolved()[0].Unseen {
		t.Errorf("conflict %+v", res.Unresolved()[0])
	}
}

func TestContributorCannotChangeTheScope(t *testing.T) {
	svc := sqliteService(t)
	id := demo(t, svc)
	ctx, sys := context.Background(), app.System("test")
	u, err := svc.CreateUser(ctx, sys, app.NewUser{Login: "lena", Name: "Lena Brandt", Password: "long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PutMember(ctx, sys, id, app.MemberInput{Login: "lena", Role: string(assess.RoleContributor)}); err != nil {
		t.Fatal(err)
	}
	before := assessment(t, svc, id)
	book := read(t, "full.xlsx", edit(t, export(t, svc, id, workbook.Filter{}), func(f *excelize.File) {
		set(t, f, scopeSheet, fmt.Sprintf("B%d", scopeRow(t, f, "Target score")), 3)
	}))
	for _, dry := range []bool{true, false} {
		_, err := svc.ImportSheets(ctx, app.Principal{User: u}, id, []app.SheetBook{book}, app.SheetImportOptions{DryRun: dry})
		if assess.KindOf(err) != assess.KindForbidden {
			t.Errorf("dry run %v: %v, want forbidden", dry, err)
		}
	}
	if got := assessment(t, svc, id); got.Version != before.Version {
		t.Errorf("a contributor changed the assessment")
	}
}

// setMeta sets key's value in the hidden sheet's key/value rows.
func setMeta(t *testing.T, f *excelize.File, key, value string) {
	t.Helper()
	rows, err := f.GetRows(workbook.SheetMeta)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if len(r) > 0 && r[0] == key {
			set(t, f, workbook.SheetMeta, fmt.Sprintf("B%d", i+1), value)
			return
		}
	}
	t.Fatalf("no %q row in the hidden sheet", key)
}
