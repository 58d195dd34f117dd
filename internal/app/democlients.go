package app

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/store"
)

// The parts demo client names are made of: 40 × 40 × 12 names before any repeats.
var (
	clientFirst = []string{"Northwind", "Bluefin", "Copperleaf", "Halcyon", "Juniper", "Kestrel", "Lumen", "Meridian", "Nimbus",
		"Oakridge", "Pinecrest", "Quarry", "Redwood", "Silverline", "Tidewater", "Umber", "Vantage", "Westbrook", "Yarrow",
		"Zephyr", "Alder", "Birchwood", "Cobalt", "Driftwood", "Ember", "Foxglove", "Granite", "Harbour", "Ironbridge",
		"Larkspur", "Mosaic", "Nettle", "Orchard", "Pebble", "Quill", "Rowan", "Saffron", "Thistle", "Willow", "Aurora"}
	clientSecond = []string{"Analytics", "Health", "Logistics", "Payments", "Robotics", "Software", "Telecom", "Energy", "Insurance",
		"Media", "Foods", "Labs", "Systems", "Capital", "Mobility", "Security", "Data", "Cloud", "Learning", "Retail",
		"Biotech", "Networks", "Devices", "Travel", "Legal", "Realty", "Games", "Marine", "Aerospace", "Pharma", "Freight",
		"Studios", "Clinics", "Metrics", "Finance", "Hosting", "Robotics Works", "Print", "Water", "Textiles"}
	clientSuffix = []string{"Ltd", "GmbH", "SAS", "BV", "AB", "Oy", "Inc.", "LLC", "S.p.A.", "ApS", "AS", "plc"}
	clientPeople = []string{"Ada Brooks", "Bilal Haddad", "Chen Wei", "Daria Novak", "Elena Petrova", "Femi Adeyemi", "Gustav Lind",
		"Hana Sato", "Ivan Horvat", "Jonas Berg", "Kavya Iyer", "Luca Bianchi", "Maya Cohen", "Niall Byrne", "Olga Ivanova",
		"Pedro Alves", "Quinn Murphy", "Rosa Jiménez", "Sven Dahl", "Tara Singh", "Uma Patel", "Victor Dubois", "Wen Li", "Yusuf Kaya"}
	clientServices = []string{"customer portal", "mobile app", "public API", "data platform", "managed service", "payment gateway",
		"clinical records system", "logistics tracking service", "e-learning platform", "IoT device fleet"}
)

// clientIDAlphabet is assess.NewID's alphabet: demo client ids look like any other.
const clientIDAlphabet = "abcdefghijkmnpqrstuvwxyz23456789"

// DemoClients builds the i-th of a seed's demo client assessments: a
// company at its own stage of preparation, with scores, evidence, owners,
// target dates, a few exclusions and the history of how its scores came
// about. The same seed, index and time give the same client.
func DemoClients(cat *catalog.Catalog, now time.Time, seed uint64, i int) assess.Record {
	rng := rand.New(rand.NewPCG(seed, uint64(i)))
	now = now.UTC().Truncate(time.Microsecond)
	id := make([]byte, 12)
	for j := range id {
		id[j] = clientIDAlphabet[rng.IntN(len(clientIDAlphabet))]
	}
	name := fmt.Sprintf("%s %s %s", clientFirst[rng.IntN(len(clientFirst))], clientSecond[rng.IntN(len(clientSecond))],
		clientSuffix[rng.IntN(len(clientSuffix))])
	team := make([]assess.Stakeholder, 0, len(cat.Departments))
	owners := map[string]string{}
	for _, d := range cat.Departments {
		p := clientPeople[rng.IntN(len(clientPeople))]
		team = append(team, assess.Stakeholder{Name: p, Department: d})
		owners[d] = p
	}
	started := now.AddDate(0, 0, -14-rng.IntN(400))
	a := assess.Assessment{
		ID: string(id), Org: name,
		Scope:        fmt.Sprintf("The development and operation of the %s %s and the people and offices that run it.", name, clientServices[rng.IntN(len(clientServices))]),
		Stakeholders: team, TargetScore: 3 + rng.IntN(2), Employees: 10 + rng.IntN(2000), Lead: team[rng.IntN(len(team))].Name,
		CatalogID: cat.ID, CatalogVersion: cat.Version, Version: 1, CreatedAt: started, UpdatedAt: now.Add(-time.Duration(rng.IntN(72*60)) * time.Minute),
	}
	// How far along this client is: from barely started to nearly ready.
	level := 1 + rng.Float64()*3.6
	unassessed := rng.Float64() * 0.5
	if rng.IntN(4) == 0 {
		unassessed = 0
	}
	rec := assess.Record{Assessment: a}
	evID := int64(0)
	span := a.UpdatedAt.Sub(started)
	for _, ci := range cat.Items {
		owner := owners[ci.Department]
		it := assess.Item{Ref: ci.Ref, Applicable: true, Department: ci.Department, Owner: owner, Version: 1,
			UpdatedAt: started, UpdatedBy: a.Lead}
		switch {
		case ci.IsControl() && rng.IntN(40) == 0:
			it.Applicable, it.Justification = false, "Not relevant to the services in scope; reviewed at each management review."
		case rng.Float64() < unassessed:
		default:
			score := assess.Score(min(5, max(1, int(level+rng.NormFloat64()*0.9+0.5))))
			// The score was reached in steps, each one a change in the history.
			at := started
			prev := assess.Score(0)
			first := score
			if rng.IntN(6) == 0 {
				first = assess.Score(max(1, int(score)-1-rng.IntN(2)))
			}
			for step := first; ; step++ {
				at = at.Add(time.Duration(rng.Int64N(int64(span)/4 + 1)))
				it.Version++
				for _, c := range assess.DiffItems(assess.Item{Score: prev}, assess.Item{Score: step}) {
					c.Ref, c.Actor, c.At, c.Version = ci.Ref, owner, at, it.Version
					rec.History = append(rec.History, c)
				}
				prev = step
				if step >= score {
					break
				}
			}
			it.Score, it.UpdatedAt, it.UpdatedBy = score, at, owner
			if score >= 3 && rng.IntN(2) == 0 {
				evID++
				ev := assess.Evidence{ID: evID, Kind: assess.EvidenceText, Text: "Reviewed and signed off by " + owner,
					Date: assess.DateOf(at), AddedBy: owner, AddedAt: at}
				if len(ci.Evidence) > 0 {
					ev.Text = ci.Evidence[rng.IntN(len(ci.Evidence))]
				}
				it.Evidence = []assess.Evidence{ev}
			}
		}
		if it.Applicable && it.Score < assess.Score(a.TargetScore) {
			it.Priority = assess.Priorities[rng.IntN(len(assess.Priorities))]
			it.TargetDate = assess.DateOf(now.AddDate(0, 0, rng.IntN(240)-20))
			it.Action = demoActions[rng.IntN(len(demoActions))]
		}
		rec.Items = append(rec.Items, it)
	}
	slices.SortStableFunc(rec.History, func(x, y assess.Change) int { return x.At.Compare(y.At) })
	return rec
}

// demoClientsChunk is how many clients one transaction stores.
const demoClientsChunk = 250

// CreateDemoClients stores n demo client assessments made from seed (see
// DemoClients) with their summaries, in large transactions, telling
// progress after each. Clients already in the database (the same seed run
// before, or stopped halfway) are left as they are. It returns how many it
// created. Only the command line may.
func (s *Service) CreateDemoClients(ctx context.Context, p Principal, n int, seed uint64, progress func(done, total int)) (int, error) {
	if err := requireSystem(p, "set up the demo"); err != nil {
		return 0, err
	}
	if n < 0 {
		return 0, assess.Errorf(assess.KindInvalid, "the number of demo clients must be 0 or more, not %d", n)
	}
	cat := catalog.Builtin()
	now := s.now()
	// The next chunk is made while the database stores the last one.
	type chunk struct {
		end  int
		recs []assess.Record
		ids  []string
	}
	chunks := make(chan chunk, 1)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(chunks)
		for start := 0; start < n; start += demoClientsChunk {
			c := chunk{end: min(start+demoClientsChunk, n)}
			for i := start; i < c.end; i++ {
				r := DemoClients(cat, now, seed, i)
				c.recs = append(c.recs, r)
				c.ids = append(c.ids, r.Assessment.ID)
			}
			select {
			case chunks <- c:
			case <-stop:
				return
			}
		}
	}()
	created := 0
	for c := range chunks {
		recs, ids := c.recs, c.ids
		var heads map[string]assess.Headline
		err := s.store.InTx(ctx, func(st store.Store) error {
			there, err := st.Listings(ctx, ids)
			if err != nil {
				return err
			}
			skip := map[string]bool{}
			for _, l := range there {
				skip[l.Assessment.ID] = true
			}
			heads = map[string]assess.Headline{}
			for _, r := range recs {
				if skip[r.Assessment.ID] {
					continue
				}
				if err := st.LoadRecord(ctx, r); err != nil {
					return err
				}
				heads[r.Assessment.ID] = assess.Compute(cat, r.Assessment, r.Items).Headline()
			}
			if len(heads) == 0 {
				return nil
			}
			// Their summaries, so the portfolio need not compute them.
			loaded, err := st.Listings(ctx, ids)
			if err != nil {
				return err
			}
			var sums []store.Summary
			for _, l := range loaded {
				if h, ok := heads[l.Assessment.ID]; ok {
					sums = append(sums, store.Summary{Assessment: l.Assessment, Revision: l.Revision, Headline: h})
				}
			}
			return st.PutSummaries(ctx, sums)
		})
		if err != nil {
			return created, err
		}
		created += len(heads)
		if progress != nil {
			progress(c.end, n)
		}
	}
	return created, nil
}
