package catalog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// Question is one assessment question of an item. Its ID ("A.5.15#2": the
// item's ref, '#', a number) is what answers are kept under, so it must not
// change when questions are added, reworded or reordered.
//
// In a catalog file a question is either a plain string, whose id is then
// taken from its 1-based position in the item, or an object
// {"id": "A.5.15#2", "text": "…"} that names its id explicitly. The built-in
// catalog names every id, so inserting a question never renumbers another.
type Question struct {
	ID   string `json:"id"`
	Text string `json:"text"`

	// problem records why the file's value could not be read, so that
	// Validate reports it with the item and position it belongs to.
	problem string
}

// String returns the question's text, which is what templates print.
func (q Question) String() string { return q.Text }

// UnmarshalJSON reads a question in either form. A value of the wrong shape
// is not an error here but a problem that Validate reports with its place.
func (q *Question) UnmarshalJSON(b []byte) error {
	*q = Question{}
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &q.Text)
	}
	if len(b) == 0 || b[0] != '{' {
		q.problem = fmt.Sprintf("got %s, want a string or an object {\"id\": …, \"text\": …}", jsonKind(b))
		return nil
	}
	var obj struct {
		ID   *string `json:"id"`
		Text *string `json:"text"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	switch err := dec.Decode(&obj); {
	case err != nil:
		q.problem = strings.TrimPrefix(err.Error(), "json: ") + `; a question object has exactly the fields "id" and "text"`
	case obj.ID == nil || obj.Text == nil:
		q.problem = `a question object needs both "id" and "text"; write a plain string to take the id from the position`
	default:
		q.ID, q.Text = *obj.ID, *obj.Text
		if q.ID == "" {
			q.problem = `"id" is empty; write a plain string to take the id from the position`
		}
	}
	return nil
}

func jsonKind(b []byte) string {
	if len(b) == 0 {
		return "nothing"
	}
	switch b[0] {
	case '[':
		return "a JSON array"
	case 't', 'f':
		return "a JSON boolean"
	case 'n':
		return "JSON null"
	}
	return "a JSON number"
}

// QuestionID returns the id of the n-th (1-based) question of the item ref.
func QuestionID(ref string, n int) string { return ref + "#" + strconv.Itoa(n) }

// ParseQuestionID splits a question id into its item ref and number. It
// checks the form only, not that the catalog has such a question.
func ParseQuestionID(id string) (ref string, n int, err error) {
	ref, num, ok := strings.Cut(id, "#")
	if !ok || ref == "" || strings.ContainsFunc(id, unicode.IsSpace) {
		return "", 0, fmt.Errorf("question id %q: want an item ref, '#' and a number, such as \"A.5.15#2\"", id)
	}
	n, err = strconv.Atoi(num)
	if err != nil || n < 1 || num[0] == '0' || num[0] == '+' {
		return "", 0, fmt.Errorf("question id %q: %q after '#' is not a number from 1 up", id, num)
	}
	return ref, n, nil
}

// QuestionTexts returns the texts of the item's questions, in order.
func (it Item) QuestionTexts() []string {
	out := make([]string, len(it.Questions))
	for i, q := range it.Questions {
		out[i] = q.Text
	}
	return out
}

// Question returns the item's question with the given id.
func (it Item) Question(id string) (Question, bool) {
	for _, q := range it.Questions {
		if q.ID == id {
			return q, true
		}
	}
	return Question{}, false
}

// Question returns the question with the given id and the item it belongs to.
func (c *Catalog) Question(id string) (Item, Question, bool) {
	ref, _, err := ParseQuestionID(id)
	if err != nil {
		return Item{}, Question{}, false
	}
	it, ok := c.Item(ref)
	if !ok {
		return Item{}, Question{}, false
	}
	q, ok := it.Question(id)
	if !ok {
		return Item{}, Question{}, false
	}
	return it, q, true
}

// validateQuestions checks an item's questions and gives each question
// without an explicit id the one of its position. add reports a problem.
func validateQuestions(it *Item, where string, add func(string, ...any)) {
	if len(it.Questions) == 0 {
		add("%s: questions: want at least one", where)
	}
	// Explicit ids first, so a position-derived id that collides with one
	// named further down is reported against the plain question.
	seen := map[string]int{}
	for j, q := range it.Questions {
		at := fmt.Sprintf("%s: questions[%d]", where, j)
		if q.problem != "" {
			add("%s: %s", at, q.problem)
			continue
		}
		if q.ID == "" {
			continue
		}
		ref, _, err := ParseQuestionID(q.ID)
		switch {
		case err != nil:
			add("%s: %v", at, err)
		case ref != it.Ref:
			add("%s: id %q belongs to item %s; the questions of %s have ids %q, %q, …", at, q.ID, ref, it.Ref, QuestionID(it.Ref, 1), QuestionID(it.Ref, 2))
		default:
			if k, dup := seen[q.ID]; dup {
				add("%s: id %q is already used by questions[%d]", at, q.ID, k)
			}
			seen[q.ID] = j
		}
	}
	for j := range it.Questions {
		q := &it.Questions[j]
		at := fmt.Sprintf("%s: questions[%d]", where, j)
		if q.problem != "" {
			continue
		}
		if strings.TrimSpace(q.Text) == "" {
			add("%s is empty", at)
		}
		if q.ID != "" {
			continue
		}
		q.ID = QuestionID(it.Ref, j+1)
		if k, dup := seen[q.ID]; dup {
			add("%s: takes the id %q from its position, which questions[%d] names explicitly; give this question an explicit id", at, q.ID, k)
		}
		seen[q.ID] = j
	}
}
