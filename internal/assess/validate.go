package assess

import (
	"fmt"
	"math"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/isogap/isogap/internal/catalog"
)

// Limits on what people type, so one field cannot swallow the database or
// break an export. Text limits count characters.
const (
	// MaxTextLen bounds a multi-line text: a scope, an action, notes.
	MaxTextLen = 20000
	// MaxShortLen bounds a one-line text: a name, an owner, an e-mail.
	MaxShortLen = 300
	// MaxURLLen bounds an evidence link.
	MaxURLLen = 2000
	// MaxListLen bounds the entries of a list: stakeholders, boundaries.
	MaxListLen = 500
	// MaxHistoryLen bounds a history entry's old and new value, which may
	// hold a whole list (the stakeholders as JSON).
	MaxHistoryLen = 1 << 20
	// MaxEffortDays bounds an item's effort override, in person-days.
	MaxEffortDays = 1000
	// MaxEmployees bounds the number of people in scope.
	MaxEmployees = 10_000_000
	// MinYear and MaxYear bound every date people set: target dates,
	// auditors' end dates, the plan's start, evidence dates.
	MinYear, MaxYear = 2000, 2100
)

// CheckText adds a problem to errs, named where, when v is not valid UTF-8,
// holds control characters (a multi-line text may hold line breaks and
// tabs), or is longer than max characters. It reports whether v is fine.
func CheckText(errs *FieldErrors, where, v string, max int, multiline bool) bool {
	switch {
	case !utf8.ValidString(v):
		errs.Add(where, Shown(v), "not valid UTF-8 text", "text in UTF-8")
	case strings.IndexFunc(v, func(r rune) bool {
		return unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\r' || r == '\t'))
	}) >= 0:
		if multiline {
			errs.Add(where, Shown(v), "holds control characters", "text with no control characters other than line breaks and tabs")
		} else {
			errs.Add(where, Shown(v), "holds control characters", "one line of text without control characters")
		}
	case utf8.RuneCountInString(v) > max:
		errs.Add(where, Shown(v), "too long", fmt.Sprintf("at most %d characters", max))
	default:
		return true
	}
	return false
}

// CheckShort checks a one-line text of at most MaxShortLen characters.
func CheckShort(errs *FieldErrors, where, v string) bool {
	return CheckText(errs, where, v, MaxShortLen, false)
}

// CheckLong checks a multi-line text of at most MaxTextLen characters.
func CheckLong(errs *FieldErrors, where, v string) bool {
	return CheckText(errs, where, v, MaxTextLen, true)
}

// CheckRequired checks a one-line text that must not be blank; problem and
// expected say what a blank one lacks.
func CheckRequired(errs *FieldErrors, where, v, problem, expected string) bool {
	if strings.TrimSpace(v) == "" {
		errs.Add(where, "", problem, expected)
		return false
	}
	return CheckShort(errs, where, v)
}

// CheckList checks the number of entries of a list field.
func CheckList(errs *FieldErrors, where string, n int) bool {
	if n > MaxListLen {
		errs.Add(where, strconv.Itoa(n)+" entries", "too many entries", fmt.Sprintf("at most %d", MaxListLen))
		return false
	}
	return true
}

// CheckDate adds a problem when a set date lies outside MinYear–MaxYear;
// the zero Date (no date) is fine.
func CheckDate(errs *FieldErrors, where string, d Date) bool {
	if d.IsZero() || DateInRange(d) {
		return true
	}
	errs.Add(where, d.String(), "out of range", fmt.Sprintf("a date from %d-01-01 to %d-12-31", MinYear, MaxYear))
	return false
}

// DateInRange reports whether d lies within MinYear–MaxYear.
func DateInRange(d Date) bool {
	y := d.t.Year()
	return y >= MinYear && y <= MaxYear
}

// Finite reports whether f is a number: neither NaN nor infinite.
func Finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// Shown is a value as a problem report may show it: valid UTF-8 without
// control characters, cut to 40 characters.
func Shown(v string) string {
	v = strings.ToValidUTF8(v, "\uFFFD")
	v = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '\uFFFD'
		}
		return r
	}, v)
	if utf8.RuneCountInString(v) > 40 {
		n := 0
		for i := range v {
			if n == 40 {
				return v[:i] + "…"
			}
			n++
		}
	}
	return v
}

// ValidateItem checks an item against the catalog and the scoring rules and
// reports every problem found, each naming its field.
func ValidateItem(cat *catalog.Catalog, it Item) error {
	errs := &FieldErrors{Context: Shown(it.Ref)}
	ci, ok := cat.Item(it.Ref)
	if !ok {
		errs.Add("ref", Shown(it.Ref), "unknown ref", "a ref of catalog "+cat.ID+" such as \"4.1\", \"6.1.2\" or \"A.5.15\"")
		return errs
	}
	if !it.Score.Valid() {
		errs.Add("score", strconv.Itoa(int(it.Score)), "out of range", "1 to 5, or empty for not assessed")
	}
	if !it.Applicable {
		if !ci.IsControl() {
			errs.Add("applicable", "no", "clause requirements are always applicable", "applicable")
		} else if strings.TrimSpace(it.Justification) == "" {
			errs.Add("justification", "", "a control marked not applicable needs a written justification (ISO/IEC 27001 6.1.3 d)", "the reason for the exclusion")
		}
	}
	for _, r := range it.Inclusion {
		if _, ok := ParseReason(r); !ok {
			errs.Add("inclusion", Shown(r), "unknown reason", reasonCodes())
		}
	}
	if it.Department != "" && !slices.Contains(cat.Departments, it.Department) {
		errs.Add("department", Shown(it.Department), "unknown department", strings.Join(cat.Departments, ", "))
	}
	if it.Priority != "" && it.Priority.Rank() == len(Priorities) {
		errs.Add("priority", Shown(string(it.Priority)), "unknown priority", "Critical, High, Medium or Low")
	}
	if it.EffortDays != nil && !(Finite(*it.EffortDays) && *it.EffortDays > 0 && *it.EffortDays <= MaxEffortDays) {
		errs.Add("effort_days", fmt.Sprint(*it.EffortDays), "out of range", fmt.Sprintf("person-days above 0 and at most %d, or empty for the catalog's estimate", MaxEffortDays))
	}
	CheckDate(errs, "target_date", it.TargetDate)
	CheckShort(errs, "owner", it.Owner)
	CheckLong(errs, "justification", it.Justification)
	CheckLong(errs, "action", it.Action)
	CheckLong(errs, "notes", it.Notes)
	CheckLong(errs, "inclusion_note", it.InclusionNote)
	return errs.Err()
}

func reasonCodes() string {
	var s []string
	for _, r := range InclusionReasons {
		s = append(s, r.Code)
	}
	return strings.Join(s, ", ")
}

// ValidateAssessment checks the assessment's own fields.
func ValidateAssessment(cat *catalog.Catalog, a Assessment) error {
	errs := &FieldErrors{Context: "assessment"}
	CheckRequired(errs, "org", a.Org, "the organisation name is required", "a name such as \"Acme Ltd\"")
	CheckLong(errs, "scope", a.Scope)
	CheckLong(errs, "interfaces", a.Interfaces)
	CheckShort(errs, "lead", a.Lead)
	for _, b := range []struct {
		name string
		list []string
	}{{"boundaries.units", a.Boundaries.Units}, {"boundaries.locations", a.Boundaries.Locations},
		{"boundaries.services", a.Boundaries.Services}, {"boundaries.systems", a.Boundaries.Systems}} {
		name, list := b.name, b.list
		if !CheckList(errs, name, len(list)) {
			continue
		}
		for i, v := range list {
			CheckShort(errs, fmt.Sprintf("%s[%d]", name, i), v)
		}
	}
	if a.TargetScore < 1 || a.TargetScore > 5 {
		errs.Add("target_score", strconv.Itoa(a.TargetScore), "out of range", "1 to 5 (default 4)")
	}
	if a.Employees < 0 || a.Employees > MaxEmployees {
		errs.Add("employees", strconv.Itoa(a.Employees), "out of range", fmt.Sprintf("the number of people in scope, 0 to %d", MaxEmployees))
	}
	if CheckList(errs, "stakeholders", len(a.Stakeholders)) {
		for i, s := range a.Stakeholders {
			where := fmt.Sprintf("stakeholders[%d]", i)
			CheckRequired(errs, where+".name", s.Name, "a stakeholder needs a name", "")
			if s.Department != "" && !slices.Contains(cat.Departments, s.Department) {
				errs.Add(where+".department", Shown(s.Department), "unknown department", strings.Join(cat.Departments, ", "))
			}
			if s.Email != "" && CheckShort(errs, where+".email", s.Email) {
				if _, err := mail.ParseAddress(s.Email); err != nil {
					errs.Add(where+".email", s.Email, "not an e-mail address", "name@example.com")
				}
			}
		}
	}
	if CheckList(errs, "exclusions", len(a.Exclusions)) {
		for i, x := range a.Exclusions {
			where := fmt.Sprintf("exclusions[%d]", i)
			CheckRequired(errs, where+".what", x.What, "say what is excluded", "")
			CheckLong(errs, where+".justification", x.Justification)
		}
	}
	return errs.Err()
}

// ValidateEvidence checks an evidence entry: its texts, its kind, a link
// (web addresses only: no javascript: or data: links) and its date.
func ValidateEvidence(ev Evidence) error {
	errs := &FieldErrors{Context: "evidence"}
	CheckLong(errs, "text", ev.Text)
	CheckDate(errs, "date", ev.Date)
	switch ev.Kind {
	case EvidenceText:
		if strings.TrimSpace(ev.Text) == "" {
			errs.Add("text", "", "evidence needs a description, a link or a file", "")
		}
	case EvidenceLink:
		if CheckText(errs, "url", ev.URL, MaxURLLen, false) {
			u, err := url.Parse(ev.URL)
			if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				errs.Add("url", ev.URL, "not a web link", "an http:// or https:// address")
			}
		}
	case EvidenceFile:
		CheckRequired(errs, "file_name", ev.FileName, "a file needs a name", "")
		CheckShort(errs, "content_type", ev.ContentType)
	default:
		errs.Add("kind", Shown(string(ev.Kind)), "unknown evidence kind", "text, link or file")
	}
	return errs.Err()
}

// DiffItems lists the fields that differ between two versions of an item, as
// history entries without actor, time or version.
func DiffItems(old, new Item) []Change {
	var out []Change
	add := func(field, o, n string) {
		if o != n {
			out = append(out, Change{Ref: new.Ref, Field: field, Old: o, New: n})
		}
	}
	add("score", scoreText(old.Score), scoreText(new.Score))
	add("applicable", yesNo(old.Applicable), yesNo(new.Applicable))
	add("justification", old.Justification, new.Justification)
	add("inclusion", strings.Join(old.Inclusion, ";"), strings.Join(new.Inclusion, ";"))
	add("inclusion_note", old.InclusionNote, new.InclusionNote)
	add("department", old.Department, new.Department)
	add("owner", old.Owner, new.Owner)
	add("priority", string(old.Priority), string(new.Priority))
	add("target_date", old.TargetDate.String(), new.TargetDate.String())
	add("action", old.Action, new.Action)
	add("effort_days", effortText(old.EffortDays), effortText(new.EffortDays))
	add("notes", old.Notes, new.Notes)
	return out
}

// DiffAssessments lists the changed fields of an assessment's header.
func DiffAssessments(old, new Assessment) []Change {
	var out []Change
	add := func(field, o, n string) {
		if o != n {
			out = append(out, Change{AssessmentID: new.ID, Field: field, Old: o, New: n})
		}
	}
	add("org", old.Org, new.Org)
	add("scope", old.Scope, new.Scope)
	add("boundaries", jsonText(old.Boundaries), jsonText(new.Boundaries))
	add("interfaces", old.Interfaces, new.Interfaces)
	add("exclusions", jsonText(old.Exclusions), jsonText(new.Exclusions))
	add("stakeholders", jsonText(old.Stakeholders), jsonText(new.Stakeholders))
	add("target_score", strconv.Itoa(old.TargetScore), strconv.Itoa(new.TargetScore))
	add("employees", strconv.Itoa(old.Employees), strconv.Itoa(new.Employees))
	add("lead", old.Lead, new.Lead)
	return out
}

func scoreText(s Score) string {
	if s == Unassessed {
		return ""
	}
	return strconv.Itoa(int(s))
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func effortText(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}
