package storetest

import (
	"context"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/assess"
)

func testUsers(t *testing.T, e Engine) {
	ctx := context.Background()
	st := fresh(t, e)
	if n, err := st.CountUsers(ctx); err != nil || n != 0 {
		t.Fatalf("fresh store has %d users (%v)", n, err)
	}
	ann, err := st.CreateUser(ctx, assess.User{Login: "ann", Name: "Ann Example", Email: "ann@example.com", Admin: true}, "hash-a", true)
	if err != nil {
		t.Fatal(err)
	}
	if ann.ID == 0 || ann.CreatedAt.IsZero() {
		t.Errorf("created user: %+v", ann)
	}
	// The first-run setup succeeds once only.
	if _, err := st.CreateUser(ctx, assess.User{Login: "eve", Name: "Eve"}, "x", true); assess.KindOf(err) != assess.KindConflict {
		t.Errorf("second first-run admin: %v, want a conflict", err)
	}
	if _, err := st.CreateUser(ctx, assess.User{Login: "ann", Name: "Other Ann"}, "x", false); assess.KindOf(err) != assess.KindConflict {
		t.Errorf("duplicate login: %v, want a conflict", err)
	}
	bob, err := st.CreateUser(ctx, assess.User{Login: "bob", Name: "Bob"}, "hash-b", false)
	if err != nil {
		t.Fatal(err)
	}
	got, hash, err := st.UserByLogin(ctx, "ann")
	if err != nil || hash != "hash-a" || !reflect.DeepEqual(got, ann) {
		t.Errorf("by login: %+v %q %v, want %+v", got, hash, err, ann)
	}
	if _, _, err := st.UserByLogin(ctx, "nobody"); assess.KindOf(err) != assess.KindNotFound {
		t.Errorf("unknown login: %v", err)
	}
	bob.Name, bob.Disabled, bob.Email = "Bob Builder", true, "bob@example.com"
	if err := st.UpdateUser(ctx, bob); err != nil {
		t.Fatal(err)
	}
	if err := st.SetPassword(ctx, bob.ID, "hash-b2"); err != nil {
		t.Fatal(err)
	}
	got, hash, _ = st.UserByLogin(ctx, "bob")
	if got.Name != "Bob Builder" || !got.Disabled || hash != "hash-b2" {
		t.Errorf("after update: %+v %q", got, hash)
	}
	if err := st.SetPassword(ctx, 9999, "x"); assess.KindOf(err) != assess.KindNotFound {
		t.Errorf("password of an unknown user: %v", err)
	}
	list, err := st.ListUsers(ctx)
	if err != nil || len(list) != 2 || list[0].Login != "ann" || list[1].Login != "bob" {
		t.Errorf("list: %+v %v", list, err)
	}
	if u, err := st.GetUser(ctx, ann.ID); err != nil || u.Login != "ann" {
		t.Errorf("get: %+v %v", u, err)
	}
}

func testFirstAdminRace(t *testing.T, e Engine) {
	ctx := context.Background()
	dsn := e.Fresh(t)
	s1, s2 := e.Open(t, dsn), e.Open(t, dsn)
	defer s1.Close()
	defer s2.Close()
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := []interface {
				CreateUser(context.Context, assess.User, string, bool) (assess.User, error)
			}{s1, s2}[i%2]
			_, errs[i] = st.CreateUser(ctx, assess.User{Login: "admin" + string(rune('a'+i)), Name: "A", Admin: true}, "h", true)
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if assess.KindOf(err) != assess.KindConflict {
			t.Errorf("racing setup: %v", err)
		}
	}
	if n, _ := s1.CountUsers(ctx); ok != 1 || n != 1 {
		t.Errorf("%d first-run admins succeeded, %d users stored; want exactly 1", ok, n)
	}
}

func testSessions(t *testing.T, e Engine) {
	ctx := context.Background()
	st := fresh(t, e)
	u, err := st.CreateUser(ctx, assess.User{Login: "ann", Name: "Ann"}, "h", false)
	if err != nil {
		t.Fatal(err)
	}
	now := assess.Stamp(time.Now())
	s := assess.Session{TokenHash: "t1", UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := st.CreateSession(ctx, s); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateSession(ctx, assess.Session{TokenHash: "t2", UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	got, gu, err := st.Session(ctx, "t1", now)
	if err != nil || gu.Login != "ann" || !got.ExpiresAt.Equal(s.ExpiresAt) || got.UserID != u.ID {
		t.Errorf("session: %+v %+v %v", got, gu, err)
	}
	if _, _, err := st.Session(ctx, "t1", now.Add(2*time.Hour)); assess.KindOf(err) != assess.KindUnauthenticated {
		t.Errorf("expired session: %v, want unauthenticated", err)
	}
	if err := st.ExtendSession(ctx, "t1", now.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.Session(ctx, "t1", now.Add(2*time.Hour)); err != nil {
		t.Errorf("extended session: %v", err)
	}
	if err := st.DeleteSession(ctx, "t1"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.Session(ctx, "t1", now); assess.KindOf(err) != assess.KindUnauthenticated {
		t.Errorf("deleted session: %v", err)
	}
	if err := st.DeleteSessions(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.Session(ctx, "t2", now); assess.KindOf(err) != assess.KindUnauthenticated {
		t.Errorf("signed out everywhere, yet: %v", err)
	}
	st.CreateSession(ctx, assess.Session{TokenHash: "old", UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Minute)})
	if err := st.DeleteExpired(ctx, now.Add(time.Hour), now); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.Session(ctx, "old", now); assess.KindOf(err) != assess.KindUnauthenticated {
		t.Errorf("expired session not purged: %v", err)
	}
}

func testMemberships(t *testing.T, e Engine) {
	ctx := context.Background()
	st := fresh(t, e)
	a, _ := create(t, st, "Acme")
	b, _ := create(t, st, "Beta")
	ann, _ := st.CreateUser(ctx, assess.User{Login: "ann", Name: "Ann"}, "h", false)
	bob, _ := st.CreateUser(ctx, assess.User{Login: "bob", Name: "Bob"}, "h", false)
	m := assess.Membership{AssessmentID: a.ID, UserID: ann.ID, Role: assess.RoleContributor,
		Departments: []string{"HR", "Legal & Compliance"}, Refs: []string{"A.5.15"}}
	if err := st.PutMembership(ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := st.PutMembership(ctx, assess.Membership{AssessmentID: b.ID, UserID: ann.ID, Role: assess.RoleAuditor, Expires: assess.NewDate(2030, 1, 31)}); err != nil {
		t.Fatal(err)
	}
	if err := st.PutMembership(ctx, assess.Membership{AssessmentID: a.ID, UserID: bob.ID, Role: assess.RoleAssessor}); err != nil {
		t.Fatal(err)
	}
	if err := st.PutMembership(ctx, assess.Membership{AssessmentID: "nope", UserID: bob.ID, Role: assess.RoleViewer}); assess.KindOf(err) != assess.KindNotFound {
		t.Errorf("membership of an unknown assessment: %v", err)
	}
	got, err := st.Membership(ctx, a.ID, ann.ID)
	if err != nil || got.Role != assess.RoleContributor || !reflect.DeepEqual(got.Departments, m.Departments) || !reflect.DeepEqual(got.Refs, m.Refs) {
		t.Errorf("membership: %+v %v", got, err)
	}
	if _, err := st.Membership(ctx, b.ID, bob.ID); assess.KindOf(err) != assess.KindNotFound {
		t.Errorf("no membership: %v", err)
	}
	// Replacing keeps one row.
	m.Role, m.Departments = assess.RoleViewer, nil
	if err := st.PutMembership(ctx, m); err != nil {
		t.Fatal(err)
	}
	members, err := st.Members(ctx, a.ID)
	if err != nil || len(members) != 2 || members[0].User.Login != "ann" || members[0].Role != assess.RoleViewer || members[1].User.Name != "Bob" {
		t.Errorf("members: %+v %v", members, err)
	}
	mine, err := st.MembershipsOf(ctx, ann.ID)
	if err != nil || len(mine) != 2 {
		t.Fatalf("memberships of ann: %+v %v", mine, err)
	}
	for _, x := range mine {
		if x.AssessmentID == b.ID && (x.Role != assess.RoleAuditor || x.Expires != assess.NewDate(2030, 1, 31)) {
			t.Errorf("auditor membership: %+v", x)
		}
	}
	if err := st.DeleteMembership(ctx, a.ID, ann.ID); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteMembership(ctx, a.ID, ann.ID); assess.KindOf(err) != assess.KindNotFound {
		t.Errorf("second delete: %v", err)
	}
	// Deleting an assessment removes its memberships.
	if err := st.DeleteAssessment(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if list, _ := st.MembershipsOf(ctx, bob.ID); len(list) != 0 {
		t.Errorf("memberships of a deleted assessment remain: %+v", list)
	}
}

func testLoginFailures(t *testing.T, e Engine) {
	ctx := context.Background()
	st := fresh(t, e)
	now := assess.Stamp(time.Now())
	for i := 0; i < 3; i++ {
		if err := st.RecordLoginFailure(ctx, "user:ann", now.Add(-time.Duration(i)*10*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	st.RecordLoginFailure(ctx, "ip:127.0.0.1", now)
	if n, err := st.LoginFailures(ctx, "user:ann", now.Add(-15*time.Minute)); err != nil || n != 2 {
		t.Errorf("failures in the window: %d %v, want 2", n, err)
	}
	if err := st.ClearLoginFailures(ctx, "user:ann"); err != nil {
		t.Fatal(err)
	}
	if n, _ := st.LoginFailures(ctx, "user:ann", now.Add(-time.Hour)); n != 0 {
		t.Errorf("after clearing: %d", n)
	}
	if n, _ := st.LoginFailures(ctx, "ip:127.0.0.1", now.Add(-time.Hour)); n != 1 {
		t.Errorf("another key was cleared too: %d", n)
	}
}
