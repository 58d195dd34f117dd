package workbook_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/workbook"
)

// sheetsText is every visible cell of every sheet (values and formulas),
// except the hidden sheet's write time: what "identical data" means.
func sheetsText(t *testing.T, data []byte) string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b strings.Builder
	for _, sh := range f.GetSheetList() {
		rows, err := f.GetRows(sh, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range rows {
			for j, v := range r {
				ref, _ := excelize.CoordinatesToCellName(j+1, i+1)
				if sh == workbook.SheetMeta && v == "written_at" {
					break
				}
				if fm, _ := f.GetCellFormula(sh, ref); fm != "" {
					v = "=" + fm
				}
				fmt.Fprintf(&b, "%s!%s\t%s\n", sh, ref, v)
			}
		}
	}
	return b.String()
}

func TestRoundTripExportImportExport(t *testing.T) {
	svc := sqliteService(t)
	id := demo(t, svc)
	ctx := context.Background()
	// Text that a spreadsheet would run as a formula must stay text.
	hostile := "=HYPERLINK(\"http://evil.example\",\"click\")"
	if _, err := svc.UpdateItem(ctx, app.System("tester"), id, "A.5.7", 0, app.ItemPatch{Notes: ptr(hostile), Owner: ptr("@SUM(1+1)"), Action: ptr("-2+3 then +cmd")}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddEvidence(ctx, app.System("tester"), id, "A.5.7", app.NewEvidence{Text: "+44 20 7946 0000 hotline log"}); err != nil {
		t.Fatal(err)
	}
	first := export(t, svc, id, workbook.Filter{})
	before := historyLen(t, svc, id)
	res, err := importBooks(t, svc, id, app.SheetImportOptions{}, read(t, "first.xlsx", first))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changes) != 0 || len(res.Conflicts) != 0 {
		t.Fatalf("importing an untouched export changed something: %+v", res)
	}
	if n := historyLen(t, svc, id); n != before {
		t.Fatalf("history grew from %d to %d", before, n)
	}
	second := export(t, svc, id, workbook.Filter{})
	if a, b := sheetsText(t, first), sheetsText(t, second); a != b {
		t.Fatalf("export → import → export differs:\n%s", firstDiff(a, b))
	}

	f, _ := excelize.OpenReader(bytes.NewReader(first))
	defer f.Close()
	r := rowOf(t, f, "A.5.7")
	for col, want := range map[string]string{"P": hostile, "K": "@SUM(1+1)", "N": "-2+3 then +cmd", "J": "+44 20 7946 0000 hotline log"} {
		cell := fmt.Sprintf("%s%d", col, r)
		if fm, _ := f.GetCellFormula(workbook.SheetChecklist, cell); fm != "" {
			t.Errorf("%s became a formula: %q", cell, fm)
		}
		if got, _ := f.GetCellValue(workbook.SheetChecklist, cell); !strings.Contains(got, want) {
			t.Errorf("%s = %q, want %q", cell, got, want)
		}
		if typ, _ := f.GetCellType(workbook.SheetChecklist, cell); typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
			t.Errorf("%s has cell type %v, want a string", cell, typ)
		}
	}
}

func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return "  " + la[i] + "\n  " + lb[i]
		}
	}
	return fmt.Sprintf("lengths %d vs %d lines", len(la), len(lb))
}

func ptr[T any](v T) *T { return &v }

func TestImportAppliesEditsAndRoundTrips(t *testing.T) {
	svc := sqliteService(t)
	id := demo(t, svc)
	data := export(t, svc, id, workbook.Filter{})
	edited := edit(t, data, func(f *excelize.File) {
		sh := workbook.SheetChecklist
		r := rowOf(t, f, "4.3")
		set(t, f, sh, fmt.Sprintf("H%d", r), "3 - Partially Implemented")
		set(t, f, sh, fmt.Sprintf("K%d", r), "Dana Whitfield")
		set(t, f, sh, fmt.Sprintf("M%d", r), "2027-03-31")
		set(t, f, sh, fmt.Sprintf("J%d", r), "Scope statement v2 signed\nhttps://wiki.example/scope")
		r = rowOf(t, f, "A.7.4")
		set(t, f, sh, fmt.Sprintf("F%d", r), "No")
		set(t, f, sh, fmt.Sprintf("G%d", r), "No premises of our own: fully remote company")
		set(t, f, sh, fmt.Sprintf("F%d", rowOf(t, f, "A.8.5")), "") // blank: unchanged, not "No"
		r = rowOf(t, f, "A.8.1")
		set(t, f, sh, fmt.Sprintf("H%d", r), 4)
		set(t, f, sh, fmt.Sprintf("L%d", r), "critical")
		set(t, f, sh, fmt.Sprintf("O%d", r), 2.5)
		// The Statement of Applicability carries the reasons for inclusion.
		soaRow := 0
		rows, _ := f.GetRows(workbook.SheetSoA)
		for i, row := range rows {
			if len(row) > 0 && row[0] == "A.8.1" {
				soaRow = i + 1
			}
		}
		set(t, f, workbook.SheetSoA, fmt.Sprintf("E%d", soaRow), "Legal or contractual; Best practice")
		set(t, f, workbook.SheetSoA, fmt.Sprintf("F%d", soaRow), "Customer contracts require managed endpoints")
	})
	res, err := importBooks(t, svc, id, app.SheetImportOptions{}, read(t, "edited.xlsx", edited))
	if err != nil {
		t.Fatal(err)
	}
	if res.Items != 3 {
		t.Errorf("%d items changed, want 3: %+v", res.Items, res.Changes)
	}
	it := item(t, svc, id, "4.3")
	if it.Score != 3 || it.Owner != "Dana Whitfield" || it.TargetDate.String() != "2027-03-31" || len(it.Evidence) != 2 ||
		it.Evidence[1].Kind != assess.EvidenceLink || it.Evidence[1].URL != "https://wiki.example/scope" || it.UpdatedBy != "tester" {
		t.Errorf("4.3 after import: %+v", it)
	}
	if it := item(t, svc, id, "A.8.5"); !it.Applicable {
		t.Error("a blank Applicable cell excluded A.8.5")
	}
	if it := item(t, svc, id, "A.7.4"); it.Applicable || it.Justification != "No premises of our own: fully remote company" {
		t.Errorf("A.7.4: %+v", it)
	}
	it = item(t, svc, id, "A.8.1")
	if it.Score != 4 || it.Priority != assess.PriorityCritical || it.EffortDays == nil || *it.EffortDays != 2.5 ||
		strings.Join(it.Inclusion, ";") != "legal-contractual;best-practice" || it.InclusionNote != "Customer contracts require managed endpoints" {
		t.Errorf("A.8.1: %+v", it)
	}
	// Every change is in the history, under the importing actor.
	h, _ := svc.History(context.Background(), app.System("test"), id, storeQuery("4.3"))
	if len(h) == 0 || h[len(h)-1].Actor != "tester" {
		t.Errorf("history of 4.3: %+v", h)
	}
	// Importing the same workbook again changes nothing; so does a fresh export.
	if res, err := importBooks(t, svc, id, app.SheetImportOptions{}, read(t, "edited.xlsx", edited)); err != nil || len(res.Changes) != 0 {
		t.Errorf("second import: %v %+v", err, res.Changes)
	}
	again := export(t, svc, id, workbook.Filter{})
	if res, err := importBooks(t, svc, id, app.SheetImportOptions{}, read(t, "again.xlsx", again)); err != nil || len(res.Changes) != 0 {
		t.Errorf("import of the re-export: %v %+v", err, res.Changes)
	}
}

func TestConflicts(t *testing.T) {
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			ctx := context.Background()
			svc := newService(t, eng.dsn(t))
			id := demo(t, svc)
			data := export(t, svc, id, workbook.Filter{})
			// Since the export, isogap changed A.5.1's owner and 5.1's notes.
			if _, err := svc.UpdateItem(ctx, app.System("dana"), id, "A.5.1", 0, app.ItemPatch{Owner: ptr("Grace Holm")}); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.UpdateItem(ctx, app.System("dana"), id, "5.1", 0, app.ItemPatch{Notes: ptr("Reviewed at the board")}); err != nil {
				t.Fatal(err)
			}
			// The workbook changed A.5.1's owner too (a conflict), 5.1's score (a
			// different field: no conflict) and A.6.1's score.
			edited := edit(t, data, func(f *excelize.File) {
				sh := workbook.SheetChecklist
				set(t, f, sh, fmt.Sprintf("K%d", rowOf(t, f, "A.5.1")), "Marcus Lee")
				set(t, f, sh, fmt.Sprintf("H%d", rowOf(t, f, "5.1")), 2)
				set(t, f, sh, fmt.Sprintf("H%d", rowOf(t, f, "A.6.1")), 1)
			})
			book := read(t, "returned.xlsx", edited)
			before := historyLen(t, svc, id)

			res, err := importBooks(t, svc, id, app.SheetImportOptions{}, book)
			if assess.KindOf(err) != assess.KindConflict {
				t.Fatalf("want a conflict, got %v", err)
			}
			un := res.Unresolved()
			if len(un) != 1 || un[0].Ref != "A.5.1" || un[0].Field != "owner" || un[0].Workbook != "Marcus Lee" || un[0].Current != "Grace Holm" ||
				un[0].ChangedBy != "dana" || !strings.Contains(un[0].Where, "Gap Checklist!K") {
				t.Fatalf("conflicts: %+v", res.Conflicts)
			}
			if n := historyLen(t, svc, id); n != before {
				t.Fatalf("a refused import wrote %d history entries", n-before)
			}

			// --ours keeps isogap's owner and applies the rest.
			res, err = importBooks(t, svc, id, app.SheetImportOptions{Prefer: app.SideOurs, DryRun: true}, book)
			if err != nil || len(res.Changes) != 2 {
				t.Fatalf("--ours dry run: %v %+v", err, res.Changes)
			}
			if n := historyLen(t, svc, id); n != before {
				t.Fatal("a dry run wrote")
			}
			if _, err := importBooks(t, svc, id, app.SheetImportOptions{Prefer: app.SideOurs}, book); err != nil {
				t.Fatal(err)
			}
			if it := item(t, svc, id, "A.5.1"); it.Owner != "Grace Holm" {
				t.Errorf("--ours: owner %q", it.Owner)
			}
			if it := item(t, svc, id, "5.1"); it.Score != 2 || it.Notes != "Reviewed at the board" {
				t.Errorf("5.1 merged: %+v", it)
			}
			if it := item(t, svc, id, "A.6.1"); it.Score != 1 {
				t.Errorf("A.6.1: %+v", it)
			}
			// --theirs takes the workbook's owner.
			if _, err := importBooks(t, svc, id, app.SheetImportOptions{Prefer: app.SideTheirs}, book); err != nil {
				t.Fatal(err)
			}
			if it := item(t, svc, id, "A.5.1"); it.Owner != "Marcus Lee" {
				t.Errorf("--theirs: owner %q", it.Owner)
			}
		})
	}
}

func TestStakeholderCopiesMergeInOneTransaction(t *testing.T) {
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			svc := newService(t, eng.dsn(t))
			id := demo(t, svc)
			hr := export(t, svc, id, workbook.Filter{Department: "HR"})
			dev := export(t, svc, id, workbook.Filter{Owner: "priya natarajan"})
			hrBook := read(t, "hr.xlsx", edit(t, hr, func(f *excelize.File) {
				rows, _ := f.GetRows(workbook.SheetChecklist)
				for i, r := range rows[1:] {
					if r[4] != "HR" {
						t.Errorf("HR copy holds %s of %s", r[0], r[4])
					}
					set(t, f, workbook.SheetChecklist, fmt.Sprintf("H%d", i+2), 5)
					set(t, f, workbook.SheetChecklist, fmt.Sprintf("J%d", i+2), "HR handbook 2026")
				}
			}))
			devBook := read(t, "devops.xlsx", edit(t, dev, func(f *excelize.File) {
				set(t, f, workbook.SheetChecklist, "P2", "Checked with the platform team")
			}))
			if len(hrBook.Rows) == 0 || len(devBook.Rows) == 0 || len(hrBook.Rows)+len(devBook.Rows) >= 123 {
				t.Fatalf("filtered copies: %d and %d rows", len(hrBook.Rows), len(devBook.Rows))
			}
			res, err := importBooks(t, svc, id, app.SheetImportOptions{}, hrBook, devBook)
			if err != nil {
				t.Fatal(err)
			}
			if res.Items != len(hrBook.Rows)+1 {
				t.Errorf("%d items changed, want %d", res.Items, len(hrBook.Rows)+1)
			}
			v := view(t, svc, id)
			for _, it := range v.Items {
				if it.Department == "HR" && (it.Score != 5 || !it.HasEvidence()) {
					t.Errorf("%s not merged: %+v", it.Ref, it)
				}
			}
			if it := item(t, svc, id, devBook.Rows[0].Ref); it.Notes != "Checked with the platform team" {
				t.Errorf("devops copy not merged: %+v", it)
			}

			// One bad cell in one copy: nothing of either copy lands.
			before := historyLen(t, svc, id)
			good := read(t, "hr2.xlsx", edit(t, export(t, svc, id, workbook.Filter{Department: "HR"}), func(f *excelize.File) {
				set(t, f, workbook.SheetChecklist, "N2", "New action")
			}))
			bad := read(t, "dev2.xlsx", edit(t, export(t, svc, id, workbook.Filter{Owner: "Priya Natarajan"}), func(f *excelize.File) {
				set(t, f, workbook.SheetChecklist, "H3", 9)
			}))
			_, err = importBooks(t, svc, id, app.SheetImportOptions{}, good, bad)
			var fe *assess.FieldErrors
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), "dev2.xlsx: Gap Checklist!H3") {
				t.Fatalf("want an error naming dev2.xlsx: Gap Checklist!H3, got %v", err)
			}
			if n := historyLen(t, svc, id); n != before {
				t.Fatalf("a refused import wrote %d entries", n-before)
			}
		})
	}
}

// Two copies returned from the same export set one field to different
// values: a conflict naming both cells, which --theirs cannot settle (both
// are "theirs") and --ours settles by keeping isogap's value.
func TestCopiesThatDisagreeConflict(t *testing.T) {
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			svc := newService(t, eng.dsn(t))
			id := demo(t, svc)
			hr := export(t, svc, id, workbook.Filter{Department: "HR"})
			legal := export(t, svc, id, workbook.Filter{})
			sh := workbook.SheetChecklist
			var ref, legalCell string
			hrBook := read(t, "hr.xlsx", edit(t, hr, func(f *excelize.File) {
				ref, _ = f.GetCellValue(sh, "A2")
				set(t, f, sh, "K2", "Ann")
				set(t, f, sh, "N2", "Brief the new starters")
			}))
			legalBook := read(t, "legal.xlsx", edit(t, legal, func(f *excelize.File) {
				legalCell = fmt.Sprintf("K%d", rowOf(t, f, ref))
				set(t, f, sh, legalCell, "Bob")
			}))
			was := item(t, svc, id, ref)
			before := historyLen(t, svc, id)
			check := func(res app.SheetImportResult, resolution string) {
				t.Helper()
				if len(res.Conflicts) != 1 {
					t.Fatalf("conflicts: %+v", res.Conflicts)
				}
				c := res.Conflicts[0]
				if c.Ref != ref || c.Field != "owner" || c.Where != "hr.xlsx: Gap Checklist!K2" || c.Workbook != "Ann" ||
					c.Other != "legal.xlsx: Gap Checklist!"+legalCell || c.Current != "Bob" || c.Resolution != resolution {
					t.Errorf("conflict: %+v", c)
				}
				if s := c.String(); !strings.Contains(s, "hr.xlsx: Gap Checklist!K2 says \"Ann\"") || !strings.Contains(s, legalCell+` says "Bob"`) {
					t.Errorf("conflict reads %q", s)
				}
			}
			for _, prefer := range []app.Side{app.SideNone, app.SideTheirs} {
				res, err := importBooks(t, svc, id, app.SheetImportOptions{Prefer: prefer}, hrBook, legalBook)
				if assess.KindOf(err) != assess.KindConflict || res.Applied {
					t.Fatalf("prefer %v: want a refused import, got %v", prefer, err)
				}
				check(res, "")
				if n := historyLen(t, svc, id); n != before {
					t.Fatalf("prefer %v: a refused import wrote %d history entries", prefer, n-before)
				}
			}
			res, err := importBooks(t, svc, id, app.SheetImportOptions{Prefer: app.SideOurs}, hrBook, legalBook)
			if err != nil {
				t.Fatal(err)
			}
			check(res, "ours")
			if it := item(t, svc, id, ref); it.Owner != was.Owner || it.Action != "Brief the new starters" {
				t.Errorf("--ours: owner %q (was %q), action %q", it.Owner, was.Owner, it.Action)
			}
		})
	}
}

func TestImportListsEveryProblemWithItsCell(t *testing.T) {
	svc := sqliteService(t)
	id := demo(t, svc)
	data := edit(t, export(t, svc, id, workbook.Filter{}), func(f *excelize.File) {
		sh := workbook.SheetChecklist
		set(t, f, sh, "H2", 7)
		set(t, f, sh, "M3", "31/13/2027")
		set(t, f, sh, "L4", "urgent")
		set(t, f, sh, "F5", "No") // a clause requirement
		r := rowOf(t, f, "A.5.2")
		set(t, f, sh, fmt.Sprintf("F%d", r), "No") // without a justification
		set(t, f, sh, fmt.Sprintf("E%d", rowOf(t, f, "A.5.3")), "Marketing")
		set(t, f, sh, fmt.Sprintf("O%d", rowOf(t, f, "A.5.4")), "a week")
		set(t, f, sh, fmt.Sprintf("A%d", rowOf(t, f, "A.5.5")), "A.9.99")
		set(t, f, sh, fmt.Sprintf("Q%d", rowOf(t, f, "A.5.6")), "isogap1/garbage")
	})
	before := historyLen(t, svc, id)
	_, err := importBooks(t, svc, id, app.SheetImportOptions{}, read(t, "bad.xlsx", data))
	if assess.KindOf(err) != assess.KindInvalid {
		t.Fatalf("want invalid input, got %v", err)
	}
	msg := err.Error()
	for _, want := range []string{"Gap Checklist!H2", `"7"`, "Gap Checklist!M3", "31/13/2027", "YYYY-MM-DD", "Gap Checklist!L4", "urgent",
		"Gap Checklist!F5", "always applicable", "6.1.3", "Marketing", "unknown department", "a week", "A.9.99", "unknown ref", "stamp is damaged"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if n := historyLen(t, svc, id); n != before {
		t.Fatalf("a refused import wrote %d entries", n-before)
	}
}

// The template filled in by hand fills in what isogap has not set yet
// (replacing what it has set is a conflict: TestBlankTemplateConflicts…).
func TestTemplateFilledByHandIsAPlainUpdate(t *testing.T) {
	svc := sqliteService(t)
	id := fresh(t, svc)
	var buf bytes.Buffer
	if err := workbook.Template(&buf, catalog.Builtin(), writtenAt); err != nil {
		t.Fatal(err)
	}
	before := item(t, svc, id, "A.8.2")
	filled := edit(t, buf.Bytes(), func(f *excelize.File) {
		sh := workbook.SheetChecklist
		r := rowOf(t, f, "A.8.2")
		set(t, f, sh, fmt.Sprintf("H%d", r), 2)
		set(t, f, sh, fmt.Sprintf("N%d", r), "Review admin rights monthly")
	})
	book := read(t, "filled.xlsx", filled)
	for _, r := range book.Rows {
		if r.Base != nil || len(r.Problems) > 0 {
			t.Fatalf("the template carries a stamp on %s", r.Ref)
		}
	}
	res, err := importBooks(t, svc, id, app.SheetImportOptions{}, book)
	if err != nil {
		t.Fatal(err)
	}
	it := item(t, svc, id, "A.8.2")
	// Empty cells of an unstamped workbook leave isogap's values alone.
	if it.Score != 2 || it.Action != "Review admin rights monthly" || it.Owner != before.Owner || len(it.Evidence) != len(before.Evidence) {
		t.Errorf("A.8.2: %+v (before %+v)", it, before)
	}
	for _, ch := range res.Changes {
		if ch.Field == "owner" || ch.Field == "score" && ch.Ref != "A.8.2" {
			t.Errorf("unexpected change %+v", ch)
		}
	}
}

func TestHostileFiles(t *testing.T) {
	svc := sqliteService(t)
	id := demo(t, svc)
	good := export(t, svc, id, workbook.Filter{})
	cat := catalog.Builtin()
	tight := workbook.DefaultLimits
	tight.MaxUnzipped = 8 << 20
	tight.MaxRows = 500
	cases := map[string]struct {
		data []byte
		want string
	}{
		"empty":     {nil, "not a zip archive"},
		"csv":       {[]byte("ref,score\n4.1,3\n"), "not a zip archive"},
		"truncated": {good[:len(good)/2], "not a zip archive"},
		"zip bomb":  {zipBomb(t, 64<<20), "unpacks to more than"},
		"no sheet":  {zipWith(t, map[string]string{"hello.txt": "hi"}), "not a readable .xlsx"},
		"bad xml":   {replaceEntry(t, good, "xl/worksheets/sheet3.xml", `<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>99999`), "Gap Checklist"},
		"many rows": {manyRows(t, 2000), "more than 500 rows"},
		"no checklist": {edit(t, good, func(f *excelize.File) {
			f.SetSheetName(workbook.SheetChecklist, "Answers")
			f.SetSheetName(workbook.SheetActions, "Todo")
			f.SetCellValue("Todo", "A1", "Step")
			f.SetCellValue("Answers", "A1", "Reference text")
		}), "no sheet \"Gap Checklist\""},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := workbook.Read(name+".xlsx", tc.data, cat, tight)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), name+".xlsx") {
				t.Fatalf("want an error naming the file and %q, got %v", tc.want, err)
			}
			if assess.KindOf(err) != assess.KindInvalid {
				t.Errorf("kind %v", assess.KindOf(err))
			}
		})
	}
}

func storeQuery(ref string) storeHistoryQuery { return storeHistoryQuery{Ref: ref} }
