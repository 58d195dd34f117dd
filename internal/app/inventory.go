package app

import (
	"context"
	"fmt"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store"
)

// Inventory counts what a database holds.
type Inventory struct {
	Catalogs    int
	Assessments int
	Items       int
	Evidence    int
	History     int
	Users       int
	Memberships int
}

// Empty reports a database that holds no assessment, account or catalog.
func (inv Inventory) Empty() bool {
	return inv.Assessments == 0 && inv.Users == 0 && inv.Catalogs == 0
}

// TakeInventory reads every assessment back in full (items, evidence with
// file contents, history, members) on one consistent view of the database
// and counts it all: how a backup is shown to be readable, and a restore
// target to be empty. It also checks that no item's history runs past the
// item's version, which only a damaged or hand-edited database shows.
// Only the command line may take it: it reads whole databases.
func (s *Service) TakeInventory(ctx context.Context, p Principal) (Inventory, error) {
	var inv Inventory
	if err := requireSystem(p, "take an inventory of the database"); err != nil {
		return inv, err
	}
	err := s.store.ReadTx(ctx, func(st store.Store) error {
		inv = Inventory{}
		catalogs, err := st.Catalogs(ctx)
		if err != nil {
			return fmt.Errorf("read catalogs: %w", err)
		}
		users, err := st.ListUsers(ctx)
		if err != nil {
			return fmt.Errorf("read accounts: %w", err)
		}
		list, err := st.ListAssessments(ctx)
		if err != nil {
			return fmt.Errorf("read assessments: %w", err)
		}
		inv.Catalogs, inv.Users = len(catalogs), len(users)
		for _, a := range list {
			rec, err := st.Record(ctx, a.ID)
			if err != nil {
				return fmt.Errorf("read assessment %s: %w", a.ID, err)
			}
			if err := versionsAgree(rec); err != nil {
				return err
			}
			members, err := st.Members(ctx, a.ID)
			if err != nil {
				return fmt.Errorf("read members of %s: %w", a.ID, err)
			}
			inv.Assessments++
			inv.Items += len(rec.Items)
			inv.History += len(rec.History)
			inv.Memberships += len(members)
			for _, it := range rec.Items {
				inv.Evidence += len(it.Evidence)
			}
		}
		return nil
	})
	return inv, err
}

// versionsAgree refuses history recorded under an item version the item
// never reached: every change is recorded under the version it produced.
func versionsAgree(rec assess.Record) error {
	version := make(map[string]int, len(rec.Items))
	for _, it := range rec.Items {
		version[it.Ref] = it.Version
	}
	for _, c := range rec.History {
		if c.Ref == "" {
			continue
		}
		v, ok := version[c.Ref]
		if !ok {
			return assess.Errorf(assess.KindInvalid, "assessment %s: history names item %s, which it does not have", rec.Assessment.ID, c.Ref)
		}
		if c.Version > v {
			return assess.Errorf(assess.KindInvalid, "assessment %s: item %s is at version %d but its history records version %d",
				rec.Assessment.ID, c.Ref, v, c.Version)
		}
	}
	return nil
}
