package app_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/catalog"
	"github.com/isogap/isogap/internal/store"
	"github.com/isogap/isogap/internal/store/open"
	"github.com/isogap/isogap/internal/testenv"
)

func sqliteStore(t testing.TB) (store.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "isogap.db")
	st, err := open.Store(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, path
}

func postgresStore(t *testing.T) store.Store {
	t.Helper()
	st, err := open.StoreInit(context.Background(), testenv.PostgresSchema(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

const customCatalog = `{"format":"isogap-catalog/v1","id":"acme-baseline","name":"Acme baseline","version":"3","departments":["IT"],
  "sections":[{"id":"P","kind":"clause","title":"Policy"},{"id":"T","kind":"control","title":"Technical"}],
  "items":[{"ref":"1.1","kind":"clause","section":"P","title":"Policy","questions":["Is there one?"],"evidence":[],"department":"IT","effort_days":2},
           {"ref":"A.1.1","kind":"control","section":"T","title":"MFA","questions":["Is MFA on?"],"evidence":[],"department":"IT","effort_days":3}]}`

// seed fills a store with a demo, a scored assessment with a file and a
// custom-catalog assessment.
func seed(t *testing.T, st store.Store) []string {
	t.Helper()
	ctx := context.Background()
	svc := app.New(st, app.Config{Clock: func() time.Time { return time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC) }})
	demo, err := svc.CreateDemo(ctx, app.System("test"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := svc.CreateAssessment(ctx, app.System("test"), app.NewAssessment{Org: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	five := assess.Score(5)
	if _, err := svc.UpdateItem(ctx, app.System("ann"), a.ID, "A.8.13", 0, app.ItemPatch{Score: &five}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddEvidence(ctx, app.System("ann"), a.ID, "A.8.13", app.NewEvidence{FileName: "restore.pdf", ContentType: "application/pdf", Content: []byte("%PDF-1.7\x00\xff")}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetPlan(ctx, app.System("ann"), demo.ID, app.PlanEdit{Set: map[string]string{"day_rate": "700", "currency": "EUR"}, BaseVersion: -1}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateSnapshot(ctx, app.System("ann"), demo.ID, "baseline"); err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.Parse(strings.NewReader(customCatalog))
	if err != nil {
		t.Fatal(err)
	}
	c, err := svc.CreateAssessment(ctx, app.System("test"), app.NewAssessment{Org: "Custom", Catalog: cat, CatalogFile: []byte(customCatalog)})
	if err != nil {
		t.Fatal(err)
	}
	sys := app.System("test")
	for _, u := range []app.NewUser{
		{Login: "dana", Name: "Dana Whitfield", Email: "dana@example.com", Password: "correct horse battery", Admin: true},
		{Login: "priya", Name: "Priya Natarajan", Password: "another long password"},
		{Login: "audrey", Name: "Audrey Auditor", Password: "yet another password"},
	} {
		if _, err := svc.CreateUser(ctx, sys, u); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range []struct {
		aid string
		in  app.MemberInput
	}{
		{demo.ID, app.MemberInput{Login: "priya", Role: "contributor", Departments: []string{"DevOps/Engineering"}, Refs: []string{"A.5.15"}}},
		{demo.ID, app.MemberInput{Login: "audrey", Role: "auditor", Expires: "2027-06-30"}},
		{a.ID, app.MemberInput{Login: "dana", Role: "assessor"}},
	} {
		if _, err := svc.PutMember(ctx, sys, m.aid, m.in); err != nil {
			t.Fatal(err)
		}
	}
	return []string{demo.ID, a.ID, c.ID}
}

// accounts lists logins with their password hashes and flags, and every
// membership by login, for comparing two databases.
func accounts(t *testing.T, st store.Store, ids []string) []string {
	t.Helper()
	ctx := context.Background()
	users, err := st.ListUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, u := range users {
		_, hash, _ := st.UserByLogin(ctx, u.Login)
		out = append(out, fmt.Sprintf("user %s %s %s admin=%v disabled=%v %s %s", u.Login, u.Name, u.Email, u.Admin, u.Disabled, u.CreatedAt, hash))
	}
	for _, id := range ids {
		ms, err := st.Members(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			out = append(out, fmt.Sprintf("member %s %s %s %v %v %s %s", id, m.User.Login, m.Role, m.Departments, m.Refs, m.Expires, m.CreatedAt))
		}
	}
	return out
}

func records(t *testing.T, st store.Store, ids []string) []assess.Record {
	t.Helper()
	var out []assess.Record
	for _, id := range ids {
		r, err := st.Record(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func TestCopyRoundTripSQLitePostgresSQLite(t *testing.T) {
	ctx := context.Background()
	src, _ := sqliteStore(t)
	ids := seed(t, src)
	// priya's tokens: one in use, one revoked (which stays behind).
	tokSvc := app.New(src, app.Config{})
	var secrets []string
	for _, name := range []string{"ci", "old"} {
		made, err := tokSvc.CreateToken(ctx, app.System("t"), app.NewToken{User: "priya", Name: name, Expires: tokSvc.Now().AddDate(0, 1, 0)})
		if err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, made.Secret)
		if name == "old" {
			if err := tokSvc.RevokeUserToken(ctx, app.System("t"), "priya", made.Token.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	pg := postgresStore(t)
	rep, err := copyDB(ctx, src, pg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Assessments != 3 || rep.Catalogs != 1 || rep.Items != 123*2+2 || rep.Evidence == 0 || rep.History == 0 ||
		rep.Users != 3 || rep.Memberships != 3 || rep.UsersKept != 0 {
		t.Errorf("report %+v", rep)
	}
	back, _ := sqliteStore(t)
	if _, err := copyDB(ctx, pg, back, nil); err != nil {
		t.Fatal(err)
	}
	if a, b := accounts(t, src, ids), accounts(t, back, ids); strings.Join(a, "\n") != strings.Join(b, "\n") || len(a) != 6 {
		t.Errorf("accounts differ after the round trip:\n%s\n---\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
	// Scripts keep their token; a revoked one stays revoked.
	backSvc := app.New(back, app.Config{})
	if p, err := backSvc.ResolveToken(ctx, secrets[0]); err != nil || p.User.Login != "priya" {
		t.Errorf("priya's token on the copy: %+v %v", p.User, err)
	}
	if _, err := backSvc.ResolveToken(ctx, secrets[1]); err == nil {
		t.Error("a revoked token works on the copy")
	}
	// A copied account signs in with its old password.
	if _, err := app.New(back, app.Config{}).Authenticate(ctx, "priya", "another long password", "127.0.0.1"); err != nil {
		t.Errorf("sign-in on the copy: %v", err)
	}
	want, got := records(t, src, ids), records(t, back, ids)
	if want[0].Plan == nil || len(want[0].Snapshots) != 1 {
		t.Fatalf("the seed lacks a plan or a snapshot")
	}
	for i := range want {
		if err := assess.DiffRecords(want[i], got[i]); err != nil {
			t.Error(err)
		}
	}
	// The figures agree too, including the custom catalog's.
	for _, id := range ids {
		v1, err1 := viewOf(ctx, src, id)
		v2, err2 := viewOf(ctx, back, id)
		if err1 != nil || err2 != nil || v1.Result.Overall != v2.Result.Overall {
			t.Errorf("%s: figures differ after the round trip (%v %v)", id, err1, err2)
		}
	}
	_, content, err := back.EvidenceContent(ctx, ids[1], 1)
	if err != nil || !bytes.Equal(content, []byte("%PDF-1.7\x00\xff")) {
		t.Errorf("file evidence after the round trip: %q %v", content, err)
	}
}

func TestCopyKeepsTargetAccounts(t *testing.T) {
	ctx := context.Background()
	src, _ := sqliteStore(t)
	ids := seed(t, src)
	dst, _ := sqliteStore(t)
	// The target already has its own "dana", with another password.
	if _, err := app.New(dst, app.Config{}).CreateUser(ctx, app.System("test"), app.NewUser{Login: "dana", Name: "Dana W.", Password: "the target's own password"}); err != nil {
		t.Fatal(err)
	}
	rep, err := copyDB(ctx, src, dst, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Users != 2 || rep.UsersKept != 1 || rep.Memberships != 3 {
		t.Errorf("report %+v", rep)
	}
	if _, err := app.New(dst, app.Config{}).Authenticate(ctx, "dana", "the target's own password", "127.0.0.1"); err != nil {
		t.Errorf("the target's account was replaced: %v", err)
	}
	ms, err := dst.Members(ctx, ids[1])
	if err != nil || len(ms) != 1 || ms[0].User.Login != "dana" || ms[0].User.Name != "Dana W." {
		t.Errorf("membership does not follow the target's account: %+v %v", ms, err)
	}
}

func TestFailedCopyLeavesTargetUntouched(t *testing.T) {
	ctx := context.Background()
	src, _ := sqliteStore(t)
	ids := seed(t, src)
	for name, target := range map[string]func(t *testing.T) store.Store{
		"sqlite":   func(t *testing.T) store.Store { st, _ := sqliteStore(t); return st },
		"postgres": postgresStore,
	} {
		t.Run(name+"/id clash", func(t *testing.T) {
			dst := target(t)
			// The target already holds one of the source's assessments.
			rec, err := src.Record(ctx, ids[2])
			if err != nil {
				t.Fatal(err)
			}
			if err := dst.InTx(ctx, func(tx store.Store) error {
				if err := tx.PutCatalog(ctx, "acme-baseline", "3", []byte(customCatalog)); err != nil {
					return err
				}
				return tx.LoadRecord(ctx, rec)
			}); err != nil {
				t.Fatal(err)
			}
			_, err = copyDB(ctx, src, dst, nil)
			if assess.KindOf(err) != assess.KindConflict || !strings.Contains(err.Error(), ids[2]) {
				t.Fatalf("copy into a target holding %s: %v", ids[2], err)
			}
			list, _ := dst.ListAssessments(ctx)
			if len(list) != 1 || list[0].ID != ids[2] {
				t.Errorf("target changed: %d assessments", len(list))
			}
		})
		t.Run(name+"/interrupted midway", func(t *testing.T) {
			dst := target(t)
			cctx, cancel := context.WithCancel(ctx)
			defer cancel()
			_, err := copyDB(cctx, src, dst, func(done, total int) {
				if done == 2 {
					cancel() // two assessments are written, the third never is
				}
			})
			if err == nil || !errors.Is(err, context.Canceled) {
				t.Fatalf("interrupted copy: %v", err)
			}
			if list, err := dst.ListAssessments(ctx); err != nil || len(list) != 0 {
				t.Errorf("an interrupted copy left %d assessments (%v)", len(list), err)
			}
			if cats, _ := dst.Catalogs(ctx); len(cats) != 0 {
				t.Errorf("an interrupted copy left %d catalogs", len(cats))
			}
			if n, _ := dst.CountUsers(ctx); n != 0 {
				t.Errorf("an interrupted copy left %d accounts", n)
			}
		})
	}
}

// copyDB copies a whole database as the command line does.
func copyDB(ctx context.Context, from, to store.Store, progress func(done, total int)) (app.CopyReport, error) {
	return app.New(from, app.Config{}).CopyTo(ctx, app.System("test"), app.New(to, app.Config{}), progress)
}

func viewOf(ctx context.Context, st store.Store, id string) (app.View, error) {
	v, _, err := app.New(st, app.Config{}).View(ctx, app.System("test"), id)
	return v, err
}
