package oscal

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
)

// SystemIDType names isogap's assessment ids as a system-id scheme.
const SystemIDType = Namespace + "/assessment-id"

type poam struct {
	UUID         string        `json:"uuid"`
	Metadata     Metadata      `json:"metadata"`
	SystemID     systemID      `json:"system-id"`
	Observations []Observation `json:"observations,omitempty"`
	Risks        []Risk        `json:"risks,omitempty"`
	Findings     []Finding     `json:"findings,omitempty"`
	POAMItems    []poamItem    `json:"poam-items"`
	BackMatter   *BackMatter   `json:"back-matter,omitempty"`
}

type systemID struct {
	IdentifierType string `json:"identifier-type"`
	ID             string `json:"id"`
}

type poamItem struct {
	UUID                string               `json:"uuid"`
	Title               string               `json:"title"`
	Description         string               `json:"description"`
	Props               []Prop               `json:"props,omitempty"`
	RelatedFindings     []RelatedFinding     `json:"related-findings,omitempty"`
	RelatedObservations []RelatedObservation `json:"related-observations,omitempty"`
	RelatedRisks        []RelatedRisk        `json:"related-risks,omitempty"`
}

// WritePOAM writes an OSCAL plan of action and milestones: every gap (an
// applicable item below its target) as a poam-item with its remediation
// action, owner, priority, target date and the roadmap's effort and planned
// dates; its observation, finding and risk are the same (same UUIDs) as in
// the assessment results, the risk here carrying the planned remediation.
func WritePOAM(w io.Writer, in Input) error {
	d := newDoc(in)
	var gaps []catalog.Item
	for _, ci := range in.Catalog.Items {
		if is := d.status[ci.Ref]; is.Applicable && is.BelowTarget {
			gaps = append(gaps, ci)
		}
	}
	p := poam{
		UUID:      d.uuid("plan-of-action-and-milestones"),
		Metadata:  d.metadata("Plan of action and milestones: " + d.org + ", " + d.catalogName()),
		SystemID:  systemID{IdentifierType: SystemIDType, ID: d.aid},
		POAMItems: []poamItem{},
	}
	for _, ci := range gaps {
		p.Observations = append(p.Observations, d.observation(ci))
	}
	for _, ci := range gaps {
		r := d.gapRisk(ci.Ref)
		r.Remediations = []Response{d.remediation(ci)}
		p.Risks = append(p.Risks, r)
	}
	for _, ci := range gaps {
		p.Findings = append(p.Findings, d.finding(ci))
	}
	for _, ci := range gaps {
		p.POAMItems = append(p.POAMItems, d.poamItem(ci))
	}
	if res := d.evidenceResources(gaps); len(res) > 0 {
		p.BackMatter = &BackMatter{Resources: res}
	}
	doc := struct {
		POAM poam `json:"plan-of-action-and-milestones"`
	}{p}
	return encode(w, doc)
}

// action is the remediation as people wrote it, or isogap's default.
func (d *doc) action(ci catalog.Item) string {
	if a := strings.TrimSpace(d.item(ci.Ref).Action); a != "" {
		return a
	}
	if r, ok := d.risks[ci.Ref]; ok && strings.TrimSpace(r.Treatment) != "" {
		return strings.TrimSpace(r.Treatment)
	}
	return fmt.Sprintf("Bring %s to score %d (%s) and keep evidence of it.", itemTitle(ci), d.in.Result.Target, assess.Score(d.in.Result.Target).Label())
}

// remediation is the planned response to a gap, with the roadmap's
// milestone carried out by the item's owner.
func (d *doc) remediation(ci catalog.Item) Response {
	it, act := d.item(ci.Ref), d.actions[ci.Ref]
	lifecycle := "recommendation"
	if strings.TrimSpace(it.Action) != "" && str(it.Owner) != "" {
		lifecycle = "planned"
	}
	r := Response{UUID: d.uuid(ci.Ref, "remediation"), Lifecycle: lifecycle, Title: line("Remediate " + itemTitle(ci)),
		Description: d.action(ci)}
	r.Props = append([]Prop{{Name: "type", Value: "mitigate"}}, d.effortProps(act.Effort, act.EffortSource, string(act.Phase))...)
	task := Task{UUID: d.uuid(ci.Ref, "milestone"), Type: "milestone", Title: line("Remediation of " + ci.Ref + " done"),
		Description: fmt.Sprintf("The roadmap's planned span for this action: %s to %s, ordered by priority and by the owner's capacity.", act.Start, act.Finish)}
	start, okS := dateTime(act.Start)
	end, okE := dateTime(act.Finish)
	if okS && okE {
		task.Timing = &Timing{WithinDateRange: &DateRange{Start: start, End: end}}
	} else {
		task.Description = ""
	}
	if o := str(it.Owner); o != "" {
		task.ResponsibleRoles = []ResponsibleRole{{RoleID: RoleItemOwner, PartyUUIDs: []string{d.partyUUID(o)}}}
	}
	r.Tasks = []Task{task}
	return r
}

func (d *doc) effortProps(days float64, source, phase string) []Prop {
	return nsProps("effort-days", strconv.FormatFloat(days, 'f', 1, 64), "effort-source", source, "phase", phase)
}

func (d *doc) poamItem(ci catalog.Item) poamItem {
	it, is, act := d.item(ci.Ref), d.status[ci.Ref], d.actions[ci.Ref]
	kv := []string{"ref", ci.Ref, "status", is.Status, "gap", strconv.Itoa(is.Gap), "target-score", strconv.Itoa(d.in.Result.Target),
		"priority", string(it.Priority), "owner", it.Owner, "department", act.Department, "target-date", it.TargetDate.String(),
		"planned-start", act.Start.String(), "planned-finish", act.Finish.String()}
	if act.Late {
		kv = append(kv, "late", "yes")
	}
	if r, ok := d.risks[ci.Ref]; ok {
		kv = append(kv, "risk-level", r.Level)
	}
	props := append(nsProps(kv...), d.effortProps(act.Effort, act.EffortSource, string(act.Phase))...)
	return poamItem{
		UUID: d.uuid(ci.Ref, "poam-item"), Title: itemTitle(ci), Description: d.action(ci), Props: props,
		RelatedFindings:     []RelatedFinding{{d.findingUUID(ci.Ref)}},
		RelatedObservations: []RelatedObservation{{d.observationUUID(ci.Ref)}},
		RelatedRisks:        []RelatedRisk{{d.riskUUID(ci.Ref)}},
	}
}
