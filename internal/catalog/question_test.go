package catalog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The built-in catalog names every question id in the file, so that a
// question inserted or moved later never renumbers the others.
func TestBuiltinQuestionIDsExplicit(t *testing.T) {
	var raw struct {
		Items []struct {
			Ref       string            `json:"ref"`
			Questions []json.RawMessage `json:"questions"`
		} `json:"items"`
	}
	if err := json.Unmarshal(BuiltinJSON(), &raw); err != nil {
		t.Fatal(err)
	}
	for _, it := range raw.Items {
		for j, q := range it.Questions {
			var obj struct{ ID, Text string }
			if err := json.Unmarshal(q, &obj); err != nil || obj.ID == "" {
				t.Errorf("%s questions[%d]: the built-in catalog writes every id explicitly, got %s", it.Ref, j, q)
			}
		}
	}
}

func TestBuiltinQuestionIDs(t *testing.T) {
	c := Builtin()
	seen := map[string]bool{}
	for _, it := range c.Items {
		for _, q := range it.Questions {
			if seen[q.ID] {
				t.Errorf("%s: id %s used twice", it.Ref, q.ID)
			}
			seen[q.ID] = true
			ref, _, err := ParseQuestionID(q.ID)
			if err != nil || ref != it.Ref {
				t.Errorf("%s: id %q does not belong to the item (%v)", it.Ref, q.ID, err)
			}
			gotItem, gotQ, ok := c.Question(q.ID)
			if !ok || gotItem.Ref != it.Ref || gotQ != q {
				t.Errorf("Question(%q) = %s, %+v, %v", q.ID, gotItem.Ref, gotQ, ok)
			}
		}
	}

	// Ids are stable: each one ever given out is either still in the
	// catalog or retired, and a retired one is never given out again.
	f, err := os.Open("testdata/question-ids.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	listed := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, status, _ := strings.Cut(line, " ")
		listed[id] = true
		switch {
		case status == "retired" && seen[id]:
			t.Errorf("question id %s was retired and must not be given out again: use the next free number", id)
		case status == "" && !seen[id]:
			t.Errorf("question id %s is gone from the catalog: keep the id on the reworded question, or mark it retired in testdata/question-ids.txt", id)
		case status != "" && status != "retired":
			t.Errorf("testdata/question-ids.txt: %q: want an id, optionally followed by \"retired\"", line)
		}
	}
	for id := range seen {
		if !listed[id] {
			t.Errorf("question id %s is new: add it to testdata/question-ids.txt", id)
		}
	}
}

func TestCatalogQuestionLookup(t *testing.T) {
	c := Builtin()
	it, q, ok := c.Question("A.5.15#2")
	if !ok || it.Ref != "A.5.15" || q.ID != "A.5.15#2" || q.Text != it.Questions[1].Text {
		t.Errorf("A.5.15#2: %s %+v %v", it.Ref, q, ok)
	}
	// Clause 5.1 and control A.5.1 keep their questions apart.
	c51, _, _ := c.Question("5.1#1")
	a51, _, _ := c.Question("A.5.1#1")
	if c51.Ref != "5.1" || a51.Ref != "A.5.1" {
		t.Errorf("5.1#1 in %q, A.5.1#1 in %q", c51.Ref, a51.Ref)
	}
	for _, id := range []string{"", "A.5.15", "A.5.15#", "A.5.15#0", "A.5.15#9", "A.5.99#1", "a.5.15#1", "#1", "A.5.15#02", " A.5.15#1"} {
		if _, _, ok := c.Question(id); ok {
			t.Errorf("Question(%q) found something", id)
		}
	}
}

func TestParseQuestionID(t *testing.T) {
	for id, want := range map[string]struct {
		ref string
		n   int
	}{
		"A.5.15#2": {"A.5.15", 2}, "6.1.3#4": {"6.1.3", 4}, "ACME-1#10": {"ACME-1", 10},
	} {
		ref, n, err := ParseQuestionID(id)
		if err != nil || ref != want.ref || n != want.n {
			t.Errorf("ParseQuestionID(%q) = %q, %d, %v; want %q, %d", id, ref, n, err, want.ref, want.n)
		}
	}
	for _, id := range []string{"", "A.5.15", "#2", "A.5.15#", "A.5.15#0", "A.5.15#-1", "A.5.15#+1", "A.5.15#01", "A.5.15#two", "A.5.15#2 ", " A.5.15#2", "A.5 .15#2", "x#y#3"} {
		if _, _, err := ParseQuestionID(id); err == nil || !strings.Contains(err.Error(), "question id") {
			t.Errorf("ParseQuestionID(%q): error %v, want one naming the question id", id, err)
		}
	}
	if got := QuestionID("A.5.15", 2); got != "A.5.15#2" {
		t.Errorf("QuestionID: %q", got)
	}
}

// customWith returns a one-item custom catalog whose item A.1.1 has the given
// questions (a JSON array).
func customWith(questions string) []byte {
	return []byte(`{"format": "isogap-catalog/v1", "id": "acme", "name": "Acme", "version": "1", "departments": ["IT"],
 "sections": [{"id": "T", "kind": "control", "title": "Technical"}],
 "items": [{"ref": "A.1.1", "kind": "control", "section": "T", "title": "MFA",
   "questions": ` + questions + `,
   "evidence": [], "department": "IT", "effort_days": 1}]}`)
}

func questionIDs(t *testing.T, data []byte) []string {
	t.Helper()
	c, err := Parse(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	it, _ := c.Item("A.1.1")
	var ids []string
	for _, q := range it.Questions {
		ids = append(ids, q.ID)
	}
	return ids
}

func TestCustomQuestionIDs(t *testing.T) {
	sch := compileSchema(t)
	for name, tc := range map[string]struct {
		questions string
		want      []string
	}{
		"plain strings take their position": {`["Is MFA on?", "For everyone?"]`, []string{"A.1.1#1", "A.1.1#2"}},
		"appending keeps the ids":           {`["Is MFA on?", "For everyone?", "Phishing-resistant?"]`, []string{"A.1.1#1", "A.1.1#2", "A.1.1#3"}},
		"explicit ids":                      {`[{"id": "A.1.1#3", "text": "Inserted first?"}, {"id": "A.1.1#1", "text": "Is MFA on?"}]`, []string{"A.1.1#3", "A.1.1#1"}},
		"mixed forms":                       {`["Is MFA on?", {"id": "A.1.1#7", "text": "For everyone?"}]`, []string{"A.1.1#1", "A.1.1#7"}},
	} {
		t.Run(name, func(t *testing.T) {
			data := customWith(tc.questions)
			if got := questionIDs(t, data); !slices.Equal(got, tc.want) {
				t.Errorf("ids %v, want %v", got, tc.want)
			}
			inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(data))
			if err := sch.Validate(inst); err != nil {
				t.Errorf("the schema rejects what Parse accepts: %v", err)
			}
		})
	}
}

func TestCustomQuestionIDErrors(t *testing.T) {
	sch := compileSchema(t)
	for name, tc := range map[string]struct {
		questions string
		want      string
		// schema: whether the JSON Schema can tell too (ids of another item
		// and duplicates need the whole item, which only Parse sees).
		schema bool
	}{
		"another item's id": {`[{"id": "A.1.2#1", "text": "Is MFA on?"}]`,
			`items[0] (A.1.1): questions[0]: id "A.1.2#1" belongs to item A.1.2`, false},
		"no number": {`[{"id": "A.1.1", "text": "Is MFA on?"}]`,
			`items[0] (A.1.1): questions[0]: question id "A.1.1": want an item ref, '#' and a number`, true},
		"zero": {`[{"id": "A.1.1#0", "text": "Is MFA on?"}]`,
			`items[0] (A.1.1): questions[0]: question id "A.1.1#0": "0" after '#' is not a number from 1 up`, true},
		"duplicate explicit": {`[{"id": "A.1.1#1", "text": "Is MFA on?"}, {"id": "A.1.1#1", "text": "For everyone?"}]`,
			`items[0] (A.1.1): questions[1]: id "A.1.1#1" is already used by questions[0]`, false},
		"position collides with explicit": {`["Is MFA on?", {"id": "A.1.1#1", "text": "For everyone?"}]`,
			`items[0] (A.1.1): questions[0]: takes the id "A.1.1#1" from its position, which questions[1] names explicitly`, false},
		"number": {`["Is MFA on?", 42]`,
			`items[0] (A.1.1): questions[1]: got a JSON number, want a string or an object`, true},
		"null": {`[null]`,
			`items[0] (A.1.1): questions[0]: got JSON null`, true},
		"unknown field": {`[{"id": "A.1.1#1", "txt": "Is MFA on?"}]`,
			`items[0] (A.1.1): questions[0]: unknown field "txt"`, true},
		"missing id": {`[{"text": "Is MFA on?"}]`,
			`items[0] (A.1.1): questions[0]: a question object needs both "id" and "text"`, true},
		"empty id": {`[{"id": "", "text": "Is MFA on?"}]`,
			`items[0] (A.1.1): questions[0]: "id" is empty`, true},
		"empty text": {`[{"id": "A.1.1#1", "text": " "}]`,
			`items[0] (A.1.1): questions[0] is empty`, false},
		"empty string": {`[""]`,
			`items[0] (A.1.1): questions[0] is empty`, true},
		"no questions": {`[]`,
			`items[0] (A.1.1): questions: want at least one`, true},
	} {
		t.Run(name, func(t *testing.T) {
			data := customWith(tc.questions)
			_, err := Parse(bytes.NewReader(data))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v\nwant it to contain %q", err, tc.want)
			}
			if tc.schema {
				inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(data))
				if sch.Validate(inst) == nil {
					t.Error("the schema accepts what Parse rejects")
				}
			}
		})
	}
}

// Validate may run again on a parsed catalog (ids filled in from positions
// are then explicit) without changing an id.
func TestValidateTwiceKeepsIDs(t *testing.T) {
	c, err := Parse(bytes.NewReader(customWith(`["Is MFA on?", {"id": "A.1.1#5", "text": "For everyone?"}, "Phishing-resistant?"]`)))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	it, _ := c.Item("A.1.1")
	var ids []string
	for _, q := range it.Questions {
		ids = append(ids, q.ID)
	}
	if want := []string{"A.1.1#1", "A.1.1#5", "A.1.1#3"}; !slices.Equal(ids, want) {
		t.Errorf("ids %v, want %v", ids, want)
	}
}
