package web_test

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/web"
)

var countRE = regexp.MustCompile(`(\d+) of (\d+) items`)

// The matrix's filters each keep exactly the items they name; the expected
// counts are worked out here from the stored items, independently.
func TestMatrixFilters(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	s := newSiteAt(t, engines[0].open(t), web.Config{}, func() time.Time { return now })
	admin, _ := s.user("root", true)
	demo, err := s.svc.CreateDemo(ctx, app.System("test"))
	if err != nil {
		t.Fatal(err)
	}
	v, _, _ := s.svc.View(ctx, app.System("test"), demo.ID)
	status := map[string]assess.ItemStatus{}
	for _, is := range v.Result.Items {
		status[is.Ref] = is
	}
	count := func(keep func(it assess.Item) bool) int {
		n := 0
		for _, it := range v.Items {
			if keep(it) {
				n++
			}
		}
		return n
	}
	today := assess.DateOf(now)
	tests := []struct {
		query string
		want  int
	}{
		{"", 123},
		{"section=clauses", 30},
		{"section=controls", 93},
		{"section=A.7", 14},
		{"dept=HR", count(func(it assess.Item) bool { return it.Department == "HR" })},
		{"owner=-", count(func(it assess.Item) bool { return it.Owner == "" })},
		{"owner=Lena+Brandt", count(func(it assess.Item) bool { return it.Owner == "Lena Brandt" })},
		{"score=0", count(func(it assess.Item) bool { return it.Score == 0 })},
		{"score=3", count(func(it assess.Item) bool { return it.Score == 3 })},
		{"priority=High", count(func(it assess.Item) bool { return it.Priority == assess.PriorityHigh })},
		{"status=flagged", 1},
		{"status=na", 3},
		{"status=below", count(func(it assess.Item) bool { return status[it.Ref].Applicable && status[it.Ref].BelowTarget })},
		{"overdue=1", count(func(it assess.Item) bool {
			return !it.TargetDate.IsZero() && it.TargetDate.Before(today) && status[it.Ref].Applicable && status[it.Ref].BelowTarget
		})},
		{"attr=properties%3AAvailability", count(func(it assess.Item) bool {
			ci, _ := v.Catalog.Item(it.Ref)
			return slices.Contains(ci.Properties, "Availability")
		})},
		{"q=backup", count(func(it assess.Item) bool {
			ci, _ := v.Catalog.Item(it.Ref)
			text := strings.ToLower(strings.Join(append([]string{ci.Ref, ci.Title, ci.Summary, it.Owner, it.Action, it.Notes}, ci.QuestionTexts()...), " "))
			return strings.Contains(text, "backup")
		})},
		{"section=A.8&dept=IT+Operations&status=below", count(func(it assess.Item) bool {
			return strings.HasPrefix(it.Ref, "A.8.") && it.Department == "IT Operations" && status[it.Ref].Applicable && status[it.Ref].BelowTarget
		})},
	}
	for _, tc := range tests {
		r := admin.get("/a/" + demo.ID + "/matrix?" + tc.query)
		m := countRE.FindStringSubmatch(r.body)
		if r.status != 200 || m == nil {
			t.Errorf("%s: %d, no count", tc.query, r.status)
			continue
		}
		if got, _ := strconv.Atoi(m[1]); got != tc.want {
			t.Errorf("%s: %d items, want %d", tc.query, got, tc.want)
		}
		if rows := strings.Count(r.body, `<tr id="row-`); rows != tc.want {
			t.Errorf("%s: %d rows, want %d", tc.query, rows, tc.want)
		}
	}
}

// The dashboard's action lists follow the clock: overdue before today,
// upcoming within 30 days, only for items below target.
func TestDashboardActions(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	s := newSiteAt(t, engines[0].open(t), web.Config{}, func() time.Time { return now })
	admin, _ := s.user("root", true)
	a, _ := s.svc.CreateAssessment(ctx, app.System("t"), app.NewAssessment{Org: "Clockwork Ltd"})
	set := func(ref string, score assess.Score, due string, action string) {
		d, _ := assess.ParseDate(due)
		if _, err := s.svc.UpdateItem(ctx, app.System("t"), a.ID, ref, 0, app.ItemPatch{Score: &score, TargetDate: &d, Action: &action}); err != nil {
			t.Fatal(err)
		}
	}
	set("4.1", 2, "2027-02-20", "Late action")
	set("4.2", 2, "2027-03-20", "Soon action")
	set("4.3", 2, "2027-06-30", "Later action")
	set("4.4", 4, "2027-02-01", "Done already")
	r := admin.get("/a/" + a.ID + "/")
	overdue := r.body[strings.Index(r.body, "Overdue ("):strings.Index(r.body, "Due in the next 30 days")]
	upcoming := r.body[strings.Index(r.body, "Due in the next 30 days"):strings.Index(r.body, "By ISO/IEC 27002 attribute")]
	if !strings.Contains(overdue, "Overdue (1)") || !strings.Contains(overdue, "Late action") || !strings.Contains(overdue, "9 days late") {
		t.Errorf("overdue: %s", overdue)
	}
	if !strings.Contains(upcoming, "(1)") || !strings.Contains(upcoming, "Soon action") || !strings.Contains(upcoming, "in 19 days") {
		t.Errorf("upcoming: %s", upcoming)
	}
	for _, never := range []string{"Later action", "Done already"} {
		if strings.Contains(overdue+upcoming, never) {
			t.Errorf("%q is listed", never)
		}
	}
	// The road to certification is app.Results' forecast.
	res, err := s.svc.Results(ctx, app.System("test"), a.ID, nil, app.AllResults)
	if err != nil {
		t.Fatal(err)
	}
	if p50 := res.Forecast.Certification.P50.String(); p50 == "" || !strings.Contains(r.body, `id="kpi-cert">`+p50+`<`) {
		t.Errorf("forecast panel lacks the P50 date %q", p50)
	}
	// The figures are app.View's.
	v, _, _ := s.svc.View(ctx, app.System("test"), a.ID)
	if want := strconv.Itoa(int(v.Result.Overall.Readiness*100+0.5)) + " %"; !strings.Contains(r.body, `id="kpi-readiness">`+want) {
		t.Errorf("readiness on the dashboard is not %s", want)
	}
}
