package app_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store"
)

// betweenStore runs between once, right after a save's early read of the
// item (before the assessment is locked): another instance's write lands
// in the gap that only PostgreSQL leaves open (SQLite's write transaction
// excludes other writers from its first statement).
type betweenStore struct {
	store.Store
	between *func()
	// afterRole: run between after the role's read, not the item's.
	afterRole bool
}

func (b *betweenStore) InTx(ctx context.Context, fn func(store.Store) error) error {
	return b.Store.InTx(ctx, func(st store.Store) error {
		return fn(&betweenStore{Store: st, between: b.between, afterRole: b.afterRole})
	})
}

func (b *betweenStore) run() {
	if f := *b.between; f != nil {
		*b.between = nil
		f()
	}
}

func (b *betweenStore) GetItemAt(ctx context.Context, aid, ref string) (assess.Item, int64, error) {
	it, rev, err := b.Store.GetItemAt(ctx, aid, ref)
	if !b.afterRole {
		b.run()
	}
	return it, rev, err
}

func (b *betweenStore) Membership(ctx context.Context, aid string, userID int64) (assess.Membership, error) {
	m, err := b.Store.Membership(ctx, aid, userID)
	if b.afterRole {
		b.run()
	}
	return m, err
}

// A save whose early read went out of date before the lock is decided on
// the item as it is under the lock: an edit that would write nothing on
// the old read (it sets the value the item had) is refused as a conflict
// with the save that came between, not answered with the old row.
func TestSaveDecidesOnTheItemUnderTheLock(t *testing.T) {
	in, a := twoInstances(t, "postgres")
	ctx := context.Background()
	const ref = "A.5.15"
	who := app.System("ann")
	three, four := assess.Score(3), assess.Score(4)
	cur, err := in.svc[0].UpdateItem(ctx, who, a.ID, ref, 0, app.ItemPatch{Score: &three})
	if err != nil {
		t.Fatal(err)
	}
	ran := false
	between := func() {
		ran = true
		if _, err := in.svc[1].UpdateItem(ctx, app.System("bob"), a.ID, ref, cur.Version, app.ItemPatch{Score: &four}); err != nil {
			t.Errorf("the save between: %v", err)
		}
	}
	svc := app.New(&betweenStore{Store: in.stores[0], between: &between}, app.Config{})
	got, err := svc.SaveItem(ctx, who, a.ID, ref, cur.Version, app.ItemPatch{Score: &three})
	if !ran {
		t.Fatal("the save did not read the item before the lock; this test no longer tests anything")
	}
	var ce *assess.ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("saving 3 over bob's 4 from version %d: %+v, %v; want a conflict", cur.Version, got.Item, err)
	}
	if ce.Current.Score != four || ce.Current.Version != cur.Version+1 {
		t.Errorf("the conflict shows %+v, want bob's score 4 at version %d", ce.Current, cur.Version+1)
	}
	// Without a write between, the early read is the one used, and a save
	// that changes nothing answers the row as stored.
	stored, err := in.svc[0].Item(ctx, who, a.ID, ref)
	if err != nil {
		t.Fatal(err)
	}
	same, err := svc.SaveItem(ctx, who, a.ID, ref, stored.Version, app.ItemPatch{Score: &four})
	if err != nil || same.Item.Version != stored.Version || same.Item.Score != four {
		t.Errorf("a save that changes nothing: %+v, %v; want version %d with score 4", same.Item, err, stored.Version)
	}
}

// A member's role is read before the lock too, and used only if nothing
// was written in between: a member removed in that gap, or made a
// contributor of another department, is refused the save.
func TestSaveDecidesOnTheRoleUnderTheLock(t *testing.T) {
	for _, change := range []string{"removed", "contributor"} {
		t.Run(change, func(t *testing.T) {
			in, a := twoInstances(t, "postgres")
			ctx := context.Background()
			sys := app.System("setup")
			u, err := in.svc[0].CreateUser(ctx, sys, app.NewUser{Login: "bob", Name: "Bob", Password: "long enough password"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := in.svc[0].CreateUser(ctx, sys, app.NewUser{Login: "lea", Name: "Lea", Password: "long enough password"}); err != nil {
				t.Fatal(err)
			}
			for _, login := range []string{"lea", "bob"} {
				if _, err := in.svc[0].PutMember(ctx, sys, a.ID, app.MemberInput{Login: login, Role: "assessor"}); err != nil {
					t.Fatal(err)
				}
			}
			bob := app.Principal{User: u}
			ran := false
			between := func() {
				ran = true
				var err error
				if change == "removed" {
					err = in.svc[1].RemoveMember(ctx, sys, a.ID, u.ID)
				} else {
					_, err = in.svc[1].PutMember(ctx, sys, a.ID, app.MemberInput{Login: "bob", Role: "contributor", Departments: []string{"HR"}})
				}
				if err != nil {
					t.Errorf("the change between: %v", err)
				}
			}
			svc := app.New(&betweenStore{Store: in.stores[0], between: &between, afterRole: true}, app.Config{})
			three := assess.Score(3)
			got, err := svc.SaveItem(ctx, bob, a.ID, "A.5.15", 0, app.ItemPatch{Score: &three})
			if !ran {
				t.Fatal("the save did not read the role before the lock; this test no longer tests anything")
			}
			if err == nil {
				t.Fatalf("bob, %s before the lock, saved: %+v", change, got.Item)
			}
			t.Logf("refused: %v", err)
			if k := assess.KindOf(err); k != assess.KindNotFound && k != assess.KindForbidden {
				t.Errorf("bob, %s: %v (%v), want not found or forbidden", change, err, k)
			}
			it, err := in.svc[1].Item(ctx, sys, a.ID, "A.5.15")
			if err != nil || it.Score == three {
				t.Errorf("the item after the refused save: %+v, %v", it, err)
			}
		})
	}
}

// orderStore records the order of the reads a save makes around the lock.
type orderStore struct {
	store.Store
	calls *[]string
}

func (o *orderStore) InTx(ctx context.Context, fn func(store.Store) error) error {
	return o.Store.InTx(ctx, func(st store.Store) error { return fn(&orderStore{Store: st, calls: o.calls}) })
}

func (o *orderStore) GetItemAt(ctx context.Context, aid, ref string) (assess.Item, int64, error) {
	*o.calls = append(*o.calls, "item")
	return o.Store.GetItemAt(ctx, aid, ref)
}

func (o *orderStore) GetItem(ctx context.Context, aid, ref string) (assess.Item, error) {
	*o.calls = append(*o.calls, "item")
	return o.Store.GetItem(ctx, aid, ref)
}

func (o *orderStore) Membership(ctx context.Context, aid string, userID int64) (assess.Membership, error) {
	*o.calls = append(*o.calls, "role")
	return o.Store.Membership(ctx, aid, userID)
}

func (o *orderStore) LockAssessment(ctx context.Context, aid string) error {
	*o.calls = append(*o.calls, "lock")
	return o.Store.LockAssessment(ctx, aid)
}

// With nothing written in between, a member's save reads the item and the
// role before the lock and neither again under it: the lock is held for
// the write and the commit only.
func TestSaveReadsBeforeTheLock(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			in, a := twoInstances(t, engine)
			ctx := context.Background()
			sys := app.System("setup")
			u, err := in.svc[0].CreateUser(ctx, sys, app.NewUser{Login: "bob", Name: "Bob", Password: "long enough password"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := in.svc[0].PutMember(ctx, sys, a.ID, app.MemberInput{Login: "bob", Role: "assessor"}); err != nil {
				t.Fatal(err)
			}
			var calls []string
			svc := app.New(&orderStore{Store: in.stores[0], calls: &calls}, app.Config{})
			three := assess.Score(3)
			if _, err := svc.SaveItem(ctx, app.Principal{User: u}, a.ID, "A.5.15", 0, app.ItemPatch{Score: &three}); err != nil {
				t.Fatal(err)
			}
			if want := []string{"item", "role", "lock"}; !slices.Equal(calls, want) {
				t.Errorf("a member's save read %v, want %v", calls, want)
			}
		})
	}
}
