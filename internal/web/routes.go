package web

import (
	"net/http"

	"github.com/isogap/isogap/internal/app"
)

// routes lists every URL of the web app. Handlers wrapped in s.auth need a
// session; s.in also loads an assessment the principal may see; s.cached
// does too, for pages that carry an ETag (see etag.go). Every
// state change is a POST, checked by http.CrossOriginProtection in New.
func (s *Server) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /static/", s.assets.serve)
	// Liveness: the process answers. Readiness: the database answers too.
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", s.readyz)
	if s.cfg.MetricsHandler != nil {
		mux.Handle("GET /metrics", s.cfg.MetricsHandler)
	}

	mux.HandleFunc("GET /setup", s.h(s.setupForm))
	mux.HandleFunc("POST /setup", s.h(s.setup))
	mux.HandleFunc("GET /login", s.h(s.loginForm))
	mux.HandleFunc("POST /login", s.h(s.login))
	mux.HandleFunc("POST /logout", s.h(s.logout))
	s.mfaRoutes(mux)
	mux.HandleFunc("GET /account", s.auth(s.account))
	mux.HandleFunc("POST /account/password", s.auth(s.changePassword))
	mux.HandleFunc("POST /account/tokens", s.auth(s.createToken))
	mux.HandleFunc("POST /account/tokens/{tid}/revoke", s.auth(s.revokeToken))
	mux.HandleFunc("GET /invitations", s.auth(s.invitations))
	mux.HandleFunc("POST /invitations/{id}/accept", s.auth(s.acceptInvitation))
	mux.HandleFunc("POST /invitations/{id}/decline", s.auth(s.declineInvitation))

	mux.HandleFunc("GET /admin/users", s.auth(s.users))
	mux.HandleFunc("POST /admin/users", s.auth(s.createUser))
	mux.HandleFunc("GET /admin/users/{login}", s.auth(s.userForm))
	mux.HandleFunc("POST /admin/users/{login}", s.auth(s.updateUser))
	mux.HandleFunc("POST /admin/users/{login}/password", s.auth(s.setUserPassword))
	mux.HandleFunc("GET /admin/site", s.auth(s.siteForm))
	mux.HandleFunc("POST /admin/site", s.auth(s.saveSite))
	mux.HandleFunc("GET /admin/sso", s.auth(s.ssoAdmin))
	mux.HandleFunc("POST /admin/sso", s.auth(s.ssoSave))
	mux.HandleFunc("POST /admin/sso/{name}/remove", s.auth(s.ssoRemove))
	mux.HandleFunc("GET /sso/callback", s.h(s.ssoCallback))
	mux.HandleFunc("GET /sso/{name}", s.h(s.ssoStart))
	mux.HandleFunc("GET /account/sso/{name}/link", s.auth(s.ssoLink))
	mux.HandleFunc("POST /account/sso/{name}/unlink", s.auth(s.ssoUnlink))

	mux.HandleFunc("GET /{$}", s.h(s.home))
	mux.HandleFunc("GET /new", s.auth(s.newAssessmentForm))
	mux.HandleFunc("POST /new", s.auth(s.createAssessment))
	mux.HandleFunc(routeImport, s.auth(s.importJSON))
	mux.HandleFunc("GET /catalogs", s.auth(s.catalogs))
	mux.HandleFunc(routeCatalogs, s.auth(s.importCatalog))

	// Inside an assessment. The four steps: scope, stakeholders, matrix, results.
	mux.HandleFunc("GET /a/{id}/{$}", s.cached(s.dashboard))
	mux.HandleFunc("GET /a/{id}/scope", s.cached(s.scopeForm))
	mux.HandleFunc("POST /a/{id}/scope", s.in(s.saveScope))
	mux.HandleFunc("GET /a/{id}/stakeholders", s.cached(s.stakeholdersForm))
	mux.HandleFunc("POST /a/{id}/stakeholders", s.in(s.saveStakeholders))
	mux.HandleFunc("POST /a/{id}/owners", s.in(s.assignOwners))
	mux.HandleFunc("GET /a/{id}/matrix", s.cached(s.matrix))
	mux.HandleFunc("POST /a/{id}/matrix/{ref}", s.auth(s.quickEdit))
	mux.HandleFunc("GET /a/{id}/items/{ref}", s.cached(s.item))
	mux.HandleFunc("POST /a/{id}/items/{ref}", s.in(s.saveItem))
	mux.HandleFunc(routeEvidence, s.in(s.addEvidence))
	mux.HandleFunc("POST /a/{id}/evidence/{eid}/delete", s.in(s.removeEvidence))
	mux.HandleFunc("GET /a/{id}/evidence/{eid}/file", s.auth(s.evidenceFile))
	// The results beside the dashboard: every one is also a CLI command.
	mux.HandleFunc("GET /a/{id}/forecast", s.cached(s.forecast))
	mux.HandleFunc("POST /a/{id}/forecast", s.in(s.savePlan))
	mux.HandleFunc("GET /a/{id}/roadmap", s.cached(s.roadmap))
	mux.HandleFunc("GET /a/{id}/risks", s.cached(s.risks))
	mux.HandleFunc("GET /a/{id}/soa", s.cached(s.soa))
	mux.HandleFunc("GET /a/{id}/history", s.in(s.history))
	mux.HandleFunc("POST /a/{id}/snapshots", s.in(s.createSnapshot))
	mux.HandleFunc("POST /a/{id}/snapshots/delete", s.in(s.deleteSnapshot))
	mux.HandleFunc("GET /a/{id}/downloads", s.cached(s.downloads))
	mux.HandleFunc("GET /a/{id}/download/{format}", s.auth(s.download))
	mux.HandleFunc("GET /a/{id}/members", s.in(s.members))
	mux.HandleFunc("POST /a/{id}/members", s.in(s.putMember))
	mux.HandleFunc("POST /a/{id}/members/{uid}/delete", s.in(s.removeMember))
	mux.HandleFunc("POST /a/{id}/delete", s.in(s.deleteAssessment))

	// Interviews, for the assessors (auditors read).
	mux.HandleFunc("GET /a/{id}/interviews", s.in(s.interviews))
	mux.HandleFunc("POST /a/{id}/interviews", s.in(s.createInterview))
	mux.HandleFunc("POST /a/{id}/interviews/remind", s.in(s.remindInterviews))
	mux.HandleFunc("GET /a/{id}/interviews/pack", s.in(s.interviewPack))
	mux.HandleFunc("GET /a/{id}/interviews/{iid}", s.in(s.review))
	mux.HandleFunc("GET /a/{id}/interviews/{iid}/pack", s.in(s.interviewPack))
	mux.HandleFunc("POST /a/{id}/interviews/{iid}/send", s.in(s.sendInterview))
	mux.HandleFunc("POST /a/{id}/interviews/{iid}/revoke", s.in(s.revokeInterview))
	mux.HandleFunc("POST /a/{id}/interviews/{iid}/accept", s.in(s.acceptInterviewItem))
	mux.HandleFunc("POST /a/{id}/interviews/{iid}/return", s.in(s.returnQuestion))

	// Answering an interview: by its invitation link (a session of its own
	// that opens that interview only), or signed in with an account (the
	// interviewee's, or an assessor typing in answers given on paper).
	// Both take the same pages under their own root.
	mux.HandleFunc("GET "+linkRoot+"/{token}", s.openLink)
	mux.HandleFunc("GET "+linkRoot+"/confirm", s.confirmForm)
	mux.HandleFunc("POST "+linkRoot+"/confirm", s.confirm)
	for root, as := range map[string]func(ivHandler) http.HandlerFunc{linkRoot: s.viaLink, "/a/{id}/interviews/{iid}/answer": s.asMember} {
		mux.HandleFunc("GET "+root+"/{$}", as(s.answerStart))
		mux.HandleFunc("GET "+root+"/items/{ref}", as(s.answerItem))
		mux.HandleFunc("POST "+root+"/items/{ref}", as(s.saveAnswers))
		mux.HandleFunc("POST "+root+routeAnswerEvidence, as(s.answerEvidence))
		mux.HandleFunc("GET "+root+"/evidence/{eid}", as(s.answerEvidenceFile))
		mux.HandleFunc("GET "+root+"/end", as(s.answerEnd))
		mux.HandleFunc("POST "+root+"/submit", as(s.submitAnswers))
	}
	mux.HandleFunc("POST "+linkRoot+"/signout", s.viaLink(s.signOutInterview))
	mux.HandleFunc("GET /a/{id}/interviews/{iid}/evidence/{eid}", s.auth(func(w http.ResponseWriter, r *http.Request, p app.Principal) error {
		iid, err := interviewID(r)
		if err != nil {
			return err
		}
		return s.interviewEvidenceFile(w, r, p, r.PathValue("id"), iid)
	}))
}
