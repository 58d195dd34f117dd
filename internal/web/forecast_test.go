package web_test

import (
	"context"
	"fmt"
	"html"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/plan"
	"github.com/isogap/isogap/internal/web"
)

var (
	fieldRE    = regexp.MustCompile(`name="v:([^"]+)"`)
	legendRE   = regexp.MustCompile(`<legend>([^<]+)</legend>`)
	capRowRE   = regexp.MustCompile(`(?s)<tr>\s*<th scope="row">([^<]+)</th>\s*<td><label for="([^"]+)".*?</td>\s*<td class="num">([^<]*)</td>\s*<td class="num">([^<]*)</td>\s*<td>([^<]*)</td>\s*</tr>`)
	stepRowRE  = regexp.MustCompile(`<tr><th scope="row">([^<]+)</th><td>([^<]*)</td><td>([^<]*)</td><td class="num">([^<]*)</td></tr>`)
	resetRE    = regexp.MustCompile(`name="unset" value="([^"]+)" class="link small">Reset to ([^<]+)<`)
	diffRowRE  = regexp.MustCompile(`<tr><th scope="row"><code>([^<]+)</code></th><td>([^<]*)</td><td>([^<]*)</td></tr>`)
	sectionEnd = "</section>"
)

// section cuts a page from the first occurrence of start to the end of
// the section it is in.
func section(t *testing.T, body, start string) string {
	t.Helper()
	i := strings.Index(body, start)
	if i < 0 {
		t.Fatalf("the page has no %s", start)
	}
	s := body[i:]
	return s[:strings.Index(s, sectionEnd)]
}

// The forecast page lists what the forecast and the assumptions hold, in
// their order: the steps, a capacity row per owner with work and then per
// owner with a capacity of their own, every assumption by group, what
// resetting each set value returns to, and the values tried or in
// conflict.
func TestForecastPageLists(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	s := newSiteAt(t, engines[0].open(t), web.Config{}, func() time.Time { return now })
	admin, _ := s.user("root", true)
	demo, err := s.svc.CreateDemo(ctx, app.System("test"))
	if err != nil {
		t.Fatal(err)
	}
	A := "/a/" + demo.ID
	// Two owners without actions get a capacity; the day rate and start are set.
	if r := admin.post(A+"/forecast", form("version", "0", "v:capacity.Zed Nobody", "1", "v:capacity.Amy Extra", "2.5",
		"was_v:day_rate", "600", "v:day_rate", "650", "was_v:start", "", "v:start", "2026-12-01")); r.status != 303 {
		t.Fatalf("saving the assumptions: %d\n%s", r.status, excerpt(r.body))
	}
	res, err := s.svc.Results(ctx, app.System("test"), demo.ID, nil, app.AllResults)
	if err != nil {
		t.Fatal(err)
	}
	fc := res.Forecast
	owners := []string{}
	for _, rs := range fc.Resources {
		owners = append(owners, rs.Name)
	}
	owners = append(owners, "Amy Extra", "Zed Nobody")
	var fields, groups []string
	for _, o := range owners {
		fields = append(fields, plan.CapacityPrefix+o)
	}
	for _, k := range plan.Keys() {
		fields = append(fields, k.Name)
		if len(groups) == 0 || groups[len(groups)-1] != k.Group {
			groups = append(groups, k.Group)
		}
	}

	page := admin.get(A + "/forecast")
	if page.status != 200 {
		t.Fatalf("forecast page: %d", page.status)
	}
	body := html.UnescapeString(page.body)
	var got []string
	for _, m := range fieldRE.FindAllStringSubmatch(body, -1) {
		got = append(got, m[1])
	}
	if !slices.Equal(got, fields) {
		t.Errorf("the form's fields are\n%q\nwant\n%q", got, fields)
	}
	got = nil
	for _, m := range legendRE.FindAllStringSubmatch(body, -1) {
		got = append(got, m[1])
	}
	if !slices.Equal(got, groups) {
		t.Errorf("the groups are %q, want %q", got, groups)
	}

	// Capacity: each owner's row, their work or none.
	rows := capRowRE.FindAllStringSubmatch(section(t, body, `id="cap-h"`), -1)
	if len(rows) != len(owners) {
		t.Fatalf("%d capacity rows, want %d", len(rows), len(owners))
	}
	for i, m := range rows {
		want := []string{owners[i], "cap-" + strconv.Itoa(i), "—", "no actions", ""}
		if i < len(fc.Resources) {
			rs := fc.Resources[i]
			want[2], want[3], want[4] = m[3], strconv.Itoa(rs.Actions), rs.Finish.String()
			if e, err := strconv.ParseFloat(m[3], 64); err != nil || math.Abs(e-rs.Effort) > 0.051 {
				t.Errorf("%s's effort is %s, want %.2f", rs.Name, m[3], rs.Effort)
			}
		}
		if !slices.Equal(m[1:], want) {
			t.Errorf("capacity row %d is %q, want %q", i, m[1:], want)
		}
	}

	// Steps: remediation, then each step, with their length in weeks.
	type step struct{ name, from, to string }
	wantSteps := []step{{fmt.Sprintf("Remediation (%d actions, %d quick wins)", len(fc.Actions), fc.QuickWins), fc.Start.String(), fc.RemediationDone.String()}}
	for _, st := range fc.Steps {
		wantSteps = append(wantSteps, step{st.Name, st.Start.String(), st.Finish.String()})
	}
	steps := stepRowRE.FindAllStringSubmatch(section(t, body, `id="steps-h"`), -1)
	if len(steps) != len(wantSteps) {
		t.Fatalf("%d steps, want %d", len(steps), len(wantSteps))
	}
	for i, m := range steps {
		if (step{m[1], m[2], m[3]}) != wantSteps[i] {
			t.Errorf("step %d is %q, want %+v", i, m[1:4], wantSteps[i])
		}
		from, _ := time.Parse(time.DateOnly, m[2])
		to, _ := time.Parse(time.DateOnly, m[3])
		if w, err := strconv.ParseFloat(m[4], 64); err != nil || math.Abs(w-to.Sub(from).Hours()/24/7) > 0.051 {
			t.Errorf("step %s lasts %s weeks, from %s to %s", m[1], m[4], m[2], m[3])
		}
	}

	// Each set value's reset button says what it returns to.
	defaultRate, _ := plan.Defaults().Get("day_rate")
	resets := map[string]string{}
	for _, m := range resetRE.FindAllStringSubmatch(body, -1) {
		resets[m[1]] = m[2]
	}
	wantResets := map[string]string{"capacity.Amy Extra": "the general capacity", "capacity.Zed Nobody": "the general capacity",
		"day_rate": defaultRate, "start": "today"}
	if fmt.Sprint(resets) != fmt.Sprint(wantResets) {
		t.Errorf("reset buttons %v, want %v", resets, wantResets)
	}

	// A preview lists the values tried, by name, against the saved ones.
	defaultTools, _ := plan.Defaults().Get("tools")
	r := admin.get(A + "/forecast?preview=1&" + url.Values{"v:tools": {"4000"}, "was_v:tools": {defaultTools}, "v:day_rate": {"700"}, "was_v:day_rate": {"650"},
		"v:capacity.Zed Nobody": {"3"}, "was_v:capacity.Zed Nobody": {"1"}, "v:runs": {"1000"}, "was_v:runs": {"1000"}}.Encode())
	wantTried := [][]string{{"capacity.Zed Nobody", "1", "3"}, {"day_rate", "650", "700"}, {"tools", defaultTools, "4000"}}
	if got := diffRows(section(t, html.UnescapeString(r.body), `class="preview"`)); fmt.Sprint(got) != fmt.Sprint(wantTried) {
		t.Errorf("preview (%d) lists %q, want %q", r.status, got, wantTried)
	}

	// A stale save lists the differences: capacities, then assumptions in
	// the form's order, then the resets asked for.
	defaultCurrency, _ := plan.Defaults().Get("currency")
	r = admin.post(A+"/forecast", form("version", "0", "v:tools", "4000", "was_v:tools", defaultTools, "v:capacity", "3", "was_v:capacity", "2",
		"v:capacity.Zed Nobody", "2", "was_v:capacity.Zed Nobody", "1", "unset", "currency", "unset", "capacity.Amy Extra"))
	wantDiffs := [][]string{{"capacity.Zed Nobody", "1", "2"}, {"capacity", "2", "3"}, {"tools", defaultTools, "4000"},
		{"currency", defaultCurrency, "isogap's default (" + defaultCurrency + ")"}, {"capacity.Amy Extra", "2.5", "isogap's default (2)"}}
	if got := diffRows(section(t, html.UnescapeString(r.body), `class="conflict"`)); r.status != 409 || fmt.Sprint(got) != fmt.Sprint(wantDiffs) {
		t.Errorf("conflict (%d) lists %q, want %q", r.status, got, wantDiffs)
	}
}

func diffRows(s string) [][]string {
	var out [][]string
	for _, m := range diffRowRE.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1:])
	}
	return out
}

// The forecast page shows the certification body's days by headcount, the
// three-year cycle beside year one, and the critical path with its what-if.
func TestForecastPageAuditCycleAndCriticalPath(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2027, 1, 4, 12, 0, 0, 0, time.UTC)
	s := newSiteAt(t, engines[0].open(t), web.Config{}, func() time.Time { return now })
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
	page := admin.get("/a/" + demo.ID + "/forecast")
	if page.status != 200 {
		t.Fatalf("forecast page: %d", page.status)
	}
	body := html.UnescapeString(page.body)
	audit := section(t, body, `id="audit-days"`)
	for _, want := range []string{"12 auditor-days", "Stage 1 4 days, Stage 2 8 days", "86–125 persons", "EUR 18,000", "surveillance audit takes 4 days", "recertification 8 days"} {
		if !strings.Contains(audit, want) {
			t.Errorf("the audit paragraph lacks %q:\n%s", want, audit)
		}
	}
	cycle := section(t, body, `id="cycle-h"`)
	for _, y := range fc.Cycle.Years {
		if !strings.Contains(cycle, y.Name) {
			t.Errorf("the cycle lacks %q", y.Name)
		}
	}
	if !strings.Contains(cycle, `id="cycle-total">`+moneyText("EUR", fc.Cycle.Total)) {
		t.Errorf("the cycle total is not %s:\n%s", moneyText("EUR", fc.Cycle.Total), cycle)
	}
	why := section(t, body, `id="critical-path"`)
	cp := fc.CriticalPath
	if cp == nil {
		t.Fatal("the demo has no critical path")
	}
	for _, want := range []string{cp.Resource + "'s queue ends last", cp.Refs[0], "What if " + cp.Resource + " gave", cp.WhatIfP50.String()} {
		if !strings.Contains(why, want) {
			t.Errorf("the critical path lacks %q:\n%s", want, why)
		}
	}
}
