package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/oscal"
	"github.com/isogap/isogap/internal/web"
)

// The downloads page offers both OSCAL documents, and a viewer downloads
// them as valid OSCAL JSON files.
func TestOSCALDownloads(t *testing.T) {
	ctx := context.Background()
	s := newSite(t, engines[0].open(t), web.Config{})
	viewer, _ := s.user("vera", false)
	a, err := s.svc.CreateDemo(ctx, app.System("demo"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.svc.PutMember(ctx, app.System("test"), a.ID, app.MemberInput{Login: "vera", Role: string(assess.RoleViewer)}); err != nil {
		t.Fatal(err)
	}
	A := "/a/" + a.ID
	page := viewer.get(A + "/downloads")
	for name, model := range map[string]string{"oscal-assessment-results": oscal.ModelAssessmentResults, "oscal-poam": oscal.ModelPOAM} {
		if !strings.Contains(page.body, `href="`+A+`/download/`+name+`"`) {
			t.Errorf("the downloads page does not offer %s:\n%s", name, excerpt(page.body))
		}
		res := viewer.get(A + "/download/" + name)
		if res.status != 200 || res.header.Get("Content-Type") != "application/json" ||
			!strings.Contains(res.header.Get("Content-Disposition"), "-"+name+"-") || !strings.Contains(res.header.Get("Content-Disposition"), ".json") {
			t.Fatalf("%s: %d %v", name, res.status, res.header)
		}
		if err := oscal.Validate(model, []byte(res.body)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
