package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/isogap/isogap/internal/assess"
	"github.com/isogap/isogap/internal/store"
)

// CopyReport says what a copy moved.
type CopyReport struct {
	Catalogs    int
	Assessments int
	Items       int
	Evidence    int
	History     int
}

// Copy moves everything from one store to another (SQLite ↔ PostgreSQL) in
// one transaction on the target. Each assessment is read back inside that
// transaction and compared with the source; any difference, any id already
// present in the target, or any error rolls the whole copy back, leaving
// the target as it was. progress, if set, is told after each assessment.
func Copy(ctx context.Context, from, to store.Store, progress func(done, total int)) (CopyReport, error) {
	var rep CopyReport
	catalogs, err := from.Catalogs(ctx)
	if err != nil {
		return rep, fmt.Errorf("read source catalogs: %w", err)
	}
	list, err := from.ListAssessments(ctx)
	if err != nil {
		return rep, fmt.Errorf("read source assessments: %w", err)
	}
	err = to.InTx(ctx, func(tx store.Store) error {
		var clash []string
		for _, a := range list {
			if _, err := tx.GetAssessment(ctx, a.ID); err == nil {
				clash = append(clash, a.ID)
			} else if assess.KindOf(err) != assess.KindNotFound {
				return err
			}
		}
		if len(clash) > 0 {
			return assess.Errorf(assess.KindConflict, "the target already holds %d of the assessments (%s): copy into an empty database",
				len(clash), strings.Join(clash[:min(5, len(clash))], ", "))
		}
		for _, c := range catalogs {
			if err := tx.PutCatalog(ctx, c.ID, c.Version, c.Content); err != nil {
				return err
			}
			got, err := tx.GetCatalog(ctx, c.ID, c.Version)
			if err != nil {
				return err
			}
			if string(got) != string(c.Content) {
				return assess.Errorf(assess.KindConflict, "catalog %s version %s differs in the target", c.ID, c.Version)
			}
			rep.Catalogs++
		}
		for i, a := range list {
			rec, err := from.Record(ctx, a.ID)
			if err != nil {
				return fmt.Errorf("read assessment %s: %w", a.ID, err)
			}
			if err := tx.LoadRecord(ctx, rec); err != nil {
				return fmt.Errorf("write assessment %s: %w", a.ID, err)
			}
			back, err := tx.Record(ctx, a.ID)
			if err != nil {
				return fmt.Errorf("read back assessment %s: %w", a.ID, err)
			}
			if err := assess.DiffRecords(rec, back); err != nil {
				return fmt.Errorf("verification failed, nothing copied: %w", err)
			}
			rep.Assessments++
			rep.Items += len(rec.Items)
			rep.History += len(rec.History)
			for _, it := range rec.Items {
				rep.Evidence += len(it.Evidence)
			}
			if progress != nil {
				progress(i+1, len(list))
			}
		}
		return nil
	})
	if err != nil {
		return CopyReport{}, err
	}
	return rep, nil
}
