package app_test

import (
	"context"
	"errors"
	"testing"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
)

// SaveItem stores an edit as UpdateItem does and answers with what the
// matrix row shows: the stored item and the status the whole
// assessment's figures give it; a stale edit of the same field is a
// conflict, with nothing stored.
func TestSaveItem(t *testing.T) {
	ctx := context.Background()
	svc, a := newService(t)
	p := app.System("ann")
	saved, err := svc.SaveItem(ctx, p, a.ID, "a.5.15", 1, app.ItemPatch{Score: ptr(assess.Score(5)), Owner: ptr("Priya")})
	if err != nil {
		t.Fatal(err)
	}
	v, _, err := svc.View(ctx, p, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := v.Item("A.5.15")
	var want assess.ItemStatus
	for _, is := range v.Result.Items {
		if is.Ref == "A.5.15" {
			want = is
		}
	}
	if saved.Item.Version != 2 || saved.Item.Score != 5 || saved.Item.Owner != "Priya" || saved.Item.Version != stored.Version {
		t.Errorf("saved item %+v, stored %+v", saved.Item, stored)
	}
	// A 5 without evidence is flagged, and counts as 4.
	if saved.Status != want || !saved.Status.Unevidenced5 {
		t.Errorf("status %+v, the figures say %+v", saved.Status, want)
	}
	if saved.Assessment.ID != a.ID || saved.Catalog == nil || !saved.Access.CanEditItem(saved.Item) {
		t.Errorf("what the row needs besides: %+v %v %+v", saved.Assessment, saved.Catalog, saved.Access)
	}

	// Someone else's edit of the owner since version 1: a conflict.
	_, err = svc.SaveItem(ctx, p, a.ID, "A.5.15", 1, app.ItemPatch{Owner: ptr("Omar")})
	var ce *assess.ConflictError
	if !errors.As(err, &ce) || ce.Current.Owner != "Priya" || ce.Attempted.Owner != "Omar" {
		t.Fatalf("stale edit of the same field: %v", err)
	}
	// Of another field: merged onto the current version.
	merged, err := svc.SaveItem(ctx, p, a.ID, "A.5.15", 1, app.ItemPatch{Priority: ptr(assess.PriorityHigh)})
	if err != nil || merged.Item.Version != 3 || merged.Item.Owner != "Priya" || merged.Item.Priority != assess.PriorityHigh {
		t.Fatalf("stale edit of another field: %+v, %v", merged.Item, err)
	}
}
