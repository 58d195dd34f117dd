package workbook_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/testenv"
	"github.com/isogap/isogap/internal/workbook"
)

// sortLikeASpreadsheet sorts the Gap Checklist's filter range the way
// Data ▸ Sort does: the rows of the range move whole (by highest score,
// then department), formulas adjusted to their new row as when copied;
// cells outside the range stay.
const sortLikeASpreadsheet = `
import sys, openpyxl
from openpyxl.formula.translate import Translator
from openpyxl.utils import range_boundaries, get_column_letter
src, dst = sys.argv[1:3]
wb = openpyxl.load_workbook(src)
ws = wb["Gap Checklist"]
c0, r0, c1, r1 = range_boundaries(ws.auto_filter.ref)
rows = []
for r in range(r0 + 1, r1 + 1):
    rows.append((r, [(ws.cell(r, c).value, ws.cell(r, c).data_type, ws.cell(r, c)._style) for c in range(c0, c1 + 1)]))
score, dept = 8 - c0, 5 - c0
def key(row):
    s = row[1][score][0] if score >= 0 else None
    return (-(int(s) if s not in (None, "") else 0), str(row[1][dept][0] or "") if dept >= 0 else "")
rows.sort(key=key)
for new, (old, cells) in enumerate(rows, start=r0 + 1):
    for i, (v, t, st) in enumerate(cells):
        col = get_column_letter(c0 + i)
        if t == "f":
            v = Translator(v, origin="%s%d" % (col, old)).translate_formula("%s%d" % (col, new))
        c = ws.cell(new, c0 + i)
        c.value = v
        c._style = st
print(ws.auto_filter.ref.replace("$", ""))
wb.save(dst)
`

// sortInLibreOffice has LibreOffice itself open the workbook, sort the
// Gap Checklist's filter range (score descending, then department) as
// Data ▸ Sort does, recalculate and save it.
const sortInLibreOffice = `
import os, subprocess, sys, time, uno
from com.sun.star.beans import PropertyValue
from com.sun.star.table import TableSortField
soffice, profile, src, dst, ref = sys.argv[1:6]
pipe = "isogapsort%d" % os.getpid()
proc = subprocess.Popen([soffice, "-env:UserInstallation=file://" + profile, "--headless", "--norestore", "--invisible",
    "--accept=pipe,name=%s;urp;" % pipe], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
def prop(n, v):
    p = PropertyValue(); p.Name = n; p.Value = v; return p
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(1200):
        try:
            ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            break
        except Exception:
            time.sleep(0.1)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(src), "_blank", 0, (prop("Hidden", True),))
    rng = doc.Sheets.getByName("Gap Checklist").getCellRangeByName(ref)
    fields = []
    for col, asc in ((7, False), (4, True)):
        f = TableSortField(); f.Field = col; f.IsAscending = asc; fields.append(f)
    desc = rng.createSortDescriptor()
    for p in desc:
        if p.Name == "ContainsHeader": p.Value = True
        if p.Name == "SortFields": p.Value = uno.Any("[]com.sun.star.table.TableSortField", tuple(fields))
    uno.invoke(rng, "sort", (tuple(desc),))
    doc.calculateAll()
    doc.storeToURL(uno.systemPathToFileUrl(dst), (prop("FilterName", "Calc MS Excel 2007 XML"),))
    doc.close(True)
    try:
        desktop.terminate()
    except Exception:
        pass
finally:
    proc.wait(timeout=60)
`

// TestSortedChecklistStaysCorrect sorts the Gap Checklist as a spreadsheet
// program does, once the way openpyxl moves its filter range's rows and
// once in LibreOffice itself: after recalculation the Dashboard still
// equals isogap's figures, and importing the sorted file changes nothing.
func TestSortedChecklistStaysCorrect(t *testing.T) {
	soffice := testenv.Program(t, "soffice", "libreoffice-calc")
	py := testenv.DebianPython(t, "uno", "python3-uno")
	svc := sqliteService(t)
	id := demo(t, svc)
	v := view(t, svc, id)
	dir := t.TempDir()
	src := filepath.Join(dir, "export.xlsx")
	if err := os.WriteFile(src, export(t, svc, id, workbook.Filter{}), 0o644); err != nil {
		t.Fatal(err)
	}

	byOpenpyxl := filepath.Join(dir, "sorted-openpyxl.xlsx")
	ref := string(python(t, sortLikeASpreadsheet, src, byOpenpyxl))
	ref = ref[:len(ref)-1]
	if ref != "A1:W124" {
		t.Errorf("the filter range is %s: the hidden stamp and helper columns (Q to W) must sort with their rows", ref)
	}
	byLibreOffice := filepath.Join(dir, "sorted-libreoffice.xlsx")
	cmd := exec.Command(py, "-c", sortInLibreOffice, soffice, filepath.Join(dir, "profile-sort"), src, byLibreOffice, ref)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sorting in LibreOffice: %v\n%s", err, testenv.Trim(out))
	}

	recalculated := recalc(t, byOpenpyxl)
	var dash map[string][][]any
	if err := json.Unmarshal(python(t, dashboardValues, recalculated[0], byLibreOffice), &dash); err != nil {
		t.Fatal(err)
	}
	checkDashboard(t, "sorted as openpyxl sorts", dash[recalculated[0]], v)
	checkDashboard(t, "sorted in LibreOffice", dash[byLibreOffice], v)

	before := historyLen(t, svc, id)
	for _, p := range []string{byOpenpyxl, byLibreOffice} {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		res, err := importBooks(t, svc, id, app.SheetImportOptions{}, read(t, filepath.Base(p), data))
		if err != nil {
			t.Errorf("%s: the sorted workbook does not import: %v", filepath.Base(p), err)
			continue
		}
		if len(res.Changes) != 0 || len(res.Conflicts) != 0 {
			t.Errorf("%s: importing the sorted, unchanged workbook changes %d fields, %d conflicts: %+v",
				filepath.Base(p), len(res.Changes), len(res.Conflicts), res.Changes)
		}
	}
	if n := historyLen(t, svc, id); n != before {
		t.Errorf("the history grew from %d to %d entries", before, n)
	}
}
