package app_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
)

// Every member reads the results; only assessors change the assumptions
// and the snapshots; nobody compares with an assessment they cannot see.
func TestResultsAccessRules(t *testing.T) {
	ctx := context.Background()
	svc := emptyService(t)
	sys := app.System("t")
	a, err := svc.CreateAssessment(ctx, sys, app.NewAssessment{Org: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := svc.CreateAssessment(ctx, sys, app.NewAssessment{Org: "Other client"})
	if err != nil {
		t.Fatal(err)
	}
	people := map[assess.Role]app.Principal{}
	for _, role := range []assess.Role{assess.RoleAssessor, assess.RoleContributor, assess.RoleViewer, assess.RoleAuditor} {
		u, err := svc.CreateUser(ctx, sys, app.NewUser{Login: string(role), Name: string(role), Password: "long enough password"})
		if err != nil {
			t.Fatal(err)
		}
		in := app.MemberInput{Login: string(role), Role: string(role)}
		if role == assess.RoleAuditor {
			in.Expires = assess.DateOf(svc.Now()).AddDays(10).String()
		}
		if _, err := svc.PutMember(ctx, sys, a.ID, in); err != nil {
			t.Fatal(err)
		}
		people[role] = app.Principal{User: u}
	}
	stranger, err := svc.CreateUser(ctx, sys, app.NewUser{Login: "stranger", Name: "Stranger", Password: "long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	people["stranger"] = app.Principal{User: stranger}
	if _, err := svc.CreateSnapshot(ctx, sys, a.ID, "keep"); err != nil {
		t.Fatal(err)
	}
	edit := app.PlanEdit{Set: map[string]string{"tools": "5000"}, BaseVersion: -1}
	for role, p := range people {
		want := assess.Kind(0)
		switch role {
		case "stranger":
			want = assess.KindNotFound
		case assess.RoleContributor, assess.RoleViewer, assess.RoleAuditor:
			want = assess.KindForbidden
		}
		read := assess.Kind(0)
		if role == "stranger" {
			read = assess.KindNotFound
		}
		if _, err := svc.Results(ctx, p, a.ID, map[string]string{"capacity": "3"}, app.AllResults); assess.KindOf(err) != read && !(read == 0 && err == nil) {
			t.Errorf("%s reading the results: %v", role, err)
		}
		if _, err := svc.Results(ctx, p, a.ID, nil, app.ResultParts{}); assess.KindOf(err) != read && !(read == 0 && err == nil) {
			t.Errorf("%s reading the forecast: %v", role, err)
		}
		check := func(what string, err error) {
			t.Helper()
			if (want == 0) != (err == nil) || (err != nil && assess.KindOf(err) != want) {
				t.Errorf("%s %s: %v, want kind %v", role, what, err, want)
			}
		}
		_, err := svc.SetPlan(ctx, p, a.ID, edit)
		check("changing an assumption", err)
		_, err = svc.CreateSnapshot(ctx, p, a.ID, "by "+string(role))
		check("taking a snapshot", err)
		name := "keep"
		if want == 0 {
			name = "by " + string(role)
		}
		check("deleting a snapshot", svc.DeleteSnapshot(ctx, p, a.ID, name))
	}
	if list, _ := svc.Snapshots(ctx, app.System("test"), a.ID); len(list) != 1 || list[0].Name != "keep" {
		t.Errorf("snapshots after everyone tried: %+v", list)
	}
	if ps, _ := svc.PlanSettings(ctx, sys, a.ID); ps.Version != 1 || ps.UpdatedBy != "assessor" {
		t.Errorf("assumptions after everyone tried: %+v", ps)
	}
	// The forecast without the history is the same forecast.
	full, err := svc.Results(ctx, people[assess.RoleViewer], a.ID, map[string]string{"day_rate": "700"}, app.AllResults)
	if err != nil {
		t.Fatal(err)
	}
	light, err := svc.Results(ctx, people[assess.RoleViewer], a.ID, map[string]string{"day_rate": "700"}, app.ResultParts{})
	if err != nil {
		t.Fatal(err)
	}
	// (Settings hold functions, which reflect.DeepEqual never finds equal.)
	same := len(full.Settings) == len(light.Settings)
	for i := 0; same && i < len(full.Settings); i++ {
		f, l := full.Settings[i], light.Settings[i]
		same = f.Name == l.Name && f.Value == l.Value && f.Set == l.Set
	}
	if !reflect.DeepEqual(full.Forecast, light.Forecast) || !reflect.DeepEqual(full.Risks, light.Risks) || !same ||
		light.Timeline != nil || light.Snapshots != nil || len(full.Snapshots) != 1 || len(full.Timeline) == 0 || full.Forecast.Budget.DayRate != 700 {
		t.Errorf("the results without timeline and snapshots differ from all results (settings the same: %v)", same)
	}
	// Comparing: both sides must be visible.
	viewer := people[assess.RoleViewer]
	if _, err := svc.Compare(ctx, viewer, a.ID, a.ID); err != nil {
		t.Errorf("viewer comparing the assessment with itself: %v", err)
	}
	for _, spec := range []string{other.ID, other.ID + "@x", "nope"} {
		if _, err := svc.Compare(ctx, viewer, a.ID, spec); assess.KindOf(err) != assess.KindNotFound {
			t.Errorf("viewer comparing with %s: %v, want not found", spec, err)
		}
	}
	if _, err := svc.Compare(ctx, sys, a.ID, other.ID); err != nil {
		t.Errorf("the administrator comparing two assessments: %v", err)
	}
	if _, err := svc.Compare(ctx, viewer, a.ID, "@x"); assess.KindOf(err) != assess.KindInvalid {
		t.Errorf("a malformed state: %v", err)
	}
}
