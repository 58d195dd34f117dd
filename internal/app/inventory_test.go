package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/isogap/isogap/internal/app"
	"github.com/isogap/isogap/internal/assess"
)

func TestInventoryCountsWhatCopyCopies(t *testing.T) {
	ctx := context.Background()
	src, _ := sqliteStore(t)
	seed(t, src)
	inv, err := app.New(src, app.Config{}).TakeInventory(ctx, app.System("test"))
	if err != nil {
		t.Fatal(err)
	}
	dst, _ := sqliteStore(t)
	rep, err := copyDB(ctx, src, dst, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := rep.Inventory
	if inv != want || inv.Assessments != 3 || inv.Evidence == 0 || inv.History == 0 || inv.Empty() {
		t.Errorf("inventory %+v, copy moved %+v", inv, want)
	}
	empty, _ := sqliteStore(t)
	if inv, err := app.New(empty, app.Config{}).TakeInventory(ctx, app.System("test")); err != nil || !inv.Empty() || inv != (app.Inventory{}) {
		t.Errorf("inventory of an empty database: %+v %v", inv, err)
	}
}

// History recorded under a version the item never reached is a damaged
// database, and the inventory says where.
func TestInventoryRefusesHistoryAheadOfItsItem(t *testing.T) {
	ctx := context.Background()
	src, _ := sqliteStore(t)
	ids := seed(t, src)
	rec, err := src.Record(ctx, ids[1])
	if err != nil {
		t.Fatal(err)
	}
	bad := -1
	for i, c := range rec.History {
		if c.Ref == "A.8.13" {
			bad = i
		}
	}
	if bad < 0 {
		t.Fatal("the seed has no history for A.8.13")
	}
	rec.History[bad].Version = 99
	dst, _ := sqliteStore(t)
	if err := dst.LoadRecord(ctx, rec); err != nil {
		t.Fatal(err)
	}
	_, err = app.New(dst, app.Config{}).TakeInventory(ctx, app.System("test"))
	if assess.KindOf(err) != assess.KindInvalid || !strings.Contains(err.Error(), "A.8.13 is at version 3 but its history records version 99") {
		t.Errorf("inventory of a damaged database: %v", err)
	}
}
