package soa

import (
	"testing"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
)

func TestBuild(t *testing.T) {
	cat := catalog.Builtin()
	items := []assess.Item{
		{Ref: "4.1", Applicable: true, Score: 2},
		{Ref: "A.5.1", Applicable: true, Score: 5, Inclusion: []string{assess.ReasonRisk, assess.ReasonLegal}, InclusionNote: "Customer contracts", Owner: "Dana",
			Evidence: []assess.Evidence{{Kind: assess.EvidenceLink, Text: "Policy", URL: "https://wiki.example/policy"}}},
		{Ref: "A.5.2", Applicable: true, Score: 5},
		{Ref: "A.7.12", Applicable: false, Justification: "No cabling in scope"},
		{Ref: "A.7.11", Applicable: false},
	}
	st := Build(cat, assess.Assessment{Org: "Acme", TargetScore: 4}, items)
	if len(st.Entries) != 93 || st.Applicable != 91 || st.Excluded != 2 || st.Implemented != 2 {
		t.Fatalf("entries %d applicable %d excluded %d implemented %d", len(st.Entries), st.Applicable, st.Excluded, st.Implemented)
	}
	e := st.Entries[0]
	if e.Ref != "A.5.1" || e.Justification() != "Risk assessment; Legal or contractual — Customer contracts" || e.Status != "Fully Implemented & Evidenced" ||
		e.Owner != "Dana" || len(e.Evidence) != 1 || e.Evidence[0] != "Policy <https://wiki.example/policy>" || len(e.Problems) != 0 || e.Theme != "Organizational controls" {
		t.Errorf("A.5.1: %+v", e)
	}
	byRef := map[string]Entry{}
	for _, e := range st.Entries {
		byRef[e.Ref] = e
	}
	if e := byRef["A.5.2"]; e.Status != "Mostly Done" || len(e.Problems) != 2 {
		t.Errorf("A.5.2 (5 without evidence, no reason): %+v", e)
	}
	if e := byRef["A.7.12"]; e.ApplicableText() != "No" || e.Justification() != "No cabling in scope" || e.Status != "Not Applicable" {
		t.Errorf("A.7.12: %+v", e)
	}
	if e := byRef["A.7.11"]; len(e.Problems) != 1 || e.Problems[0] != "excluded without a justification" {
		t.Errorf("A.7.11: %+v", e)
	}
	// 90 applicable controls without reasons, and one unjustified exclusion.
	if st.Unjustified != 91 {
		t.Errorf("unjustified %d, want 91", st.Unjustified)
	}
}
