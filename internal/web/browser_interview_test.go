package web_test

import (
	"context"
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/interview"
	"github.com/isogap/isogap/internal/testenv"
	"github.com/isogap/isogap/internal/web"
)

//go:embed testdata/axe/axe.min.js
var axeSource string

// TestInterviewBrowser is an interview on a 390×844 phone in a real
// Chromium: the link, every question of HR answered (with an upload, each
// answer saved by the script), leaving and coming back, a refused early
// submit, the submit; then the assessor's review (accepting some items,
// returning a question) and the interviewee answering it again. No page
// scrolls sideways, and axe-core finds no serious or critical violation.
func TestInterviewBrowser(t *testing.T) {
	testenv.SkipIfShort(t, "the browser run")
	ctx := context.Background()
	s := newSite(t, engines[0].open(t), web.Config{InterviewPack: packWriter})
	sys := app.System("setup")
	a, err := s.svc.CreateAssessment(ctx, sys, app.NewAssessment{Org: "Northwind Cloud Ltd", Lead: "Dana Whitfield"})
	if err != nil {
		t.Fatal(err)
	}
	_, ann := s.user("dana", false)
	if err := s.st.PutMembership(ctx, assess.Membership{AssessmentID: a.ID, UserID: ann.ID, Role: assess.RoleAssessor}); err != nil {
		t.Fatal(err)
	}
	dana := app.Principal{User: ann}
	iv, err := s.svc.CreateInterview(ctx, dana, a.ID, app.NewInterview{Name: "Jana Novak", Email: "jana@example.com", Department: "HR",
		Due: assess.DateOf(time.Now()).AddDays(21)})
	if err != nil {
		t.Fatal(err)
	}
	sent, err := s.svc.SendInterview(ctx, dana, a.ID, iv.ID, s.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	view := func() app.InterviewView {
		t.Helper()
		v, err := s.svc.Interview(ctx, sys, a.ID, iv.ID)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	items := view().Items
	br := newBrowser(t, 390, 844, 4*time.Minute,
		"status of 422", "status of 409") // the early submit and the review's refusals answer 4xx on purpose
	bctx, run, fail, eval, shot := br.ctx, br.run, br.fail, br.eval, br.shot
	// waitFor polls a script expression (evaluated by the browser's
	// debugger, so the page's Content-Security-Policy does not apply).
	waitFor := func(step, js string) {
		t.Helper()
		for range 100 {
			if eval(step, "String(!!("+js+"))") == "true" {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		fail(step, fmt.Errorf("%s never became true", js))
	}
	noSideways := func(where string) {
		t.Helper()
		if w := eval(where, "String(document.documentElement.scrollWidth)"); w != "390" && atoi(t, w) > 390 {
			t.Errorf("%s scrolls sideways: %s px wide at 390", where, w)
		}
	}
	axe := func(where string) {
		t.Helper()
		eval("axe", axeSource+";'loaded'")
		out, err := chromedp.Run(bctx, chromedp.Evaluate[string](`axe.run(document, {resultTypes: ["violations"]}).then(r =>
			r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
			 .map(v => v.impact + " " + v.id + ": " + v.help + " (" + v.nodes.map(n => n.target.join(" ")).slice(0, 3).join(", ") + ")").join("\n"))`,
			chromedp.EvalAwaitPromise))
		if err != nil {
			fail("axe on "+where, err)
		}
		if out != "" {
			t.Errorf("axe-core on %s:\n%s", where, out)
		}
	}
	// answer clicks kind on every question of the screen, waits for the
	// script to save the last one, and goes on with the button.
	answer := func(ref string, kind interview.Kind, button string) {
		t.Helper()
		waitFor("open "+ref, `location.pathname === "/interview/items/`+ref+`" && document.readyState === "complete"`)
		eval("answer "+ref, `document.querySelectorAll('.choices input[value="`+string(kind)+`"]').forEach(i => document.querySelector('label[for="' + i.id + '"]').click()); "ok"`)
		waitFor("autosave "+ref, `document.getElementById("autosave").textContent.startsWith("Saved")`)
		noSideways("item " + ref)
		run("go on from "+ref, chromedp.Click(chromedp.CSS(button)))
	}

	// The link signs in and leaves the token out of the address bar.
	run("open link", chromedp.EmulateViewport(390, 844), chromedp.Navigate(sent.Link), chromedp.WaitVisible(chromedp.CSS("#start")))
	loc, _ := chromedp.Run(bctx, chromedp.Location())
	if loc != s.srv.URL+"/interview/" {
		t.Errorf("after the link: at %s", loc)
	}
	noSideways("start page")
	axe("the start page")
	run("start", chromedp.Click(chromedp.CSS("#start")))

	// The first item: answered Yes, with a file for its first question.
	first := items[0]
	run("first item", chromedp.WaitVisible(chromedp.CSS(".ivform")))
	axe("an item page")
	eval("answer first", `document.querySelectorAll('.choices input[value="yes"]').forEach(i => document.querySelector('label[for="' + i.id + '"]').click()); "ok"`)
	waitFor("autosave first", `document.getElementById("autosave").textContent.startsWith("Saved")`)
	upload := filepath.Join(t.TempDir(), "screening-checklist.pdf")
	os.WriteFile(upload, []byte("%PDF-1.4 screening checklist"), 0o644)
	run("upload", chromedp.SetUploadFiles(chromedp.CSS("#ev-file"), []string{upload}),
		chromedp.SetValue(chromedp.CSS("#ev-text"), "Screening checklist"),
		chromedp.Submit(chromedp.CSS("#ev-text")), chromedp.WaitVisible(chromedp.CSS(`.evidence a[download]`)))
	if got := view().Items[0]; got.Questions[0].Answer != interview.Yes || len(got.Questions[0].Evidence) != 1 {
		t.Fatalf("first item after the script's saves and the upload: %+v", got.Questions[0])
	}
	shot("interview-phone.png")
	run("next", chromedp.Click(chromedp.CSS("#next")))
	// The second: answered, then the person leaves.
	answer(items[1].Ref, interview.Partly, "#stop")
	run("paused", chromedp.WaitVisible(chromedp.CSS(".notice")))
	run("leave", chromedp.Navigate("about:blank"))

	// Back later: the start page continues where they stopped; submitting
	// early is refused with what is missing.
	run("come back", chromedp.Navigate(s.srv.URL+"/interview/"), chromedp.WaitVisible(chromedp.CSS("#start")))
	if got := eval("progress", `document.querySelector(".ivprogress").textContent`); !strings.Contains(got, fmt.Sprintf("%d of %d", len(first.Questions)+len(items[1].Questions), view().Total)) {
		t.Errorf("progress on coming back: %q", got)
	}
	run("early submit", chromedp.Navigate(s.srv.URL+"/interview/end"), chromedp.WaitVisible(chromedp.CSS("#submit")))
	noSideways("end page")
	axe("the end page")
	run("submit early", chromedp.Click(chromedp.CSS("#submit")), chromedp.WaitVisible(chromedp.CSS("#form-errors")))
	if got := eval("refusal", `document.getElementById("form-errors").textContent`); !strings.Contains(got, "not answered yet") {
		t.Errorf("early submit: %q", got)
	}
	run("continue", chromedp.Navigate(s.srv.URL+"/interview/"), chromedp.WaitVisible(chromedp.CSS("#start")), chromedp.Click(chromedp.CSS("#start")))
	for _, it := range items[2:] {
		answer(it.Ref, interview.Yes, "#next")
	}
	waitFor("last screen", `location.pathname === "/interview/end" && document.readyState === "complete"`)
	run("last screen", chromedp.WaitVisible(chromedp.CSS("#submit")), chromedp.Click(chromedp.CSS("#submit")), chromedp.WaitVisible(chromedp.CSS("#message")))
	if got := view(); got.State != interview.Submitted || got.Answered != got.Total {
		t.Fatalf("after submitting: %s, %d of %d", got.State, got.Answered, got.Total)
	}

	// The assessor reviews on a desktop: accepts the first two items,
	// returns a question of the second.
	run("sign in", chromedp.EmulateViewport(1366, 900), chromedp.Navigate(s.srv.URL+"/login"), chromedp.WaitVisible(chromedp.CSS("#password")),
		chromedp.SendKeys(chromedp.CSS("#login"), "dana"), chromedp.SendKeys(chromedp.CSS("#password"), "correct horse battery"),
		chromedp.Submit(chromedp.CSS("#password")), chromedp.WaitVisible(chromedp.CSS("table.portfolio")))
	review := fmt.Sprintf("%s/a/%s/interviews/%d", s.srv.URL, a.ID, iv.ID)
	for i, it := range items[:2] {
		sel := `form.accept input[name="ref"][value="` + it.Ref + `"]`
		run("accept "+it.Ref, chromedp.Navigate(review), chromedp.WaitVisible(chromedp.CSS("#i-"+strings.ReplaceAll(it.Ref, ".", "\\."))),
			chromedp.Submit(chromedp.CSS(sel)), chromedp.WaitVisible(chromedp.CSS(".notice")))
		if i == 0 {
			run("review shot", chromedp.Navigate(review), chromedp.WaitVisible(chromedp.CSS(".review")))
			axe("the review page")
			br.windowShot("interview-review.png")
		}
	}
	q := items[1].Questions[0].ID
	run("return", chromedp.Navigate(review), chromedp.WaitVisible(chromedp.CSS("#i-"+strings.ReplaceAll(items[1].Ref, ".", "\\."))))
	eval("open details", `document.querySelectorAll("details.return").forEach(d => d.open = true); "ok"`)
	run("return note", chromedp.SetValue(chromedp.CSS(`textarea[name="note"][id="note-`+q+`"]`), "Which roles does the plan cover, and by when?"),
		chromedp.Submit(chromedp.CSS(`textarea[id="note-`+q+`"]`)), chromedp.WaitVisible(chromedp.CSS(".notice")))
	got := view()
	if got.Accepted != 2 || got.State != interview.InProgress || got.Returned != 1 {
		t.Fatalf("after the review: %d accepted, %s, %d returned", got.Accepted, got.State, got.Returned)
	}
	for _, it := range got.Items[:2] {
		if it.Current.Score == 0 || it.Decision == nil {
			t.Errorf("%s not accepted: %+v", it.Ref, it.Current)
		}
	}

	// The interviewee opens the link again on the phone: the returned
	// question is marked with the note, answered again, sent in.
	run("link again", chromedp.EmulateViewport(390, 844), chromedp.Navigate(sent.Link), chromedp.WaitVisible(chromedp.CSS("#returned-count")),
		chromedp.Click(chromedp.CSS("#start")), chromedp.WaitVisible(chromedp.CSS("fieldset.returned")))
	if got := eval("note", `document.querySelector("fieldset.returned .note").textContent`); !strings.Contains(got, "Which roles does the plan cover") {
		t.Errorf("returned question's note: %q", got)
	}
	noSideways("returned item")
	axe("a returned question")
	eval("answer again", `document.querySelector('fieldset.returned textarea').value = "Plan: all roles by June"; document.querySelector('fieldset.returned input[value="no"] + label').click(); "ok"`)
	waitFor("autosave again", `document.getElementById("autosave").textContent.startsWith("Saved")`)
	run("to the end", chromedp.Navigate(s.srv.URL+"/interview/end"), chromedp.WaitVisible(chromedp.CSS("#submit")),
		chromedp.Click(chromedp.CSS("#submit")), chromedp.WaitVisible(chromedp.CSS("#message")))
	final := view()
	if final.State != interview.Submitted || final.Returned != 0 {
		t.Errorf("after answering again: %s, %d returned", final.State, final.Returned)
	}
	for _, fq := range final.Items[1].Questions {
		if fq.ID == q && (fq.Answer != interview.No || fq.Comment != "Plan: all roles by June") {
			t.Errorf("answer given again: %+v", fq)
		}
	}

	br.close()
}
