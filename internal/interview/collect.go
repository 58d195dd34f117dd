package interview

import "github.com/isogap/isogap/internal/catalog"

// Collect lines up the answers given for an item with its questions: one
// Answer per question, in the catalog's order, a question without an answer
// being Unanswered. Answers to questions the item does not have (another
// item's, or a question since retired) are left out.
func Collect(it catalog.Item, given []Answer) []Answer {
	byID := make(map[string]Answer, len(given))
	for _, a := range given {
		byID[a.QuestionID] = a
	}
	out := make([]Answer, len(it.Questions))
	for i, q := range it.Questions {
		a, ok := byID[q.ID]
		if !ok {
			a = Answer{QuestionID: q.ID}
		}
		out[i] = a
	}
	return out
}
