package app_test

import (
	"context"
	"errors"
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
}

func (b *betweenStore) InTx(ctx context.Context, fn func(store.Store) error) error {
	return b.Store.InTx(ctx, func(st store.Store) error {
		return fn(&betweenStore{Store: st, between: b.between})
	})
}

func (b *betweenStore) GetItemAt(ctx context.Context, aid, ref string) (assess.Item, int64, error) {
	it, rev, err := b.Store.GetItemAt(ctx, aid, ref)
	if f := *b.between; f != nil {
		*b.between = nil
		f()
	}
	return it, rev, err
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
