package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/plan"
	"github.com/isogap/isogap/internal/web"
)

// planSettings reads an assessment's stored assumptions.
func (f *fixture) planSettings() assess.PlanSettings {
	f.t.Helper()
	ps, err := f.svc.PlanSettings(context.Background(), app.System("test"), f.a.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return ps
}

func (f *fixture) snapshotNames() []string {
	f.t.Helper()
	list, err := f.svc.Snapshots(context.Background(), app.System("test"), f.a.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, s := range list {
		out = append(out, s.Name)
	}
	return out
}

// dayRate is an assumptions form that changes the day rate from its default.
func dayRate(version int, rate string) url.Values {
	return form("version", strconv.Itoa(version), "was_v:day_rate", "600", "v:day_rate", rate)
}

// Who may see the result pages, change the assumptions and manage snapshots.
func TestResultPagesByRole(t *testing.T) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) { testResultPagesByRole(t, e) })
	}
}

func testResultPagesByRole(t *testing.T, e engine) {
	f := newFixture(t, e)
	A := "/a/" + f.a.ID
	crossSite := &client{site: f.site, cookie: f.assessor.cookie, header: http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://evil.example"}}}
	pages := []string{"/forecast", "/roadmap", "/risks", "/soa", "/history"}
	readers := map[string]*client{"assessor": f.assessor, "contributor": f.contributor, "viewer": f.viewer, "auditor": f.auditor, "admin": f.admin}
	for who, c := range readers {
		for _, p := range pages {
			if r := c.get(A + p); r.status != 200 {
				t.Errorf("%s GET %s: %d, want 200\n%s", who, p, r.status, excerpt(r.body))
			}
		}
	}
	for _, p := range pages {
		if r := f.outsider.get(A + p); r.status != 404 {
			t.Errorf("member of another assessment GET %s: %d, want 404", p, r.status)
		}
		if r := f.expired.get(A + p); r.status != 403 {
			t.Errorf("expired auditor GET %s: %d, want 403", p, r.status)
		}
		if r := f.anon.get(A + p); r.status != 303 || !strings.HasPrefix(r.header.Get("Location"), "/login") {
			t.Errorf("anonymous GET %s: %d %s", p, r.status, r.header.Get("Location"))
		}
	}
	// The form is there for assessors only; the others read the values.
	for who, c := range readers {
		r := c.get(A + "/forecast")
		editable := who == "assessor" || who == "admin"
		if got := strings.Contains(r.body, "Save assumptions"); got != editable {
			t.Errorf("%s: Save button shown %v, want %v", who, got, editable)
		}
		if got := strings.Contains(r.body, "<fieldset disabled>"); got == editable {
			t.Errorf("%s: the assumptions are disabled: %v", who, got)
		}
		if !strings.Contains(r.body, `id="as-day_rate"`) || !strings.Contains(r.body, `value="600"`) {
			t.Errorf("%s does not see the day rate", who)
		}
		h := c.get(A + "/history")
		if got := strings.Contains(h.body, `action="/a/`+f.a.ID+`/snapshots"`); got != editable {
			t.Errorf("%s: snapshot form shown %v, want %v", who, got, editable)
		}
	}

	noPlan := func(t *testing.T) {
		if ps := f.planSettings(); ps.Version != 0 || len(ps.Values) != 0 {
			t.Errorf("a refused request changed the assumptions: %+v", ps)
		}
	}
	noSnapshot := func(t *testing.T) {
		if names := f.snapshotNames(); len(names) != 0 {
			t.Errorf("a refused request took a snapshot: %v", names)
		}
	}
	tests := []struct {
		name   string
		c      *client
		path   string
		form   url.Values
		status int
		body   string
		check  func(t *testing.T)
	}{
		{"viewer may not change an assumption", f.viewer, A + "/forecast", dayRate(0, "700"), 403, "change the forecast", noPlan},
		{"contributor may not change an assumption", f.contributor, A + "/forecast", dayRate(0, "700"), 403, "", noPlan},
		{"auditor may not change an assumption", f.auditor, A + "/forecast", dayRate(0, "700"), 403, "", noPlan},
		{"member of another assessment may not", f.outsider, A + "/forecast", dayRate(0, "700"), 404, "", noPlan},
		{"anonymous may not", f.anon, A + "/forecast", dayRate(0, "700"), 401, "", noPlan},
		{"cross-site post is refused", crossSite, A + "/forecast", dayRate(0, "700"), 403, "another site", noPlan},
		{"viewer may not reset an assumption", f.viewer, A + "/forecast", form("version", "0", "unset", "day_rate"), 403, "", noPlan},
		{"assessor changes an assumption", f.assessor, A + "/forecast", dayRate(0, "700"), 303, "", func(t *testing.T) {
			if ps := f.planSettings(); ps.Values["day_rate"] != "700" || ps.Version != 1 || ps.UpdatedBy != "Ann Example" {
				t.Errorf("stored: %+v", ps)
			}
		}},
		{"viewer may not take a snapshot", f.viewer, A + "/snapshots", form("name", "baseline"), 403, "", noSnapshot},
		{"contributor may not take a snapshot", f.contributor, A + "/snapshots", form("name", "baseline"), 403, "", noSnapshot},
		{"auditor may not take a snapshot", f.auditor, A + "/snapshots", form("name", "baseline"), 403, "", noSnapshot},
		{"member of another assessment may not take one", f.outsider, A + "/snapshots", form("name", "baseline"), 404, "", noSnapshot},
		{"cross-site snapshot is refused", crossSite, A + "/snapshots", form("name", "baseline"), 403, "", noSnapshot},
		{"assessor takes a snapshot", f.assessor, A + "/snapshots", form("name", "baseline"), 303, "", func(t *testing.T) {
			if names := f.snapshotNames(); len(names) != 1 || names[0] != "baseline" {
				t.Errorf("snapshots: %v", names)
			}
		}},
		{"contributor may not delete a snapshot", f.contributor, A + "/snapshots/delete", form("name", "baseline"), 403, "", func(t *testing.T) {
			if len(f.snapshotNames()) != 1 {
				t.Error("the snapshot is gone")
			}
		}},
		{"viewer may not delete a snapshot", f.viewer, A + "/snapshots/delete", form("name", "baseline"), 403, "", nil},
		{"cross-site delete is refused", crossSite, A + "/snapshots/delete", form("name", "baseline"), 403, "", func(t *testing.T) {
			if len(f.snapshotNames()) != 1 {
				t.Error("the snapshot is gone")
			}
		}},
		{"assessor deletes a snapshot", f.assessor, A + "/snapshots/delete", form("name", "baseline"), 303, "", func(t *testing.T) {
			if names := f.snapshotNames(); len(names) != 0 {
				t.Errorf("snapshots after delete: %v", names)
			}
		}},
		{"deleting a snapshot that does not exist", f.assessor, A + "/snapshots/delete", form("name", "nope"), 404, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.c.post(tc.path, tc.form)
			if r.status != tc.status {
				t.Fatalf("POST %s: status %d, want %d\n%s", tc.path, r.status, tc.status, excerpt(r.body))
			}
			if tc.body != "" && !strings.Contains(r.body, tc.body) {
				t.Errorf("body lacks %q:\n%s", tc.body, excerpt(r.body))
			}
			if tc.check != nil {
				tc.check(t)
			}
		})
	}
	// Comparing with an assessment one cannot see is "not found", as for
	// an id that does not exist; the administrator sees both.
	for _, to := range []string{f.b.ID, "doesnotexist", f.b.ID + "@baseline"} {
		r := f.assessor.get(A + "/history?from=" + f.a.ID + "&to=" + url.QueryEscape(to))
		if r.status != 404 || !strings.Contains(r.body, "not found") || strings.Contains(r.body, "Client B") {
			t.Errorf("assessor comparing with %s: %d\n%s", to, r.status, excerpt(r.body))
		}
	}
	if r := f.admin.get(A + "/history?from=" + f.a.ID + "&to=" + f.b.ID); r.status != 200 || !strings.Contains(r.body, `id="cmp-counts"`) {
		t.Errorf("admin comparing A with B: %d", r.status)
	}
	// The compare choices list only assessments the person can see.
	if r := f.assessor.get(A + "/history"); strings.Contains(r.body, f.b.ID) {
		t.Error("the assessor is offered an assessment they cannot see")
	}
}

var versionField = regexp.MustCompile(`name="version" value="(\d+)"`)

// A stale version is a conflict that shows both values and saves nothing;
// a bad value is shown next to its field and saves nothing either.
func TestAssumptionsForm(t *testing.T) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			f := newFixture(t, e)
			ctx := context.Background()
			A := "/a/" + f.a.ID
			page := f.assessor.get(A + "/forecast")
			m := versionField.FindStringSubmatch(page.body)
			if page.status != 200 || m == nil || m[1] != "0" {
				t.Fatalf("forecast page: %d, version %v", page.status, m)
			}
			// Someone else saves first, from the command line.
			if _, err := f.svc.SetPlan(ctx, app.System("Dana Other"), f.a.ID, app.PlanEdit{Set: map[string]string{"day_rate": "650"}, BaseVersion: -1}); err != nil {
				t.Fatal(err)
			}
			r := f.assessor.post(A+"/forecast", dayRate(0, "800"))
			if r.status != http.StatusConflict {
				t.Fatalf("stale save: %d, want 409\n%s", r.status, excerpt(r.body))
			}
			conflict := r.body[strings.Index(r.body, `class="conflict"`):]
			conflict = conflict[:strings.Index(conflict, "</section>")]
			for _, want := range []string{"Dana Other", "<td>650</td>", "<td>800</td>", "day_rate"} {
				if !strings.Contains(conflict, want) {
					t.Errorf("conflict panel lacks %q:\n%s", want, conflict)
				}
			}
			if ps := f.planSettings(); ps.Values["day_rate"] != "650" || ps.Version != 1 {
				t.Errorf("the refused save changed the assumptions: %+v", ps)
			}
			// The form holds my value on top of the new version; saving it keeps mine.
			if m := versionField.FindStringSubmatch(r.body); m == nil || m[1] != "1" {
				t.Fatalf("the conflict form is based on version %v, want 1", m)
			}
			if !strings.Contains(r.body, `name="was_v:day_rate" value="650"`) || !strings.Contains(r.body, `name="v:day_rate" value="800"`) {
				t.Errorf("the conflict form does not hold 800 over 650")
			}
			if r := f.assessor.post(A+"/forecast", form("version", "1", "was_v:day_rate", "650", "v:day_rate", "800")); r.status != 303 {
				t.Fatalf("resolving save: %d", r.status)
			}
			if ps := f.planSettings(); ps.Values["day_rate"] != "800" || ps.Version != 2 {
				t.Errorf("after resolving: %+v", ps)
			}

			// Bad values: every problem next to its field, nothing saved.
			r = f.assessor.post(A+"/forecast", form("version", "2", "was_v:day_rate", "800", "v:day_rate", "lots",
				"was_v:currency", "EUR", "v:currency", "euro", "was_v:capacity", "2", "v:capacity", "3"))
			if r.status != 422 {
				t.Fatalf("bad values: %d\n%s", r.status, excerpt(r.body))
			}
			for _, want := range []string{`<p class="err" id="as-day_rate-err">not a number`, `<p class="err" id="as-currency-err">not a currency code`,
				`name="v:day_rate" value="lots"`, `id="form-errors"`} {
				if !strings.Contains(r.body, want) {
					t.Errorf("bad values page lacks %q", want)
				}
			}
			if !regexp.MustCompile(`id="as-day_rate"[^>]*aria-invalid="true"`).MatchString(r.body) {
				t.Error("the day rate field is not marked invalid")
			}
			if ps := f.planSettings(); ps.Version != 2 || ps.Values["capacity"] != "" || ps.Values["day_rate"] != "800" {
				t.Errorf("a refused save changed the assumptions: %+v", ps)
			}

			// Only changed fields are saved: the whole form sent back unchanged saves nothing.
			unchanged := form("version", "2")
			for _, k := range plan.Keys() {
				unchanged.Set("was_v:"+k.Name, "x")
				unchanged.Set("v:"+k.Name, "x")
			}
			if r := f.assessor.post(A+"/forecast", unchanged); r.status != 303 || !strings.Contains(r.header.Get("Location"), "ok=nochange") {
				t.Errorf("an unchanged form: %d %s", r.status, r.header.Get("Location"))
			}
			// A capacity of one owner, and a reset to the default.
			if r := f.assessor.post(A+"/forecast", form("version", "2", "was_v:capacity.Ann Example", "2", "v:capacity.Ann Example", "4")); r.status != 303 {
				t.Fatalf("capacity of one owner: %d\n%s", r.status, excerpt(r.body))
			}
			if r := f.assessor.post(A+"/forecast", form("version", "3", "unset", "day_rate")); r.status != 303 {
				t.Fatalf("reset: %d\n%s", r.status, excerpt(r.body))
			}
			ps := f.planSettings()
			if _, set := ps.Values["day_rate"]; set || ps.Values["capacity.Ann Example"] != "4" || ps.Version != 4 {
				t.Errorf("after capacity and reset: %+v", ps)
			}
			page = f.assessor.get(A + "/forecast")
			if !strings.Contains(page.body, `name="v:capacity.Ann Example" value="4"`) || !strings.Contains(page.body, `value="capacity.Ann Example"`) {
				t.Error("the forecast page does not show the owner's capacity with its reset button")
			}
			// Every change is in the history.
			hist, _ := f.svc.History(ctx, app.System("test"), f.a.ID, storeQuery(""))
			fields := map[string]int{}
			for _, h := range hist {
				fields[h.Field]++
			}
			if fields["plan.day_rate"] != 3 || fields["plan.capacity.Ann Example"] != 1 {
				t.Errorf("history of the assumptions: %v", fields)
			}
		})
	}
}

// A what-if preview changes the figures shown and saves nothing; a bad
// value tried is shown next to its field.
func TestForecastPreview(t *testing.T) {
	f := newFixture(t, engines[0])
	ctx := context.Background()
	A := "/a/" + f.a.ID
	budget := regexp.MustCompile(`id="budget-p50">([^<]+)<`)
	saved := budget.FindStringSubmatch(f.viewer.get(A + "/forecast").body)
	r := f.assessor.get(A + "/forecast?preview=1&" + url.Values{"v:day_rate": {"1200"}, "was_v:day_rate": {"600"}, "v:tools": {"3000"}, "was_v:tools": {"3000"}}.Encode())
	tried := budget.FindStringSubmatch(r.body)
	if r.status != 200 || saved == nil || tried == nil || saved[1] == tried[1] || !strings.Contains(r.body, "a preview: nothing is saved") {
		t.Fatalf("preview: %d, budget %v then %v", r.status, saved, tried)
	}
	res, err := f.svc.Results(ctx, app.System("test"), f.a.ID, map[string]string{"day_rate": "1200"}, app.AllResults)
	if err != nil {
		t.Fatal(err)
	}
	if want := moneyText(res.Forecast.Budget.Currency, res.Forecast.Budget.P50); tried[1] != want {
		t.Errorf("preview budget %q, want %q", tried[1], want)
	}
	if !strings.Contains(r.body, `name="v:day_rate" value="1200"`) || !strings.Contains(r.body, `name="was_v:day_rate" value="600"`) {
		t.Error("the preview form does not hold the tried value over the saved one")
	}
	if strings.Contains(r.body, "<code>tools</code></th>") {
		t.Error("an unchanged value is listed as tried")
	}
	if ps := f.planSettings(); ps.Version != 0 {
		t.Errorf("a preview saved: %+v", ps)
	}
	r = f.assessor.get(A + "/forecast?preview=1&" + url.Values{"v:runs": {"0"}, "was_v:runs": {"1000"}}.Encode())
	if r.status != 422 || !strings.Contains(r.body, `id="as-runs-err"`) {
		t.Errorf("a bad value tried: %d", r.status)
	}
}

// moneyText is how the pages write an amount.
func moneyText(currency string, amount float64) string {
	n := strconv.FormatInt(int64(amount+0.5), 10)
	var b strings.Builder
	for i, d := range n {
		if i > 0 && (len(n)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	return currency + " " + b.String()
}

var (
	countOf   = regexp.MustCompile(`(\d+) of (\d+) (actions|risks)`)
	actionRow = regexp.MustCompile(`<tr( class="late")?>\s*<th scope="row"><a href="/a/[a-z0-9]+/items/([^"]+)">`)
	riskRow   = regexp.MustCompile(`<td class="d">R-\d+</td>\s*<th scope="row"><a href="/a/[a-z0-9]+/items/([^"]+)">`)
)

// The roadmap and the risk register list what app.Results computes, and
// their filters keep exactly what they name.
func TestRoadmapAndRiskPages(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	formats := append(app.DefaultFormats(), app.Format{Name: "risks-test", Label: "Risk register (test)", Ext: "txt", File: "risks", Topic: "risks",
		ContentType: "text/plain", Write: func(src app.Source, w io.Writer) error {
			_, err := io.WriteString(w, "risks of "+src.AssessmentID())
			return err
		}})
	s := newSiteAt(t, engines[0].open(t), web.Config{Formats: formats}, func() time.Time { return now })
	admin, _ := s.user("root", true)
	demo, err := s.svc.CreateDemo(ctx, app.System("test"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.svc.Results(ctx, app.System("test"), demo.ID, nil, app.AllResults)
	if err != nil {
		t.Fatal(err)
	}
	fc := res.Forecast
	A := "/a/" + demo.ID
	count := func(keep func(plan.Action) bool) int {
		n := 0
		for _, a := range fc.Actions {
			if keep(a) {
				n++
			}
		}
		return n
	}
	who := fc.Actions[0].Resource
	for _, tc := range []struct {
		query string
		want  int
	}{
		{"", len(fc.Actions)},
		{"phase=Quick+wins", fc.QuickWins},
		{"phase=Foundations", len(fc.Actions) - fc.QuickWins},
		{"late=1", fc.Late},
		{"who=" + url.QueryEscape(who), count(func(a plan.Action) bool { return a.Resource == who })},
		{"phase=Foundations&late=1", count(func(a plan.Action) bool { return a.Phase == plan.PhaseFoundations && a.Late })},
	} {
		r := admin.get(A + "/roadmap?" + tc.query)
		m := countOf.FindStringSubmatch(r.body)
		rows := actionRow.FindAllStringSubmatch(r.body, -1)
		if r.status != 200 || m == nil || m[1] != strconv.Itoa(tc.want) || len(rows) != tc.want {
			t.Errorf("roadmap?%s: %d, count %v, %d rows, want %d", tc.query, r.status, m, len(rows), tc.want)
		}
		late := 0
		for _, row := range rows {
			if row[1] != "" {
				late++
			}
		}
		if tc.query == "" && (late != fc.Late || strings.Count(r.body, ">LATE<") != fc.Late) {
			t.Errorf("roadmap flags %d actions late, want %d", late, fc.Late)
		}
		if tc.query == "" && !strings.Contains(r.body, `<svg class="chart" role="img" aria-label="Roadmap`) {
			t.Error("no Gantt chart on the roadmap")
		}
	}
	if fc.Late == 0 || fc.QuickWins == 0 {
		t.Fatalf("the demo should have late actions and quick wins: %d, %d", fc.Late, fc.QuickWins)
	}
	// By department: the rows of the chart and the filter are departments.
	r := admin.get(A + "/roadmap?by=department")
	if !strings.Contains(r.body, `<label for="r-who">Department</label>`) || !strings.Contains(r.body, "<option>HR</option>") ||
		!strings.Contains(r.body, "without saving anything") {
		t.Errorf("roadmap by department:\n%s", excerpt(r.body))
	}
	if ps, _ := s.svc.PlanSettings(ctx, app.System("test"), demo.ID); ps.Values["capacity_by"] == plan.ByDepartment {
		t.Error("the toggle saved capacity_by")
	}

	reg := res.Risks
	cell := reg.Risks[0]
	for _, tc := range []struct {
		query string
		want  int
	}{
		{"", len(reg.Risks)},
		{"level=High", reg.ByLevel["High"]},
		{"level=Medium&sort=owner", reg.ByLevel["Medium"]},
		{"l=" + strconv.Itoa(cell.Likelihood) + "&i=" + strconv.Itoa(cell.Impact), reg.Matrix[cell.Likelihood-1][cell.Impact-1]},
	} {
		r := admin.get(A + "/risks?" + tc.query)
		m := countOf.FindStringSubmatch(r.body)
		rows := riskRow.FindAllStringSubmatch(r.body, -1)
		if r.status != 200 || m == nil || m[1] != strconv.Itoa(tc.want) || len(rows) != tc.want {
			t.Errorf("risks?%s: %d, count %v, %d rows, want %d", tc.query, r.status, m, len(rows), tc.want)
		}
	}
	// Sorted by item, the rows follow the catalog's order.
	rows := riskRow.FindAllStringSubmatch(admin.get(A+"/risks?sort=ref").body, -1)
	for i := 1; i < len(rows); i++ {
		if catalog.CompareRefs(rows[i-1][1], rows[i][1]) > 0 {
			t.Fatalf("sort=ref: %s before %s", rows[i-1][1], rows[i][1])
		}
	}
	// The page offers its downloads; a viewer may take them.
	viewer, vu := s.user("vera", false)
	if err := s.st.PutMembership(ctx, assess.Membership{AssessmentID: demo.ID, UserID: vu.ID, Role: assess.RoleViewer}); err != nil {
		t.Fatal(err)
	}
	page := viewer.get(A + "/risks")
	if !strings.Contains(page.body, `href="/a/`+demo.ID+`/download/risks-test"`) || strings.Contains(page.body, "/download/json") {
		t.Errorf("risk page downloads:\n%s", excerpt(page.body))
	}
	dl := viewer.get(A + "/download/risks-test")
	if dl.status != 200 || dl.body != "risks of "+demo.ID || !strings.Contains(dl.header.Get("Content-Disposition"), "-risks-2") {
		t.Errorf("download: %d %q %q", dl.status, dl.body, dl.header.Get("Content-Disposition"))
	}
	if csp := dl.header.Get("Content-Security-Policy"); !strings.Contains(csp, "sandbox") {
		t.Errorf("a download's CSP: %q", csp)
	}
}

var countsRE = regexp.MustCompile(`(?s)<ul class="counts" id="cmp-counts">(.*?)</ul>`)

// Snapshots keep a state under a name; the history page compares it with
// now item by item.
func TestSnapshotsAndCompare(t *testing.T) {
	f := newFixture(t, engines[0])
	ctx := context.Background()
	A := "/a/" + f.a.ID
	if r := f.assessor.post(A+"/snapshots", form("name", "baseline")); r.status != 303 {
		t.Fatalf("snapshot: %d", r.status)
	}
	for name, want := range map[string]string{"baseline": "already has a snapshot", "a@b": "not a usable name", " padded": "not a usable name"} {
		r := f.assessor.post(A+"/snapshots", form("name", name))
		if r.status != 409 && r.status != 422 || !strings.Contains(r.body, want) || !strings.Contains(r.body, `id="snap-name"`) {
			t.Errorf("snapshot %q: %d, want a message with %q", name, r.status, want)
		}
	}
	three, one := assess.Score(3), assess.Score(1)
	if _, err := f.svc.UpdateItem(ctx, app.System("t"), f.a.ID, "4.1", 0, app.ItemPatch{Score: &three}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.UpdateItem(ctx, app.System("t"), f.a.ID, "4.2", 0, app.ItemPatch{Score: &one}); err != nil {
		t.Fatal(err)
	}
	// The default choice compares the latest snapshot with now.
	h := f.viewer.get(A + "/history")
	if !strings.Contains(h.body, `<option value="`+f.a.ID+`@baseline" selected>`) || !strings.Contains(h.body, "Compare with now") {
		t.Errorf("history page:\n%s", excerpt(h.body))
	}
	r := f.viewer.get(A + "/history?from=" + url.QueryEscape(f.a.ID+"@baseline") + "&to=" + f.a.ID)
	m := countsRE.FindStringSubmatch(r.body)
	if r.status != 200 || m == nil {
		t.Fatalf("compare: %d\n%s", r.status, excerpt(r.body))
	}
	for _, want := range []string{"<strong>2</strong> improved", "<strong>0</strong> regressed", "<strong>121</strong> unchanged", "<strong>0</strong> rescoped"} {
		if !strings.Contains(m[1], want) {
			t.Errorf("counts lack %q: %s", want, m[1])
		}
	}
	items := r.body[strings.Index(r.body, `id="cmp-items"`):]
	if !strings.Contains(items, "/items/4.1\">4.1</a>") || !strings.Contains(items, "/items/4.2\">4.2</a>") || strings.Contains(items, "/items/4.3\"") {
		t.Error("the compared items are not 4.1 and 4.2 alone")
	}
	if all := f.viewer.get(A + "/history?from=" + url.QueryEscape(f.a.ID+"@baseline") + "&to=" + f.a.ID + "&unchanged=1"); !strings.Contains(all.body, "/items/4.3\"") {
		t.Error("unchanged=1 does not list the unchanged items")
	}
	want, err := f.svc.Compare(ctx, app.System("test"), f.a.ID+"@baseline", f.a.ID)
	if err != nil {
		t.Fatal(err)
	}
	// html/template writes "+" as "&#43;".
	if !strings.Contains(r.body, strings.Replace(fmt.Sprintf(`<td id="cmp-readiness">%+.1f pts<`, want.ReadinessDelta*100), "+", "&#43;", 1)) {
		t.Errorf("readiness change: want %+.1f pts in %s", want.ReadinessDelta*100, r.body[strings.Index(r.body, "cmp-readiness"):][:80])
	}
	// The snapshot is listed with its figures; readiness over time is drawn.
	if !strings.Contains(h.body, "<th scope=\"row\">baseline</th>") || !strings.Contains(h.body, `aria-label="Readiness and coverage over time"`) {
		t.Error("history page lacks the snapshot row or the timeline chart")
	}
}
