package api

import (
	"bytes"
	"cmp"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
)

func (h *Handler) listItems(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	v, done, err := h.view(w, r, p)
	if done || err != nil {
		return err
	}
	f := app.ItemFilterFrom(r.URL.Query())
	status := map[string]assess.ItemStatus{}
	for _, is := range v.Result.Items {
		status[is.Ref] = is
	}
	today := assess.DateOf(h.svc.Now())
	var out []ItemOut
	pos := map[string]int{}
	for i, it := range v.Items {
		ci, _ := v.Catalog.Item(it.Ref)
		if f.Match(it, ci, status[it.Ref], today) {
			pos[it.Ref] = i
			out = append(out, itemOut(it, status[it.Ref]))
		}
	}
	// The catalog's order: a position is as stable as the catalog.
	pg, err := paginate(w, r, out, func(it ItemOut) string { return padded(int64(pos[it.Ref])) })
	if err != nil {
		return err
	}
	h.writeJSON(w, http.StatusOK, pg)
	return nil
}

// view loads the assessment of the request with its figures, unless the
// client's copy is current (done: 304 sent).
func (h *Handler) view(w http.ResponseWriter, r *http.Request, p app.Principal) (app.View, bool, error) {
	aid := r.PathValue("id")
	if done, err := h.etag(w, r, p, aid); done || err != nil {
		return app.View{}, done, err
	}
	v, _, err := h.svc.View(r.Context(), p, aid)
	return v, false, err
}

func itemOut(it assess.Item, is assess.ItemStatus) ItemOut {
	if it.Evidence == nil {
		it.Evidence = []assess.Evidence{}
	}
	if it.Inclusion == nil {
		it.Inclusion = []string{}
	}
	return ItemOut{Item: it, Status: is}
}

func (h *Handler) getItem(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	v, done, err := h.view(w, r, p)
	if done || err != nil {
		return err
	}
	ref, err := app.ResolveRef(v.Catalog, r.PathValue("ref"))
	if err != nil {
		return assess.Wrap(assess.KindNotFound, err, "")
	}
	it, _ := v.Item(ref)
	for _, is := range v.Result.Items {
		if is.Ref == ref {
			h.writeJSON(w, http.StatusOK, itemOut(it, is))
			return nil
		}
	}
	return assess.Errorf(assess.KindNotFound, "item %s not found", ref)
}

func (h *Handler) patchItem(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	var in ItemPatch
	if err := decodeBytes(body, &in); err != nil {
		return err
	}
	patch, err := itemPatch(in, body)
	if err != nil {
		return err
	}
	if patch.Empty() {
		return fieldErr("body", "", "the edit changes nothing", "at least one field besides version")
	}
	v, err := h.svc.SaveItem(r.Context(), p, r.PathValue("id"), r.PathValue("ref"), in.Version, patch)
	if err != nil {
		return err
	}
	h.writeJSON(w, http.StatusOK, itemOut(v.Item, v.Status))
	return nil
}

// itemPatch turns the body into the service's patch; effort_days null
// (present, but null) clears the override.
func itemPatch(in ItemPatch, body []byte) (app.ItemPatch, error) {
	errs := &assess.FieldErrors{}
	p := app.ItemPatch{Applicable: in.Applicable, Justification: in.Justification, Inclusion: in.Inclusion, InclusionNote: in.InclusionNote,
		Department: in.Department, Owner: in.Owner, Action: in.Action, EffortDays: in.EffortDays, Notes: in.Notes}
	if in.Version < 0 {
		errs.Add("version", strconv.Itoa(in.Version), "not a version", "the item's version from its GET, or 0 for whatever version it is at")
	}
	if in.Score != nil {
		sc := assess.Score(*in.Score)
		if !sc.Valid() {
			errs.Add("score", strconv.Itoa(*in.Score), "not a score", "1 to 5, or 0 for not assessed")
		}
		p.Score = &sc
	}
	if in.Priority != nil {
		pr, err := assess.ParsePriority(*in.Priority)
		if err != nil {
			errs.Add("priority", *in.Priority, "unknown priority", `"Critical", "High", "Medium", "Low", or "" for none`)
		}
		p.Priority = &pr
	}
	if in.TargetDate != nil {
		d, err := assess.ParseDate(*in.TargetDate)
		if err != nil {
			errs.Add("target_date", *in.TargetDate, "not a date", `YYYY-MM-DD, or "" for none`)
		}
		p.TargetDate = &d
	}
	if in.EffortDays == nil {
		var raw map[string]json.RawMessage
		if json.Unmarshal(body, &raw) == nil {
			if v, ok := raw["effort_days"]; ok && bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
				p.ClearEffort = true
			}
		}
	}
	return p, errs.Err()
}

func (h *Handler) listEvidence(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	v, done, err := h.view(w, r, p)
	if done || err != nil {
		return err
	}
	only := r.URL.Query().Get("ref")
	if only != "" {
		if only, err = app.ResolveRef(v.Catalog, only); err != nil {
			return err
		}
	}
	var out []EvidenceOut
	for _, it := range v.Items {
		if only != "" && it.Ref != only {
			continue
		}
		for _, ev := range it.Evidence {
			out = append(out, EvidenceOut{Ref: it.Ref, Evidence: ev})
		}
	}
	// Evidence ids grow as evidence is added.
	slices.SortFunc(out, func(a, b EvidenceOut) int { return cmp.Compare(a.ID, b.ID) })
	pg, err := paginate(w, r, out, func(e EvidenceOut) string { return padded(e.ID) })
	if err != nil {
		return err
	}
	h.writeJSON(w, http.StatusOK, pg)
	return nil
}

func (h *Handler) addEvidence(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	aid, ref := r.PathValue("id"), r.PathValue("ref")
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var in app.NewEvidence
	var body []byte
	if mt == "multipart/form-data" {
		var err error
		if in, body, err = h.readUpload(r); err != nil {
			return err
		}
	} else {
		var err error
		if body, err = io.ReadAll(r.Body); err != nil {
			return err
		}
	}
	return h.idempotentBody(w, r, p, body, func(body []byte) (int, any, error) {
		if mt != "multipart/form-data" {
			var jin NewEvidence
			if err := decodeBytes(body, &jin); err != nil {
				return 0, nil, err
			}
			d, err := parseDate("date", jin.Date)
			if err != nil {
				return 0, nil, err
			}
			in = app.NewEvidence{Text: jin.Text, URL: jin.URL, Date: d}
		}
		ev, err := h.svc.AddEvidence(r.Context(), p, aid, ref, in)
		if err != nil {
			return 0, nil, err
		}
		it, err := h.svc.Item(r.Context(), p, aid, ref)
		if err != nil {
			return 0, nil, err
		}
		w.Header().Set("Location", Root+"/assessments/"+aid+"/evidence/"+itoa64(ev.ID))
		return http.StatusCreated, EvidenceOut{Ref: it.Ref, Evidence: ev}, nil
	})
}

// readUpload reads a multipart evidence upload: the fields text, url and
// date, and the part "file". It returns the evidence and the bytes that
// identify the request for an idempotency key.
func (h *Handler) readUpload(r *http.Request) (app.NewEvidence, []byte, error) {
	var in app.NewEvidence
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		return in, nil, fieldErr("body", "", "not a readable multipart form: "+err.Error(), "multipart/form-data with a part \"file\"")
	}
	d, err := parseDate("date", r.FormValue("date"))
	if err != nil {
		return in, nil, err
	}
	in = app.NewEvidence{Text: r.FormValue("text"), URL: r.FormValue("url"), Date: d}
	f, fh, err := r.FormFile("file")
	switch {
	case err == http.ErrMissingFile:
	case err != nil:
		return in, nil, fieldErr("file", "", err.Error(), "a file part")
	default:
		defer f.Close()
		if in.Content, err = io.ReadAll(f); err != nil {
			return in, nil, err
		}
		in.FileName, in.ContentType = fh.Filename, fh.Header.Get("Content-Type")
	}
	id, _ := json.Marshal([]any{in.Text, in.URL, in.Date, in.FileName, in.ContentType, in.Content})
	return in, id, nil
}

func (h *Handler) evidenceFile(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	eid, err := pathID(r, "eid")
	if err != nil {
		return err
	}
	ev, content, err := h.svc.EvidenceFile(r.Context(), p, r.PathValue("id"), eid)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", ev.ContentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": ev.FileName}))
	w.Header().Set("Content-Length", strconv.Itoa(len(content)))
	w.Header().Set("Digest", "sha-256="+ev.SHA256)
	w.Write(content)
	return nil
}

func (h *Handler) removeEvidence(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	eid, err := pathID(r, "eid")
	if err != nil {
		return err
	}
	if err := h.svc.RemoveEvidence(r.Context(), p, r.PathValue("id"), eid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
