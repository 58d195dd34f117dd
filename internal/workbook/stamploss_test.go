package workbook_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/store/open"
	"github.com/isogap/isogap/internal/workbook"
)

// A workbook that lost what tells an import the base of its rows must
// never replace a value set in isogap unseen.

// clockService is a service (and store) on a clock the test moves: the
// demo is made an hour before the export, later edits an hour after it.
func clockService(t *testing.T) (*app.Service, *time.Time) {
	t.Helper()
	now := writtenAt.Add(-time.Hour)
	clock := func() time.Time { return now }
	st, err := open.Store(context.Background(), filepath.Join(t.TempDir(), "isogap.db"), clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return app.New(st, app.Config{Clock: clock}), &now
}

// colOf finds a Gap Checklist column by its header text.
func colOf(t *testing.T, f *excelize.File, header string) string {
	t.Helper()
	rows, err := f.GetRows(workbook.SheetChecklist)
	if err != nil || len(rows) == 0 {
		t.Fatal(err)
	}
	for i, h := range rows[0] {
		if h == header {
			c, _ := excelize.ColumnNumberToName(i + 1)
			return c
		}
	}
	t.Fatalf("no column %q on the Gap Checklist", header)
	return ""
}

// scoredWithEvidence picks a demo item with a score below 5 and evidence.
func scoredWithEvidence(t *testing.T, svc *app.Service, id string, skip ...string) assess.Item {
	t.Helper()
	for _, it := range view(t, svc, id).Items {
		if it.Score.Assessed() && it.Score < 5 && it.Score != 2 && len(it.Evidence) > 0 && it.Applicable && !strings.Contains(strings.Join(skip, " "), it.Ref) {
			return it
		}
	}
	t.Fatal("no scored demo item with evidence")
	return assess.Item{}
}

func setScore(t *testing.T, svc *app.Service, id, ref string, s assess.Score) {
	t.Helper()
	if _, err := svc.UpdateItem(context.Background(), app.System("alice"), id, ref, 0, app.ItemPatch{Score: &s}); err != nil {
		t.Fatal(err)
	}
}

func wantConflict(t *testing.T, res app.SheetImportResult, err error, ref, field string) {
	t.Helper()
	if assess.KindOf(err) != assess.KindConflict {
		t.Fatalf("import: %v, want a conflict on %s %s (changes %+v)", err, ref, field, res.Changes)
	}
	for _, c := range res.Unresolved() {
		if c.Ref == ref && c.Field == field {
			return
		}
	}
	t.Fatalf("no conflict on %s %s: %+v", ref, field, res.Conflicts)
}

func TestEmptiedStampsReadAgainstTheHistory(t *testing.T) {
	svc, now := clockService(t)
	id := demo(t, svc)
	x := scoredWithEvidence(t, svc, id)
	y := scoredWithEvidence(t, svc, id, x.Ref)
	data := export(t, svc, id, workbook.Filter{})

	// After the export, isogap sets x's score to 2 and drops y's evidence.
	*now = writtenAt.Add(time.Hour)
	setScore(t, svc, id, x.Ref, 2)
	for _, ev := range y.Evidence {
		if err := svc.RemoveEvidence(context.Background(), app.System("alice"), id, ev.ID); err != nil {
			t.Fatal(err)
		}
	}

	// The workbook's stamps are emptied; it sets x to 5 and y's owner.
	data = edit(t, data, func(f *excelize.File) {
		sh, stamp := workbook.SheetChecklist, colOf(t, f, workbook.StampHeader)
		rows, _ := f.GetRows(sh)
		for r := 2; r <= len(rows); r++ {
			set(t, f, sh, fmt.Sprintf("%s%d", stamp, r), "")
		}
		set(t, f, sh, colOf(t, f, "Score (1-5)")+fmt.Sprint(rowOf(t, f, x.Ref)), 5)
		set(t, f, sh, colOf(t, f, "Owner")+fmt.Sprint(rowOf(t, f, y.Ref)), "Grace Hopper")
	})
	book := read(t, "stampless.xlsx", data)
	res, err := importBooks(t, svc, id, app.SheetImportOptions{}, book)
	wantConflict(t, res, err, x.Ref, "score")
	if got := item(t, svc, id, x.Ref).Score; got != 2 {
		t.Fatalf("%s score %v after a refused import", x.Ref, got)
	}

	// isogap's side kept, the rest imported: y's evidence stays removed.
	if _, err := importBooks(t, svc, id, app.SheetImportOptions{Prefer: app.SideOurs}, book); err != nil {
		t.Fatal(err)
	}
	if got := item(t, svc, id, x.Ref).Score; got != 2 {
		t.Errorf("%s score %v, want isogap's 2", x.Ref, got)
	}
	got := item(t, svc, id, y.Ref)
	if got.Owner != "Grace Hopper" {
		t.Errorf("%s owner %q: the workbook's change was lost", y.Ref, got.Owner)
	}
	if len(got.Evidence) != 0 {
		t.Errorf("%s: evidence removed in isogap came back: %+v", y.Ref, got.Evidence)
	}
}

// pasteVisible copies the visible answer columns of an exported Gap
// Checklist into a new workbook, as a person would with copy and paste.
const pasteVisible = `
import sys, openpyxl
src = openpyxl.load_workbook(sys.argv[1])["Gap Checklist"]
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "Sheet1"
for row in src.iter_rows():
    out = []
    for c in row:
        if src.column_dimensions[c.column_letter].hidden:
            break
        v = c.value
        if isinstance(v, str) and v.startswith("="):
            v = None
        out.append(v)
    ws.append(out)
wb.save(sys.argv[2])
`

func TestPastedIntoANewWorkbookConflicts(t *testing.T) {
	svc, now := clockService(t)
	id := demo(t, svc)
	x := scoredWithEvidence(t, svc, id)
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "export.xlsx"), filepath.Join(dir, "pasted.xlsx")
	if err := os.WriteFile(src, export(t, svc, id, workbook.Filter{}), 0o600); err != nil {
		t.Fatal(err)
	}
	python(t, pasteVisible, src, dst)
	*now = writtenAt.Add(time.Hour)
	setScore(t, svc, id, x.Ref, 2)

	book, err := workbook.ReadFile(dst, catalog.Builtin(), workbook.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	// The pasted copy still says x is at its old score: that must not undo
	// the newer 2 unseen.
	res, err := importBooks(t, svc, id, app.SheetImportOptions{}, book)
	wantConflict(t, res, err, x.Ref, "score")
	if !strings.Contains(res.Unresolved()[0].String(), "nothing in the workbook shows it was seen") {
		t.Errorf("conflict says %q", res.Unresolved()[0])
	}
	if got := item(t, svc, id, x.Ref).Score; got != 2 {
		t.Fatalf("%s score %v", x.Ref, got)
	}
}

func TestBlankTemplateConflictsWithValuesSetInIsogap(t *testing.T) {
	svc, _ := clockService(t)
	id := demo(t, svc)
	x := scoredWithEvidence(t, svc, id)
	var buf bytes.Buffer
	if err := workbook.Template(&buf, catalog.Builtin(), writtenAt); err != nil {
		t.Fatal(err)
	}
	filled := edit(t, buf.Bytes(), func(f *excelize.File) {
		set(t, f, workbook.SheetChecklist, colOf(t, f, "Score (1-5)")+fmt.Sprint(rowOf(t, f, x.Ref)), 1)
	})
	book := read(t, "template.xlsx", filled)
	res, err := importBooks(t, svc, id, app.SheetImportOptions{}, book)
	wantConflict(t, res, err, x.Ref, "score")
	if got := item(t, svc, id, x.Ref).Score; got != x.Score {
		t.Fatalf("%s score %v after a refused import", x.Ref, got)
	}
	// --theirs says the workbook wins.
	if _, err := importBooks(t, svc, id, app.SheetImportOptions{Prefer: app.SideTheirs}, book); err != nil {
		t.Fatal(err)
	}
	if got := item(t, svc, id, x.Ref).Score; got != 1 {
		t.Errorf("%s score %v with --theirs", x.Ref, got)
	}
}
