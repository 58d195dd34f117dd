package web

import (
	"errors"
	"fmt"
	"html"
	"html/template"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
)

// matrixFilter is the matrix's query string, the same filter the API takes.
type matrixFilter = app.ItemFilter

func readFilter(q url.Values) matrixFilter { return app.ItemFilterFrom(q) }

func statusByRef(r assess.Result) map[string]assess.ItemStatus {
	m := make(map[string]assess.ItemStatus, len(r.Items))
	for _, is := range r.Items {
		m[is.Ref] = is
	}
	return m
}

func (s *Server) row(c *actx, it assess.Item, status map[string]assess.ItemStatus, ret string) matrixRow {
	ci, _ := c.View.Catalog.Item(it.Ref)
	is := status[it.Ref]
	r := matrixRow{Item: it, Cat: ci, Status: is, Editable: c.Acc.CanEditItem(it), Overdue: app.IsOverdue(it, is, s.today()),
		Ref: it.Ref, Form: "f-" + it.Ref, Return: ret}
	r.Edit = r.Editable && is.Applicable
	if !is.Applicable {
		r.Class = "na"
	}
	if r.Overdue {
		r.Class += " overdue"
	}
	if len(ci.Questions) > 0 {
		r.Question, r.More = ci.Questions[0].Text, len(ci.Questions)-1
	}
	if it.Score.Assessed() {
		r.WasScore = strconv.Itoa(int(it.Score))
	}
	if r.Edit {
		r.ScoreOptions, r.PriorityOptions = s.rowHTML.score[max(0, min(5, int(it.Score)))], s.rowHTML.priority[it.Priority.Rank()]
	}
	return r
}

// rowOptions are the <option> lists of the matrix's selects, one per
// selected value, built once: they are the same on every row. HTML lets
// an option's end tag go, and 123 rows of them are worth leaving out.
type rowOptions struct {
	score    [6]template.HTML
	priority [5]template.HTML // by Priority.Rank(); 4 is unset
}

func buildRowOptions() rowOptions {
	var o rowOptions
	sel := func(b bool) string {
		if b {
			return " selected"
		}
		return ""
	}
	for cur := 0; cur <= 5; cur++ {
		h := `<option value=""` + sel(cur == 0) + `>–`
		for sc := assess.Score(1); sc <= 5; sc++ {
			h += fmt.Sprintf(`<option value=%d%s>%d %s`, sc, sel(int(sc) == cur), sc, html.EscapeString(sc.Label()))
		}
		o.score[cur] = template.HTML(h)
	}
	for cur := 0; cur <= len(assess.Priorities); cur++ {
		h := `<option value=""` + sel(cur == len(assess.Priorities)) + `>–`
		for i, p := range assess.Priorities {
			h += fmt.Sprintf(`<option%s>%s`, sel(i == cur), html.EscapeString(string(p)))
		}
		o.priority[cur] = template.HTML(h)
	}
	return o
}

func (s *Server) matrix(w http.ResponseWriter, r *http.Request, c *actx) error {
	v := c.View
	f := readFilter(r.URL.Query())
	status := statusByRef(v.Result)
	ret := r.URL.RequestURI()
	pg := &matrixPage{Base: c.base("Step 3 · Requirements matrix", "matrix"), Filter: f, Departments: v.Catalog.Departments,
		Total: len(v.Items), Return: ret}
	owners := map[string]bool{}
	today := s.today()
	for _, it := range v.Items {
		if it.Owner != "" {
			owners[it.Owner] = true
		}
		ci, _ := v.Catalog.Item(it.Ref)
		if f.Match(it, ci, status[it.Ref], today) {
			pg.Rows = append(pg.Rows, s.row(c, it, status, ret))
		}
	}
	for _, sh := range v.Assessment.Stakeholders {
		owners[sh.Name] = true
	}
	for o := range owners {
		pg.Owners = append(pg.Owners, o)
	}
	slices.Sort(pg.Owners)
	pg.Shown = len(pg.Rows)
	pg.Sections = []option{{"clauses", "All clause requirements"}, {"controls", "All Annex A controls"}}
	for _, sec := range v.Catalog.Sections {
		pg.Sections = append(pg.Sections, option{sec.ID, sec.ID + " " + sec.Title})
	}
	for _, key := range catalog.AttributeKeys {
		for _, val := range v.Catalog.AttributeValues(key) {
			pg.Attributes = append(pg.Attributes, option{key + ":" + val, v.Catalog.AttributeName(key) + ": " + strings.ReplaceAll(val, "_", " ")})
		}
	}
	s.render(w, r, http.StatusOK, "matrix", pg)
	return nil
}

// changed reports whether a form field differs from the value the form was
// opened with (its "was_" twin). A field without a twin counts as changed.
// Only changed fields go into the edit, so an edit based on an older
// version can be merged with someone else's edit of other fields.
func changed(f url.Values, name string) bool {
	if !f.Has(name) {
		return false
	}
	return !f.Has("was_"+name) || strings.TrimSpace(f.Get("was_"+name)) != strings.TrimSpace(f.Get(name))
}

// parseCommon reads the fields the matrix row and the item form share.
func parseCommon(f url.Values, p *app.ItemPatch, errs *assess.FieldErrors) {
	if changed(f, "score") {
		sc, err := assess.ParseScore(f.Get("score"))
		if err != nil {
			errs.Add("score", f.Get("score"), "not a score", "1 to 5, or empty for not assessed")
		}
		p.Score = &sc
	}
	if changed(f, "owner") {
		o := f.Get("owner")
		p.Owner = &o
	}
	if changed(f, "priority") {
		pr, err := assess.ParsePriority(f.Get("priority"))
		if err != nil {
			errs.Add("priority", f.Get("priority"), "unknown priority", "Critical, High, Medium or Low")
		}
		p.Priority = &pr
	}
	if changed(f, "target_date") {
		d, err := assess.ParseDate(f.Get("target_date"))
		if err != nil {
			errs.Add("target_date", f.Get("target_date"), "not a date", "YYYY-MM-DD")
		}
		p.TargetDate = &d
	}
}

// formVersion reads the version an edit form was opened at. Every edit
// form sends it; a missing or malformed one is refused rather than read as
// 0, which the service takes for "the current version": the save would
// overwrite newer saves unchecked.
func formVersion(f url.Values) (int, error) {
	s := f.Get("version")
	if v, err := strconv.Atoi(s); err == nil && v > 0 {
		return v, nil
	}
	e := &assess.FieldErrors{}
	e.Add("version", s, "missing or not a version number", "the version the page was opened at: reload the page and make the change again")
	return 0, e
}

func parseItemForm(f url.Values) (app.ItemPatch, error) {
	var p app.ItemPatch
	errs := &assess.FieldErrors{}
	parseCommon(f, &p, errs)
	for name, dst := range map[string]**string{"action": &p.Action, "notes": &p.Notes, "department": &p.Department,
		"inclusion_note": &p.InclusionNote} {
		if changed(f, name) {
			v := f.Get(name)
			*dst = &v
		}
	}
	if changed(f, "effort") {
		if e := strings.TrimSpace(f.Get("effort")); e == "" {
			p.ClearEffort = true
		} else if n, err := strconv.ParseFloat(strings.Replace(e, ",", ".", 1), 64); err != nil {
			errs.Add("effort_days", e, "not a number", "person-days, for example 3 or 2.5")
		} else {
			p.EffortDays = &n
		}
	}
	if f.Has("scoping") {
		if changed(f, "applicable") || changed(f, "justification") {
			applicable := f.Get("applicable") == "yes"
			just := f.Get("justification")
			p.Applicable, p.Justification = &applicable, &just
		}
		incl := slices.Clone(f["inclusion"])
		slices.Sort(incl)
		if !f.Has("was_inclusion") || strings.Join(incl, ";") != f.Get("was_inclusion") {
			p.Inclusion = &incl
		}
	}
	return p, errs.Err()
}

// quickEdit saves a matrix row. A save that succeeds reads and renders
// that row only (app.SaveItem), not the whole assessment: the matrix shows
// no figure of the whole assessment that a save would change. Anything
// else (a conflict, a refused value) is shown against the whole
// assessment, as the item page shows it.
func (s *Server) quickEdit(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	aid, ref := r.PathValue("id"), r.PathValue("ref")
	err := r.ParseForm()
	if err != nil {
		err = assess.Wrap(assess.KindInvalid, err, "form")
	}
	var version int
	if err == nil {
		version, err = formVersion(r.PostForm)
	}
	if err != nil {
		// Someone who may not see the assessment learns no more than that.
		if _, aerr := s.svc.Access(r.Context(), p, aid); aerr != nil {
			return aerr
		}
		return err
	}
	var patch app.ItemPatch
	errs := &assess.FieldErrors{Context: ref}
	parseCommon(r.PostForm, &patch, errs)
	ret := safeNext(r.PostForm.Get("return"))
	var saved app.ItemView
	if err = errs.Err(); err == nil {
		saved, err = s.svc.SaveItem(r.Context(), p, aid, ref, version, patch)
	}
	if err == nil && !isInline(r) {
		return redirect(w, r, ret+"#row-"+saved.Item.Ref)
	}
	if err == nil {
		c := &actx{P: p, View: app.View{Assessment: saved.Assessment, Catalog: saved.Catalog}, Acc: saved.Access}
		row := s.row(c, saved.Item, map[string]assess.ItemStatus{saved.Item.Ref: saved.Status}, ret)
		writeRow(w, http.StatusOK, &row)
		return nil
	}
	v, acc, verr := s.svc.View(r.Context(), p, aid)
	if verr != nil {
		return verr
	}
	c := &actx{P: p, View: v, Acc: acc}
	var ce *assess.ConflictError
	switch {
	case errors.As(err, &ce):
		return s.renderItem(w, r, c, ce.Ref, httpStatus(assess.KindConflict), itemState{form: &ce.Attempted, conflict: ce})
	case assess.KindOf(err) == assess.KindInvalid && isInline(r):
		cur, _ := v.Item(ref)
		row := s.row(c, patch.Apply(cur), statusByRef(v.Result), ret)
		row.Item.Version = version
		row.Error = err.Error()
		writeRow(w, httpStatus(assess.KindInvalid), &row)
		return nil
	case assess.KindOf(err) == assess.KindInvalid:
		cur, _ := v.Item(ref)
		attempted := patch.Apply(cur)
		fe, _ := fieldErrors(err)
		if fe.List == nil {
			fe.List = []assess.FieldError{{Where: "form", Problem: err.Error()}}
		}
		return s.renderItem(w, r, c, ref, httpStatus(assess.KindInvalid), itemState{form: &attempted, version: version, errs: fe})
	}
	return err
}

// itemState is what an item page shows besides the stored item: what the
// person typed, and why it was not saved.
type itemState struct {
	form     *assess.Item
	version  int
	conflict *assess.ConflictError
	errs     formErrors
	evErrs   formErrors
}

func (s *Server) item(w http.ResponseWriter, r *http.Request, c *actx) error {
	ref, err := app.ResolveRef(c.View.Catalog, r.PathValue("ref"))
	if err != nil {
		return assess.Wrap(assess.KindNotFound, err, "")
	}
	return s.renderItem(w, r, c, ref, http.StatusOK, itemState{})
}

func (s *Server) renderItem(w http.ResponseWriter, r *http.Request, c *actx, ref string, status int, st itemState) error {
	v := c.View
	stored, ok := v.Item(ref)
	if !ok {
		return assess.Errorf(assess.KindNotFound, "item %q not found", ref)
	}
	ci, _ := v.Catalog.Item(ref)
	hist, err := s.svc.History(r.Context(), c.P, v.Assessment.ID, app.HistoryQuery{Ref: ref, Limit: 100})
	if err != nil {
		return err
	}
	slices.Reverse(hist)
	form := stored
	version := stored.Version
	if st.form != nil {
		form = *st.form
		form.Evidence = stored.Evidence
		version = st.version
	}
	pg := &itemPage{Base: c.base(ref+" "+ci.Title, "matrix"), Cat: ci, Form: form, Stored: stored, Status: statusByRef(v.Result)[ref],
		Version: version, Editable: c.Acc.CanEditItem(stored), Scoping: c.Acc.CanEditAssessment(), CanDownload: c.Acc.CanDownloadEvidence(),
		Errors: st.errs, EvidenceErrors: st.evErrs, History: hist, Departments: v.Catalog.Departments,
		MaxUpload: humanSize(s.cfg.MaxUpload), Target: v.Result.Target}
	for _, sh := range v.Assessment.Stakeholders {
		pg.People = append(pg.People, sh.Name)
	}
	for sc := assess.Score(1); sc <= 5; sc++ {
		pg.Levels = append(pg.Levels, scoreLevel{Score: sc, Label: sc.Label(), Meaning: sc.Meaning()})
	}
	for i, it := range v.Items {
		if it.Ref == ref {
			if i > 0 {
				pg.Prev = v.Items[i-1].Ref
			}
			if i+1 < len(v.Items) {
				pg.Next = v.Items[i+1].Ref
			}
		}
	}
	if ce := st.conflict; ce != nil {
		// The person's edit goes on top of the newer version: saving the
		// form as shown keeps their values, and the table shows what the
		// other person saved, so neither is lost.
		pg.Version = ce.Current.Version
		pg.Stored = ce.Current
		pg.Form.Evidence = ce.Current.Evidence
		cv := conflictOf(ce)
		pg.Conflict = &cv
		pg.Editable = c.Acc.CanEditItem(ce.Current)
	}
	incl := slices.Clone(pg.Stored.Inclusion)
	slices.Sort(incl)
	pg.WasInclusion = strings.Join(incl, ";")
	s.render(w, r, status, "item", pg)
	return nil
}

// conflictOf shows a save conflict: who saved which field since the form
// was opened, beside the value the person tried.
func conflictOf(ce *assess.ConflictError) conflictView {
	cv := conflictView{By: ce.Current.UpdatedBy, At: ce.Current.UpdatedAt.UTC().Format("2 Jan 2006 15:04 UTC"), Version: ce.Current.Version, Ref: ce.Ref}
	// Each field names who saved it: the item's last saver may have
	// changed other fields only.
	by := map[string]string{}
	for _, c := range ce.Theirs {
		by[c.Field] = c.Actor
	}
	for _, d := range assess.DiffItems(ce.Current, ce.Attempted) {
		cv.Diffs = append(cv.Diffs, fieldDiff{Field: d.Field, Theirs: orDash(d.Old), Mine: orDash(d.New),
			By: by[d.Field], Unchanged: len(ce.Theirs) > 0 && by[d.Field] == ""})
	}
	return cv
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func (s *Server) saveItem(w http.ResponseWriter, r *http.Request, c *actx) error {
	if err := r.ParseForm(); err != nil {
		return assess.Wrap(assess.KindInvalid, err, "form")
	}
	ref, err := app.ResolveRef(c.View.Catalog, r.PathValue("ref"))
	if err != nil {
		return assess.Wrap(assess.KindNotFound, err, "")
	}
	version, err := formVersion(r.PostForm)
	if err != nil {
		return err
	}
	p, err := parseItemForm(r.PostForm)
	if err == nil {
		_, err = s.svc.UpdateItem(r.Context(), c.P, c.View.Assessment.ID, ref, version, p)
	}
	var ce *assess.ConflictError
	if errors.As(err, &ce) {
		return s.renderItem(w, r, c, ref, httpStatus(assess.KindConflict), itemState{form: &ce.Attempted, conflict: ce})
	}
	if fe, ok := fieldErrors(err); ok {
		cur, _ := c.View.Item(ref)
		attempted := p.Apply(cur)
		return s.renderItem(w, r, c, ref, httpStatus(assess.KindInvalid), itemState{form: &attempted, version: version, errs: fe})
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/a/"+c.View.Assessment.ID+"/items/"+ref+"?ok=saved")
}

func (s *Server) addEvidence(w http.ResponseWriter, r *http.Request, c *actx) error {
	ref, err := app.ResolveRef(c.View.Catalog, r.PathValue("ref"))
	if err != nil {
		return assess.Wrap(assess.KindNotFound, err, "")
	}
	if it, ok := c.View.Item(ref); ok {
		if err := c.Acc.CheckEdit(it); err != nil {
			return err
		}
	}
	// The route's cap (limitBody) applies to the whole request, before
	// anything is read into memory or to disk.
	in, err := s.readEvidence(r)
	if err == nil {
		_, err = s.svc.AddEvidence(r.Context(), c.P, c.View.Assessment.ID, ref, in)
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return s.renderItem(w, r, c, ref, http.StatusRequestEntityTooLarge, itemState{evErrs: formErrors{List: []assess.FieldError{{
			Where: "file", Problem: "the file is too large", Expected: "at most " + humanSize(s.cfg.MaxUpload)}}}})
	}
	if fe, ok := fieldErrors(err); ok {
		return s.renderItem(w, r, c, ref, httpStatus(assess.KindInvalid), itemState{evErrs: fe})
	}
	if err != nil {
		return err
	}
	return redirect(w, r, "/a/"+c.View.Assessment.ID+"/items/"+ref+"?ok=evidence#evidence")
}

func (s *Server) readEvidence(r *http.Request) (app.NewEvidence, error) {
	var in app.NewEvidence
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return in, err
		}
		if !errors.Is(err, http.ErrNotMultipart) {
			return in, assess.Wrap(assess.KindInvalid, err, "upload")
		}
	}
	in.Text, in.URL = r.FormValue("text"), strings.TrimSpace(r.FormValue("url"))
	if d := r.FormValue("date"); d != "" {
		date, err := assess.ParseDate(d)
		if err != nil {
			fe := &assess.FieldErrors{}
			fe.Add("date", d, "not a date", "YYYY-MM-DD")
			return in, fe
		}
		in.Date = date
	}
	file, hdr, err := r.FormFile("file")
	if errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart) {
		return in, nil
	}
	if err != nil {
		return in, assess.Wrap(assess.KindInvalid, err, "upload")
	}
	defer file.Close()
	content, err := io.ReadAll(file)
	if err != nil {
		return in, err
	}
	if hdr.Filename == "" && len(content) == 0 {
		return in, nil
	}
	in.FileName, in.Content = hdr.Filename, content
	in.ContentType = http.DetectContentType(content)
	if ct, _, err := mime.ParseMediaType(hdr.Header.Get("Content-Type")); err == nil && ct != "" && ct != "application/octet-stream" {
		in.ContentType = ct
	}
	return in, nil
}

func (s *Server) removeEvidence(w http.ResponseWriter, r *http.Request, c *actx) error {
	id, err := strconv.ParseInt(r.PathValue("eid"), 10, 64)
	if err != nil {
		return assess.Errorf(assess.KindNotFound, "no evidence %q", r.PathValue("eid"))
	}
	ref := ""
	for _, it := range c.View.Items {
		for _, ev := range it.Evidence {
			if ev.ID == id {
				ref = it.Ref
			}
		}
	}
	if err := s.svc.RemoveEvidence(r.Context(), c.P, c.View.Assessment.ID, id); err != nil {
		return err
	}
	return redirect(w, r, "/a/"+c.View.Assessment.ID+"/items/"+ref+"?ok=removed#evidence")
}

// inlineSafe are the types a browser may be told a download is; anything
// else (HTML, SVG, scripts …) goes out as application/octet-stream.
var inlineSafe = []string{"application/pdf", "image/png", "image/jpeg", "image/gif", "text/plain", "text/csv", "application/zip",
	"application/json", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"application/vnd.openxmlformats-officedocument.presentationml.presentation",
	"application/msword", "application/vnd.ms-excel", "application/vnd.oasis.opendocument.text",
	"application/vnd.oasis.opendocument.spreadsheet"}

func (s *Server) evidenceFile(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	id, err := strconv.ParseInt(r.PathValue("eid"), 10, 64)
	if err != nil {
		return assess.Errorf(assess.KindNotFound, "no evidence %q", r.PathValue("eid"))
	}
	ev, content, err := s.svc.EvidenceFile(r.Context(), p, r.PathValue("id"), id)
	if err != nil {
		return err
	}
	return sendEvidence(w, ev, content)
}

// sendEvidence sends an evidence file as a download that runs nothing.
func sendEvidence(w http.ResponseWriter, ev assess.Evidence, content []byte) error {
	ctype := "application/octet-stream"
	if slices.Contains(inlineSafe, ev.ContentType) {
		ctype = ev.ContentType
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", attachment(ev.FileName))
	// Even if a browser rendered it, it could run nothing.
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Evidence-SHA256", ev.SHA256)
	h.Set("Content-Length", strconv.Itoa(len(content)))
	_, err := w.Write(content)
	return err
}

// attachment is a Content-Disposition that makes browsers save the file,
// with the name encoded for any characters (RFC 6266 / 2231).
func attachment(name string) string {
	if name == "" {
		name = "evidence"
	}
	if v := mime.FormatMediaType("attachment", map[string]string{"filename": name}); v != "" {
		return v
	}
	return `attachment; filename="evidence"`
}
