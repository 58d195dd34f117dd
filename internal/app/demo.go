package app

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/store"
)

// DemoSeed makes every demo the same, so screenshots and reports can be compared.
const DemoSeed = 27001

// DemoOrg is the demo assessment's organisation.
const DemoOrg = "Brightwave Analytics Ltd (demo)"

var demoStakeholders = []assess.Stakeholder{
	{Name: "Dana Whitfield", Department: "Leadership", Email: "dana.whitfield@brightwave.example"},
	{Name: "Samir Okafor", Department: "Security/ISMS", Email: "samir.okafor@brightwave.example"},
	{Name: "Lena Brandt", Department: "HR", Email: "lena.brandt@brightwave.example"},
	{Name: "Tomás Rivera", Department: "Legal & Compliance", Email: "tomas.rivera@brightwave.example"},
	{Name: "Priya Natarajan", Department: "DevOps/Engineering", Email: "priya.natarajan@brightwave.example"},
	{Name: "Marcus Lee", Department: "IT Operations", Email: "marcus.lee@brightwave.example"},
	{Name: "Grace Holm", Department: "Facilities", Email: "grace.holm@brightwave.example"},
}

// demoExclusions are controls a cloud-only SaaS company typically excludes.
var demoExclusions = map[string]string{
	"A.7.12": "No owned premises cabling carries production data: production runs entirely in AWS and the office network is a managed co-working service; the provider's controls are assured under A.5.19–A.5.22.",
	"A.8.30": "All software is developed in-house by employees; no development is outsourced. To be revisited if a contractor agency is engaged.",
	"A.7.11": "The office is a serviced co-working space whose landlord runs power and HVAC; no production equipment is on site, so supporting-utility failures cannot affect the service.",
}

var demoActions = []string{
	"Draft and approve the missing procedure, then brief the owners",
	"Roll out the control to the remaining teams and record it in the ISMS tracker",
	"Automate the check in the CI pipeline and keep the run logs as evidence",
	"Run the first review cycle and file the signed minutes",
	"Close the findings from the last review and re-test",
	"Assign an owner and add the task to the quarterly security roadmap",
}

// unevidencedDemoRef is scored 5 without evidence, to show the flag.
const unevidencedDemoRef = "A.8.13"

// DemoAssessment builds the demo: a 120-person SaaS company partway through
// its preparation, with mixed scores, evidence, owners and a few exclusions.
// The same seed and time give the same assessment.
func DemoAssessment(cat *catalog.Catalog, now time.Time, seed uint64) (assess.Assessment, []assess.Item) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	now = now.UTC().Truncate(time.Microsecond)
	a := assess.Assessment{
		ID:  assess.NewID(),
		Org: DemoOrg,
		Scope: "The development, operation and support of the Brightwave analytics platform (web app, public API and data pipelines) " +
			"delivered to customers from AWS eu-west-1 and eu-central-1, including the people, laptops and processes of the London office.",
		Boundaries: assess.Boundaries{
			Units:     []string{"Engineering", "Customer Success", "IT", "People", "Finance (supporting)"},
			Locations: []string{"London office (co-working)", "Remote workers in the UK and EU", "AWS eu-west-1, eu-central-1"},
			Services:  []string{"Brightwave Analytics SaaS", "Public REST API", "Customer data pipelines"},
			Systems:   []string{"AWS production accounts", "GitHub", "Google Workspace", "Okta", "Jira and Confluence", "Datadog"},
		},
		Interfaces: "AWS (hosting), Okta (identity), GitHub (source and CI), Stripe (billing), Zendesk (support); customers connect through the web app and API.",
		Exclusions: []assess.Exclusion{
			{What: "Marketing website (hosted by an agency)", Justification: "Holds no customer data and is run by an agency under its own contract."},
			{What: "US sales subsidiary", Justification: "Separate legal entity with no access to production systems; planned for the second certification year."},
		},
		Stakeholders: demoStakeholders,
		TargetScore:  assess.DefaultTarget, Employees: 120, Lead: "Samir Okafor",
		CatalogID: cat.ID, CatalogVersion: cat.Version, Version: 1,
		CreatedAt: now.AddDate(0, 0, -45), UpdatedAt: now,
	}
	owners := map[string]string{}
	for _, s := range demoStakeholders {
		owners[s.Department] = s.Name
	}
	// How mature each section is, on average, at a company like this.
	maturity := map[string]float64{"4": 3.2, "5": 3.4, "6": 2.6, "7": 3.0, "8": 2.7, "9": 2.0, "10": 2.3,
		"A.5": 3.0, "A.6": 3.4, "A.7": 3.6, "A.8": 3.3}
	var items []assess.Item
	evID := int64(0)
	for i, ci := range cat.Items {
		it := assess.Item{Ref: ci.Ref, Applicable: true, Department: ci.Department, Owner: owners[ci.Department],
			Version: 1, UpdatedAt: now.Add(-time.Duration(len(cat.Items)-i) * 8 * time.Hour), UpdatedBy: "Samir Okafor"}
		if why, ok := demoExclusions[ci.Ref]; ok && ci.IsControl() {
			it.Applicable, it.Justification = false, why
			items = append(items, it)
			continue
		}
		if ci.IsControl() {
			it.Inclusion = []string{assess.ReasonRisk}
			if rng.IntN(3) == 0 {
				it.Inclusion = append(it.Inclusion, assess.ReasonLegal)
			}
		}
		// About one item in twelve is not assessed yet.
		if rng.IntN(12) == 0 {
			items = append(items, it)
			continue
		}
		m := maturity[ci.Section] + rng.NormFloat64()*0.9
		score := assess.Score(min(5, max(1, int(m+0.5))))
		if ci.Ref == unevidencedDemoRef {
			score = 5
		}
		it.Score = score
		if score >= 3 {
			n := 1 + rng.IntN(2)
			if ci.Ref == unevidencedDemoRef {
				n = 0
			}
			for j := 0; j < n; j++ {
				evID++
				ev := assess.Evidence{ID: evID, Kind: assess.EvidenceText, AddedBy: it.Owner,
					Date: assess.DateOf(now.AddDate(0, 0, -rng.IntN(120))), AddedAt: now.Add(-time.Duration(rng.IntN(900)) * time.Hour)}
				if len(ci.Evidence) > 0 {
					ev.Text = ci.Evidence[(j+i)%len(ci.Evidence)]
				}
				if j == 1 {
					ev.Kind, ev.URL = assess.EvidenceLink, fmt.Sprintf("https://wiki.brightwave.example/isms/%s", ci.Ref)
				}
				it.Evidence = append(it.Evidence, ev)
			}
		}
		if score < assess.Score(a.TargetScore) {
			it.Priority = assess.Priorities[min(3, max(0, int(score)-1+rng.IntN(2)))]
			it.TargetDate = assess.DateOf(now.AddDate(0, 0, 21+rng.IntN(200)))
			if rng.IntN(8) == 0 {
				it.TargetDate = assess.DateOf(now.AddDate(0, 0, -rng.IntN(20)-1)) // overdue
			}
			it.Action = demoActions[rng.IntN(len(demoActions))]
		}
		items = append(items, it)
	}
	return a, items
}

// CreateDemo stores a fresh demo assessment dated by the service's clock
// (the command line only).
func (s *Service) CreateDemo(ctx context.Context, p Principal) (assess.Assessment, error) {
	if err := requireSystem(p, "set up the demo"); err != nil {
		return assess.Assessment{}, err
	}
	cat := catalog.Builtin()
	a, items := DemoAssessment(cat, s.now(), DemoSeed)
	var hist []assess.Change
	for _, it := range items {
		for _, c := range assess.DiffItems(assess.Item{Ref: it.Ref, Applicable: true, Department: it.Department}, it) {
			c.Actor, c.At, c.Version = it.UpdatedBy, it.UpdatedAt, it.Version
			hist = append(hist, c)
		}
	}
	rec := assess.Record{Assessment: a, Items: items, History: hist}
	err := s.store.InTx(ctx, func(st store.Store) error { return st.LoadRecord(ctx, rec) })
	return a, err
}
