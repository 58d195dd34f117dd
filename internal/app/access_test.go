package app_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
)

func emptyService(t *testing.T) *app.Service {
	t.Helper()
	st, _ := sqliteStore(t)
	return app.New(st, app.Config{})
}

func TestPasswordHash(t *testing.T) {
	h, err := app.HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := app.HashPassword("correct horse battery staple")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") || h == h2 {
		t.Errorf("hash %q (salted: %v)", h, h != h2)
	}
	if !app.CheckPassword(h, "correct horse battery staple") {
		t.Error("the right password is refused")
	}
	for _, wrong := range []string{"", "correct horse battery stapl", "Correct horse battery staple"} {
		if app.CheckPassword(h, wrong) {
			t.Errorf("%q accepted", wrong)
		}
	}
}

// argonHash builds a PHC string for the given parameters, computing the key
// with argon2 itself wherever argon2 does not panic on them (it raises too
// little memory on its own): a hash refused below is refused for its
// parameters, not because its key is wrong.
func argonHash(pw, version string, m, t uint32, p uint8, salt []byte, keyLen uint32) string {
	key := make([]byte, keyLen)
	if t >= 1 && p >= 1 {
		key = argon2.IDKey([]byte(pw), salt, t, m, p, keyLen)
	}
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$%s$m=%d,t=%d,p=%d$%s$%s", version, m, t, p, enc.EncodeToString(salt), enc.EncodeToString(key))
}

func TestCheckPasswordRefusesMalformedHashes(t *testing.T) {
	const pw = "correct horse battery staple"
	salt := []byte("0123456789abcdef")
	good := argonHash(pw, "v=19", 19*1024, 2, 1, salt, 32)
	if !app.CheckPassword(good, pw) {
		t.Fatalf("a well-formed hash of the password is refused: %s", good)
	}
	tests := []struct{ name, hash string }{
		{"no passes (argon2 panics)", "$argon2id$$m=0,t=0,p=1$$00"},
		{"t=0", argonHash(pw, "v=19", 19*1024, 0, 1, salt, 32)},
		{"p=0 (argon2 panics)", argonHash(pw, "v=19", 19*1024, 2, 0, salt, 32)},
		{"memory below 8 KiB per lane", argonHash(pw, "v=19", 7, 2, 1, salt, 32)},
		{"memory above 64 MiB", argonHash(pw, "v=19", 64*1024+8, 1, 1, salt, 32)},
		{"11 passes", argonHash(pw, "v=19", 64, 11, 1, salt, 32)},
		{"17 lanes", argonHash(pw, "v=19", 17*8, 1, 17, salt, 32)},
		{"p beyond a byte", strings.Replace(good, "p=1$", "p=257$", 1)},
		{"no version", argonHash(pw, "", 19*1024, 2, 1, salt, 32)},
		{"version 16", argonHash(pw, "v=16", 19*1024, 2, 1, salt, 32)},
		{"salt of 7 bytes", argonHash(pw, "v=19", 64, 1, 1, salt[:7], 32)},
		{"salt of 65 bytes", argonHash(pw, "v=19", 64, 1, 1, bytes.Repeat(salt, 5)[:65], 32)},
		{"key of 15 bytes", argonHash(pw, "v=19", 64, 1, 1, salt, 15)},
		{"key of 65 bytes", argonHash(pw, "v=19", 64, 1, 1, salt, 65)},
		{"parameters with a sign", strings.Replace(good, "t=2", "t=+2", 1)},
		{"parameters with a leading zero", strings.Replace(good, "t=2", "t=02", 1)},
		{"parameters with trailing text", strings.Replace(good, "p=1$", "p=1,x=3$", 1)},
		{"parameters out of order", strings.Replace(good, "m=19456,t=2", "t=2,m=19456", 1)},
		{"padded base64", good + "="},
		{"an extra field", good + "$"},
		{"text before", "x" + good},
		{"another algorithm", strings.Replace(good, "argon2id", "argon2i", 1)},
		{"empty", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if app.CheckPassword(tc.hash, pw) {
				t.Errorf("%q accepted", tc.hash)
			}
		})
	}
}

// FuzzCheckPassword: a stored hash of any shape is refused or checked,
// never a panic, and never accepts two different passwords. The first seed
// is a valid hash at argon2's lowest cost, so the fuzzer's variations of it
// stay cheap to check.
func FuzzCheckPassword(f *testing.F) {
	cheap := argonHash("pw-0123456789", "v=19", 8, 1, 1, []byte("0123456789abcdef"), 16)
	if !app.CheckPassword(cheap, "pw-0123456789") {
		f.Fatalf("the cheap seed hash is refused: %s", cheap)
	}
	f.Add(cheap, "pw-0123456789", "pw-0123456788")
	f.Add("$argon2id$v=19$m=0,t=0,p=0$$", "", "x")
	f.Add("$argon2id$$m=0,t=0,p=1$$00", "", "x")
	f.Add("$argon2id$v=19$m=99999999,t=1,p=1$c2FsdA$a2V5", "x", "")
	f.Add("$bcrypt$...", "x", "y")
	f.Fuzz(func(t *testing.T, hash, pw, other string) {
		if !app.CheckPassword(hash, pw) {
			return
		}
		if other != pw && app.CheckPassword(hash, other) {
			t.Fatalf("%q accepts both %q and %q", hash, pw, other)
		}
		if !strings.HasPrefix(hash, "$argon2id$v=19$") {
			t.Fatalf("%q accepted by %q", pw, hash)
		}
	})
}

// FuzzHashPassword: the hash of a password verifies that password and no
// other. (Each run costs three full-strength argon2 hashes: slow, on purpose.)
func FuzzHashPassword(f *testing.F) {
	f.Add("pw-0123456789", "pw-0123456788")
	f.Add("", "\x00")
	f.Add("correct horse battery staple", "Correct horse battery staple")
	f.Fuzz(func(t *testing.T, pw, other string) {
		if len(pw) > 256 || len(other) > 256 {
			return // longer than a password may be
		}
		h, err := app.HashPassword(pw)
		if err != nil {
			t.Fatal(err)
		}
		if !app.CheckPassword(h, pw) {
			t.Fatalf("the hash of %q refuses it: %s", pw, h)
		}
		if other != pw && app.CheckPassword(h, other) {
			t.Fatalf("the hash of %q accepts %q", pw, other)
		}
	})
}

func TestAccessRules(t *testing.T) {
	ctx := context.Background()
	svc := emptyService(t)
	sys := app.System("t")
	a, err := svc.CreateAssessment(ctx, sys, app.NewAssessment{Org: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	mk := func(login, name string) app.Principal {
		u, err := svc.CreateUser(ctx, sys, app.NewUser{Login: login, Name: name, Password: "long enough password"})
		if err != nil {
			t.Fatal(err)
		}
		return app.Principal{User: u}
	}
	lead, carl, stranger := mk("lead", "Lea Lead"), mk("carl", "Carl Contrib"), mk("stranger", "Sam Stranger")
	if _, err := svc.PutMember(ctx, sys, a.ID, app.MemberInput{Login: "lead", Role: "assessor"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PutMember(ctx, lead, a.ID, app.MemberInput{Login: "carl", Role: "contributor", Departments: []string{"HR"}}); err != nil {
		t.Fatal(err)
	}
	if err := svc.AcceptInvitation(ctx, carl, a.ID); err != nil { // an assessor invites; the invited person accepts
		t.Fatal(err)
	}
	// The owner field, matched on the person's name, gives a contributor the item.
	owner := "Carl Contrib"
	if _, err := svc.UpdateItem(ctx, lead, a.ID, "4.3", 0, app.ItemPatch{Owner: &owner}); err != nil {
		t.Fatal(err)
	}
	three := assess.Score(3)
	for ref, want := range map[string]assess.Kind{"A.6.1": 0, "4.3": 0, "4.1": assess.KindForbidden} {
		_, err := svc.UpdateItem(ctx, carl, a.ID, ref, 0, app.ItemPatch{Score: &three})
		if (want == 0) != (err == nil) || (err != nil && assess.KindOf(err) != want) {
			t.Errorf("contributor scoring %s: %v, want kind %v", ref, err, want)
		}
	}
	// Sending back the unchanged department (a full form does) is not a move.
	hr := "HR"
	if _, err := svc.UpdateItem(ctx, carl, a.ID, "A.6.1", 0, app.ItemPatch{Department: &hr, Score: &three}); err != nil {
		t.Errorf("unchanged department: %v", err)
	}
	it := "IT Operations"
	if _, err := svc.UpdateItem(ctx, carl, a.ID, "A.6.1", 0, app.ItemPatch{Department: &it}); assess.KindOf(err) != assess.KindForbidden {
		t.Errorf("contributor moving an item to another department: %v", err)
	}
	if _, err := svc.UpdateItem(ctx, stranger, a.ID, "4.1", 0, app.ItemPatch{Score: &three}); assess.KindOf(err) != assess.KindNotFound {
		t.Errorf("a stranger editing: %v, want not found", err)
	}
	if _, err := svc.AddEvidence(ctx, carl, a.ID, "4.1", app.NewEvidence{Text: "x"}); assess.KindOf(err) != assess.KindForbidden {
		t.Errorf("contributor adding evidence to another department's item: %v", err)
	}
	// Members: validation, and an assessment always keeps an assessor.
	for _, tc := range []struct {
		in   app.MemberInput
		want string
	}{
		{app.MemberInput{Login: "stranger", Role: "auditor"}, "end date"},
		{app.MemberInput{Login: "stranger", Role: "auditor", Expires: "2001-01-01"}, "passed"},
		{app.MemberInput{Login: "stranger", Role: "contributor", Refs: []string{"A.9.9"}}, "unknown ref"},
		{app.MemberInput{Login: "lead", Role: "viewer"}, "only assessor"},
	} {
		if _, err := svc.PutMember(ctx, lead, a.ID, tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.in, err, tc.want)
		}
	}
	if _, err := svc.PutMember(ctx, carl, a.ID, app.MemberInput{Login: "stranger", Role: "viewer"}); assess.KindOf(err) != assess.KindForbidden {
		t.Errorf("contributor managing members: %v", err)
	}
	if err := svc.RemoveMember(ctx, lead, a.ID, lead.User.ID); err == nil || !strings.Contains(err.Error(), "only assessor") {
		t.Errorf("removing the last assessor: %v", err)
	}
	// The portfolio of each person.
	if list, _ := svc.Portfolio(ctx, stranger); len(list) != 0 {
		t.Errorf("a stranger's portfolio: %d", len(list))
	}
	if list, _ := svc.Portfolio(ctx, carl); len(list) != 1 || list[0].Role != assess.RoleContributor {
		t.Errorf("contributor's portfolio: %+v", list)
	}
	// Owners by department: the first stakeholder of each department.
	cur, _ := svc.Assessment(ctx, lead, a.ID)
	cur.Stakeholders = []assess.Stakeholder{{Name: "Hana HR", Department: "HR"}, {Name: "Second HR", Department: "HR"}}
	if _, err := svc.UpdateAssessment(ctx, lead, cur, cur.Version); err != nil {
		t.Fatal(err)
	}
	n, err := svc.AssignOwners(ctx, lead, a.ID)
	if err != nil || n == 0 {
		t.Fatalf("assign owners: %d %v", n, err)
	}
	if got, _ := svc.Item(ctx, app.System("test"), a.ID, "A.6.2"); got.Owner != "Hana HR" {
		t.Errorf("owner of an HR item: %q", got.Owner)
	}
	if got, _ := svc.Item(ctx, app.System("test"), a.ID, "4.3"); got.Owner != "Carl Contrib" {
		t.Errorf("an owned item changed owner: %q", got.Owner)
	}
}
