package assess

import "time"

// Interview is one stakeholder's interview in an assessment, as isogap
// keeps it: who answers, which items, by when, where it stands, and what
// was answered. The rules (states, the suggested score, who may do what)
// live in packages interview and app; State and the answers' Kind hold
// their string values.
type Interview struct {
	AssessmentID string `json:"assessment_id"`
	// ID numbers the interview within its assessment, from 1.
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	Email      string `json:"email"`
	Department string `json:"department"`
	// Refs are the items the interview covers, in catalog order.
	Refs  []string `json:"refs"`
	Due   Date     `json:"due"`
	State string   `json:"state"`
	// ConfirmEmail asks the person to type their e-mail address the
	// first time a link opens.
	ConfirmEmail bool `json:"confirm_email,omitempty"`
	// TokenHash is the SHA-256 of the invitation link's token; the token
	// itself is never kept. TokenExpires ends the link and every session
	// it opened. SessionHash is the one browser session bound to it.
	TokenHash    string    `json:"token_hash,omitempty"`
	TokenExpires time.Time `json:"token_expires"`
	SessionHash  string    `json:"session_hash,omitempty"`
	// Revision grows with every change to the interview or its answers.
	Revision    int       `json:"revision"`
	CreatedBy   string    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	SentAt      time.Time `json:"sent_at"`
	SubmittedAt time.Time `json:"submitted_at"`

	Answers   []InterviewAnswer   `json:"answers,omitempty"`
	Notes     []InterviewNote     `json:"notes,omitempty"`
	Evidence  []InterviewEvidence `json:"evidence,omitempty"`
	Decisions []InterviewDecision `json:"decisions,omitempty"`
}

// InterviewAnswer is the answer to one catalog question.
type InterviewAnswer struct {
	QuestionID string    `json:"question_id"` // "A.5.15#2"
	Ref        string    `json:"ref"`
	Kind       string    `json:"kind"` // interview.Kind's value
	Comment    string    `json:"comment"`
	By         string    `json:"by"`
	At         time.Time `json:"at"`
	// Revision grows with each change of this answer: an answer saved on
	// an older revision is a conflict.
	Revision int `json:"revision"`
}

// InterviewNote is a question returned to the interviewee with a note.
type InterviewNote struct {
	QuestionID string    `json:"question_id"`
	Text       string    `json:"text"`
	By         string    `json:"by"`
	At         time.Time `json:"at"`
}

// InterviewEvidence is evidence given with an answer. Its ID shares the
// assessment's evidence numbering, so an export's files stay one map.
type InterviewEvidence struct {
	QuestionID string `json:"question_id"`
	Evidence
}

// InterviewDecision is the assessor's decision on one item: the score
// written to the item from the interview's answers.
type InterviewDecision struct {
	Ref   string    `json:"ref"`
	Score Score     `json:"score"`
	By    string    `json:"by"`
	At    time.Time `json:"at"`
}
