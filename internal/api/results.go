package api

import (
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
)

// results computes an assessment's results for a results route, after the
// ETag check; what-if assumptions come as what_if=KEY=VALUE, repeated.
func (h *Handler) results(w http.ResponseWriter, r *http.Request, p app.Principal, write func(app.Results) any) error {
	aid := r.PathValue("id")
	whatIf := map[string]string{}
	for _, pair := range r.URL.Query()["what_if"] {
		k, v, ok := strings.Cut(pair, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return fieldErr("what_if", pair, "not an assumption", "KEY=VALUE, for example day_rate=650 (the keys are the settings of the forecast)")
		}
		whatIf[strings.TrimSpace(k)] = v
	}
	if done, err := h.etag(w, r, p, aid); done || err != nil {
		return err
	}
	res, err := h.svc.Results(r.Context(), p, aid, whatIf, app.ResultParts{})
	if err != nil {
		return err
	}
	h.writeJSON(w, http.StatusOK, write(res))
	return nil
}

func (h *Handler) readiness(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	return h.results(w, r, p, func(res app.Results) any {
		x := res.Result
		return Readiness{Target: x.Target, Overall: x.Overall, Clauses: x.Clauses, Controls: x.Controls, ByClause: x.ByClause,
			ByTheme: x.ByTheme, ByAttribute: x.ByAttribute, Scores: x.Scores, AuditReady: x.AuditReady}
	})
}

func (h *Handler) blockers(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	return h.results(w, r, p, func(res app.Results) any {
		return Blockers{AuditReady: res.Result.AuditReady, Blockers: nonNil(res.Result.Blockers)}
	})
}

func (h *Handler) forecast(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	return h.results(w, r, p, func(res app.Results) any { return Forecast{Settings: res.Settings, Forecast: res.Forecast} })
}

func (h *Handler) roadmap(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	return h.results(w, r, p, func(res app.Results) any {
		f := res.Forecast
		return Roadmap{Actions: nonNil(f.Actions), Phases: nonNil(f.Phases), Steps: nonNil(f.Steps)}
	})
}

func (h *Handler) risks(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	return h.results(w, r, p, func(res app.Results) any { return res.Risks })
}

func (h *Handler) soa(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	return h.results(w, r, p, func(res app.Results) any { return res.SoA })
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (h *Handler) history(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	aid := r.PathValue("id")
	q := r.URL.Query()
	limit, err := pageLimit(q)
	if err != nil {
		return err
	}
	after, err := decodeCursor(q.Get("cursor"))
	if err != nil {
		return err
	}
	hq := app.HistoryQuery{Ref: q.Get("ref"), Limit: limit + 1, Oldest: true}
	if after != "" {
		if _, err := fmt.Sscan(after, &hq.AfterID); err != nil {
			return fieldErr("cursor", q.Get("cursor"), "not a cursor of this list", "the next_cursor of the page before, unchanged")
		}
	}
	if hq.Ref != "" {
		a, err := h.svc.Assessment(r.Context(), p, aid)
		if err != nil {
			return err
		}
		cat, err := h.svc.CatalogOf(r.Context(), a)
		if err != nil {
			return err
		}
		if hq.Ref, err = app.ResolveRef(cat, hq.Ref); err != nil {
			return err
		}
	}
	if done, err := h.etag(w, r, p, aid); done || err != nil {
		return err
	}
	list, err := h.svc.History(r.Context(), p, aid, hq)
	if err != nil {
		return err
	}
	// One more than the page was asked for: it tells whether another
	// page follows, and the page begins after the last id shown.
	pg := Page[assess.Change]{Data: nonNil(list)}
	if len(list) > limit {
		pg.Data = list[:limit]
		pg.Next = encodeCursor(itoa64(list[limit-1].ID))
		q.Set("cursor", pg.Next)
		q.Set("limit", itoa64(int64(limit)))
		pg.NextURL = r.URL.Path + "?" + q.Encode()
		w.Header().Set("Link", "<"+pg.NextURL+`>; rel="next"`)
	}
	h.writeJSON(w, http.StatusOK, pg)
	return nil
}

func (h *Handler) export(w http.ResponseWriter, r *http.Request, p app.Principal) error {
	aid, name := r.PathValue("id"), r.PathValue("format")
	f, ok := h.formats[name]
	if !ok {
		var names []string
		for _, f := range h.cfg.Formats {
			names = append(names, f.Name)
		}
		return assess.Errorf(assess.KindNotFound, "no export format %q: the formats are %s", name, strings.Join(names, ", "))
	}
	a, err := h.svc.Assessment(r.Context(), p, aid)
	if err != nil {
		return err
	}
	file := a.ID + "-"
	if f.File != "" {
		file += f.File + "-"
	}
	file += h.svc.Now().Format("2006-01-02") + "." + f.Ext
	// Streamed: once the first byte is out the status is sent, and a
	// failure later cuts the connection rather than end a truncated file.
	out := &streamed{w: w, start: func() {
		w.Header().Set("Content-Type", f.ContentType)
		w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": file}))
		w.WriteHeader(http.StatusOK)
	}}
	if err := h.svc.Export(r.Context(), p, aid, f, out); err != nil {
		if !out.started {
			return err
		}
		panic(http.ErrAbortHandler)
	}
	if !out.started {
		out.start()
	}
	return nil
}

// streamed sends the headers with the first byte written.
type streamed struct {
	w       http.ResponseWriter
	start   func()
	started bool
}

func (s *streamed) Write(b []byte) (int, error) {
	if !s.started {
		s.started = true
		s.start()
	}
	return s.w.Write(b)
}
