package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/chart"
)

//go:embed templates/*.html
var templateFS embed.FS

// pages holds one template set per page: the shared layout and partials
// (files starting with "_") plus the page's own file.
type pages struct {
	sets map[string]*template.Template
}

func templateFuncs(as *assets) template.FuncMap {
	return template.FuncMap{
		"asset":      as.url,
		"tokenDays":  func() []int { return tokenDays },
		"eventLabel": eventLabel,
		"fieldLabel": fieldLabel,
		"pct": func(f float64) string {
			return fmt.Sprintf("%.0f %%", math.Round(f*100))
		},
		"pctnum": func(f float64) int { return int(math.Round(f * 100)) },
		"when": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.UTC().Format("2 Jan 2006 15:04 UTC")
		},
		"day": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.UTC().Format("2 Jan 2006")
		},
		"scoreText": func(s assess.Score) string {
			if !s.Assessed() {
				return "–"
			}
			return fmt.Sprint(int(s))
		},
		"scores":     func() []assess.Score { return []assess.Score{1, 2, 3, 4, 5} },
		"priorities": func() []assess.Priority { return assess.Priorities },
		"roles":      func() []assess.Role { return assess.Roles },
		"reasons": func() []struct{ Code, Label string } {
			return assess.InclusionReasons
		},
		"reasonLabel": assess.ReasonLabel,
		"scoreColor": func(s assess.Score) string {
			return chart.ScoreHex[max(0, min(5, int(s)))]
		},
		"has":  func(list []string, s string) bool { return slices.Contains(list, s) },
		"join": strings.Join,
		"lines": func(list []string) string {
			return strings.Join(list, "\n")
		},
		"add":   func(a, b int) int { return a + b },
		"money": money,
		"days":  func(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) },
		"int":   func(s assess.Score) int { return int(s) },
		// points is a change of a share in percentage points: "+3.5 pts".
		"points":   func(f float64) string { return fmt.Sprintf("%+.1f pts", f*100) },
		"sub":      func(a, b int) int { return a - b },
		"answered": answeredCount,
		// percent is a share in whole percent, for the meters' classes.
		"percent": func(a, b int) int {
			if b <= 0 {
				return 0
			}
			return max(0, min(100, a*100/b))
		},
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("dict needs key and value pairs")
			}
			m := map[string]any{}
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("dict key %v is not a string", kv[i])
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
		"size":      humanSize,
		"count":     func(n int) string { return grouped(int64(n)) },
		"matrixRow": rowHTML,
		"attrLabel": func(s string) string {
			return strings.ReplaceAll(s, "_", " ")
		},
	}
}

// money formats an amount in whole units with thousands separators.
func money(currency string, amount float64) string {
	sign := ""
	if amount < 0 {
		sign = "−"
	}
	return strings.TrimSpace(currency + " " + sign + grouped(int64(math.Round(math.Abs(amount)))))
}

// grouped writes a count of zero or more with thousands separators: 10,001.
func grouped(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, d := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	return b.String()
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

func loadPages(as *assets) (*pages, error) {
	base, err := template.New("").Funcs(templateFuncs(as)).ParseFS(templateFS, "templates/_*.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	ps := &pages{sets: map[string]*template.Template{}}
	for _, n := range names {
		file := path.Base(n)
		if strings.HasPrefix(file, "_") {
			continue
		}
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if t, err = t.ParseFS(templateFS, n); err != nil {
			return nil, err
		}
		ps.sets[strings.TrimSuffix(file, ".html")] = t
	}
	return ps, nil
}

// page is what every page struct provides: its embedded Base.
type page interface{ base() *Base }

// notices are the messages a redirect after a successful form can show
// (?ok=code), so no user text travels through URLs into pages.
var notices = map[string]string{
	"saved":       "Saved.",
	"created":     "Assessment created. Next: who answers for what.",
	"evidence":    "Evidence added.",
	"removed":     "Evidence removed.",
	"member":      "Member saved.",
	"invited":     "Invitation recorded. If an account has this login, its holder finds the invitation under Invitations and becomes a member on accepting it.",
	"accepted":    "Invitation accepted: the assessment is now among yours.",
	"declined":    "Invitation declined.",
	"unmember":    "Member removed.",
	"password":    "Password changed. Other sessions were signed out.",
	"user":        "Account saved.",
	"owners":      "Owners assigned by department.",
	"welcome":     "Welcome. Create your first assessment, or ask an assessor to add you to theirs.",
	"stakeholds":  "Stakeholders saved. Next: score the requirements matrix.",
	"deleted":     "Assessment deleted.",
	"ivcreated":   "Interview created. Send it to give the interviewee their link, or print its guide.",
	"ivrevoked":   "Interview revoked: its link no longer opens it.",
	"ivaccepted":  "Score written to the item.",
	"ivreturned":  "Question returned: the interviewee sees your note and can answer again.",
	"ivpaused":    "Your answers are saved. Come back with the same link whenever you like.",
	"ivsubmitted": "Your answers were sent in.",
	"imported":    "Assessment imported under a new id; you are its assessor.",
	"plan":        "Assumptions saved. The forecast below uses them.",
	"nochange":    "Nothing changed: no assumption differs from what was saved.",
	"snapshot":    "Snapshot saved.",
	"unsnapshot":  "Snapshot deleted.",
}

// render executes a page in the layout (or a fragment, for names with a
// "#": "matrix#row") into a buffer first, so a template error becomes a
// clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	set, tmpl := name, "layout"
	if i := strings.IndexByte(name, '#'); i >= 0 {
		set, tmpl = name[:i], name[i+1:]
	}
	b := p.base()
	if b.Notice == "" {
		b.Notice = notices[r.URL.Query().Get("ok")]
	}
	if b.Path == "" {
		b.Path = r.URL.Path
	}
	t := s.pages.sets[set]
	var buf bytes.Buffer
	var err error
	if t == nil {
		err = fmt.Errorf("no page %q", set)
	} else {
		err = t.ExecuteTemplate(&buf, tmpl, p)
	}
	if err != nil {
		s.log.Error("render", "page", name, "err", err)
		http.Error(w, "The page could not be rendered; the error was logged.", http.StatusInternalServerError)
		return
	}
	if st := stateOf(r); st != nil && st.etag != "" && status == http.StatusOK {
		pg := newCachedPage(st.etag, buf.Bytes())
		s.cache.put(pg)
		writePage(w, r, pg)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fieldLabels name, for people, the fields a change or a conflict is about
// (assess.DiffItems and DiffAssessments, and evidence).
var fieldLabels = map[string]string{
	"score": "Score", "applicable": "Applicable", "justification": "Justification",
	"inclusion": "Reasons for inclusion", "inclusion_note": "Note on inclusion", "department": "Department",
	"owner": "Owner", "priority": "Priority", "target_date": "Target date", "action": "Action",
	"effort_days": "Effort (days)", "notes": "Notes", "evidence": "Evidence",
	"org": "Organisation", "scope": "Scope", "boundaries": "Boundaries", "interfaces": "Interfaces and dependencies",
	"exclusions": "Exclusions", "stakeholders": "Stakeholders", "target_score": "Target score",
	"employees": "People in scope", "lead": "Lead",
}

// fieldLabel names a field for people; one it does not know reads as its
// name with spaces.
func fieldLabel(field string) string {
	if l, ok := fieldLabels[field]; ok {
		return l
	}
	l := strings.ReplaceAll(field, "_", " ")
	if l == "" {
		return l
	}
	return strings.ToUpper(l[:1]) + l[1:]
}
