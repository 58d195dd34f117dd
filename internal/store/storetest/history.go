package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store"
)

// testHistoryPages loads a history longer than one insert statement
// writes and pages through it by id, both ways, whole and for one item.
func testHistoryPages(t *testing.T, e Engine) {
	ctx := context.Background()
	st := fresh(t, e)
	a, items := NewAssessment("Pages Ltd")
	other, otherItems := NewAssessment("Other Ltd")
	refs := []string{"", "4.1", "A.5.15", "A.8.13"}
	at := assess.Stamp(time.Now().Add(-time.Hour))
	var hist []assess.Change
	for i := range 1234 {
		hist = append(hist, assess.Change{Ref: refs[i%len(refs)], Field: "notes", Old: fmt.Sprint(i - 1), New: fmt.Sprint(i),
			Actor: "ann", At: at.Add(time.Duration(i/3) * time.Millisecond), Version: i + 1})
	}
	for _, r := range []assess.Record{{Assessment: a, Items: items, History: hist}, {Assessment: other, Items: otherItems, History: hist[:10]}} {
		if err := st.LoadRecord(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	all, err := st.History(ctx, a.ID, store.HistoryQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(hist) {
		t.Fatalf("%d changes stored, %d loaded", len(all), len(hist))
	}
	for i, h := range all {
		if h.New != hist[i].New || h.Ref != hist[i].Ref || !h.At.Equal(hist[i].At) || (i > 0 && h.ID <= all[i-1].ID) {
			t.Fatalf("change %d came back as %+v, loaded %+v", i, h, hist[i])
		}
	}
	for _, ref := range []string{"", "A.5.15"} {
		var want []assess.Change
		for _, h := range all {
			if ref == "" || h.Ref == ref {
				want = append(want, h)
			}
		}
		// Newest first, a page at a time, each page before the last one's oldest.
		var back []assess.Change
		for before := int64(0); ; {
			page, err := st.History(ctx, a.ID, store.HistoryQuery{Ref: ref, BeforeID: before, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 || len(back) > len(want) {
				break
			}
			back = append(slices.Clone(page), back...)
			before = page[0].ID
		}
		// Oldest first, each page after the last one's newest.
		var forth []assess.Change
		for after := int64(0); ; {
			page, err := st.History(ctx, a.ID, store.HistoryQuery{Ref: ref, AfterID: after, Limit: 100, Oldest: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 || len(forth) > len(want) {
				break
			}
			forth = append(forth, page...)
			after = page[len(page)-1].ID
		}
		for name, got := range map[string][]assess.Change{"newest first": back, "oldest first": forth} {
			if !slices.EqualFunc(got, want, func(x, y assess.Change) bool { return x.ID == y.ID }) {
				t.Errorf("ref %q, pages %s: %d changes, want %d", ref, name, len(got), len(want))
			}
		}
		// Both bounds: the changes strictly between two ids.
		mid, err := st.History(ctx, a.ID, store.HistoryQuery{Ref: ref, AfterID: want[10].ID, BeforeID: want[20].ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(mid) != 9 || mid[0].ID != want[11].ID {
			t.Errorf("ref %q, between two ids: %d changes from %d", ref, len(mid), mid[0].ID)
		}
	}
}
