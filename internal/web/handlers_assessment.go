package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/soa"
)

// splitLines reads a textarea with one entry per line.
func splitLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// exclusionRows pads the exclusions with blank rows to fill in.
func exclusionRows(x []assess.Exclusion) []assess.Exclusion {
	return append(slices.Clone(x), make([]assess.Exclusion, 3)...)
}

// scopeFromForm reads Step 1 (scope) into an assessment header.
func scopeFromForm(r *http.Request, a assess.Assessment) (assess.Assessment, formErrors) {
	var fe formErrors
	f := r.PostForm
	a.Org, a.Scope, a.Interfaces, a.Lead = strings.TrimSpace(f.Get("org")), strings.TrimSpace(f.Get("scope")),
		strings.TrimSpace(f.Get("interfaces")), strings.TrimSpace(f.Get("lead"))
	a.Boundaries = assess.Boundaries{Units: splitLines(f.Get("units")), Locations: splitLines(f.Get("locations")),
		Services: splitLines(f.Get("services")), Systems: splitLines(f.Get("systems"))}
	a.Exclusions = nil
	whats, whys := f["ex_what"], f["ex_why"]
	for i, w := range whats {
		why := ""
		if i < len(whys) {
			why = strings.TrimSpace(whys[i])
		}
		if w = strings.TrimSpace(w); w == "" && why == "" {
			continue
		}
		a.Exclusions = append(a.Exclusions, assess.Exclusion{What: w, Justification: why})
	}
	if v := strings.TrimSpace(f.Get("target_score")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			fe.List = append(fe.List, assess.FieldError{Where: "target_score", Value: v, Problem: "not a whole number", Expected: "1 to 5"})
		}
		a.TargetScore = n
	}
	if v := strings.TrimSpace(f.Get("employees")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			fe.List = append(fe.List, assess.FieldError{Where: "employees", Value: v, Problem: "not a whole number", Expected: "the number of people in scope"})
		}
		a.Employees = n
	} else {
		a.Employees = 0
	}
	for i, x := range a.Exclusions {
		if x.What != "" && x.Justification == "" {
			fe.List = append(fe.List, assess.FieldError{Where: "exclusions", Value: x.What,
				Problem: "exclusion " + strconv.Itoa(i+1) + " has no justification", Expected: "why it is outside the ISMS"})
		}
	}
	return a, fe
}

func (s *Server) newAssessmentForm(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	pg := &scopePage{Base: userBase(p, "New assessment"), New: true,
		Form: assess.Assessment{TargetScore: assess.DefaultTarget, Lead: p.User.Name}, Exclusions: exclusionRows(nil)}
	if err := s.offerCatalogs(r, p, pg, r.URL.Query().Get("catalog")); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "scope", pg)
	return nil
}

// offerCatalogs fills the new-assessment form's choice of catalog: those
// p may start from, the one named by key chosen (the built-in one when
// key is empty or names none of them).
func (s *Server) offerCatalogs(r *http.Request, p app.Principal, pg *scopePage, key string) error {
	list, err := s.catalogChoices(r, p, false)
	if err != nil {
		return err
	}
	pg.Catalogs, pg.Catalog = list, list[0].Key
	if c, ok := chosenCatalog(list, key); ok {
		pg.Catalog = c.Key
	}
	pg.MayCreate, err = s.svc.MayCreateAssessments(r.Context(), p)
	return err
}

func (s *Server) createAssessment(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	if err := r.ParseForm(); err != nil {
		return assess.Wrap(assess.KindInvalid, err, "form")
	}
	a, fe := scopeFromForm(r, assess.Assessment{TargetScore: assess.DefaultTarget})
	key := r.PostForm.Get("catalog")
	again := func(fe formErrors) error {
		pg := &scopePage{Base: userBase(p, "New assessment"), New: true, Form: a, Exclusions: exclusionRows(a.Exclusions), Errors: fe}
		if err := s.offerCatalogs(r, p, pg, key); err != nil {
			return err
		}
		s.render(w, r, httpStatus(assess.KindInvalid), "scope", pg)
		return nil
	}
	if fe.Any() {
		return again(fe)
	}
	list, err := s.catalogChoices(r, p, false)
	if err != nil {
		return err
	}
	cat, ok := chosenCatalog(list, key)
	if !ok {
		// Stored catalogs are listed only to those who may start
		// assessments; the app refuses the others below, whatever the catalog.
		may, err := s.svc.MayCreateAssessments(r.Context(), p)
		if err != nil {
			return err
		}
		if may {
			return again(formErrors{List: []assess.FieldError{{Where: "catalog", Value: key, Problem: "not a catalog you may start an assessment from",
				Expected: "one of the catalogs listed (import it on the Catalogs page first)"}}})
		}
	}
	created, err := s.svc.CreateAssessment(r.Context(), p, app.NewAssessment{Org: a.Org, Scope: a.Scope, Boundaries: a.Boundaries,
		Interfaces: a.Interfaces, Exclusions: a.Exclusions, TargetScore: a.TargetScore, Employees: a.Employees, Lead: a.Lead,
		CatalogID: cat.ID, CatalogVersion: cat.Version})
	if fe, ok := fieldErrors(err); ok {
		return again(fe)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/a/"+created.ID+"/stakeholders?ok=created")
}

func (s *Server) importJSON(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	// The route's cap, maxImport, applies (limitBody); past it s.h answers 413.
	file, _, err := r.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return assess.Errorf(assess.KindInvalid, "choose a JSON export to import (a file downloaded as \"JSON (complete)\")")
	}
	defer file.Close()
	a, err := s.svc.ImportJSON(r.Context(), p, file, app.ImportOptions{AsNew: true})
	if err != nil {
		return err
	}
	return redirect(w, r, "/a/"+a.ID+"/?ok=imported")
}

func (s *Server) scopeForm(w http.ResponseWriter, r *http.Request, c *actx) error {
	a := c.View.Assessment
	s.render(w, r, http.StatusOK, "scope", &scopePage{Base: c.base("Step 1 · Scope", "scope"), Form: a, Exclusions: exclusionRows(a.Exclusions)})
	return nil
}

func (s *Server) saveScope(w http.ResponseWriter, r *http.Request, c *actx) error {
	if err := r.ParseForm(); err != nil {
		return assess.Wrap(assess.KindInvalid, err, "form")
	}
	base, err := formVersion(r.PostForm)
	if err != nil {
		return err
	}
	a, fe := scopeFromForm(r, c.View.Assessment)
	again := func(fe formErrors, status int) error {
		s.render(w, r, status, "scope", &scopePage{Base: c.base("Step 1 · Scope", "scope"), Form: a, Exclusions: exclusionRows(a.Exclusions), Errors: fe})
		return nil
	}
	if fe.Any() {
		return again(fe, httpStatus(assess.KindInvalid))
	}
	_, err = s.svc.UpdateAssessment(r.Context(), c.P, a, base)
	if fe, ok := fieldErrors(err); ok {
		return again(fe, httpStatus(assess.KindInvalid))
	}
	if assess.KindOf(err) == assess.KindConflict {
		// Someone saved the scope meanwhile: show the form again with
		// what this person typed, on top of the newer version.
		a.Version = c.View.Assessment.Version
		if cur, gerr := s.svc.Assessment(r.Context(), c.P, a.ID); gerr == nil {
			a.Version = cur.Version
		}
		return again(formErrors{List: []assess.FieldError{{Where: "version", Problem: err.Error() + ". Your text is below: check it against the current scope and save again."}}}, httpStatus(assess.KindConflict))
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/a/"+a.ID+"/scope?ok=saved")
}

func (s *Server) stakeholdersPage(c *actx, rows []assess.Stakeholder, fe formErrors) *stakeholdersPage {
	have := map[string]bool{}
	for _, sh := range rows {
		if sh.Name != "" {
			have[sh.Department] = true
		}
	}
	var uncovered []string
	used := map[string]bool{}
	unowned := 0
	for _, it := range c.View.Items {
		used[it.Department] = true
		if it.Owner == "" && have[it.Department] {
			unowned++
		}
	}
	for _, d := range c.View.Catalog.Departments {
		if used[d] && !have[d] {
			uncovered = append(uncovered, d)
		}
	}
	return &stakeholdersPage{Base: c.base("Step 2 · Stakeholders", "stakeholders"), Rows: append(slices.Clone(rows), make([]assess.Stakeholder, 3)...),
		Departments: c.View.Catalog.Departments, Uncovered: uncovered, Unowned: unowned, Errors: fe}
}

func (s *Server) stakeholdersForm(w http.ResponseWriter, r *http.Request, c *actx) error {
	s.render(w, r, http.StatusOK, "stakeholders", s.stakeholdersPage(c, c.View.Assessment.Stakeholders, formErrors{}))
	return nil
}

func (s *Server) saveStakeholders(w http.ResponseWriter, r *http.Request, c *actx) error {
	if err := r.ParseForm(); err != nil {
		return assess.Wrap(assess.KindInvalid, err, "form")
	}
	f := r.PostForm
	a := c.View.Assessment
	base, err := formVersion(f)
	if err != nil {
		return err
	}
	names, depts, emails := f["sh_name"], f["sh_department"], f["sh_email"]
	a.Stakeholders = nil
	for i, n := range names {
		sh := assess.Stakeholder{Name: strings.TrimSpace(n)}
		if i < len(depts) {
			sh.Department = strings.TrimSpace(depts[i])
		}
		if i < len(emails) {
			sh.Email = strings.TrimSpace(emails[i])
		}
		if sh.Name == "" && sh.Email == "" {
			continue
		}
		a.Stakeholders = append(a.Stakeholders, sh)
	}
	_, err = s.svc.UpdateAssessment(r.Context(), c.P, a, base)
	if fe, ok := fieldErrors(err); ok {
		s.render(w, r, httpStatus(assess.KindInvalid), "stakeholders", s.stakeholdersPage(c, a.Stakeholders, fe))
		return nil
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/a/"+a.ID+"/stakeholders?ok=stakeholds")
}

func (s *Server) assignOwners(w http.ResponseWriter, r *http.Request, c *actx) error {
	if _, err := s.svc.AssignOwners(r.Context(), c.P, c.View.Assessment.ID); err != nil {
		return err
	}
	return redirect(w, r, "/a/"+c.View.Assessment.ID+"/stakeholders?ok=owners")
}

func (s *Server) today() assess.Date { return assess.DateOf(s.svc.Now().UTC()) }

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request, c *actx) error {
	v := c.View
	res := v.Result
	now := s.svc.Now().UTC()
	// The forecast and the timeline come from app.Results, as in the
	// reports, computed on the view already loaded.
	results, err := s.svc.ResultsOf(r.Context(), c.P, v, nil, app.ResultParts{Timeline: true})
	if err != nil {
		return err
	}
	// The timeline is drawn to the start of today, not to this minute:
	// the page is then the same all day and can carry an ETag.
	tl := untilNow(assess.Downsample(results.Timeline, timelineBuckets), now.Truncate(24*time.Hour))
	builtin := v.Catalog.ID == catalog.Builtin().ID
	charts, err := buildCharts(res, tl, builtin)
	if err != nil {
		return err
	}
	pg := &dashboardPage{Base: c.base("Step 4 · Results", "dashboard"), R: res, ClausesSVG: charts.clauses, ThemesSVG: charts.themes,
		DistSVG: charts.dist, TimelineSVG: charts.timeline, Flagged: res.Flagged(), Timeline: tl, Forecast: results.Forecast, Builtin: builtin}
	for _, f := range s.cfg.Formats {
		if f.Name == "pdf" {
			pg.ReportURL = "/a/" + v.Assessment.ID + "/download/pdf"
		}
	}
	pg.Reports = s.topicDownloads(c, "report")
	pg.Blockers = res.Blockers
	if len(pg.Blockers) > 12 {
		pg.Blockers, pg.MoreBlockers = pg.Blockers[:12], len(res.Blockers)-12
	}
	pg.Overdue, pg.Upcoming = s.actions(v)
	pg.NeedsStakeholders = len(v.Assessment.Stakeholders) == 0
	pg.NeedsScoring = res.Overall.Assessed == 0
	if pg.Interviews, err = s.overdueInterviews(r, c); err != nil {
		return err
	}
	if pg.Mine, err = s.svc.MyInterviews(r.Context(), c.P, v.Assessment.ID); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "dashboard", pg)
	return nil
}

// actions lists the remediation actions of items below target that are
// overdue, and those due within the next 30 days.
func (s *Server) actions(v app.View) (overdue, upcoming []actionRow) {
	today := s.today()
	soon := today.AddDays(30)
	status := map[string]assess.ItemStatus{}
	for _, is := range v.Result.Items {
		status[is.Ref] = is
	}
	for _, it := range v.Items {
		is := status[it.Ref]
		if it.TargetDate.IsZero() || !is.Applicable || !is.BelowTarget {
			continue
		}
		ci, _ := v.Catalog.Item(it.Ref)
		row := actionRow{Ref: it.Ref, Title: ci.Title, Owner: it.Owner, Action: it.Action, Priority: it.Priority, Score: it.Score, Due: it.TargetDate,
			Days: int(it.TargetDate.Time().Sub(today.Time()).Hours() / 24)}
		switch {
		case it.TargetDate.Before(today):
			row.Days = -row.Days
			overdue = append(overdue, row)
		case !soon.Before(it.TargetDate):
			upcoming = append(upcoming, row)
		}
	}
	byDue := func(a, b actionRow) int { return a.Due.Time().Compare(b.Due.Time()) }
	slices.SortStableFunc(overdue, byDue)
	slices.SortStableFunc(upcoming, byDue)
	return overdue, upcoming
}

func (s *Server) soa(w http.ResponseWriter, r *http.Request, c *actx) error {
	v := c.View
	// The same statement as the CLI, the report and the workbook.
	st := soa.Build(v.Catalog, v.Assessment, v.Items)
	s.render(w, r, http.StatusOK, "soa", &soaPage{Base: c.base("Statement of Applicability", "soa"), Statement: st, Downloads: s.topicDownloads(c, "soa")})
	return nil
}

// historyPageSize is how many changes a page of the history shows.
const historyPageSize = 100

func (s *Server) history(w http.ResponseWriter, r *http.Request, c *actx) error {
	return s.renderHistory(w, r, c, http.StatusOK, "", formErrors{})
}

// renderHistory shows the changes and, for the whole assessment, the
// snapshots, a comparison and readiness over time; snapName and snapErrs
// are a snapshot form that was not saved.
func (s *Server) renderHistory(w http.ResponseWriter, r *http.Request, c *actx, status int, snapName string, snapErrs formErrors) error {
	q := r.URL.Query()
	ref := ""
	if v := q.Get("ref"); v != "" {
		var err error
		if ref, err = app.ResolveRef(c.View.Catalog, v); err != nil {
			return err
		}
	}
	var bound [2]int64
	for i, name := range []string{"before", "after"} {
		if v := q.Get(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return assess.Errorf(assess.KindInvalid, "%s=%q: a page of the history starts at a change number, a whole number", name, v)
			}
			bound[i] = n
		}
	}
	// after=N pages up from change N (after=0: from the oldest).
	before, after, up := bound[0], bound[1], q.Has("after")
	// One more than a page tells whether there is another page that way.
	hq := app.HistoryQuery{Ref: ref, BeforeID: before, Limit: historyPageSize + 1}
	if up {
		hq = app.HistoryQuery{Ref: ref, AfterID: after, Limit: historyPageSize + 1, Oldest: true}
	}
	hist, err := s.svc.History(r.Context(), c.P, c.View.Assessment.ID, hq)
	if err != nil {
		return err
	}
	newer, older := before > 0, after > 0
	if len(hist) > historyPageSize {
		if up {
			hist, newer = hist[:historyPageSize], true
		} else {
			hist, older = hist[1:], true
		}
	}
	slices.Reverse(hist) // newest first
	link := func(name string, id int64) string {
		v := r.URL.Query()
		v.Del("before")
		v.Del("after")
		v.Set(name, strconv.FormatInt(id, 10))
		return "?" + v.Encode() + "#changes"
	}
	pg := &historyPage{Base: c.base("History", "history"), Changes: hist, Ref: ref, SnapName: snapName, SnapErrors: snapErrs, Paged: newer, PageSize: historyPageSize}
	if len(hist) > 0 && newer {
		pg.Newer = link("after", hist[0].ID)
	}
	if len(hist) > 0 && older {
		pg.Older = link("before", hist[len(hist)-1].ID)
	}
	if pg.Paged || len(hist) == 0 && (before > 0 || up) {
		v := r.URL.Query()
		v.Del("before")
		v.Del("after")
		pg.Paged, pg.Newest = true, "?"+v.Encode()+"#changes"
	}
	if ref == "" {
		st, err := s.historyExtras(r, c, pg)
		if err != nil {
			return err
		}
		if status == http.StatusOK {
			status = st
		}
	}
	s.render(w, r, status, "history", pg)
	return nil
}

func (s *Server) downloads(w http.ResponseWriter, r *http.Request, c *actx) error {
	pg := &downloadsPage{Base: c.base("Downloads", "downloads")}
	for _, f := range s.cfg.Formats {
		pg.Formats = append(pg.Formats, downloadRow{Name: f.Name, Label: f.Label, Description: f.Description, Ext: f.Ext,
			Allowed: !f.Evidence || c.Acc.CanDownloadEvidence()})
	}
	s.render(w, r, http.StatusOK, "downloads", pg)
	return nil
}

func (s *Server) download(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	aid, name := r.PathValue("id"), r.PathValue("format")
	var f *app.Format
	for i := range s.cfg.Formats {
		if s.cfg.Formats[i].Name == name {
			f = &s.cfg.Formats[i]
		}
	}
	if f == nil {
		return assess.Errorf(assess.KindNotFound, "no download format %q", name)
	}
	a, err := s.svc.Assessment(r.Context(), p, aid)
	if err != nil {
		return err
	}
	name = fileSlug(a.Org) + "-"
	if f.File != "" {
		name += f.File + "-"
	}
	name += s.svc.Now().Format("2006-01-02") + "." + f.Ext
	// Streamed: the headers go out with the first byte, so an error before
	// it (no right to the evidence, say) is still an error page. After it
	// the status is sent: the connection is cut instead, and the browser
	// reports a failed download rather than saving a truncated file.
	out := &download{w: w, start: func() {
		w.Header().Set("Content-Type", f.ContentType)
		w.Header().Set("Content-Disposition", attachment(name))
		// A download is a file to save; should a browser open it (an HTML
		// report), it runs nothing.
		w.Header().Set("Content-Security-Policy", "default-src 'none'; sandbox")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
	}}
	if err := s.svc.Export(r.Context(), p, aid, *f, out); err != nil {
		if !out.started {
			return err
		}
		s.errs.error(r, "download cut short", err.Error())
		panic(http.ErrAbortHandler)
	}
	if !out.started {
		out.start()
	}
	return nil
}

// download sends the response's headers on the first byte written.
type download struct {
	w       http.ResponseWriter
	start   func()
	started bool
}

func (d *download) Write(b []byte) (int, error) {
	if !d.started {
		d.started = true
		d.start()
	}
	return d.w.Write(b)
}

// fileSlug makes a file name from an organisation's name.
func fileSlug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.Trim(b.String(), "-")
	if out == "" {
		out = "assessment"
	}
	if len(out) > 60 {
		out = out[:60]
	}
	return out
}

func (s *Server) members(w http.ResponseWriter, r *http.Request, c *actx) error {
	form := app.MemberInput{Role: string(assess.RoleContributor)}
	if login := r.URL.Query().Get("edit"); login != "" {
		ms, err := s.svc.Members(r.Context(), c.P, c.View.Assessment.ID)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if m.User.Login == login {
				form = app.MemberInput{Login: login, Role: string(m.Role), Departments: m.Departments, Refs: m.Refs, Expires: m.Expires.String()}
			}
		}
	}
	return s.renderMembers(w, r, c, http.StatusOK, form, formErrors{})
}

func (s *Server) renderMembers(w http.ResponseWriter, r *http.Request, c *actx, status int, form app.MemberInput, fe formErrors) error {
	ms, err := s.svc.Members(r.Context(), c.P, c.View.Assessment.ID)
	if err != nil {
		return err
	}
	pg := &membersPage{Base: c.base("Members", "members"), Departments: c.View.Catalog.Departments, Form: form, Errors: fe, Members: ms}
	s.render(w, r, status, "members", pg)
	return nil
}

func (s *Server) putMember(w http.ResponseWriter, r *http.Request, c *actx) error {
	if err := r.ParseForm(); err != nil {
		return assess.Wrap(assess.KindInvalid, err, "form")
	}
	f := r.PostForm
	in := app.MemberInput{Login: f.Get("login"), Role: f.Get("role"), Departments: f["departments"],
		Refs: strings.FieldsFunc(f.Get("refs"), func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' }), Expires: f.Get("expires")}
	m, err := s.svc.PutMember(r.Context(), c.P, c.View.Assessment.ID, in)
	if fe, ok := fieldErrors(err); ok {
		return s.renderMembers(w, r, c, httpStatus(assess.KindInvalid), in, fe)
	}
	if assess.KindOf(err) == assess.KindInvalid {
		return s.renderMembers(w, r, c, httpStatus(assess.KindInvalid), in, formErrors{List: []assess.FieldError{{Where: "role", Problem: err.Error()}}})
	}
	if err != nil {
		return err
	}
	if m.Pending {
		// The same answer whether the login exists or not.
		return redirect(w, r, "/a/"+c.View.Assessment.ID+"/members?ok=invited")
	}
	return redirect(w, r, "/a/"+c.View.Assessment.ID+"/members?ok=member")
}

func (s *Server) removeMember(w http.ResponseWriter, r *http.Request, c *actx) error {
	uid, err := strconv.ParseInt(r.PathValue("uid"), 10, 64)
	if err != nil {
		return assess.Errorf(assess.KindNotFound, "no member %q", r.PathValue("uid"))
	}
	err = s.svc.RemoveMember(r.Context(), c.P, c.View.Assessment.ID, uid)
	if assess.KindOf(err) == assess.KindInvalid {
		return s.renderMembers(w, r, c, httpStatus(assess.KindInvalid), app.MemberInput{Role: string(assess.RoleContributor)},
			formErrors{List: []assess.FieldError{{Where: "remove", Problem: err.Error()}}})
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/a/"+c.View.Assessment.ID+"/members?ok=unmember")
}

func (s *Server) deleteAssessment(w http.ResponseWriter, r *http.Request, c *actx) error {
	a := c.View.Assessment
	if strings.TrimSpace(r.PostFormValue("confirm")) != a.Org {
		return assess.Errorf(assess.KindInvalid, "to delete the assessment, type the organisation's name exactly (%q)", a.Org)
	}
	if err := s.svc.DeleteAssessment(r.Context(), c.P, a.ID); err != nil {
		return err
	}
	return redirect(w, r, "/?ok=deleted")
}
