package assess

import (
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"

	"github.com/isogap/isogap/internal/catalog"
)

// Limits on free text, so one field cannot swallow the database.
const (
	MaxTextLen  = 20000
	MaxShortLen = 300
)

// ValidateItem checks an item against the catalog and the scoring rules and
// reports every problem found, each naming its field.
func ValidateItem(cat *catalog.Catalog, it Item) error {
	errs := &FieldErrors{Context: it.Ref}
	ci, ok := cat.Item(it.Ref)
	if !ok {
		errs.Add("ref", it.Ref, "unknown ref", "a ref of catalog "+cat.ID+" such as \"4.1\", \"6.1.2\" or \"A.5.15\"")
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
			errs.Add("inclusion", r, "unknown reason", reasonCodes())
		}
	}
	if it.Department != "" && !slices.Contains(cat.Departments, it.Department) {
		errs.Add("department", it.Department, "unknown department", strings.Join(cat.Departments, ", "))
	}
	if it.Priority != "" && it.Priority.Rank() == len(Priorities) {
		errs.Add("priority", string(it.Priority), "unknown priority", "Critical, High, Medium or Low")
	}
	if it.EffortDays != nil && (*it.EffortDays < 0 || *it.EffortDays > 1000) {
		errs.Add("effort_days", fmt.Sprint(*it.EffortDays), "out of range", "person-days from 0 to 1000")
	}
	for name, v := range map[string]string{"owner": it.Owner} {
		if len(v) > MaxShortLen {
			errs.Add(name, v[:40]+"…", "too long", fmt.Sprintf("at most %d characters", MaxShortLen))
		}
	}
	for name, v := range map[string]string{"justification": it.Justification, "action": it.Action, "notes": it.Notes, "inclusion_note": it.InclusionNote} {
		if len(v) > MaxTextLen {
			errs.Add(name, v[:40]+"…", "too long", fmt.Sprintf("at most %d characters", MaxTextLen))
		}
	}
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
	if strings.TrimSpace(a.Org) == "" {
		errs.Add("org", "", "the organisation name is required", "a name such as \"Acme Ltd\"")
	} else if len(a.Org) > MaxShortLen {
		errs.Add("org", a.Org[:40]+"…", "too long", fmt.Sprintf("at most %d characters", MaxShortLen))
	}
	if len(a.Scope) > MaxTextLen {
		errs.Add("scope", a.Scope[:40]+"…", "too long", fmt.Sprintf("at most %d characters", MaxTextLen))
	}
	if a.TargetScore < 1 || a.TargetScore > 5 {
		errs.Add("target_score", strconv.Itoa(a.TargetScore), "out of range", "1 to 5 (default 4)")
	}
	if a.Employees < 0 {
		errs.Add("employees", strconv.Itoa(a.Employees), "negative", "the number of people in scope")
	}
	for i, s := range a.Stakeholders {
		where := fmt.Sprintf("stakeholders[%d]", i)
		if strings.TrimSpace(s.Name) == "" {
			errs.Add(where+".name", "", "a stakeholder needs a name", "")
		}
		if s.Department != "" && !slices.Contains(cat.Departments, s.Department) {
			errs.Add(where+".department", s.Department, "unknown department", strings.Join(cat.Departments, ", "))
		}
		if s.Email != "" {
			if _, err := mail.ParseAddress(s.Email); err != nil {
				errs.Add(where+".email", s.Email, "not an e-mail address", "name@example.com")
			}
		}
	}
	for i, x := range a.Exclusions {
		if strings.TrimSpace(x.What) == "" {
			errs.Add(fmt.Sprintf("exclusions[%d].what", i), "", "say what is excluded", "")
		}
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
