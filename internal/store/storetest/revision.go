package storetest

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store"
)

// testRevision: every kind of write to an assessment raises its revision,
// in the same transaction (a rolled-back write raises nothing); reads and
// another assessment's writes leave it alone.
func testRevision(t *testing.T, e Engine) {
	ctx := context.Background()
	st := fresh(t, e)
	a, items := create(t, st, "Acme")
	other, _ := create(t, st, "Other")
	ann, _ := st.CreateUser(ctx, assess.User{Login: "ann", Name: "Ann"}, "h", false)
	if _, err := st.Revision(ctx, "nope"); assess.KindOf(err) != assess.KindNotFound {
		t.Errorf("revision of an unknown assessment: %v", err)
	}
	rev := func(id string) int64 {
		t.Helper()
		r, err := st.Revision(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	last, lastOther := rev(a.ID), rev(other.ID)
	covered := map[string]bool{}
	step := func(what string, write func() error) {
		t.Helper()
		covered[strings.Fields(what)[0]] = true
		if err := write(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if now := rev(a.ID); now <= last {
			t.Errorf("%s: revision %d, was %d: not raised", what, now, last)
		} else {
			last = now
		}
		if rev(other.ID) != lastOther {
			t.Errorf("%s raised another assessment's revision", what)
		}
	}
	it := items[0]
	it.Score = 3
	step("UpdateItem", func() error {
		_, err := st.UpdateItem(ctx, a.ID, it, 1, "ann", []assess.Change{{Ref: it.Ref, Field: "score", New: "3"}})
		return err
	})
	b := a
	b.Scope = "Less"
	step("UpdateAssessment", func() error {
		_, err := st.UpdateAssessment(ctx, b, a.Version, "ann", assess.DiffAssessments(a, b))
		return err
	})
	var ev assess.Evidence
	step("AddEvidence", func() error {
		var err error
		ev, err = st.AddEvidence(ctx, a.ID, "4.1", assess.Evidence{Kind: assess.EvidenceText, Text: "policy", AddedBy: "ann"}, nil)
		return err
	})
	step("RemoveEvidence", func() error { return st.RemoveEvidence(ctx, a.ID, ev.ID, "ann") })
	m := assess.Membership{AssessmentID: a.ID, UserID: ann.ID, Role: assess.RoleContributor, Departments: []string{"HR"}}
	step("PutMembership", func() error { return st.PutMembership(ctx, m) })
	m.Departments = []string{"HR", "Legal & Compliance"}
	step("PutMembership again", func() error { return st.PutMembership(ctx, m) })
	step("DeleteMembership", func() error { return st.DeleteMembership(ctx, a.ID, ann.ID) })
	step("PutPlanSettings", func() error {
		_, err := st.PutPlanSettings(ctx, a.ID, map[string]string{"day_rate": "650"}, 0, "ann", nil)
		return err
	})
	snap := store.Snapshot{AssessmentID: a.ID, Name: "baseline", CreatedAt: assess.Stamp(time.Now()), CreatedBy: "ann", Assessment: a, Items: items}
	step("CreateSnapshot", func() error { return st.CreateSnapshot(ctx, snap) })
	step("DeleteSnapshot", func() error { return st.DeleteSnapshot(ctx, a.ID, "baseline") })
	var iv assess.Interview
	step("CreateInterview", func() error {
		var err error
		iv, err = st.CreateInterview(ctx, assess.Interview{AssessmentID: a.ID, Name: "Jana", State: "draft", Refs: []string{"7.2"}})
		return err
	})
	step("PutInterviewAnswer", func() error {
		_, err := st.PutInterviewAnswer(ctx, a.ID, iv.ID, assess.InterviewAnswer{QuestionID: "7.2#1", Ref: "7.2", Kind: "yes", By: "Jana"}, 0)
		return err
	})
	step("UpdateInterview", func() error {
		cur, err := st.Interview(ctx, a.ID, iv.ID)
		if err != nil {
			return err
		}
		next := cur
		next.State = "sent"
		_, err = st.UpdateInterview(ctx, next, cur.Revision)
		return err
	})

	step("AddInterviewNote", func() error {
		return st.AddInterviewNote(ctx, a.ID, iv.ID, assess.InterviewNote{QuestionID: "7.2#1", Text: "which policy?", By: "ann"})
	})
	step("AddInterviewEvidence", func() error {
		_, err := st.AddInterviewEvidence(ctx, a.ID, iv.ID, assess.InterviewEvidence{QuestionID: "7.2#1",
			Evidence: assess.Evidence{Kind: assess.EvidenceText, Text: "the policy", AddedBy: "Jana"}}, nil)
		return err
	})
	// Several writes in one transaction raise it (once is enough).
	step("InTx with several writes", func() error {
		return st.InTx(ctx, func(tx store.Store) error {
			cur, err := tx.GetItem(ctx, a.ID, "5.1")
			if err != nil {
				return err
			}
			cur.Owner = "Ann"
			if _, err := tx.UpdateItem(ctx, a.ID, cur, cur.Version, "ann", []assess.Change{{Ref: cur.Ref, Field: "owner", New: "Ann"}}); err != nil {
				return err
			}
			_, err = tx.AddEvidence(ctx, a.ID, "5.1", assess.Evidence{Kind: assess.EvidenceText, Text: "minutes", AddedBy: "ann"}, nil)
			return err
		})
	})

	// A write that rolls back leaves the revision where it was.
	boom := errors.New("boom")
	err := st.InTx(ctx, func(tx store.Store) error {
		cur, err := tx.GetItem(ctx, a.ID, it.Ref)
		if err != nil {
			return err
		}
		cur.Score = 4
		if _, err := tx.UpdateItem(ctx, a.ID, cur, cur.Version, "ann", nil); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("the rolled-back write: %v", err)
	}
	if rev(a.ID) != last {
		t.Errorf("a rolled-back write moved the revision from %d to %d", last, rev(a.ID))
	}

	// Reads change nothing.
	if _, err := st.ListItems(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Record(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if rev(a.ID) != last {
		t.Errorf("reads moved the revision")
	}

	// An imported record starts at a revision of its own, raised by later writes.
	rec, err := st.Record(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	rec.Assessment.ID = assess.NewID()
	if err := st.LoadRecord(ctx, rec); err != nil {
		t.Fatal(err)
	}
	before := rev(rec.Assessment.ID)
	if _, err := st.AddEvidence(ctx, rec.Assessment.ID, "4.1", assess.Evidence{Kind: assess.EvidenceText, Text: "x", AddedBy: "ann"}, nil); err != nil {
		t.Fatal(err)
	}
	if rev(rec.Assessment.ID) <= before {
		t.Errorf("a write to the imported copy did not raise its revision")
	}
	// A copy loads the record without its files and adds each afterwards.
	covered["LoadRecord"], covered["PutEvidenceFile"] = true, true
	withFile := rec
	withFile.Assessment.ID = assess.NewID()
	withFile.Items = slices.Clone(rec.Items)
	withFile.Items[0].Evidence = []assess.Evidence{{ID: 900, Kind: assess.EvidenceFile, FileName: "a.pdf", Size: 1, SHA256: "x", AddedBy: "ann"}}
	if err := st.LoadRecord(ctx, withFile); err != nil {
		t.Fatal(err)
	}
	before = rev(withFile.Assessment.ID)
	if err := st.PutEvidenceFile(ctx, withFile.Assessment.ID, 900, []byte("%")); err != nil {
		t.Fatal(err)
	}
	if rev(withFile.Assessment.ID) <= before {
		t.Errorf("PutEvidenceFile did not raise the revision")
	}
	// Deleting an assessment with all its rows raises nothing it could
	// show again: the same record loaded again under the same id never
	// shows a revision the assessment had before (a page cached then
	// would pass for current).
	seen := rev(rec.Assessment.ID)
	if err := st.DeleteAssessment(ctx, rec.Assessment.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Revision(ctx, rec.Assessment.ID); assess.KindOf(err) != assess.KindNotFound {
		t.Errorf("revision of a deleted assessment: %v", err)
	}
	if err := st.LoadRecord(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if again := rev(rec.Assessment.ID); again <= seen {
		t.Errorf("loaded again: revision %d, it had %d before its deletion", again, seen)
	}
	// Deleted again after writes of its own, and created anew (not
	// imported) under the same id: still above anything it had.
	covered["DeleteAssessment"], covered["CreateAssessment"] = true, true
	if _, err := st.AddEvidence(ctx, rec.Assessment.ID, "4.1", assess.Evidence{Kind: assess.EvidenceText, Text: "y", AddedBy: "ann"}, nil); err != nil {
		t.Fatal(err)
	}
	seen = rev(rec.Assessment.ID)
	if err := st.DeleteAssessment(ctx, rec.Assessment.ID); err != nil {
		t.Fatal(err)
	}
	fresh, freshItems := NewAssessment("Acme again")
	fresh.ID = rec.Assessment.ID
	if err := st.CreateAssessment(ctx, fresh, freshItems); err != nil {
		t.Fatal(err)
	}
	if again := rev(fresh.ID); again <= seen {
		t.Errorf("created again: revision %d, it had %d before its deletion", again, seen)
	}

	// Every method of the store that writes an assessment's rows is tried
	// above; a new one must be added there (or below, if it writes none).
	writesNothing := []string{"PutCatalog", "GetCatalog", "Catalogs", "GetAssessment", "Revision", "ListAssessments", "Scopes",
		"LockAssessment", "ListItems", "ListItemsOf", "ScoresOf", "GetItem", "GetItemAt", "EvidenceContent", "History", "Record", "EvidenceFiles",
		"Interview", "Interviews", "InterviewByToken", "InterviewBySession", "InterviewEvidenceContent",
		"PlanSettings", "Snapshot", "Snapshots",
		"CreateUser", "GetUser", "UserByLogin", "ListUsers", "CountUsers", "UpdateUser", "SetPassword",
		"CreateSession", "Session", "ExtendSession", "DeleteSession", "DeleteSessions", "DeleteExpired",
		"Membership", "Members", "MembershipsOf", "RecordLoginFailure", "LoginFailures", "ClearLoginFailures",
		"CreateToken", "Tokens", "TokenByHash", "RevokeToken", "TouchToken",
		"Settings", "PutSetting", "AddSecurityEvent", "SecurityEvents",
		"SSOProviders", "SSOProvider", "PutSSOProvider", "DeleteSSOProvider", "IdentityUser", "Identities", "LinkIdentity",
		"UnlinkIdentity", "PutSSOState", "TakeSSOState",
		"ClaimIdempotencyKey", "FinishIdempotencyKey", "ReleaseIdempotencyKey",
		"StepSession", "TakeSession", "TouchSession", "SetCeremony", "UserSessions", "DeleteSessionByID", "DeleteOtherSessions",
		"AddFactor", "Factors", "ConfirmFactor", "UseFactorStep", "UpdateFactorSecret", "DeleteFactor", "DeleteFactors", "FactorCounts",
		"SetRecoveryCodes", "UseRecoveryCode", "RecoveryCodesLeft",
		"InTx", "ReadTx", "Engine", "Close",
		// Summaries are derived from a revision: keeping one must leave
		// the revision alone (testSummaries checks it).
		"Listings", "PutSummaries"}
	api := reflect.TypeFor[store.Store]()
	for i := range api.NumMethod() {
		name := api.Method(i).Name
		if !covered[name] && !slices.Contains(writesNothing, name) {
			t.Errorf("store.Store.%s: not known to raise the revision; add it to testRevision", name)
		}
	}
}

// testItemAtRevision: GetItemAt reads an item as GetItem does, with the
// revision it is at; a lock taken with no write in between raises that
// revision by exactly one, and by more after any write, which is what lets
// a writer trust an item it read before the lock.
func testItemAtRevision(t *testing.T, e Engine) {
	ctx := context.Background()
	st := fresh(t, e)
	a, items := create(t, st, "Acme")
	if _, err := st.AddEvidence(ctx, a.ID, items[0].Ref, assess.Evidence{Kind: assess.EvidenceLink, Text: "Policy", URL: "https://example.com/p", AddedBy: "ann"}, nil); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{items[0].Ref, items[1].Ref} {
		want, err := st.GetItem(ctx, a.ID, ref)
		if err != nil {
			t.Fatal(err)
		}
		got, rev, err := st.GetItemAt(ctx, a.ID, ref)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("GetItemAt(%s) = %+v, %v; GetItem gives %+v", ref, got, err, want)
		}
		if now, _ := st.Revision(ctx, a.ID); rev != now {
			t.Errorf("GetItemAt(%s) at revision %d, the assessment is at %d", ref, rev, now)
		}
	}
	if _, _, err := st.GetItemAt(ctx, a.ID, "Z.9"); assess.KindOf(err) != assess.KindNotFound {
		t.Errorf("unknown item: %v", err)
	}
	if _, _, err := st.GetItemAt(ctx, "nope", items[0].Ref); assess.KindOf(err) != assess.KindNotFound {
		t.Errorf("unknown assessment: %v", err)
	}
	// Read, then lock: the revision the lock leaves tells whether anything
	// was written in between.
	lock := func() int64 {
		t.Helper()
		var locked int64
		err := st.InTx(ctx, func(tx store.Store) error {
			if err := tx.LockAssessment(ctx, a.ID); err != nil {
				return err
			}
			var err error
			locked, err = tx.Revision(ctx, a.ID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return locked
	}
	var read, locked int64
	err := st.InTx(ctx, func(tx store.Store) error {
		var err error
		if _, read, err = tx.GetItemAt(ctx, a.ID, items[1].Ref); err != nil {
			return err
		}
		if err := tx.LockAssessment(ctx, a.ID); err != nil {
			return err
		}
		locked, err = tx.Revision(ctx, a.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if locked != read+1 {
		t.Errorf("nothing written between: read at %d, locked at %d, want %d", read, locked, read+1)
	}
	_, read, err = st.GetItemAt(ctx, a.ID, items[1].Ref)
	if err != nil {
		t.Fatal(err)
	}
	it := items[1]
	it.Score = 4
	if _, err := st.UpdateItem(ctx, a.ID, it, it.Version, "ann", []assess.Change{{Ref: it.Ref, Field: "score", New: "4"}}); err != nil {
		t.Fatal(err)
	}
	if locked := lock(); locked == read+1 {
		t.Errorf("a save between: read at %d, locked at %d, as if nothing had been written", read, locked)
	}
}

// testHeaderInWriteTransaction: inside a write transaction that locked the
// assessment, GetAssessment answers what is stored at that moment: after
// an item save moved its last update, after a header change, and whatever
// the caller did to what it got before.
func testHeaderInWriteTransaction(t *testing.T, e Engine) {
	ctx := context.Background()
	st := fresh(t, e)
	a, items := createHourAgo(t, st, "Acme")
	err := st.InTx(ctx, func(tx store.Store) error {
		if err := tx.LockAssessment(ctx, a.ID); err != nil {
			return err
		}
		got, err := tx.GetAssessment(ctx, a.ID)
		if err != nil || !reflect.DeepEqual(got, a) {
			t.Errorf("after the lock: %+v, %v", got, err)
		}
		got.Stakeholders[0].Name = "Mallory"
		got.Boundaries.Units[0] = "Mallory"
		if again, err := tx.GetAssessment(ctx, a.ID); err != nil || !reflect.DeepEqual(again, a) {
			t.Errorf("after the caller changed what it got: %+v, %v", again, err)
		}
		cur := items[0]
		cur.Score = 2
		if _, err := tx.UpdateItem(ctx, a.ID, cur, cur.Version, "ann", []assess.Change{{Field: "score", New: "2"}}); err != nil {
			return err
		}
		after, err := tx.GetAssessment(ctx, a.ID)
		if err != nil {
			return err
		}
		if !after.UpdatedAt.After(a.UpdatedAt) || after.Stakeholders[0].Name != "Ann" || after.Boundaries.Units[0] != "Eng" {
			t.Errorf("after an item save: %+v", after)
		}
		next := after
		next.Org = "Acme Group"
		if _, err := tx.UpdateAssessment(ctx, next, after.Version, "ann", assess.DiffAssessments(after, next)); err != nil {
			return err
		}
		if again, err := tx.GetAssessment(ctx, a.ID); err != nil || again.Org != "Acme Group" || again.Version != after.Version+1 {
			t.Errorf("after a header change: %+v, %v", again, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
