package storetest

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store"
)

// newInterview stores an interview of a's HR items.
func newInterview(t *testing.T, st store.Store, aid, name string) assess.Interview {
	t.Helper()
	iv, err := st.CreateInterview(context.Background(), assess.Interview{AssessmentID: aid, Name: name, Email: strings.ToLower(name) + "@example.com",
		Department: "HR", Refs: []string{"7.2", "6.2", "A.5.15"}, Due: assess.NewDate(2027, 1, 31), State: "draft", CreatedBy: "ann"})
	if err != nil {
		t.Fatal(err)
	}
	return iv
}

func testInterviews(t *testing.T, e Engine) {
	ctx := context.Background()
	st := fresh(t, e)
	a, _ := create(t, st, "Acme")
	other, _ := create(t, st, "Other")
	jana := newInterview(t, st, a.ID, "Jana")
	piet := newInterview(t, st, a.ID, "Piet")
	first := newInterview(t, st, other.ID, "Olga")
	if jana.ID != 1 || piet.ID != 2 || first.ID != 1 || jana.Revision != 1 || jana.CreatedAt.IsZero() {
		t.Fatalf("numbering: %d, %d, %d (revision %d)", jana.ID, piet.ID, first.ID, jana.Revision)
	}
	got, err := st.Interview(ctx, a.ID, 1)
	if err != nil || !reflect.DeepEqual(got, jana) {
		t.Fatalf("read back:\n%+v\n%+v (%v)", got, jana, err)
	}
	if _, err := st.Interview(ctx, a.ID, 9); assess.KindOf(err) != assess.KindNotFound {
		t.Errorf("missing interview: %v", err)
	}
	if _, err := st.CreateInterview(ctx, assess.Interview{AssessmentID: "nope", State: "draft"}); assess.KindOf(err) != assess.KindNotFound {
		t.Errorf("interview of a missing assessment: %v", err)
	}

	// Header, refs, tokens and decisions change together, guarded by the revision.
	next := got
	next.State, next.TokenHash, next.SessionHash = "sent", "tok-hash", "sess-hash"
	next.TokenExpires, next.SentAt = assess.Stamp(time.Now().Add(time.Hour)), assess.Stamp(time.Now())
	next.Refs = []string{"7.2", "A.5.15", "A.6.3"}
	next.Decisions = []assess.InterviewDecision{{Ref: "7.2", Score: 3, By: "ann", At: assess.Stamp(time.Now())}}
	upd, err := st.UpdateInterview(ctx, next, 1)
	if err != nil {
		t.Fatal(err)
	}
	if upd.Revision != 2 || upd.State != "sent" || !reflect.DeepEqual(upd.Refs, next.Refs) || !reflect.DeepEqual(upd.Decisions, next.Decisions) {
		t.Errorf("after update: %+v", upd)
	}
	if _, err := st.UpdateInterview(ctx, next, 1); assess.KindOf(err) != assess.KindConflict {
		t.Errorf("update on an old revision: %v, want a conflict", err)
	}
	bad := upd
	bad.Decisions = []assess.InterviewDecision{{Ref: "9.9", Score: 2, By: "ann"}}
	if _, err := st.UpdateInterview(ctx, bad, 0); assess.KindOf(err) != assess.KindInvalid {
		t.Errorf("a decision on a ref not covered: %v", err)
	}
	if byTok, err := st.InterviewByToken(ctx, "tok-hash"); err != nil || byTok.ID != 1 || byTok.AssessmentID != a.ID {
		t.Errorf("by token: %+v %v", byTok, err)
	}
	if bySess, err := st.InterviewBySession(ctx, "sess-hash"); err != nil || bySess.ID != 1 {
		t.Errorf("by session: %+v %v", bySess, err)
	}
	for _, h := range []string{"", "other", "TOK-HASH"} {
		if _, err := st.InterviewByToken(ctx, h); assess.KindOf(err) != assess.KindNotFound {
			t.Errorf("token %q: %v", h, err)
		}
	}
	dup := piet
	dup.TokenHash = "tok-hash"
	if _, err := st.UpdateInterview(ctx, dup, 0); err == nil {
		t.Error("two interviews got one token hash")
	}

	// Answers: one revision each, a stale one is a conflict, each in the item's history.
	ans := assess.InterviewAnswer{QuestionID: "A.5.15#1", Ref: "A.5.15", Kind: "yes", Comment: "in Okta", By: "Jana"}
	saved, err := st.PutInterviewAnswer(ctx, a.ID, 1, ans, 0)
	if err != nil || saved.Revision != 1 || saved.At.IsZero() {
		t.Fatalf("first answer: %+v %v", saved, err)
	}
	if _, err := st.PutInterviewAnswer(ctx, a.ID, 1, ans, 0); assess.KindOf(err) != assess.KindConflict || !strings.Contains(err.Error(), "A.5.15#1") {
		t.Errorf("a second first answer: %v, want a conflict naming the question", err)
	}
	ans.Kind = "partly"
	if saved, err = st.PutInterviewAnswer(ctx, a.ID, 1, ans, 1); err != nil || saved.Revision != 2 {
		t.Fatalf("second answer: %+v %v", saved, err)
	}
	if _, err := st.PutInterviewAnswer(ctx, a.ID, 1, assess.InterviewAnswer{QuestionID: "x#1", Ref: "9.9", Kind: "yes"}, 0); assess.KindOf(err) != assess.KindNotFound {
		t.Errorf("answer to an item that does not exist: %v", err)
	}
	hist, err := st.History(ctx, a.ID, store.HistoryQuery{Ref: "A.5.15"})
	if err != nil {
		t.Fatal(err)
	}
	var answered []assess.Change
	for _, h := range hist {
		if h.Field == "interview" {
			answered = append(answered, h)
		}
	}
	if len(answered) != 2 || answered[1].Actor != "Jana" || answered[1].Old != "interview 1, A.5.15#1: yes — in Okta" ||
		answered[1].New != "interview 1, A.5.15#1: partly — in Okta" {
		t.Errorf("history of answers: %+v", answered)
	}
	if it, _ := st.GetItem(ctx, a.ID, "A.5.15"); it.Version != 1 {
		t.Errorf("an answer changed the item's version to %d", it.Version)
	}

	// Evidence shares the assessment's numbering with item evidence.
	if _, err := st.AddEvidence(ctx, a.ID, "4.1", assess.Evidence{Kind: assess.EvidenceText, Text: "item", AddedBy: "ann"}, nil); err != nil {
		t.Fatal(err)
	}
	file := assess.InterviewEvidence{QuestionID: "A.5.15#1", Evidence: assess.Evidence{Kind: assess.EvidenceFile, FileName: "p.pdf", Size: 2, SHA256: "y", AddedBy: "Jana"}}
	ev, err := st.AddInterviewEvidence(ctx, a.ID, 1, file, []byte("pd"))
	if err != nil || ev.ID != 2 {
		t.Fatalf("interview evidence: id %d, %v; want 2", ev.ID, err)
	}
	if item, err := st.AddEvidence(ctx, a.ID, "4.1", assess.Evidence{Kind: assess.EvidenceText, Text: "again", AddedBy: "ann"}, nil); err != nil || item.ID != 3 {
		t.Errorf("item evidence after interview evidence: id %d, %v; want 3", item.ID, err)
	}
	gotEv, content, err := st.InterviewEvidenceContent(ctx, a.ID, 1, 2)
	if err != nil || string(content) != "pd" || gotEv.QuestionID != "A.5.15#1" || gotEv.FileName != "p.pdf" {
		t.Errorf("evidence content: %+v %q %v", gotEv, content, err)
	}
	if _, _, err := st.InterviewEvidenceContent(ctx, a.ID, 2, 2); assess.KindOf(err) != assess.KindNotFound {
		t.Errorf("evidence of interview 1 read through interview 2: %v", err)
	}
	if _, _, err := st.EvidenceContent(ctx, a.ID, 2); assess.KindOf(err) != assess.KindNotFound {
		t.Errorf("interview evidence read as item evidence: %v", err)
	}
	if err := st.AddInterviewNote(ctx, a.ID, 1, assess.InterviewNote{QuestionID: "A.5.15#1", Text: "which groups?", By: "ann"}); err != nil {
		t.Fatal(err)
	}
	full, err := st.Interview(ctx, a.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(full.Answers) != 1 || full.Answers[0].Kind != "partly" || len(full.Evidence) != 1 || len(full.Notes) != 1 ||
		full.Notes[0].At.IsZero() || full.Revision != 6 {
		t.Errorf("complete interview: %+v", full)
	}
	list, err := st.Interviews(ctx, a.ID)
	if err != nil || len(list) != 2 || !reflect.DeepEqual(list[0], full) || list[1].ID != 2 || len(list[1].Answers) != 0 {
		t.Errorf("list: %+v %v", list, err)
	}
	if err := st.DeleteAssessment(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.InterviewByToken(ctx, "tok-hash"); assess.KindOf(err) != assess.KindNotFound {
		t.Errorf("an interview outlived its assessment: %v", err)
	}
	if list, err := st.Interviews(ctx, other.ID); err != nil || len(list) != 1 {
		t.Errorf("the other assessment's interviews: %d, %v", len(list), err)
	}
}

// testInterviewRecord: exports and copies carry interviews and their files.
func testInterviewRecord(t *testing.T, e Engine) {
	ctx := context.Background()
	src := fresh(t, e)
	a, _ := create(t, src, "Acme")
	fill(t, src, a) // item evidence 1 (a file) and 2
	iv := newInterview(t, src, a.ID, "Jana")
	if _, err := src.PutInterviewAnswer(ctx, a.ID, iv.ID, assess.InterviewAnswer{QuestionID: "7.2#1", Ref: "7.2", Kind: "no", Comment: "plan: Q3", By: "Jana"}, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := src.AddInterviewEvidence(ctx, a.ID, iv.ID, assess.InterviewEvidence{QuestionID: "7.2#1",
		Evidence: assess.Evidence{Kind: assess.EvidenceFile, FileName: "cv.txt", Size: 3, SHA256: "z", AddedBy: "Jana"}}, []byte("abc")); err != nil {
		t.Fatal(err)
	}
	if err := src.AddInterviewNote(ctx, a.ID, iv.ID, assess.InterviewNote{QuestionID: "7.2#1", Text: "when?", By: "ann"}); err != nil {
		t.Fatal(err)
	}
	rec, err := src.Record(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Interviews) != 1 || len(rec.Interviews[0].Answers) != 1 || len(rec.Interviews[0].Evidence) != 1 || rec.Interviews[0].Evidence[0].ID != 3 {
		t.Fatalf("record's interviews: %+v", rec.Interviews)
	}
	files := filesOf(t, src, a.ID)
	if len(files) != 2 || string(files[3]) != "abc" {
		t.Fatalf("files: %v, want the item's and the interview's", files)
	}
	loadWithFiles(t, e, rec, files)
	dst2 := fresh(t, e)
	if err := dst2.LoadRecord(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if err := dst2.PutEvidenceFile(ctx, a.ID, 3, files[3]); err != nil {
		t.Fatal(err)
	}
	if _, content, err := dst2.InterviewEvidenceContent(ctx, a.ID, iv.ID, 3); err != nil || string(content) != "abc" {
		t.Errorf("interview file put after a load: %q %v", content, err)
	}
	if next, err := dst2.AddEvidence(ctx, a.ID, "4.1", assess.Evidence{Kind: assess.EvidenceText, Text: "n", AddedBy: "ann"}, nil); err != nil || next.ID != 4 {
		t.Errorf("evidence after a load: id %d, %v; want 4", next.ID, err)
	}
}
