package oscal

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/plan"
	"github.com/isogap/isogap/internal/risk"
)

// Input is what the assessment-results and POA&M documents are written
// from: one consistent read of an assessment with everything isogap
// concludes from it.
type Input struct {
	Assessment assess.Assessment
	Catalog    *catalog.Catalog
	// Items carry their evidence (metadata and hashes; never the files).
	Items    []assess.Item
	Result   assess.Result
	Forecast plan.Forecast
	Risks    risk.Register
	// Generated is the moment the documents describe. To keep two exports
	// of an unchanged assessment equal it should be the assessment's last
	// change, not the time of the export: it is written as the metadata's
	// last-modified and the result's end.
	Generated time.Time
}

// Role ids isogap uses in responsible-parties and responsible-roles.
const (
	RoleAssessor  = "assessor"
	RoleItemOwner = "item-owner"
)

// Role is a role parties take in the document.
type Role struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// Party is a person or an organisation.
type Party struct {
	UUID string `json:"uuid"`
	Type string `json:"type"`
	Name string `json:"name"`
}

// ResponsibleParty gives a role to parties.
type ResponsibleParty struct {
	RoleID     string   `json:"role-id"`
	PartyUUIDs []string `json:"party-uuids"`
}

// ResponsibleRole names who carries out a task.
type ResponsibleRole struct {
	RoleID     string   `json:"role-id"`
	PartyUUIDs []string `json:"party-uuids,omitempty"`
}

// BackMatter holds the resources a document points at.
type BackMatter struct {
	Resources []Resource `json:"resources,omitempty"`
}

// Resource is a document or file the document cites.
type Resource struct {
	UUID        string  `json:"uuid"`
	Title       string  `json:"title,omitempty"`
	Description string  `json:"description,omitempty"`
	Props       []Prop  `json:"props,omitempty"`
	RLinks      []RLink `json:"rlinks,omitempty"`
	Remarks     string  `json:"remarks,omitempty"`
}

// RLink is where a resource is found, with its hashes.
type RLink struct {
	Href      string `json:"href"`
	MediaType string `json:"media-type,omitempty"`
	Hashes    []Hash `json:"hashes,omitempty"`
}

// Hash is a digest of a resource's content.
type Hash struct {
	Algorithm string `json:"algorithm"`
	Value     string `json:"value"`
}

// Observation is what was seen of one item.
type Observation struct {
	UUID             string             `json:"uuid"`
	Title            string             `json:"title,omitempty"`
	Description      string             `json:"description"`
	Props            []Prop             `json:"props,omitempty"`
	Methods          []string           `json:"methods"`
	Types            []string           `json:"types,omitempty"`
	RelevantEvidence []RelevantEvidence `json:"relevant-evidence,omitempty"`
	Collected        string             `json:"collected"`
	Remarks          string             `json:"remarks,omitempty"`
}

// RelevantEvidence is one piece of evidence behind an observation.
type RelevantEvidence struct {
	Href        string `json:"href,omitempty"`
	Description string `json:"description"`
	Props       []Prop `json:"props,omitempty"`
}

// Risk is a risk: in the results, what blocks audit-readiness; in the
// POA&M, a gap with its planned remediation.
type Risk struct {
	UUID                string               `json:"uuid"`
	Title               string               `json:"title"`
	Description         string               `json:"description"`
	Statement           string               `json:"statement"`
	Props               []Prop               `json:"props,omitempty"`
	Status              string               `json:"status"`
	Characterizations   []Characterization   `json:"characterizations,omitempty"`
	Deadline            string               `json:"deadline,omitempty"`
	Remediations        []Response           `json:"remediations,omitempty"`
	RelatedObservations []RelatedObservation `json:"related-observations,omitempty"`
}

// Characterization rates a risk (likelihood, impact) on isogap's scales.
type Characterization struct {
	Origin Origin  `json:"origin"`
	Facets []Facet `json:"facets"`
}

// Origin says who produced something.
type Origin struct {
	Actors []Actor `json:"actors"`
}

// Actor is one party (or tool) in an origin.
type Actor struct {
	Type      string `json:"type"`
	ActorUUID string `json:"actor-uuid"`
}

// Facet is one measure of a risk.
type Facet struct {
	Name   string `json:"name"`
	System string `json:"system"`
	Value  string `json:"value"`
}

// Response is a planned or recommended remediation.
type Response struct {
	UUID        string `json:"uuid"`
	Lifecycle   string `json:"lifecycle"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Props       []Prop `json:"props,omitempty"`
	Tasks       []Task `json:"tasks,omitempty"`
}

// Task is a milestone of a remediation.
type Task struct {
	UUID             string            `json:"uuid"`
	Type             string            `json:"type"`
	Title            string            `json:"title"`
	Description      string            `json:"description,omitempty"`
	Props            []Prop            `json:"props,omitempty"`
	Timing           *Timing           `json:"timing,omitempty"`
	ResponsibleRoles []ResponsibleRole `json:"responsible-roles,omitempty"`
}

// Timing is when a task runs.
type Timing struct {
	WithinDateRange *DateRange `json:"within-date-range,omitempty"`
}

// DateRange is a span of time.
type DateRange struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// Finding is the conclusion about one item.
type Finding struct {
	UUID                string               `json:"uuid"`
	Title               string               `json:"title"`
	Description         string               `json:"description"`
	Props               []Prop               `json:"props,omitempty"`
	Target              FindingTarget        `json:"target"`
	RelatedObservations []RelatedObservation `json:"related-observations,omitempty"`
	RelatedRisks        []RelatedRisk        `json:"related-risks,omitempty"`
}

// FindingTarget is the control objective a finding concludes on.
type FindingTarget struct {
	Type     string          `json:"type"`
	TargetID string          `json:"target-id"`
	Status   ObjectiveStatus `json:"status"`
}

// ObjectiveStatus says whether the objective is satisfied.
type ObjectiveStatus struct {
	State   string `json:"state"`
	Reason  string `json:"reason,omitempty"`
	Remarks string `json:"remarks,omitempty"`
}

// RelatedObservation points at an observation by uuid.
type RelatedObservation struct {
	ObservationUUID string `json:"observation-uuid"`
}

// RelatedRisk points at a risk by uuid.
type RelatedRisk struct {
	RiskUUID string `json:"risk-uuid"`
}

// RelatedFinding points at a finding by uuid.
type RelatedFinding struct {
	FindingUUID string `json:"finding-uuid"`
}

// ImportRef points at another OSCAL document (or a resource of this one).
type ImportRef struct {
	Href string `json:"href"`
}

type controlSelection struct {
	Description    string       `json:"description,omitempty"`
	IncludeAll     *struct{}    `json:"include-all,omitempty"`
	IncludeControl []controlRef `json:"include-controls,omitempty"`
	ExcludeControl []controlRef `json:"exclude-controls,omitempty"`
}

type controlRef struct {
	ControlID string `json:"control-id"`
}

type reviewedControls struct {
	Description       string             `json:"description,omitempty"`
	ControlSelections []controlSelection `json:"control-selections"`
}

type arResult struct {
	UUID             string           `json:"uuid"`
	Title            string           `json:"title"`
	Description      string           `json:"description"`
	Start            string           `json:"start"`
	End              string           `json:"end,omitempty"`
	Props            []Prop           `json:"props,omitempty"`
	ReviewedControls reviewedControls `json:"reviewed-controls"`
	Observations     []Observation    `json:"observations,omitempty"`
	Risks            []Risk           `json:"risks,omitempty"`
	Findings         []Finding        `json:"findings,omitempty"`
}

type assessmentResults struct {
	UUID       string      `json:"uuid"`
	Metadata   Metadata    `json:"metadata"`
	ImportAP   ImportRef   `json:"import-ap"`
	Results    []arResult  `json:"results"`
	BackMatter *BackMatter `json:"back-matter,omitempty"`
}

// WriteAssessmentResults writes an OSCAL assessment-results document: one
// result with, per catalog item, an observation (score, target, status,
// applicability, owner, evidence) and a finding (satisfied or not), and
// every blocker of the audit-ready gate as a risk. Its import-ap points at
// a back-matter resource that states the assessment's scope and method,
// since isogap keeps no separate OSCAL assessment plan.
func WriteAssessmentResults(w io.Writer, in Input) error {
	d := newDoc(in)
	res := arResult{
		UUID:  d.uuid("result"),
		Title: line("Gap assessment of " + d.org + " against " + d.catalogName()),
		Description: fmt.Sprintf("Where %s stands on each item of %s as of %s: readiness %s, coverage %s, %d of %d applicable items at the target score of %d. %s",
			d.org, d.catalogName(), assess.DateOf(in.Generated.UTC()), percent(in.Result.Overall.Readiness), percent(in.Result.Overall.Coverage),
			in.Result.Overall.AtTarget, in.Result.Overall.Applicable, in.Result.Target, d.gateSentence()),
		Start:            d.start(),
		End:              Timestamp(d.generated),
		Props:            d.resultProps(),
		ReviewedControls: d.reviewed(),
	}
	for _, ci := range in.Catalog.Items {
		res.Observations = append(res.Observations, d.observation(ci))
	}
	res.Risks = d.blockerRisks()
	for _, ci := range in.Catalog.Items {
		res.Findings = append(res.Findings, d.finding(ci))
	}
	plan := d.planResource()
	back := &BackMatter{Resources: append([]Resource{plan}, d.evidenceResources(in.Catalog.Items)...)}
	doc := struct {
		AR assessmentResults `json:"assessment-results"`
	}{assessmentResults{
		UUID:       d.uuid("assessment-results"),
		Metadata:   d.metadata("Assessment results: " + d.org + ", " + d.catalogName()),
		ImportAP:   ImportRef{Href: "#" + plan.UUID},
		Results:    []arResult{res},
		BackMatter: back,
	}}
	return encode(w, doc)
}

// doc holds what both writers derive from the input.
type doc struct {
	in        Input
	aid       string
	org       string
	generated time.Time
	items     map[string]assess.Item
	status    map[string]assess.ItemStatus
	blockers  map[string]assess.Blocker
	risks     map[string]risk.Risk
	actions   map[string]plan.Action
	// ids are the catalog's control ids, as WriteCatalog writes them.
	ids map[string]string
}

func newDoc(in Input) *doc {
	d := &doc{ids: ControlIDs(in.Catalog), in: in, aid: in.Assessment.ID, org: str(in.Assessment.Org), generated: in.Generated.UTC(),
		items: map[string]assess.Item{}, status: map[string]assess.ItemStatus{}, blockers: map[string]assess.Blocker{},
		risks: map[string]risk.Risk{}, actions: map[string]plan.Action{}}
	if d.org == "" {
		d.org = "Unnamed organisation"
	}
	if d.generated.IsZero() {
		d.generated = in.Assessment.UpdatedAt.UTC()
	}
	for _, it := range in.Items {
		d.items[it.Ref] = it
	}
	for _, is := range in.Result.Items {
		d.status[is.Ref] = is
	}
	for _, b := range in.Result.Blockers {
		if b.Ref != "" {
			d.blockers[b.Ref] = b
		}
	}
	for _, r := range in.Risks.Risks {
		d.risks[r.Ref] = r
	}
	for _, a := range in.Forecast.Actions {
		d.actions[a.Ref] = a
	}
	return d
}

// uuid derives a UUID from the assessment id and names.
func (d *doc) uuid(names ...string) string { return UUID(append([]string{d.aid}, names...)...) }

func (d *doc) item(ref string) assess.Item {
	if it, ok := d.items[ref]; ok {
		return it
	}
	return assess.Item{Ref: ref, Applicable: true}
}

func (d *doc) catalogName() string {
	if n := str(d.in.Catalog.Name); n != "" {
		return n
	}
	return str(d.in.Catalog.ID)
}

// start is when the assessment began.
func (d *doc) start() string {
	if t := d.in.Assessment.CreatedAt; !t.IsZero() && !t.After(d.generated) {
		return Timestamp(t)
	}
	return Timestamp(d.generated)
}

func (d *doc) gateSentence() string {
	if n := len(d.in.Result.Blockers); n > 0 {
		return fmt.Sprintf("Not audit-ready: %d %s stand in the way (the risks below).", n, plural(n, "blocker", "blockers"))
	}
	return "Audit-ready: every applicable item is at its target and every exclusion is justified."
}

func (d *doc) partyUUID(name string) string { return d.uuid("party", name) }

// metadata names the organisation, the lead (assessor) and the owners of
// the items the document mentions.
func (d *doc) metadata(title string) Metadata {
	md := Metadata{
		Title: line(title), LastModified: Timestamp(d.generated), Version: Timestamp(d.generated), OSCALVersion: Version,
		Props: []Prop{
			{Name: "assessment-id", NS: Namespace, Value: d.aid},
			{Name: "catalog-id", NS: Namespace, Value: str(d.in.Catalog.ID)},
		},
	}
	if v := str(d.in.Catalog.Version); v != "" {
		md.Props = append(md.Props, Prop{Name: "catalog-version", NS: Namespace, Value: v})
	}
	md.Parties = []Party{{UUID: d.partyUUID("\x00organisation"), Type: "organization", Name: d.org}}
	seen := map[string]bool{}
	person := func(name string) string {
		u := d.partyUUID(name)
		if !seen[name] {
			seen[name] = true
			md.Parties = append(md.Parties, Party{UUID: u, Type: "person", Name: name})
		}
		return u
	}
	if lead := str(d.in.Assessment.Lead); lead != "" {
		md.Roles = append(md.Roles, Role{ID: RoleAssessor, Title: "Assessment lead"})
		md.ResponsibleParties = append(md.ResponsibleParties, ResponsibleParty{RoleID: RoleAssessor, PartyUUIDs: []string{person(lead)}})
	}
	var owners []string
	owned := map[string]bool{}
	for _, ci := range d.in.Catalog.Items {
		if o := str(d.item(ci.Ref).Owner); o != "" && !owned[o] {
			owned[o] = true
			owners = append(owners, person(o))
		}
	}
	if len(owners) > 0 {
		md.Roles = append(md.Roles, Role{ID: RoleItemOwner, Title: "Owner of an item and its remediation"})
		md.ResponsibleParties = append(md.ResponsibleParties, ResponsibleParty{RoleID: RoleItemOwner, PartyUUIDs: owners})
	}
	return md
}

// origin is who characterised the risks: the assessment lead, or the
// organisation when no lead is named.
func (d *doc) origin() Origin {
	u := d.partyUUID("\x00organisation")
	if lead := str(d.in.Assessment.Lead); lead != "" {
		u = d.partyUUID(lead)
	}
	return Origin{Actors: []Actor{{Type: "party", ActorUUID: u}}}
}

func (d *doc) resultProps() []Prop {
	o := d.in.Result.Overall
	ready := "no"
	if d.in.Result.AuditReady {
		ready = "yes"
	}
	return nsProps(
		"target-score", strconv.Itoa(d.in.Result.Target),
		"readiness", ratio(o.Readiness),
		"coverage", ratio(o.Coverage),
		"applicable-items", strconv.Itoa(o.Applicable),
		"assessed-items", strconv.Itoa(o.Assessed),
		"items-at-target", strconv.Itoa(o.AtTarget),
		"not-applicable-items", strconv.Itoa(o.NotApplicable),
		"blockers", strconv.Itoa(len(d.in.Result.Blockers)),
		"audit-ready", ready,
	)
}

// reviewed lists the applicable items: the assessment's scope.
func (d *doc) reviewed() reviewedControls {
	sel := controlSelection{Description: "The applicable items of the catalog: every clause requirement and every control not excluded."}
	var excluded []controlRef
	for _, ci := range d.in.Catalog.Items {
		if d.status[ci.Ref].Applicable {
			sel.IncludeControl = append(sel.IncludeControl, controlRef{d.ids[ci.Ref]})
		} else {
			excluded = append(excluded, controlRef{d.ids[ci.Ref]})
		}
	}
	if len(sel.IncludeControl) == 0 {
		sel.IncludeAll, sel.ExcludeControl = &struct{}{}, excluded
	}
	return reviewedControls{ControlSelections: []controlSelection{sel}}
}

func (d *doc) observationUUID(ref string) string { return d.uuid(ref, "observation") }
func (d *doc) findingUUID(ref string) string     { return d.uuid(ref, "finding") }
func (d *doc) riskUUID(ref string) string        { return d.uuid(ref, "risk") }
func (d *doc) evidenceUUID(ref string, id int64) string {
	return d.uuid(ref, "evidence", strconv.FormatInt(id, 10))
}

func itemTitle(ci catalog.Item) string { return line(ci.Ref + " " + ci.Title) }

// observation records an item as the assessment holds it.
func (d *doc) observation(ci catalog.Item) Observation {
	it, is := d.item(ci.Ref), d.status[ci.Ref]
	o := Observation{UUID: d.observationUUID(ci.Ref), Title: itemTitle(ci), Types: []string{"control-objective"},
		Collected: d.collected(it), Remarks: strings.TrimSpace(it.Notes)}
	var desc string
	switch {
	case !is.Applicable && str(it.Justification) != "":
		desc = "Excluded from the scope: " + str(it.Justification)
	case !is.Applicable:
		desc = "Excluded from the scope without a justification."
	case !it.Score.Assessed():
		desc = "Not assessed yet."
	case is.Unevidenced5:
		desc = fmt.Sprintf("Scored 5 (%s) without evidence, which counts as 4 (%s); the target is %d.", assess.Score(5).Label(), assess.Score(4).Label(), d.in.Result.Target)
	default:
		desc = fmt.Sprintf("Scored %d of 5 (%s); the target is %d.", it.Score, it.Score.Label(), d.in.Result.Target)
	}
	o.Description = desc
	o.Props = d.itemProps(ci, it, is)
	switch {
	case !it.Score.Assessed():
		o.Methods = []string{"UNKNOWN"}
	case it.HasEvidence():
		o.Methods = []string{"INTERVIEW", "EXAMINE"}
	default:
		o.Methods = []string{"INTERVIEW"}
	}
	for _, e := range it.Evidence {
		o.RelevantEvidence = append(o.RelevantEvidence, d.relevantEvidence(ci.Ref, e))
	}
	return o
}

// collected is when the item was last changed.
func (d *doc) collected(it assess.Item) string {
	if !it.UpdatedAt.IsZero() {
		return Timestamp(it.UpdatedAt)
	}
	return d.start()
}

func (d *doc) itemProps(ci catalog.Item, it assess.Item, is assess.ItemStatus) []Prop {
	applicable := "yes"
	if !is.Applicable {
		applicable = "no"
	}
	kv := []string{"ref", ci.Ref, "kind", ci.Kind, "status", is.Status, "applicable", applicable, "target-score", strconv.Itoa(d.in.Result.Target)}
	if it.Score.Assessed() {
		kv = append(kv, "score", strconv.Itoa(int(it.Score)), "effective-score", strconv.Itoa(int(is.Effective)))
	}
	if !is.Applicable {
		kv = append(kv, "justification", it.Justification)
	}
	kv = append(kv, "owner", it.Owner, "department", it.Department, "priority", string(it.Priority), "target-date", it.TargetDate.String())
	return nsProps(kv...)
}

// uriReference is a link as an OSCAL uri-reference: as given when it
// parses as one (isogap checks links when they are added), else with the
// bytes a URI cannot hold percent-encoded, else none: the description
// keeps the text either way.
func uriReference(s string) string {
	if _, err := url.Parse(s); err == nil {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c == 0x7f || c >= 0x80 || c == '%' && !(i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2])) {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	if _, err := url.Parse(b.String()); err != nil {
		return ""
	}
	return b.String()
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func (d *doc) relevantEvidence(ref string, e assess.Evidence) RelevantEvidence {
	re := RelevantEvidence{Description: strings.TrimSpace(e.Text)}
	switch e.Kind {
	case assess.EvidenceLink:
		re.Href = uriReference(e.URL)
		if re.Description == "" {
			re.Description = "Link: " + e.URL
		}
	case assess.EvidenceFile:
		re.Href = "#" + d.evidenceUUID(ref, e.ID)
		if re.Description == "" {
			re.Description = "File: " + e.FileName
		}
	}
	if re.Description == "" {
		re.Description = "Evidence"
	}
	kv := []string{"evidence-kind", string(e.Kind), "evidence-date", e.Date.String(), "added-by", e.AddedBy}
	if e.Kind != assess.EvidenceFile {
		kv = append(kv, "sha256", e.SHA256)
	}
	re.Props = nsProps(kv...)
	return re
}

// evidenceResources are the evidence files, each with its SHA-256; the
// files themselves are not in the document.
func (d *doc) evidenceResources(items []catalog.Item) []Resource {
	var out []Resource
	for _, ci := range items {
		for _, e := range d.item(ci.Ref).Evidence {
			if e.Kind != assess.EvidenceFile {
				continue
			}
			r := Resource{UUID: d.evidenceUUID(ci.Ref, e.ID), Title: line(e.FileName), Description: strings.TrimSpace(e.Text),
				Props: nsProps("ref", ci.Ref, "evidence-date", e.Date.String(), "size", strconv.FormatInt(e.Size, 10))}
			if r.Title == "" {
				r.Title = "Evidence file for " + ci.Ref
			}
			link := RLink{Href: url.PathEscape(str(e.FileName)), MediaType: str(e.ContentType)}
			if link.Href == "" {
				link.Href = "evidence-" + strconv.FormatInt(e.ID, 10)
			}
			if e.SHA256 != "" {
				link.Hashes = []Hash{{Algorithm: "SHA-256", Value: e.SHA256}}
			}
			r.RLinks = []RLink{link}
			out = append(out, r)
		}
	}
	return out
}

// planResource states the scope and the method: what import-ap points at.
func (d *doc) planResource() Resource {
	a := d.in.Assessment
	var b strings.Builder
	fmt.Fprintf(&b, "The gap assessment of %s against %s. Each item is scored from 1 (Not Started) to 5 (Fully Implemented & Evidenced) "+
		"from interviews with its owner and the evidence they provide; a 5 without evidence counts as 4. The target score is %d.",
		d.org, d.catalogName(), d.in.Result.Target)
	if s := strings.TrimSpace(a.Scope); s != "" {
		b.WriteString("\n\nScope: " + s)
	}
	for _, bd := range []struct {
		name string
		xs   []string
	}{{"Organisational units", a.Boundaries.Units}, {"Locations", a.Boundaries.Locations}, {"Products and services", a.Boundaries.Services}, {"Systems", a.Boundaries.Systems}} {
		if len(bd.xs) > 0 {
			b.WriteString("\n\n" + bd.name + ": " + strings.Join(bd.xs, "; "))
		}
	}
	if s := strings.TrimSpace(a.Interfaces); s != "" {
		b.WriteString("\n\nInterfaces and dependencies: " + s)
	}
	for _, x := range a.Exclusions {
		j := str(x.Justification)
		if j == "" {
			j = "no justification given"
		}
		b.WriteString("\n\nExcluded: " + str(x.What) + " (" + j + ")")
	}
	return Resource{UUID: d.uuid("assessment-plan"), Title: line("Scope and method of the gap assessment of " + d.org),
		Description: b.String(), Props: nsProps("catalog-id", d.in.Catalog.ID, "catalog-version", d.in.Catalog.Version)}
}

// finding concludes on an item: satisfied when it is at its target (or
// excluded with a justification), not satisfied otherwise.
func (d *doc) finding(ci catalog.Item) Finding {
	it, is := d.item(ci.Ref), d.status[ci.Ref]
	f := Finding{UUID: d.findingUUID(ci.Ref), Title: itemTitle(ci),
		Target:              FindingTarget{Type: "objective-id", TargetID: d.ids[ci.Ref] + objectiveSuffix},
		RelatedObservations: []RelatedObservation{{d.observationUUID(ci.Ref)}}}
	b, blocked := d.blockers[ci.Ref]
	switch {
	case blocked:
		f.Target.Status = ObjectiveStatus{State: "not-satisfied", Reason: "fail"}
		f.Description = "Blocks audit-readiness: " + b.Reason + "."
		f.RelatedRisks = []RelatedRisk{{d.riskUUID(ci.Ref)}}
	case !is.Applicable:
		f.Target.Status = ObjectiveStatus{State: "satisfied", Reason: "other", Remarks: "Not applicable: " + strings.TrimSpace(it.Justification)}
		f.Description = "Excluded from the scope with a justification."
	default:
		f.Target.Status = ObjectiveStatus{State: "satisfied", Reason: "pass"}
		f.Description = fmt.Sprintf("At or above the target score of %d.", d.in.Result.Target)
	}
	f.Props = nsProps("status", is.Status)
	return f
}

// blockerRisks are the blockers of the audit-ready gate, each a risk: an
// item's risk carries the risk register's rating when it has one.
func (d *doc) blockerRisks() []Risk {
	var out []Risk
	dup := map[string]int{}
	for _, b := range d.in.Result.Blockers {
		if b.Ref != "" {
			out = append(out, d.gapRisk(b.Ref))
			continue
		}
		dup[b.Title]++
		out = append(out, Risk{
			UUID: d.uuid("blocker", b.Title, strconv.Itoa(dup[b.Title])), Title: line(b.Title),
			Description: "Blocks audit-readiness: " + b.Reason + ".",
			Statement:   "An exclusion from the ISMS scope needs a written justification; without one the assessment is not audit-ready.",
			Status:      "open",
		})
	}
	return out
}

// gapRisk is an item's risk as the register rates it, without its
// remediation (the POA&M adds that).
func (d *doc) gapRisk(ref string) Risk {
	ci, _ := d.in.Catalog.Item(ref)
	it := d.item(ref)
	r := Risk{UUID: d.riskUUID(ref), Title: itemTitle(ci), Status: "open",
		RelatedObservations: []RelatedObservation{{d.observationUUID(ref)}}}
	if b, ok := d.blockers[ref]; ok {
		r.Description = "Blocks audit-readiness: " + b.Reason + "."
	}
	reg, ok := d.risks[ref]
	if ok {
		r.Statement = strings.TrimSpace(reg.Description)
		r.Characterizations = []Characterization{{Origin: d.origin(), Facets: []Facet{
			{Name: "likelihood", System: Namespace, Value: strconv.Itoa(reg.Likelihood)},
			{Name: "impact", System: Namespace, Value: strconv.Itoa(reg.Impact)},
			{Name: "rating", System: Namespace, Value: strconv.Itoa(reg.Rating)},
			{Name: "level", System: Namespace, Value: reg.Level},
		}}}
		// Not the register's id (R-001…): it numbers by rating, so one
		// item's change would renumber the others.
	}
	switch {
	case r.Statement != "":
	case !d.status[ref].Applicable:
		r.Statement = "A control may be excluded only with a written justification; without one the assessment is not audit-ready."
	default:
		r.Statement = "The item is not where the assessment needs it; until it is, the assessment is not audit-ready."
	}
	if r.Description == "" {
		r.Description = fmt.Sprintf("%s is below the target score of %d.", itemTitle(ci), d.in.Result.Target)
	}
	if t, ok := dateTime(it.TargetDate); ok {
		r.Deadline = t
	}
	return r
}

// encode writes a document as indented JSON, keeping < > & as they are.
func encode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// str makes text a valid OSCAL string: one line, no spaces at either end.
func str(s string) string { return strings.Join(strings.Fields(s), " ") }

// line is str for titles (markup-line): one line.
func line(s string) string { return str(s) }

// nsProps builds isogap props from name/value pairs, skipping empty values.
func nsProps(kv ...string) []Prop {
	var out []Prop
	for i := 0; i+1 < len(kv); i += 2 {
		if v := str(kv[i+1]); v != "" {
			out = append(out, Prop{Name: kv[i], NS: Namespace, Value: v})
		}
	}
	return out
}

// dateTime writes a date as OSCAL's date-time (midnight UTC); dates OSCAL
// cannot hold (before 1900 or after 2999) are left out.
func dateTime(d assess.Date) (string, bool) {
	if d.IsZero() {
		return "", false
	}
	if y := d.Time().Year(); y < 1900 || y > 2999 {
		return "", false
	}
	return Timestamp(d.Time()), true
}

func ratio(x float64) string   { return strconv.FormatFloat(x, 'f', 4, 64) }
func percent(x float64) string { return strconv.FormatFloat(x*100, 'f', 1, 64) + " %" }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
