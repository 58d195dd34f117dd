package oscal_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/oscal"
	"github.com/isogap/isogap/internal/plan"
	"github.com/isogap/isogap/internal/risk"
)

var created = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

// input computes what package app gives the writers, from the domain
// packages alone: the figures, the forecast planned from the day of the
// last change, and the risk register.
func input(a assess.Assessment, items []assess.Item, generated time.Time) oscal.Input {
	cat := catalog.Builtin()
	asm := plan.Defaults()
	asm.Start = assess.DateOf(generated)
	f := plan.Compute(cat, a, items, asm)
	planned := map[string]assess.Date{}
	for _, act := range f.Actions {
		planned[act.Ref] = act.Finish
	}
	return oscal.Input{Assessment: a, Catalog: cat, Items: items, Result: assess.Compute(cat, a, items),
		Forecast: f, Risks: risk.Build(cat, a, items, planned), Generated: generated}
}

func newAssessment(id string) assess.Assessment {
	return assess.Assessment{ID: id, Org: "Acme <Ltd> & Co", Scope: "The Acme platform\nand its people.", Lead: "Dana Lead",
		CatalogID: catalog.Builtin().ID, CreatedAt: created, UpdatedAt: created}
}

// sample has scores of every level, owners, priorities, target dates,
// actions, notes, a 5 without evidence, and evidence of each kind.
func sample() (assess.Assessment, []assess.Item) {
	a := newAssessment("sample123456")
	at := created.Add(time.Hour)
	items := []assess.Item{
		{Ref: "4.1", Score: 3, Applicable: true, Owner: "Dana Lead", Priority: assess.PriorityHigh, TargetDate: assess.NewDate(2026, 6, 30),
			Action: "Write the context analysis\nand review it with leadership.", Notes: "  Interviewed  the CEO. ", UpdatedAt: at},
		{Ref: "5.1", Score: 5, Applicable: true, Owner: "Chris Exec", UpdatedAt: at, Evidence: []assess.Evidence{
			{ID: 7, Kind: assess.EvidenceText, Text: "Board minutes of 2026-02-01 approve the ISMS budget.", Date: assess.NewDate(2026, 2, 1), AddedBy: "chris"}}},
		{Ref: "A.5.15", Score: 5, Applicable: true, Owner: "Priya Ops", UpdatedAt: at}, // a 5 without evidence
		{Ref: "A.8.13", Score: 4, Applicable: true, Owner: "Priya Ops", UpdatedAt: at, Evidence: []assess.Evidence{
			{ID: 8, Kind: assess.EvidenceLink, URL: "https://wiki.example/backup?x=1&y=2", Date: assess.NewDate(2026, 2, 3), AddedBy: "priya"},
			{ID: 9, Kind: assess.EvidenceFile, Text: "Restore test", FileName: "restore test (1).pdf", ContentType: "application/pdf", Size: 1234,
				SHA256: strings.Repeat("ab", 32), Date: assess.NewDate(2026, 2, 4), AddedBy: "priya"}}},
		{Ref: "A.8.20", Score: 1, Applicable: true, Owner: "Priya Ops", Priority: assess.PriorityCritical, TargetDate: assess.NewDate(2026, 5, 1), UpdatedAt: at},
	}
	return a, items
}

// withExclusions has a justified and an unjustified exclusion of controls,
// and a scope exclusion without a justification.
func withExclusions() (assess.Assessment, []assess.Item) {
	a := newAssessment("exclusions12")
	a.Exclusions = []assess.Exclusion{{What: "The Paris office", Justification: "Sales only, no customer data"}, {What: "Legacy billing"}}
	at := created.Add(2 * time.Hour)
	return a, []assess.Item{
		{Ref: "A.7.12", Applicable: false, Justification: "No premises cabling:\nproduction runs in a public cloud.", UpdatedAt: at},
		{Ref: "A.7.5", Applicable: false, UpdatedAt: at},
		{Ref: "A.8.1", Score: 4, Applicable: true, UpdatedAt: at},
	}
}

func write(t *testing.T, fn func(*bytes.Buffer, oscal.Input) error, in oscal.Input) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := fn(&b, in); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func writeAR(b *bytes.Buffer, in oscal.Input) error   { return oscal.WriteAssessmentResults(b, in) }
func writePOAM(b *bytes.Buffer, in oscal.Input) error { return oscal.WritePOAM(b, in) }

var fixtures = map[string]func() (assess.Assessment, []assess.Item){
	"empty":      func() (assess.Assessment, []assess.Item) { return newAssessment("empty1234567"), nil },
	"sample":     sample,
	"exclusions": withExclusions,
}

// Both documents of every fixture validate against NIST's schemas, their
// UUIDs are unique and every reference inside points at something defined
// in the same document.
func TestDocumentsValidate(t *testing.T) {
	for name, fx := range fixtures {
		a, items := fx()
		in := input(a, items, created.Add(3*time.Hour))
		for model, fn := range map[string]func(*bytes.Buffer, oscal.Input) error{oscal.ModelAssessmentResults: writeAR, oscal.ModelPOAM: writePOAM} {
			doc := write(t, fn, in)
			if err := oscal.StrictValidate(model, doc); err != nil {
				t.Errorf("%s %s: %v", name, model, err)
			}
			checkReferences(t, name+" "+model, doc)
		}
	}
}

// checkReferences fails the test when a document's references are broken
// (see oscal.CheckReferences).
func checkReferences(t *testing.T, what string, doc []byte) {
	t.Helper()
	if err := oscal.CheckReferences(doc); err != nil {
		t.Errorf("%s: %v", what, err)
	}
}

type arDoc struct {
	AR struct {
		UUID     string `json:"uuid"`
		Metadata struct {
			LastModified string        `json:"last-modified"`
			Parties      []oscal.Party `json:"parties"`
		} `json:"metadata"`
		ImportAP oscal.ImportRef `json:"import-ap"`
		Results  []struct {
			Start            string `json:"start"`
			End              string `json:"end"`
			ReviewedControls struct {
				ControlSelections []struct {
					IncludeControls []struct {
						ControlID string `json:"control-id"`
					} `json:"include-controls"`
				} `json:"control-selections"`
			} `json:"reviewed-controls"`
			Observations []oscal.Observation `json:"observations"`
			Risks        []oscal.Risk        `json:"risks"`
			Findings     []oscal.Finding     `json:"findings"`
		} `json:"results"`
		BackMatter oscal.BackMatter `json:"back-matter"`
	} `json:"assessment-results"`
}

type poamDoc struct {
	POAM struct {
		Observations []oscal.Observation `json:"observations"`
		Risks        []oscal.Risk        `json:"risks"`
		Findings     []oscal.Finding     `json:"findings"`
		Items        []struct {
			UUID            string                 `json:"uuid"`
			Title           string                 `json:"title"`
			Description     string                 `json:"description"`
			Props           []oscal.Prop           `json:"props"`
			RelatedFindings []oscal.RelatedFinding `json:"related-findings"`
		} `json:"poam-items"`
	} `json:"plan-of-action-and-milestones"`
}

func prop(ps []oscal.Prop, name string) string {
	for _, p := range ps {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

// The results hold a finding and an observation per item with its score,
// a risk per blocker, the scope as the applicable items, and the evidence
// with its hash.
func TestAssessmentResultsContent(t *testing.T) {
	a, items := withExclusions()
	_, more := sample()
	items = append(items, more...)
	in := input(a, items, created.Add(3*time.Hour))
	var d arDoc
	if err := json.Unmarshal(write(t, writeAR, in), &d); err != nil {
		t.Fatal(err)
	}
	if len(d.AR.Results) != 1 {
		t.Fatalf("%d results, want 1", len(d.AR.Results))
	}
	res := d.AR.Results[0]
	n := len(in.Catalog.Items)
	if len(res.Findings) != n || len(res.Observations) != n {
		t.Errorf("%d findings and %d observations, want %d of each", len(res.Findings), len(res.Observations), n)
	}
	if len(res.Risks) != len(in.Result.Blockers) || len(res.Risks) == 0 {
		t.Errorf("%d risks for %d blockers", len(res.Risks), len(in.Result.Blockers))
	}
	if got := len(res.ReviewedControls.ControlSelections[0].IncludeControls); got != in.Result.Overall.Applicable || got != n-2 {
		t.Errorf("%d reviewed controls, want the %d applicable items", got, in.Result.Overall.Applicable)
	}
	if res.Start != "2026-03-02T09:30:00Z" || res.End != "2026-03-02T12:30:00Z" || d.AR.Metadata.LastModified != res.End {
		t.Errorf("start %s, end %s, last-modified %s: want the creation and the last change", res.Start, res.End, d.AR.Metadata.LastModified)
	}
	obs := map[string]oscal.Observation{}
	for _, o := range res.Observations {
		obs[prop(o.Props, "ref")] = o
	}
	for ref, want := range map[string][2]string{"4.1": {"3", "Partially Implemented"}, "A.5.15": {"5", "Mostly Done"}, "A.8.20": {"1", "Not Started"}, "A.8.1": {"4", "Mostly Done"}, "6.1.2": {"", "Not Assessed"}} {
		o := obs[ref]
		if prop(o.Props, "score") != want[0] || prop(o.Props, "status") != want[1] || prop(o.Props, "target-score") != "4" {
			t.Errorf("%s: props %+v, want score %q status %q", ref, o.Props, want[0], want[1])
		}
	}
	if o := obs["A.7.12"]; prop(o.Props, "applicable") != "no" || prop(o.Props, "justification") != "No premises cabling: production runs in a public cloud." {
		t.Errorf("justified exclusion: %+v", o.Props)
	}
	if prop(obs["A.8.20"].Props, "owner") != "Priya Ops" || prop(obs["4.1"].Props, "target-date") != "2026-06-30" {
		t.Errorf("owner or target date missing: %+v %+v", obs["A.8.20"].Props, obs["4.1"].Props)
	}
	ev := obs["A.8.13"].RelevantEvidence
	if len(ev) != 2 || ev[0].Href != "https://wiki.example/backup?x=1&y=2" || !strings.HasPrefix(ev[1].Href, "#") {
		t.Fatalf("A.8.13 evidence: %+v", ev)
	}
	var file *oscal.Resource
	for i, r := range d.AR.BackMatter.Resources {
		if "#"+r.UUID == ev[1].Href {
			file = &d.AR.BackMatter.Resources[i]
		}
	}
	if file == nil || file.RLinks[0].Hashes[0] != (oscal.Hash{Algorithm: "SHA-256", Value: strings.Repeat("ab", 32)}) || file.Title != "restore test (1).pdf" {
		t.Errorf("the evidence file's resource: %+v", file)
	}
	if d.AR.ImportAP.Href != "#"+d.AR.BackMatter.Resources[0].UUID || !strings.Contains(d.AR.BackMatter.Resources[0].Description, "Legacy billing (no justification given)") {
		t.Errorf("import-ap %s does not point at the scope and method: %+v", d.AR.ImportAP.Href, d.AR.BackMatter.Resources[0])
	}

	states := map[string]string{}
	for _, f := range res.Findings {
		states[strings.Fields(f.Title)[0]] = f.Target.Status.State
		if f.Target.Status.State == "not-satisfied" && len(f.RelatedRisks) != 1 {
			t.Errorf("%s: not satisfied without its risk", f.Title)
		}
	}
	for ref, want := range map[string]string{"A.7.12": "satisfied", "A.7.5": "not-satisfied", "A.8.1": "satisfied", "A.5.15": "satisfied", "5.1": "satisfied", "9.1": "not-satisfied"} {
		if states[ref] != want {
			t.Errorf("finding of %s: %q, want %q", ref, states[ref], want)
		}
	}
	var scope, deadline bool
	for _, r := range res.Risks {
		scope = scope || strings.Contains(r.Title, "Legacy billing")
		deadline = deadline || (strings.HasPrefix(r.Title, "A.8.20 ") && r.Deadline == "2026-05-01T00:00:00Z" && len(r.Characterizations) == 1)
	}
	if !scope || !deadline {
		t.Errorf("risks miss the scope exclusion (%v) or A.8.20's deadline and rating (%v)", scope, deadline)
	}
	parties := map[string]bool{}
	for _, p := range d.AR.Metadata.Parties {
		parties[p.Name] = true
	}
	for _, name := range []string{"Acme <Ltd> & Co", "Dana Lead", "Priya Ops", "Chris Exec"} {
		if !parties[name] {
			t.Errorf("no party %q in %v", name, parties)
		}
	}
}

// The POA&M holds every gap once with its action, owner, dates, effort
// and priority, as the forecast plans it.
func TestPOAMContent(t *testing.T) {
	a, items := sample()
	in := input(a, items, created.Add(3*time.Hour))
	var d poamDoc
	if err := json.Unmarshal(write(t, writePOAM, in), &d); err != nil {
		t.Fatal(err)
	}
	gaps := 0
	for _, is := range in.Result.Items {
		if is.Applicable && is.BelowTarget {
			gaps++
		}
	}
	if len(d.POAM.Items) != gaps || len(in.Forecast.Actions) != gaps || len(d.POAM.Risks) != gaps || len(d.POAM.Observations) != gaps {
		t.Fatalf("%d poam-items, %d risks, %d observations for %d gaps", len(d.POAM.Items), len(d.POAM.Risks), len(d.POAM.Observations), gaps)
	}
	byRef := map[string]int{}
	for i, it := range d.POAM.Items {
		byRef[prop(it.Props, "ref")] = i
	}
	for _, act := range in.Forecast.Actions {
		i, ok := byRef[act.Ref]
		if !ok {
			t.Errorf("gap %s has no poam-item", act.Ref)
			continue
		}
		it := d.POAM.Items[i]
		if prop(it.Props, "planned-finish") != act.Finish.String() || prop(it.Props, "planned-start") != act.Start.String() ||
			prop(it.Props, "effort-days") != strconv.FormatFloat(act.Effort, 'f', 1, 64) {
			t.Errorf("%s: props %+v, want planned %s–%s and effort %.1f", act.Ref, it.Props, act.Start, act.Finish, act.Effort)
		}
	}
	it := d.POAM.Items[byRef["4.1"]]
	if it.Description != "Write the context analysis\nand review it with leadership." || prop(it.Props, "priority") != "High" ||
		prop(it.Props, "owner") != "Dana Lead" || prop(it.Props, "target-date") != "2026-06-30" {
		t.Errorf("4.1: %+v", it)
	}
	if _, ok := byRef["A.8.13"]; ok {
		t.Error("A.8.13 is at its target but has a poam-item")
	}
	r := d.POAM.Risks[byRef["A.8.20"]]
	if len(r.Remediations) != 1 || r.Remediations[0].Tasks[0].Timing == nil || r.Deadline != "2026-05-01T00:00:00Z" ||
		len(r.Remediations[0].Tasks[0].ResponsibleRoles) != 1 {
		t.Errorf("A.8.20's risk: %+v", r)
	}
}

// Two writes of the same input are byte-identical; a changed item changes
// its own observation, finding and risk and the document's times, and
// nothing else of the results.
func TestStableAcrossExports(t *testing.T) {
	a, items := sample()
	in := input(a, items, created.Add(3*time.Hour))
	for _, fn := range []func(*bytes.Buffer, oscal.Input) error{writeAR, writePOAM} {
		if x, y := write(t, fn, in), write(t, fn, input(a, slices.Clone(items), created.Add(3*time.Hour))); !bytes.Equal(x, y) {
			t.Error("two exports of the same assessment differ")
		}
	}

	changed := slices.Clone(items)
	changed[3].Score, changed[3].UpdatedAt = 2, created.Add(4*time.Hour) // A.8.13 drops below target
	before := write(t, writeAR, in)
	after := write(t, writeAR, input(a, changed, created.Add(4*time.Hour)))
	diff := diffJSON(t, before, after)
	r := "/results/" + oscal.UUID(a.ID, "result")
	allowed := []string{"/metadata/last-modified", "/metadata/version", r + "/end", r + "/description", r + "/props",
		r + "/observations/" + oscal.UUID(a.ID, "A.8.13", "observation"),
		r + "/findings/" + oscal.UUID(a.ID, "A.8.13", "finding"),
		r + "/risks/" + oscal.UUID(a.ID, "A.8.13", "risk")}
	hit := map[string]bool{}
	for _, p := range diff {
		i := slices.IndexFunc(allowed, func(s string) bool { return strings.HasPrefix(p, "/assessment-results"+s) })
		if i < 0 {
			t.Errorf("changing A.8.13 changed %s", p)
			continue
		}
		hit[allowed[i]] = true
	}
	if len(hit) != len(allowed) {
		t.Errorf("changing A.8.13 changed only %v of %v", slices.Sorted(maps.Keys(hit)), allowed)
	}
}

// diffJSON lists the paths where two documents differ; arrays of objects
// with a uuid are compared by uuid, so an inserted entry is one difference.
func diffJSON(t *testing.T, x, y []byte) []string {
	t.Helper()
	var a, b any
	if err := json.Unmarshal(x, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(y, &b); err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(p string, a, b any)
	walk = func(p string, a, b any) {
		ma, okA := a.(map[string]any)
		mb, okB := b.(map[string]any)
		if okA && okB {
			for _, k := range slices.Sorted(maps.Keys(union(ma, mb))) {
				walk(p+"/"+k, ma[k], mb[k])
			}
			return
		}
		la, okA := a.([]any)
		lb, okB := b.([]any)
		if okA && okB {
			ka, kb := byUUID(la), byUUID(lb)
			if ka != nil && kb != nil {
				for _, k := range slices.Sorted(maps.Keys(union(ka, kb))) {
					walk(p+"/"+k, ka[k], kb[k])
				}
				return
			}
		}
		if fmt.Sprint(a) != fmt.Sprint(b) {
			out = append(out, p)
		}
	}
	walk("", a, b)
	return out
}

func union(a, b map[string]any) map[string]any {
	out := maps.Clone(a)
	maps.Copy(out, b)
	return out
}

func byUUID(l []any) map[string]any {
	out := map[string]any{}
	for _, v := range l {
		m, ok := v.(map[string]any)
		u, _ := m["uuid"].(string)
		if !ok || u == "" {
			return nil
		}
		out[u] = v
	}
	return out
}

// Whatever people typed (spaces, line breaks, markup, odd names), both
// documents stay valid OSCAL with their references whole.
func FuzzWriters(f *testing.F) {
	f.Add("Acme", "Dana", "Fix it", "why", "file.pdf", "https://x.example/a b", int8(3))
	f.Add(" ", "\n", "", "  \t", "", "", int8(5))
	f.Fuzz(func(t *testing.T, org, owner, action, justification, file, link string, score int8) {
		a := newAssessment("fuzz12345678")
		a.Org, a.Lead = org, owner
		a.Exclusions = []assess.Exclusion{{What: justification, Justification: org}}
		s := assess.Score(min(max(score, 0), 5))
		items := []assess.Item{
			{Ref: "4.1", Score: s, Applicable: true, Owner: owner, Action: action, Notes: justification, UpdatedAt: created},
			{Ref: "A.5.1", Applicable: false, Justification: justification, Owner: org, UpdatedAt: created},
			{Ref: "A.5.2", Score: s, Applicable: true, Owner: owner + "x", UpdatedAt: created, Evidence: []assess.Evidence{
				{ID: 1, Kind: assess.EvidenceText, Text: action},
				{ID: 3, Kind: assess.EvidenceLink, URL: link},
				{ID: 2, Kind: assess.EvidenceFile, FileName: file, Text: justification, SHA256: strings.Repeat("0", 64)}}},
		}
		in := input(a, items, created)
		for model, fn := range map[string]func(*bytes.Buffer, oscal.Input) error{oscal.ModelAssessmentResults: writeAR, oscal.ModelPOAM: writePOAM} {
			doc := write(t, fn, in)
			if err := oscal.StrictValidate(model, doc); err != nil {
				t.Fatalf("%s: %v", model, err)
			}
			checkReferences(t, model, doc)
		}
	})
}

func TestCheckReferences(t *testing.T) {
	good := `{"x":{"uuid":"u1","metadata":{"roles":[{"id":"owner"}],"parties":[{"uuid":"p1"}]},
		"a":[{"uuid":"o1"},{"related-observations":[{"observation-uuid":"o1"}],"role-id":"owner","party-uuids":["p1"],"href":"#u1"}]}}`
	if err := oscal.CheckReferences([]byte(good)); err != nil {
		t.Errorf("a whole document: %v", err)
	}
	for bad, want := range map[string]string{
		strings.Replace(good, `"observation-uuid":"o1"`, `"observation-uuid":"o2"`, 1): "/x/a/1/related-observations/0/observation-uuid: o2",
		strings.Replace(good, `"party-uuids":["p1"]`, `"party-uuids":["p1","p9"]`, 1):  "/x/a/1/party-uuids/1: p9",
		strings.Replace(good, `"href":"#u1"`, `"href":"#r1"`, 1):                       "/x/a/1/href: r1",
		strings.Replace(good, `"role-id":"owner"`, `"role-id":"lead"`, 1):              "role lead",
		strings.Replace(good, `{"uuid":"o1"}`, `{"uuid":"p1"}`, 1):                     "uuid p1 is defined twice",
	} {
		if err := oscal.CheckReferences([]byte(bad)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error naming %q", bad, err, want)
		}
	}
}

// The assessment results point at the catalog export of the same catalog:
// every reviewed control and every finding's objective is defined there.
func TestResultsPointIntoTheCatalogExport(t *testing.T) {
	a, items := sample()
	in := input(a, items, created.Add(time.Hour))
	var cat bytes.Buffer
	if err := oscal.WriteCatalog(&cat, in.Catalog); err != nil {
		t.Fatal(err)
	}
	defined := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if id, ok := x["id"].(string); ok {
				defined[id] = true
			}
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	var catDoc any
	if err := json.Unmarshal(cat.Bytes(), &catDoc); err != nil {
		t.Fatal(err)
	}
	walk(catDoc)
	var ar struct {
		AR struct {
			Results []struct {
				Reviewed struct {
					Selections []struct {
						Include []struct {
							ID string `json:"control-id"`
						} `json:"include-controls"`
					} `json:"control-selections"`
				} `json:"reviewed-controls"`
				Findings []struct {
					Target struct {
						ID string `json:"target-id"`
					} `json:"target"`
				} `json:"findings"`
			} `json:"results"`
		} `json:"assessment-results"`
	}
	if err := json.Unmarshal(write(t, writeAR, in), &ar); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range ar.AR.Results {
		for _, s := range r.Reviewed.Selections {
			for _, c := range s.Include {
				n++
				if !defined[c.ID] {
					t.Errorf("reviewed control %q is not a control of the catalog export", c.ID)
				}
			}
		}
		for _, f := range r.Findings {
			n++
			if !defined[f.Target.ID] {
				t.Errorf("finding target %q is not a part of the catalog export", f.Target.ID)
			}
		}
	}
	if n < 2*len(in.Catalog.Items) {
		t.Errorf("only %d references checked", n)
	}
}
