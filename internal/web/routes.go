package web

import "net/http"

// routes lists every URL of the web app. Handlers wrapped in s.auth need a
// session; s.in also loads an assessment the principal may see. Every
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
	mux.HandleFunc("GET /account", s.auth(s.account))
	mux.HandleFunc("POST /account/password", s.auth(s.changePassword))
	mux.HandleFunc("GET /invitations", s.auth(s.invitations))
	mux.HandleFunc("POST /invitations/{id}/accept", s.auth(s.acceptInvitation))
	mux.HandleFunc("POST /invitations/{id}/decline", s.auth(s.declineInvitation))

	mux.HandleFunc("GET /admin/users", s.auth(s.users))
	mux.HandleFunc("POST /admin/users", s.auth(s.createUser))
	mux.HandleFunc("GET /admin/users/{login}", s.auth(s.userForm))
	mux.HandleFunc("POST /admin/users/{login}", s.auth(s.updateUser))
	mux.HandleFunc("POST /admin/users/{login}/password", s.auth(s.setUserPassword))

	mux.HandleFunc("GET /{$}", s.h(s.home))
	mux.HandleFunc("GET /new", s.auth(s.newAssessmentForm))
	mux.HandleFunc("POST /new", s.auth(s.createAssessment))
	mux.HandleFunc(routeImport, s.auth(s.importJSON))

	// Inside an assessment. The four steps: scope, stakeholders, matrix, results.
	mux.HandleFunc("GET /a/{id}/{$}", s.in(s.dashboard))
	mux.HandleFunc("GET /a/{id}/scope", s.in(s.scopeForm))
	mux.HandleFunc("POST /a/{id}/scope", s.in(s.saveScope))
	mux.HandleFunc("GET /a/{id}/stakeholders", s.in(s.stakeholdersForm))
	mux.HandleFunc("POST /a/{id}/stakeholders", s.in(s.saveStakeholders))
	mux.HandleFunc("POST /a/{id}/owners", s.in(s.assignOwners))
	mux.HandleFunc("GET /a/{id}/matrix", s.in(s.matrix))
	mux.HandleFunc("POST /a/{id}/matrix/{ref}", s.in(s.quickEdit))
	mux.HandleFunc("GET /a/{id}/items/{ref}", s.in(s.item))
	mux.HandleFunc("POST /a/{id}/items/{ref}", s.in(s.saveItem))
	mux.HandleFunc(routeEvidence, s.in(s.addEvidence))
	mux.HandleFunc("POST /a/{id}/evidence/{eid}/delete", s.in(s.removeEvidence))
	mux.HandleFunc("GET /a/{id}/evidence/{eid}/file", s.auth(s.evidenceFile))
	// The results beside the dashboard: every one is also a CLI command.
	mux.HandleFunc("GET /a/{id}/forecast", s.in(s.forecast))
	mux.HandleFunc("POST /a/{id}/forecast", s.in(s.savePlan))
	mux.HandleFunc("GET /a/{id}/roadmap", s.in(s.roadmap))
	mux.HandleFunc("GET /a/{id}/risks", s.in(s.risks))
	mux.HandleFunc("GET /a/{id}/soa", s.in(s.soa))
	mux.HandleFunc("GET /a/{id}/history", s.in(s.history))
	mux.HandleFunc("POST /a/{id}/snapshots", s.in(s.createSnapshot))
	mux.HandleFunc("POST /a/{id}/snapshots/delete", s.in(s.deleteSnapshot))
	mux.HandleFunc("GET /a/{id}/downloads", s.in(s.downloads))
	mux.HandleFunc("GET /a/{id}/download/{format}", s.auth(s.download))
	mux.HandleFunc("GET /a/{id}/members", s.in(s.members))
	mux.HandleFunc("POST /a/{id}/members", s.in(s.putMember))
	mux.HandleFunc("POST /a/{id}/members/{uid}/delete", s.in(s.removeMember))
	mux.HandleFunc("POST /a/{id}/delete", s.in(s.deleteAssessment))
}
