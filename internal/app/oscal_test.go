package app_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/oscal"
)

func oscalFormats(t *testing.T) map[string]app.Format {
	t.Helper()
	out := map[string]app.Format{}
	for _, f := range app.DefaultFormats() {
		switch f.Name {
		case "oscal-assessment-results", "oscal-poam":
			if f.Ext != "json" || f.ContentType != "application/json" || f.Evidence || f.Label == "" || f.Description == "" {
				t.Errorf("format %s: %+v", f.Name, f)
			}
			out[f.Name] = f
		}
	}
	if len(out) != 2 {
		t.Fatalf("DefaultFormats offers %d of the 2 OSCAL formats", len(out))
	}
	return out
}

var oscalModels = map[string]string{"oscal-assessment-results": oscal.ModelAssessmentResults, "oscal-poam": oscal.ModelPOAM}

// export writes both OSCAL documents of an assessment for p, each checked
// against its schema and for broken references.
func exportOSCAL(t *testing.T, svc *app.Service, p app.Principal, aid string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for name, f := range oscalFormats(t) {
		var b bytes.Buffer
		if err := svc.Export(context.Background(), p, aid, f, &b); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := oscal.Validate(oscalModels[name], b.Bytes()); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if err := oscal.CheckReferences(b.Bytes()); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		out[name] = b.Bytes()
	}
	return out
}

// The demo's OSCAL documents validate and count right; exported again a
// month later, unchanged, they are byte-identical; a viewer may download them.
func TestOSCALExportsOfTheDemo(t *testing.T) {
	ctx := context.Background()
	st, _ := sqliteStore(t)
	now := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	svc := app.New(st, app.Config{Clock: func() time.Time { return now }})
	a, err := svc.CreateDemo(ctx, app.System("demo"))
	if err != nil {
		t.Fatal(err)
	}
	first := exportOSCAL(t, svc, app.System("t"), a.ID)
	v, _, err := svc.View(ctx, app.System("t"), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	var ar struct {
		AR struct {
			Results []struct {
				Findings, Observations, Risks []json.RawMessage
			} `json:"results"`
		} `json:"assessment-results"`
	}
	var poam struct {
		POAM struct {
			Items []json.RawMessage `json:"poam-items"`
		} `json:"plan-of-action-and-milestones"`
	}
	if err := json.Unmarshal(first["oscal-assessment-results"], &ar); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(first["oscal-poam"], &poam); err != nil {
		t.Fatal(err)
	}
	gaps := 0
	for _, is := range v.Result.Items {
		if is.Applicable && is.BelowTarget {
			gaps++
		}
	}
	res := ar.AR.Results[0]
	if len(res.Findings) != len(v.Catalog.Items) || len(res.Observations) != len(v.Catalog.Items) || len(res.Risks) != len(v.Result.Blockers) ||
		len(poam.POAM.Items) != gaps || gaps == 0 {
		t.Errorf("%d findings, %d observations, %d risks, %d poam-items; want %d, %d, %d, %d",
			len(res.Findings), len(res.Observations), len(res.Risks), len(poam.POAM.Items), len(v.Catalog.Items), len(v.Catalog.Items), len(v.Result.Blockers), gaps)
	}

	now = now.AddDate(0, 1, 0)
	viewer, err := svc.CreateUser(ctx, app.System("t"), app.NewUser{Login: "vera", Name: "Vera", Password: "long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PutMember(ctx, app.System("t"), a.ID, app.MemberInput{Login: "vera", Role: string(assess.RoleViewer)}); err != nil {
		t.Fatal(err)
	}
	later := exportOSCAL(t, svc, app.Principal{User: viewer}, a.ID)
	for name := range first {
		if !bytes.Equal(first[name], later[name]) {
			t.Errorf("%s: the export of the unchanged demo a month later differs", name)
		}
	}
}

// An empty assessment and one with evidence of each kind export valid
// documents; a file's SHA-256 is the one of its content.
func TestOSCALExportsWithEvidence(t *testing.T) {
	ctx := context.Background()
	svc, a := newService(t)
	exportOSCAL(t, svc, app.System("t"), a.ID)

	sys := app.System("ann")
	content := []byte("restore test report")
	sum := sha256.Sum256(content)
	five := assess.Score(5)
	if _, err := svc.UpdateItem(ctx, sys, a.ID, "A.8.13", -1, app.ItemPatch{Score: &five},
		app.NewEvidence{Text: "Quarterly restore tests pass"},
		app.NewEvidence{URL: "https://wiki.example/backup", Text: "Backup runbook"},
		app.NewEvidence{FileName: "restore.txt", Content: content}); err != nil {
		t.Fatal(err)
	}
	no := false
	why := "No cabling of our own"
	if _, err := svc.UpdateItem(ctx, sys, a.ID, "A.7.12", -1, app.ItemPatch{Applicable: &no, Justification: &why}); err != nil {
		t.Fatal(err)
	}
	docs := exportOSCAL(t, svc, app.System("t"), a.ID)
	ar := string(docs["oscal-assessment-results"])
	for _, want := range []string{hex.EncodeToString(sum[:]), "https://wiki.example/backup", "Quarterly restore tests pass", why} {
		if !strings.Contains(ar, want) {
			t.Errorf("the assessment results lack %q", want)
		}
	}
	if strings.Contains(string(docs["oscal-poam"]), `"A.8.13 `) {
		t.Error("A.8.13 is at its target but is in the POA&M")
	}
}
