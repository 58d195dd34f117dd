package api

import (
	"net/http"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/compare"
	"github.com/isogap/isogap/internal/risk"
	"github.com/isogap/isogap/internal/soa"
)

// route is one operation of the API: what serves it, and what the OpenAPI
// description says of it.
type route struct {
	method, path string
	op, summary  string
	tag          string
	h            handlerFunc
	// public routes need no token (the description and its reference page).
	public bool
	// upload routes take a file, up to Config.MaxUpload.
	upload bool
	// write routes change something: a read-only token is refused them.
	write bool
	// idem: the route honours Idempotency-Key.
	idem bool
	// etag: the route answers If-None-Match with 304.
	etag bool
	// paged: the route takes cursor and limit.
	paged  bool
	query  []param
	body   any // the JSON body's type (a zero value), nil for none
	status int // the success status
	out    any // the success body's type, nil for none
	// raw is the success body's media type when it is not JSON.
	raw string
}

// param is a query parameter.
type param struct {
	name, desc string
	schema     map[string]any
}

var (
	str       = map[string]any{"type": "string"}
	strList   = map[string]any{"type": "array", "items": map[string]any{"type": "string"}}
	boolParam = map[string]any{"type": "string", "enum": []any{"1"}}
)

// itemFilters are the matrix's filters (app.ItemFilter).
var itemFilters = []param{
	{"q", "words that must all appear in the ref, title, summary, questions, owner, action or notes", str},
	{"section", `a section id such as "5" or "A.8", or "clauses" or "controls"`, str},
	{"dept", "the department", str},
	{"owner", `the owner's name, or "-" for items without one`, str},
	{"score", `"0" (not assessed) to "5"`, map[string]any{"type": "string", "enum": []any{"0", "1", "2", "3", "4", "5"}}},
	{"priority", "Critical, High, Medium or Low", map[string]any{"type": "string", "enum": []any{"Critical", "High", "Medium", "Low"}}},
	{"status", "below (target), attarget, unassessed, na (not applicable) or flagged (a 5 without evidence)",
		map[string]any{"type": "string", "enum": []any{"below", "attarget", "unassessed", "na", "flagged"}}},
	{"attr", `an ISO/IEC 27002 attribute as KEY:VALUE, such as "control_type:preventive"`, str},
	{"overdue", "1: only items past their target date and below target", boolParam},
}

var whatIf = []param{{"what_if", "an assumption to try without saving it, KEY=VALUE (repeatable), as the forecast's settings name them", strList}}

// table lists every route of the API.
func (h *Handler) table() []route {
	const (
		a   = "/assessments/{id}"
		tA  = "Assessments"
		tI  = "Items"
		tE  = "Evidence"
		tR  = "Results"
		tS  = "Snapshots"
		tM  = "Members"
		tIv = "Interviews"
		tX  = "Exports"
		tD  = "Description"
	)
	ok := http.StatusOK
	return []route{
		{method: "GET", path: "/openapi.json", op: "getOpenAPI", summary: "This description, as OpenAPI 3.1", tag: tD, h: h.openapi, public: true, status: ok, raw: "application/json"},
		{method: "GET", path: "/docs", op: "getReference", summary: "This description as a page to read", tag: tD, h: h.docs, public: true, status: ok, raw: "text/html"},
		{method: "GET", path: "/me", op: "getMe", summary: "Who the token belongs to", tag: tA, h: h.me, status: ok, out: Me{}},

		{method: "GET", path: "/assessments", op: "listAssessments", summary: "The assessments the token's owner may see, with their figures", tag: tA, h: h.listAssessments, paged: true, status: ok, out: Page[AssessmentSummary]{}},
		{method: "POST", path: "/assessments", op: "createAssessment", summary: "Start an assessment", tag: tA, h: h.createAssessment, write: true, idem: true, body: NewAssessment{}, status: http.StatusCreated, out: assess.Assessment{}},
		{method: "GET", path: a, op: "getAssessment", summary: "An assessment's header: scope, stakeholders, target, version", tag: tA, h: h.getAssessment, etag: true, status: ok, out: assess.Assessment{}},
		{method: "PATCH", path: a, op: "updateAssessment", summary: "Change an assessment's header, based on its version", tag: tA, h: h.patchAssessment, write: true, body: AssessmentPatch{}, status: ok, out: assess.Assessment{}},

		{method: "GET", path: a + "/items", op: "listItems", summary: "An assessment's items, filtered as the matrix filters them", tag: tI, h: h.listItems, etag: true, paged: true, query: itemFilters, status: ok, out: Page[ItemOut]{}},
		{method: "GET", path: a + "/items/{ref}", op: "getItem", summary: "One item", tag: tI, h: h.getItem, etag: true, status: ok, out: ItemOut{}},
		{method: "PATCH", path: a + "/items/{ref}", op: "updateItem", summary: "Change an item, based on its version; a conflict is a 409 with both values", tag: tI, h: h.patchItem, write: true, body: ItemPatch{}, status: ok, out: ItemOut{}},

		{method: "GET", path: a + "/evidence", op: "listEvidence", summary: "The evidence of an assessment, or of one item", tag: tE, h: h.listEvidence, etag: true, paged: true, query: []param{{"ref", "only this item's evidence", str}}, status: ok, out: Page[EvidenceOut]{}},
		{method: "POST", path: a + "/items/{ref}/evidence", op: "addEvidence", summary: "Attach a statement or link (JSON) or a file (multipart/form-data) to an item", tag: tE, h: h.addEvidence, write: true, idem: true, upload: true, body: NewEvidence{}, status: http.StatusCreated, out: EvidenceOut{}},
		{method: "GET", path: a + "/evidence/{eid}/file", op: "getEvidenceFile", summary: "Download an evidence file", tag: tE, h: h.evidenceFile, status: ok, raw: "application/octet-stream"},
		{method: "DELETE", path: a + "/evidence/{eid}", op: "removeEvidence", summary: "Remove evidence (recorded in the history)", tag: tE, h: h.removeEvidence, write: true, status: http.StatusNoContent},

		{method: "GET", path: a + "/history", op: "listHistory", summary: "Every recorded change, oldest first", tag: tA, h: h.history, etag: true, paged: true, query: []param{{"ref", "only this item's changes", str}}, status: ok, out: Page[assess.Change]{}},

		{method: "GET", path: a + "/results/readiness", op: "getReadiness", summary: "Readiness and coverage overall, by clause, by theme and by attribute", tag: tR, h: h.readiness, etag: true, status: ok, out: Readiness{}},
		{method: "GET", path: a + "/results/blockers", op: "getBlockers", summary: "What blocks audit-readiness", tag: tR, h: h.blockers, etag: true, status: ok, out: Blockers{}},
		{method: "GET", path: a + "/results/forecast", op: "getForecast", summary: "The certification forecast with every assumption; what_if tries others", tag: tR, h: h.forecast, etag: true, query: whatIf, status: ok, out: Forecast{}},
		{method: "GET", path: a + "/results/roadmap", op: "getRoadmap", summary: "The remediation roadmap", tag: tR, h: h.roadmap, etag: true, query: whatIf, status: ok, out: Roadmap{}},
		{method: "GET", path: a + "/results/risks", op: "getRisks", summary: "The risk register the gaps make", tag: tR, h: h.risks, etag: true, status: ok, out: risk.Register{}},
		{method: "GET", path: a + "/results/soa", op: "getSoA", summary: "The Statement of Applicability", tag: tR, h: h.soa, etag: true, status: ok, out: soa.Statement{}},

		{method: "GET", path: a + "/snapshots", op: "listSnapshots", summary: "An assessment's snapshots with their figures", tag: tS, h: h.listSnapshots, etag: true, status: ok, out: Snapshots{}},
		{method: "POST", path: a + "/snapshots", op: "createSnapshot", summary: "Keep the assessment as it is now under a name", tag: tS, h: h.createSnapshot, write: true, idem: true, body: NewSnapshot{}, status: http.StatusCreated, out: SnapshotOut{}},
		{method: "DELETE", path: a + "/snapshots/{name}", op: "deleteSnapshot", summary: "Delete a snapshot", tag: tS, h: h.deleteSnapshot, write: true, status: http.StatusNoContent},
		{method: "GET", path: "/compare", op: "compare", summary: "Compare two assessments or snapshots item by item", tag: tS, h: h.compare,
			query: []param{{"a", "the state before: an assessment id, or ID@SNAPSHOT", str}, {"b", "the state after, the same way", str}}, status: ok, out: compare.Result{}},

		{method: "GET", path: a + "/members", op: "listMembers", summary: "An assessment's members", tag: tM, h: h.listMembers, status: ok, out: Members{}},
		{method: "PUT", path: a + "/members/{login}", op: "putMember", summary: "Give an account a role (administrators add, assessors invite)", tag: tM, h: h.putMember, write: true, body: MemberPut{}, status: ok, out: assess.Membership{}},
		{method: "DELETE", path: a + "/members/{login}", op: "removeMember", summary: "Remove a member", tag: tM, h: h.removeMember, write: true, status: http.StatusNoContent},

		{method: "GET", path: a + "/interviews", op: "listInterviews", summary: "An assessment's interviews", tag: tIv, h: h.listInterviews, status: ok, out: Interviews{}},
		{method: "POST", path: a + "/interviews", op: "createInterview", summary: "Prepare an interview of a stakeholder", tag: tIv, h: h.createInterview, write: true, idem: true, body: NewInterview{}, status: http.StatusCreated, out: Interview{}},
		{method: "GET", path: a + "/interviews/{iid}", op: "getInterview", summary: "An interview with its questions and answers", tag: tIv, h: h.getInterview, status: ok, out: InterviewDetail{}},
		{method: "POST", path: a + "/interviews/{iid}/send", op: "sendInterview", summary: "Send (or send again) an interview's link", tag: tIv, h: h.sendInterview, write: true, status: ok, out: SentInterview{}},
		{method: "POST", path: a + "/interviews/{iid}/revoke", op: "revokeInterview", summary: "Revoke an interview's link", tag: tIv, h: h.revokeInterview, write: true, status: ok, out: Interview{}},

		{method: "GET", path: a + "/exports/{format}", op: "export", summary: "Download the assessment in a format", tag: tX, h: h.export, status: ok, raw: "application/octet-stream"},
	}
}
