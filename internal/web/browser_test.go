package web_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/testenv"
	"github.com/isogap/isogap/internal/web"
)

var screenshots = flag.String("screenshots", "", "folder for the browser test's screenshots (the README's come from ../../docs/screenshots); default a temporary folder")

func chromium(t *testing.T) string {
	for _, p := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	testenv.Missing(t, "chromium", "install it with: apt-get install chromium")
	return ""
}

// TestBrowser drives the web app in a real headless Chromium: first-run
// setup, a new assessment through the guided steps, inline scoring in the
// matrix, an evidence upload, the dashboard's figures moving, a download,
// the forecast following a new day rate, and a snapshot compared with now.
func TestBrowser(t *testing.T) {
	testenv.SkipIfShort(t, "the browser run")
	ctx := context.Background()
	s := newSite(t, engines[0].open(t), web.Config{})
	// The demo gives the screenshots something to show.
	demo, err := s.svc.CreateDemo(ctx, app.System("test"))
	if err != nil {
		t.Fatal(err)
	}
	br := newBrowser(t, 1366, 900, 3*time.Minute, "status of 409") // the conflict page answers 409 on purpose
	bctx, run, fail, shot, text := br.ctx, br.run, br.fail, br.shot, br.text
	base := s.srv.URL

	// First run: the browser is sent to the setup page and creates the administrator.
	run("setup", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#password2")),
		chromedp.SendKeys(chromedp.CSS("#login"), "dana"), chromedp.SendKeys(chromedp.CSS("#name"), "Dana Whitfield"),
		chromedp.SendKeys(chromedp.CSS("#password"), "a long enough passphrase"),
		chromedp.SendKeys(chromedp.CSS("#password2"), "a long enough passphrase"),
		chromedp.Submit(chromedp.CSS("#password2")), chromedp.WaitVisible(chromedp.CSS("table.portfolio")))
	if got := text(".notice"); !strings.Contains(got, "Welcome") {
		t.Errorf("after setup: %q", got)
	}

	// Step 1: scope.
	run("new assessment", chromedp.Click(chromedp.CSS(`a[href="/new"]`)), chromedp.WaitVisible(chromedp.CSS("#org")),
		chromedp.SetValue(chromedp.CSS("#org"), "Northwind Cloud Ltd"),
		chromedp.SetValue(chromedp.CSS("#scope"), "The Northwind hosting platform and its support team"),
		chromedp.SetValue(chromedp.CSS("#units"), "Engineering\nSupport"),
		chromedp.SetValue(chromedp.CSS("#ex_what_0"), "Marketing site"),
		chromedp.SetValue(chromedp.CSS("#ex_why_0"), "Static pages, no customer data"),
		chromedp.Submit(chromedp.CSS("#org")), chromedp.WaitVisible(chromedp.CSS("#sh_name_0")))
	loc, err := chromedp.Run(bctx, chromedp.Location())
	if err != nil {
		fail("location", err)
	}
	aid := strings.Split(strings.TrimPrefix(loc, base+"/a/"), "/")[0]
	if len(aid) != 12 {
		t.Fatalf("after creating: at %s", loc)
	}
	// Step 2: stakeholders.
	run("stakeholders", chromedp.SetValue(chromedp.CSS("#sh_name_0"), "Priya Natarajan"),
		chromedp.SetValue(chromedp.CSS("#sh_department_0"), "Security/ISMS"),
		chromedp.Submit(chromedp.CSS("#sh_name_0")), chromedp.WaitVisible(chromedp.CSS(".notice")))
	run("assign owners", chromedp.Submit(chromedp.CSS(`form[action$="/owners"] button`)), chromedp.WaitVisible(chromedp.CSS(".notice")))
	owned, _ := s.svc.Item(ctx, app.System("test"), aid, "4.1")
	if owned.Owner != "Priya Natarajan" {
		t.Errorf("owner of 4.1 after assigning by department: %q", owned.Owner)
	}

	// Step 4 before scoring: nothing assessed.
	run("dashboard before", chromedp.Navigate(base+"/a/"+aid+"/"), chromedp.WaitVisible(chromedp.CSS("#kpi-readiness")))
	before := text("#kpi-readiness")
	if before != "0 %" {
		t.Errorf("readiness before scoring: %q", before)
	}

	// Step 3: inline scoring in the matrix (the script saves the row in place).
	run("matrix", chromedp.Navigate(base+"/a/"+aid+"/matrix"), chromedp.WaitVisible(chromedp.CSS("#row-4\\.1")))
	for ref, score := range map[string]string{"4.1": "4", "4.2": "3", "5.1": "5"} {
		id := strings.ReplaceAll(ref, ".", "\\.")
		run("score "+ref, chromedp.SetValue(chromedp.CSS("#score-"+id), score),
			chromedp.Click(chromedp.CSS("#row-"+id+" button")),
			chromedp.WaitVisible(chromedp.CSS("#row-"+id+".saved")))
	}
	run("owner inline", chromedp.SetValue(chromedp.CSS("#owner-4\\.2"), "Marcus Lee"),
		chromedp.SetValue(chromedp.CSS("#target-4\\.2"), "2027-03-31"),
		chromedp.Click(chromedp.CSS("#row-4\\.2 button")), chromedp.WaitVisible(chromedp.CSS("#row-4\\.2.saved")))
	for ref, want := range map[string]int{"4.1": 4, "4.2": 3, "5.1": 5} {
		it, err := s.svc.Item(ctx, app.System("test"), aid, ref)
		if err != nil || int(it.Score) != want {
			t.Errorf("%s after inline scoring: score %d (%v), want %d", ref, it.Score, err, want)
		}
	}
	if it, _ := s.svc.Item(ctx, app.System("test"), aid, "4.2"); it.Owner != "Marcus Lee" || it.TargetDate.String() != "2027-03-31" {
		t.Errorf("4.2 owner/target: %+v", it)
	}
	// Filters narrow the matrix.
	run("filter", chromedp.Navigate(base+"/a/"+aid+"/matrix?score=4"), chromedp.WaitVisible(chromedp.CSS(".count")))
	if got := text(".count"); got != "1 of 123 items" {
		t.Errorf("matrix filtered on score 4: %q", got)
	}

	// The item page: score 5 and an evidence file.
	upload := filepath.Join(t.TempDir(), "restore-test.pdf")
	os.WriteFile(upload, []byte("%PDF-1.4 restore test passed"), 0o644)
	run("item", chromedp.Navigate(base+"/a/"+aid+"/items/A.8.13"), chromedp.WaitVisible(chromedp.CSS("#score-5")),
		chromedp.Click(chromedp.CSS("#score-5")), chromedp.SetValue(chromedp.CSS("#action"), "Automate the monthly restore test"),
		chromedp.Submit(chromedp.CSS("#action")), chromedp.WaitVisible(chromedp.CSS(".notice")))
	run("upload", chromedp.SetUploadFiles(chromedp.CSS("#ev-file"), []string{upload}),
		chromedp.SetValue(chromedp.CSS("#ev-text"), "Restore test report"),
		chromedp.Submit(chromedp.CSS("#ev-text")), chromedp.WaitVisible(chromedp.CSS(`ul.evidence a[download]`)))
	it, _ := s.svc.Item(ctx, app.System("test"), aid, "A.8.13")
	if it.Score != 5 || len(it.Evidence) != 1 || it.Evidence[0].FileName != "restore-test.pdf" || it.Evidence[0].Size != 28 {
		t.Errorf("A.8.13 after the item page: %+v", it)
	}

	// Two people on one item: the page is open here when someone else saves
	// a score and an owner. Saving a different score here is refused with both
	// values shown; saving again keeps this score and their owner.
	run("open 4.3", chromedp.Navigate(base+"/a/"+aid+"/items/4.3"), chromedp.WaitVisible(chromedp.CSS("#score-2")))
	other, four := "Lena Brandt", assess.Score(4)
	if _, err := s.svc.UpdateItem(ctx, app.System(other), aid, "4.3", 0, app.ItemPatch{Owner: &other, Score: &four}); err != nil {
		t.Fatal(err)
	}
	run("conflicting save", chromedp.Click(chromedp.CSS("#score-2")), chromedp.SetValue(chromedp.CSS("#action"), "Write the scope document"),
		chromedp.Submit(chromedp.CSS("#action")), chromedp.WaitVisible(chromedp.CSS(".conflict")))
	if got := text(".conflict"); !strings.Contains(got, "Lena Brandt") || !strings.Contains(got, "Write the scope document") {
		t.Errorf("conflict panel: %q", got)
	}
	shot("conflict.png")
	run("resolve", chromedp.Submit(chromedp.CSS("#action")), chromedp.WaitVisible(chromedp.CSS(".notice")))
	if it, _ := s.svc.Item(ctx, app.System("test"), aid, "4.3"); it.Score != 2 || it.Action != "Write the scope document" || it.Owner != "Lena Brandt" {
		t.Errorf("after resolving the conflict: %+v", it)
	}

	// The dashboard moved, and shows what app.View computes.
	run("dashboard after", chromedp.Navigate(base+"/a/"+aid+"/"), chromedp.WaitVisible(chromedp.CSS("svg.chart")))
	v, _, _ := s.svc.View(ctx, app.System("test"), aid)
	after := text("#kpi-readiness")
	if want := fmt.Sprintf("%.0f %%", v.Result.Overall.Readiness*100); after != want || after == before {
		t.Errorf("readiness after scoring: %q, want %q (before %q)", after, want, before)
	}
	charts, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll("svg.chart").length`))
	if err != nil {
		fail("charts", err)
	}
	if charts != 4 {
		t.Errorf("%d charts on the dashboard, want 4", charts)
	}
	shot("new-assessment-dashboard.png")

	// The export downloads with the session (fetched by the page itself).
	csv, err := chromedp.Run(bctx, chromedp.Evaluate[string](`fetch("/a/`+aid+`/download/csv").then(r => r.ok ? r.text() : "HTTP " + r.status)`, chromedp.EvalAwaitPromise))
	if err != nil {
		fail("download", err)
	}
	if !strings.HasPrefix(csv, "ref,kind") || !strings.Contains(csv, "\n4.1,clause,") || !strings.Contains(csv, "restore-test.pdf") {
		t.Errorf("CSV export: %s", excerpt(csv))
	}
	js, err := chromedp.Run(bctx, chromedp.Evaluate[string](`fetch("/a/`+aid+`/download/json").then(r => r.headers.get("Content-Disposition"))`, chromedp.EvalAwaitPromise))
	if err != nil {
		fail("download json", err)
	}
	if !strings.HasPrefix(js, "attachment") || !strings.Contains(js, "northwind-cloud-ltd") {
		t.Errorf("JSON download disposition: %q", js)
	}

	// The forecast: a new day rate moves the budget; a preview moves it
	// without saving.
	run("forecast", chromedp.Navigate(base+"/a/"+aid+"/forecast"), chromedp.WaitVisible(chromedp.CSS("#as-day_rate")))
	budgetBefore := text("#budget-p50")
	run("day rate", chromedp.SetValue(chromedp.CSS("#as-day_rate"), "900"), chromedp.Click(chromedp.CSS("#assumptions button.primary")),
		chromedp.WaitVisible(chromedp.CSS(".notice")))
	res, err := s.svc.Results(ctx, app.System("test"), aid, nil, app.AllResults)
	if err != nil {
		t.Fatal(err)
	}
	budget := text("#budget-p50")
	if want := moneyText(res.Forecast.Budget.Currency, res.Forecast.Budget.P50); budget != want || budget == budgetBefore || res.Plan.Values["day_rate"] != "900" {
		t.Errorf("budget after a day rate of 900: %q (before %q), want %q; stored %v", budget, budgetBefore, want, res.Plan.Values)
	}
	run("preview", chromedp.SetValue(chromedp.CSS("#as-day_rate"), "1500"),
		chromedp.Click(chromedp.CSS(`#assumptions button[name="preview"]`)), chromedp.WaitVisible(chromedp.CSS(".preview")))
	if tried := text("#budget-p50"); tried == budget {
		t.Errorf("the preview did not move the budget: %q", tried)
	}
	if ps, _ := s.svc.PlanSettings(ctx, app.System("test"), aid); ps.Values["day_rate"] != "900" {
		t.Errorf("the preview saved: %v", ps.Values)
	}

	// A snapshot, an item scored since, and the comparison with now.
	run("snapshot", chromedp.Navigate(base+"/a/"+aid+"/history"), chromedp.WaitVisible(chromedp.CSS("#snap-name")),
		chromedp.SetValue(chromedp.CSS("#snap-name"), "baseline"), chromedp.Click(chromedp.CSS("form.snapform button")),
		chromedp.WaitVisible(chromedp.CSS(".notice")))
	if snaps, _ := s.svc.Snapshots(ctx, app.System("test"), aid); len(snaps) != 1 || snaps[0].Name != "baseline" {
		t.Errorf("snapshots after taking one: %+v", snaps)
	}
	run("score 4.4", chromedp.Navigate(base+"/a/"+aid+"/items/4.4"), chromedp.WaitVisible(chromedp.CSS("#score-4")),
		chromedp.Click(chromedp.CSS("#score-4")), chromedp.Click(chromedp.CSS(`form[action$="/items/4.4"] button.primary`)),
		chromedp.WaitVisible(chromedp.CSS(".notice")))
	run("compare", chromedp.Navigate(base+"/a/"+aid+"/history"), chromedp.WaitVisible(chromedp.CSS("#cmp-from")),
		chromedp.Click(chromedp.CSS("#compare button")), chromedp.WaitVisible(chromedp.CSS("#cmp-counts")))
	if got := text("#cmp-counts"); !strings.Contains(got, "1 improved") || !strings.Contains(got, "0 regressed") {
		t.Errorf("comparison of the baseline with now: %q", got)
	}
	if got := text("#cmp-items"); !strings.Contains(got, "4.4") || strings.Contains(got, "4.1") {
		t.Errorf("compared items: %q", got)
	}

	// Screenshots of the demo for the README.
	run("demo dashboard", chromedp.EmulateViewport(1366, 900), chromedp.Navigate(base+"/a/"+demo.ID+"/"), chromedp.WaitVisible(chromedp.CSS("svg.chart")))
	shot("dashboard.png")
	run("demo matrix", chromedp.Navigate(base+"/a/"+demo.ID+"/matrix?section=A.8"), chromedp.WaitVisible(chromedp.CSS("table.matrix")))
	br.windowShot("matrix.png")
	// The roadmap's window is taller: the whole Gantt chart is in the picture.
	for page, height := range map[string]int64{"forecast": 900, "roadmap": 1180, "risks": 900} {
		name := page + ".png"
		run("demo "+page, chromedp.EmulateViewport(1366, height), chromedp.Navigate(base+"/a/"+demo.ID+"/"+page), chromedp.WaitVisible(chromedp.CSS("main h1")))
		br.windowShot(name)
	}
	run("demo item", chromedp.EmulateViewport(1366, 900), chromedp.Navigate(base+"/a/"+demo.ID+"/items/A.5.15"), chromedp.WaitVisible(chromedp.CSS("#score-h")))
	br.windowShot("item.png")
	// The whole matrix fits a desktop window of 1280: no column (the
	// status, the last) is cut off behind a horizontal scroll.
	run("matrix at 1280", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(base+"/a/"+demo.ID+"/matrix"), chromedp.WaitVisible(chromedp.CSS("table.matrix")))
	if over := br.eval("matrix at 1280", `(() => { const w = document.querySelector("table.matrix").parentElement; return String(w.scrollWidth - w.clientWidth) })()`); over != "0" {
		t.Errorf("at 1280 px the matrix is %s px wider than its panel: its last columns are cut off", over)
	}
	// A phone-sized window still works.
	run("mobile", chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+"/a/"+demo.ID+"/"), chromedp.WaitVisible(chromedp.CSS("svg.chart")))
	br.windowShot("mobile.png")

	br.close()
}
