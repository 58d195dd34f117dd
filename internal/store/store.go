// Package store defines what isogap keeps and how: the Store interface that
// every database engine implements, and nothing engine-specific. The rules
// (validation, scoring, permissions) live above it, in package app; a store
// only keeps rows and refuses lost updates.
package store

import (
	"context"
	"time"

	"github.com/isogap/isogap/internal/assess"
)

// Store is everything isogap keeps. Implementations: sqlite and postgres,
// both tested by the contract suite in storetest.
type Store interface {
	AssessmentStore
	UserStore
	PlanStore
	InterviewStore
	// InTx runs fn in one transaction: everything fn writes through the Store
	// it is given lands together or not at all.
	InTx(ctx context.Context, fn func(Store) error) error
	// ReadTx runs fn on one consistent, read-only view of the database;
	// inside InTx it joins the transaction already open.
	ReadTx(ctx context.Context, fn func(Store) error) error
	// Engine names the database engine: "sqlite" or "postgres".
	Engine() string
	Close() error
}

// AssessmentStore keeps assessments, their items, evidence and history.
type AssessmentStore interface {
	// PutCatalog keeps a custom catalog file so assessments made from it stay
	// readable; the built-in catalog is never stored. A version once stored
	// never changes: storing an existing id and version again does nothing.
	PutCatalog(ctx context.Context, id, version string, content []byte) error
	GetCatalog(ctx context.Context, id, version string) ([]byte, error)
	// Catalogs lists every stored catalog file.
	Catalogs(ctx context.Context) ([]CatalogFile, error)

	// CreateAssessment stores a new assessment and its items (version 1).
	CreateAssessment(ctx context.Context, a assess.Assessment, items []assess.Item) error
	GetAssessment(ctx context.Context, id string) (assess.Assessment, error)
	// Revision is the assessment's revision: a counter that every write of
	// the assessment or of its rows (items, evidence, history, members,
	// plan, snapshots, interviews) raises in the same transaction. Equal
	// revisions mean nothing about the assessment changed in between.
	Revision(ctx context.Context, id string) (int64, error)
	ListAssessments(ctx context.Context) ([]assess.Assessment, error)
	// Listings returns the assessments with these ids (every assessment
	// when ids is nil), in no particular order, each with its revision and
	// the summary kept for it. With a current summary, the header is the
	// one kept with it; otherwise it is read whole, and the figures are the
	// caller's to compute. Either way the header lacks what a list does
	// not show: the scope (see Scopes), boundaries, interfaces and
	// stakeholders.
	Listings(ctx context.Context, ids []string) ([]Listing, error)
	// Scopes returns the scope of each assessment among ids, by id; ids
	// of no assessment are left out. It completes the listings of a page.
	Scopes(ctx context.Context, ids []string) (map[string]string, error)
	// PutSummaries keeps summaries for Listings to return. Keeping one is
	// not a write of its assessment: the revision stays. A summary of an
	// assessment that does not exist is dropped.
	PutSummaries(ctx context.Context, sums []Summary) error
	// UpdateAssessment stores a's header if the stored version is baseVersion,
	// and records the changes; otherwise it fails with kind Conflict.
	UpdateAssessment(ctx context.Context, a assess.Assessment, baseVersion int, actor string, changes []assess.Change) (assess.Assessment, error)
	DeleteAssessment(ctx context.Context, id string) error
	// LockAssessment, inside InTx, makes the transaction the only writer of
	// the assessment until it ends, so what it reads stays current (a
	// version checked, a decision taken on the history); it fails with kind
	// NotFound if there is no such assessment. Every write of an
	// assessment's rows takes it first, so locks are taken in one order.
	LockAssessment(ctx context.Context, id string) error

	// ListItems returns the assessment's items in catalog order, with their
	// evidence (without file contents).
	ListItems(ctx context.Context, assessmentID string) ([]assess.Item, error)
	// ListItemsOf does the same for several assessments at once.
	ListItemsOf(ctx context.Context, assessmentIDs []string) (map[string][]assess.Item, error)
	// ScoresOf returns, for several assessments, their items with only what
	// assess.Compute reads: ref, score, applicability, justification, and
	// one empty evidence entry when the item has any evidence. It is the
	// portfolio's fast path; use ListItemsOf for anything else.
	ScoresOf(ctx context.Context, assessmentIDs []string) (map[string][]assess.Item, error)
	GetItem(ctx context.Context, assessmentID, ref string) (assess.Item, error)
	// GetItemAt is GetItem with the assessment's revision read by the same
	// statement: the item is as it was at that revision. A writer that
	// reads an item before locking its assessment knows from it whether
	// the item may have changed before the lock (the lock raises the
	// revision by one).
	GetItemAt(ctx context.Context, assessmentID, ref string) (assess.Item, int64, error)
	// UpdateItem stores it if the stored version is baseVersion, sets the
	// version to baseVersion+1 and records the changes under that version.
	// Otherwise it returns *assess.ConflictError with the stored item. It
	// returns the item as stored with it.Evidence as given, unread: the
	// evidence of the version the caller read (and a change of evidence
	// raises the version, so at baseVersion it is the stored evidence).
	UpdateItem(ctx context.Context, assessmentID string, it assess.Item, baseVersion int, actor string, changes []assess.Change) (assess.Item, error)
	// AddEvidence attaches evidence (and the file's content, if any) to an
	// item, bumps the item's version and records the change.
	AddEvidence(ctx context.Context, assessmentID, ref string, ev assess.Evidence, content []byte) (assess.Evidence, error)
	// RemoveEvidence detaches evidence, bumps the item's version and records it.
	RemoveEvidence(ctx context.Context, assessmentID string, evidenceID int64, actor string) error
	// EvidenceContent returns an evidence entry and its file's content.
	EvidenceContent(ctx context.Context, assessmentID string, evidenceID int64) (assess.Evidence, []byte, error)

	// History lists recorded changes, oldest first.
	History(ctx context.Context, assessmentID string, q HistoryQuery) ([]assess.Change, error)

	// LoadRecord writes a complete assessment as it is, versions, times and
	// history included: the JSON import and copies between databases. The
	// content of each file evidence is taken from r.Files when it is there;
	// otherwise PutEvidenceFile adds it afterwards.
	LoadRecord(ctx context.Context, r assess.Record) error
	// Record reads a complete assessment without its file contents (Files
	// is nil): EvidenceFiles streams those, one at a time.
	Record(ctx context.Context, assessmentID string) (assess.Record, error)
	// EvidenceFiles calls fn with the content of each of the assessment's
	// evidence files in evidence id order, holding one file at a time, so
	// an export or a copy needs memory for one file whatever the total.
	// An error from fn stops the walk and is returned.
	EvidenceFiles(ctx context.Context, assessmentID string, fn func(id int64, content []byte) error) error
	// PutEvidenceFile stores the content of file evidence that LoadRecord
	// wrote without it.
	PutEvidenceFile(ctx context.Context, assessmentID string, evidenceID int64, content []byte) error
}

// InterviewStore keeps interviews, their answers, returned-question notes,
// evidence and the assessor's decisions. Every write bumps the interview's
// revision; writers hold the assessment's lock (LockAssessment) first.
type InterviewStore interface {
	// CreateInterview stores a new interview and returns it numbered
	// (the next id in its assessment), at revision 1.
	CreateInterview(ctx context.Context, iv assess.Interview) (assess.Interview, error)
	// Interview returns one interview with its answers, notes, evidence
	// and decisions (kind NotFound if there is none).
	Interview(ctx context.Context, assessmentID string, id int64) (assess.Interview, error)
	// Interviews lists an assessment's interviews, complete, by id.
	Interviews(ctx context.Context, assessmentID string) ([]assess.Interview, error)
	// InterviewByToken finds the interview whose link token has this
	// hash (kind NotFound if none).
	InterviewByToken(ctx context.Context, tokenHash string) (assess.Interview, error)
	// InterviewBySession finds the interview a browser session is bound to.
	InterviewBySession(ctx context.Context, sessionHash string) (assess.Interview, error)
	// UpdateInterview stores the header, refs and decisions of iv if its
	// stored revision is baseRevision, and bumps the revision; otherwise
	// it fails with kind Conflict.
	UpdateInterview(ctx context.Context, iv assess.Interview, baseRevision int) (assess.Interview, error)
	// PutInterviewAnswer stores an answer if the stored answer's revision
	// is baseRevision (0: not answered yet), setting its revision to
	// baseRevision+1; otherwise it fails with kind Conflict.
	PutInterviewAnswer(ctx context.Context, assessmentID string, id int64, a assess.InterviewAnswer, baseRevision int) (assess.InterviewAnswer, error)
	AddInterviewNote(ctx context.Context, assessmentID string, id int64, n assess.InterviewNote) error
	// AddInterviewEvidence numbers ev in the assessment's evidence
	// numbering (shared with item evidence) and stores it with its file.
	AddInterviewEvidence(ctx context.Context, assessmentID string, id int64, ev assess.InterviewEvidence, content []byte) (assess.InterviewEvidence, error)
	// InterviewEvidenceContent returns evidence of an interview and its
	// file's content (nil for text and links).
	InterviewEvidenceContent(ctx context.Context, assessmentID string, id, evidenceID int64) (assess.InterviewEvidence, []byte, error)
}

// Summary is what a list shows of an assessment, taken at a revision:
// the header's id, organisation, lead and dates, and the headline figures.
// The scope is not kept with it.
type Summary struct {
	Assessment assess.Assessment
	Revision   int64
	assess.Headline
}

// Listing is an assessment in a list: its header, its revision and the
// summary kept for it, if any: the revision it was taken at (Kept, 0 when
// none is kept) and its figures. The summary is current only when Kept is
// the assessment's revision: every write changes the revision, so an
// older summary may be wrong and must be computed again. The figures sit
// in the listing itself, not behind a pointer: a list of ten thousand is
// one allocation, not ten thousand.
type Listing struct {
	Assessment assess.Assessment
	Revision   int64
	Kept       int64
	assess.Headline
}

// Current returns the kept summary if it is current.
func (l Listing) Current() (assess.Headline, bool) {
	if l.Kept == 0 || l.Kept != l.Revision {
		return assess.Headline{}, false
	}
	return l.Headline, true
}

// CatalogFile is a stored custom catalog.
type CatalogFile struct {
	ID, Version string
	Content     []byte
}

// HistoryQuery narrows History. Ids grow with every change recorded, so
// AfterID and BeforeID page through a history (keyset on id) without
// skipping or repeating an entry while new ones arrive.
type HistoryQuery struct {
	Ref      string    // only this item ("" = all, including assessment-level changes)
	Since    time.Time // only changes at or after this time
	AfterID  int64     // only changes with a greater id (0 = from the first)
	BeforeID int64     // only changes with a smaller id (0 = to the last)
	Limit    int       // at most this many, newest kept (0 = no limit)
	Oldest   bool      // with Limit: keep the oldest instead
}
