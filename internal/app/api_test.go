package app_test

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"github.com/isogap/isogap/internal/app"
)

// principalFree lists the exported methods of app.Service that take no
// principal, each with the reason. Everything else must take the principal
// right after the context: permissions are part of the API, not a
// convention a surface may forget.
var principalFree = map[string]string{
	"Catalog":                 "reads a catalog: reference data, the same for everybody",
	"CatalogOf":               "reads the catalog of an assessment value the caller already holds",
	"Now":                     "the service's clock",
	"Engine":                  "names the database engine",
	"NeedsSetup":              "tells whether any account exists (the first-run page)",
	"SetupFirstAdmin":         "creates the first account; refused once any exists",
	"Authenticate":            "checks a login and password: how a principal comes to be",
	"ResolveSession":          "finds the principal behind a session token",
	"ResolveToken":            "finds the principal behind an access token",
	"ResolveStep":             "finds the half-way sign-in behind a token: how a principal of the second step comes to be",
	"SiteSettings":            "reads the site's sign-in rules, which the sign-in page needs before anyone signs in; they hold no secret",
	"SSOSignInButtons":        "lists the enabled single sign-on providers for the sign-in page; they hold no secret",
	"StartSSO":                "begins a single sign-on: how a principal comes to be",
	"FinishSSO":               "checks a provider's answer: how a principal comes to be",
	"EndSession":              "signs out the holder of a session token",
	"Ready":                   "tells whether the database answers (the readiness probe); reads nothing about anybody",
	"InterviewSignIn":         "opens an interview link: how an interview principal comes to be",
	"ResolveInterviewSession": "finds the interview principal behind a session token",
}

func TestEveryUseCaseTakesAPrincipal(t *testing.T) {
	ctxType := reflect.TypeFor[context.Context]()
	principal := reflect.TypeFor[app.Principal]()
	svc := reflect.TypeFor[*app.Service]()
	var names []string
	for m := range svc.Methods() {
		names = append(names, m.Name)
		ft := m.Type // receiver first
		takes := ft.NumIn() >= 3 && ft.In(1) == ctxType && ft.In(2) == principal
		_, free := principalFree[m.Name]
		switch {
		case takes && free:
			t.Errorf("%s takes a principal but is listed as principal-free: take it off the list", m.Name)
		case !takes && !free:
			t.Errorf("%s (%s) does not take (ctx, app.Principal, …): every use case checks who asks", m.Name, ft)
		}
	}
	for name := range principalFree {
		if !slices.Contains(names, name) {
			t.Errorf("principalFree lists %s, which app.Service no longer has", name)
		}
	}
	if len(names) < 30 {
		t.Errorf("only %d exported methods found: is the reflection looking at the right type?", len(names))
	}
}

// The zero principal is nobody: every use case refuses it.
func TestNobodyMayDoAnything(t *testing.T) {
	ctx := context.Background()
	svc := emptyService(t)
	a, err := svc.CreateAssessment(ctx, app.System("t"), app.NewAssessment{Org: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	var nobody app.Principal
	if _, err := svc.CreateAssessment(ctx, nobody, app.NewAssessment{Org: "Evil"}); err == nil {
		t.Error("nobody created an assessment")
	}
	if _, _, err := svc.View(ctx, nobody, a.ID); err == nil {
		t.Error("nobody read an assessment")
	}
	if list, err := svc.Portfolio(ctx, nobody); err == nil || len(list) != 0 {
		t.Errorf("nobody's portfolio: %d %v", len(list), err)
	}
	if _, err := svc.Users(ctx, nobody); err == nil {
		t.Error("nobody listed the accounts")
	}
}
